package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/dmsconform/dmsconform/spec"
)

func init() {
	registerKind("fault-wire", checkFaultWire)
	registerKind("fault-sdk", checkFaultSDK)
	registerKind("input-missing-wire", checkInputMissingWire)
	registerKind("input-missing-sdk", checkInputMissingSDK)
	registerKind("input-wrong-type-wire", checkInputWrongType)
	registerKind("input-max-length-wire", checkInputMaxLength)
	registerKind("protocol-unknown-target", checkUnknownTarget)
	registerKind("protocol-unsigned", checkUnsigned)
	registerKind("protocol-bad-signature", checkBadSignature)
	registerKind("protocol-content-type", checkContentType)
	registerKind("protocol-request-id", checkRequestID)
}

// unknownRequestID is a request identifier no target knows.
const unknownRequestID = "dmsconform-00000000-0000-4000-8000-000000000000"

// unknownProject is a project no target has.
const unknownProject = "dmsconform-no-such-project"

// terminalRequest starts a request, cancels it and waits until it is CANCELED; its id
// provokes InvalidResourceStateFault. Memoized per family.
func (s *Session) terminalRequest(ctx context.Context, family string) (string, error) {
	return memoize(s, "terminal/"+family, func() (string, error) {
		id, err := s.StartRequest(ctx, family, "provoke: start a request to cancel")
		if err != nil {
			return "", err
		}
		o := &Observations{Steps: map[string][]string{}, Statuses: map[string][]string{}}
		smp, err := s.Cancel(ctx, family, id, "provoke: first cancel", s.SDK)
		if err != nil {
			return "", err
		}
		if smp.SDKErr != nil {
			if why := unimplementedReason(smp.Wire); why != "" {
				return "", &UnimplementedError{Op: smp.Op.Name, Reason: why}
			}
		}
		if err := s.pollUntil(ctx, o, family, id, nil, terminal); err != nil {
			return "", err
		}
		return id, nil
	})
}

// provocation is one attempt to make the target answer with a fault.
type provocation struct {
	Name   string
	Sample *Sample
}

// provoke makes the target answer the check's operation with the named fault, through
// the SDK (so both views of each exchange exist). Memoized per family and fault.
func (c *C) provoke(fault string) []provocation {
	key := "provoke/" + c.Check.Family + "/" + fault
	ps, err := memoize(c.S, key, func() ([]provocation, error) { return c.S.provoke(c.Ctx, c.Check.Family, fault) })
	if err != nil {
		c.Fatal(err)
	}
	if ps == nil {
		switch fault {
		case "AccessDeniedFault":
			c.Skipf("no denied principal is configured: pass --denied-access-key-id/--denied-secret-access-key (endpoint) or --denied-profile (aws) of a principal the target refuses %s", c.Check.Operation)
		}
		c.Skipf("this harness knows no way to provoke %s from %s", fault, c.Check.Operation)
	}
	return ps
}

func (s *Session) provoke(ctx context.Context, family, fault string) ([]provocation, error) {
	var out []provocation
	one := func(name, project, id string, client any) error {
		op := s.Model.FamilyOperation(family, spec.RoleCancel)
		smp, err := s.callSDKWith(ctx, client, op, name, map[string]any{"MigrationProjectIdentifier": project, "RequestIdentifier": id})
		if err != nil {
			return err
		}
		if smp.Wire == nil {
			return fmt.Errorf("%s: the SDK sent nothing: %v", name, smp.SDKErr)
		}
		if why := unimplementedReason(smp.Wire); why != "" {
			return &UnimplementedError{Op: op.Name, Reason: why}
		}
		out = append(out, provocation{Name: name, Sample: smp})
		return nil
	}
	switch fault {
	case "ResourceNotFoundFault":
		if err := one("cancel an unknown request", s.Project, unknownRequestID, s.SDK); err != nil {
			return nil, err
		}
		if err := one("cancel in an unknown project", unknownProject, unknownRequestID, s.SDK); err != nil {
			return nil, err
		}
	case "InvalidResourceStateFault":
		id, err := s.terminalRequest(ctx, family)
		if err != nil {
			return nil, err
		}
		if err := one("cancel a request that is already CANCELED", s.Project, id, s.SDK); err != nil {
			return nil, err
		}
	case "AccessDeniedFault":
		if s.DeniedSDK == nil {
			return nil, nil
		}
		id, err := s.terminalRequest(ctx, family)
		if err != nil {
			return nil, err
		}
		if err := one("cancel as a denied principal", s.Project, id, s.DeniedSDK); err != nil {
			return nil, err
		}
	default:
		return nil, nil
	}
	return out, nil
}

