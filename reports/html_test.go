package reports

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestAnchor(t *testing.T) {
	seen := map[string]string{}
	for _, id := range []string{"conversion/walk-stopped", "conversion_walk-stopped", "conversion walk-stopped", "conversion~20walk-stopped", "a.b-c", "x\"><script>"} {
		a := anchor("cause", id)
		if !regexp.MustCompile(`^cause-[A-Za-z0-9._~-]+$`).MatchString(a) {
			t.Errorf("anchor(%q) = %q: not safe in an id and a fragment", id, a)
		}
		if other, ok := seen[a]; ok {
			t.Errorf("%q and %q share the anchor %q", id, other, a)
		}
		seen[a] = id
	}
	if a := anchor("check", "CancelMetadataModelConversion.shape.response"); a != "check-CancelMetadataModelConversion.shape.response" {
		t.Errorf("a plain check ID must keep its old anchor (links into reports exist): %q", a)
	}
}

// TestHTMLCausesSaidOnce: report.html has a Causes section near the top (before the
// checks), each cause once with its outcome, title, the number of checks it decided,
// its message and its transcript; each check it decided links to it and repeats none
// of it.
func TestHTMLCausesSaidOnce(t *testing.T) {
	h, _, _ := writeRun(t, sampleCausesRun())
	causes := section(h, "Causes")
	if causes == "" || strings.Index(h, "<h2>Causes</h2>") > strings.Index(h, "<h2>Checks</h2>") {
		t.Fatal("report.html has no Causes section before the checks")
	}
	for _, want := range []string{
		`<details class="check cause o-error" id="cause-conversion_watch">`,
		`<span class="badge b-error">error</span> <span class="n-checks">2 checks:</span> <span class="title">the progress watch could not start a request: HTTP 500 after 3 attempts (retry budget spent)</span>`,
		`<span class="n-checks">2 checks:</span>`, `<span class="n-checks">3 checks:</span>`, `<span class="n-checks">1 check:</span>`,
		"StartMetadataModelConversion answered:\n- attempt 1: HTTP 500 InternalFailure", // the message
		`&#34;message&#34;: &#34;still broken&#34;`,                                     // the transcript
		`<a href="#check-CancelMetadataModelConversion.lifecycle.watch-steps">`,         // the checks it decided
		`id="cause-unimplemented_StartMetadataModelCreation"`, `id="cause-conversion_walk-stopped"`,
	} {
		if !strings.Contains(causes, want) {
			t.Errorf("the Causes section lacks %q", want)
		}
	}
	// Errors first: the most severe cause leads.
	if strings.Index(causes, "o-error") > strings.Index(causes, "o-skipped") {
		t.Error("causes not ordered by severity")
	}
	if n := strings.Count(h, "still broken"); n != 1 {
		t.Errorf("the cause's transcript appears %d times, want once", n)
	}
	for _, id := range []string{"lifecycle.watch-steps", "lifecycle.watch-percent"} {
		b := checkBlock(t, h, id)
		if !strings.Contains(b, `<a class="msg" href="#cause-conversion_watch"`) || !strings.Contains(b, `<dt>Decided by</dt><dd><a href="#cause-conversion_watch">`) {
			t.Errorf("%s does not link to its cause:\n%s", id, b)
		}
		if strings.Contains(b, "<h4>Message</h4>") || strings.Contains(b, "Exchange 1") {
			t.Errorf("%s repeats its cause:\n%s", id, b)
		}
	}
	// An unimplemented check links to its cause too.
	if b := checkBlock(t, h, "creation.start"); !strings.Contains(b, `href="#cause-unimplemented_StartMetadataModelCreation"`) {
		t.Errorf("creation.start does not link to its cause:\n%s", b)
	}
	// A check naming a cause the run does not list still says it once, in Causes.
	run := sampleCausesRun()
	run.Causes = nil
	h, _, _ = writeRun(t, run)
	if c := section(h, "Causes"); strings.Count(c, `class="check cause`) != 3 || !strings.Contains(c, `<span class="n-checks">3 checks:</span>`) {
		t.Errorf("causes made from the checks: %s", c)
	}
}

