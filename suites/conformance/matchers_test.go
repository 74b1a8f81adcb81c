package conformance

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/databasemigrationservice/types"

	"github.com/dmsconform/dmsconform/spec"
)

var model = spec.MustLoad()

func wireResp(status int, header map[string]string, body string) *WireResponse {
	h := http.Header{}
	for k, v := range header {
		h.Set(k, v)
	}
	r := &WireResponse{Status: status, Header: h, Body: []byte(body)}
	r.Decoded, r.JSONErr = spec.DecodeJSON(r.Body)
	return r
}

func TestFaultProblemsNamesEachDefect(t *testing.T) {
	f := model.Fault("ResourceNotFoundFault")
	ok := map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amzn-RequestId": "r1"}
	good := wireResp(400, ok, `{"__type":"com.amazonaws.dms#ResourceNotFoundFault","message":"m"}`)
	if p := FaultProblems(good, f, "application/x-amz-json-1.1"); len(p) != 0 {
		t.Fatalf("a conforming fault has problems: %v", p)
	}
	cases := map[string]struct {
		r    *WireResponse
		want string
	}{
		"status":       {wireResp(500, ok, `{"__type":"ResourceNotFoundFault","message":"m"}`), "HTTP status is 500"},
		"no type":      {wireResp(400, ok, `{"message":"m"}`), "no __type"},
		"wrong name":   {wireResp(400, ok, `{"__type":"ResourceNotFoundException","message":"m"}`), `want "ResourceNotFoundFault"`},
		"no message":   {wireResp(400, ok, `{"__type":"ResourceNotFoundFault","errorMessage":"m"}`), `no "message"`},
		"content type": {wireResp(400, map[string]string{"Content-Type": "application/json", "X-Amzn-RequestId": "r"}, `{"__type":"ResourceNotFoundFault","message":"m"}`), "Content-Type"},
		"request id":   {wireResp(400, map[string]string{"Content-Type": "application/x-amz-json-1.1"}, `{"__type":"ResourceNotFoundFault","message":"m"}`), "RequestId"},
		"header":       {wireResp(400, map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amzn-RequestId": "r", "X-Amzn-ErrorType": "AccessDeniedFault"}, `{"__type":"ResourceNotFoundFault","message":"m"}`), "disagrees"},
		"not json":     {wireResp(400, ok, `<html>`), "not JSON"},
	}
	for name, c := range cases {
		p := FaultProblems(c.r, f, "application/x-amz-json-1.1")
		if !strings.Contains(strings.Join(p, "\n"), c.want) {
			t.Errorf("%s: problems %v do not mention %q", name, p, c.want)
		}
	}
	m := BeModeledFault(f, "application/x-amz-json-1.1")
	if okm, _ := m.Match(cases["status"].r); okm || !strings.Contains(m.FailureMessage(nil), "HTTP status is 500") {
		t.Errorf("BeModeledFault must fail with the reason: %s", m.FailureMessage(nil))
	}
}

func TestUnionAndValueSetMatchers(t *testing.T) {
	u := model.Shape("ErrorDetails")
	m := HaveExactlyOneUnionMember(u)
	for body, want := range map[string]bool{
		`{"defaultErrorDetails":{"Message":"x"}}`: true,
		`{"future":{}}`: true,
		`{"defaultErrorDetails":{"Message":"x"},"__type":"t"}`: true,
		`{}`:                           false,
		`{"defaultErrorDetails":null}`: false,
		`{"defaultErrorDetails":{"Message":"x"},"sqlErrorDetails":{}}`: false,
	} {
		v, _ := spec.DecodeJSON([]byte(body))
		if got, _ := m.Match(v); got != want {
			t.Errorf("%s: match %v, want %v (%s)", body, got, want, m.FailureMessage(v))
		}
	}
	vs := model.ValueSets["RequestStatus"]
	if ok, _ := BeInDocumentedSet(vs).Match("CANCELED"); !ok {
		t.Error("CANCELED is documented")
	}
	bm := BeInDocumentedSet(vs)
	if ok, _ := bm.Match("CANCELLED"); ok || !strings.Contains(bm.FailureMessage("CANCELLED"), "x-dms-documented-values") {
		t.Errorf("CANCELLED (double L) is not documented: %s", bm.FailureMessage("CANCELLED"))
	}
}

func TestCanonAndDiff(t *testing.T) {
	out := model.Operation("CancelMetadataModelConversion").Output
	wire, _ := spec.DecodeJSON([]byte(`{"Request":{"Status":"CANCELING","RequestIdentifier":"r","Error":{"defaultErrorDetails":{"Message":"boom"}},
		"Progress":{"ProgressPercent":"NaN","TotalObjects":9007199254740993,"ProgressStep":"ANALYZING"}}}`))
	sdk := struct {
		Request *types.SchemaConversionRequest
	}{&types.SchemaConversionRequest{
		Status: aws.String("CANCELING"), RequestIdentifier: aws.String("r"),
		Error:    &types.ErrorDetailsMemberDefaultErrorDetails{Value: types.DefaultErrorDetails{Message: aws.String("boom")}},
		Progress: &types.Progress{ProgressPercent: aws.Float64(nan()), TotalObjects: 9007199254740993, ProgressStep: aws.String("ANALYZING")},
	}}
	canon, err := Canon(out, reflect.ValueOf(sdk))
	if err != nil {
		t.Fatal(err)
	}
	if d := Diff(out, wire, canon, ""); len(d) != 0 {
		t.Fatalf("equal views differ: %v", d)
	}
	sdk.Request.Progress.TotalObjects = 9007199254740992 // what a float64 decoder makes of 2^53+1
	sdk.Request.Error = &types.UnknownUnionMember{Tag: "__type"}
	canon, _ = Canon(out, reflect.ValueOf(sdk))
	if _, err := Canon(out, reflect.ValueOf(struct{ Request *types.Progress }{&types.Progress{}})); err == nil {
		t.Error("an SDK struct that lacks the model's members must be an error, not a silent skip")
	}
	d := strings.Join(Diff(out, wire, canon, ""), "\n")
	for _, want := range []string{"/Request/Progress/TotalObjects: the wire has 9007199254740993, the SDK has 9007199254740992", `/Request/Error: the wire sets union member defaultErrorDetails, the SDK decoded unknown member with tag "__type"`} {
		if !strings.Contains(d, want) {
			t.Errorf("diff lacks %q:\n%s", want, d)
		}
	}
}

func nan() float64 { z := 0.0; return z / z }
