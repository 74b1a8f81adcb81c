package reports

import (
	"os"
	"testing"
	"time"
)

// Test credentials: shaped like real ones, planted everywhere a leak could hide.
const (
	testAccessKey    = "AKIAIOSFODNN7EXAMPLE"
	testSTSKey       = "ASIAQWERTYUIOPASDFGH"
	testSecretKey    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	testSessionToken = "FwoGZXIvYXdzEJr//////////wEaDOZRAEXAMPLETOKEN+xyz/abc=="
	testAccount1     = "123456789012"
	testAccount2     = "210987654321"
	testSignature    = "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024"
)

var sampleStart = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// sampleAuth is a SigV4 Authorization value with the test credentials.
func sampleAuth() string {
	return "AWS4-HMAC-SHA256 Credential=" + testAccessKey + "/20260314/us-east-1/dms/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=" + testSignature
}

func sampleExchange(name, reqBody string, status int, respBody string) Exchange {
	return Exchange{
		Name: name,
		View: "wire",
		Request: HTTPMessage{
			Method: "POST",
			URL:    "https://dms.us-east-1.amazonaws.com/",
			Headers: map[string][]string{
				"Authorization":        {sampleAuth()},
				"X-Amz-Security-Token": {testSessionToken},
				"X-Amz-Target":         {"AmazonDMSv20160101.CancelMetadataModelConversion"},
				"Content-Type":         {"application/x-amz-json-1.1"},
				"X-Amz-Date":           {"20260314T092653Z"},
			},
			Body: reqBody,
		},
		Response: HTTPMessage{
			Status: status,
			Headers: map[string][]string{
				"Content-Type":     {"application/x-amz-json-1.1"},
				"X-Amzn-Requestid": {"5d2c6c1e-8f0a-4d7b-9b1e-3c3a5f0e2a11"},
			},
			Body: respBody,
		},
		Duration: 3 * time.Millisecond,
	}
}

func check(id, title string, o Outcome, labels ...string) Check {
	return Check{
		CheckInfo: CheckInfo{
			ID:          "CancelMetadataModelConversion." + id,
			Title:       title,
			Description: "The response MUST " + title + ".",
			Level:       "MUST",
			Labels:      labels,
			Pointer:     "#/components/schemas/CancelMetadataModelConversionResponse",
			Operation:   "CancelMetadataModelConversion",
		},
		Outcome:  o,
		Duration: 2 * time.Millisecond,
	}
}

