package reports

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"
)

//go:embed report.html.tmpl
var htmlTemplateText string

var htmlTemplate = template.Must(template.New("report.html").Funcs(template.FuncMap{
	"pretty":     prettyBody,
	"headers":    headerLines,
	"duration":   roundDuration,
	"time":       func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 MST") },
	"date":       func(t time.Time) string { return t.UTC().Format(time.DateOnly) },
	"short":      short,
	"oneline":    func(s string) string { return OneLine(s, 0) },
	"anchor":     anchor,
	"pct":        func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
	"join":       strings.Join,
	"label":      TargetLabel,
	"inc":        func(i int) int { return i + 1 },
	"transcript": transcriptHTML,
}).Parse(htmlTemplateText))

// severity orders outcomes for display: what needs attention first.
var severity = map[Outcome]int{Fail: 0, Error: 1, Drift: 2, Unimplemented: 3, Skipped: 4, Pass: 5}

type htmlView struct {
	Run      *Run
	Target   string
	Verdict  string
	Status   string
	Outcomes []htmlCount
	Labels   []htmlLabelRow
	Columns  []Outcome
	Checks   []htmlCheck
	Causes   []*htmlCause
	Cost     *htmlCost
	Classes  []htmlClassCount
	Entries  []ComparisonEntry
	Matrix   *htmlMatrix
	Fails    int
	Errors   int
	// NotRun counts the checks an interrupted run did not judge (cause "interrupted").
	NotRun int
	// Unmet are the unmet SHOULDs; Strict says whether they count (--strict).
	Unmet  []htmlCheck
	Strict bool
	// NotApplicable is the coverage section: the checks the target kind can never
	// support, by cause.
	NotApplicable []UnjudgedGroup
}

// htmlCheck is a check as the page shows it: its transcript without duplicates, and
// the cause that decided it (nil when its own judge did).
type htmlCheck struct {
	Check `json:"-"`
	// The fields the template reads, directly: text/template finds a promoted field
	// by a reflective search on every access, which made writing the page slow.
	ID, Title, Description, Level, Pointer, Operation, Message, Cause string
	Labels, Needs                                                     []string
	Outcome                                                           Outcome
	Duration                                                          time.Duration
	Known                                                             *KnownDeviation
	Class                                                             Class
	Shown                                                             []htmlExchange
	CauseRef                                                          *htmlCause
	// OwnMessage is false when the message only repeats the cause's title.
	OwnMessage bool
	// Source is what the check rests on; Unmet marks an unmet SHOULD.
	Source Source
	Unmet  bool
}

// htmlCause is a root cause as the page shows it, once, with the checks it decided.
type htmlCause struct {
	Cause
	Anchor string
	Count  int      // checks of this run it decided
	IDs    []string // their IDs, sorted
	Shown  []htmlExchange
}

// htmlExchange is one attempt of one call; Of is how many attempts of that call the
// transcript holds (0 when the call was not retried).
// htmlExchange is one exchange as the page shows it: flat fields and the request and
// response already rendered as text (templates reach embedded fields by reflection,
// which made the transcripts most of a report's writing time).
type htmlExchange struct {
	Name, View, Script, Retried, Error string
	Attempt, Of, Call, Status          int
	Duration                           time.Duration
	Request, Response                  string
}

