package engine

import (
	"context"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/dmsconform/dmsconform/reports"
)

// Target is what a session runs against: a value the runner builds (package targets
// holds one file per kind: embedded, endpoint, aws, replay). The engine asks it to
// connect and reads what it offers; it never names an implementation.
type Target interface {
	// TargetKind is the target kind: TargetEmbedded, TargetEndpoint, TargetAWS or TargetReplay.
	TargetKind() string
	// Connect makes the target ready (starts an emulator, loads credentials, checks the
	// account) and says how to reach it and what it offers. A wrong configuration is a
	// *ConfigError (exit 2), rejected credentials a *CredentialError (exit 3).
	Connect(ctx context.Context) (*Connection, error)
}

// Connection is a target made ready: where the session sends its calls, how, and what
// the target offers beyond the API.
type Connection struct {
	Endpoint string // where API calls go
	Region   string
	Project  string // the project the run touches ("" keeps Config.Project)
	// Transport carries the calls (nil: a fresh clone of http.DefaultTransport); the
	// session's resilient transport (retries, breaker, capture) wraps it.
	Transport http.RoundTripper
	// Clock is where the session reads the time and waits (nil: the wall clock). On a
	// VirtualClock waiting advances the target's lifecycles instead of sleeping.
	Clock       Clock
	Credentials aws.CredentialsProvider
	// AWS is the SDK configuration the SDK client is built from, when the SDK resolves
	// the endpoint itself (the aws target); nil builds the client for Endpoint.
	AWS *aws.Config
	// Replay: the target serves a recording back; each request names its script
	// (ScriptHeader), so every script gets its own recorded answers in order.
	Replay bool
	// Facts the target knows before the preflight (a replay: the recorded ones).
	Facts Facts
	// StartsCost: every request started costs (real DMS), so a lifecycle walk gets one
	// replacement instead of two.
	StartsCost bool
	// ProjectHint ends the message of an unknown --project ("; the dmsconform
	// emulator seeds ...").
	ProjectHint string
	// Capabilities is what the target offers beyond the API.
	Capabilities Capabilities
	// Close releases what Connect started (nil: nothing to release).
	Close func() error
}

// Capability is something a target may offer beyond the API; checks and evidence
// scripts that need one are skipped, with one cause, where it is missing.
type Capability string

// The capabilities.
const (
	// CapControl: a control surface (Control) that makes the target show what a plain
	// run does not.
	CapControl Capability = "control"
	// CapDenied: a principal the target denies the cancel operations.
	CapDenied Capability = "denied"
	// CapFailingProject: a migration project whose requests fail (--failing-project),
	// where the failing script gets a FAILED request with its Error.
	CapFailingProject Capability = "failing-project"
	// CapStartInputs: Start inputs the user supplied (--start-inputs). Not a property
	// of the target: the session offers it when the configuration has them. Its cause
	// names the flag where requests started with the harness's own inputs failed.
	CapStartInputs Capability = "start-inputs"
)

// Capabilities says what a target offers and, for what it does not, whether it could.
// Adding a capability: its constant, a field here with its case in Has, and its words
// in capabilityDefs; the targets that can offer it set the field, those that never can
// list it in Never, and the scripts and checks that need it say so (scriptDef.needs,
// Needs.Capabilities).
type Capabilities struct {
	Control Control                 // nil: no control surface
	Denied  aws.CredentialsProvider // nil: no denied principal
	// FailingProject is a project (name or ARN) whose requests fail ("": none).
	FailingProject string
	// Never lists what this target kind can never offer (a control surface on real
	// DMS): the checks that need it are not applicable there, which is coverage, not a
	// configuration the user could add.
	Never []Capability
}

// Has reports whether the target offers c.
func (c Capabilities) Has(cp Capability) bool {
	switch cp {
	case CapControl:
		return c.Control != nil
	case CapDenied:
		return c.Denied != nil
	case CapFailingProject:
		return c.FailingProject != ""
	}
	return false
}

// capabilityDef says, once per capability, what it is in the catalog and in the causes
// of the checks that need it when it is missing.
type capabilityDef struct {
	word string // in the catalog's Needs column and reports' needs
	// missing is the cause title when the target kind could offer it but the run was not
	// configured with it (the fix: a flag); never when the kind can never offer it.
	missing, never string
}

