package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/spec"
)

// Sample is one observed response of an operation: the raw wire view and, when the
// call went through the SDK, the typed view of the same exchange.
type Sample struct {
	Op        *spec.Operation
	Name      string
	Wire      *WireResponse
	SDKOut    any   // typed output (pointer to <Op>Output), nil for wire-only calls
	SDKErr    error // typed error
	RequestID string
	// Solicited is the scenario that asked the target for a deviation (an unknown
	// union member, an undocumented value); nil when the response is unsolicited.
	Solicited *emulator.Scenario
}

// Observations is what the run saw of one family's lifecycle, shared by the checks.
type Observations struct {
	Family    string
	Cancels   []*Sample           // successful cancel responses
	Describes []*Sample           // describe responses
	Steps     map[string][]string // request id -> ProgressStep values in the order seen
	Statuses  map[string][]string // request id -> Status values in the order seen
	Notes     []string            // what could not be observed, and why
}

// All returns the cancel and describe samples.
func (o *Observations) All() []*Sample {
	return append(append([]*Sample(nil), o.Cancels...), o.Describes...)
}

// UnimplementedError says the target does not implement an operation.
type UnimplementedError struct {
	Op, Reason string
}

func (e *UnimplementedError) Error() string {
	return fmt.Sprintf("%s is not implemented by the target: %s", e.Op, e.Reason)
}

// unimplementedReason recognises "not implemented" answers: HTTP 501, the
// UnknownOperationException of AWS JSON services, moto's NotImplementedError and
// LocalStack's "not yet implemented or pro feature".
func unimplementedReason(r *WireResponse) string {
	if r == nil {
		return ""
	}
	if r.Status == http.StatusNotImplemented {
		return fmt.Sprintf("HTTP 501: %s", truncate(string(r.Body), 200))
	}
	if r.Status >= 200 && r.Status < 300 {
		return ""
	}
	code, _ := r.ErrorCode()
	switch strings.ToLower(code) {
	case "unknownoperationexception", "notimplementederror", "notimplemented", "notimplementedexception", "internalfailure.notimplemented":
		return fmt.Sprintf("HTTP %d %s: %s", r.Status, code, truncate(string(r.Body), 200))
	}
	low := strings.ToLower(string(r.Body))
	for _, s := range []string{"not yet implemented", "pro feature", "is not implemented", "not implemented yet"} {
		if strings.Contains(low, s) {
			return fmt.Sprintf("HTTP %d: %s", r.Status, truncate(string(r.Body), 200))
		}
	}
	return ""
}

// CredentialError says the target rejected the harness's own, normally signed
// request: expired or unknown credentials. It is a harness error (exit 3), not a
// failure of the target.
type CredentialError struct {
	Op, Code, Body string
}

func (e *CredentialError) Error() string {
	return fmt.Sprintf("%s: the target rejected the credentials (%s: %s): refresh them (aws sso login, a new session token) or pass keys the target knows", e.Op, e.Code, truncate(e.Body, 200))
}