func (c *C) fault() *spec.Fault {
	f := c.S.Model.Fault(c.Param("fault"))
	if f == nil {
		c.Errorf("the model has no fault %s: regenerate the suites", c.Param("fault"))
	}
	return f
}

func checkFaultWire(c *C) {
	f := c.fault()
	var problems []string
	for _, p := range c.provoke(f.Name) {
		w := p.Sample.Wire
		c.Attach(w.Exchange)
		if w.Status >= 200 && w.Status < 300 {
			problems = append(problems, fmt.Sprintf("%s: HTTP %d success, want %s (HTTP %d)", p.Name, w.Status, f.Name, f.HTTPStatus))
			continue
		}
		for _, pr := range FaultProblems(w, f, c.S.Model.Service.ContentType) {
			problems = append(problems, p.Name+": "+pr)
		}
		if _, ok := w.Object()["message"]; !ok {
			if _, ok := w.Object()["Message"]; ok {
				c.Driftf("%s: the message is under \"Message\"; the model's member is \"message\" (clients accept both)", p.Name)
			}
		}
	}
	c.FailIf(problems, fmt.Sprintf("the wire does not carry %s as modeled", f.Name))
}

func checkFaultSDK(c *C) {
	f := c.fault()
	var problems []string
	for _, p := range c.provoke(f.Name) {
		smp := p.Sample
		c.Attach(smp.Wire.Exchange)
		if smp.SDKErr == nil {
			problems = append(problems, fmt.Sprintf("%s: the SDK returned success (HTTP %d), want *types.%s", p.Name, smp.Wire.Status, f.Name))
			continue
		}
		var ae smithy.APIError
		if !errors.As(smp.SDKErr, &ae) {
			problems = append(problems, fmt.Sprintf("%s: errors.As(err, smithy.APIError) failed: %v", p.Name, smp.SDKErr))
			continue
		}
		t := reflect.TypeOf(ae)
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Name() != f.Name || !strings.HasSuffix(t.PkgPath(), "databasemigrationservice/types") {
			problems = append(problems, fmt.Sprintf("%s: errors.As gives %s (code %q), want the typed *types.%s", p.Name, t, ae.ErrorCode(), f.Name))
			continue
		}
		if ae.ErrorCode() != f.Name {
			problems = append(problems, fmt.Sprintf("%s: ErrorCode() is %q, want %q", p.Name, ae.ErrorCode(), f.Name))
		}
		if msg, ok := smp.Wire.Message(); ok && ae.ErrorMessage() != msg {
			problems = append(problems, fmt.Sprintf("%s: ErrorMessage() is %q, the wire says %q", p.Name, ae.ErrorMessage(), msg))
		}
		if want := map[string]smithy.ErrorFault{"client": smithy.FaultClient, "server": smithy.FaultServer}[f.Kind]; ae.ErrorFault() != want {
			problems = append(problems, fmt.Sprintf("%s: ErrorFault() is %v, the model says %s", p.Name, ae.ErrorFault(), f.Kind))
		}
	}
	c.FailIf(problems, fmt.Sprintf("aws-sdk-go-v2 does not surface %s as its typed error", f.Name))
}

