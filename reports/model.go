// Package reports holds the report model of a dmsconform run and its writers
// (report.json, junit.xml, report.html, summary.md), the regression diff against a
// baseline, known deviations, and redaction. It imports nothing of dmsconform but spec.
package reports

import (
	"time"
)

// SchemaVersion identifies the report.json schema. Bump it on any incompatible change.
const SchemaVersion = "dmsconform.report/v1"

// Outcome of one check (see DESIGN.md, Outcomes). Only Fail is non-conformance;
// Error never counts as a regression.
type Outcome string

const (
	Pass          Outcome = "pass"
	Fail          Outcome = "fail"
	Drift         Outcome = "drift"
	Unimplemented Outcome = "unimplemented"
	Skipped       Outcome = "skipped"
	Error         Outcome = "error"
)

// Outcomes lists every outcome in report order.
var Outcomes = []Outcome{Pass, Fail, Drift, Unimplemented, Skipped, Error}

// Run modes: what a run did (Run.Mode; "kind" in report.json).
const (
	ModeTarget   = "target"   // the suites against a DMS target
	ModeSDK      = "sdk"      // fixtures replayed to an SDK
	ModeMutation = "mutation" // the kill matrix of the mutation self-test
	ModeParity   = "parity"   // a target's exchanges compared with a recording (dmsconform parity)
)

// Run is one run against one target: everything every report file is written from.
type Run struct {
	SchemaVersion string        `json:"schemaVersion"`
	Mode          string        `json:"kind"` // ModeTarget, ModeSDK, ModeMutation or ModeParity
	Tool          Tool          `json:"tool"`
	Target        Target        `json:"target"`
	Model         ModelInfo     `json:"model"`
	Started       time.Time     `json:"started"`
	Duration      time.Duration `json:"durationNs"`
	LabelFilter   string        `json:"labelFilter,omitempty"`
	// ExchangeCount is how many HTTP exchanges with the target's API the run made
	// (control-surface calls excluded); 0 when not counted.
	ExchangeCount int64 `json:"exchangeCount,omitempty"`
	// Calls counts the API calls (attempts included) per operation; Starts is how many
	// requests the run started, of StartBudget allowed.
	Calls       map[string]int `json:"calls,omitempty"`
	Starts      int            `json:"starts,omitempty"`
	StartBudget int            `json:"startBudget,omitempty"`
	// LostAnswers are the Starts and Cancels whose answer was lost on the way, and what
	// describes showed they had done (a request a lost Start created counts in Starts).
	LostAnswers []LostAnswer `json:"lostAnswers,omitempty"`
	// Cleanup is what clean-up did with the requests the run had not seen end (nil when
	// it had nothing to do).
	Cleanup *Cleanup `json:"cleanup,omitempty"`
	// Causes are the root causes that decided several checks at once, each said once.
	Causes []Cause `json:"causes,omitempty"`
	// NotApplicable is the coverage of the run: the checks its target kind can never
	// support (skipped, their cause "not-applicable/..."), by cause; they do not make
	// the run PARTIAL (Finalize sets it).
	NotApplicable []Coverage `json:"notApplicable,omitempty"`
	// Interrupted is set when a signal ended the run early: the checks it did not judge
	// are listed as skipped with the cause "interrupted".
	Interrupted bool `json:"interrupted,omitempty"`
	// Phases is where the run's time went (gather, judge, write).
	Phases   map[string]time.Duration `json:"phasesNs,omitempty"`
	Checks   []Check                  `json:"checks"` // sorted by ID
	Totals   Totals                   `json:"totals"`
	Baseline *Comparison              `json:"baseline,omitempty"`
	// Matrix is set for mutation runs: which defect modes each check caught.
	Matrix *KillMatrix `json:"matrix,omitempty"`
	// Warnings are things a reader should act on that are not check outcomes, e.g.
	// expired known deviations (added by ApplyKnown and Compare).
	Warnings []string `json:"warnings,omitempty"`
	// Strict counts unmet SHOULDs as failures (--strict): they then make the run FAIL
	// (exit 1) as MUST failures do.
	Strict bool `json:"strict,omitempty"`
	// ShouldUnmet lists the IDs of the SHOULD checks that failed (Finalize sets it):
	// reported always, counted only when Strict.
	ShouldUnmet []string `json:"shouldUnmet,omitempty"`
}

