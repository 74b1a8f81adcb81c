package record

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/reports"
)

const (
	testReqID  = "2F3A1B4C-5D6E-4F70-8192-A3B4C5D6E7F8" // upper case: identity ignores case
	testAmznID = "0b1c2d3e-4f50-4617-a8b9-cadbecfd0e1f"
	testARN    = "arn:aws:dms:us-east-1:" + emulator.DefaultAccountID + ":migration-project:ABCDEF"
)

func cancelExchange(reqID, amznID string) reports.Exchange {
	return reports.Exchange{
		Name: "observe: cancel " + strings.ToLower(reqID[:8]),
		View: "sdk",
		Request: reports.HTTPMessage{Method: "POST", URL: "http://127.0.0.1:40123/",
			Headers: map[string][]string{
				"Authorization":         {"AWS4-HMAC-SHA256 Credential=" + emulator.DefaultAccessKeyID + "/20260101/us-east-1/dms/aws4_request, SignedHeaders=host, Signature=abcdef0123"},
				"X-Amz-Date":            {"20260101T000000Z"},
				"X-Amz-Security-Token":  {"FwoGZXIvYXdzEXAMPLETOKEN"},
				"Amz-Sdk-Invocation-Id": {"11111111-2222-4333-8444-555555555555"},
				"User-Agent":            {"aws-sdk-go-v2/1.0"},
				"Content-Length":        {"99"},
				"Content-Type":          {"application/x-amz-json-1.1"},
				"X-Amz-Target":          {"AmazonDMSv20160101.CancelMetadataModelConversion"},
			},
			Body: `{"MigrationProjectIdentifier":"` + testARN + `","RequestIdentifier":"` + reqID + `"}`},
		Response: reports.HTTPMessage{Status: 200,
			Headers: map[string][]string{
				"X-Amzn-Requestid": {amznID},
				"Date":             {"Thu, 01 Jan 2026 00:00:00 GMT"},
				"Content-Type":     {"application/x-amz-json-1.1"},
			},
			Body: `{"Request":{"MigrationProjectArn":"` + testARN + `","RequestIdentifier":"` + strings.ToLower(reqID) + `","Status":"CANCELING",` +
				`"Progress":{"ProgressPercent":12.5,"TotalObjects":40,"ProgressStep":"CONVERTING","ProcessedObject":{"Name":"s.t","Type":"TABLE","EndpointType":"SOURCE"}},` +
				`"Error":{"DefaultErrorDetails":{"Message":"failed at 2026-01-01T00:00:05Z for ` + emulator.DefaultSecretAccessKey + `"}}}}`},
	}
}

func TestNormaliseKeepsIdentityAcrossExchanges(t *testing.T) {
	n := NewNormaliser(emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey)
	a := n.Exchange(1, cancelExchange(testReqID, testAmznID))
	b := n.Exchange(1, cancelExchange(testReqID, "99999999-4f50-4617-a8b9-cadbecfd0e1f"))

	reqBody := a.Request.Body.(map[string]any)
	respReq := a.Response.Body.(map[string]any)["Request"].(map[string]any)
	if reqBody["RequestIdentifier"] != "<request-id:1>" || respReq["RequestIdentifier"] != "<request-id:1>" {
		t.Errorf("request id: sent %v, answered %v; want <request-id:1> both", reqBody["RequestIdentifier"], respReq["RequestIdentifier"])
	}
	if got := b.Response.Body.(map[string]any)["Request"].(map[string]any)["RequestIdentifier"]; got != "<request-id:1>" {
		t.Errorf("second exchange: %v, want the same <request-id:1>", got)
	}
	if a.Response.Headers["X-Amzn-Requestid"] != "<request-id:2>" || b.Response.Headers["X-Amzn-Requestid"] != "<request-id:3>" {
		t.Errorf("x-amzn-RequestId: %q, %q; want <request-id:2>, <request-id:3>", a.Response.Headers["X-Amzn-Requestid"], b.Response.Headers["X-Amzn-Requestid"])
	}
	wantARN := "arn:aws:dms:us-east-1:<account:1>:migration-project:ABCDEF"
	if reqBody["MigrationProjectIdentifier"] != wantARN || respReq["MigrationProjectArn"] != wantARN {
		t.Errorf("ARN: %v / %v, want %s", reqBody["MigrationProjectIdentifier"], respReq["MigrationProjectArn"], wantARN)
	}
	if a.Name != "observe: cancel <request-id:1>" {
		t.Errorf("name %q: the abbreviated id should be its placeholder", a.Name)
	}
	msg := respReq["Error"].(map[string]any)["DefaultErrorDetails"].(map[string]any)["Message"]
	if msg != "failed at <timestamp:1> for <redacted>" {
		t.Errorf("message %q", msg)
	}
	if a.Request.Path != "/" || a.Request.Target != "AmazonDMSv20160101.CancelMetadataModelConversion" {
		t.Errorf("path %q target %q", a.Request.Path, a.Request.Target)
	}
	if got := a.Operation(); got != "CancelMetadataModelConversion" {
		t.Errorf("operation %q", got)
	}
	ph := n.Placeholders()
	for p, want := range map[string]Placeholder{
		"<request-id:1>": {CategoryRequestID, ShapeUUID}, "<account:1>": {CategoryAccount, ShapeAccount}, "<timestamp:1>": {CategoryTimestamp, ShapeRFC3339},
	} {
		if ph[p] != want {
			t.Errorf("placeholder %s: %+v, want %+v", p, ph[p], want)
		}
	}
}