// CredentialProblem recognises answers that mean the caller's credentials are not
// usable, as opposed to a request the target judged.
func CredentialProblem(op string, r *WireResponse) error {
	if r == nil || r.Status < 400 {
		return nil
	}
	code, _ := r.ErrorCode()
	switch strings.ToLower(code) {
	case "expiredtokenexception", "expiredtoken", "requestexpired", "unrecognizedclientexception",
		"invalidclienttokenid", "authfailure", "missingauthenticationtokenexception":
		return &CredentialError{Op: op, Code: code, Body: string(r.Body)}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// memoize runs f once per key and session.
func memoize[T any](s *Session, key string, f func() (T, error)) (T, error) {
	s.mu.Lock()
	if v, ok := s.memo[key]; ok {
		err := s.memoErrs[key]
		s.mu.Unlock()
		return v.(T), err
	}
	s.mu.Unlock()
	v, err := f()
	s.mu.Lock()
	s.memo[key], s.memoErrs[key] = v, err
	s.mu.Unlock()
	return v, err
}

// Observe runs the family's lifecycle once per session and returns what it saw.
func (s *Session) Observe(ctx context.Context, family string) (*Observations, error) {
	return memoize(s, "observe/"+family, func() (*Observations, error) { return s.observe(ctx, family) })
}

func (s *Session) observe(ctx context.Context, family string) (*Observations, error) {
	o := &Observations{Family: family, Steps: map[string][]string{}, Statuses: map[string][]string{}}
	// 1. A plain lifecycle: start, watch it run, cancel it while it runs, watch it end.
	id, err := s.StartRequest(ctx, family, "observe: start")
	if err != nil {
		return o, err
	}
	if err := s.pollUntil(ctx, o, family, id, nil, func(r map[string]any) bool {
		st, _ := r["Status"].(string)
		return st == "IN_PROGRESS" && r["Progress"] != nil || spec.IsTerminalStatus(st)
	}); err != nil {
		return o, err
	}
	if err := s.cancelSample(ctx, o, family, id, "observe: cancel while running", nil); err != nil {
		return o, err
	}
	if err := s.pollUntil(ctx, o, family, id, nil, terminal); err != nil {
		return o, err
	}
	if s.Control == nil {
		o.Notes = append(o.Notes, "no control surface: responses at each progress step, with ExportSqlDetails, with an Error or with undocumented values were only observed if the target produced them on its own")
		// Whatever the project already holds may carry errors and other members.
		if err := s.describeAll(ctx, o, family); err != nil {
			return o, err
		}
		return o, nil
	}
	// 2. With a control surface, reach the branches a plain run does not show.
	for _, step := range []string{"LOADING_METADATA", "COUNTING_OBJECTS", "ANALYZING", "CONVERTING"} {
		sc := emulator.Scenario{Project: s.Project, Family: family, HoldAtStep: step}
		if step == "CONVERTING" {
			sc.ExportSqlDetails = &emulator.ExportSQL{S3ObjectKey: "dmsconform/assessment.sql", ObjectURL: "https://example.invalid/dmsconform/assessment.sql"}
		}
		id, err := s.startWithScenario(ctx, family, sc)
		if err != nil {
			return o, err
		}
		if err := s.pollUntil(ctx, o, family, id, nil, func(r map[string]any) bool {
			p, _ := r["Progress"].(map[string]any)
			return p != nil && p["ProgressStep"] == step || spec.IsTerminalStatus(str(r["Status"]))
		}); err != nil {
			return o, err
		}
		if err := s.cancelSample(ctx, o, family, id, "observe: cancel at "+step, nil); err != nil {
			return o, err
		}
	}
	solicit := []emulator.Scenario{
		{FailWith: "dmsconform: conversion failed on purpose"},
		{UnknownUnionMember: "dmsconformFutureErrorDetails"},
		{Status: "DMSCONFORM_UNDOCUMENTED_STATUS", HoldAtStep: "ANALYZING"},
		{ProgressStep: "DMSCONFORM_UNDOCUMENTED_STEP", HoldAtStep: "ANALYZING"},
	}
	for _, sc := range solicit {
		sc.Project, sc.Family = s.Project, family
		id, err := s.startWithScenario(ctx, family, sc)
		if err != nil {
			return o, err
		}
		scCopy := sc
		done := terminal
		if sc.HoldAtStep != "" {
			done = func(r map[string]any) bool { return r["Progress"] != nil || terminal(r) }
		}
		if err := s.pollUntil(ctx, o, family, id, &scCopy, done); err != nil {
			return o, err
		}
		if sc.HoldAtStep != "" {
			if err := s.cancelSample(ctx, o, family, id, "observe: cancel with solicited values", &scCopy); err != nil {
				return o, err
			}
		}
	}
	if err := s.Control.ClearScenarios(ctx); err != nil {
		return o, err
	}
	return o, nil
}

func terminal(r map[string]any) bool { return spec.IsTerminalStatus(str(r["Status"])) }

func str(v any) string { s, _ := v.(string); return s }

func (s *Session) startWithScenario(ctx context.Context, family string, sc emulator.Scenario) (string, error) {
	if _, err := s.Control.AddScenario(ctx, sc); err != nil {
		return "", fmt.Errorf("injecting a scenario: %w", err)
	}
	return s.StartRequest(ctx, family, "observe: start with scenario")
}

// StartRequest starts a request of the family through the wire client and returns its
// identifier. Every start is recorded, so Cleanup can cancel it.
func (s *Session) StartRequest(ctx context.Context, family, name string) (string, error) {
	op := s.Model.FamilyOperation(family, spec.RoleStart)
	if op == nil {
		return "", fmt.Errorf("the model has no start operation for family %s", family)
	}
	if !s.canStart(1) {
		return "", &ConfigError{Err: fmt.Errorf("the run may start at most %d requests (MaxStarts) and has used them", s.Cfg.MaxStarts)}
	}
	body, err := json.Marshal(s.exampleInput(op.Input, nil))
	if err != nil {
		return "", err
	}
	resp, err := s.Wire.Do(ctx, WireRequest{Name: name, Operation: op.Name, Body: body})
	if err != nil {
		return "", err
	}
	if why := unimplementedReason(resp); why != "" {
		return "", &UnimplementedError{Op: op.Name, Reason: why}
	}
	if err := CredentialProblem(op.Name, resp); err != nil {
		return "", err
	}
	if resp.Status != http.StatusOK {
		code, _ := resp.ErrorCode()
		return "", fmt.Errorf("%s answered HTTP %d %s: %s (is --project %q right?)", op.Name, resp.Status, code, truncate(string(resp.Body), 300), s.Project)
	}
	id := str(resp.Object()["RequestIdentifier"])
	if id == "" {
		return "", fmt.Errorf("%s answered 200 without a RequestIdentifier: %s", op.Name, truncate(string(resp.Body), 300))
	}
	if err := s.recordStart(family, id); err != nil {
		return "", err
	}
	return id, nil
}

// exampleInput builds a valid input object for a shape: the project, a selection rule,
// and a first member for unions. overrides replace members by name.
func (s *Session) exampleInput(sh *spec.Shape, overrides map[string]any) map[string]any {
	out := map[string]any{}
	for _, mb := range sh.Members {
		if v, ok := overrides[mb.Name]; ok {
			if v != nil {
				out[mb.Name] = v
			}
			continue
		}
		if !mb.Required {
			continue
		}
		out[mb.Name] = s.exampleValue(mb.Name, mb.Shape)
	}
	return out
}

func (s *Session) exampleValue(name string, sh *spec.Shape) any {
	switch {
	case name == "MigrationProjectIdentifier":
		return s.Project
	case name == "SelectionRules":
		return `{"rules":[{"rule-type":"selection","rule-id":"1","rule-name":"1","object-locator":{"server-name":"dmsconform","schema-name":"dmsconform"},"rule-action":"explicit"}]}`
	case sh.Union != nil && len(sh.Union.Members) > 0:
		m := sh.Member(sh.Union.Members[0])
		return map[string]any{m.Name: s.exampleInput(m.Shape, nil)}
	case sh.Type == spec.TypeObject:
		return s.exampleInput(sh, nil)
	case sh.Type == spec.TypeArray:
		return []any{}
	case sh.Type == spec.TypeInteger || sh.Type == spec.TypeNumber:
		return 1
	case sh.Type == spec.TypeBoolean:
		return false
	}
	return "dmsconform-" + strings.ToLower(name)
}

// pollUntil describes one request through the SDK until done says so or the lifecycle
// timeout passes; every answer becomes a describe sample.
func (s *Session) pollUntil(ctx context.Context, o *Observations, family, id string, sc *emulator.Scenario, done func(map[string]any) bool) error {
	deadline := time.Now().Add(s.Cfg.LifecycleTimeout)
	polls := 0
	for delay := s.Cfg.MinDelay; ; delay = min(delay*2, s.Cfg.MaxDelay) {
		smp, err := s.Describe(ctx, family, id, "observe: describe "+id[:min(8, len(id))])
		if err != nil {
			return err
		}
		smp.Solicited = sc
		o.Describes = append(o.Describes, smp)
		for _, r := range requestsOf(smp.Wire.Object()) {
			if str(r["RequestIdentifier"]) != id {
				continue
			}
			o.note(id, r)
			if done(r) {
				return nil
			}
		}
		polls++
		if time.Now().After(deadline) || s.Cfg.MaxPolls > 0 && polls >= s.Cfg.MaxPolls {
			return fmt.Errorf("request %s did not reach the awaited state within %s (%d describes; statuses seen: %s)", id, s.Cfg.LifecycleTimeout, polls, strings.Join(o.Statuses[id], " -> "))
		}
		if err := sleep(ctx, delay); err != nil {
			return err
		}
	}
}

func (o *Observations) note(id string, r map[string]any) {
	if st := str(r["Status"]); st != "" {
		if h := o.Statuses[id]; len(h) == 0 || h[len(h)-1] != st {
			o.Statuses[id] = append(h, st)
		}
	}
	if p, ok := r["Progress"].(map[string]any); ok {
		if step := str(p["ProgressStep"]); step != "" {
			if h := o.Steps[id]; len(h) == 0 || h[len(h)-1] != step {
				o.Steps[id] = append(h, step)
			}
		}
	}
}

func (s *Session) describeAll(ctx context.Context, o *Observations, family string) error {
	op := s.Model.FamilyOperation(family, spec.RoleDescribe)
	smp, err := s.CallSDK(ctx, op, "observe: describe the project's requests", map[string]any{"MigrationProjectIdentifier": s.Project, "MaxRecords": int32(50)})
	if err != nil {
		return err
	}
	o.Describes = append(o.Describes, smp)
	return nil
}

// Describe calls the family's describe operation through the SDK, filtered to one request.
func (s *Session) Describe(ctx context.Context, family, id, name string) (*Sample, error) {
	op := s.Model.FamilyOperation(family, spec.RoleDescribe)
	in := map[string]any{"MigrationProjectIdentifier": s.Project, "Filters": []filter{{Name: "request-id", Values: []string{id}}}}
	smp, err := s.CallSDK(ctx, op, name, in)
	if err != nil {
		return nil, err
	}
	smp.RequestID = id
	if smp.SDKErr != nil {
		if why := unimplementedReason(smp.Wire); why != "" {
			return nil, &UnimplementedError{Op: op.Name, Reason: why}
		}
		if err := CredentialProblem(op.Name, smp.Wire); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%s of request %s failed: %w", op.Name, id, smp.SDKErr)
	}
	return smp, nil
}

type filter struct {
	Name   string
	Values []string
}

func (s *Session) cancelSample(ctx context.Context, o *Observations, family, id, name string, sc *emulator.Scenario) error {
	smp, err := s.Cancel(ctx, family, id, name, s.SDK)
	if err != nil {
		return err
	}
	if smp.SDKErr != nil && smp.Wire != nil && smp.Wire.Status == http.StatusOK {
		// The SDK could not decode a 200: still a sample, the shape checks judge it.
	} else if smp.SDKErr != nil {
		if why := unimplementedReason(smp.Wire); why != "" {
			return &UnimplementedError{Op: smp.Op.Name, Reason: why}
		}
		return fmt.Errorf("cancelling request %s failed: %w", id, smp.SDKErr)
	}
	smp.Solicited = sc
	o.Cancels = append(o.Cancels, smp)
	if r, ok := smp.Wire.Object()["Request"].(map[string]any); ok {
		o.note(id, r)
	}
	return nil
}

// Cancel calls the family's cancel operation through the given SDK client.
func (s *Session) Cancel(ctx context.Context, family, id, name string, client any) (*Sample, error) {
	op := s.Model.FamilyOperation(family, spec.RoleCancel)
	smp, err := s.callSDKWith(ctx, client, op, name, map[string]any{"MigrationProjectIdentifier": s.Project, "RequestIdentifier": id})
	if err != nil {
		return nil, err
	}
	smp.RequestID = id
	return smp, nil
}

// CallSDK calls an operation through the allowed principal's SDK client.
func (s *Session) CallSDK(ctx context.Context, op *spec.Operation, name string, in map[string]any) (*Sample, error) {
	return s.callSDKWith(ctx, s.SDK, op, name, in)
}

// callSDKWith calls op on an SDK client by reflection (the method named after the
// operation), building its input from model member names, and captures the exchange.
// The returned error is a harness error; the operation's own error is Sample.SDKErr.
func (s *Session) callSDKWith(ctx context.Context, client any, op *spec.Operation, name string, in map[string]any) (*Sample, error) {
	method := reflect.ValueOf(client).MethodByName(op.Name)
	if !method.IsValid() {
		return nil, fmt.Errorf("the SDK client has no method %s: the SDK is older than the model", op.Name)
	}
	inType := method.Type().In(1).Elem()
	input := reflect.New(inType)
	if err := setFields(input.Elem(), in); err != nil {
		return nil, fmt.Errorf("building %s input: %w", op.Name, err)
	}
	cctx, cancel := context.WithTimeout(ctx, s.Cfg.CallTimeout)
	defer cancel()
	cctx, sk := withSink(cctx, name)
	res := method.Call([]reflect.Value{reflect.ValueOf(cctx), input})
	smp := &Sample{Op: op, Name: name}
	if !res[0].IsNil() {
		smp.SDKOut = res[0].Interface()
	}
	if e, ok := res[1].Interface().(error); ok && e != nil {
		smp.SDKErr = e
	}
	exs := sk.all()
	if len(exs) == 0 {
		if smp.SDKErr != nil && isSDKTransportError(smp.SDKErr) {
			return nil, &TransportError{Op: op.Name, Endpoint: s.Endpoint, Err: smp.SDKErr}
		}
		return smp, nil // nothing was sent (the SDK's own validation)
	}
	last := exs[len(exs)-1]
	if last.Error != "" {
		return nil, &TransportError{Op: op.Name, Endpoint: s.Endpoint, Err: errors.New(last.Error)}
	}
	smp.Wire = wireFromExchange(last)
	return smp, nil
}

func wireFromExchange(ex Exchange) *WireResponse {
	h := http.Header{}
	for k, vs := range ex.Response.Headers {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	r := &WireResponse{Status: ex.Response.Status, Header: h, Body: []byte(ex.Response.Body), Exchange: ex}
	if strings.TrimSpace(ex.Response.Body) != "" {
		r.Decoded, r.JSONErr = spec.DecodeJSON(r.Body)
	} else {
		r.JSONErr = errors.New("empty body")
	}
	return r
}

// setFields fills an SDK input struct from model-named values.
func setFields(v reflect.Value, in map[string]any) error {
	for name, val := range in {
		f := v.FieldByName(name)
		if !f.IsValid() {
			return fmt.Errorf("no field %s in %s", name, v.Type())
		}
		switch x := val.(type) {
		case string:
			f.Set(reflect.ValueOf(aws.String(x)))
		case int32:
			f.Set(reflect.ValueOf(aws.Int32(x)))
		case []filter:
			sl := reflect.MakeSlice(f.Type(), len(x), len(x))
			for i, fl := range x {
				e := sl.Index(i)
				e.FieldByName("Name").Set(reflect.ValueOf(aws.String(fl.Name)))
				e.FieldByName("Values").Set(reflect.ValueOf(fl.Values))
			}
			f.Set(sl)
		default:
			return fmt.Errorf("field %s: unsupported value %T", name, val)
		}
	}
	return nil
}

// isSDKTransportError reports errors where no HTTP answer arrived.
func isSDKTransportError(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return false
	}
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		msg := oe.Err.Error()
		for _, s := range []string{"connection refused", "no such host", "deadline exceeded", "i/o timeout", "EOF", "connection reset"} {
			if strings.Contains(msg, s) {
				return true
			}
		}
	}
	return false
}