// transcriptHTML renders a transcript: each exchange as a collapsible block (a retried
// attempt collapsed, the answer that counts open), every value HTML-escaped. It is
// built here rather than in the template: a report holds hundreds of exchanges, and a
// template spends most of a report's writing time on them.
func transcriptHTML(es []htmlExchange) template.HTML {
	var b strings.Builder
	esc := html.EscapeString
	for i, e := range es {
		b.WriteString(`<details class="exchange`)
		if e.Retried != "" {
			b.WriteString(` retried"`)
		} else {
			b.WriteString(`" open`)
		}
		fmt.Fprintf(&b, `>
<summary><b>Exchange %d</b>`, i+1)
		if e.Name != "" {
			b.WriteString(": " + esc(e.Name))
		}
		if e.View != "" {
			b.WriteString(` <span class="muted">(` + esc(e.View) + ` view)</span>`)
		}
		if e.Of != 0 {
			fmt.Fprintf(&b, ` <span class="badge b-attempt">attempt %d of %d</span>`, e.Attempt, e.Of)
		}
		b.WriteString(` <span class="muted">→ `)
		if e.Status != 0 {
			fmt.Fprintf(&b, "HTTP %d", e.Status)
		} else {
			b.WriteString("no response")
		}
		b.WriteString(" · " + esc(roundDuration(e.Duration)))
		if e.Script != "" {
			b.WriteString(" · " + esc(e.Script))
			if e.Call != 0 {
				fmt.Fprintf(&b, " call %d", e.Call)
			}
		}
		b.WriteString(`</span>`)
		if e.Retried != "" {
			b.WriteString(`<div class="retry-why">retried: ` + esc(e.Retried) + `</div>`)
		}
		b.WriteString(`</summary>
<div class="grid2">
<div><div class="muted">request</div><pre>` + esc(e.Request) + `</pre></div>
<div><div class="muted">response</div><pre>` + esc(e.Response) + `</pre>`)
		if e.Error != "" {
			b.WriteString(`<div class="muted">transport error</div><pre>` + esc(e.Error) + `</pre>`)
		}
		b.WriteString("</div>\n</div>\n</details>\n")
	}
	return template.HTML(b.String())
}

// messageText renders one side of an exchange: the first line, the headers, the
// body (JSON indented).
func messageText(m HTTPMessage, request bool) string {
	var b strings.Builder
	switch {
	case request:
		b.WriteString(m.Method + " " + m.URL)
	case m.Status != 0:
		fmt.Fprintf(&b, "HTTP %d", m.Status)
	default:
		b.WriteString("(no response)")
	}
	b.WriteString("\n")
	b.WriteString(headerLines(m.Headers))
	if m.Body != "" {
		b.WriteString("\n")
		if m.BodySize > 0 {
			b.WriteString(m.Body) // a beginning: not JSON to indent
		} else {
			b.WriteString(prettyBody(m.Body))
		}
	}
	if note := bodyNote(m); note != "" {
		b.WriteString("\n" + note)
	}
	return b.String()
}

// htmlCost is what the run cost: API calls per operation, starts of the budget, and
// where the time went.
type htmlCost struct {
	Calls       []htmlNamedInt
	CallsTotal  int64
	Starts      int
	StartBudget int
	Phases      []htmlPhase
}

type htmlNamedInt struct {
	Name  string
	Count int
}

type htmlPhase struct {
	Name     string
	Duration time.Duration
}

type htmlCount struct {
	Outcome Outcome
	Count   int
}

type htmlLabelRow struct {
	Label  string
	Counts []int
	Total  int
}

type htmlClassCount struct {
	Class Class
	Count int
}

type htmlMatrix struct {
	*KillMatrix
	Rows     []htmlMatrixRow
	Survived []string
	Silent   int // checks that killed no mode and are not shown (a report without proofs)
}

type htmlMatrixRow struct {
	ID            string
	Cells         []bool
	Kills         int
	FalsePositive bool
	Proof         string // a ProofStatus; "" in a report without proofs
	Reason        string // why only its table tests prove it
}

