package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func sdkMatrixRuns() []SDKMatrixInput {
	known := &KnownDeviation{CheckID: "sdk.Op.b", Target: "js", Reason: "known | reason", Expires: time.Date(2027, 5, 31, 23, 59, 59, 0, time.UTC)}
	check := func(id string, o Outcome, msg string, k *KnownDeviation) Check {
		return Check{CheckInfo: CheckInfo{ID: id, Title: "title of " + id, Description: "A client MUST " + id, Level: "MUST", Labels: []string{"sdk", "wire", "union"}, Operation: "Op"},
			Outcome: o, Message: msg, Known: k}
	}
	goRun := &Run{Mode: ModeSDK, Target: Target{TargetKind: "aws-sdk-go-v2", Name: "mod", Version: "v1"}, Model: ModelInfo{Version: "m1"},
		Checks: []Check{check("sdk.Op.a", Pass, "ok", nil), check("sdk.Op.b", Pass, "ok", nil), check("sdk.Op.c", Fail, "bad", nil)}}
	jsRun := &Run{Mode: ModeSDK, Target: Target{TargetKind: "js", Version: "3"},
		Checks: []Check{check("sdk.Op.a", Pass, "ok", nil), check("sdk.Op.b", Fail, "bad", known), check("sdk.Op.c", Fail, "bad", nil)}}
	pyRun := &Run{Mode: ModeSDK, Target: Target{TargetKind: "botocore", Version: "1"},
		Checks: []Check{check("sdk.Op.a", Skipped, "python3 not found", nil), check("sdk.Op.b", Skipped, "python3 not found", nil), check("sdk.Op.c", Skipped, "python3 not found", nil)}}
	return []SDKMatrixInput{
		{Name: "go", Run: goRun, Report: "go/report.html", Observed: map[string]string{"sdk.Op.c": `output {"x":"a|b"}`}, Differences: map[string]string{"sdk.Op.c": `/x: expected "a", observed "a|b"`}},
		{Name: "js", Run: jsRun, Report: "js/report.html", Observed: map[string]string{"sdk.Op.b": `output {"secret":"AKIDSECRET"}`, "sdk.Op.c": "error{kind=other}"}},
		{Name: "botocore", Run: pyRun, Report: "botocore/report.html"},
	}
}

// TestSDKMatrix: one row per check, one cell per SDK; disagreement, every-SDK-fails,
// known deviations with expiry and what a failing SDK decoded; skipped columns say why.
func TestSDKMatrix(t *testing.T) {
	m := NewSDKMatrix(sdkMatrixRuns(), map[string]string{"sdk.Op.b": `output {"want":1}`}, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC))
	if len(m.Rows) != 3 || len(m.Columns) != 3 {
		t.Fatalf("%d rows, %d columns", len(m.Rows), len(m.Columns))
	}
	a, b, c := m.Rows[0], m.Rows[1], m.Rows[2]
	if a.Disagree || !b.Disagree || c.Disagree || !c.AllFail || b.AllFail {
		t.Errorf("disagree a=%v b=%v c=%v, allFail b=%v c=%v", a.Disagree, b.Disagree, c.Disagree, b.AllFail, c.AllFail)
	}
	if b.Fixture != "b" || b.Area != "union" || b.Expected != `output {"want":1}` {
		t.Errorf("row b %+v", b)
	}
	if cl := cellLabel(b.Cells[1]); cl != "known" || b.Cells[1].Observed == "" {
		t.Errorf("js cell of b: %s %+v", cl, b.Cells[1])
	}
	if m.Columns[1].Known != 1 || m.Columns[1].Failures() != 1 || m.Columns[2].Skipped != "python3 not found" {
		t.Errorf("columns %+v", m.Columns)
	}
	if len(m.Disagreements()) != 1 {
		t.Errorf("disagreements %v", m.Disagreements())
	}

	dir := t.TempDir()
	if err := WriteSDKMatrix(dir, m, "AKIDSECRET"); err != nil {
		t.Fatal(err)
	}
	html, _ := os.ReadFile(filepath.Join(dir, FileSDKMatrixHTML))
	md, _ := os.ReadFile(filepath.Join(dir, FileSDKMatrixMarkdown))
	for name, doc := range map[string][]byte{"html": html, "md": md} {
		if bytes.Contains(doc, []byte("AKIDSECRET")) {
			t.Errorf("%s: the secret is not redacted", name)
		}
		for _, want := range []string{"2027-05-31", "aws-sdk-go-v2", "botocore", "Where the SDKs disagree (1)", "Every SDK fails (1)", "python3 not found"} {
			if !bytes.Contains(doc, []byte(want)) {
				t.Errorf("%s does not say %q", name, want)
			}
		}
	}
	if bytes.Contains(html, []byte("<script")) {
		t.Error("the page needs no script")
	}
	for _, want := range []string{`href="js/report.html"`, `class="disagree"`, "known | reason", `badge b-known`, `/x: expected &#34;a&#34;, observed &#34;a|b&#34;`, "bad"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("html does not have %q", want)
		}
	}
	// A pipe inside a decoding must not split the Markdown table row.
	for _, line := range strings.Split(string(md), "\n") {
		if strings.HasPrefix(line, "| `c` ") && strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") != 6 {
			t.Errorf("row c has the wrong number of cells: %s", line)
		}
	}
	if !bytes.Contains(md, []byte("### Op")) || !bytes.Contains(md, []byte("| `a` | union | ✅ | ✅ | ⏭️ |")) {
		t.Errorf("markdown row a:\n%s", md)
	}
}

