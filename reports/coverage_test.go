package reports

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestVerdictCountsWhatItSays: the verdict sentence's "N of M pass" counts passes only
// (drift is said on its own), the outcomes it names add up to the total, and PARTIAL's
// count of unjudged MUST checks is the number summary.md lists under that heading.
func TestVerdictCountsWhatItSays(t *testing.T) {
	run := &Run{Target: Target{TargetKind: "embedded"}}
	add := func(n int, o Outcome, level, cause string) {
		for i := 0; i < n; i++ {
			run.Checks = append(run.Checks, Check{CheckInfo: CheckInfo{ID: fmt.Sprintf("%s.%s.%s.%02d", o, level, cause, i), Level: level}, Outcome: o, Cause: cause, Message: "why " + string(o)})
		}
	}
	add(48, Pass, "MUST", "")
	add(3, Drift, "SHOULD", "")
	add(4, Skipped, "MUST", "needs/control")   // unjudged MUST (a cause)
	add(1, Skipped, "SHOULD", "needs/control") // SHOULD: not counted for PARTIAL
	add(2, Skipped, "MUST", "")                // its own judge had nothing to judge
	add(1, Unimplemented, "MUST", "unimpl/Op") // unjudged MUST
	run.Causes = []Cause{{ID: "needs/control", Outcome: Skipped, Title: "no control surface", Checks: 5}, {ID: "unimpl/Op", Outcome: Unimplemented, Title: "Op is not implemented", Checks: 1}}
	Finalize(run)
	status, text := VerdictStatus(run)
	if status != "PARTIAL" {
		t.Fatalf("status %s: %s", status, text)
	}
	for _, want := range []string{"48 of 59 pass", ", 3 drift", ", 7 skipped", ", 1 unimplemented", "5 MUST check(s) could not be judged (1 unimplemented, 4 skipped for a cause)"} {
		if !strings.Contains(text, want) {
			t.Errorf("verdict %q lacks %q", text, want)
		}
	}
	sum := 0
	_, counts, _ := strings.Cut(text, "; ")
	for _, m := range regexp.MustCompile(`(\d+) of \d+ pass|, (\d+) (?:drift|skipped|unimplemented|error)`).FindAllStringSubmatch(counts, -1) {
		for _, g := range m[1:] {
			if g != "" {
				n, _ := strconv.Atoi(g)
				sum += n
			}
		}
	}
	if sum != len(run.Checks) {
		t.Errorf("the outcomes the verdict names add up to %d, the run has %d checks: %q", sum, len(run.Checks), text)
	}
	var md strings.Builder
	if err := WriteMarkdown(&md, run); err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(md.String(), "#### MUST checks not judged (5)\n")
	if !ok {
		t.Fatalf("summary.md has no section listing the 5 unjudged MUST checks:\n%s", md.String())
	}
	section, _, _ = strings.Cut(section, "####")
	n := 0
	for _, m := range regexp.MustCompile(`(?m)^- \S+ \*\*(\d+)\*\* `).FindAllStringSubmatch(section, -1) {
		k, _ := strconv.Atoi(m[1])
		n += k
	}
	if n != 5 || !strings.Contains(section, "**4** skipped: no control surface (cause `needs/control`)") || !strings.Contains(section, "**1** unimplemented: Op is not implemented") {
		t.Errorf("the section counts %d checks, want exactly the 5 of the verdict:\n%s", n, section)
	}

	run.Checks = run.Checks[:51] // pass and drift only
	Finalize(run)
	if _, text := VerdictStatus(run); !strings.Contains(text, "48 of 51 checks pass") || !strings.Contains(text, ", 3 drift") {
		t.Errorf("PASS verdict: %q", text)
	}
}

