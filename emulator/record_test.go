package emulator

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The tests in this file pin what AWS's public record says DMS does (botocore's model
// documentation, the AWS CLI examples tested against the service, the DMS user guide)
// and the emulator does by default.

// statusAt describes one conversion request of project through the wire.
func statusAt(t *testing.T, e *Emulator, project, id string) (status string, progress map[string]any, req map[string]any) {
	t.Helper()
	w := raw(t, e, "DescribeMetadataModelConversions", `{"MigrationProjectIdentifier":"`+project+`","Filters":[{"Name":"request-id","Values":["`+id+`"]}]}`)
	if w.Code != 200 {
		t.Fatalf("describe %s: %d %s", id, w.Code, w.Body)
	}
	r := first(w)
	p, _ := r["Progress"].(map[string]any)
	s, _ := r["Status"].(string)
	return s, p, r
}

func cancelRaw(t *testing.T, e *Emulator, op, project, id string) *httptest.ResponseRecorder {
	t.Helper()
	return raw(t, e, op, `{"MigrationProjectIdentifier":"`+project+`","RequestIdentifier":"`+id+`"}`)
}

// TestQueueOneAtATimePerProject: "If other requests created by Start* operations are
// already in the migration project's queue, the conversion begins after they
// complete": the requests of one project, of both families, run one at a time; a
// queued request is IN_PROGRESS without Progress ("queued or actively running");
// another project has a queue of its own.
func TestQueueOneAtATimePerProject(t *testing.T) {
	e, vc := newTestEmulator(t, nil)
	a := startRaw(t, e, FamilyConversion, DefaultProject)
	b := startRaw(t, e, FamilyCreation, DefaultProject)
	other := startRaw(t, e, FamilyConversion, FailingProject)
	if st, p, _ := statusAt(t, e, DefaultProject, a); st != StatusReceived || p != nil {
		t.Fatalf("at t0: %s %v, want RECEIVED without Progress", st, p)
	}
	vc.Advance(stepsDur(1.5))
	if st, p, _ := statusAt(t, e, DefaultProject, a); st != StatusInProgress || p["ProgressStep"] != StepLoadingMetadata {
		t.Fatalf("the first request: %s %v, want LOADING_METADATA", st, p)
	}
	creation := func() (string, map[string]any) {
		w := raw(t, e, "DescribeMetadataModelCreations", `{"MigrationProjectIdentifier":"`+DefaultProject+`"}`)
		r := first(w)
		p, _ := r["Progress"].(map[string]any)
		s, _ := r["Status"].(string)
		return s, p
	}
	if st, p := creation(); st != StatusInProgress || p != nil {
		t.Fatalf("the creation request behind it: %s %v, want IN_PROGRESS without Progress (queued)", st, p)
	}
	if st, p, _ := statusAt(t, e, FailingProject, other); st != StatusInProgress || p["ProgressStep"] != StepLoadingMetadata {
		t.Fatalf("the other project's request: %s %v, want running (a queue of its own)", st, p)
	}
	vc.Advance(stepsDur(3.5)) // 5 steps: a ends
	if st, p, _ := statusAt(t, e, DefaultProject, a); st != StatusSuccess || p != nil {
		t.Fatalf("the first request: %s %v, want SUCCESS without Progress", st, p)
	}
	if st, p := creation(); st != StatusInProgress || p["ProgressStep"] != StepLoadingMetadata {
		t.Fatalf("the creation request %s once the first ended: %s %v, want its LOADING_METADATA", b, st, p)
	}
}

// TestCancelWhileQueuedEndsCanceled: a request cancelled before its turn never runs:
// CANCELING without Progress, then CANCELED; the running request is unaffected.
func TestCancelWhileQueuedEndsCanceled(t *testing.T) {
	e, vc := newTestEmulator(t, nil)
	a := startRaw(t, e, FamilyConversion, DefaultProject)
	b := startRaw(t, e, FamilyConversion, DefaultProject)
	vc.Advance(stepsDur(2))
	w := cancelRaw(t, e, "CancelMetadataModelConversion", DefaultProject, b)
	if r := first(w); w.Code != 200 || r["Status"] != StatusCanceling || r["Progress"] != nil {
		t.Fatalf("cancel of the queued request: %d %s, want CANCELING without Progress", w.Code, w.Body)
	}
	for _, at := range []float64{0.5, 2.5} {
		vc.Advance(stepsDur(at))
		if st, p, _ := statusAt(t, e, DefaultProject, b); p != nil || st != map[bool]string{true: StatusCanceling, false: StatusCanceled}[at < 1] {
			t.Fatalf("the cancelled queued request: %s %v", st, p)
		}
	}
	vc.Advance(stepsDur(1)) // 6 steps: a ran its course
	if st, _, _ := statusAt(t, e, DefaultProject, a); st != StatusSuccess {
		t.Fatalf("the running request: %s, want SUCCESS", st)
	}
}

