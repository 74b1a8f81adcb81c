package record

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/dmsconform/dmsconform/internal/jsonv"
	"github.com/dmsconform/dmsconform/internal/text"
)

// Changes a difference can be (Difference.Change; "kind" in parity.json).
const (
	DiffAdded     = "added"     // a member, element or header only the current target sent
	DiffRemoved   = "removed"   // a member, element or header only the recorded target sent
	DiffChanged   = "changed"   // a value (not volatile) differs
	DiffType      = "type"      // a value has another JSON type
	DiffStatus    = "status"    // the HTTP status differs
	DiffFault     = "fault"     // the error code clients resolve differs (pointer /response/fault)
	DiffOperation = "operation" // the exchanges at this place called different operations
	DiffMissing   = "missing"   // the recording has an exchange the current run did not make
	DiffExtra     = "extra"     // the current run made an exchange the recording lacks
	DiffError     = "error"     // one side got no response (a transport error)
)

// Difference is one structural difference between a recorded and a current exchange,
// at a JSON pointer into the exchange (/response/status, /response/body/Request/Status,
// /response/headers/Content-Type ...).
type Difference struct {
	Current  any    `json:"current,omitempty"`
	Change   string `json:"kind"`
	Pointer  string `json:"pointer"`
	Recorded any    `json:"recorded,omitempty"`
}

// ExchangeParity compares one exchange. Seq and CurrentSeq are 0 where that side has
// no exchange.
type ExchangeParity struct {
	CurrentSeq  int          `json:"currentSeq,omitempty"`
	Differences []Difference `json:"differences,omitempty"`
	Match       bool         `json:"match"`
	Name        string       `json:"name,omitempty"`
	Operation   string       `json:"operation"`
	Seq         int          `json:"seq,omitempty"` // in the recording
}

// ScriptParity is one evidence script's exchanges compared.
type ScriptParity struct {
	Exchanges []ExchangeParity `json:"exchanges,omitempty"`
	Key       string           `json:"key"`
	Matching  int              `json:"matching"`
	Total     int              `json:"total"`
}

// OperationScore is the parity of one operation: matching exchanges / exchanges.
type OperationScore struct {
	Exchanges int     `json:"exchanges"`
	Matching  int     `json:"matching"`
	Operation string  `json:"operation"`
	Score     float64 `json:"score"` // percent, 0..100
}

// Parity is the result of comparing a current run's recording with a recorded one.
type Parity struct {
	Current   TargetRef `json:"current"`
	Exchanges int       `json:"exchanges"`
	// Ignored counts the exchanges not scored because they show the weather or the
	// pace of a target, not its behaviour.
	Ignored  Ignored `json:"ignored"`
	Matching int     `json:"matching"`
	// NotCompared lists the evidence scripts only one side made (a capability such as
	// a control surface or a denied principal the other lacked, or another label
	// filter): neither side could have answered the other's calls, so they are not
	// scored.
	NotCompared []NotCompared    `json:"notCompared,omitempty"`
	Operations  []OperationScore `json:"operations"`
	Recorded    TargetRef        `json:"recorded"`
	// RecordedDir is the recording compared against.
	RecordedDir string         `json:"recordedDir"`
	Score       float64        `json:"score"` // percent over all exchanges
	Scripts     []ScriptParity `json:"scripts"`
}

// Ignored counts exchanges parity does not score: attempts that were retried (a
// throttle, a 5xx: the answer that counts is the last attempt's) and repeated polls
// (a lifecycle polled until it changes: how many polls that takes is the target's
// pace, so consecutive polls with the same answer count once).
type Ignored struct {
	// Control counts the calls to an emulator's control surface: the harness
	// steering the emulator, not the API.
	Control int `json:"control"`
	Polls   int `json:"polls"`
	Retries int `json:"retries"`
}

// NotCompared is one evidence script only one side made.
type NotCompared struct {
	Key    string `json:"key"`
	Reason string `json:"reason"`
}

// transportHeaders describe the connection, not the API: which server software
// answered, when, how long the body is and how the connection is kept. They differ
// between any two servers that answer alike, so parity does not compare them.
var transportHeaders = map[string]bool{
	"Server": true, "Date": true, "Content-Length": true, "Connection": true, "Keep-Alive": true,
	"Transfer-Encoding": true, "Proxy-Connection": true, "Upgrade": true, "Te": true, "Trailer": true,
	"Via": true, "Alt-Svc": true, "Access-Control-Allow-Origin": true,
}

