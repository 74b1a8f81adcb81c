package emulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// checkError asserts an awsJson error answer: status, __type, matching
// X-Amzn-ErrorType, request id, content type and a message containing want.
func checkError(t *testing.T, w *httptest.ResponseRecorder, status int, code, want string) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d; body %s", w.Code, status, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		t.Errorf("Content-Type %q", ct)
	}
	if w.Header().Get("x-amzn-RequestId") == "" {
		t.Errorf("no x-amzn-RequestId")
	}
	m := decode(t, w)
	if m["__type"] != code || w.Header().Get("X-Amzn-ErrorType") != code {
		t.Fatalf("__type %v, X-Amzn-ErrorType %q, want %s; body %s", m["__type"], w.Header().Get("X-Amzn-ErrorType"), code, w.Body)
	}
	msg, _ := m["message"].(string)
	if !strings.Contains(msg, want) {
		t.Fatalf("message %q does not contain %q", msg, want)
	}
}

// cancelUnknownBody is a well-formed cancel request for a request the emulator does not
// know.
const cancelUnknownBody = `{"MigrationProjectIdentifier":"` + DefaultProject + `","RequestIdentifier":"x"}`

// protocolErrorCases are the cases of TestProtocolErrors: a request sent to an emulator
// with a 4096-byte body limit, and the error answer it must get.
var protocolErrorCases = []struct {
	name   string
	do     func(t *testing.T, e *Emulator) *httptest.ResponseRecorder
	status int
	code   string
	msg    string
}{
	{"unknown target", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return raw(t, e, "DeleteEverything", `{}`)
	}, 400, CodeUnknownOperation, "AmazonDMSv20160101.DeleteEverything"},
	{"no target", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return rawSigned(t, e, "", []byte(`{}`), DefaultAccessKeyID, DefaultSecretAccessKey)
	}, 400, CodeUnknownOperation, "missing X-Amz-Target"},
	{"other service prefix", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return rawSigned(t, e, "DynamoDB_20120810.CancelMetadataModelConversion", []byte(`{}`), DefaultAccessKeyID, DefaultSecretAccessKey)
	}, 400, CodeUnknownOperation, "unknown operation"},
	{"GET", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1/", nil)
		signRequest(t, r, nil, DefaultAccessKeyID, DefaultSecretAccessKey, DefaultRegion)
		w := httptest.NewRecorder()
		e.ServeHTTP(w, r)
		return w
	}, 400, CodeUnknownOperation, "GET /"},
	{"malformed JSON", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return raw(t, e, "CancelMetadataModelConversion", `{"MigrationProjectIdentifier":`)
	}, 400, CodeSerialization, "not a JSON document"},
	{"trailing data", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return raw(t, e, "CancelMetadataModelConversion", cancelUnknownBody+`{}`)
	}, 400, CodeSerialization, "not a JSON document"},
	{"array body", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return raw(t, e, "CancelMetadataModelConversion", `[]`)
	}, 400, CodeSerialization, "must be a JSON object"},
	{"wrong type", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return raw(t, e, "CancelMetadataModelConversion", `{"MigrationProjectIdentifier":5,"RequestIdentifier":"x"}`)
	}, 400, CodeSerialization, "'MigrationProjectIdentifier'"},
	{"wrong nested type", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return raw(t, e, "DescribeMetadataModelConversions", `{"MigrationProjectIdentifier":"p","Filters":[{"Name":"status","Values":"RECEIVED"}]}`)
	}, 400, CodeSerialization, "'Filters.0.Values'"},
	{"integer as string", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return raw(t, e, "DescribeMetadataModelConversions", `{"MigrationProjectIdentifier":"p","MaxRecords":"5"}`)
	}, 400, CodeSerialization, "'MaxRecords'"},
	{"integer with fraction", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return raw(t, e, "DescribeMetadataModelConversions", `{"MigrationProjectIdentifier":"p","MaxRecords":1.5}`)
	}, 400, CodeSerialization, "'MaxRecords'"},
	{"integer overflow", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return raw(t, e, "DescribeMetadataModelConversions", `{"MigrationProjectIdentifier":"p","MaxRecords":99999999999}`)
	}, 400, CodeSerialization, "'MaxRecords'"},
	{"missing member", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return raw(t, e, "CancelMetadataModelConversion", `{"MigrationProjectIdentifier":"p"}`)
	}, 400, CodeValidation, "1 validation error detected: Value null at 'RequestIdentifier' failed to satisfy constraint: Member must not be null"},
	{"two missing members", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return raw(t, e, "CancelMetadataModelConversion", `{}`)
	}, 400, CodeValidation, "2 validation errors detected"},
	{"empty body", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return raw(t, e, "CancelMetadataModelConversion", ``)
	}, 400, CodeValidation, "'MigrationProjectIdentifier'"},
	{"null member", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return raw(t, e, "CancelMetadataModelConversion", `{"MigrationProjectIdentifier":"p","RequestIdentifier":null}`)
	}, 400, CodeValidation, "Value null at 'RequestIdentifier'"},
	{"too long", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return raw(t, e, "CancelMetadataModelConversion", `{"MigrationProjectIdentifier":"`+strings.Repeat("p", 256)+`","RequestIdentifier":"x"}`)
	}, 400, CodeValidation, "length less than or equal to 255"},
	{"empty union", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return raw(t, e, "StartMetadataModelCreation", `{"MigrationProjectIdentifier":"`+DefaultProject+`","SelectionRules":"{}","MetadataModelName":"m","Properties":{}}`)
	}, 400, CodeValidation, "'Properties'"},
	{"unknown union member", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return raw(t, e, "StartMetadataModelCreation", `{"MigrationProjectIdentifier":"`+DefaultProject+`","SelectionRules":"{}","MetadataModelName":"m","Properties":{"FutureProperties":{}}}`)
	}, 400, CodeValidation, "StatementProperties"},
	{"oversize body", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return raw(t, e, "CancelMetadataModelConversion", `{"MigrationProjectIdentifier":"`+strings.Repeat("p", 5000)+`"}`)
	}, 413, CodeTooLarge, "larger than 4096 bytes"},
	{"oversize chunked body", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return raw(t, e, "CancelMetadataModelConversion", `{"MigrationProjectIdentifier":"`+strings.Repeat("p", 5000)+`"}`, func(r *http.Request) { r.ContentLength = -1 })
	}, 413, CodeTooLarge, "larger than 4096 bytes"},
	{"no auth", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return raw(t, e, "CancelMetadataModelConversion", cancelUnknownBody, unsigned())
	}, 400, CodeMissingAuth, "Missing Authentication Token"},
	{"bad signature", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return rawSigned(t, e, "AmazonDMSv20160101.CancelMetadataModelConversion", []byte(cancelUnknownBody), DefaultAccessKeyID, "wrong-secret")
	}, 400, CodeInvalidSignature, "does not match"},
	{"body changed after signing", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/", strings.NewReader(cancelUnknownBody))
		r.Header.Set("X-Amz-Target", "AmazonDMSv20160101.CancelMetadataModelConversion")
		signRequest(t, r, []byte(`{"MigrationProjectIdentifier":"other","RequestIdentifier":"y"}`), DefaultAccessKeyID, DefaultSecretAccessKey, DefaultRegion)
		w := httptest.NewRecorder()
		e.ServeHTTP(w, r)
		return w
	}, 400, CodeInvalidSignature, "does not match"},
	{"target changed after signing", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return raw(t, e, "CancelMetadataModelConversion", cancelUnknownBody, func(r *http.Request) {
			r.Header.Set("X-Amz-Target", "AmazonDMSv20160101.StartMetadataModelConversion")
		})
	}, 400, CodeInvalidSignature, "does not match"},
	{"unknown key", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return rawSigned(t, e, "AmazonDMSv20160101.CancelMetadataModelConversion", []byte(cancelUnknownBody), "AKIDUNKNOWN", "whatever")
	}, 400, CodeUnrecognizedClient, "AKIDUNKNOWN"},
	{"not SigV4", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return raw(t, e, "CancelMetadataModelConversion", cancelUnknownBody, func(r *http.Request) { r.Header.Set("Authorization", "Bearer abc") })
	}, 400, CodeIncompleteSignature, "not a SigV4 header"},
	{"no X-Amz-Date", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return raw(t, e, "CancelMetadataModelConversion", cancelUnknownBody, func(r *http.Request) { r.Header.Del("X-Amz-Date") })
	}, 400, CodeIncompleteSignature, "X-Amz-Date"},
	{"wrong service", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return raw(t, e, "CancelMetadataModelConversion", cancelUnknownBody, func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/dms/", "/s3/", 1))
		})
	}, 400, CodeInvalidSignature, "correct service"},
	{"other region signs fine", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/", strings.NewReader(cancelUnknownBody))
		r.Header.Set("X-Amz-Target", "AmazonDMSv20160101.CancelMetadataModelConversion")
		signRequest(t, r, []byte(cancelUnknownBody), DefaultAccessKeyID, DefaultSecretAccessKey, "eu-west-1")
		w := httptest.NewRecorder()
		e.ServeHTTP(w, r)
		return w
	}, 400, CodeResourceNotFound, "\"x\" not found"},
	{"denied", func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return rawSigned(t, e, "AmazonDMSv20160101.CancelMetadataModelConversion", []byte(cancelUnknownBody), DeniedAccessKeyID, DeniedSecretAccessKey)
	}, 400, CodeAccessDeniedException, "User: arn:aws:sts::123456789012:assumed-role/dmsconform-denied/dmsconform is not authorized to perform: dms:CancelMetadataModelConversion on resource: arn:aws:dms:us-east-1:123456789012:migration-project:"},
	{"control surface is AWS surface when disabled", func(t *testing.T, _ *Emulator) *httptest.ResponseRecorder {
		e2, _ := newTestEmulator(t, func(c *Config) { c.Control = false })
		r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1"+ControlPrefix+"reset", nil)
		w := httptest.NewRecorder()
		e2.ServeHTTP(w, r)
		return w
	}, 400, CodeMissingAuth, "Missing Authentication Token"},
}

