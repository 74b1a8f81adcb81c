package runner

// docsEmulator is a DMS emulator as an emulator author writes one from AWS's public
// documentation alone (the API reference of the six metadata-model operations, the
// AWS CLI examples, the awsJson 1.1 protocol), with nothing of dmsconform's emulator
// and no control surface: the "emulator author" case. It serves
// StartMetadataModel{Conversion,Creation}, DescribeMetadataModel{Conversions,Creations},
// CancelMetadataModel{Conversion,Creation} and DescribeReplicationInstances over HTTP
// on 127.0.0.1, on the wall clock.
//
// As the documentation describes DMS: the requests of a project run one at a time;
// RECEIVED for a step, IN_PROGRESS (queued: no Progress; running: LOADING_METADATA,
// COUNTING_OBJECTS, ANALYZING, CONVERTING) then SUCCESS without Progress; selection
// rules that name no server of the project's source select nothing and the request
// fails at once with DMS's message; a cancel answers CANCELING and the request is
// CANCELED a step later (a cancel in the last step does not stop it); a principal IAM
// denies gets AccessDeniedException.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

const (
	docsAccount     = "210987654321"
	docsKey         = "AKIADOCSEMULATOR0001"
	docsSecret      = "docs-emulator-secret"
	docsDeniedKey   = "AKIADOCSEMULATORDENY"
	docsProject     = "author-project"
	docsFailing     = "author-failing"
	docsSourceHost  = "authordb"
	docsNoObjects   = "No objects were found according to the specified selection rules. Please review your selection rules and try again."
	docsUnreachable = "Failed to connect to the source data provider: host authordb-unreachable is not reachable"
)

var docsSteps = []string{"LOADING_METADATA", "COUNTING_OBJECTS", "ANALYZING", "CONVERTING"}

type docsRequest struct {
	id, project, family    string
	start, canceled        time.Time
	failNow, failLater     string // FAILED at once (selects nothing) / in its first step (project fails)
	recvEnd, runStart, end time.Time
	final                  string
}

type docsEmu struct {
	mu       sync.Mutex
	step     time.Duration
	requests []*docsRequest
	n        int
}

func startDocsEmulator(t *testing.T, step time.Duration) string {
	e := &docsEmu{step: step}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv.URL
}

func docsARN(project string) string {
	return "arn:aws:dms:us-east-1:" + docsAccount + ":migration-project:" + strings.ToUpper(project)
}

func docsFail(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-RequestId", "docs-request-id")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
}