// Perfect reports whether every exchange matched.
func (p *Parity) Perfect() bool { return p.Matching == p.Exchanges }

// Differences counts the differences of every exchange.
func (p *Parity) Differences() int {
	n := 0
	for _, c := range p.Scripts {
		for _, e := range c.Exchanges {
			n += len(e.Differences)
		}
	}
	return n
}

// Compare measures how closely current answers like recorded: per evidence script,
// exchanges are aligned by operation (a longest common subsequence, so an extra poll
// shows as one extra exchange instead of shifting every later one) and each pair is
// compared: status, fault, headers and the body's structure at JSON pointers. Values
// at volatile pointers (of either side) are not compared; their presence and type are.
func Compare(recorded, current *Recording) *Parity {
	p := &Parity{Recorded: recorded.Meta.Target, Current: current.Meta.Target, RecordedDir: recorded.Dir}
	keys := recorded.Keys()
	for _, k := range current.Keys() {
		if indexOf(keys, k) < 0 {
			keys = append(keys, k)
		}
	}
	ops := map[string]*OperationScore{}
	steps := progressSteps(recorded)
	for _, key := range keys {
		if reason := onlyOneSide(recorded, current, key); reason != "" {
			p.NotCompared = append(p.NotCompared, NotCompared{Key: key, Reason: reason})
			continue
		}
		sp := ScriptParity{Key: key}
		rex, cex := recorded.exchangesOf(key), current.exchangesOf(key)
		var n int
		rex, n = lastAttempts(rex)
		p.Ignored.Retries += n
		cex, n = lastAttempts(cex)
		p.Ignored.Retries += n
		rex, n = withoutControl(rex)
		p.Ignored.Control += n
		cex, n = withoutControl(cex)
		p.Ignored.Control += n
		var pairs []exchangePair
		if key == SetupScript {
			// Preflight calls run side by side and clean-up follows the order requests
			// were started: compare by operation.
			pairs = alignPairs(byOperation(rex), byOperation(cex), compareOpts{shallow: true, steps: steps})
		} else {
			for _, sp := range pairStreams(rex, cex) {
				pairs = append(pairs, alignStream(sp[0], sp[1], compareOpts{steps: steps}, &p.Ignored)...)
			}
		}
		for _, pr := range pairs {
			ep := pr.compare()
			sp.Exchanges = append(sp.Exchanges, ep)
			sp.Total++
			sc := ops[ep.Operation]
			if sc == nil {
				sc = &OperationScore{Operation: ep.Operation}
				ops[ep.Operation] = sc
			}
			sc.Exchanges++
			if ep.Match {
				sp.Matching++
				sc.Matching++
			}
		}
		p.Exchanges += sp.Total
		p.Matching += sp.Matching
		p.Scripts = append(p.Scripts, sp)
	}
	for _, sc := range ops {
		sc.Score = percent(sc.Matching, sc.Exchanges)
		p.Operations = append(p.Operations, *sc)
	}
	sort.Slice(p.Operations, func(i, j int) bool { return p.Operations[i].Operation < p.Operations[j].Operation })
	p.Score = percent(p.Matching, p.Exchanges)
	return p
}

// onlyOneSide says why a script is not compared ("" when both sides made it): one
// recording has no such script, or has it without an exchange while the other has
// some, which is what a capability the run lacked leaves (a script whose every call
// it could not make).
func onlyOneSide(recorded, current *Recording, key string) string {
	r, c := recorded.Scripts[key], current.Scripts[key]
	switch {
	case r == nil && c == nil:
		return "neither recording has it"
	case r == nil:
		return "only the current run made it (the recorded run did not select it, or lacked what it needs)"
	case c == nil:
		return "only the recorded run made it (the current run did not select it: another label filter, or a capability such as a control surface or a denied principal it lacks)"
	case len(r.Exchanges) == 0 && len(c.Exchanges) > 0:
		return "the recorded run made no call in it"
	case len(c.Exchanges) == 0 && len(r.Exchanges) > 0 && c.Cause != nil:
		return "the current run made no call in it (" + causeTitle(c.Cause) + ")"
	}
	return ""
}

