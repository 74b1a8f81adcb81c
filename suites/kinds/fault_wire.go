package kinds

import (
	"fmt"
	"strings"

	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// FaultWire: a modeled fault of the cancel operation is carried on the wire as
// awsJson 1.1 requires: its HTTP status, a JSON body whose __type sanitises to the
// fault name with a message, a matching X-Amzn-ErrorType if present, the protocol's
// Content-Type and a request id.
type FaultWire struct {
	Fault string // e.g. ResourceNotFoundFault
}

func init() {
	register(func(x *Expansion) {
		for _, f := range x.Cancel.Faults {
			x.Add("fault", f.Name+".wire", "MUST", f.Pointer, f.Name+" on the wire",
				fmt.Sprintf("%s MUST be answered with HTTP %d, a JSON body whose __type sanitises to %s with a message, a matching X-Amzn-ErrorType if present, Content-Type %s and a request id.", f.Name, f.HTTPStatus, f.Name, x.Model.Service.ContentType),
				[]string{"fault", "wire"}, FaultWire{Fault: f.Name})
		}
	})
}

// faultNeeds is the evidence that provokes each fault of the cancel operation.
func faultNeeds(fault string) engine.Needs {
	switch fault {
	case "ResourceNotFoundFault":
		return engine.Needs{Evidence: []engine.Script{engine.NotFound}}
	case "InvalidResourceStateFault":
		return engine.Needs{Evidence: []engine.Script{engine.Walk}}
	case "AccessDeniedFault":
		return engine.Needs{Evidence: []engine.Script{engine.Denied}, Denied: true}
	}
	return engine.Needs{}
}

// provocations returns the samples that provoked the fault, or the verdict when there
// is nothing to judge (no way to provoke it, the provocation did not happen, or the
// operation is not implemented).
func provocations(ev *engine.Evidence, fault string) ([]*engine.Sample, *engine.Verdict) {
	var out []*engine.Sample
	switch fault {
	case "ResourceNotFoundFault":
		out = append(out, ev.NotFound.Get("unknown-request"), ev.NotFound.Get("unknown-project"))
	case "InvalidResourceStateFault":
		w := ev.Walk
		if w.SecondCancel == nil {
			v := engine.Skipf(nil, "no request reached a terminal state to cancel again: %s", walkGap(w))
			return nil, &v
		}
		out = append(out, w.SecondCancel)
	case "AccessDeniedFault":
		out = append(out, ev.DeniedProbe.Get("denied"))
	default:
		v := engine.Skipf(nil, "this harness knows no way to provoke %s from %s", fault, ev.Cancel.Name)
		return nil, &v
	}
	for _, s := range out {
		if s == nil {
			v := engine.Errorf("the %s provocation is missing from the evidence (a dmsconform bug)", fault)
			return nil, &v
		}
		if c := ev.Unimplemented(s); c != nil {
			v := engine.By(c)
			return nil, &v
		}
	}
	return out, nil
}

// walkGap says why the walk has no cancelled, ended request.
func walkGap(w *engine.WalkEvidence) string {
	switch {
	case w.Stopped != "":
		return w.Stopped
	case w.Unobserved != "":
		return w.Unobserved
	case w.Cancel != nil && !w.Cancel.Response().OK():
		return "the cancel of the running request failed (" + w.Cancel.Response().Summary() + ")"
	case w.TimedOut:
		return fmt.Sprintf("the cancelled request did not reach a documented terminal status (last seen %q)", w.Final)
	case w.Final != "" && w.Final != "CANCELED":
		return "the cancelled request ended " + w.Final
	}
	return "the walk ended early"
}

// Needs implements engine.Kind.
func (k FaultWire) Needs() engine.Needs { return faultNeeds(k.Fault) }

// Judge implements engine.Kind.
func (k FaultWire) Judge(ev *engine.Evidence) engine.Verdict {
	f := ev.Model.Fault(k.Fault)
	if f == nil {
		return engine.Errorf("the model has no fault %s: regenerate the suites", k.Fault)
	}
	samples, v := provocations(ev, k.Fault)
	if v != nil {
		return *v
	}
	var j engine.Judgement
	for _, smp := range samples {
		j.Show(smp)
		r := smp.Response()
		if r.OK() {
			j.Problem(smp, "%s: HTTP %d success, want %s (HTTP %d)", smp.Name, r.Status, f.Name, f.HTTPStatus)
			continue
		}
		for _, p := range FaultProblems(r, f, ev.Model.Service.ContentType) {
			j.Problem(smp, "%s: %s", smp.Name, p)
		}
		if _, ok := r.Object()["message"]; !ok {
			if _, ok := r.Object()["Message"]; ok {
				j.Drift(smp, "%s: the message is under \"Message\"; the model's member is \"message\" (clients accept both)", smp.Name)
			}
		}
	}
	return j.Verdict(fmt.Sprintf("the wire does not carry %s as modeled", f.Name))
}

// FaultProblems lists how an answer differs from the modeled fault.
func FaultProblems(r *engine.Response, f *spec.Fault, contentType string) []string {
	var p []string
	if r.Status != f.HTTPStatus {
		p = append(p, fmt.Sprintf("HTTP status is %d, the model says %s is %d", r.Status, f.Name, f.HTTPStatus))
	}
	if r.JSONErr != nil {
		p = append(p, fmt.Sprintf("the body is not JSON (%v): %q", r.JSONErr, spec.Truncate(string(r.Body), 120)))
	}
	switch raw, _ := r.Object()["__type"].(string); {
	case raw == "":
		p = append(p, fmt.Sprintf("the body has no __type: clients that read only the body (botocore) cannot tell the fault is %s", f.Name))
	case spec.SanitizeErrorCode(raw) != f.Name:
		p = append(p, fmt.Sprintf("__type %q sanitises to %q, want %q", raw, spec.SanitizeErrorCode(raw), f.Name))
	}
	if h := r.Header.Get("X-Amzn-ErrorType"); h != "" && spec.SanitizeErrorCode(h) != f.Name {
		p = append(p, fmt.Sprintf("X-Amzn-ErrorType %q disagrees with the fault %s (Go resolves the header first, botocore the body)", h, f.Name))
	}
	if _, ok := r.Message(); !ok {
		p = append(p, `the body has no "message" (nor "Message") string: clients show an empty error message`)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, contentType) {
		p = append(p, fmt.Sprintf("Content-Type is %q, want %s", ct, contentType))
	}
	if r.RequestID() == "" {
		p = append(p, "no x-amzn-RequestId header: support cases and SDK errors lose the request id")
	}
	return p
}
