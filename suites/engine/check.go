// Package engine runs dmsconform's checks: it opens a target (a Target value the
// runner builds: package targets has the embedded emulator, any endpoint, real DMS and
// a replayed recording), gathers the evidence the selected
// checks need through evidence scripts (the lifecycle walk, the progress watch, the
// scenario runs, fault, input and protocol probes), and judges it with the checks'
// pure judges. A Session is a value: many run side by side in one process.
//
// The data flow is the one of ../shared/DESIGN.md ("gather evidence, then judge it"):
//
//	Family.Checks --select (labels)--> needs --> scripts (memoised per session)
//	   --> Evidence --> Kind.Judge --> Verdict --> reports.Check
//
// Check kinds (what a check states and how it is judged) live in package kinds, one
// file each; the generated catalog (suites/<family>/checks.gen.go) lists the checks as
// data; the Ginkgo face (ginkgo.go) and the CLI both call this engine.
package engine

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/dmsconform/dmsconform/reports"
)

// Check is one catalog entry: what it states (reports.CheckInfo), the family it
// belongs to and its kind, a typed value whose fields are the check's parameters.
type Check struct {
	reports.CheckInfo
	Family string
	Kind   Kind
}

// Kind is a kind of check: what it needs, and a pure judge of the evidence. In this
// code "Kind" means a check kind and nothing else: a target has a TargetKind, a run a
// Mode, a source an Origin, an SDK error a Layer, a fault a Side, a placeholder a
// Category, a parity difference a Change (their JSON keep the name "kind").
type Kind interface {
	// Needs declares the evidence the judge reads and the capabilities it requires.
	Needs() Needs
	// Judge decides the check's outcome from the evidence alone: no I/O, no clock.
	Judge(ev *Evidence) Verdict
}

// TableTested is implemented by a kind some of whose checks no defect of a target can
// make fail (a check of the SDK's own validation, which sends nothing). Every other
// check must be killed by an emulator defect mode in the mutation self-test
// (runner.Mutate); these are proven by their table tests only, and say why here,
// beside the code they concern. The self-test fails for a check that is neither
// killed nor declared, and for a declared one that a defect mode does kill.
type TableTested interface {
	// TableTestsOnly says why no defect of a target can make this check fail; "" when
	// one can (then a defect mode must).
	TableTestsOnly() string
}

// TableTestsOnly is why the check is proven by its kind's table tests only ("" when a
// defect mode of the emulator must make it fail).
func (c Check) TableTestsOnly() string {
	if tt, ok := c.Kind.(TableTested); ok {
		return tt.TableTestsOnly()
	}
	return ""
}

// Prove says how each check is proven, given the checks each defect mode made fail
// (killed: mode -> check IDs): by those modes, or by its table tests only (its kind's
// TableTestsOnly). reports.CheckProof.Status tells an unproven or a stale one.
func Prove(checks []Check, killed map[string][]string) []reports.CheckProof {
	by := map[string][]string{}
	for mode, ids := range killed {
		for _, id := range ids {
			by[id] = append(by[id], mode)
		}
	}
	out := make([]reports.CheckProof, len(checks))
	for i, c := range checks {
		modes := by[c.ID]
		sort.Strings(modes)
		out[i] = reports.CheckProof{ID: c.ID, Kind: c.KindName(), KilledBy: modes, TableTestsOnly: c.TableTestsOnly()}
	}
	return out
}

// KindName is the name of the check's kind type (MemberType, FaultWire, ...).
func (c Check) KindName() string {
	t := reflect.TypeOf(c.Kind)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return ""
	}
	return t.Name()
}

// Needs is what a check needs beyond a reachable target.
type Needs struct {
	// Evidence the judge reads; gathering it is required (a failure blocks the check).
	Evidence []Script
	// Optional evidence, used when the target can give it (e.g. the scenario runs need
	// a control surface); its absence never blocks the check.
	Optional []Script
	// Control: the check is skipped without a control surface (CapControl).
	Control bool
	// Denied: the check is skipped without a principal the target denies the cancel
	// operations.
	Denied bool
	// SDK: the judge reads aws-sdk-go-v2's view of the answers (Sample.SDK, its
	// validation); the check is skipped, with one cause, for a family whose operations
	// the SDK lacks.
	SDK bool
}