// TestCoverageLossIsSaid: a comparison in which passing checks became skips says so in
// the verdict of the run, the diff text and summary.md, and is no regression.
func TestCoverageLossIsSaid(t *testing.T) {
	base := runOf("embedded", map[string]Outcome{"a": Pass, "b": Pass, "c": Pass, "d": Skipped})
	cur := runOf("embedded", map[string]Outcome{"a": Skipped, "b": Unimplemented, "c": Pass, "d": Pass})
	cmp := Compare(base, cur, nil, sampleStart)
	if cmp.HasNewFailures() || cmp.Counts[NoLongerJudged] != 2 || cmp.Counts[NewlyJudged] != 1 {
		t.Fatalf("counts %v", cmp.Counts)
	}
	if _, text := VerdictStatus(cur); !strings.Contains(text, "2 no longer judged, 1 newly judged") {
		t.Errorf("verdict: %q", text)
	}
	var txt, md strings.Builder
	if err := WriteComparisonText(&txt, cmp, cur); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(txt.String(), "2 no longer judged") || !regexp.MustCompile(`no-longer-judged\s+a\s+pass -> skipped`).MatchString(txt.String()) {
		t.Errorf("diff text:\n%s", txt.String())
	}
	if err := WriteMarkdown(&md, cur); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "**No longer judged") || !strings.Contains(md.String(), "- `b` pass → unimplemented") {
		t.Errorf("summary.md:\n%s", md.String())
	}
}

// TestNotApplicableIsCoverage: checks the target kind can never support (a
// not-applicable cause) do not make a run PARTIAL; every writer lists them apart, as
// coverage, with the reason, and PARTIAL stays for what the user could supply, naming
// the flags that would judge it.
func TestNotApplicableIsCoverage(t *testing.T) {
	run := &Run{Target: Target{TargetKind: "aws"}}
	add := func(n int, o Outcome, cause string) {
		for i := 0; i < n; i++ {
			run.Checks = append(run.Checks, Check{CheckInfo: CheckInfo{ID: fmt.Sprintf("op.%s.%s.%02d", o, cause, i), Title: "t", Level: "MUST"}, Outcome: o, Cause: cause,
				Message: "blocked by: never a control surface here"})
		}
	}
	add(10, Pass, "")
	add(3, Skipped, CauseNotApplicable+"control")
	run.Causes = []Cause{{ID: CauseNotApplicable + "control", Outcome: Skipped, Title: "never a control surface here", Checks: 3}}
	Finalize(run)
	status, text := VerdictStatus(run)
	if status != "PASS" || !strings.Contains(text, "10 of 13 checks pass") || !strings.Contains(text, ", 3 not applicable here") || strings.Contains(text, "skipped") {
		t.Errorf("%s: %s", status, text)
	}
	if len(run.NotApplicable) != 1 || run.NotApplicable[0].Title != "never a control surface here" || len(run.NotApplicable[0].Checks) != 3 {
		t.Errorf("report.json's notApplicable: %+v", run.NotApplicable)
	}
	var md, html, junit strings.Builder
	for _, w := range []struct {
		b     *strings.Builder
		write func(io.Writer, *Run) error
	}{{&md, WriteMarkdown}, {&html, WriteHTML}, {&junit, WriteJUnit}} {
		if err := w.write(w.b, run); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(md.String(), "#### Not applicable here (3)") || strings.Contains(md.String(), "#### Causes") {
		t.Errorf("summary.md: the coverage section, and no cause section for it:\n%s", md.String())
	}
	if !strings.Contains(html.String(), "<h2>Not applicable here</h2>") {
		t.Error("report.html has no coverage section")
	}
	// The cause is said once, in the coverage section, which its checks link to.
	if strings.Contains(html.String(), "<h2>Causes</h2>") ||
		!strings.Contains(html.String(), `<li id="`+anchor("cause", CauseNotApplicable+"control")+`">`) {
		t.Errorf("report.html must say the not-applicable cause once, in its coverage section (a Causes section: %v)", strings.Contains(html.String(), "<h2>Causes</h2>"))
	}
	if !strings.Contains(junit.String(), `message="not applicable here (coverage): blocked by: never a control surface here`) || !strings.Contains(junit.String(), `name="notApplicable" value="3"`) {
		t.Errorf("junit.xml:\n%s", junit.String())
	}

	// What the user could supply makes it PARTIAL, and the verdict names the flags.
	add(2, Skipped, CauseNeeds+"failing-project")
	run.Causes = append(run.Causes, Cause{ID: CauseNeeds + "failing-project", Outcome: Skipped, Title: "needs a failing project: pass --failing-project NAME_OR_ARN", Checks: 2})
	Finalize(run)
	if status, text := VerdictStatus(run); status != "PARTIAL" || !strings.Contains(text, "2 MUST check(s) could not be judged") || !strings.Contains(text, "2 of them need what you could supply (--failing-project)") {
		t.Errorf("%s: %s", status, text)
	}
}
