package reports

import (
	"os"
	"path/filepath"
	"strings"
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
		Mode:     ModeTarget,
		Tool:     Tool{Name: "dmsconform", Version: "v0.1.0-test"},
		Target:   Target{TargetKind: "aws", Endpoint: "https://dms.us-east-1.amazonaws.com", Region: "us-east-1", Project: arn},
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
	run.Mode = ModeMutation
	run.Target = Target{TargetKind: "embedded"}
	run.Matrix = &KillMatrix{
		Modes: []string{"two-union-members", "unknown-status", "wrong-fault-status", "drop-progress"},
		Killed: map[string][]string{
			"two-union-members":  {"CancelMetadataModelConversion.union.single-member"},
			"unknown-status":     {"CancelMetadataModelConversion.enum.status", "CancelMetadataModelConversion.shape.response"},
			"wrong-fault-status": {"CancelMetadataModelConversion.fault.not-found", "CancelMetadataModelConversion.fault.not-found.sdk"},
		},
		FalsePositives: []string{"CancelMetadataModelConversion.sdk.decode"},
		Proofs: []CheckProof{
			{ID: "CancelMetadataModelConversion.shape.response", Kind: "MemberType", KilledBy: []string{"unknown-status"}},
			{ID: "CancelMetadataModelConversion.shape.response.Progress", Kind: "MemberType"},
			{ID: "CancelMetadataModelConversion.union.single-member", Kind: "UnionSingle", KilledBy: []string{"two-union-members"}},
			{ID: "CancelMetadataModelConversion.enum.status", Kind: "EnumDocumented", KilledBy: []string{"unknown-status"}},
			{ID: "CancelMetadataModelConversion.fault.not-found", Kind: "FaultWire", KilledBy: []string{"wrong-fault-status"}},
			{ID: "CancelMetadataModelConversion.fault.not-found.sdk", Kind: "FaultSDK", KilledBy: []string{"wrong-fault-status"}, TableTestsOnly: "declared, wrongly"},
			{ID: "CancelMetadataModelConversion.input.missing.sdk", Kind: "InputMissingSDK", TableTestsOnly: "the SDK refuses before it sends: no target <answer> reaches it"},
			{ID: "CancelMetadataModelTrial.lifecycle.cancel", Kind: "CancelRunning", NotJudged: "aws-sdk-go-v2 has no CancelMetadataModelTrial"},
		},
	}
	return run
}

// sampleCausesRun is a run whose evidence broke in shared ways: a lifecycle walk that
// stopped (a skipped cause), a start that answered 500 until the retries ran out (an
// error cause, every attempt kept), an operation the target does not implement; a
// failing check whose message is a header and a list of problems and whose transcript
// lists one retried call twice; and what the run cost. Its verdict is FAIL.
func sampleCausesRun() *Run {
	run := sampleRun()
	req := `{"MigrationProjectIdentifier":"mp-7XK2","RequestIdentifier":"req-1"}`
	retried := func(name string, n int, last Exchange) []Exchange {
		var out []Exchange
		for i := 1; i < n; i++ {
			e := sampleExchange(name, req, 500, `{"__type":"InternalFailure","message":"try again"}`)
			e.Attempt, e.Script, e.Call = i, "conversion/walk", 1
			e.Retried = "HTTP 500 InternalFailure (transient: retried with backoff)"
			out = append(out, e)
		}
		last.Attempt, last.Script, last.Call = n, "conversion/walk", 1
		return append(out, last)
	}
	walk := Cause{ID: "conversion/walk-stopped", Outcome: Skipped,
		Title:     "the lifecycle walk stopped: StartMetadataModelConversion answered HTTP 200 without a RequestIdentifier: {}",
		Exchanges: []Exchange{sampleExchange("walk: start", req, 200, `{}`)}}
	broke := Cause{ID: "conversion/watch", Outcome: Error,
		Title:     "the progress watch could not start a request: HTTP 500 after 3 attempts (retry budget spent)",
		Message:   "StartMetadataModelConversion answered:\n- attempt 1: HTTP 500 InternalFailure\n- attempt 2: HTTP 500 InternalFailure\n- attempt 3: HTTP 500 InternalFailure",
		Exchanges: retried("watch: start", 3, sampleExchange("watch: start", req, 500, `{"__type":"InternalFailure","message":"still broken"}`))}
	unimpl := Cause{ID: "unimplemented/StartMetadataModelCreation", Outcome: Unimplemented,
		Title: "the target does not implement StartMetadataModelCreation (HTTP 501 UnknownOperationException)"}
	decide := func(c *Cause, id, title string, labels ...string) Check {
		ch := check(id, title, c.Outcome, labels...)
		ch.Cause, ch.Message = c.ID, "blocked by: "+c.Title
		if c.Outcome == Unimplemented {
			ch.Message = c.Title
		}
		ch.Needs = []string{"walk", "control surface"}
		c.Checks++
		return ch
	}
	run.Checks = append(run.Checks,
		decide(&walk, "lifecycle.cancelled-status", "end CANCELLED", "lifecycle"),
		decide(&walk, "lifecycle.second-cancel", "refuse a second cancel", "lifecycle"),
		decide(&walk, "lifecycle.progress", "keep progress", "lifecycle"),
		decide(&broke, "lifecycle.watch-steps", "walk documented steps", "lifecycle"),
		decide(&broke, "lifecycle.watch-percent", "never decrease ProgressPercent", "lifecycle"),
		decide(&unimpl, "creation.start", "start a creation", "creation"),
	)
	start := check("lifecycle.start", "a request starts", Fail, "lifecycle", "wire")
	start.Needs = []string{"walk", "watch (optional)"}
	start.Message = "StartMetadataModelConversion did not start requests:\n- \"walk: start\": HTTP 200 without a RequestIdentifier: {}\n- \"watch: start\": HTTP 500 after 3 attempts\n- \"scenario: start\": HTTP 200 without a RequestIdentifier: {}"
	start.Exchanges = append(retried("watch: start", 2, sampleExchange("watch: start", req, 200, `{}`)), walk.Exchanges[0])
	start.Exchanges = append(start.Exchanges, start.Exchanges...) // the same attempts, listed twice
	run.Checks = append(run.Checks, start)
	run.Causes = []Cause{walk, broke, unimpl}
	run.Calls = map[string]int{"CancelMetadataModelConversion": 10, "StartMetadataModelConversion": 11, "DescribeMetadataModelConversions": 77}
	run.Starts, run.StartBudget = 22, 26
	run.Phases = map[string]time.Duration{"gather": 9280 * time.Microsecond, "judge": 1175 * time.Microsecond, "write": 3 * time.Millisecond}
	return run
}