// TestCancelInTheLastStepFinishesAnyway: CANCELING "might still succeed or fail before
// cancellation takes effect". A cancel that lands in a request's last step does not
// stop it: it ends SUCCESS (or FAILED) when the step ends; a cancel that lands early
// ends CANCELED. The project's next request starts when the cancelled one is terminal.
func TestCancelInTheLastStepFinishesAnyway(t *testing.T) {
	t.Run("SUCCESS", func(t *testing.T) {
		e, vc := newTestEmulator(t, nil)
		id := startRaw(t, e, FamilyConversion, DefaultProject)
		next := startRaw(t, e, FamilyConversion, DefaultProject)
		vc.Advance(stepsDur(4.5)) // CONVERTING, its last step
		if w := cancelRaw(t, e, "CancelMetadataModelConversion", DefaultProject, id); first(w)["Status"] != StatusCanceling {
			t.Fatalf("cancel: %d %s", w.Code, w.Body)
		}
		vc.Advance(stepsDur(0.5) - 1)
		if st, _, _ := statusAt(t, e, DefaultProject, id); st != StatusCanceling {
			t.Fatalf("before the step ends: %s, want CANCELING", st)
		}
		if st, p, _ := statusAt(t, e, DefaultProject, next); st != StatusInProgress || p != nil {
			t.Fatalf("the next request: %s %v, want queued", st, p)
		}
		vc.Advance(1)
		if st, p, r := statusAt(t, e, DefaultProject, id); st != StatusSuccess || p != nil || r["Error"] != nil {
			t.Fatalf("when the step ends: %s %v, want SUCCESS", st, p)
		}
		if st, p, _ := statusAt(t, e, DefaultProject, next); st != StatusInProgress || p["ProgressStep"] != StepLoadingMetadata {
			t.Fatalf("the next request: %s %v, want its turn", st, p)
		}
		// terminal now: a second cancel is refused
		if w := cancelRaw(t, e, "CancelMetadataModelConversion", DefaultProject, id); body(w)["__type"] != CodeInvalidState {
			t.Fatalf("second cancel: %d %s", w.Code, w.Body)
		}
	})
	t.Run("FAILED", func(t *testing.T) {
		e, vc := newTestEmulator(t, nil)
		id := startRaw(t, e, FamilyConversion, FailingProject)
		vc.Advance(stepsDur(1.5)) // LOADING_METADATA, the last step of a request that fails
		cancelRaw(t, e, "CancelMetadataModelConversion", FailingProject, id)
		vc.Advance(stepsDur(0.5))
		st, p, r := statusAt(t, e, FailingProject, id)
		u, _ := r["Error"].(map[string]any)
		if st != StatusFailed || p != nil || u["defaultErrorDetails"] == nil {
			t.Fatalf("%s %v %v, want FAILED with its Error", st, p, r["Error"])
		}
	})
	t.Run("CANCELED when early", func(t *testing.T) {
		e, vc := newTestEmulator(t, nil)
		id := startRaw(t, e, FamilyCreation, DefaultProject)
		vc.Advance(stepsDur(3.5)) // ANALYZING
		if w := cancelRaw(t, e, "CancelMetadataModelCreation", DefaultProject, id); first(w)["Status"] != StatusCanceling || first(w)["Progress"] != nil {
			t.Fatalf("cancel: %d %s", w.Code, w.Body)
		}
		vc.Advance(stepsDur(1))
		w := raw(t, e, "DescribeMetadataModelCreations", `{"MigrationProjectIdentifier":"`+DefaultProject+`"}`)
		if st := first(w)["Status"]; st != StatusCanceled {
			t.Fatalf("one step after: %v, want CANCELED", st)
		}
	})
}