// All is every script the check may read, required first.
func (n Needs) All() []Script { return append(append([]Script(nil), n.Evidence...), n.Optional...) }

// Capabilities lists what the check needs of the target beyond the API.
func (n Needs) Capabilities() []Capability {
	var out []Capability
	if n.Control {
		out = append(out, CapControl)
	}
	if n.Denied {
		out = append(out, CapDenied)
	}
	return out
}

// Words lists the needs for the catalog: scripts, then capabilities.
func (n Needs) Words() []string {
	var out []string
	for _, s := range n.Evidence {
		out = append(out, string(s))
	}
	for _, s := range n.Optional {
		out = append(out, string(s)+" (optional)")
	}
	if n.SDK {
		out = append(out, NeedSDK)
	}
	for _, c := range n.Capabilities() {
		out = append(out, capabilityDefs[c].word)
	}
	return out
}

// Capability words of the catalog and of skip reasons.
const (
	NeedControl = "control surface"
	NeedDenied  = "denied principal"
	NeedSDK     = "aws-sdk-go-v2"
	// NeedFailingProject and NeedStartInputs are capabilities the user supplies
	// (--failing-project, --start-inputs).
	NeedFailingProject = "failing project"
	NeedStartInputs    = "start inputs"
)

// Family is one generated suite: a lifecycle family and its cancel operation's checks.
type Family struct {
	Name      string // x-dms-family, e.g. conversion
	Operation string // the family's cancel operation
	Checks    []Check
}

// Labels is what a label filter matches a check against: the family, the operation
// and the check's own labels (the Ginkgo tree carries the same).
func (c Check) AllLabels() []string {
	return append([]string{c.Family, c.Operation}, c.Labels...)
}

// Select returns the checks a Ginkgo label filter selects ("" selects all), in
// catalog order. A filter that does not parse is an error naming the labels there are.
func Select(fams []Family, filter string) ([]Check, error) {
	var all []Check
	for _, f := range fams {
		all = append(all, f.Checks...)
	}
	if strings.TrimSpace(filter) == "" {
		return all, nil
	}
	match, err := types.ParseLabelFilter(filter)
	if err != nil {
		return nil, fmt.Errorf("--label-filter %q: %s (labels: %s)", filter, plainLabelError(err), strings.Join(Labels(fams), ", "))
	}
	var out []Check
	for _, c := range all {
		if match(c.AllLabels()) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--label-filter %q selects none of the %d checks: the labels are %s", filter, len(all), strings.Join(Labels(fams), ", "))
	}
	return out, nil
}

// plainLabelError is Ginkgo's parse error without its terminal colour codes.
func plainLabelError(err error) string {
	msg := err.Error()
	if ge, ok := err.(types.GinkgoError); ok {
		msg = ge.Message
		if ge.Heading != "" {
			msg = ge.Heading + ": " + ge.Message
		}
	}
	return StripANSI(msg)
}

// StripANSI removes terminal colour sequences (ESC [ ... m).
func StripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] == ';' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			if j < len(s) && s[j] == 'm' {
				i = j
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Labels lists every label of the families' checks, sorted.
func Labels(fams []Family) []string {
	set := map[string]bool{}
	for _, f := range fams {
		for _, c := range f.Checks {
			for _, l := range c.AllLabels() {
				set[l] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for l := range set {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// Groups are the check groups (the second part of an ID), in catalog order.
var Groups = []string{"shape", "union", "enum", "fault", "input", "protocol", "lifecycle"}

// Group returns a check's group: the part of its ID after the operation.
func (c Check) Group() string {
	g, _, _ := strings.Cut(strings.TrimPrefix(c.ID, c.Operation+"."), ".")
	return g
}

// GroupIndex orders groups as Groups does (unknown groups last).
func GroupIndex(g string) int {
	if i := slices.Index(Groups, g); i >= 0 {
		return i
	}
	return len(Groups)
}
