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
	goRun := &Run{Kind: KindSDK, Target: Target{Kind: "aws-sdk-go-v2", Name: "mod", Version: "v1"}, Model: ModelInfo{Version: "m1"},
		Checks: []Check{check("sdk.Op.a", Pass, "ok", nil), check("sdk.Op.b", Pass, "ok", nil), check("sdk.Op.c", Fail, "bad", nil)}}
	jsRun := &Run{Kind: KindSDK, Target: Target{Kind: "js", Version: "3"},
		Checks: []Check{check("sdk.Op.a", Pass, "ok", nil), check("sdk.Op.b", Fail, "bad", known), check("sdk.Op.c", Fail, "bad", nil)}}
	pyRun := &Run{Kind: KindSDK, Target: Target{Kind: "botocore", Version: "1"},
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