// sampleInterruptedRun is a run a signal ended: three checks were judged, the rest
// were not run and are skipped with the cause "interrupted".
func sampleInterruptedRun() *Run {
	run := sampleRun()
	run.Checks = run.Checks[1:4] // pass, fail, fail
	intr := Cause{ID: CauseInterrupted, Outcome: Skipped, Title: "not run: the run was interrupted (SIGINT/SIGTERM)"}
	for _, id := range []string{"lifecycle.cancel-running", "lifecycle.second-cancel", "enum.status", "input.project-arn"} {
		c := check(id, "not run", Skipped, "lifecycle")
		c.Cause, c.Message = intr.ID, "blocked by: "+intr.Title
		intr.Checks++
		run.Checks = append(run.Checks, c)
	}
	run.Causes = []Cause{intr}
	run.Interrupted = true
	run.Calls = map[string]int{"CancelMetadataModelConversion": 3}
	run.Starts, run.StartBudget = 1, 26
	return run
}

// TestWriteSampleReport writes the sample reports where DMSCONFORM_SAMPLE_OUT says,
// to look at report.html in a browser:
//
//	DMSCONFORM_SAMPLE_OUT=/tmp/sample go test ./reports -run TestWriteSampleReport
//
// (target, mutation, causes, interrupted and partial runs, one folder each).
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
	if err := WriteAll(dir+"/causes", sampleCausesRun()); err != nil {
		t.Fatal(err)
	}
	if err := WriteAll(dir+"/interrupted", sampleInterruptedRun()); err != nil {
		t.Fatal(err)
	}
	partial := sampleCausesRun()
	partial.Checks = checksWith(partial, func(c Check) bool { return c.Outcome == Pass || c.Cause != "" && c.Outcome != Error })
	partial.Causes = partial.Causes[:1]
	partial.Causes = append(partial.Causes, Cause{ID: "unimplemented/StartMetadataModelCreation", Outcome: Unimplemented, Title: "the target does not implement StartMetadataModelCreation", Checks: 1})
	if err := WriteAll(dir+"/partial", partial); err != nil {
		t.Fatal(err)
	}
}

func writeRun(t *testing.T, run *Run) (html, md, junit string) {
	t.Helper()
	dir := writeSample(t, run)
	return readFile(t, filepath.Join(dir, FileHTML)), readFile(t, filepath.Join(dir, FileMarkdown)), readFile(t, filepath.Join(dir, FileJUnit))
}

// checkBlock is the <details> block of one check in report.html.
func checkBlock(t *testing.T, html, id string) string {
	t.Helper()
	i := strings.Index(html, `id="check-CancelMetadataModelConversion.`+id+`"`)
	if i < 0 {
		t.Fatalf("report.html has no block for %s", id)
	}
	b := html[i:]
	return b[:strings.Index(b, "</details>\n<details class=\"check")+1]
}

// section is the text of report.html from the heading <h2>name</h2> to the next <h2>.
func section(html, name string) string {
	i := strings.Index(html, "<h2>"+name+"</h2>")
	if i < 0 {
		return ""
	}
	s := html[i+len(name)+9:]
	if j := strings.Index(s, "<h2>"); j >= 0 {
		s = s[:j]
	}
	return s
}