func TestProtocolErrors(t *testing.T) {
	e, _ := newTestEmulator(t, func(c *Config) { c.MaxBodyBytes = 4096 })
	for _, tc := range protocolErrorCases {
		t.Run(tc.name, func(t *testing.T) { checkError(t, tc.do(t, e), tc.status, tc.code, tc.msg) })
	}
}

func TestSuccessHeaders(t *testing.T) {
	e, _ := newTestEmulator(t, nil)
	w := raw(t, e, "StartMetadataModelConversion", `{"MigrationProjectIdentifier":"`+DefaultProject+`","SelectionRules":"{}","Unknown":1}`)
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/x-amz-json-1.1" || len(w.Header().Get("x-amzn-RequestId")) != 36 || w.Header().Get("X-Amzn-ErrorType") != "" {
		t.Fatalf("start: %d %v %s", w.Code, w.Header(), w.Body)
	}
	// unset members are omitted, not null
	id := decode(t, w)["RequestIdentifier"].(string)
	m := describeOne(t, e, DefaultProject, id)
	for _, k := range []string{"Error", "ExportSqlDetails", "Progress"} {
		if _, ok := m[k]; ok {
			t.Errorf("RECEIVED request carries %s: %v", k, m)
		}
	}
}

// controlClient calls an emulator's control surface in-process.
type controlClient struct{ e *Emulator }