// WriteHTML writes report.html: one self-contained page (inline CSS, no scripts, no
// external resources) with the header (the verdict, and a banner when the run was
// interrupted), totals, the causes (each root cause once, with its transcript and the
// checks it decided), what the run cost (API calls per operation, starts of the
// budget, phases), a label × outcome matrix, the baseline classification, the kill
// matrix of mutation runs, and every check as an expandable block with its
// request/response transcripts (each attempt once, retried attempts numbered with the
// reason). A check decided by a cause links to it instead of repeating it. Everything
// is escaped by html/template. Checks needing attention come first (fail, error,
// drift, unimplemented, skipped, pass) and radio buttons filter by outcome with CSS
// only.
func WriteHTML(w io.Writer, run *Run) error {
	v := htmlView{Run: run, Target: TargetLabel(run.Target), Columns: Outcomes}
	v.Status, v.Verdict = VerdictStatus(run)
	t := ComputeTotals(run.Checks)
	for _, o := range Outcomes {
		v.Outcomes = append(v.Outcomes, htmlCount{o, t[o]})
	}
	v.Fails, v.Errors = t[Fail], t[Error]
	v.Labels = labelMatrix(run.Checks)
	v.Causes = causeViews(run)
	v.NotApplicable = NotApplicable(run)
	byCause := map[string]*htmlCause{}
	for _, c := range v.Causes {
		byCause[c.ID] = c
	}
	// A not-applicable cause is said once, in the coverage section (its entry carries
	// the cause's anchor, so the checks it decided link there), as summary.md does.
	v.Causes = slices.DeleteFunc(v.Causes, func(c *htmlCause) bool { return strings.HasPrefix(c.ID, CauseNotApplicable) })
	for _, c := range run.Checks {
		hc := htmlCheck{Check: c, ID: c.ID, Title: c.Title, Description: c.Description, Level: c.Level, Pointer: c.Pointer,
			Operation: c.Operation, Message: c.Message, Cause: c.Cause, Labels: c.Labels, Needs: c.Needs, Outcome: c.Outcome,
			Duration: c.Duration, Known: c.Known, Class: c.Class,
			Shown: exchangeViews(c.Exchanges), CauseRef: byCause[c.Cause], OwnMessage: true,
			Source: c.Source, Unmet: Unmet(c)}
		if hc.CauseRef != nil {
			title, m := strings.TrimSpace(hc.CauseRef.Title), strings.TrimSpace(c.Message)
			hc.OwnMessage = m != "" && m != title && m != "blocked by: "+title
		}
		if c.Cause == CauseInterrupted {
			v.NotRun++
		}
		v.Checks = append(v.Checks, hc)
		if hc.Unmet {
			v.Unmet = append(v.Unmet, hc)
		}
	}
	v.Strict = run.Strict
	sort.SliceStable(v.Checks, func(i, j int) bool {
		si, sj := sev(v.Checks[i].Check), sev(v.Checks[j].Check)
		if si != sj {
			return si < sj
		}
		return v.Checks[i].ID < v.Checks[j].ID
	})
	v.Cost = costView(run)
	if cmp := run.Baseline; cmp != nil {
		for _, c := range Classes {
			v.Classes = append(v.Classes, htmlClassCount{c, cmp.Counts[c]})
		}
		v.Entries = cmp.Entries
	}
	if run.Matrix != nil {
		v.Matrix = killMatrixView(run)
	}
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, v); err != nil {
		return fmt.Errorf("render report.html: %w", err)
	}
	// HTML escaping leaves control characters a target sent as they are: shown escaped,
	// as in every other report.
	_, err := io.WriteString(w, Printable(buf.String()))
	return err
}

// causeViews lists the run's causes, each once, the most severe first (error,
// unimplemented, skipped; then the one that decided most checks), with the checks of
// the run each decided. A check naming a cause the run does not list gets one made
// from the check (its outcome, its message as the title), so nothing is said per check.
func causeViews(run *Run) []*htmlCause {
	var out []*htmlCause
	byID := map[string]*htmlCause{}
	for _, c := range run.Causes {
		if byID[c.ID] != nil {
			continue
		}
		hc := &htmlCause{Cause: c, Anchor: anchor("cause", c.ID), Shown: exchangeViews(c.Exchanges)}
		byID[c.ID] = hc
		out = append(out, hc)
	}
	for _, c := range run.Checks {
		if c.Cause == "" {
			continue
		}
		hc := byID[c.Cause]
		if hc == nil {
			title := strings.TrimPrefix(strings.TrimSpace(c.Message), "blocked by: ")
			hc = &htmlCause{Cause: Cause{ID: c.Cause, Outcome: c.Outcome, Title: orDefault(title, c.Cause)}, Anchor: anchor("cause", c.Cause)}
			byID[c.Cause] = hc
			out = append(out, hc)
		}
		hc.Count++
		hc.IDs = append(hc.IDs, c.ID)
	}
	for _, hc := range out {
		if hc.Count == 0 {
			hc.Count = hc.Checks // a cause of checks this report does not hold
		}
		sort.Strings(hc.IDs)
	}
	sort.SliceStable(out, func(i, j int) bool {
		si, sj := sev(Check{Outcome: out[i].Outcome}), sev(Check{Outcome: out[j].Outcome})
		if si != sj {
			return si < sj
		}
		return out[i].Count > out[j].Count
	})
	return out
}