// TestSelectionRulesThatSelectNothing: a request whose selection rules select nothing
// is accepted, then ends FAILED with DMS's message; the emulator judges the rules'
// server-name against the project's source data provider.
func TestSelectionRulesThatSelectNothing(t *testing.T) {
	rule := func(server, action string) string {
		return `{"rules":[{"rule-type":"selection","rule-id":"1","rule-name":"1","object-locator":{"server-name":"` + server + `","schema-name":"s"},"rule-action":"` + action + `"}]}`
	}
	for _, tc := range []struct {
		rules, server string
		nothing       bool
	}{
		{rule("dmsconform", "explicit"), DefaultSourceServer, false},
		{rule("DMSCONFORM", "include"), DefaultSourceServer, false},
		{rule("elsewhere.example.com", "explicit"), DefaultSourceServer, true},
		{rule("dmsconform", "exclude"), DefaultSourceServer, true},
		{rule("db.internal", "explicit"), "db.internal", false},
		{`{"rules":[{"rule-type":"selection","rule-action":"include","object-locator":{"server-name":"a"}},{"rule-type":"selection","rule-action":"include","object-locator":{"server-name":"dmsconform"}}]}`, DefaultSourceServer, false},
		{`{}`, DefaultSourceServer, false},           // names no server: not judged
		{`{"rules":[]}`, DefaultSourceServer, false}, // likewise
		{`not json`, DefaultSourceServer, false},
	} {
		if got := SelectsNothing(tc.rules, tc.server); got != tc.nothing {
			t.Errorf("SelectsNothing(%s, %s) = %v, want %v", tc.rules, tc.server, got, tc.nothing)
		}
	}

	e, vc := newTestEmulator(t, nil)
	w := raw(t, e, "StartMetadataModelConversion", `{"MigrationProjectIdentifier":"`+DefaultProject+`","SelectionRules":`+quoteJSON(rule("elsewhere.example.com", "explicit"))+`}`)
	id, _ := body(w)["RequestIdentifier"].(string)
	if w.Code != 200 || id == "" {
		t.Fatalf("start: %d %s, want accepted", w.Code, w.Body)
	}
	vc.Advance(stepsDur(2.5))
	if st, p, _ := statusAt(t, e, DefaultProject, id); st != StatusInProgress || p["ProgressStep"] != StepCountingObjects || p["TotalObjects"] != nil {
		t.Fatalf("counting: %s %v, want COUNTING_OBJECTS without TotalObjects", st, p)
	}
	vc.Advance(stepsDur(0.5))
	st, p, r := statusAt(t, e, DefaultProject, id)
	u, _ := r["Error"].(map[string]any)
	d, _ := u["defaultErrorDetails"].(map[string]any)
	if st != StatusFailed || p != nil || d["Message"] != NoObjectsMessage {
		t.Fatalf("%s %v %v, want FAILED with %q", st, p, r["Error"], NoObjectsMessage)
	}
	// a project whose source is another server
	e2, vc2 := newTestEmulator(t, func(c *Config) { c.Projects = []Project{{Name: "p", SourceServer: "sqlserver.example.com"}} })
	if inf := e2.Info(); inf.Projects[0].SourceServer != "sqlserver.example.com" {
		t.Fatalf("info: %+v", inf.Projects)
	}
	w = raw(t, e2, "StartMetadataModelConversion", `{"MigrationProjectIdentifier":"p","SelectionRules":`+quoteJSON(rule("dmsconform", "explicit"))+`}`)
	id, _ = body(w)["RequestIdentifier"].(string)
	vc2.Advance(stepsDur(10))
	if st, _, _ := statusAt(t, e2, "p", id); st != StatusFailed {
		t.Fatalf("rules naming another server: %s, want FAILED", st)
	}
}

