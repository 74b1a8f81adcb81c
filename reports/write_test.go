package reports

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func writeSample(t *testing.T, run *Run, opts ...WriteOption) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out", "nested")
	if err := WriteAll(dir, run, opts...); err != nil {
		t.Fatalf("WriteAll: %v", err)
	}
	return dir
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestFinalize(t *testing.T) {
	run := &Run{Checks: []Check{{CheckInfo: CheckInfo{ID: "b"}, Outcome: Fail}, {CheckInfo: CheckInfo{ID: "a"}, Outcome: Pass}, {CheckInfo: CheckInfo{ID: "c"}, Outcome: "weird"}}}
	Finalize(run)
	if run.SchemaVersion != SchemaVersion {
		t.Errorf("schemaVersion = %q", run.SchemaVersion)
	}
	if run.Checks[0].ID != "a" || run.Checks[2].ID != "c" {
		t.Errorf("not sorted: %v", run.Checks)
	}
	for _, o := range Outcomes {
		if _, ok := run.Totals[o]; !ok {
			t.Errorf("totals lack %s", o)
		}
	}
	if run.Totals[Pass] != 1 || run.Totals[Fail] != 1 || run.Totals["weird"] != 1 {
		t.Errorf("totals = %v", run.Totals)
	}
	if run.Checks[0].Labels == nil {
		t.Error("nil labels not replaced")
	}
	m := sampleMutationRun()
	Finalize(m)
	if got := m.Matrix.KillRate; got != 0.75 {
		t.Errorf("kill rate = %v, want 0.75", got)
	}
	want := ProofCoverage{Checks: 8, Killed: 4, TableTestsOnly: 1, Unproven: 1, Stale: 1, NotJudged: 1}
	if got := m.Matrix.Coverage; got != want {
		t.Errorf("coverage = %+v, want %+v", got, want)
	}
	if k := m.Matrix.Kinds; len(k) != 7 || k[0].Kind != "MemberType" || k[0].Checks != 2 || k[0].Killed != 1 || k[0].Unproven != 1 ||
		k[5].Kind != "InputMissingSDK" || k[5].TableTestsOnly != 1 || !strings.Contains(k[5].Reason, "refuses") {
		t.Errorf("kinds = %+v", k)
	}
	if s := m.Matrix.ProofsWith(ProofStale); len(s) != 1 || !strings.HasSuffix(s[0], "not-found.sdk") {
		t.Errorf("stale = %v", s)
	}
	Finalize(&Run{Matrix: &KillMatrix{}}) // no modes: no division by zero
}

func TestJSONRoundTrip(t *testing.T) {
	run := sampleRun()
	dir := writeSample(t, run)
	got, err := ReadJSON(filepath.Join(dir, FileJSON))
	if err != nil {
		t.Fatal(err)
	}
	if got.SchemaVersion != SchemaVersion || len(got.Checks) != 7 || got.Totals[Fail] != 2 || got.Totals[Unimplemented] != 1 {
		t.Errorf("round trip: schema %q checks %d totals %v", got.SchemaVersion, len(got.Checks), got.Totals)
	}
	if !got.Started.Equal(sampleStart) || got.Duration != 1500*time.Millisecond {
		t.Errorf("times: %v %v", got.Started, got.Duration)
	}
	for i := 1; i < len(got.Checks); i++ {
		if got.Checks[i-1].ID > got.Checks[i].ID {
			t.Errorf("checks not sorted at %d", i)
		}
	}
	// The caller's run is finalized but not redacted.
	if run.Totals == nil || !strings.Contains(run.Target.Project, testAccount1) {
		t.Errorf("caller's run: totals %v project %q", run.Totals, run.Target.Project)
	}
	raw := readFile(t, filepath.Join(dir, FileJSON))
	for _, key := range []string{`"schemaVersion": "dmsconform.report/v1"`, `"totals"`, `"skipped": 1`, `"error": 1`} {
		if !strings.Contains(raw, key) {
			t.Errorf("report.json lacks %s", key)
		}
	}
}

