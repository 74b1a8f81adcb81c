package record

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const testCheck = "conversion/walk"

func testRecording() *Recording {
	ex1 := Exchange{Seq: 1, View: "wire", Name: "cancel",
		Request: Message{Method: "POST", Path: "/", Target: "AmazonDMSv20160101.CancelMetadataModelConversion",
			Body: map[string]any{"RequestIdentifier": "<request-id:1>", "MigrationProjectIdentifier": "dmsconform-project"}},
		Response: Message{Status: 200, Headers: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amzn-Requestid": "<request-id:2>"},
			Body: map[string]any{"Request": map[string]any{
				"RequestIdentifier":   "<request-id:1>",
				"MigrationProjectArn": "arn:aws:dms:us-east-1:<account:1>:migration-project:X",
				"Status":              "CANCELING",
				"Note":                "at <timestamp:1>, scenario <uuid:1>",
				"TotalObjects":        json.Number("40"),
			}}}}
	ex2 := Exchange{Seq: 2, View: "control", Name: "control POST scenarios",
		Request:  Message{Method: "POST", Path: "/_dmsconform/v1/scenarios"},
		Response: Message{Status: 201, BodyText: "created"}}
	ex3 := Exchange{Seq: 3, View: "sdk", Name: "describe", Error: "connection reset",
		Request: Message{Method: "POST", Path: "/", Target: "AmazonDMSv20160101.DescribeMetadataModelConversions"}}
	return &Recording{
		Meta: Meta{Control: true, Target: TargetRef{TargetKind: "aws", Region: "eu-west-1", Project: "arn:aws:dms:eu-west-1:<account:1>:migration-project:P"},
			Placeholders: map[string]Placeholder{"<timestamp:1>": {CategoryTimestamp, ShapeHTTPDate}}},
		Scripts: map[string]*ScriptFile{
			testCheck:   {Key: testCheck, Exchanges: []Exchange{ex1, ex2, ex3}},
			SetupScript: {Key: SetupScript, Exchanges: []Exchange{}},
		},
	}
}

