package kinds

import (
	"fmt"
	"strings"

	"github.com/dmsconform/dmsconform/internal/text"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// FaultWire: a modeled fault of the cancel operation is carried on the wire as the
// model and awsJson 1.1 require: its HTTP status, an error type (X-Amzn-ErrorType,
// code or __type) that sanitises to the fault name, a message and the protocol's
// Content-Type. What the protocol only recommends (a body __type, a request id) is
// drift when missing. A caller denied access may get IAM's AccessDeniedException or
// the modelled AccessDeniedFault; the verdict says which.
type FaultWire struct {
	Fault string // e.g. ResourceNotFoundFault
}

func init() {
	register(func(x *Expansion) {
		for _, f := range x.Cancel.Faults {
			sentence := fmt.Sprintf("%s MUST be answered with HTTP %d, an error type that sanitises to %s (X-Amzn-ErrorType, code or __type; a body __type SHOULD be there), a message and Content-Type %s.",
				f.Name, f.HTTPStatus, f.Name, x.Model.Service.ContentType)
			if f.Name == accessDeniedFault {
				sentence = fmt.Sprintf("A caller the target denies MUST be refused with HTTP %d AccessDeniedException (IAM's answer) or the modelled %s, with the error type (X-Amzn-ErrorType, code or __type; a body __type SHOULD be there), a message and Content-Type %s; the report names which the target used.",
					f.HTTPStatus, f.Name, x.Model.Service.ContentType)
			}
			x.Add("fault", f.Name+".wire", "MUST", faultSource(x.Cancel, f), f.Pointer, f.Name+" on the wire", sentence,
				[]string{"fault", "wire"}, FaultWire{Fault: f.Name})
		}
	})
}

// The access denial: IAM answers a caller it denies with the common AWS error
// AccessDeniedException (the DMS user guide); the modelled AccessDeniedFault is "DMS
// was denied access to the endpoint" (DMS's own role). Both conform.
const (
	accessDeniedFault     = "AccessDeniedFault"
	accessDeniedException = "AccessDeniedException"
)

// faultSource is what a fault check rests on: the model's fault list and the
// protocol's error serialization; for the access denial, the DMS user guide too.
func faultSource(op *spec.Operation, f *spec.Fault) reports.Source {
	if f.Name == accessDeniedFault {
		return fromDocs(docIAM+"; the model's fault list of "+op.Name+" ("+f.Name+": \""+f.Doc+"\")", quoteIAM)
	}
	return fromModel(fmt.Sprintf("the fault list of %s (%s, a %s fault, HTTP %d), serialized as %s errors are: %s", op.Name, f.Name, f.Side, f.HTTPStatus, protoJSON, quoteErrorType))
}

// faultNames are the error codes that answer the fault: AccessDeniedFault's denial
// may also be IAM's AccessDeniedException.
func faultNames(fault string) []string {
	if fault == accessDeniedFault {
		return []string{accessDeniedFault, accessDeniedException}
	}
	return []string{fault}
}

// faultNeeds is the evidence that provokes each fault of the cancel operation.
func faultNeeds(fault string) engine.Needs {
	switch fault {
	case "ResourceNotFoundFault":
		return engine.Needs{Evidence: []engine.Script{engine.NotFound}}
	case "InvalidResourceStateFault":
		// The walk's second cancel, and the failing project's request cancelled once it
		// ended, where the target has a failing project.
		return engine.Needs{Evidence: []engine.Script{engine.Walk}, Optional: []engine.Script{engine.Failing}}
	case accessDeniedFault:
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
		// The cancels of requests that had ended: the walk's second cancel, and the
		// failing project's request cancelled once it ended FAILED.
		type ended struct {
			cancel *engine.Sample
			id     string
		}
		var tries []ended
		var gaps []string
		if w := ev.Walk; w.SecondCancel != nil {
			tries = append(tries, ended{w.SecondCancel, w.RequestID})
		} else {
			gaps = append(gaps, "the walk: "+walkGap(w))
		}
		if f := ev.Failing; f != nil && f.Cancel != nil {
			tries = append(tries, ended{f.Cancel, f.RequestID})
		} else if f != nil {
			gaps = append(gaps, "the failing project: "+failingGap(f))
		}
		if len(tries) == 0 {
			v := engine.Skipf(nil, "no request reached a terminal state to cancel again (%s)", strings.Join(gaps, "; "))
			return nil, &v
		}
		// Whether a cancel of an ended request is refused at all is an inference
		// (lifecycle.second-cancel, a SHOULD); this check judges the fault where the
		// target answered with it.
		var shown []*engine.Sample
		var refusals []string
		for _, t := range tries {
			if c := ev.Unimplemented(t.cancel); c != nil || carries(t.cancel.Response(), fault) {
				out = append(out, t.cancel)
				continue
			}
			shown = append(shown, t.cancel)
			refusals = append(refusals, fmt.Sprintf("%s of request %s: %s", t.cancel.Name, t.id, t.cancel.Response().Summary()))
		}
		if len(out) == 0 {
			v := engine.Skipf(shown, "no cancel of an ended request was refused with %s (%s): lifecycle.second-cancel (a SHOULD, inferred) reports it",
				fault, strings.Join(refusals, "; "))
			return nil, &v
		}
	case accessDeniedFault:
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

// carries reports whether an answer names one of the error codes, in the header or
// the body (whatever its HTTP status).
func carries(r *engine.Response, names ...string) bool {
	var codes []string
	if h := r.Header.Get("X-Amzn-ErrorType"); h != "" {
		codes = append(codes, spec.SanitizeErrorCode(h))
	}
	for _, k := range []string{"__type", "code"} {
		if s, ok := r.Object()[k].(string); ok && s != "" {
			codes = append(codes, spec.SanitizeErrorCode(s))
		}
	}
	for _, c := range codes {
		for _, n := range names {
			if strings.EqualFold(c, n) {
				return true
			}
		}
	}
	return false
}

// failingGap says why the failing project's request was not cancelled once it ended.
func failingGap(f *engine.FailingEvidence) string {
	switch {
	case f.Stopped != "":
		return f.Stopped
	case f.TimedOut:
		return fmt.Sprintf("request %s did not end within the lifecycle timeout (last seen %q%s)", f.RequestID, f.Final, undocumentedWait(f.Undocumented))
	}
	return "its request did not end"
}

// undocumentedWait says, for a poll that waited on a Status the documentation does not
// list, which one ("" when it did not).
func undocumentedWait(st string) string {
	if st == "" {
		return ""
	}
	return fmt.Sprintf("; it waited on Status %q, which the documentation does not list", st)
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
		return fmt.Sprintf("the cancelled request did not reach a documented terminal status (last seen %q%s)", w.Final, undocumentedWait(w.Undocumented))
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
	used := map[string]bool{}
	for _, smp := range samples {
		j.Show(smp)
		r := smp.Response()
		if r.OK() && !carries(r, faultNames(f.Name)...) {
			j.Problem(smp, "%s: HTTP %d success, want %s (HTTP %d)", smp.Name, r.Status, strings.Join(faultNames(f.Name), " or "), f.HTTPStatus)
			continue
		}
		problems, drifts, name := FaultProblems(r, f, faultNames(f.Name), ev.Model.Service.ContentType)
		for _, p := range problems {
			j.Problem(smp, "%s: %s", smp.Name, p)
		}
		for _, d := range drifts {
			j.Drift(smp, "%s: %s", smp.Name, d)
		}
		if name != "" {
			used[name] = true
		}
	}
	header := fmt.Sprintf("the wire does not carry %s as modeled", f.Name)
	vd := j.Verdict(header)
	if vd.Outcome == reports.Pass || vd.Outcome == reports.Drift {
		vd.Message = joinLines(usedWords(f.Name, used), vd.Message)
	}
	return vd
}

// usedWords says which answer to an access denial the target used ("" for other
// faults).
func usedWords(fault string, used map[string]bool) string {
	if fault != accessDeniedFault {
		return ""
	}
	switch {
	case used[accessDeniedException] && used[accessDeniedFault]:
		return "the target answered the denied caller with both AccessDeniedException and AccessDeniedFault"
	case used[accessDeniedException]:
		return "the target answered the denied caller with AccessDeniedException (IAM's denial of the caller, as the DMS user guide shows)"
	case used[accessDeniedFault]:
		return "the target answered the denied caller with the modelled AccessDeniedFault (which the model documents as DMS denied access to the endpoint)"
	}
	return ""
}

func joinLines(lines ...string) string {
	var out []string
	for _, l := range lines {
		if l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// FaultProblems lists how an answer differs from the fault as the model and the
// awsJson 1.1 protocol carry it: problems break what they require, drifts what they
// recommend (a body __type, a request id) or what clients only tolerate. names are
// the codes that answer the fault; name is the one the answer used.
func FaultProblems(r *engine.Response, f *spec.Fault, names []string, contentType string) (problems, drifts []string, name string) {
	want := strings.Join(names, " or ")
	if r.Status != f.HTTPStatus {
		problems = append(problems, fmt.Sprintf("HTTP status is %d, the model says %s is %d", r.Status, f.Name, f.HTTPStatus))
	}
	if r.JSONErr != nil {
		problems = append(problems, fmt.Sprintf("the body is not JSON (%v): %q", r.JSONErr, text.Truncate(string(r.Body), 120)))
	}
	matches := func(raw string) string {
		for _, n := range names {
			if spec.SanitizeErrorCode(raw) == n {
				return n
			}
		}
		return ""
	}
	header := r.Header.Get("X-Amzn-ErrorType")
	typ, _ := r.Object()["__type"].(string)
	code, _ := r.Object()["code"].(string)
	switch {
	case typ != "":
		if name = matches(typ); name == "" {
			problems = append(problems, fmt.Sprintf("__type %q sanitises to %q, want %s", typ, spec.SanitizeErrorCode(typ), quoteEach(names)))
		}
	case header != "" || code != "":
		raw := header
		if raw == "" {
			raw = code
		}
		if name = matches(raw); name == "" {
			problems = append(problems, fmt.Sprintf("the error type %q sanitises to %q, want %s", raw, spec.SanitizeErrorCode(raw), quoteEach(names)))
		} else {
			drifts = append(drifts, fmt.Sprintf("the body has no __type (the error type is only in %s): the protocol allows it, but \"New server-side protocol implementations SHOULD use a body field named __type\" and clients that read only the body (botocore) cannot tell the fault is %s",
				map[bool]string{true: "X-Amzn-ErrorType", false: "the body's code"}[header != ""], want))
		}
	default:
		problems = append(problems, fmt.Sprintf("no error type at all (no X-Amzn-ErrorType, no __type, no code): %s", quoteErrorType))
	}
	if header != "" && name != "" && spec.SanitizeErrorCode(header) != name {
		problems = append(problems, fmt.Sprintf("X-Amzn-ErrorType %q disagrees with the fault %s (Go resolves the header first, botocore the body)", header, name))
	}
	if _, ok := r.Message(); !ok {
		problems = append(problems, `the body has no "message" (nor "Message") string: clients show an empty error message`)
	} else if _, ok := r.Object()["message"]; !ok {
		drifts = append(drifts, `the message is under "Message"; the model's member is "message" (clients accept both)`)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, contentType) {
		problems = append(problems, fmt.Sprintf("Content-Type is %q, want %s", ct, contentType))
	}
	if r.RequestID() == "" {
		drifts = append(drifts, "no x-amzn-RequestId header: support cases and SDK errors lose the request id")
	}
	return problems, drifts, name
}

func quoteEach(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, " or ")
}
