package kinds

import (
	"strings"

	"github.com/dmsconform/dmsconform/suites/engine"
)

// ResponseHeader: every answer, success or fault, carries a protocol header: the
// protocol's Content-Type, or an x-amzn-RequestId.
type ResponseHeader struct {
	Header string // "content-type" or "request-id"
}

func init() {
	register(func(x *Expansion) {
		ct := x.Model.Service.ContentType
		x.Add("protocol", "content-type", "MUST", fromProtocol("the Content-Type header (required; servers \"MUST still send the protocol's Content-Type header\")", quoteContentType), x.Cancel.Pointer, "responses carry "+ct,
			"Every response, success or fault, MUST carry Content-Type "+ct+".", []string{"protocol", "wire"}, ResponseHeader{Header: "content-type"})
		x.Add("protocol", "request-id", "SHOULD", inferred("every AWS service sends x-amzn-RequestId and the SDKs read it into their errors and response metadata; the awsJson 1.1 specification does not require it", ""), x.Cancel.Pointer, "responses carry a request id",
			"Every response, success or fault, SHOULD carry an x-amzn-RequestId header.", []string{"protocol", "wire"}, ResponseHeader{Header: "request-id"})
	})
}

// Needs implements engine.Kind: the observed answers and the not-found faults.
func (ResponseHeader) Needs() engine.Needs {
	n := observedNeeds
	n.Evidence = append(append([]engine.Script(nil), n.Evidence...), engine.NotFound)
	return n
}

// Judge implements engine.Kind.
func (k ResponseHeader) Judge(ev *engine.Evidence) engine.Verdict {
	samples := append(ev.Observed(), ev.NotFound.Get("unknown-request"), ev.NotFound.Get("unknown-project"))
	want := ev.Model.Service.ContentType
	var j engine.Judgement
	n := 0
	for _, smp := range samples {
		if smp == nil || smp.Response().Status == 0 {
			continue
		}
		if c := ev.Unimplemented(smp); c != nil {
			continue
		}
		n++
		r := smp.Response()
		switch k.Header {
		case "content-type":
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, want) {
				j.Problem(smp, "%q HTTP %d: Content-Type %q, want %s", smp.Name, r.Status, ct, want)
			}
		case "request-id":
			if r.RequestID() == "" {
				j.Problem(smp, "%q HTTP %d: no x-amzn-RequestId header", smp.Name, r.Status)
			}
		default:
			return engine.Errorf("unknown header check %q: regenerate the suites", k.Header)
		}
	}
	if n == 0 {
		return nothingObserved(ev, "no answer of an implemented operation was observed")
	}
	header := map[string]string{"content-type": "responses must carry the protocol's Content-Type", "request-id": "every response must carry a request id"}[k.Header]
	return j.Verdict(header, firstNonNil(samples))
}

func firstNonNil(samples []*engine.Sample) *engine.Sample {
	for _, s := range samples {
		if s != nil {
			return s
		}
	}
	return nil
}