// rejectInput sends a raw cancel body and expects a client error (4xx) that is not a
// success and not a server error.
func (c *C) rejectInput(name string, body map[string]any, why string) {
	op := c.op()
	raw, _ := json.Marshal(body)
	resp, err := c.S.Wire.Do(c.Ctx, WireRequest{Name: name, Operation: op.Name, Body: raw})
	if err != nil {
		c.Fatal(err)
	}
	c.Attach(resp.Exchange)
	if r := unimplementedReason(resp); r != "" {
		c.Unimplementedf("%s", r)
	}
	code, _ := resp.ErrorCode()
	switch {
	case resp.Status >= 200 && resp.Status < 300:
		c.Failf("%s was accepted (HTTP %d): %s must be rejected with a client error", name, resp.Status, why)
	case resp.Status >= 500:
		c.Failf("%s got HTTP %d %s: a server error, want a 4xx client error (%s)", name, resp.Status, code, why)
	case resp.Status < 400:
		c.Failf("%s got HTTP %d, want a 4xx client error", name, resp.Status)
	case code == "":
		c.Failf("%s got HTTP %d without an error code (no X-Amzn-ErrorType, __type or code): clients cannot tell what went wrong", name, resp.Status)
	case isFaultOf(op, code):
		c.Driftf("%s got %s, a fault of %s itself: the target looked the request up instead of rejecting the invalid input (AWS JSON services answer a validation error such as ValidationException or SerializationException; unverified for DMS)", name, code, op.Name)
	}
}

// inputBody is a valid cancel input for a known terminal request, minus/plus overrides.
func (c *C) inputBody(overrides map[string]any) map[string]any {
	id, err := c.S.terminalRequest(c.Ctx, c.Check.Family)
	if err != nil {
		c.Fatal(err)
	}
	body := map[string]any{}
	for _, mb := range c.op().Input.Members {
		switch mb.Name {
		case "MigrationProjectIdentifier":
			body[mb.Name] = c.S.Project
		case "RequestIdentifier":
			body[mb.Name] = id
		}
	}
	for k, v := range overrides {
		if v == nil {
			delete(body, k)
		} else {
			body[k] = v
		}
	}
	return body
}

func checkInputMissingWire(c *C) {
	m := c.Param("member")
	c.rejectInput("cancel without "+m, c.inputBody(map[string]any{m: nil}), m+" is required")
}

func checkInputWrongType(c *C) {
	m := c.Param("member")
	c.rejectInput("cancel with "+m+" as a number", c.inputBody(map[string]any{m: json.Number("12345")}), m+" is a "+c.Param("type"))
}

func checkInputMaxLength(c *C) {
	m := c.Param("member")
	var n int
	fmt.Sscanf(c.Param("max"), "%d", &n)
	c.rejectInput(fmt.Sprintf("cancel with a %d-character %s", n+1, m), c.inputBody(map[string]any{m: strings.Repeat("x", n+1)}), fmt.Sprintf("%s is at most %d characters", m, n))
}

func checkInputMissingSDK(c *C) {
	op := c.op()
	m := c.Param("member")
	in := map[string]any{}
	for _, mb := range op.Input.Members {
		if mb.Name != m && mb.Required {
			in[mb.Name] = "dmsconform-" + strings.ToLower(mb.Name)
		}
	}
	smp, err := c.S.CallSDK(c.Ctx, op, "SDK call without "+m, in)
	if err != nil {
		c.Fatal(err)
	}
	if smp.Wire != nil {
		c.Attach(smp.Wire.Exchange)
		c.Failf("the SDK sent the request without %s (HTTP %d); its own validation must stop it before sending", m, smp.Wire.Status)
	}
	var ip smithy.InvalidParamsError
	if !errors.As(smp.SDKErr, &ip) {
		c.Failf("the SDK's error is %v (%T), want smithy.InvalidParamsError", smp.SDKErr, smp.SDKErr)
	}
	want := op.Name + "Input." + m
	if !strings.Contains(smp.SDKErr.Error(), want) {
		c.Failf("the SDK's validation error does not name %s: %v", want, smp.SDKErr)
	}
}