// call sends method to the control endpoint path with body and returns the answer.
func (c controlClient) call(method, path, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "http://127.0.0.1"+ControlPrefix+path, strings.NewReader(body))
	w := httptest.NewRecorder()
	c.e.ServeHTTP(w, r)
	return w
}

// controlErrOf is the "error" member of a control-surface answer ("" if none).
func controlErrOf(w *httptest.ResponseRecorder) string {
	var m map[string]string
	_ = json.Unmarshal(w.Body.Bytes(), &m)
	return m["error"]
}

// TestControlSurface walks the control endpoints in order on one emulator: each step
// builds on the state the previous one left.
func TestControlSurface(t *testing.T) {
	e, vc := newTestEmulator(t, nil)
	c := controlClient{e}
	checkControlClock(t, c, vc)
	checkControlStateAndReset(t, c)
	checkControlScenarios(t, c, vc)
	checkControlDefects(t, c)
	checkControlInfo(t, c)
	checkControlWallClock(t)
}

// checkControlClock advances the virtual clock and rejects a duration that is not one.
func checkControlClock(t *testing.T, c controlClient, vc *VirtualClock) {
	t.Helper()
	t0 := vc.Now()
	w := c.call("POST", "clock/advance", `{"duration":"3s"}`)
	if w.Code != 200 || !strings.Contains(w.Body.String(), t0.Add(3*time.Second).Format(time.RFC3339Nano)) || vc.Now() != t0.Add(3*time.Second) {
		t.Fatalf("advance: %d %s", w.Code, w.Body)
	}
	if w := c.call("POST", "clock/advance", `{"duration":"soon"}`); w.Code != 400 || !strings.Contains(controlErrOf(w), "duration") {
		t.Fatalf("bad duration: %d %s", w.Code, w.Body)
	}
}

