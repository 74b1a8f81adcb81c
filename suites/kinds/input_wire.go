package kinds

import (
	"fmt"
	"strings"

	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// InputRejected: a cancel request with an invalid input is rejected with a 4xx client
// error: a required member missing, a string member of another JSON type, a string
// over its maximum length. A target that looks the request up instead (answering a
// fault of the operation itself) is drift: AWS JSON services answer a validation
// error, unverified for DMS.
type InputRejected struct {
	Probe  string // "missing", "wrong-type" or "max-length"
	Member string // the input member, e.g. RequestIdentifier
}

func init() {
	register(func(x *Expansion) {
		op := x.Cancel
		for _, mb := range op.Input.Members {
			if mb.Required {
				x.Add("input", mb.Name+".missing.wire", "MUST", fromModel(memberRef(mb)+" is a required member"), mb.Pointer, "a request without "+mb.Name+" is rejected",
					fmt.Sprintf("A %s request without the required %s MUST be rejected with a 4xx client error.", op.Name, mb.Name),
					[]string{"input", "wire"}, InputRejected{Probe: "missing", Member: mb.Name})
			}
			if mb.Shape.Type == spec.TypeString {
				x.Add("input", mb.Name+".wrong-type.wire", "MUST", fromModel(memberRef(mb)+" is a string"), mb.Pointer, "a non-string "+mb.Name+" is rejected",
					fmt.Sprintf("A %s request whose %s is not a string MUST be rejected with a 4xx client error.", op.Name, mb.Name),
					[]string{"input", "wire"}, InputRejected{Probe: "wrong-type", Member: mb.Name})
			}
			if n := mb.Shape.MaxLength; n != nil {
				x.Add("input", mb.Name+".max-length.wire", "MUST", fromModel(fmt.Sprintf("%s has a maximum length of %d", memberRef(mb), *n)), mb.Pointer, fmt.Sprintf("a %s over %d characters is rejected", mb.Name, *n),
					fmt.Sprintf("A %s request whose %s is longer than %d characters MUST be rejected with a 4xx client error.", op.Name, mb.Name, *n),
					[]string{"input", "wire"}, InputRejected{Probe: "max-length", Member: mb.Name})
			}
		}
	})
}

// Needs implements engine.Kind.
func (InputRejected) Needs() engine.Needs {
	return engine.Needs{Evidence: []engine.Script{engine.Inputs}}
}

// Judge implements engine.Kind.
func (k InputRejected) Judge(ev *engine.Evidence) engine.Verdict {
	smp := ev.Inputs.Get(k.Probe + "/" + k.Member)
	if smp == nil {
		return engine.Errorf("no %s probe of %s in the evidence: regenerate the suites (make generate)", k.Probe, k.Member)
	}
	if c := ev.Unimplemented(smp); c != nil {
		return engine.By(c)
	}
	why := map[string]string{
		"missing":    k.Member + " is required",
		"wrong-type": k.Member + " is a string",
		"max-length": k.Member + " is longer than its maximum length",
	}[k.Probe]
	return judgeRejection(ev, smp, why)
}

// judgeRejection judges an answer to a request the target must reject as a client error.
func judgeRejection(ev *engine.Evidence, smp *engine.Sample, why string) engine.Verdict {
	r := smp.Response()
	code := r.ErrorCode()
	show := []*engine.Sample{smp}
	switch {
	case r.OK():
		return engine.Failf(show, "%s was accepted (HTTP %d): %s, so it must be rejected with a client error", smp.Name, r.Status, why)
	case r.Status >= 500:
		return engine.Failf(show, "%s got HTTP %d %s: a server error, want a 4xx client error (%s)", smp.Name, r.Status, code, why)
	case r.Status < 400:
		return engine.Failf(show, "%s got HTTP %d, want a 4xx client error", smp.Name, r.Status)
	case code == "":
		return engine.Failf(show, "%s got HTTP %d without an error code (no X-Amzn-ErrorType, __type or code): clients cannot tell what went wrong", smp.Name, r.Status)
	case isFaultOf(ev.Cancel, code):
		return engine.Verdict{Outcome: "drift", Samples: show, Message: fmt.Sprintf("%s got %s, a fault of %s itself: the target looked the request up instead of rejecting the invalid input (AWS JSON services answer a validation error such as ValidationException or SerializationException; unverified for DMS)", smp.Name, code, ev.Cancel.Name)}
	}
	return engine.Pass(show...)
}

func isFaultOf(op *spec.Operation, code string) bool {
	for _, f := range op.Faults {
		if strings.EqualFold(f.Name, code) {
			return true
		}
	}
	return false
}