// Tool names the harness that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Target describes what was tested.
type Target struct {
	TargetKind string `json:"kind"` // the target kind: embedded, endpoint, aws, replay, or an SDK name
	Endpoint   string `json:"endpoint,omitempty"`
	Region     string `json:"region,omitempty"`
	Project    string `json:"project,omitempty"`
	Name       string `json:"name,omitempty"`    // e.g. aws-sdk-go-v2
	Version    string `json:"version,omitempty"` // e.g. SDK version
}

// ModelInfo identifies the model the checks came from.
type ModelInfo struct {
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
	Source  string `json:"source"`
}

// CheckInfo is what a check states, independent of any run: the catalog entry. It is
// the one description of a check: the generated catalog, the SDK fixture checks and
// every report carry it.
type CheckInfo struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description"` // RFC 2119 sentence
	Level       string   `json:"level"`       // MUST or SHOULD
	Labels      []string `json:"labels"`
	Pointer     string   `json:"pointer"` // JSON pointer into the model
	Operation   string   `json:"operation,omitempty"`
	// Needs lists what the check needs beyond a reachable target: evidence it is
	// judged on (e.g. "conversion/walk") and capabilities ("control surface",
	// "denied principal"). Empty for checks that need nothing of a target.
	Needs []string `json:"needs,omitempty"`
	// Source is where the check's strength comes from (zero for checks of the harness
	// itself, such as the mutation matrix's). A value, not a pointer: a run owns its
	// copy (the redaction boundary rewrites a run's strings in place).
	Source Source `json:"source,omitzero"`
}

// Source is where a check's strength comes from (DESIGN.md): the AWS model (a shape, a
// required member, a fault list), the operation's documentation (quoted) or the
// awsJson 1.1 protocol make a MUST; what is inferred from them is a SHOULD, labelled
// inferred.
type Source struct {
	Origin string `json:"kind"`            // SourceModel, SourceDocumentation, SourceProtocol or SourceInferred
	Ref    string `json:"ref"`             // what it rests on: a shape or fault of the model, a document, a protocol rule
	Quote  string `json:"quote,omitempty"` // the source's own words
}

// Source origins (Source.Origin; "kind" in report.json).
const (
	SourceModel         = "model"
	SourceDocumentation = "documentation"
	SourceProtocol      = "protocol"
	SourceInferred      = "inferred"
)

// String is the source in one line: "documentation: <ref>: \"<quote>\"" ("" when the
// check names none).
func (s Source) String() string {
	if s.Origin == "" {
		return ""
	}
	out := s.Origin + ": " + s.Ref
	if s.Quote != "" {
		out += ": \"" + s.Quote + "\""
	}
	return out
}

// Inferred reports whether the check rests on an inference rather than on what AWS
// says.
func (s Source) Inferred() bool { return s.Origin == SourceInferred }

// Check is the result of one check.
type Check struct {
	CheckInfo
	Outcome   Outcome       `json:"outcome"`
	Message   string        `json:"message,omitempty"`
	Duration  time.Duration `json:"durationNs"`
	Exchanges []Exchange    `json:"exchanges,omitempty"`
	// Cause names the run's Cause that decided this outcome (a blocked or
	// unimplemented check); its transcript is in Run.Causes, said once.
	Cause string `json:"cause,omitempty"`
	// Known is set when a known-deviations entry covers a failure of this check.
	Known *KnownDeviation `json:"known,omitempty"`
	// Class is the baseline classification (set only with a baseline).
	Class Class `json:"class,omitempty"`
}