func TestReadJSONRefusesOtherSchemas(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]struct{ body, want string }{
		"other version": {`{"schemaVersion":"dmsconform.report/v9","tool":{"name":"dmsconform","version":"v9"}}`, `"dmsconform.report/v9" (written by dmsconform v9) is not the "dmsconform.report/v1"`},
		"no version":    {`{"checks":[]}`, "no schemaVersion field"},
		"not json":      {`<html>`, "not valid JSON"},
	}
	for name, c := range cases {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".json")
		os.WriteFile(p, []byte(c.body), 0o644)
		_, err := ReadJSON(p)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to contain %q", name, err, c.want)
		}
	}
	if _, err := ReadJSON(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing file: %v", err)
	}
}

type jSuites struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Skipped  int `xml:"skipped,attr"`
	Suites   []struct {
		Name     string  `xml:"name,attr"`
		Tests    int     `xml:"tests,attr"`
		Failures int     `xml:"failures,attr"`
		Errors   int     `xml:"errors,attr"`
		Skipped  int     `xml:"skipped,attr"`
		Time     float64 `xml:"time,attr"`
		Props    []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases []struct {
			ClassName string `xml:"classname,attr"`
			Name      string `xml:"name,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
			} `xml:"error"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestJUnit(t *testing.T) {
	run := sampleRun()
	run.Checks[0].Message += "\x00\x1b[31m control chars"
	ApplyKnown(run, []KnownDeviation{{CheckID: "CancelMetadataModelConversion.fault.not-found", Target: "aws", Reason: "AWS case 1", Expires: sampleStart.Add(time.Hour)}}, sampleStart)
	dir := writeSample(t, run)
	data := readFile(t, filepath.Join(dir, FileJUnit))
	var doc jSuites
	if err := xml.Unmarshal([]byte(data), &doc); err != nil {
		t.Fatalf("junit.xml is not valid XML: %v\n%s", err, data)
	}
	if doc.Tests != 7 || doc.Failures != 1 || doc.Errors != 1 || doc.Skipped != 3 {
		t.Errorf("testsuites counts: tests %d failures %d errors %d skipped %d", doc.Tests, doc.Failures, doc.Errors, doc.Skipped)
	}
	s := doc.Suites[0]
	if s.Tests != 7 || s.Failures != 1 || s.Errors != 1 || s.Skipped != 3 || s.Time != 1.5 {
		t.Errorf("testsuite: %+v", s)
	}
	props := map[string]string{}
	for _, p := range s.Props {
		props[p.Name] = p.Value
	}
	if props["model.sha256"] != run.Model.SHA256 || !strings.HasPrefix(props["target"], "aws") {
		t.Errorf("properties: %v", props)
	}
	byID := map[string]int{}
	for i, c := range s.Cases {
		byID[strings.SplitN(c.Name, ":", 2)[0]] = i
		if c.ClassName != "CancelMetadataModelConversion" {
			t.Errorf("classname %q", c.ClassName)
		}
	}
	get := func(id string) int { return byID["CancelMetadataModelConversion."+id] }
	if c := s.Cases[get("union.single-member")]; c.Failure == nil || !strings.Contains(c.Failure.Message, "<script>") || strings.Contains(c.Failure.Message, "\n") || c.Failure.Type != "MUST fail" {
		t.Errorf("failure case: %+v", c.Failure)
	}
	if c := s.Cases[get("fault.not-found")]; c.Skipped == nil || !strings.HasPrefix(c.Skipped.Message, "known deviation") || c.Failure != nil {
		t.Errorf("known failure case: %+v", c)
	}
	if c := s.Cases[get("enum.status")]; c.Failure != nil || c.Skipped != nil || !strings.HasPrefix(c.SystemOut, "drift: undocumented") {
		t.Errorf("drift case: %+v", c)
	}
	if c := s.Cases[get("sdk.decode")]; c.Skipped == nil || !strings.HasPrefix(c.Skipped.Message, "unimplemented: ") {
		t.Errorf("unimplemented case: %+v", c)
	}
	if c := s.Cases[get("input.project-arn")]; c.Skipped == nil || !strings.HasPrefix(c.Skipped.Message, "skipped: needs") {
		t.Errorf("skipped case: %+v", c)
	}
	if c := s.Cases[get("lifecycle.cancel-running")]; c.Error == nil || !strings.Contains(c.Error.Message, "connection refused") {
		t.Errorf("error case: %+v", c)
	}
	if !strings.HasPrefix(s.Cases[get("shape.response")].Name, "CancelMetadataModelConversion.shape.response: carry") {
		t.Errorf("name = %q", s.Cases[get("shape.response")].Name)
	}
	if strings.ContainsAny(data, "\x00\x1b") {
		t.Error("control characters reached junit.xml (invalid XML 1.0)")
	}
}

func TestHTML(t *testing.T) {
	base := sampleRun()
	base.Checks[1].Outcome = Fail
	run := sampleMutationRun()
	Compare(base, run, nil, sampleStart)
	dir := writeSample(t, run)
	h := readFile(t, filepath.Join(dir, FileHTML))
	for _, bad := range []string{"<script", "<link", "@import", "src=", "http://fonts", "url("} {
		if strings.Contains(strings.ToLower(h), bad) {
			t.Errorf("report.html contains %q (must be self-contained and escape transcripts)", bad)
		}
	}
	// No external resource of any kind: every href is an in-page anchor.
	for _, m := range regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(h, -1) {
		if !strings.HasPrefix(m[1], "#") {
			t.Errorf("external href %q", m[1])
		}
	}
	for _, want := range []string{
		"&lt;script&gt;alert(1)&lt;/script&gt;",     // message escaped
		"&lt;/pre&gt;&lt;script&gt;alert(2)",        // body escaped
		"POST https://dms.us-east-1.amazonaws.com/", // request line
		"X-Amz-Target: AmazonDMSv20160101.CancelMetadataModelConversion",
		"HTTP 500",                   // response status
		"\n  &#34;Request&#34;: {",   // pretty-printed JSON body
		"Signature=&lt;redacted&gt;", // redacted, with SignedHeaders kept
		"SignedHeaders=content-type;host",
		"Kill matrix", "75%", "false positive", "drop-progress",
		"Against the baseline", "fixed",
		"By label", "<th>lifecycle</th>",
		"2016-01-01&#43;1", "v0.1.0-test", "1.5s", "2026-03-14 09:26:53 UTC",
		`<details class="check o-skipped"`, `<details class="check o-unimplemented"`,
		"connection refused",
		`class="verdict v-PASS"`, // still failing, but no new failures
	} {
		if !strings.Contains(h, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	// Failures first, passes last; skipped never under a pass badge.
	iFail := strings.Index(h, `<details class="check o-fail`)
	iErr := strings.Index(h, `<details class="check o-error`)
	iSkip := strings.Index(h, `<details class="check o-skipped`)
	iPass := strings.Index(h, `<details class="check o-pass`)
	if !(iFail >= 0 && iFail < iErr && iErr < iSkip && iSkip < iPass) {
		t.Errorf("check order: fail %d error %d skipped %d pass %d", iFail, iErr, iSkip, iPass)
	}
	skipBlock := h[iSkip:]
	skipBlock = skipBlock[:strings.Index(skipBlock, "</summary>")]
	if strings.Contains(skipBlock, "b-pass") {
		t.Error("skipped check rendered with a pass badge")
	}
}

func TestMarkdown(t *testing.T) {
	base := sampleRun()
	run := sampleRun()
	run.Checks[1].Outcome = Fail // shape.response fails now: a new failure
	run.Checks[1].Message = "see ``` here " + strings.Repeat("long message ", 200)
	base.Checks[2].Outcome = Pass // union.single-member passed before
	Compare(base, run, []KnownDeviation{{CheckID: "CancelMetadataModelConversion.fault.not-found", Target: "*", Reason: "AWS case 1", Expires: sampleStart.Add(time.Hour)}}, sampleStart)
	dir := writeSample(t, run)
	md := readFile(t, filepath.Join(dir, FileMarkdown))
	lines := strings.Split(md, "\n")
	if !strings.HasPrefix(lines[0], "### dmsconform: ❌ FAIL: 2 new failure(s)") {
		t.Errorf("verdict line: %q", lines[0])
	}
	for _, want := range []string{
		"| ❌ fail | 3 |", "| ⏭️ skipped | 1 |", "| **total** | **7** |",
		"#### Failures (2)", "`CancelMetadataModelConversion.union.single-member`", "  ```\n  expected exactly one member",
		"#### Known deviations (expected failures) (1)", "AWS case 1",
		"#### Drift (1)", "undocumented Status",
		"**New failures (2)**", "#### Harness errors (1)",
		"report.html",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q", want)
		}
	}
	if strings.Contains(md, strings.Repeat("long message ", 60)) {
		t.Error("long message not truncated")
	}
	if !strings.Contains(md, "````") {
		t.Error("message with ``` not fenced with a longer fence")
	}
}

func TestVerdict(t *testing.T) {
	run := &Run{Target: Target{TargetKind: "embedded"}, Checks: []Check{{CheckInfo: CheckInfo{ID: "a", Level: "MUST"}, Outcome: Pass}, {CheckInfo: CheckInfo{ID: "b", Level: "MUST"}, Outcome: Skipped}}}
	if v := Verdict(run); !strings.HasPrefix(v, "✅ PASS: 1 of 2") || !strings.Contains(v, "1 skipped") {
		t.Errorf("a MUST check skipped by its own judge (nothing to judge) leaves a PASS: %q", v)
	}
	run.Checks[1].Cause = "needs/control"
	if v := Verdict(run); !strings.HasPrefix(v, "🟡 PARTIAL") || !strings.Contains(v, "1 MUST check(s) could not be judged") {
		t.Errorf("a MUST check skipped for a cause makes the run PARTIAL: %q", v)
	}
	run.Checks[1].Outcome, run.Checks[1].Cause = Unimplemented, ""
	if v := Verdict(run); !strings.HasPrefix(v, "🟡 PARTIAL") {
		t.Errorf("a target that lacks operations must not read as passing: %q", v)
	}
	run.Checks[1].Level = "SHOULD"
	if v := Verdict(run); !strings.HasPrefix(v, "✅ PASS") {
		t.Errorf("only MUST checks make a run PARTIAL: %q", v)
	}
	run.Checks[1].Outcome = Skipped
	run.Checks = append(run.Checks, Check{CheckInfo: CheckInfo{ID: "c"}, Outcome: Error})
	if v := Verdict(run); !strings.HasPrefix(v, "⚠️ ERROR") {
		t.Errorf("error verdict: %q", v)
	}
	run.Checks = append(run.Checks, Check{CheckInfo: CheckInfo{ID: "d"}, Outcome: Fail})
	if v := Verdict(run); !strings.HasPrefix(v, "❌ FAIL") {
		t.Errorf("fail verdict: %q", v)
	}
	run.Checks = run.Checks[:2]
	run.Interrupted = true
	if v := Verdict(run); !strings.HasPrefix(v, "⚠️ ERROR") || !strings.Contains(v, "interrupted") {
		t.Errorf("an interrupted run: %q", v)
	}
}

func TestWriteAllErrors(t *testing.T) {
	if err := WriteAll(t.TempDir(), nil); err == nil {
		t.Error("nil run accepted")
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	if err := WriteAll(filepath.Join(file, "sub"), sampleRun()); err == nil || !strings.Contains(err.Error(), "writable") {
		t.Errorf("unwritable folder: %v", err)
	}
}

func TestJSONIsStable(t *testing.T) {
	// Two writes of the same run give the same bytes (map keys sorted, placeholders
	// numbered deterministically).
	a := readFile(t, filepath.Join(writeSample(t, sampleRun()), FileJSON))
	b := readFile(t, filepath.Join(writeSample(t, sampleRun()), FileJSON))
	if a != b {
		t.Error("report.json differs between two writes of the same run")
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(a), &v); err != nil {
		t.Fatal(err)
	}
}