// causeTitle is the title of an engine cause record, or a generic phrase.
func causeTitle(raw json.RawMessage) string {
	var c struct {
		Title string `json:"title"`
		ID    string `json:"id"`
	}
	if json.Unmarshal(raw, &c) == nil {
		if c.Title != "" {
			return c.Title
		}
		if c.ID != "" {
			return c.ID
		}
	}
	return "a cause ended the script"
}

// lastAttempts drops the attempts that were retried: the answer that counts is the
// last attempt's, and how many attempts a call took is the weather's.
func lastAttempts(exs []Exchange) ([]Exchange, int) {
	out := make([]Exchange, 0, len(exs))
	for _, e := range exs {
		if e.Retried == "" {
			out = append(out, e)
		}
	}
	return out, len(exs) - len(out)
}

// withoutControl drops the calls to the emulator's control surface: they are the
// harness steering an emulator, not the target answering the API (real DMS has none).
func withoutControl(exs []Exchange) ([]Exchange, int) {
	out := make([]Exchange, 0, len(exs))
	for _, e := range exs {
		if e.View != "control" && !strings.HasPrefix(e.Operation(), "control ") {
			out = append(out, e)
		}
	}
	return out, len(exs) - len(out)
}

// exchangePair is a recorded exchange and the current one at its place (either nil
// when the other side has none); shallow compares array members by type only.
type exchangePair struct {
	r, c *Exchange
	o    compareOpts
}

func (p exchangePair) compare() ExchangeParity { return compareExchanges(p.r, p.c, p.o) }

// compareOpts are the rules of one comparison: shallow compares arrays by type only
// (a preflight's listing holds whatever the account has: the environment, not the
// target's behaviour); steps are the ProgressStep values the recording shows, so a
// request caught at another known step than in the recording reads as pace.
type compareOpts struct {
	shallow bool
	steps   map[string]bool
}