var capabilityDefs = map[Capability]capabilityDef{
	CapControl: {word: NeedControl,
		missing: "needs an emulator control surface, and the target has none: run the emulator with `dmsconform emulate --control` and pass --control URL (real DMS has none: these checks stay skipped there)",
		never:   "needs a dmsconform emulator's control surface, which this target never has (real DMS and other emulators have none; `dmsconform emulate --control` and --control URL offer one): not applicable here"},
	CapDenied: {word: NeedDenied,
		missing: "needs a principal the target denies the cancel operations: pass --denied-access-key-id/--denied-secret-access-key (endpoint) or --denied-profile (aws)",
		never:   "needs a principal the target denies the cancel operations, which this target kind never has: not applicable here"},
	CapFailingProject: {word: NeedFailingProject,
		missing: "needs a migration project whose requests fail, to judge Error and the ErrorDetails union on real answers: pass --failing-project NAME_OR_ARN (the README says how to set one up on AWS; the dmsconform emulator seeds " + seededFailingProject + ")",
		never:   "needs a migration project whose requests fail, which this target kind never has: not applicable here"},
	CapStartInputs: {word: NeedStartInputs,
		missing: "needs Start inputs the target runs: pass --start-inputs FILE with selection rules that select objects of the project's source data provider (the README says how)",
		never:   "needs Start inputs the target runs, which this target kind never takes: not applicable here"},
}

// seededFailingProject is the failing project the dmsconform emulator seeds (named in
// the failing project's cause; the engine does not import the emulator).
const seededFailingProject = "dmsconform-failing"

// The cause IDs of a missing capability: CauseNeeds+c when the run was not configured
// with it (the user could add it: the cause's title names the flag), CauseNotApplicable+c
// when the target kind can never offer it (coverage, not a configuration gap: reports
// list it apart and it does not make a run PARTIAL).
const (
	CauseNeeds         = reports.CauseNeeds
	CauseNotApplicable = reports.CauseNotApplicable
)

// CapabilityCause is the one cause of the checks that need c on a target without it:
// not applicable where the kind can never offer it (never), else not configured.
func CapabilityCause(c Capability, never bool) *Cause { return capabilityCause(c, never) }

// capabilityCause is the one cause of the checks that need c on a target without it.
func capabilityCause(c Capability, never bool) *Cause {
	def := capabilityDefs[c]
	if never {
		return &Cause{ID: CauseNotApplicable + string(c), Outcome: reports.Skipped, Title: def.never}
	}
	return &Cause{ID: CauseNeeds + string(c), Outcome: reports.Skipped, Title: def.missing}
}

// Control is a control surface: the capability to make a target show what a plain run
// does not (a request held at a progress step, a failed request, solicited undocumented
// values). The dmsconform emulator offers one (package targets speaks it); real DMS
// never does. Its calls are evidence (view "control"), not API calls. script names the
// evidence script a call belongs to (a replay serves each script its answers in order).
type Control interface {
	// Projects lists the projects the surface knows: the preflight's proof that it
	// answers, and the run's project's ARN (a fact).
	Projects(ctx context.Context, script string) ([]ControlProject, reports.Exchange, error)
	// AddScenario asks that the next start whose SelectionRules carry sc.Tag behave as
	// sc says.
	AddScenario(ctx context.Context, script string, sc Scenario) (reports.Exchange, error)
}

// ControlProject is a project a control surface knows.
type ControlProject struct{ Name, ARN string }

// Scenario is what a scenario run asks a control surface for: which start it binds to
// (Project, Family, Tag) and what that request then does or shows.
type Scenario struct {
	Project, Family, Tag string
	HoldAtStep           string     // a ProgressStep the request stays at until cancelled
	FailWith             string     // end FAILED with this Error message
	ExportSQL            *ExportSQL // carry this ExportSqlDetails
	UnknownUnionMember   string     // end FAILED with an Error of this unknown member
	Status               string     // show this Status instead of the real one
	ProgressStep         string     // show this ProgressStep instead of the real one
	EndpointType         string     // show this ProcessedObject.EndpointType
}

// ExportSQL is the ExportSqlDetails a scenario asks for.
type ExportSQL struct{ S3ObjectKey, ObjectURL string }

// Advancer is a virtual clock: it moves only when advanced.
type Advancer interface {
	Now() time.Time
	Advance(d time.Duration)
}

// VirtualClock is the Clock of a target on virtual time: waiting advances c at once
// (and with it the target's lifecycles) instead of sleeping.
func VirtualClock(c Advancer) Clock { return virtualClock{c} }