var docsAuth = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/dms/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$`)

// authorized verifies SigV4 by signing a copy of the request with the same time and
// signed headers (how the aws-sdk-go-v2 documentation suggests checking a signature).
func (e *docsEmu) authorized(r *http.Request, body []byte) (key string, code, msg string) {
	m := docsAuth.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return "", "MissingAuthenticationTokenException", "Missing Authentication Token"
	}
	if m[1] != docsKey && m[1] != docsDeniedKey {
		return "", "UnrecognizedClientException", "The security token included in the request is invalid."
	}
	at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return "", "IncompleteSignatureException", "X-Amz-Date is missing"
	}
	cp, _ := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	for _, h := range strings.Split(m[4], ";") {
		if h != "host" {
			cp.Header.Set(h, r.Header.Get(h))
		}
	}
	sum := sha256.Sum256(body)
	_ = v4.NewSigner().SignHTTP(r.Context(), aws.Credentials{AccessKeyID: m[1], SecretAccessKey: docsSecret}, cp, hex.EncodeToString(sum[:]), "dms", m[3], at)
	if !strings.HasSuffix(cp.Header.Get("Authorization"), "Signature="+m[5]) {
		return "", "InvalidSignatureException", "The request signature we calculated does not match the signature you provided."
	}
	return m[1], "", ""
}

func (e *docsEmu) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	key, code, msg := e.authorized(r, body)
	if code != "" {
		status := http.StatusBadRequest
		if code == "InvalidSignatureException" {
			status = http.StatusForbidden
		}
		docsFail(w, status, code, msg)
		return
	}
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AmazonDMSv20160101.")
	known := map[string]string{"StartMetadataModelConversion": "conversion", "DescribeMetadataModelConversions": "conversion", "CancelMetadataModelConversion": "conversion",
		"StartMetadataModelCreation": "creation", "DescribeMetadataModelCreations": "creation", "CancelMetadataModelCreation": "creation", "DescribeReplicationInstances": ""}
	family, isKnown := known[op]
	if !ok || !isKnown {
		docsFail(w, 400, "UnknownOperationException", "Unknown operation "+r.Header.Get("X-Amz-Target"))
		return
	}
	if strings.HasPrefix(op, "Cancel") && key == docsDeniedKey {
		docsFail(w, 400, "AccessDeniedException", "User: arn:aws:iam::"+docsAccount+":user/denied is not authorized to perform: dms:"+op+" on resource: "+docsARN(docsProject))
		return
	}
	var in map[string]any
	if err := json.Unmarshal(body, &in); err != nil {
		docsFail(w, 400, "SerializationException", "the body is not a JSON object")
		return
	}
	out, status, code, msg := e.serve(op, family, in)
	if code != "" {
		docsFail(w, status, code, msg)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-RequestId", "docs-request-id")
	_ = json.NewEncoder(w).Encode(out)
}

func (e *docsEmu) serve(op, family string, in map[string]any) (out map[string]any, status int, code, msg string) {
	if op == "DescribeReplicationInstances" {
		return map[string]any{"ReplicationInstances": []any{}}, 200, "", ""
	}
	str := func(k string) (string, bool) { s, ok := in[k].(string); return s, ok }
	project, ok := str("MigrationProjectIdentifier")
	if !ok || len(project) > 255 {
		return nil, 400, "ValidationException", "MigrationProjectIdentifier must be a string of at most 255 characters"
	}
	if project != docsProject && project != docsFailing && project != docsARN(docsProject) && project != docsARN(docsFailing) {
		return nil, 400, "ResourceNotFoundFault", "Migration project " + project + " not found"
	}
	project = strings.ToLower(strings.TrimPrefix(project, "arn:aws:dms:us-east-1:"+docsAccount+":migration-project:"))
	e.mu.Lock()
	defer e.mu.Unlock()
	now := time.Now()
	switch {
	case strings.HasPrefix(op, "Start"):
		rules, ok := str("SelectionRules")
		if !ok {
			return nil, 400, "ValidationException", "SelectionRules is required"
		}
		e.n++
		req := &docsRequest{id: fmt.Sprintf("00000000-d0c5-4000-8000-%012d", e.n), project: project, family: family, start: now}
		if !strings.Contains(rules, `"server-name":"`+docsSourceHost+`"`) {
			req.failNow = docsNoObjects
		} else if project == docsFailing {
			req.failLater = docsUnreachable
		}
		e.requests = append(e.requests, req)
		return map[string]any{"RequestIdentifier": req.id}, 200, "", ""
	case strings.HasPrefix(op, "Describe"):
		var ids []string
		filters, _ := in["Filters"].([]any)
		for _, f := range filters {
			if fm, _ := f.(map[string]any); fm["Name"] == "request-id" {
				for _, v := range fm["Values"].([]any) {
					ids = append(ids, fmt.Sprint(v))
				}
			}
		}
		reqs := []any{}
		for _, r := range e.schedule(now) {
			if r.project == project && r.family == family && (ids == nil || contains(ids, r.id)) {
				reqs = append(reqs, e.render(r, now))
			}
		}
		return map[string]any{"Requests": reqs}, 200, "", ""
	}
	id, ok := str("RequestIdentifier")
	if !ok {
		return nil, 400, "ValidationException", "RequestIdentifier must be a string"
	}
	for _, r := range e.schedule(now) {
		if r.id != id || r.project != project || r.family != family {
			continue
		}
		if r.final != "" && !now.Before(r.end) {
			return nil, 400, "InvalidResourceStateFault", "Request " + id + " has already ended: " + r.final
		}
		if r.canceled.IsZero() {
			r.canceled = now
		}
		e.schedule(now)
		return map[string]any{"Request": e.render(r, now)}, 200, "", ""
	}
	return nil, 400, "ResourceNotFoundFault", "Request " + id + " not found"
}

// schedule computes when each request runs and ends: one at a time per project.
func (e *docsEmu) schedule(now time.Time) []*docsRequest {
	free := map[string]time.Time{}
	for _, r := range e.requests {
		r.recvEnd, r.runStart, r.end, r.final = r.start.Add(e.step), time.Time{}, time.Time{}, ""
		if r.failNow != "" {
			r.end, r.final = r.start, "FAILED"
			continue
		}
		run := r.recvEnd
		if f := free[r.project]; f.After(run) {
			run = f
		}
		full := run.Add(time.Duration(len(docsSteps)) * e.step)
		switch {
		case !r.canceled.IsZero() && r.canceled.Before(run):
			r.end, r.final = r.canceled.Add(e.step), "CANCELED"
			continue // never ran
		case r.failLater != "":
			r.end, r.final = run.Add(e.step), "FAILED"
		case !r.canceled.IsZero() && r.canceled.Before(full.Add(-e.step)):
			r.end, r.final = r.canceled.Add(e.step), "CANCELED"
		default:
			r.end, r.final = full, "SUCCESS"
		}
		r.runStart, free[r.project] = run, r.end
	}
	return e.requests
}

func (e *docsEmu) render(r *docsRequest, now time.Time) map[string]any {
	m := map[string]any{"RequestIdentifier": r.id, "MigrationProjectArn": docsARN(r.project)}
	switch {
	case !now.Before(r.end) && r.final != "":
		m["Status"] = r.final
		if r.final == "FAILED" {
			msg := r.failNow + r.failLater
			m["Error"] = map[string]any{"defaultErrorDetails": map[string]any{"Message": msg}}
		}
	case !r.canceled.IsZero() && !now.Before(r.canceled):
		m["Status"] = "CANCELING"
	case now.Before(r.recvEnd):
		m["Status"] = "RECEIVED"
	case r.runStart.IsZero() || now.Before(r.runStart):
		m["Status"] = "IN_PROGRESS" // queued: no Progress
	default:
		el := now.Sub(r.runStart)
		i := min(int(el/e.step), len(docsSteps)-1)
		pct := float64(el-time.Duration(i)*e.step) / float64(e.step) * 100
		m["Status"] = "IN_PROGRESS"
		m["Progress"] = map[string]any{"ProgressStep": docsSteps[i], "ProgressPercent": float64(int(pct*10)) / 10, "TotalObjects": 12}
	}
	return m
}

// docsInputs are the Start inputs an author's user passes: selection rules naming the
// project's source server (the harness's own name server dmsconform, which selects
// nothing there).
const docsInputs = `# what the Start requests send (the project is filled in)
StartMetadataModelConversion:
  SelectionRules: '{"rules":[{"rule-type":"selection","rule-id":"1","rule-name":"all","object-locator":{"server-name":"authordb","schema-name":"%"},"rule-action":"explicit"}]}'
