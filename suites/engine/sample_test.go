package engine

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
)

// sampleOf is a sample whose one attempt was answered with status, headers and body.
func sampleOf(op string, status int, header map[string]string, body string) *Sample {
	h := map[string][]string{}
	for k, v := range header {
		h[k] = []string{v}
	}
	return &Sample{Op: op, Name: op, Attempts: []reports.Exchange{{Attempt: 1, Response: reports.HTTPMessage{Status: status, Headers: h, Body: body}}}}
}

// The error code is resolved as awsJson 1.1 clients do: the X-Amzn-ErrorType header,
// then the body's __type, then its code; each sanitised (no namespace, no ":" suffix).
func TestErrorCodeResolutionOrder(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header string
		body   string
		want   string
	}{
		{"header wins", "ResourceNotFoundFault:http://internal.amazon.com/", `{"__type":"InvalidResourceStateFault","code":"X"}`, "ResourceNotFoundFault"},
		{"then __type", "", `{"__type":"com.amazonaws.dms#InvalidResourceStateFault","code":"X"}`, "InvalidResourceStateFault"},
		{"then code", "", `{"code":"AccessDeniedFault"}`, "AccessDeniedFault"},
		{"empty __type falls to code", "", `{"__type":"","code":"AccessDeniedFault"}`, "AccessDeniedFault"},
		{"none", "", `{"message":"m"}`, ""},
		{"not JSON", "", `<html>oops</html>`, ""},
	} {
		h := map[string]string{"Content-Type": "application/x-amz-json-1.1"}
		if tc.header != "" {
			h["X-Amzn-Errortype"] = tc.header
		}
		if got := sampleOf(cancelOp, 400, h, tc.body).Response().ErrorCode(); got != tc.want {
			t.Errorf("%s: ErrorCode = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestResponseParsingAndSummary(t *testing.T) {
	r := sampleOf(cancelOp, 400, map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amzn-Requestid": "rid-1"},
		`{"__type":"ResourceNotFoundFault","Message":"no such request"}`).Response()
	if r.Summary() != "HTTP 400 ResourceNotFoundFault: no such request" || r.RequestID() != "rid-1" || r.OK() {
		t.Errorf("Summary %q, RequestID %q", r.Summary(), r.RequestID())
	}
	if msg, ok := r.Message(); !ok || msg != "no such request" {
		t.Errorf("Message = %q %v", msg, ok)
	}
	html := sampleOf(cancelOp, 502, map[string]string{"Content-Type": "text/html"}, "<html>\n  <b>502</b>  Bad Gateway</html>").Response()
	if html.JSONErr == nil || html.Summary() != "HTTP 502 text/html: <html> <b>502</b> Bad Gateway</html>" {
		t.Errorf("non-JSON Summary %q", html.Summary())
	}
	empty := sampleOf(cancelOp, 500, nil, "").Response()
	if empty.JSONErr == nil || !strings.Contains(empty.Summary(), "(no Content-Type)") {
		t.Errorf("empty body: %q %v", empty.Summary(), empty.JSONErr)
	}
	ok := sampleOf(cancelOp, 200, nil, `{"Request":{"Status":"CANCELING","RequestIdentifier":"r"}}`)
	if ok.Response().Summary() != "HTTP 200" || Str(requestOf(ok)["Status"]) != "CANCELING" {
		t.Errorf("success: %q", ok.Response().Summary())
	}
	none := &Sample{Op: cancelOp, Attempts: []reports.Exchange{{Attempt: 1, Error: "connection refused"}}}
	if r := none.Response(); r.Status != 0 || r.Summary() != "no answer: connection refused" {
		t.Errorf("no answer: %q", r.Summary())
	}
	if r := (&Sample{}).Response(); r.TransportError != "the call was never sent" || (&Sample{}).Last() != nil {
		t.Errorf("never sent: %+v", r)
	}
	// The SDK view is decoded from the recorded bytes, with no server.
	out, err := ok.SDK(spec.MustLoad().Operation(cancelOp))
	if err != nil || out == nil {
		t.Errorf("SDK decode: %v %v", out, err)
	}
	if _, err := none.SDK(spec.MustLoad().Operation(cancelOp)); err == nil || !strings.Contains(err.Error(), "no answer to decode") {
		t.Errorf("SDK of no answer: %v", err)
	}
}

func TestUnimplementedRecognisesTheWaysTargetsSayIt(t *testing.T) {
	for _, tc := range []struct {
		name        string
		status      int
		ctype, body string
		serviceJSON bool
		want        string // "" = implemented
	}{
		{"501", 501, "text/plain", "Not Implemented", false, "HTTP 501"},
		{"UnknownOperationException", 400, "application/x-amz-json-1.1", `{"__type":"UnknownOperationException"}`, false, "UnknownOperationException"},
		{"LocalStack", 501, "application/json", `{"message":"API action not yet implemented or pro feature"}`, false, "HTTP 501"},
		{"LocalStack 400", 400, "application/json", `{"message":"not yet implemented or pro feature"}`, false, "not yet implemented"},
		{"moto", 500, "text/html", "<title>NotImplementedError</title> The CancelMetadataModelConversion action has not been implemented", false, "has not been implemented"},
		{"HTML 500 from a JSON service", 500, "text/html", "<html>Internal Server Error</html>", true, "moto answers actions it does not implement this way"},
		{"HTML 500, service unknown", 500, "text/html", "<html>Internal Server Error</html>", false, ""},
		{"a JSON 500", 500, "application/x-amz-json-1.1", `{"__type":"InternalFailure"}`, true, ""},
		{"a fault", 400, "application/x-amz-json-1.1", `{"__type":"ResourceNotFoundFault"}`, true, ""},
		{"success", 200, "application/x-amz-json-1.1", `{}`, true, ""},
	} {
		r := sampleOf(cancelOp, tc.status, map[string]string{"Content-Type": tc.ctype}, tc.body).Response()
		got := Unimplemented(r, tc.serviceJSON)
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("%s: Unimplemented = %q, want %q", tc.name, got, tc.want)
		}
	}
	if Unimplemented(nil, true) != "" || Unimplemented(&Response{}, true) != "" {
		t.Error("no answer is not unimplemented")
	}
}

func TestCredentialProblem(t *testing.T) {
	for code, want := range map[string]bool{"ExpiredTokenException": true, "UnrecognizedClientException": true, "InvalidClientTokenId": true,
		"SignatureDoesNotMatch": true, "AccessDeniedFault": false, "ResourceNotFoundFault": false} {
		r := sampleOf(cancelOp, 400, map[string]string{"Content-Type": "application/x-amz-json-1.1"}, `{"__type":"`+code+`","message":"m"}`).Response()
		err := CredentialProblem("op", r)
		var ce *CredentialError
		if got := errors.As(err, &ce); got != want {
			t.Errorf("%s: credential problem %v, want %v", code, err, want)
		} else if got && (ce.Code != code || !strings.Contains(err.Error(), "refresh them")) {
			t.Errorf("%s: %v", code, err)
		}
	}
	if CredentialProblem("op", sampleOf(cancelOp, 200, nil, `{"__type":"ExpiredTokenException"}`).Response()) != nil {
		t.Error("a 200 is no credential problem")
	}
}

// Observed reads each script's samples in the order they were made (the walk's
// cancel, describes, waiter and second cancel, then the watch, then the scenario runs)
// and keeps only the family's cancel and describe answers.
func TestEvidenceObservedOrder(t *testing.T) {
	m := spec.MustLoad()
	cancel, describe := m.FamilyOperation("conversion", spec.RoleCancel), m.FamilyOperation("conversion", spec.RoleDescribe)
	smp := func(op *spec.Operation, name string) *Sample { return &Sample{Op: op.Name, Name: name} }
	start := &Sample{Op: m.FamilyOperation("conversion", spec.RoleStart).Name, Name: "start"}
	control := &Sample{Name: "control: add scenario"}
	ev := &Evidence{Cancel: cancel, Describe: describe,
		Walk: &WalkEvidence{Starts: []*Sample{start}, Cancel: smp(cancel, "walk cancel"),
			Describes: []*Sample{smp(describe, "walk d1"), smp(describe, "walk d2")},
			Waiter:    &WaiterEvidence{Samples: []*Sample{smp(describe, "waiter")}}, SecondCancel: smp(cancel, "second")},
		Watch: &WatchEvidence{Start: start, Describes: []*Sample{smp(describe, "watch d1")}},
		Scenarios: &ScenarioEvidence{Runs: []*ScenarioRun{
			{Start: start, Samples: []*Sample{control, smp(describe, "scn1 d"), smp(cancel, "scn1 cancel")}},
			{Samples: []*Sample{control, smp(describe, "scn2 d")}},
		}},
	}
	var names []string
	for _, s := range ev.Observed() {
		names = append(names, s.Name)
	}
	want := []string{"walk cancel", "walk d1", "walk d2", "waiter", "second", "watch d1", "scn1 d", "scn1 cancel", "scn2 d"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("Observed = %v\nwant %v", names, want)
	}
	// A walk that stopped early (no cancel, no second cancel) leaves no nil behind.
	ev = &Evidence{Cancel: cancel, Describe: describe, Walk: &WalkEvidence{Starts: []*Sample{start}}}
	if got := ev.Observed(); len(got) != 0 {
		t.Errorf("Observed of a stopped walk = %v", got)
	}
}

// samplesIn finds every sample of an evidence value, in field order.
func TestSamplesIn(t *testing.T) {
	a, b, c, d := &Sample{Name: "a"}, &Sample{Name: "b"}, &Sample{Name: "c"}, &Sample{Name: "d"}
	w := &WalkEvidence{Starts: []*Sample{a}, Misses: []*Sample{b}, Cancel: c, Waiter: &WaiterEvidence{Samples: []*Sample{d}}}
	var names []string
	for _, s := range samplesIn(w) {
		names = append(names, s.Name)
	}
	if strings.Join(names, "") != "abcd" {
		t.Errorf("samplesIn = %v", names)
	}
	if samplesIn(nil) != nil || samplesIn((*WalkEvidence)(nil)) != nil {
		t.Error("samplesIn of nothing")
	}
	p := &ProbeEvidence{Probes: []*Probe{{Key: "x", Sample: a}}}
	if got := samplesIn(p); len(got) != 1 || got[0] != a || p.Get("x") != a || p.Get("y") != nil || (*ProbeEvidence)(nil).Get("x") != nil {
		t.Errorf("probes: %v", got)
	}
}

func TestSolicits(t *testing.T) {
	s := &Sample{Solicited: &Solicitation{Status: "X_STATUS", UnknownUnionMember: "futureDetails"}}
	if !s.Solicits("X_STATUS") || s.Solicits("") || s.Solicits("OTHER") {
		t.Error("string values")
	}
	if !s.Solicits(map[string]any{"futureDetails": map[string]any{}}) || s.Solicits(map[string]any{"defaultErrorDetails": 1}) {
		t.Error("union values")
	}
	if (&Sample{}).Solicits("X_STATUS") {
		t.Error("an unsolicited sample solicits")
	}
}
