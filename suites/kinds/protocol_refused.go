package kinds

import (
	"strings"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// ProtocolRefused: a cancel the target must refuse before running the operation is
// refused with a 4xx error: an unknown X-Amz-Target, an unsigned request, a corrupted
// signature. Another 4xx code than the conventional one is drift (unverified for DMS).
type ProtocolRefused struct {
	Probe string // "unknown-target", "unsigned" or "bad-signature"
}

// protocolProbes: the check name, the probe, the conventional error code and why.
var protocolProbes = []struct{ name, probe, title, code, why, sentence string }{
	{"unknown-target", "unknown-target", "an unknown X-Amz-Target is refused", "UnknownOperationException",
		"an unknown X-Amz-Target must be refused, not routed to an operation",
		"A request whose X-Amz-Target names no operation MUST be refused with a 4xx error and MUST NOT run %s; it SHOULD be UnknownOperationException."},
	{"unsigned-rejected", "unsigned", "an unsigned request is refused", "MissingAuthenticationTokenException",
		"a request without SigV4 must be refused",
		"An unsigned %s request MUST be refused with a 4xx error before it runs; it SHOULD be MissingAuthenticationTokenException."},
	{"bad-signature-rejected", "bad-signature", "a bad signature is refused", "InvalidSignatureException",
		"a request whose signature does not verify must be refused",
		"A %s request whose SigV4 signature does not verify MUST be refused with a 4xx error before it runs; it SHOULD be InvalidSignatureException."},
}

// protocolSource is what each refusal rests on: the protocol's routing by X-Amz-Target,
// the model's SigV4 authentication.
func protocolSource(m *spec.Model, probe string) reports.Source {
	if probe == "unknown-target" {
		return fromProtocol("X-Amz-Target (required for requests) names the operation", "The value of this header is the shape name of the service's shape ID joined to the shape name of the operation's shape ID")
	}
	return fromModel("the service authenticates with SigV4, signing name " + m.Service.SigningName + " (botocore metadata signatureVersion v4)")
}

func init() {
	register(func(x *Expansion) {
		for _, p := range protocolProbes {
			x.Add("protocol", p.name, "MUST", protocolSource(x.Model, p.probe), x.Cancel.Pointer, p.title, strings.ReplaceAll(p.sentence, "%s", x.Cancel.Name),
				[]string{"protocol", "wire"}, ProtocolRefused{Probe: p.probe})
		}
	})
}

// Needs implements engine.Kind.
func (ProtocolRefused) Needs() engine.Needs {
	return engine.Needs{Evidence: []engine.Script{engine.Protocol}}
}

// Judge implements engine.Kind.
func (k ProtocolRefused) Judge(ev *engine.Evidence) engine.Verdict {
	smp := ev.Protocol.Get(k.Probe)
	var wantCode, why string
	for _, p := range protocolProbes {
		if p.probe == k.Probe {
			wantCode, why = p.code, p.why
		}
	}
	if smp == nil || wantCode == "" {
		return engine.Errorf("no %s probe in the evidence: regenerate the suites (make generate)", k.Probe)
	}
	r := smp.Response()
	code := r.ErrorCode()
	if c := ev.Unimplemented(smp); c != nil && !strings.EqualFold(code, wantCode) {
		return engine.By(c)
	}
	show := []*engine.Sample{smp}
	switch {
	case r.OK():
		return engine.Failf(show, "%s was answered HTTP %d success: %s", smp.Name, r.Status, why)
	case r.Status >= 500:
		return engine.Failf(show, "%s got %s, want a 4xx client error (%s)", smp.Name, r.Summary(), wantCode)
	case r.Status < 400:
		return engine.Failf(show, "%s got %s, want a 4xx client error (%s): %s", smp.Name, r.Summary(), wantCode, why)
	case isFaultOf(ev.Cancel, code):
		return engine.Failf(show, "%s got %s, a fault of %s itself: the target ran the operation instead of refusing the request (%s)", smp.Name, code, ev.Cancel.Name, why)
	case !strings.EqualFold(code, wantCode):
		return engine.Verdict{Outcome: "drift", Samples: show, Message: smp.Name + " got " + r.Summary() + "; AWS JSON services answer " + wantCode + " (unverified for DMS)"}
	}
	return engine.Pass(show...)
}