// protocolProbe sends a cancel of an unknown request in a way the target must refuse
// before running the operation, and classifies the answer.
func (c *C) protocolProbe(name string, req WireRequest, wantCode, why string) {
	op := c.op()
	body, _ := json.Marshal(map[string]any{"MigrationProjectIdentifier": c.S.Project, "RequestIdentifier": unknownRequestID})
	req.Name, req.Body = name, body
	if req.Target == "" {
		req.Operation = op.Name
	}
	resp, err := c.S.Wire.Do(c.Ctx, req)
	if err != nil {
		c.Fatal(err)
	}
	c.Attach(resp.Exchange)
	code, _ := resp.ErrorCode()
	if r := unimplementedReason(resp); r != "" && !strings.EqualFold(code, wantCode) {
		c.Unimplementedf("%s", r)
	}
	switch {
	case resp.Status >= 200 && resp.Status < 300:
		c.Failf("%s was answered HTTP %d success: %s", name, resp.Status, why)
	case resp.Status >= 500:
		c.Failf("%s got HTTP %d %s, want a 4xx client error (%s)", name, resp.Status, code, wantCode)
	case isFaultOf(op, code):
		c.Failf("%s got %s, a fault of %s itself: the target ran the operation instead of refusing the request (%s)", name, code, op.Name, why)
	case !strings.EqualFold(code, wantCode):
		c.Driftf("%s got HTTP %d %q; AWS JSON services answer %s (unverified for DMS)", name, resp.Status, code, wantCode)
	}
}

func isFaultOf(op *spec.Operation, code string) bool {
	for _, f := range op.Faults {
		if strings.EqualFold(f.Name, code) {
			return true
		}
	}
	return false
}

func checkUnknownTarget(c *C) {
	target := c.S.Model.Service.TargetPrefix + ".DmsconformNoSuchOperation"
	c.protocolProbe("request with X-Amz-Target "+target, WireRequest{Target: target}, "UnknownOperationException", "an unknown X-Amz-Target must be refused, not routed to an operation")
}

func checkUnsigned(c *C) {
	c.protocolProbe("unsigned cancel", WireRequest{Unsigned: true}, "MissingAuthenticationTokenException", "a request without SigV4 must be refused")
}

func checkBadSignature(c *C) {
	c.protocolProbe("cancel with a corrupted signature", WireRequest{BadSig: true}, "InvalidSignatureException", "a request whose signature does not verify must be refused")
}

// allResponses returns every observed response of the family: the lifecycle samples
// and the fault provocations that have run so far (it provokes ResourceNotFoundFault).
func (c *C) allResponses() []*WireResponse {
	o := c.observe()
	var out []*WireResponse
	for _, smp := range o.All() {
		out = append(out, smp.Wire)
	}
	ps, err := memoize(c.S, "provoke/"+c.Check.Family+"/ResourceNotFoundFault", func() ([]provocation, error) {
		return c.S.provoke(c.Ctx, c.Check.Family, "ResourceNotFoundFault")
	})
	if err != nil {
		c.Fatal(err)
	}
	for _, p := range ps {
		out = append(out, p.Sample.Wire)
	}
	return out
}

func checkContentType(c *C) {
	want := c.S.Model.Service.ContentType
	var problems []string
	rs := c.allResponses()
	for _, r := range rs {
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, want) {
			problems = append(problems, fmt.Sprintf("%q HTTP %d: Content-Type %q, want %s", r.Exchange.Name, r.Status, ct, want))
			c.Attach(r.Exchange)
		}
	}
	if len(rs) > 0 && len(c.exchanges) == 0 {
		c.Attach(rs[0].Exchange)
	}
	c.FailIf(dedupe(problems), "responses must carry the protocol's Content-Type")
}

func checkRequestID(c *C) {
	var problems []string
	rs := c.allResponses()
	for _, r := range rs {
		if RequestID(r) == "" {
			problems = append(problems, fmt.Sprintf("%q HTTP %d: no x-amzn-RequestId header", r.Exchange.Name, r.Status))
			c.Attach(r.Exchange)
		}
	}
	if len(rs) > 0 && len(c.exchanges) == 0 {
		c.Attach(rs[0].Exchange)
	}
	c.FailIf(dedupe(problems), "every response must carry a request id")
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	if len(out) > 10 {
		out = append(out[:10], fmt.Sprintf("... and %d more", len(out)-10))
	}
	return out
}