// TestHTMLInterrupted: an interrupted run has a banner under its verdict, and the
// checks it did not run are skipped checks linked to the cause "interrupted".
func TestHTMLInterrupted(t *testing.T) {
	h, _, _ := writeRun(t, sampleInterruptedRun())
	header := h[:strings.Index(h, "<h2>")]
	if !strings.Contains(header, `<div class="interrupted" id="interrupted">`) || !strings.Contains(header, "4 check(s) were not run") || !strings.Contains(header, `href="#cause-interrupted"`) {
		t.Errorf("report.html has no interrupted banner in its header:\n%s", header)
	}
	if b := checkBlock(t, h, "input.project-arn"); !strings.Contains(h, `<details class="check o-skipped" id="check-CancelMetadataModelConversion.input.project-arn">`) || !strings.Contains(b, `href="#cause-interrupted"`) {
		t.Errorf("a check not run is not a skipped check linked to the cause interrupted:\n%s", b)
	}
	if c := section(h, "Causes"); !strings.Contains(c, `id="cause-interrupted"`) || !strings.Contains(c, `<span class="n-checks">4 checks:</span>`) {
		t.Errorf("the Causes section lacks interrupted:\n%s", c)
	}
	if h, _, _ = writeRun(t, sampleRun()); strings.Contains(h, `class="interrupted"`) {
		t.Error("a run that was not interrupted reads as interrupted")
	}
}

// TestHTMLOneLineMessage: a check's summary line shows the header and the first
// problem, the full message in its title.
func TestHTMLOneLineMessage(t *testing.T) {
	h, _, _ := writeRun(t, sampleCausesRun())
	b := checkBlock(t, h, "lifecycle.start")
	want := `<span class="msg" title="StartMetadataModelConversion did not start requests:
- &#34;walk: start&#34;: HTTP 200 without a RequestIdentifier: {}
- &#34;watch: start&#34;: HTTP 500 after 3 attempts
- &#34;scenario: start&#34;: HTTP 200 without a RequestIdentifier: {}">StartMetadataModelConversion did not start requests: &#34;walk: start&#34;: HTTP 200 without a RequestIdentifier: {} (&#43;2 more)</span>`
	if !strings.Contains(b, want) {
		t.Errorf("summary line of lifecycle.start:\n%s\nwant %s", b[:strings.Index(b, "</summary>")], want)
	}
}

// TestHTMLExchangesOnceAndAttempts: a check lists each attempt once, and every
// attempt of a retried call says its number and why it was retried.
func TestHTMLExchangesOnceAndAttempts(t *testing.T) {
	h, _, _ := writeRun(t, sampleCausesRun())
	b := checkBlock(t, h, "lifecycle.start")
	if n := strings.Count(b, `<details class="exchange`); n != 3 {
		t.Errorf("lifecycle.start shows %d exchanges, want 3 (its 3 attempts are listed twice)", n)
	}
	for _, want := range []string{
		`<details class="exchange retried"><summary><b>Exchange 1</b>: watch: start <span class="muted">(wire view)</span> <span class="badge b-attempt">attempt 1 of 2</span>`,
		`<div class="retry-why">retried: HTTP 500 InternalFailure (transient: retried with backoff)</div>`,
		`<details class="exchange" open><summary><b>Exchange 2</b>: watch: start <span class="muted">(wire view)</span> <span class="badge b-attempt">attempt 2 of 2</span>`,
		`<b>Exchange 3</b>: walk: start <span class="muted">(wire view)</span> <span class="muted">`, // a call that was not retried has no attempt badge
	} {
		if !strings.Contains(strings.ReplaceAll(b, "\n", ""), strings.ReplaceAll(want, "\n", "")) {
			t.Errorf("lifecycle.start lacks %q:\n%s", want, b)
		}
	}
	if c := section(h, "Causes"); !strings.Contains(c, "attempt 3 of 3") || strings.Count(c, "retry-why") != 2 {
		t.Errorf("the cause's retried attempts are not numbered:\n%s", c)
	}
	// The outcome filter hides checks, never the transcripts inside them.
	if strings.Contains(h, "~.checks details:not(") {
		t.Error("the outcome filter hides nested transcript blocks")
	}
}