// TestSDKVersionMatrix: columns of one series are versions; a row records the version
// at which its outcome or its decodings changed (a skipped version in between is passed
// over), and the page has the typing table, the changes and each version's findings.
func TestSDKVersionMatrix(t *testing.T) {
	check := func(id string, o Outcome) Check {
		return Check{CheckInfo: CheckInfo{ID: id, Level: "MUST", Labels: []string{"sdk", "wire", "union"}, Operation: "Op"}, Outcome: o}
	}
	run := func(version string, checks ...Check) *Run {
		return &Run{Mode: ModeSDK, Target: Target{TargetKind: "aws-sdk-go-v2", Version: version}, Checks: checks}
	}
	typing := func(rule, expected string) *SDKFaultTyping {
		return &SDKFaultTyping{Rule: rule, Expected: expected, Holds: rule == expected, ErrorTypes: 26,
			Operations: []SDKOperationTyping{{Operation: "Op", Modelled: 3, Typed: []string{"A", "B", "C"}}}}
	}
	inputs := []SDKMatrixInput{
		{Name: "go@v1", Series: "aws-sdk-go-v2", Run: run("v1", check("sdk.Op.a", Pass), check("sdk.Op.b", Pass), check("sdk.Op.c", Fail)),
			Decodings: map[string][]string{"sdk.Op.a": {"output {}"}, "sdk.Op.b": {"error{kind=api}"}, "sdk.Op.c": {"x", "y"}}, Typing: typing("per-operation", "per-operation")},
		{Name: "go@v2", Series: "aws-sdk-go-v2", Run: run("v2", check("sdk.Op.a", Skipped), check("sdk.Op.b", Skipped), check("sdk.Op.c", Skipped)), Note: "proxy said 403"},
		{Name: "go@v3", Series: "aws-sdk-go-v2", Run: run("v3", check("sdk.Op.a", Fail), check("sdk.Op.b", Pass), check("sdk.Op.c", Fail)),
			Decodings:   map[string][]string{"sdk.Op.a": {"output {\"Error\":null}"}, "sdk.Op.b": {"error{kind=api,typed}"}, "sdk.Op.c": {"x", "y"}},
			Differences: map[string]string{"sdk.Op.a": "/Error: expected {}, observed absent"}, Typing: typing("service-wide", "per-operation")},
		{Name: "botocore@1", Series: "botocore", Run: &Run{Mode: ModeSDK, Target: Target{TargetKind: "botocore", Version: "1"}, Checks: []Check{check("sdk.Op.a", Pass), check("sdk.Op.b", Pass), check("sdk.Op.c", Pass)}}},
	}
	m := NewSDKMatrix(inputs, nil, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	if !m.Versions() || !m.Typed() {
		t.Fatalf("Versions %v Typed %v", m.Versions(), m.Typed())
	}
	if len(m.Changes) != 2 {
		t.Fatalf("changes %+v, want a (pass -> fail at v3) and b (decoding at v3)", m.Changes)
	}
	a, b := m.Changes[0], m.Changes[1]
	if a.Fixture != "a" || a.Version != "v3" || a.Previous != "v1" || a.Before != "pass: output {}" || a.After != "fail: /Error: expected {}, observed absent" {
		t.Errorf("change a %+v", a)
	}
	if b.Fixture != "b" || b.Version != "v3" || b.Before != "pass: error{kind=api}" || b.After != "pass: error{kind=api,typed}" {
		t.Errorf("change b %+v", b)
	}
	if len(m.Rows[2].Changes) != 0 || len(m.Rows[0].Changes) != 1 {
		t.Errorf("row changes: a %v c %v", m.Rows[0].Changes, m.Rows[2].Changes)
	}
	var md, html bytes.Buffer
	if err := WriteSDKMatrixMarkdown(&md, m); err != nil {
		t.Fatal(err)
	}
	if err := WriteSDKMatrixHTML(&html, m); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# dmsconform sdk --versions", "| `go@v3` | service-wide | per-operation ❌ | - | 26 | Op 3/3 |", "## Behaviour changes across versions (2)",
		"| aws-sdk-go-v2 | v3 (after v1) | `a` | `pass: output {}` | `fail: /Error: expected {}, observed absent` |", "| changed at |", "aws-sdk-go-v2 v3 |",
		"- `go@v3`: 1 pass, 2 fail; not in the known deviations: `a`, `c`", "- `go@v2`: 0 pass, 0 fail, 3 not run (proxy said 403)"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("matrix.md does not say %q:\n%s", want, md.String())
		}
	}
	for _, want := range []string{"dmsconform sdk --versions: the fixtures across SDK versions", "How each version types faults", "<b>✗</b>",
		"Behaviour changes across versions (2)", "<th class=\"sdk\">go@v2</th>", "<b>aws-sdk-go-v2 v3</b>", "go@v2: proxy said 403", "<b>not in the known deviations</b>: <code>a</code>, <code>c</code>"} {
		if !strings.Contains(html.String(), want) {
			t.Errorf("matrix.html does not have %q", want)
		}
	}
}