// progressSteps collects every ProgressStep value of a recording's responses.
func progressSteps(r *Recording) map[string]bool {
	steps := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, y := range x {
				if s, ok := y.(string); ok && k == "ProgressStep" {
					steps[s] = true
				}
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	for _, sf := range r.Scripts {
		for _, e := range sf.Exchanges {
			walk(e.Response.Body)
		}
	}
	return steps
}

// isPoll reports whether an exchange polls a lifecycle (a Describe call): how many
// polls a lifecycle takes, and which of its states they catch, is the target's pace.
func isPoll(e *Exchange) bool { return strings.HasPrefix(e.Operation(), "Describe") }

// streamsOf groups a script's exchanges by stream (the concurrent runs of a script),
// in the order the streams first appear.
func streamsOf(exs []Exchange) (keys []string, by map[string][]Exchange) {
	by = map[string][]Exchange{}
	for _, e := range exs {
		if _, ok := by[e.Stream]; !ok {
			keys = append(keys, e.Stream)
		}
		by[e.Stream] = append(by[e.Stream], e)
	}
	return keys, by
}

// streamName is what pairs a stream with its counterpart: the name of its first
// named exchange (a scenario's "held at ANALYZING: start"), since concurrent runs are
// numbered in the order they happened to start; the stream's own key otherwise.
func streamName(stream string, exs []Exchange) string {
	for _, e := range exs {
		if e.Name != "" {
			return e.Name
		}
	}
	return stream
}

// pairStreams pairs the streams of both sides by name (the n-th stream of a name with
// the n-th of that name on the other side); a stream only one side has is paired with
// nothing.
func pairStreams(rex, cex []Exchange) [][2][]Exchange {
	rkeys, rby := streamsOf(rex)
	ckeys, cby := streamsOf(cex)
	cnames := map[string][]string{}
	for _, k := range ckeys {
		n := streamName(k, cby[k])
		cnames[n] = append(cnames[n], k)
	}
	used := map[string]bool{}
	var out [][2][]Exchange
	for _, k := range rkeys {
		n := streamName(k, rby[k])
		var partner []Exchange
		if cs := cnames[n]; len(cs) > 0 {
			partner, used[cs[0]] = cby[cs[0]], true
			cnames[n] = cs[1:]
		}
		out = append(out, [2][]Exchange{rby[k], partner})
	}
	for _, k := range ckeys {
		if !used[k] {
			out = append(out, [2][]Exchange{nil, cby[k]})
		}
	}
	return out
}

// alignStream pairs the exchanges of one stream. Calls other than polls are aligned
// by operation (alignPairs). Polls are the target's pace: consecutive polls with the
// same answer count once, and polls are paired by the lifecycle state they saw (a
// longest common subsequence of their Status and ProgressStep), so a state one side
// was polled in and the other passed unseen is not scored, while two polls of the
// same state are compared in full and a state both saw in another order differs; the
// last poll of each side (where the lifecycle ended up) is always scored, against the
// other side's last, so a lifecycle that never reaches the recorded end differs.
func alignStream(rex, cex []Exchange, o compareOpts, ign *Ignored) []exchangePair {
	rpoll, rother := splitPolls(rex)
	cpoll, cother := splitPolls(cex)
	pairs := alignPairs(rother, cother, o)
	var n int
	rpoll, n = collapsePolls(rpoll, o)
	ign.Polls += n
	cpoll, n = collapsePolls(cpoll, o)
	ign.Polls += n
	if len(rpoll) == 0 || len(cpoll) == 0 {
		return append(pairs, alignPairs(rpoll, cpoll, o)...)
	}
	rl, cl := len(rpoll)-1, len(cpoll)-1
	rseen, cseen := map[int]bool{}, map[int]bool{}
	for _, ij := range pollLCS(rpoll[:rl], cpoll[:cl]) {
		i, j := ij[0], ij[1]
		pairs = append(pairs, exchangePair{r: &rpoll[i], c: &cpoll[j], o: o})
		rseen[i], cseen[j] = true, true
	}
	// A poll left unpaired is pace only when the other side never saw its state
	// (it passed that state between two polls); a state both sides saw, in another
	// order, is behaviour (a step that went back).
	rstates, cstates := pollStates(rpoll), pollStates(cpoll)
	for i := 0; i < rl; i++ {
		if !rseen[i] {
			if cstates[pollState(&rpoll[i])] {
				pairs = append(pairs, exchangePair{r: &rpoll[i], o: o})
			} else {
				ign.Polls++
			}
		}
	}
	for j := 0; j < cl; j++ {
		if !cseen[j] {
			if rstates[pollState(&cpoll[j])] {
				pairs = append(pairs, exchangePair{c: &cpoll[j], o: o})
			} else {
				ign.Polls++
			}
		}
	}
	return append(pairs, exchangePair{r: &rpoll[rl], c: &cpoll[cl], o: o})
}

// splitPolls separates a stream's polls from its other calls, each in order.
func splitPolls(exs []Exchange) (polls, other []Exchange) {
	for _, e := range exs {
		if isPoll(&e) {
			polls = append(polls, e)
		} else {
			other = append(other, e)
		}
	}
	return polls, other
}

// pollLCS pairs the polls of two sides with equal answers, in order: a longest
// common subsequence of their states, as index pairs.
func pollLCS(rpoll, cpoll []Exchange) [][2]int {
	rl, cl := len(rpoll), len(cpoll)
	l := make([][]int, rl+1)
	for i := range l {
		l[i] = make([]int, cl+1)
	}
	same := func(i, j int) bool { return pollState(&rpoll[i]) == pollState(&cpoll[j]) }
	for i := rl - 1; i >= 0; i-- {
		for j := cl - 1; j >= 0; j-- {
			if same(i, j) {
				l[i][j] = l[i+1][j+1] + 1
			} else {
				l[i][j] = max(l[i+1][j], l[i][j+1])
			}
		}
	}
	var out [][2]int
	for i, j := 0, 0; i < rl && j < cl; {
		switch {
		case same(i, j) && l[i][j] == l[i+1][j+1]+1:
			out = append(out, [2]int{i, j})
			i++
			j++
		case l[i+1][j] >= l[i][j+1]:
			i++
		default:
			j++
		}
	}
	return out
}

// pollStates is the set of states a side's polls showed.
func pollStates(ps []Exchange) map[string]bool {
	m := map[string]bool{}
	for i := range ps {
		m[pollState(&ps[i])] = true
	}
	return m
}

// pollState is the lifecycle state a poll saw: the HTTP status, and the Status and
// ProgressStep of each request it listed.
func pollState(e *Exchange) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s", e.Response.Status, faultOf(e.Response))
	obj, _ := e.Response.Body.(map[string]any)
	reqs, _ := obj["Requests"].([]any)
	for _, r := range reqs {
		if m, ok := r.(map[string]any); ok {
			step := ""
			if p, ok := m["Progress"].(map[string]any); ok {
				step, _ = p["ProgressStep"].(string)
			}
			fmt.Fprintf(&b, " %v/%s", m["Status"], step)
		}
	}
	return b.String()
}