// TestHTMLCost: report.html shows the API calls per operation, the starts of the
// budget and the phases, and a check's needs in its block.
func TestHTMLCost(t *testing.T) {
	h, _, _ := writeRun(t, sampleCausesRun())
	cost := section(h, "Cost")
	for _, want := range []string{
		"98 API calls", `<td><code>DescribeMetadataModelConversions</code></td><td class="n">77</td>`,
		"22 of 26 allowed", `<meter min="0" max="26" value="22">`,
		`<tr><th>gather</th><td class="n">9.28ms</td></tr>`, `<tr><th>write</th><td class="n">3ms</td></tr>`,
	} {
		if !strings.Contains(cost, want) {
			t.Errorf("the Cost section lacks %q:\n%s", want, cost)
		}
	}
	if strings.Index(cost, "gather") > strings.Index(cost, "judge") || strings.Index(cost, "judge") > strings.Index(cost, "write") {
		t.Error("phases not in the order they happen")
	}
	if !strings.Contains(checkBlock(t, h, "lifecycle.start"), "<dt>Needs</dt><dd>walk, watch (optional)</dd>") {
		t.Error("a check's needs are not in its block")
	}
	// A run that counted nothing shows no cost.
	if h, _, _ = writeRun(t, sampleRun()); strings.Contains(h, "<h2>Cost</h2>") {
		t.Error("a run without counts shows a cost")
	}
}

// TestHTMLVerdictStyles: every verdict status has its banner style, PARTIAL included.
func TestHTMLVerdictStyles(t *testing.T) {
	run := &Run{Target: Target{TargetKind: "embedded"}, Checks: []Check{
		{CheckInfo: CheckInfo{ID: "a", Level: "MUST"}, Outcome: Pass},
		{CheckInfo: CheckInfo{ID: "b", Level: "MUST"}, Outcome: Unimplemented},
	}}
	h, _, _ := writeRun(t, run)
	if !strings.Contains(h, `<div class="verdict v-PARTIAL"><span class="vstatus">PARTIAL</span>`) {
		t.Error("a PARTIAL run has no PARTIAL banner")
	}
	for _, status := range []string{"PASS", "PARTIAL", "FAIL", "ERROR", "UNIMPLEMENTED"} {
		if !strings.Contains(h, ".v-"+status+"{background:") || !strings.Contains(h, ".v-"+status+" .vstatus{background:") {
			t.Errorf("report.html has no style for the verdict %s", status)
		}
	}
}

// TestCausesLeaveNoSecrets: the transcripts of causes go through the redaction
// boundary like those of checks.
func TestCausesLeaveNoSecrets(t *testing.T) {
	dir := writeSample(t, sampleCausesRun())
	for _, f := range []string{FileJSON, FileJUnit, FileHTML, FileMarkdown} {
		data := readFile(t, filepath.Join(dir, f))
		for _, s := range []string{testAccessKey, testSessionToken, testSignature, testAccount1} {
			if strings.Contains(data, s) {
				t.Errorf("%s contains %q", f, s)
			}
		}
	}
}

// TestHTMLProofs: a mutation run's report.html shows every check of the catalog in the
// kill matrix, with what proves it, and the coverage per check kind.
func TestHTMLProofs(t *testing.T) {
	html, _, _ := writeRun(t, sampleMutationRun())
	for _, want := range []string{
		"<b>4</b> killed by a defect mode, <b>1</b> proven by their table tests only",
		"<th><code>InputMissingSDK</code></th><td class=\"n\">1</td><td class=\"n\">0</td><td>1: the SDK refuses before it sends: no target &lt;answer&gt; reaches it</td>",
		"<code>CancelMetadataModelConversion.shape.response.Progress</code> <span class=\"badge b-fail\">unproven</span>",
		"<code>CancelMetadataModelConversion.input.missing.sdk</code> <span class=\"badge b-skipped\" title=\"the SDK refuses before it sends: no target &lt;answer&gt; reaches it\">table tests only</span>",
		"declared table-tests-only, yet killed",
		`<span class="badge b-skipped" title="aws-sdk-go-v2 has no CancelMetadataModelTrial">not judged in this build</span>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if strings.Contains(html, "killed no mode and are not shown") {
		t.Error("a run with proofs shows every check, yet says some are not shown")
	}
}