// Cause is one root cause shared by several checks: evidence that could not be
// gathered, an operation the target does not implement, an interrupted run. It is
// reported once, with its transcript; each check it decided names it (Check.Cause).
// It is the report's form of the engine's cause (engine.Cause.Reported): the calls
// as redacted exchanges, and how many checks it decided.
type Cause struct {
	ID        string     `json:"id"`
	Outcome   Outcome    `json:"outcome"` // what it made of the checks: error, skipped or unimplemented
	Title     string     `json:"title"`   // one line
	Message   string     `json:"message,omitempty"`
	Checks    int        `json:"checks"` // how many checks it decided
	Exchanges []Exchange `json:"exchanges,omitempty"`
}

// Exchange is one captured HTTP request/response pair, already redacted.
type Exchange struct {
	Name     string        `json:"name,omitempty"` // what the check did, e.g. "cancel unknown request"
	View     string        `json:"view,omitempty"` // "wire", "sdk" or "control"
	Request  HTTPMessage   `json:"request"`
	Response HTTPMessage   `json:"response"`
	Error    string        `json:"error,omitempty"` // transport error, if any
	Duration time.Duration `json:"durationNs"`
	// Attempt numbers the attempts of one call from 1 (0: not counted); Retried says
	// why this attempt was not the last (a throttle, a 5xx, a reset connection).
	Attempt int    `json:"attempt,omitempty"`
	Retried string `json:"retried,omitempty"`
	// Script is the evidence script that made the call (family/script, or
	// family/script/run for concurrent runs within a script; "setup" for the preflight
	// and clean-up): a replay serves each its own recorded answers in order.
	Script string `json:"script,omitempty"`
	// Call numbers the calls of a script from 1, in the order they were made.
	Call int `json:"call,omitempty"`
}

// HTTPMessage is one side of an exchange.
type HTTPMessage struct {
	Method  string              `json:"method,omitempty"`
	URL     string              `json:"url,omitempty"`
	Status  int                 `json:"status,omitempty"`
	Headers map[string][]string `json:"headers,omitempty"`
	// Body is the body, or only its beginning when BodySize is set.
	Body string `json:"body,omitempty"`
	// BodySize, when set, is the size in bytes of a body too large to keep: Body holds
	// its beginning, BodySHA256 the hex sha256 of the whole, and BodyUnended says the
	// body had not ended when reading stopped at BodySize bytes.
	BodySize    int64  `json:"bodySize,omitempty"`
	BodySHA256  string `json:"bodySha256,omitempty"`
	BodyUnended bool   `json:"bodyUnended,omitempty"`
}

// Totals counts checks by outcome.
type Totals map[Outcome]int

// Class is the baseline classification of one check.
type Class string

const (
	NewFailure   Class = "new-failure"
	Fixed        Class = "fixed"
	StillFailing Class = "still-failing"
	NewDrift     Class = "new-drift"
	NewCheck     Class = "new-check"
	Unchanged    Class = "unchanged"
	KnownFailure Class = "known"   // failing, covered by an unexpired known deviation
	RemovedCheck Class = "removed" // in the baseline, not in this run
	// NoLongerJudged: the check passed (or drifted) in the baseline and now got no
	// answer it could judge (skipped, unimplemented or error): coverage was lost, which
	// no other class would show. Not a regression (it never makes a run exit 1).
	NoLongerJudged Class = "no-longer-judged"
	// NewlyJudged: the check was skipped, unimplemented or an error in the baseline and
	// now passes: coverage was gained.
	NewlyJudged Class = "newly-judged"
)

// Comparison is the result of comparing a run with a baseline run.
type Comparison struct {
	BaselineStarted time.Time         `json:"baselineStarted"`
	BaselineTarget  Target            `json:"baselineTarget"`
	Counts          map[Class]int     `json:"counts"`
	Entries         []ComparisonEntry `json:"entries"` // every check whose class is not unchanged, sorted by ID
}

// ComparisonEntry is one check's classification.
type ComparisonEntry struct {
	ID     string  `json:"id"`
	Class  Class   `json:"class"`
	Before Outcome `json:"before,omitempty"`
	After  Outcome `json:"after,omitempty"`
}

// KnownDeviation marks an expected failure until it expires.
type KnownDeviation struct {
	CheckID string    `json:"check" yaml:"check"`
	Target  string    `json:"target" yaml:"target"` // target kind or SDK name; "*" for any
	Reason  string    `json:"reason" yaml:"reason"`
	Expires time.Time `json:"expires" yaml:"expires"`
}