// sampleRun builds a run with every outcome, transcripts full of test credentials and
// account ids, and text that needs escaping in HTML, XML and Markdown.
func sampleRun() *Run {
	arn := "arn:aws:dms:us-east-1:" + testAccount1 + ":migration-project:mp-7XK2"
	req := `{"MigrationProjectIdentifier":"` + arn + `","RequestIdentifier":"req-1"}`
	ok := `{"Request":{"Status":"CANCELLED","RequestIdentifier":"req-1","MigrationProjectArn":"` + arn + `","Progress":{"ProgressPercent":40,"ProgressStep":"CONVERTING"}}}`

	pass := check("shape.response", "carry a Request member", Pass, "shape", "wire")
	pass.Exchanges = []Exchange{sampleExchange("cancel a running conversion", req, 200, ok)}

	fail := check("union.single-member", "set exactly one union member", Fail, "union", "wire")
	fail.Message = "expected exactly one member of ExportSqlDetails, got 2: <script>alert(1)</script> & \"S3ObjectKey\"\nin account " + testAccount2 + " (key " + testAccessKey + ")"
	fail.Exchanges = []Exchange{sampleExchange("cancel with two members", req, 200,
		`{"Request":{"ExportSqlDetails":{"S3ObjectKey":"</pre><script>alert(2)</script>","ObjectURL":"https://bucket.s3.amazonaws.com/x?X-Amz-Credential=`+testSTSKey+`%2F20260314%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=`+testSignature+`&X-Amz-Security-Token=`+testSessionToken+`"}}}`)}

	fault := check("fault.not-found", "map ResourceNotFoundFault to HTTP 400", Fail, "fault", "sdk")
	fault.Message = "got HTTP 500 InternalFailure, want 400 ResourceNotFoundFault (secret " + testSecretKey + ")"
	fault.Exchanges = []Exchange{sampleExchange("cancel unknown request", `{"MigrationProjectIdentifier":"nope","RequestIdentifier":"missing"}`, 500, `{"__type":"InternalFailure","message":"boom"}`)}

	drift := check("enum.status", "use a documented Status value", Drift, "enum")
	drift.Message = `undocumented Status "PAUSED" (documented: IN_PROGRESS, SUCCESS, FAILED, CANCELLED)`

	errc := check("lifecycle.cancel-running", "stop a running conversion", Error, "lifecycle")
	errc.Message = "dial tcp 127.0.0.1:4566: connect: connection refused"
	errc.Exchanges = []Exchange{{Name: "start conversion", Request: HTTPMessage{Method: "POST", URL: "http://127.0.0.1:4566/", Headers: map[string][]string{"Authorization": {sampleAuth()}}}, Error: "connection refused"}}

	skip := check("input.project-arn", "accept a project ARN", Skipped, "input")
	skip.Message = "needs --project (real AWS only)"

	unimpl := check("sdk.decode", "decode with aws-sdk-go-v2", Unimplemented, "sdk")
	unimpl.Message = "target answered UnknownOperationException"

	return &Run{
		Kind:     KindTarget,
		Tool:     Tool{Name: "dmsconform", Version: "v0.1.0-test"},
		Target:   Target{Kind: "aws", Endpoint: "https://dms.us-east-1.amazonaws.com", Region: "us-east-1", Project: arn},
		Model:    ModelInfo{Version: "2016-01-01+1", SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Source: "spec/dms.openapi.yaml"},
		Started:  sampleStart,
		Duration: 1500 * time.Millisecond,
		// deliberately unsorted: Finalize sorts
		Checks:   []Check{unimpl, pass, fail, fault, drift, errc, skip},
		Warnings: []string{"profile for account " + testAccount1 + " uses long-lived keys"},
	}
}

// sampleMutationRun is a kill-matrix run.
func sampleMutationRun() *Run {
	run := sampleRun()
	run.Kind = KindMutation
	run.Target = Target{Kind: "embedded"}
	run.Matrix = &KillMatrix{
		Modes: []string{"two-union-members", "unknown-status", "wrong-fault-status", "drop-progress"},
		Killed: map[string][]string{
			"two-union-members":  {"CancelMetadataModelConversion.union.single-member"},
			"unknown-status":     {"CancelMetadataModelConversion.enum.status", "CancelMetadataModelConversion.shape.response"},
			"wrong-fault-status": {"CancelMetadataModelConversion.fault.not-found"},
		},
		FalsePositives: []string{"CancelMetadataModelConversion.sdk.decode"},
	}
	return run
}

// TestWriteSampleReport writes the sample reports where DMSCONFORM_SAMPLE_OUT says,
// to look at report.html in a browser:
//
//	DMSCONFORM_SAMPLE_OUT=/tmp/sample go test ./reports -run TestWriteSampleReport
func TestWriteSampleReport(t *testing.T) {
	dir := os.Getenv("DMSCONFORM_SAMPLE_OUT")
	if dir == "" {
		t.Skip("set DMSCONFORM_SAMPLE_OUT to a folder to write the sample reports there")
	}
	base := sampleRun()
	base.Started = sampleStart.Add(-24 * time.Hour)
	base.Checks[1].Outcome = Fail // shape.response was failing yesterday
	base.Checks = append(base.Checks, check("wire.removed", "old check", Pass, "wire"))
	run := sampleRun()
	known := []KnownDeviation{
		{CheckID: "CancelMetadataModelConversion.fault.not-found", Target: "aws", Reason: "DMS returns 500 for unknown requests, AWS case 1234", Expires: sampleStart.Add(30 * 24 * time.Hour)},
		{CheckID: "CancelMetadataModelConversion.enum.*", Target: "*", Reason: "old", Expires: sampleStart.Add(-time.Hour)},
	}
	Compare(base, run, known, sampleStart)
	if err := WriteAll(dir+"/target", run, WithSecrets(testSecretKey, testSessionToken)); err != nil {
		t.Fatal(err)
	}
	if err := WriteAll(dir+"/mutation", sampleMutationRun()); err != nil {
		t.Fatal(err)
	}
}