StartMetadataModelCreation:
  SelectionRules: '{"rules":[{"rule-type":"selection","rule-id":"1","rule-name":"all","object-locator":{"server-name":"authordb","schema-name":"dbo"},"rule-action":"explicit"}]}'
  MetadataModelName: dmsconform_view
  Properties: {StatementProperties: {Definition: "CREATE VIEW dbo.dmsconform_view AS SELECT 1 AS one"}}
`

// TestAnEmulatorWrittenFromTheDocsReachesPASS is the emulator author's case: an
// emulator written from AWS's public documentation, without dmsconform's control
// surface, reaches PASS without any label filter once it is given what a user could
// supply (a denied principal, a failing project, Start inputs). The checks that need a
// control surface are not applicable to it (coverage, listed apart), not a reason for
// PARTIAL. Without the Start inputs, or the failing project, the run is PARTIAL, and
// its cause names the flag (and quotes the target's Error).
func TestAnEmulatorWrittenFromTheDocsReachesPASS(t *testing.T) {
	url := startDocsEmulator(t, 100*time.Millisecond)
	full := engine.Config{Target: engine.TargetEndpoint, Endpoint: url, Project: docsProject, AccessKeyID: docsKey, SecretAccessKey: docsSecret,
		DeniedAccessKeyID: docsDeniedKey, DeniedSecretAccessKey: docsSecret, FailingProject: docsFailing,
		StartInputs: writeFile(t, "start-inputs.yaml", docsInputs), MinDelay: 20 * time.Millisecond, MaxDelay: 200 * time.Millisecond}
	res, err := run(t, Options{Config: full})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("with everything: %s", reports.Verdict(res.Run))
	if status, text := reports.VerdictStatus(res.Run); status != "PASS" || res.ExitCode != reports.ExitOK {
		t.Errorf("verdict %s (exit %d): %s", status, res.ExitCode, text)
	}
	na := 0
	for _, c := range res.Run.Checks {
		switch {
		case c.Outcome == reports.Fail || c.Outcome == reports.Error || c.Outcome == reports.Unimplemented:
			t.Errorf("%s: %s: %s", c.ID, c.Outcome, c.Message)
		case reports.IsNotApplicable(c):
			na++
			if !slices.Contains(c.Needs, engine.NeedControl) {
				t.Errorf("%s is not applicable, but needs no control surface: %v", c.ID, c.Needs)
			}
		case strings.HasPrefix(c.Cause, reports.CauseNeeds):
			t.Errorf("%s: decided by %s, though the run has everything a user could supply", c.ID, c.Cause)
		}
	}
	if na == 0 || len(res.Run.NotApplicable) != 1 || len(res.Run.NotApplicable[0].Checks) != na {
		t.Errorf("coverage: %d checks not applicable, report.json lists %+v", na, res.Run.NotApplicable)
	}
	for _, id := range []string{"CancelMetadataModelConversion.union.ErrorDetails.single-member", "CancelMetadataModelCreation.union.ErrorDetails.defaultErrorDetails.decodes",
		"CancelMetadataModelConversion.lifecycle.canceled", "CancelMetadataModelCreation.lifecycle.terminal-stays", "CancelMetadataModelConversion.fault.AccessDeniedFault.wire"} {
		if c := byID(res.Run)[id]; c.Outcome != reports.Pass {
			t.Errorf("%s: %s %s, want it judged (pass)", id, c.Outcome, c.Message)
		}
	}
	summary, _ := os.ReadFile(filepath.Join(res.Dir, reports.FileMarkdown))
	if !strings.Contains(string(summary), "#### Not applicable here") {
		t.Errorf("summary.md has no coverage section:\n%s", summary)
	}

	// Without the Start inputs the harness's own selection rules select nothing: the
	// walk's requests fail at once, and the cause says what the target said and which
	// flag judges them.
	noInputs := full
	noInputs.StartInputs = ""
	res, err = run(t, Options{Config: noInputs})
	if err != nil {
		t.Fatal(err)
	}
	status, text := reports.VerdictStatus(res.Run)
	t.Logf("without --start-inputs: %s: %s", status, text)
	if status != "PARTIAL" || !strings.Contains(text, "--start-inputs") {
		t.Errorf("without --start-inputs: %s: %s", status, text)
	}
	cause := causeOf(res.Run, "needs/start-inputs")
	if cause == nil || !strings.Contains(cause.Title, docsNoObjects) || !strings.Contains(cause.Title, "pass --start-inputs FILE") {
		t.Errorf("without --start-inputs, the cause: %+v", cause)
	}

	// Without the failing project nothing makes a request fail: the union is not judged.
	noFailing := full
	noFailing.FailingProject = ""
	res, err = run(t, Options{Config: noFailing})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("without --failing-project: %s", reports.Verdict(res.Run))
	if status, text := reports.VerdictStatus(res.Run); status != "PARTIAL" || !strings.Contains(text, "--failing-project") {
		t.Errorf("without --failing-project: %s: %s", status, text)
	}
	if c := byID(res.Run)["CancelMetadataModelConversion.union.ErrorDetails.single-member"]; c.Cause != "needs/failing-project" {
		t.Errorf("without --failing-project, single-member: %s %s (cause %q)", c.Outcome, c.Message, c.Cause)
	}
}

func causeOf(run *reports.Run, id string) *reports.Cause {
	for i := range run.Causes {
		if run.Causes[i].ID == id {
			return &run.Causes[i]
		}
	}
	return nil
}