// checkControlStateAndReset checks that state shows a started request and that reset
// forgets it.
func checkControlStateAndReset(t *testing.T, c controlClient) {
	t.Helper()
	id := startRaw(t, c.e, FamilyConversion, DefaultProject)
	w := c.call("GET", "state", "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), id) || !strings.Contains(w.Body.String(), `"status":"RECEIVED"`) {
		t.Fatalf("state: %d %s", w.Code, w.Body)
	}
	if w := c.call("POST", "reset", ""); w.Code != 204 {
		t.Fatalf("reset: %d", w.Code)
	}
	if w := c.call("GET", "state", ""); strings.Contains(w.Body.String(), id) {
		t.Fatalf("state after reset: %s", w.Body)
	}
}

// checkControlScenarios adds a hold scenario and a request-bound one, rejects bad
// scenarios, and checks that deleting the scenarios releases the hold.
func checkControlScenarios(t *testing.T, c controlClient, vc *VirtualClock) {
	t.Helper()
	e := c.e
	w := c.call("POST", "scenarios", `{"project":"`+DefaultProject+`","family":"conversion","holdAtStep":"RECEIVED"}`)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"id":"scn-`) {
		t.Fatalf("scenario: %d %s", w.Code, w.Body)
	}
	held := startRaw(t, e, FamilyConversion, DefaultProject)
	vc.Advance(time.Hour)
	if st := describeOne(t, e, DefaultProject, held)["Status"]; st != StatusReceived {
		t.Fatalf("held at RECEIVED: %v", st)
	}
	for _, bad := range []string{`{"holdAtStep":"FINISHED"}`, `{"family":"import"}`, `{"project":"nope"}`, `{"bogus":1}`, `{`} {
		if w := c.call("POST", "scenarios", bad); w.Code != 400 || controlErrOf(w) == "" {
			t.Errorf("scenario %s: %d %s", bad, w.Code, w.Body)
		}
	}
	w = c.call("POST", "scenarios", `{"exportSqlDetails":{"S3ObjectKey":"k","ObjectURL":"u"},"request":"`+held+`"}`)
	if w.Code != 200 {
		t.Fatalf("scenario with exportSqlDetails: %d %s", w.Code, w.Body)
	}
	if x, _ := describeOne(t, e, DefaultProject, held)["ExportSqlDetails"].(map[string]any); x["S3ObjectKey"] != "k" || x["ObjectURL"] != "u" {
		t.Fatalf("ExportSqlDetails: %v", x)
	}
	if w := c.call("DELETE", "scenarios", ""); w.Code != 204 {
		t.Fatalf("delete scenarios: %d", w.Code)
	}
	if st := describeOne(t, e, DefaultProject, held)["Status"]; st != StatusSuccess {
		t.Fatalf("after clearing the hold: %v", st)
	}
}