// collapsePolls keeps one of consecutive polls that got the same answer (by
// compareExchanges: status, fault, headers, body structure and non-volatile values):
// a slow target is polled more often than a fast one until its answer changes.
func collapsePolls(exs []Exchange, o compareOpts) ([]Exchange, int) {
	out := make([]Exchange, 0, len(exs))
	for _, e := range exs {
		// Strictly: another step is another state here, however well the recording
		// knows it.
		if n := len(out); n > 0 && out[n-1].Operation() == e.Operation() && pollState(&out[n-1]) == pollState(&e) &&
			compareExchanges(&out[n-1], &e, compareOpts{shallow: o.shallow}).Match {
			continue
		}
		out = append(out, e)
	}
	return out, len(exs) - len(out)
}

func percent(n, d int) float64 {
	if d == 0 {
		return 100
	}
	return math.Floor(float64(n)/float64(d)*10000) / 100
}

func byOperation(exs []Exchange) []Exchange {
	out := append([]Exchange(nil), exs...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Operation() < out[j].Operation() })
	return out
}

// alignPairs pairs exchanges of the same operation in order (LCS); unpaired ones
// come with a nil partner.
func alignPairs(a, b []Exchange, o compareOpts) []exchangePair {
	n, m := len(a), len(b)
	l := make([][]int, n+1)
	for i := range l {
		l[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i].Operation() == b[j].Operation() {
				l[i][j] = l[i+1][j+1] + 1
			} else {
				l[i][j] = max(l[i+1][j], l[i][j+1])
			}
		}
	}
	var out []exchangePair
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i].Operation() == b[j].Operation():
			out = append(out, exchangePair{&a[i], &b[j], o})
			i++
			j++
		case j >= m || (i < n && l[i+1][j] >= l[i][j+1]):
			out = append(out, exchangePair{&a[i], nil, o})
			i++
		default:
			out = append(out, exchangePair{nil, &b[j], o})
			j++
		}
	}
	return out
}

// compareExchanges compares one pair (either may be nil: missing or extra) by the
// rules o.
func compareExchanges(r, c *Exchange, o compareOpts) ExchangeParity {
	switch {
	case c == nil:
		return ExchangeParity{Seq: r.Seq, Name: r.Name, Operation: r.Operation(),
			Differences: []Difference{{Change: DiffMissing, Pointer: "", Recorded: r.Operation()}}}
	case r == nil:
		return ExchangeParity{CurrentSeq: c.Seq, Name: c.Name, Operation: c.Operation(),
			Differences: []Difference{{Change: DiffExtra, Pointer: "", Current: c.Operation()}}}
	}
	ep := ExchangeParity{Seq: r.Seq, CurrentSeq: c.Seq, Name: r.Name, Operation: r.Operation()}
	d := &differ{volatile: map[string]bool{}, compareOpts: o}
	for _, p := range r.Volatile {
		d.volatile[p] = true
	}
	for _, p := range c.Volatile {
		d.volatile[p] = true
	}
	if r.Operation() != c.Operation() {
		d.add(DiffOperation, "/request/target", r.Operation(), c.Operation())
	}
	if (r.Error != "") != (c.Error != "") {
		d.add(DiffError, "/error", r.Error, c.Error)
	}
	if r.Response.Status != c.Response.Status {
		d.add(DiffStatus, "/response/status", r.Response.Status, c.Response.Status)
	}
	if rf, cf := faultOf(r.Response), faultOf(c.Response); rf != cf {
		d.add(DiffFault, "/response/fault", rf, cf)
	}
	d.headers(r.Response.Headers, c.Response.Headers, "/response/headers")
	switch {
	case r.Response.Body != nil && c.Response.Body != nil:
		d.value(r.Response.Body, c.Response.Body, "/response/body")
	case r.Response.Body != nil && c.Response.BodyText != "":
		d.add(DiffType, "/response/body", "JSON "+jsonv.TypeName(r.Response.Body), "text")
	case r.Response.BodyText != "" && c.Response.Body != nil:
		d.add(DiffType, "/response/body", "text", "JSON "+jsonv.TypeName(c.Response.Body))
	case r.Response.Body != nil:
		d.add(DiffRemoved, "/response/body", r.Response.Body, nil)
	case c.Response.Body != nil:
		d.add(DiffAdded, "/response/body", nil, c.Response.Body)
	default:
		if !d.isVolatile("/response/bodyText") && generic(r.Response.BodyText) != generic(c.Response.BodyText) {
			d.add(DiffChanged, "/response/bodyText", r.Response.BodyText, c.Response.BodyText)
		}
	}
	ep.Differences = d.diffs
	ep.Match = len(d.diffs) == 0
	return ep
}

