package kinds

import (
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// TestUnimplemented: the answers of a target that does not implement an operation are
// recognised (said once as unimplemented), and nothing else is.
func TestUnimplemented(t *testing.T) {
	localstack := `{"__type":"InternalFailure","message":"API action 'CancelMetadataModelConversion' for service 'dms' not yet implemented or pro feature - please check https://docs.localstack.cloud/references/coverage/ for further information"}`
	cases := []struct {
		name        string
		smp         *engine.Sample
		serviceJSON bool
		want        string // substring of the reason; "" means not unimplemented
	}{
		{"moto's HTML 500 from a target that speaks JSON", motoHTML500(cancelOp, "cancel"), true, "moto answers actions it does not implement"},
		{"moto's HTML 500 names its Content-Type", motoHTML500(cancelOp, "cancel"), true, "HTTP 500 text/html; charset=utf-8 on every attempt"},
		{"an HTML 500 from a target not known to speak JSON is an outage, not unimplemented", motoHTML500(cancelOp, "cancel"), false, ""},
		{"a 500 without Content-Type or body", raw(cancelOp, "cancel", 500, "", without("Content-Type")), true, "HTTP 500 without Content-Type"},
		{"a JSON 500 is a server error, not unimplemented", raw(cancelOp, "cancel", 500, `{"__type":"InternalFailure","message":"boom"}`), true, ""},
		{"HTTP 501", raw(cancelOp, "cancel", 501, "Not Implemented", with("Content-Type", "text/plain")), false, "HTTP 501: Not Implemented"},
		{"LocalStack's 501", raw(cancelOp, "cancel", 501, localstack), false, "HTTP 501"},
		{"LocalStack's phrase with another status", raw(cancelOp, "cancel", 500, localstack), false, "not yet implemented or pro feature"},
		{"UnknownOperationException", faultAnswer(cancelOp, "cancel", 400, "UnknownOperationException", ""), false, "HTTP 400 UnknownOperationException"},
		{"UnknownOperationException in X-Amzn-ErrorType only", raw(cancelOp, "cancel", 400, "{}", with("X-Amzn-ErrorType", "UnknownOperationException:http://internal.amazon.com/coral/com.amazon.coral.service/")), false, "UnknownOperationException"},
		{"moto's NotImplementedError text", raw(cancelOp, "cancel", 500, "The cancel_metadata_model_conversion action has not been implemented", with("Content-Type", "text/plain")), false, "has not been implemented"},
		{"a modeled fault is an answer", faultAnswer(cancelOp, "cancel", 400, "ResourceNotFoundFault", "no such request"), true, ""},
		{"a validation error is an answer", faultAnswer(cancelOp, "cancel", 400, "ValidationException", "1 validation error"), true, ""},
		{"a success is an answer", cancelAnswer("cancel", request(reqID, "CANCELING")), true, ""},
		{"a throttle is not unimplemented", faultAnswer(cancelOp, "cancel", 400, "ThrottlingException", "Rate exceeded"), true, ""},
		{"no answer at all", &engine.Sample{Op: cancelOp, Name: "cancel", Attempts: []reports.Exchange{{Error: "connection reset by peer"}}}, true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := engine.Unimplemented(c.smp.Response(), c.serviceJSON)
			switch {
			case c.want == "" && got != "":
				t.Errorf("read as unimplemented (%s), want an answer the checks judge", got)
			case c.want != "" && !strings.Contains(got, c.want):
				t.Errorf("reason %q, want it to say %q", got, c.want)
			}
		})
	}
}

// TestEvidenceUnimplemented: the evidence turns an unimplemented answer into the one
// cause of its operation, naming it and showing the sample.
func TestEvidenceUnimplemented(t *testing.T) {
	ev := newEvidence()
	smp := motoHTML500(cancelOp, "walk: cancel")
	c := ev.Unimplemented(smp)
	if c == nil {
		t.Fatal("moto's HTML 500 to a JSON target is not unimplemented")
	}
	if c.ID != causeUnimplCancel || c.Outcome != reports.Unimplemented || !strings.Contains(c.Title, cancelOp+" is not implemented by the target") {
		t.Errorf("cause %s %s %q", c.ID, c.Outcome, c.Title)
	}
	if len(c.Samples) != 1 || c.Samples[0] != smp {
		t.Errorf("the cause shows %s, want the answer", sampleNames(c.Samples))
	}
	if v := engine.By(c); v.Outcome != reports.Unimplemented || v.Message != c.Title || v.Cause != c {
		t.Errorf("By(cause) = %+v", v)
	}

	ev.Facts.ServiceJSON = false
	if c := ev.Unimplemented(smp); c != nil {
		t.Errorf("without the JSON fact, an HTML 500 is %s, want nil", c.ID)
	}
	if c := ev.Unimplemented(nil); c != nil {
		t.Errorf("a nil sample is %s", c.ID)
	}
	rawTarget := raw("", "request with an unknown X-Amz-Target", 400, `{"__type":"UnknownOperationException"}`)
	if c := ev.Unimplemented(rawTarget); c != nil {
		t.Errorf("a raw request (no operation) is %s: nothing can be unimplemented about it", c.ID)
	}
}