// checkControlDefects lists the defect modes, rejects an unknown one, turns one on, and
// checks that it acts and survives a reset.
func checkControlDefects(t *testing.T, c controlClient) {
	t.Helper()
	e := c.e
	w := c.call("GET", "defects", "")
	var ds struct {
		Active    []string     `json:"active"`
		Available []DefectMode `json:"available"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &ds); err != nil || len(ds.Active) != 0 || len(ds.Available) != len(DefectModes()) {
		t.Fatalf("defects: %v %s", err, w.Body)
	}
	if w := c.call("PUT", "defects", `{"modes":["no-request-id","nonsense"]}`); w.Code != 400 || !strings.Contains(controlErrOf(w), `"nonsense"`) || !strings.Contains(controlErrOf(w), "fault-wrong-name") {
		t.Fatalf("unknown defect: %d %s", w.Code, w.Body)
	}
	if w := c.call("PUT", "defects", `{"modes":["no-request-id"]}`); w.Code != 204 {
		t.Fatalf("put defects: %d %s", w.Code, w.Body)
	}
	if w := c.call("GET", "defects", ""); !strings.Contains(w.Body.String(), `"active":["no-request-id"]`) {
		t.Fatalf("active defects: %s", w.Body)
	}
	if w := raw(t, e, "DescribeMetadataModelConversions", `{"MigrationProjectIdentifier":"`+DefaultProject+`"}`); w.Header().Get("x-amzn-RequestId") != "" {
		t.Fatal("no-request-id not applied")
	}
	e.Reset()
	if got := e.Defects(); len(got) != 1 {
		t.Fatalf("Reset dropped the defects: %v", got)
	}
}

// checkControlInfo checks the info endpoint and the answer to an unknown control path.
func checkControlInfo(t *testing.T, c controlClient) {
	t.Helper()
	w := c.call("GET", "info", "")
	var inf Info
	if err := json.Unmarshal(w.Body.Bytes(), &inf); err != nil || inf.Region != DefaultRegion || inf.AccountID != DefaultAccountID ||
		len(inf.Projects) != 2 || !inf.Projects[1].Failing || inf.Projects[0].ARN != c.e.ProjectARN(DefaultProject) ||
		inf.StepDuration != "1s" || !inf.VirtualClock || inf.DeniedAccessKeyID != DeniedAccessKeyID {
		t.Fatalf("info: %v %s", err, w.Body)
	}
	if w := c.call("GET", "nothing-here", ""); w.Code != 404 || !strings.Contains(controlErrOf(w), "endpoints:") {
		t.Fatalf("unknown control path: %d %s", w.Code, w.Body)
	}
}

// checkControlWallClock checks that an emulator on the wall clock cannot be advanced,
// through the control surface or the API.
func checkControlWallClock(t *testing.T) {
	t.Helper()
	ew, err := New(Config{Control: true})
	if err != nil {
		t.Fatal(err)
	}
	if w := (controlClient{ew}).call("POST", "clock/advance", `{"duration":"1s"}`); w.Code != 400 || !strings.Contains(controlErrOf(w), "wall clock") {
		t.Fatalf("advance on the wall clock: %d %s", w.Code, w.Body)
	}
	if err := ew.Advance(time.Second); err == nil {
		t.Fatal("Advance on the wall clock succeeded")
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{
		{Region: "mars"},
		{AccountID: "12"},
		{StepDuration: -1},
		{MaxBodyBytes: -1},
		{Credentials: []Credential{}},
		{Credentials: []Credential{{AccessKeyID: "a"}}},
		{Credentials: []Credential{{AccessKeyID: "a", SecretAccessKey: "b"}, {AccessKeyID: "a", SecretAccessKey: "c"}}},
		{Credentials: []Credential{{AccessKeyID: "a", SecretAccessKey: "b", Deny: []string{"DeleteBucket"}}}},
		{Projects: []Project{}},
		{Projects: []Project{{Name: "a"}, {Name: "a"}}},
		{Projects: []Project{{Name: "arn:aws:dms:x"}}},
		{Defects: []string{"everything-broken"}},
		{Weather: Weather{FailEvery: -1}},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
	e, err := New(Config{Region: "eu-west-1", AccountID: "000000000001", Projects: []Project{{Name: "p", ID: "MYID"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.ProjectARN("p"); got != "arn:aws:dms:eu-west-1:000000000001:migration-project:MYID" || e.ProjectARN(got) != got || e.ProjectARN("q") != "" {
		t.Fatalf("ProjectARN: %q", got)
	}
}