// exchangeViews drops repeated exchanges (the same attempt listed twice, e.g. a sample
// that two pieces of evidence share) and numbers the attempts of each retried call.
func exchangeViews(es []Exchange) []htmlExchange {
	es = UniqueExchanges(es)
	attempts := map[string]int{}
	for _, e := range es {
		k := callKey(e)
		attempts[k] = max(attempts[k], e.Attempt)
	}
	out := make([]htmlExchange, 0, len(es))
	for _, e := range es {
		of := attempts[callKey(e)]
		if of < 2 && e.Retried == "" {
			of = 0
		}
		out = append(out, htmlExchange{Name: e.Name, View: e.View, Script: e.Script, Retried: e.Retried, Error: e.Error,
			Attempt: e.Attempt, Of: of, Call: e.Call, Status: e.Response.Status, Duration: e.Duration,
			Request: messageText(e.Request, true), Response: messageText(e.Response, false)})
	}
	return out
}

func callKey(e Exchange) string {
	if e.Call > 0 {
		return fmt.Sprintf("%s#%d", e.Script, e.Call)
	}
	return e.Script + "\x00" + e.Name + "\x00" + e.View
}

// costView is what the run cost, or nil when the run counted nothing.
func costView(run *Run) *htmlCost {
	c := &htmlCost{Starts: run.Starts, StartBudget: run.StartBudget}
	for _, op := range slices.Sorted(maps.Keys(run.Calls)) {
		c.Calls = append(c.Calls, htmlNamedInt{op, run.Calls[op]})
		c.CallsTotal += int64(run.Calls[op])
	}
	if c.CallsTotal == 0 {
		c.CallsTotal = run.ExchangeCount
	}
	c.Phases = phases(run.Phases)
	if c.CallsTotal == 0 && c.Starts == 0 && c.StartBudget == 0 && len(c.Phases) == 0 {
		return nil
	}
	return c
}

// phases orders a run's phases as they happen (gather, judge, write), then any other
// by name.
func phases(m map[string]time.Duration) []htmlPhase {
	rank := map[string]int{"gather": 1, "judge": 2, "write": 3}
	names := slices.Sorted(maps.Keys(m))
	sort.SliceStable(names, func(i, j int) bool {
		ri, rj := rank[names[i]], rank[names[j]]
		if ri == 0 {
			ri = 99
		}
		if rj == 0 {
			rj = 99
		}
		return ri < rj
	})
	out := make([]htmlPhase, 0, len(names))
	for _, n := range names {
		out = append(out, htmlPhase{n, m[n]})
	}
	return out
}

// anchor is the id of an element of the page for a check or cause ID: letters, digits,
// "." and "-" are kept, "/" becomes "_", anything else is spelled ~XX (hex), so every
// ID has its own anchor and no anchor is escaped in a URL fragment (html/template
// escapes "/" there, and a link must match its id byte for byte).
func anchor(kind, id string) string {
	var b strings.Builder
	b.WriteString(kind)
	b.WriteByte('-')
	for _, c := range []byte(id) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-':
			b.WriteByte(c)
		case c == '/':
			b.WriteByte('_')
		default:
			fmt.Fprintf(&b, "~%02x", c)
		}
	}
	return b.String()
}