// faultOf is the error code of a response the way awsJson 1.1 clients resolve it:
// X-Amzn-ErrorType first, then the body's __type, then code ("" for success).
func faultOf(m Message) string {
	if m.Status < 300 {
		return ""
	}
	clean := func(s string) string {
		if i := strings.IndexByte(s, ':'); i >= 0 {
			s = s[:i]
		}
		if i := strings.LastIndexByte(s, '#'); i >= 0 {
			s = s[i+1:]
		}
		return strings.TrimSpace(s)
	}
	for k, v := range m.Headers {
		if strings.EqualFold(k, "X-Amzn-Errortype") && v != "" {
			return clean(v)
		}
	}
	if obj, ok := m.Body.(map[string]any); ok {
		for _, k := range []string{"__type", "code"} {
			if s, ok := obj[k].(string); ok && s != "" {
				return clean(s)
			}
		}
	}
	return ""
}

type differ struct {
	compareOpts
	volatile map[string]bool
	diffs    []Difference
}

func (d *differ) add(kind, ptr string, rec, cur any) {
	d.diffs = append(d.diffs, Difference{Change: kind, Pointer: ptr, Recorded: rec, Current: cur})
}

// sameStatus reports whether two request objects have the same Status (both set).
func sameStatus(r, c map[string]any) bool {
	rs, ok := r["Status"].(string)
	return ok && rs == c["Status"]
}

// atAnotherStep reports whether two Progress objects are at different steps that the
// recording both shows: a target caught a step earlier or later than the recorded
// one, which is its pace. An undocumented step the recording never shows still
// differs. progress is set when either object is a Progress (it has a ProgressStep).
func (d *differ) atAnotherStep(r, c map[string]any) (anotherStep, progress bool) {
	rs, rok := r["ProgressStep"].(string)
	cs, cok := c["ProgressStep"].(string)
	return rok && cok && rs != cs && d.steps[rs] && d.steps[cs], rok || cok
}