func quoteJSON(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// TestAccessDeniedException: a caller IAM denies gets HTTP 400 AccessDeniedException in
// AWS's words, naming the caller, the action and the project; the modelled
// AccessDeniedFault ("DMS was denied access to the endpoint") is not IAM's answer.
func TestAccessDeniedException(t *testing.T) {
	e, _ := newTestEmulator(t, func(c *Config) {
		c.Credentials = append(DefaultCredentials(), Credential{AccessKeyID: "AKIDCUSTOMPRINCIPAL1", SecretAccessKey: "s",
			Deny: []string{"*"}, Principal: "arn:aws:sts::123456789012:assumed-role/reader/alice"})
	})
	w := rawSigned(t, e, "AmazonDMSv20160101.DescribeMetadataModelConversions", []byte(`{"MigrationProjectIdentifier":"arn:aws:dms:us-east-1:123456789012:migration-project:NOPE"}`), "AKIDCUSTOMPRINCIPAL1", "s")
	want := "User: arn:aws:sts::123456789012:assumed-role/reader/alice is not authorized to perform: dms:DescribeMetadataModelConversions on resource: arn:aws:dms:us-east-1:123456789012:migration-project:NOPE"
	if w.Code != 400 || body(w)["__type"] != CodeAccessDeniedException || body(w)["message"] != want || w.Header().Get("X-Amzn-ErrorType") != CodeAccessDeniedException {
		t.Fatalf("%d %v %s, want 400 AccessDeniedException %q", w.Code, w.Header(), w.Body, want)
	}
}

// TestAnyAccessKey: with Config.AnyAccessKey a request signed with a key the emulator
// never saw (temporary credentials from an STS) is accepted after a format check of
// its signature; it cannot be verified, so a corrupted one passes too. Known keys are
// still verified in full.
func TestAnyAccessKey(t *testing.T) {
	const desc = `{"MigrationProjectIdentifier":"` + DefaultProject + `"}`
	call := func(e *Emulator, key, secret string, opts ...rawOpt) *httptest.ResponseRecorder {
		return rawSigned(t, e, "AmazonDMSv20160101.DescribeMetadataModelConversions", []byte(desc), key, secret,
			append([]rawOpt{func(r *http.Request) { r.Header.Set("X-Amz-Security-Token", "FQoGZXIvYXdzEXAMPLE") }}, opts...)...)
	}
	strict, _ := newTestEmulator(t, nil)
	if w := call(strict, "ASIASTSISSUEDKEY0001", "a-secret-the-emulator-never-saw"); body(w)["__type"] != CodeUnrecognizedClient {
		t.Fatalf("without the flag: %d %s, want UnrecognizedClientException", w.Code, w.Body)
	}
	e, _ := newTestEmulator(t, func(c *Config) { c.AnyAccessKey = true })
	if w := call(e, "ASIASTSISSUEDKEY0001", "a-secret-the-emulator-never-saw"); w.Code != 200 {
		t.Fatalf("an unknown key: %d %s, want accepted", w.Code, w.Body)
	}
	corrupt := func(r *http.Request) {
		h := r.Header.Get("Authorization")
		r.Header.Set("Authorization", h[:len(h)-1]+map[bool]string{true: "1", false: "0"}[h[len(h)-1] == '0'])
	}
	if w := call(e, "ASIASTSISSUEDKEY0001", "x", corrupt); w.Code != 200 {
		t.Fatalf("an unknown key's corrupted signature cannot be told from a good one: %d %s", w.Code, w.Body)
	}
	if w := call(e, DefaultAccessKeyID, "not-its-secret"); body(w)["__type"] != CodeInvalidSignature {
		t.Fatalf("a known key with the wrong secret: %d %s, want InvalidSignatureException", w.Code, w.Body)
	}
	for name, mangle := range map[string]func(*http.Request){
		"signature not hex": func(r *http.Request) {
			h := r.Header.Get("Authorization")
			r.Header.Set("Authorization", h[:len(h)-64]+strings.Repeat("z", 64))
		},
		"short signature": func(r *http.Request) {
			h := r.Header.Get("Authorization")
			r.Header.Set("Authorization", h[:len(h)-2])
		},
		"host not signed": func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), ";host;", ";", 1))
		},
		"scope not dms": func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/dms/", "/s3/", 1))
		},
		"no date": func(r *http.Request) { r.Header.Del("X-Amz-Date") },
	} {
		w := call(e, "ASIASTSISSUEDKEY0001", "x", mangle)
		if code, _ := body(w)["__type"].(string); w.Code != 400 || (code != CodeIncompleteSignature && code != CodeInvalidSignature) {
			t.Errorf("%s: %d %s, want the signature's format refused", name, w.Code, w.Body)
		}
	}
	// the unknown key is allowed everything
	id := startRaw(t, e, FamilyConversion, DefaultProject)
	if w := rawSigned(t, e, "AmazonDMSv20160101.CancelMetadataModelConversion", []byte(`{"MigrationProjectIdentifier":"`+DefaultProject+`","RequestIdentifier":"`+id+`"}`), "ASIASTSISSUEDKEY0002", "y"); w.Code != 200 {
		t.Fatalf("cancel with an unknown key: %d %s", w.Code, w.Body)
	}
}