func post(t *testing.T, url, check, target, body string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	if check != "" {
		req.Header.Set(ScriptHeader, check)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestReplayServesByStreamAndSequence(t *testing.T) {
	srv := httptest.NewServer(NewReplayer(testRecording()))
	defer srv.Close()

	liveID := "7c9e6679-7425-40de-944b-e07fc1f90ae7"
	resp, body := post(t, srv.URL+"/", testCheck, "AmazonDMSv20160101.CancelMetadataModelConversion",
		`{"RequestIdentifier":"`+liveID+`","MigrationProjectIdentifier":"dmsconform-project"}`)
	if resp == nil || resp.StatusCode != 200 {
		t.Fatalf("first request: %v %s", resp, body)
	}
	var got struct{ Request map[string]any }
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if got.Request["RequestIdentifier"] != liveID {
		t.Errorf("RequestIdentifier %v: a replay echoes the id the request sent (%s)", got.Request["RequestIdentifier"], liveID)
	}
	if got.Request["MigrationProjectArn"] != "arn:aws:dms:us-east-1:000000000001:migration-project:X" {
		t.Errorf("ARN %v", got.Request["MigrationProjectArn"])
	}
	if got.Request["Note"] != "at Thu, 01 Jan 2026 00:00:01 GMT, scenario 00000000-0000-4000-8000-000000000001" {
		t.Errorf("note %v", got.Request["Note"])
	}
	if got.Request["TotalObjects"] != float64(40) {
		t.Errorf("TotalObjects %v", got.Request["TotalObjects"])
	}
	uuidRe := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if id := resp.Header.Get("X-Amzn-Requestid"); !uuidRe.MatchString(id) {
		t.Errorf("x-amzn-RequestId %q is not a UUID", id)
	}

	// Another operation than the recorded one at #2: a 400 naming stream and call.
	resp, body = post(t, srv.URL+"/", testCheck, "AmazonDMSv20160101.StartMetadataModelConversion", `{}`)
	if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-ErrorType") != ReplayMismatch ||
		!strings.Contains(body, testCheck) || !strings.Contains(body, "#2") || !strings.Contains(body, "control POST scenarios") {
		t.Errorf("operation mismatch: %d %s", resp.StatusCode, body)
	}
	// #3 had no response: the connection ends without one.
	if resp, msg := post(t, srv.URL+"/", testCheck, "AmazonDMSv20160101.DescribeMetadataModelConversions", `{}`); resp != nil {
		t.Errorf("a recorded transport error should end the connection, got HTTP %d", resp.StatusCode)
	} else if msg == "" {
		t.Error("no client error")
	}
	// Beyond the recording.
	resp, body = post(t, srv.URL+"/", testCheck, "AmazonDMSv20160101.CancelMetadataModelConversion", `{}`)
	if resp.StatusCode != 400 || !strings.Contains(body, "#4") || !strings.Contains(body, "holds 3 for it") {
		t.Errorf("beyond the recording: %d %s", resp.StatusCode, body)
	}
	// An unknown stream.
	resp, body = post(t, srv.URL+"/", "no/such/stream", "AmazonDMSv20160101.CancelMetadataModelConversion", `{}`)
	if resp.StatusCode != 400 || !strings.Contains(body, "no/such/stream") || !strings.Contains(body, "#1") {
		t.Errorf("unknown stream: %d %s", resp.StatusCode, body)
	}
	// Another tool (no stream header) gets the recorded answer of its operation.
	srv2 := httptest.NewServer(NewReplayer(testRecording()))
	defer srv2.Close()
	if resp, body := post(t, srv2.URL+"/", "", "AmazonDMSv20160101.CancelMetadataModelConversion", `{}`); resp == nil || resp.StatusCode != 200 || !strings.Contains(body, "CANCELING") {
		t.Errorf("a request without a stream: %v %s", resp, body)
	}
}

func TestStartReplayFromFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rec")
	if err := testRecording().Write(dir); err != nil {
		t.Fatal(err)
	}
	rs, err := StartReplay(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	if rs.Region != "eu-west-1" || rs.Project != "arn:aws:dms:eu-west-1:000000000001:migration-project:P" {
		t.Errorf("region %q project %q", rs.Region, rs.Project)
	}
	if rs.Control != rs.URL+"/_dmsconform/v1/" {
		t.Errorf("control %q: the recording had a control surface", rs.Control)
	}
	post(t, rs.URL+"/", testCheck, "AmazonDMSv20160101.CancelMetadataModelConversion", `{}`)
	req, _ := http.NewRequest(http.MethodPost, rs.Control+"scenarios", strings.NewReader(`{}`))
	req.Header.Set(ScriptHeader, testCheck)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 || string(b) != "created" {
		t.Errorf("control: %d %q", resp.StatusCode, b)
	}

	if _, err := StartReplay(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a recording") {
		t.Errorf("empty folder: %v", err)
	}
}

func TestSyntheticValues(t *testing.T) {
	for ph, want := range map[string]string{
		"<account:12>":    "000000000012",
		"<uuid:255>":      "00000000-0000-4000-8000-0000000000ff",
		"<request-id:1>":  "00000000-0000-4000-a000-000000000001",
		"<timestamp:61>":  "2026-01-01T00:01:01Z",
		"<unknown:1>":     "<unknown:1>",
		"not-placeholder": "not-placeholder",
	} {
		if got := Synthetic(ph, ""); got != want {
			t.Errorf("Synthetic(%s) = %q, want %q", ph, got, want)
		}
	}
	if got := Synthetic("<timestamp:1>", ShapeAmzDate); got != "20260101T000001Z" {
		t.Errorf("amz-date: %q", got)
	}
}

func TestWriteRefusesForeignFolder(t *testing.T) {
	dir := t.TempDir()
	if err := writeFile(filepath.Join(dir, "notes.txt"), "mine"); err != nil {
		t.Fatal(err)
	}
	if err := PrepareDir(dir); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("a folder with other files: %v", err)
	}
	rec := filepath.Join(t.TempDir(), "rec")
	if err := testRecording().Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := testRecording().Write(rec); err != nil {
		t.Errorf("re-recording into a recording: %v", err)
	}
	loaded, err := Load(rec)
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded.Scripts[testCheck].Exchanges) != 3 || loaded.Meta.Format != Format {
		t.Errorf("round trip: %+v", loaded.Meta)
	}
}

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o644) }