// isVolatile: ptr or one of its ancestors is volatile.
func (d *differ) isVolatile(ptr string) bool {
	for p := ptr; p != ""; {
		if d.volatile[p] {
			return true
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return false
}

func (d *differ) headers(r, c map[string]string, ptr string) {
	for _, k := range unionKeys(r, c) {
		if transportHeaders[http.CanonicalHeaderKey(k)] {
			continue
		}
		hp := ptr + "/" + jsonv.EscapePointer(k)
		rv, rok := r[k]
		cv, cok := c[k]
		switch {
		case !cok:
			d.add(DiffRemoved, hp, rv, nil)
		case !rok:
			d.add(DiffAdded, hp, nil, cv)
		case !d.isVolatile(hp) && generic(rv) != generic(cv):
			d.add(DiffChanged, hp, rv, cv)
		}
	}
}

// value compares two bodies (jsonv.Diff: numbers by the one number rule, strings
// with their placeholders' numbers ignored) and adds what differs, but for what is
// volatile or shows the target's pace.
func (d *differ) value(r, c any, ptr string) {
	o := jsonv.Options{Strings: func(a, b string) bool { return generic(a) == generic(b) }, Skip: d.pace}
	if d.shallow {
		o.Arrays = jsonv.Presence
	}
	for _, x := range jsonv.DiffAt(ptr, r, c, o) {
		switch x.Change {
		case jsonv.Added:
			d.add(DiffAdded, x.Pointer, nil, x.Got)
		case jsonv.Removed:
			d.add(DiffRemoved, x.Pointer, x.Want, nil)
		case jsonv.Type:
			d.add(DiffType, x.Pointer, jsonv.TypeName(x.Want), jsonv.TypeName(x.Got))
		default:
			d.add(DiffChanged, x.Pointer, x.Want, x.Got)
		}
	}
}

// pace reports whether a place is left out: a volatile value, or what differs only
// because the two targets went at another pace.
func (d *differ) pace(p jsonv.Place) bool {
	x, okx := p.WantIn.(map[string]any)
	y, oky := p.GotIn.(map[string]any)
	oneSide := !p.HasWant || !p.HasGot
	if okx && oky {
		anotherStep, progress := d.atAnotherStep(x, y)
		switch {
		case anotherStep && p.Key == "ProgressStep", progress && oneSide && d.isVolatile(p.Pointer),
			p.Key == "Progress" && oneSide && sameStatus(x, y) && x["Status"] != "IN_PROGRESS":
			// The request was caught at another step than in the recording, or
			// earlier or later within a step, so what progress brings (an object
			// in process, a total) is there on one side only; or it was cancelled
			// (or ended) before it made progress on one side only: pace. A
			// request IN_PROGRESS has its Progress on both sides.
			return true
		}
	}
	if oneSide {
		return false
	}
	switch p.Want.(type) {
	case map[string]any, []any:
		return false
	}
	return jsonv.TypeName(p.Want) == jsonv.TypeName(p.Got) && d.isVolatile(p.Pointer)
}

// unionKeys returns the keys of both maps, sorted.
func unionKeys[V any](a, b map[string]V) []string {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	return slices.Sorted(maps.Keys(keys))
}

// WriteText writes a readable parity report: the score per operation, then every
// exchange that differs with its differences, and checks whose outcome changed.
func (p *Parity) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "parity of %s against the recording %s (%s)\n", targetLabel(p.Current), p.RecordedDir, targetLabel(p.Recorded))
	fmt.Fprintf(&b, "  %d of %d exchanges match: %.2f%%\n", p.Matching, p.Exchanges, p.Score)
	if p.Ignored.Retries > 0 || p.Ignored.Polls > 0 || p.Ignored.Control > 0 {
		fmt.Fprintf(&b, "  not scored: %d retried attempt(s) (weather), %d poll(s) of a lifecycle state only one side was polled in or polled again (pace), %d control-surface call(s)\n", p.Ignored.Retries, p.Ignored.Polls, p.Ignored.Control)
	}
	for _, nc := range p.NotCompared {
		fmt.Fprintf(&b, "  not compared: %s: %s\n", keyLabel(nc.Key), nc.Reason)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "  %-40s %9s %9s %8s\n", "operation", "exchanges", "matching", "parity")
	for _, o := range p.Operations {
		fmt.Fprintf(&b, "  %-40s %9d %9d %7.2f%%\n", o.Operation, o.Exchanges, o.Matching, o.Score)
	}
	for _, c := range p.Scripts {
		if c.Matching == c.Total {
			continue
		}
		fmt.Fprintf(&b, "\n%s: %d of %d exchanges differ\n", keyLabel(c.Key), c.Total-c.Matching, c.Total)
		for _, e := range c.Exchanges {
			if e.Match {
				continue
			}
			fmt.Fprintf(&b, "  #%s %s (%s)\n", seqLabel(e), e.Operation, e.Name)
			for _, d := range e.Differences {
				fmt.Fprintf(&b, "    %-9s %s%s\n", d.Change, d.Pointer, diffValues(d))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func targetLabel(t TargetRef) string {
	s := t.TargetKind
	if t.Region != "" {
		s += " " + t.Region
	}
	return s
}

func seqLabel(e ExchangeParity) string {
	switch {
	case e.Seq == 0:
		return fmt.Sprintf("-/%d", e.CurrentSeq)
	case e.CurrentSeq == 0:
		return fmt.Sprintf("%d/-", e.Seq)
	case e.Seq == e.CurrentSeq:
		return strconv.Itoa(e.Seq)
	}
	return fmt.Sprintf("%d/%d", e.Seq, e.CurrentSeq)
}

func diffValues(d Difference) string {
	switch d.Change {
	case DiffAdded:
		return ": " + short(d.Current)
	case DiffRemoved:
		return ": was " + short(d.Recorded)
	case DiffMissing:
		return "(the current run did not make this call)"
	case DiffExtra:
		return "(the recording has no such call here)"
	}
	return ": " + short(d.Recorded) + " -> " + short(d.Current)
}

func short(v any) string {
	b, err := jsonv.CompactBytes(v)
	s := string(b)
	if err != nil {
		s = fmt.Sprint(v)
	}
	return text.Truncate(s, 120)
}

// MarshalParity encodes a parity result as indented JSON with sorted keys.
func MarshalParity(p *Parity) ([]byte, error) { return marshal(p) }