func TestNormaliseDropsCredentialsAndNoise(t *testing.T) {
	n := NewNormaliser(emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey)
	ex := n.Exchange(1, cancelExchange(testReqID, testAmznID))
	if want := map[string]string{"Content-Type": "application/x-amz-json-1.1"}; !reflect.DeepEqual(ex.Request.Headers, want) {
		t.Errorf("request headers %v, want only %v", ex.Request.Headers, want)
	}
	if _, ok := ex.Response.Headers["Date"]; ok {
		t.Errorf("Date kept: %v", ex.Response.Headers)
	}
	data, err := marshal(ex)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey, emulator.DefaultAccountID,
		"FwoGZXIv", "Signature", "127.0.0.1", testAmznID, strings.ToLower(testReqID), `\u003c`} {
		if strings.Contains(string(data), s) {
			t.Errorf("normalised exchange contains %q:\n%s", s, data)
		}
	}
}

func TestNormaliseListsVolatilePointers(t *testing.T) {
	n := NewNormaliser()
	ex := n.Exchange(1, cancelExchange(testReqID, testAmznID))
	want := []string{
		"/request/body/MigrationProjectIdentifier",
		"/request/body/RequestIdentifier",
		"/response/body/Request/Error/DefaultErrorDetails/Message",
		"/response/body/Request/MigrationProjectArn",
		"/response/body/Request/Progress/ProcessedObject",
		"/response/body/Request/Progress/ProgressPercent",
		"/response/body/Request/Progress/TotalObjects",
		"/response/body/Request/RequestIdentifier",
		"/response/headers/X-Amzn-Requestid",
	}
	if !reflect.DeepEqual(ex.Volatile, want) {
		t.Errorf("volatile:\n got %q\nwant %q", ex.Volatile, want)
	}
	// Volatile members keep their values (a replay serves them).
	p := ex.Response.Body.(map[string]any)["Request"].(map[string]any)["Progress"].(map[string]any)
	if p["TotalObjects"] != json.Number("40") || p["ProgressPercent"] != json.Number("12.5") {
		t.Errorf("progress %v", p)
	}
}

func TestNormaliseErrorsAndText(t *testing.T) {
	n := NewNormaliser()
	ex := n.Exchange(3, reports.Exchange{View: "wire", Name: "cancel unknown",
		Request: reports.HTTPMessage{Method: "POST", URL: "http://127.0.0.1:1/", Headers: map[string][]string{"X-Amz-Target": {"P.Op"}}, Body: "not json"},
		Response: reports.HTTPMessage{Status: 400, Headers: map[string][]string{"X-Amzn-Errortype": {"ResourceNotFoundFault"}},
			Body: `{"__type":"ResourceNotFoundFault","message":"request dmsconform-00000000-0000-4000-8000-000000000000 not found"}`}})
	if ex.Request.BodyText != "not json" || ex.Request.Body != nil {
		t.Errorf("non-JSON body: %+v", ex.Request)
	}
	body := ex.Response.Body.(map[string]any)
	if body["message"] != "request dmsconform-<uuid:1> not found" {
		t.Errorf("message %q", body["message"])
	}
	if !contains(ex.Volatile, "/response/body/message") {
		t.Errorf("an error message is volatile: %q", ex.Volatile)
	}
	// A transport error: no response, the endpoint hidden.
	ex = n.Exchange(4, reports.Exchange{View: "sdk", Request: reports.HTTPMessage{Method: "POST", URL: "http://127.0.0.1:45678/"},
		Error: "dial tcp 127.0.0.1:45678: connect: connection refused"})
	if ex.Error != "dial tcp <endpoint>: connect: connection refused" || ex.Response.Status != 0 {
		t.Errorf("error %q status %d", ex.Error, ex.Response.Status)
	}
	if got := n.Text("see http://127.0.0.1:4566/x in account 123456789012"); got != "see <endpoint>/x in account <account:1>" {
		t.Errorf("text %q", got)
	}
	// Account ids where they are account ids: the dashed form and a known id bare are,
	// a TotalObjects of 12 digits is not (the recorded body stays JSON).
	if got := n.Text("owner 1234-5678-9012, again 123456789012, total 555566667777"); got != "owner <account:1>, again <account:1>, total 555566667777" {
		t.Errorf("text %q", got)
	}
	ex = n.Exchange(6, reports.Exchange{View: "sdk", Request: reports.HTTPMessage{Method: "POST", URL: "http://127.0.0.1:1/"},
		Response: reports.HTTPMessage{Status: 200, Body: `{"Requests":[{"Progress":{"TotalObjects":555566667777}}]}`}})
	if _, ok := ex.Response.Body.(map[string]any); !ok || ex.Response.BodyText != "" {
		t.Errorf("a 12-digit TotalObjects made the body %+v", ex.Response)
	}
	// Control surface: the path below the prefix names the operation.
	ex = n.Exchange(5, reports.Exchange{View: "control", Request: reports.HTTPMessage{Method: "POST", URL: "http://127.0.0.1:1/_dmsconform/v1/clock/advance"}})
	if got := ex.Operation(); got != "control POST clock/advance" {
		t.Errorf("control operation %q", got)
	}
}

func TestParseJSONKeepsOddBodiesAsText(t *testing.T) {
	for body, isJSON := range map[string]bool{
		`{"a":1}`:                 true,
		`[1,2]`:                   true,
		`{"a":1,"a":2}`:           false, // duplicate keys: a replay must send them as they were
		`{"a":{"b":1,"b":2}}`:     false,
		`{"a":1} trailing`:        false,
		`null`:                    false,
		``:                        false,
		`{"a":[{"b":1},{"b":2}]}`: true, // the same key in sibling objects is no duplicate
	} {
		if _, ok := parseJSON(body); ok != isJSON {
			t.Errorf("parseJSON(%q) = %v, want %v", body, ok, isJSON)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
