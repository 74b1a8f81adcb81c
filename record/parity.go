package record

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Difference kinds.
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
	Kind     string `json:"kind"`
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
	Current    TargetRef        `json:"current"`
	Exchanges  int              `json:"exchanges"`
	Matching   int              `json:"matching"`
	Operations []OperationScore `json:"operations"`
	Recorded   TargetRef        `json:"recorded"`
	// RecordedDir is the recording compared against.
	RecordedDir string         `json:"recordedDir"`
	Score       float64        `json:"score"` // percent over all exchanges
	Scripts     []ScriptParity `json:"scripts"`
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
	for _, key := range keys {
		sp := ScriptParity{Key: key}
		rex, cex := recorded.exchangesOf(key), current.exchangesOf(key)
		if key == SetupScript {
			// Preflight calls run side by side and clean-up follows the order requests
			// were started: compare by operation.
			rex, cex = byOperation(rex), byOperation(cex)
		}
		for _, pair := range align(rex, cex) {
			ep := comparePair(pair[0], pair[1])
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

// align pairs exchanges of the same operation in order (LCS); unpaired ones come
// with a nil partner.
func align(a, b []Exchange) [][2]*Exchange {
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
	var out [][2]*Exchange
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i].Operation() == b[j].Operation():
			out = append(out, [2]*Exchange{&a[i], &b[j]})
			i++
			j++
		case j >= m || (i < n && l[i+1][j] >= l[i][j+1]):
			out = append(out, [2]*Exchange{&a[i], nil})
			i++
		default:
			out = append(out, [2]*Exchange{nil, &b[j]})
			j++
		}
	}
	return out
}

func comparePair(r, c *Exchange) ExchangeParity {
	switch {
	case c == nil:
		return ExchangeParity{Seq: r.Seq, Name: r.Name, Operation: r.Operation(),
			Differences: []Difference{{Kind: DiffMissing, Pointer: "", Recorded: r.Operation()}}}
	case r == nil:
		return ExchangeParity{CurrentSeq: c.Seq, Name: c.Name, Operation: c.Operation(),
			Differences: []Difference{{Kind: DiffExtra, Pointer: "", Current: c.Operation()}}}
	}
	ep := ExchangeParity{Seq: r.Seq, CurrentSeq: c.Seq, Name: r.Name, Operation: r.Operation()}
	d := &differ{volatile: map[string]bool{}}
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
		d.add(DiffType, "/response/body", "JSON "+typeName(r.Response.Body), "text")
	case r.Response.BodyText != "" && c.Response.Body != nil:
		d.add(DiffType, "/response/body", "text", "JSON "+typeName(c.Response.Body))
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
	volatile map[string]bool
	diffs    []Difference
}

func (d *differ) add(kind, ptr string, rec, cur any) {
	d.diffs = append(d.diffs, Difference{Kind: kind, Pointer: ptr, Recorded: rec, Current: cur})
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
		hp := ptr + "/" + escapePointer(k)
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

func (d *differ) value(r, c any, ptr string) {
	rt, ct := typeName(r), typeName(c)
	if rt != ct {
		d.add(DiffType, ptr, rt, ct)
		return
	}
	switch x := r.(type) {
	case map[string]any:
		y := c.(map[string]any)
		for _, k := range unionKeys(x, y) {
			cp := ptr + "/" + escapePointer(k)
			rv, rok := x[k]
			cv, cok := y[k]
			switch {
			case !cok:
				d.add(DiffRemoved, cp, rv, nil)
			case !rok:
				d.add(DiffAdded, cp, nil, cv)
			default:
				d.value(rv, cv, cp)
			}
		}
	case []any:
		y := c.([]any)
		for i := 0; i < len(x) || i < len(y); i++ {
			ep := ptr + "/" + strconv.Itoa(i)
			switch {
			case i >= len(y):
				d.add(DiffRemoved, ep, x[i], nil)
			case i >= len(x):
				d.add(DiffAdded, ep, nil, y[i])
			default:
				d.value(x[i], y[i], ep)
			}
		}
	default:
		if d.isVolatile(ptr) {
			return
		}
		if !scalarEqual(r, c) {
			d.add(DiffChanged, ptr, r, c)
		}
	}
}

func scalarEqual(a, b any) bool {
	switch x := a.(type) {
	case string:
		return generic(x) == generic(b.(string))
	case json.Number:
		y := b.(json.Number)
		if x == y {
			return true
		}
		fx, ex := x.Float64()
		fy, ey := y.Float64()
		return ex == nil && ey == nil && fx == fy
	}
	return a == b
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

// typeName is the JSON type of a decoded value.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number, float64, int, int64:
		return "number"
	case bool:
		return "boolean"
	}
	return fmt.Sprintf("%T", v)
}

// WriteText writes a readable parity report: the score per operation, then every
// exchange that differs with its differences, and checks whose outcome changed.
func (p *Parity) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "parity of %s against the recording %s (%s)\n", targetLabel(p.Current), p.RecordedDir, targetLabel(p.Recorded))
	fmt.Fprintf(&b, "  %d of %d exchanges match: %.2f%%\n\n", p.Matching, p.Exchanges, p.Score)
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
				fmt.Fprintf(&b, "    %-9s %s%s\n", d.Kind, d.Pointer, diffValues(d))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func targetLabel(t TargetRef) string {
	s := t.Kind
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
	switch d.Kind {
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
	b, err := compact(v)
	s := string(b)
	if err != nil {
		s = fmt.Sprint(v)
	}
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

// MarshalParity encodes a parity result as indented JSON with sorted keys.
func MarshalParity(p *Parity) ([]byte, error) { return marshal(p) }