// roundDuration keeps what a reader compares: microseconds under a second,
// milliseconds above.
func roundDuration(d time.Duration) string {
	if d >= time.Second || d <= -time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Microsecond).String()
}

func sev(c Check) int {
	s, ok := severity[c.Outcome]
	if !ok {
		return 1 // unknown outcomes need attention like errors
	}
	if c.Outcome == Fail && c.Known != nil {
		return 2 // expected failures after the real ones and errors
	}
	return s
}

func labelMatrix(checks []Check) []htmlLabelRow {
	idx := map[Outcome]int{}
	for i, o := range Outcomes {
		idx[o] = i
	}
	rows := map[string]*htmlLabelRow{}
	add := func(label string, o Outcome) {
		r := rows[label]
		if r == nil {
			r = &htmlLabelRow{Label: label, Counts: make([]int, len(Outcomes))}
			rows[label] = r
		}
		if i, ok := idx[o]; ok {
			r.Counts[i]++
		}
		r.Total++
	}
	for _, c := range checks {
		if len(c.Labels) == 0 {
			add("(no label)", c.Outcome)
		}
		for _, l := range c.Labels {
			add(l, c.Outcome)
		}
	}
	out := make([]htmlLabelRow, 0, len(rows))
	for _, k := range slices.Sorted(maps.Keys(rows)) {
		out = append(out, *rows[k])
	}
	return out
}

func killMatrixView(run *Run) *htmlMatrix {
	m := run.Matrix
	hm := &htmlMatrix{KillMatrix: m}
	fp := map[string]bool{}
	for _, id := range m.FalsePositives {
		fp[id] = true
	}
	killedBy := map[string]map[string]bool{} // check -> modes
	for mode, ids := range m.Killed {
		for _, id := range ids {
			if killedBy[id] == nil {
				killedBy[id] = map[string]bool{}
			}
			killedBy[id][mode] = true
		}
	}
	ids := map[string]bool{}
	for id := range killedBy {
		ids[id] = true
	}
	for id := range fp {
		ids[id] = true
	}
	order := slices.Sorted(maps.Keys(ids))
	proof := map[string]CheckProof{}
	if len(m.Proofs) > 0 {
		// Every check of the catalog, in catalog order, with its proof.
		for _, p := range m.Proofs {
			proof[p.ID] = p
		}
		rest := slices.DeleteFunc(order, func(id string) bool { _, ok := proof[id]; return ok })
		order = nil
		for _, p := range m.Proofs {
			order = append(order, p.ID)
		}
		order = append(order, rest...) // a false positive of a check the proofs do not list
	} else {
		for _, c := range run.Checks {
			if !ids[c.ID] {
				hm.Silent++
			}
		}
	}
	for _, id := range order {
		row := htmlMatrixRow{ID: id, FalsePositive: fp[id]}
		if p, ok := proof[id]; ok {
			row.Proof, row.Reason = p.Status(), p.TableTestsOnly
			if row.Reason == "" {
				row.Reason = p.NotJudged
			}
		}
		for _, mode := range m.Modes {
			k := killedBy[id][mode]
			row.Cells = append(row.Cells, k)
			if k {
				row.Kills++
			}
		}
		hm.Rows = append(hm.Rows, row)
	}
	for _, mode := range m.Modes {
		if len(m.Killed[mode]) == 0 {
			hm.Survived = append(hm.Survived, mode)
		}
	}
	return hm
}

// prettyBody indents a JSON body; anything else is returned as is.
func prettyBody(body string) string {
	trimmed := strings.TrimSpace(body)
	if trimmed == "" || (trimmed[0] != '{' && trimmed[0] != '[') {
		return body
	}
	var out bytes.Buffer
	if err := json.Indent(&out, []byte(trimmed), "", "  "); err != nil {
		return body
	}
	return out.String()
}

// headerLines renders headers as "Name: value" lines sorted by name.
func headerLines(h map[string][]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	return b.String()
}