// KillMatrix is the mutation self-test result: defect modes by checks.
type KillMatrix struct {
	Modes    []string            `json:"modes"`
	Killed   map[string][]string `json:"killed"`   // mode -> IDs of checks that failed or drifted for it
	KillRate float64             `json:"killRate"` // killed modes / modes
	// FalsePositives lists checks that failed against the defect-free target.
	FalsePositives []string `json:"falsePositives"`
	// Proofs is every check of the catalog with what proves it: the defect modes that
	// make it fail, or why only its table tests can (its kind says so).
	Proofs []CheckProof `json:"proofs"`
	// Kinds is the proof coverage per check kind, in catalog order; Coverage is the
	// same over the whole catalog (Kind empty). Finalize computes both from Proofs.
	Kinds    []ProofCoverage `json:"kinds"`
	Coverage ProofCoverage   `json:"coverage"`
}

// CheckProof is how one check of the catalog is proven by the mutation self-test.
type CheckProof struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	// KilledBy lists the defect modes that make the check fail (or drift where the
	// defect-free target passes it).
	KilledBy []string `json:"killedBy"`
	// TableTestsOnly says why no defect of a target can make the check fail, so that
	// its table tests are its proof (declared beside its kind's code).
	TableTestsOnly string `json:"tableTestsOnly,omitempty"`
	// NotJudged says why the defect-free run could not judge the check at all (a
	// cause, such as aws-sdk-go-v2 lacking the family's operations): no mode can make
	// it fail in this build, and nothing is asked of it until it is judged.
	NotJudged string `json:"notJudged,omitempty"`
}

// Proof statuses (CheckProof.Status).
const (
	ProofKilled     = "killed"           // a defect mode makes it fail
	ProofTableTests = "table-tests-only" // declared: no target defect can reach it
	ProofUnproven   = "unproven"         // neither: add a defect mode or declare why not
	ProofStale      = "stale"            // declared table-tests-only, yet a defect mode kills it
	ProofNotJudged  = "not-judged"       // the defect-free run could not judge it (a cause)
)

// Status says whether the check is proven, and how.
func (p CheckProof) Status() string {
	switch {
	case len(p.KilledBy) > 0 && p.TableTestsOnly != "":
		return ProofStale
	case len(p.KilledBy) > 0:
		return ProofKilled
	case p.TableTestsOnly != "":
		return ProofTableTests
	case p.NotJudged != "":
		return ProofNotJudged
	}
	return ProofUnproven
}

// ProofCoverage counts a kind's checks (or the catalog's) by how they are proven.
type ProofCoverage struct {
	Kind           string `json:"kind,omitempty"`
	Checks         int    `json:"checks"`
	Killed         int    `json:"killed"`
	TableTestsOnly int    `json:"tableTestsOnly"`
	Unproven       int    `json:"unproven"`
	Stale          int    `json:"stale"`
	NotJudged      int    `json:"notJudged,omitempty"`
	// Reason is the kind's table-tests-only reason, when its checks declare one.
	Reason string `json:"reason,omitempty"`
}

// add counts one proof.
func (c *ProofCoverage) add(p CheckProof) {
	c.Checks++
	switch p.Status() {
	case ProofKilled:
		c.Killed++
	case ProofTableTests:
		c.TableTestsOnly++
	case ProofUnproven:
		c.Unproven++
	case ProofStale:
		c.Stale++
	case ProofNotJudged:
		c.NotJudged++
	}
	if p.TableTestsOnly != "" && c.Reason == "" {
		c.Reason = p.TableTestsOnly
	}
}

// Proven reports whether every check counted is killed or declared (and not stale).
func (c ProofCoverage) Proven() bool { return c.Unproven == 0 && c.Stale == 0 }

// ProofsWith lists the IDs of the proofs with the given status.
func (m *KillMatrix) ProofsWith(status string) []string {
	var out []string
	for _, p := range m.Proofs {
		if p.Status() == status {
			out = append(out, p.ID)
		}
	}
	return out
}
