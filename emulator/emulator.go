// Package emulator is the embedded DMS emulator: an http.Handler that speaks the
// awsJson 1.1 protocol of AWS Database Migration Service for the six operations of
// the metadata model conversion and creation families (Start, Describe and Cancel),
// verifies SigV4 signatures, keeps request state and runs the conversion lifecycle on
// an injectable clock.
//
// # Wire behaviour
//
// Every AWS-surface call is POST / routed by X-Amz-Target
// (AmazonDMSv20160101.<Operation>). Every response carries
// Content-Type application/x-amz-json-1.1 and x-amzn-RequestId. Errors are
// {"__type":"<Code>","message":"..."} with a matching X-Amzn-ErrorType header. The
// checks run in this order, and the first one that fails answers:
//
//	the weather (Config.Weather, SetWeather)       see Weather: 400 ThrottlingException,
//	                                               500 InternalFailure, 503 ServiceUnavailable,
//	                                               502 text/html, latency, no answer
//	body larger than Config.MaxBodyBytes (1 MiB)   413 RequestEntityTooLargeException
//	no Authorization header                        400 MissingAuthenticationTokenException
//	Authorization header not SigV4 / no X-Amz-Date 400 IncompleteSignatureException
//	unknown access key id                          400 UnrecognizedClientException
//	                                               (Config.AnyAccessKey: accepted, format checked)
//	signature does not match (or scope not dms)    400 InvalidSignatureException
//	not POST /, or unknown X-Amz-Target            400 UnknownOperationException
//	body not a JSON object, member of wrong type   400 SerializationException
//	missing or null required member, too long a
//	string, bad union, MaxRecords/Marker/Filters   400 ValidationException
//	principal denied by the access policy          400 AccessDeniedException ("User: <principal ARN>
//	                                               is not authorized to perform: dms:<Operation> on
//	                                               resource: <project ARN>"), as IAM answers
//	unknown project or request                     400 ResourceNotFoundFault
//	cancel of a request that is not RECEIVED or
//	IN_PROGRESS                                    400 InvalidResourceStateFault
//
// Type errors are SerializationException because that is what AWS JSON services say
// when the body cannot be deserialized into the input shape; constraint failures
// (required, length, range) are ValidationException with the Coral-style message
// "1 validation error detected: Value null at 'RequestIdentifier' failed to satisfy
// constraint: Member must not be null", naming the member by its model name.
// X-Amz-Date is not compared with the clock (the emulator's clock may be virtual).
//
// # Lifecycle
//
// The emulator follows what AWS's public record says DMS does (botocore's model
// documentation, the AWS CLI examples tested against the service). The requests of
// one migration project, of both families, run one at a time: "If other requests
// created by Start* operations are already in the migration project's queue, the
// conversion begins after they complete". A request started at t0 is RECEIVED ("not
// yet queued", no Progress) until t0+1*step, then IN_PROGRESS: without Progress while
// it waits for its turn (queued), then with ProgressStep LOADING_METADATA,
// COUNTING_OBJECTS, ANALYZING and CONVERTING for one step each. ProgressPercent is the
// percentage of the current step that has elapsed (the model documents it as "the
// percent complete for the current step"), rounded down to one decimal, so it rises
// from 0 to 99.9 inside each step. TotalObjects is absent until the objects are counted
// (from ANALYZING on), then fixed per request. ProcessedObject is set while ANALYZING
// and CONVERTING, with a lower-case Type ("table") and EndpointType SOURCE, as in the
// CLI examples. After CONVERTING the request is SUCCESS, without Progress.
//
// A request fails (FAILED, Error {"defaultErrorDetails":{"Message":...}}, no Progress)
// at the end of LOADING_METADATA when its project has FailWith or a scenario says so,
// and at the end of COUNTING_OBJECTS when its SelectionRules select nothing of the
// project's source data provider (SelectsNothing; Project.SourceServer): it is
// accepted, then ends FAILED with NoObjectsMessage, as DMS does.
//
// A cancel of a RECEIVED or IN_PROGRESS request answers Status CANCELING without
// Progress, and the request stays CANCELING (no Progress) for one step, then is
// CANCELED; a request cancelled before its turn never runs. CANCELING "might still
// succeed or fail before cancellation takes effect": a cancel that lands in the
// request's last step does not stop it, and it ends SUCCESS (or FAILED) when that step
// ends. The project's next request starts when the running one is terminal.
//
// The step is fixed when the request starts (Config.StepDuration, or
// Weather.StepDuration when set). State is computed lazily from the clock on every
// read: there are no goroutines or timers; where each request stands in its project's
// queue is computed from the state (starts, cancels, scenarios) once per change.
// Describe* lists requests oldest first.
// A scenario's HoldAtStep caps the request's run at the start of that step
// (ProgressPercent 0), so it occupies its project until it is cancelled (a cancel
// releases the hold) and the requests queued behind it wait; bound to a request that
// is already past the step, it moves the request back to it. HoldAtStep RECEIVED keeps
// the request RECEIVED, out of the queue.
//
// # Control surface
//
// With Config.Control, paths under ControlPrefix are served without SigV4 (JSON in
// and out; errors {"error":"..."} with 400, 404 for an unknown endpoint):
//
//	POST   /_dmsconform/v1/clock/advance  {"duration":"3s"} → {"now":"<RFC3339Nano>"} (400 on the wall clock)
//	POST   /_dmsconform/v1/reset          → 204: no requests, no scenarios, weather call counter 0 (defects, weather and clock kept)
//	POST   /_dmsconform/v1/scenarios      Scenario → {"id":"scn-1"}
//	DELETE /_dmsconform/v1/scenarios      → 204
//	GET    /_dmsconform/v1/defects        → {"active":[...],"available":[{"name","description"}]}
//	PUT    /_dmsconform/v1/defects        {"modes":[...]} → 204, or 400 naming the unknown mode
//	GET    /_dmsconform/v1/weather        → Weather (every field; durations as "150ms")
//	PUT    /_dmsconform/v1/weather        Weather → 204 (replaces it all: fields left out are off; {} is clear sky),
//	                                      or 400 saying what is accepted (unknown field, negative value, bad duration)
//	GET    /_dmsconform/v1/info           → Info
//	GET    /_dmsconform/v1/state          → {"now":..., "requests":[RequestState...]}
//
// Without Control those paths get the AWS-surface treatment (they are not routed).
// Control-surface calls are never subject to the weather and are not counted by it,
// so a harness can always switch the weather back to clear sky.
//
// # Weather
//
// Weather (Config.Weather, SetWeather, PUT weather, the flags of dmsconform emulate)
// produces the conditions a conforming DMS shows on a bad day, so that a client can
// be proven against them: throttling (ThrottleEvery), transient 500 and 503
// (FailEvery, UnavailableEvery), latency (Latency), eventual consistency
// (ConsistencyWindow: a new request is invisible to Describe* and Cancel* for a
// while), a slower or faster lifecycle (StepDuration), and two broken-infrastructure
// conditions: a proxy answering 502 text/html (ProxyError) and a target that answers
// N calls and then goes silent (SilentAfter). Counting conditions are deterministic:
// one counter per emulator numbers the AWS-surface calls in arrival order; see
// Weather for which answer wins when several pick the same call. The zero Weather
// (clear sky) costs one atomic load per call.
package emulator

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/dmsconform/dmsconform/spec"
)

// Defaults and well-known values of the emulator.
const (
	DefaultRegion          = "us-east-1"
	DefaultAccountID       = "123456789012"
	DefaultProject         = "dmsconform-project" // seeded project name
	FailingProject         = "dmsconform-failing" // seeded project whose requests end FAILED
	DefaultAccessKeyID     = "AKIDDMSCONFORMTEST0001"
	DefaultSecretAccessKey = "dmsconform-test-secret-0001-not-a-real-key"
	DeniedAccessKeyID      = "AKIDDMSCONFORMDENY0001" // denied the Cancel* operations (AccessDeniedFault)
	DeniedSecretAccessKey  = "dmsconform-deny-secret-0001-not-a-real-key"
	ControlPrefix          = "/_dmsconform/v1/"
	DefaultStepDuration    = 2 * time.Second

	// DefaultMaxBodyBytes is the request body limit when Config.MaxBodyBytes is 0.
	DefaultMaxBodyBytes = 1 << 20
	// DefaultSourceServer is the server of the seeded projects' source data provider:
	// the server-name the harness's own Start input selects. Selection rules that name
	// only other servers select nothing (see SelectsNothing).
	DefaultSourceServer = "dmsconform"
	// NoObjectsMessage is the Error message of a request whose selection rules select
	// nothing, as DMS words it.
	NoObjectsMessage = "No objects were found according to the specified selection rules. Please review your selection rules and try again."
	// DefaultFailMessage is the Error message of requests in FailingProject.
	DefaultFailMessage = "dmsconform: simulated conversion failure (project " + FailingProject + ")"
	// MaxRecordsLimit is the largest MaxRecords a Describe* call accepts (1..100;
	// absent means 100).
	MaxRecordsLimit = 100
	// MaxRequestsPerProject bounds the requests one project keeps per family; a Start*
	// beyond it answers ResourceQuotaExceededFault (Reset frees them).
	MaxRequestsPerProject = 100000
)

// Error codes the emulator answers with (the __type value and X-Amzn-ErrorType header).
const (
	CodeSerialization       = "SerializationException"
	CodeValidation          = "ValidationException"
	CodeUnknownOperation    = "UnknownOperationException"
	CodeMissingAuth         = "MissingAuthenticationTokenException"
	CodeIncompleteSignature = "IncompleteSignatureException"
	CodeInvalidSignature    = "InvalidSignatureException"
	CodeUnrecognizedClient  = "UnrecognizedClientException"
	CodeTooLarge            = "RequestEntityTooLargeException"
	CodeInternal            = "InternalFailure"
	CodeResourceNotFound    = "ResourceNotFoundFault"
	CodeInvalidState        = "InvalidResourceStateFault"
	CodeAccessDenied        = "AccessDeniedFault"
	// CodeAccessDeniedException is IAM's denial of a caller, a common AWS error (the
	// modelled AccessDeniedFault is DMS's own role denied access to an endpoint).
	CodeAccessDeniedException = "AccessDeniedException"
	CodeQuotaExceeded         = "ResourceQuotaExceededFault"
	CodeS3NotFound            = "S3ResourceNotFoundFault"
	CodeS3AccessDenied        = "S3AccessDeniedFault"
)

// Request status values (the documented RequestStatus values).
const (
	StatusReceived   = "RECEIVED"
	StatusInProgress = "IN_PROGRESS"
	StatusSuccess    = "SUCCESS"
	StatusFailed     = "FAILED"
	StatusCanceling  = "CANCELING"
	StatusCanceled   = "CANCELED"
)

// Progress steps the emulator walks through, in order.
const (
	StepLoadingMetadata = "LOADING_METADATA"
	StepCountingObjects = "COUNTING_OBJECTS"
	StepAnalyzing       = "ANALYZING"
	StepConverting      = "CONVERTING"
	StepFinished        = "FINISHED"
)

// Config configures an Emulator. The zero value is a working emulator with the
// default region, account, credentials and projects on the wall clock.
type Config struct {
	Region, AccountID string
	Credentials       []Credential  // nil → the two default pairs (DefaultAccessKeyID, DeniedAccessKeyID)
	Projects          []Project     // nil → DefaultProject and FailingProject (FailWith set)
	Clock             Clock         // nil → WallClock
	StepDuration      time.Duration // per lifecycle step; 0 → DefaultStepDuration
	AutoAdvance       time.Duration // >0 and Clock is *VirtualClock: each AWS-surface request the weather lets through first advances the clock by this
	Control           bool          // enable the control surface under ControlPrefix
	MaxBodyBytes      int64         // 0 → 1 MiB
	IDSeed            uint64        // >0: request ids come from a source seeded with it, so a run is repeatable
	Defects           []string      // defect modes (DefectModes)
	Weather           Weather       // throttling, transient 5xx, latency, eventual consistency, ...; zero = clear sky
	Model             *spec.Model   // nil → spec.MustLoad()
	// AnyAccessKey accepts requests signed with an access key the emulator does not
	// know (such as temporary credentials an STS issued), allowed everything. Their
	// signature is checked for its format only (SigV4 header, credential scope, date,
	// signed headers, a hex signature): the emulator never saw the secret, so it cannot
	// verify it, and a corrupted signature made with an unknown key is accepted (the
	// bad-signature checks fail against it, correctly). Known keys are verified in full.
	AnyAccessKey bool
}

// Credential is an access key pair the emulator accepts, with the operations its
// principal is denied (operation names such as "CancelMetadataModelConversion", or
// "*" for all).
type Credential struct {
	AccessKeyID, SecretAccessKey string
	Deny                         []string
	// Principal is the caller's ARN that AccessDeniedException messages name; "" →
	// arn:aws:sts::<account>:assumed-role/dmsconform-denied/dmsconform for a key that
	// is denied something, .../dmsconform-allowed/dmsconform otherwise.
	Principal string
}

// Project is a seeded migration project. ID "" derives a stable 26-character id from
// the name. A non-empty FailWith makes every request of the project end FAILED with
// Error {"defaultErrorDetails":{"Message":FailWith}}. SourceServer is the server of its
// source data provider ("" → DefaultSourceServer): selection rules that name only
// other servers select nothing. A non-empty StartFault is a project DMS cannot run
// requests for: every Start* whose operation models that fault (S3ResourceNotFoundFault,
// S3AccessDeniedFault, KMSKeyNotAccessibleFault, ...) is refused with it, as DMS refuses
// a project whose S3 bucket or KMS key its role cannot reach; Start* operations that do
// not model it start as usual.
type Project struct {
	Name, ID     string
	FailWith     string
	SourceServer string
	StartFault   string
}

// DefaultCredentials returns the two documented test key pairs: DefaultAccessKeyID
// (allowed everything) and DeniedAccessKeyID (denied the cancel operation of every
// family of the embedded model).
func DefaultCredentials() []Credential { return defaultCredentials(spec.MustLoad()) }

// defaultCredentials are the test key pairs of an emulator of model m: the denied one is
// denied every family's cancel operation (x-dms-role: cancel).
func defaultCredentials(m *spec.Model) []Credential {
	var cancels []string
	for _, f := range m.Families() {
		if op := m.FamilyOperation(f, spec.RoleCancel); op != nil {
			cancels = append(cancels, op.Name)
		}
	}
	return []Credential{
		{AccessKeyID: DefaultAccessKeyID, SecretAccessKey: DefaultSecretAccessKey},
		{AccessKeyID: DeniedAccessKeyID, SecretAccessKey: DeniedSecretAccessKey, Deny: cancels},
	}
}

// DefaultProjects returns the seeded projects used when Config.Projects is nil.
func DefaultProjects() []Project {
	return []Project{{Name: DefaultProject}, {Name: FailingProject, FailWith: DefaultFailMessage}}
}

// Emulator is the DMS emulator; it is an http.Handler safe for concurrent use.
type Emulator struct {
	region, account string
	model           *spec.Model
	clock           Clock
	vclock          *VirtualClock // nil unless clock is virtual
	step            time.Duration
	autoAdvance     time.Duration
	anyKey          bool // Config.AnyAccessKey
	control         bool
	maxBody         int64
	creds           map[string]*credential
	projects        []*project // config order
	signer          *v4.Signer

	defects  atomic.Pointer[defectSet]
	weather  atomic.Pointer[weatherState] // never nil after New
	quit     chan struct{}                // closed when the Server closes: releases silent calls
	quitOnce sync.Once

	mu        sync.Mutex
	requests  map[string]*request
	lists     map[listKey][]*request // per project and family, in creation order
	queues    map[*project]*queue    // per project, both families, in creation order
	scenarios []*scenarioEntry
	seq       uint64
	scnSeq    uint64

	idMu sync.Mutex
	ids  *mrand.Rand // nil: crypto/rand
}

type credential struct {
	Credential
	denyAll bool
	deny    map[string]bool
}

func (c *credential) denied(op string) bool { return c != nil && (c.denyAll || c.deny[op]) }

type project struct {
	name, id, arn, failWith, sourceServer string
	startFault                            string
}

type listKey struct {
	project *project
	family  string
}

// defaultModel parses the embedded model once; a Model is read-only after loading.
var defaultModel = sync.OnceValues(spec.Load)

var accountRE = regexp.MustCompile(`^[0-9]{12}$`)
var regionRE = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

// New builds an emulator from cfg. It fails on an invalid configuration; the error
// names the field and what is accepted.
func New(cfg Config) (*Emulator, error) {
	e := &Emulator{
		region:      cfg.Region,
		account:     cfg.AccountID,
		model:       cfg.Model,
		clock:       cfg.Clock,
		step:        cfg.StepDuration,
		autoAdvance: cfg.AutoAdvance,
		anyKey:      cfg.AnyAccessKey,
		control:     cfg.Control,
		maxBody:     cfg.MaxBodyBytes,
		creds:       map[string]*credential{},
		signer:      v4.NewSigner(),
		requests:    map[string]*request{},
		ids:         seededIDs(cfg.IDSeed),
		lists:       map[listKey][]*request{},
		queues:      map[*project]*queue{},
		quit:        make(chan struct{}),
	}
	if err := e.setDefaults(); err != nil {
		return nil, err
	}
	if err := e.addCredentials(cfg.Credentials); err != nil {
		return nil, err
	}
	if err := e.addProjects(cfg.Projects); err != nil {
		return nil, err
	}
	ds, err := parseDefects(cfg.Defects)
	if err != nil {
		return nil, err
	}
	e.defects.Store(ds)
	if err := e.SetWeather(cfg.Weather); err != nil {
		return nil, err
	}
	return e, nil
}

// setDefaults checks the configuration New copied and fills in its defaults.
func (e *Emulator) setDefaults() error {
	if e.region == "" {
		e.region = DefaultRegion
	}
	if !regionRE.MatchString(e.region) {
		return fmt.Errorf("emulator: region %q is not a region name such as %s", e.region, DefaultRegion)
	}
	if e.account == "" {
		e.account = DefaultAccountID
	}
	if !accountRE.MatchString(e.account) {
		return fmt.Errorf("emulator: account id %q must be 12 digits, such as %s", e.account, DefaultAccountID)
	}
	if e.model == nil {
		m, err := defaultModel()
		if err != nil {
			return fmt.Errorf("emulator: load the embedded model: %w", err)
		}
		e.model = m
	}
	if e.clock == nil {
		e.clock = WallClock{}
	}
	if vc, ok := e.clock.(*VirtualClock); ok {
		e.vclock = vc
	}
	if e.step < 0 {
		return fmt.Errorf("emulator: step duration %v is negative; use 0 for the default %v", e.step, DefaultStepDuration)
	}
	if e.step == 0 {
		e.step = DefaultStepDuration
	}
	if e.autoAdvance < 0 {
		return fmt.Errorf("emulator: auto-advance %v is negative", e.autoAdvance)
	}
	if e.maxBody < 0 {
		return fmt.Errorf("emulator: MaxBodyBytes %d is negative; use 0 for the default %d", e.maxBody, DefaultMaxBodyBytes)
	}
	if e.maxBody == 0 {
		e.maxBody = DefaultMaxBodyBytes
	}
	return nil
}

// addCredentials configures the key pairs (nil: the default test key pairs) and what
// each is denied.
func (e *Emulator) addCredentials(creds []Credential) error {
	if creds == nil {
		creds = defaultCredentials(e.model)
	}
	if len(creds) == 0 {
		return errors.New("emulator: no credentials configured; pass nil for the default test key pairs")
	}
	for i, c := range creds {
		if c.AccessKeyID == "" || c.SecretAccessKey == "" {
			return fmt.Errorf("emulator: credential %d has an empty access key id or secret", i)
		}
		if _, dup := e.creds[c.AccessKeyID]; dup {
			return fmt.Errorf("emulator: access key id %s is configured twice", c.AccessKeyID)
		}
		if c.Principal == "" {
			c.Principal = e.defaultPrincipal(len(c.Deny) > 0)
		}
		cr := &credential{Credential: c, deny: map[string]bool{}}
		for _, op := range c.Deny {
			switch {
			case op == "*":
				cr.denyAll = true
			case e.model.Operation(op) != nil:
				cr.deny[op] = true
			default:
				return fmt.Errorf("emulator: credential %s denies unknown operation %q; use \"*\" or one of %s",
					c.AccessKeyID, op, strings.Join(e.operationNames(), ", "))
			}
		}
		e.creds[c.AccessKeyID] = cr
	}
	return nil
}

// addProjects seeds the migration projects (nil: the default ones).
func (e *Emulator) addProjects(projs []Project) error {
	if projs == nil {
		projs = DefaultProjects()
	}
	if len(projs) == 0 {
		return errors.New("emulator: no migration projects configured; pass nil for the default projects")
	}
	seen := map[string]bool{}
	for _, p := range projs {
		if p.Name == "" || len(p.Name) > 255 || strings.HasPrefix(p.Name, "arn:") {
			return fmt.Errorf("emulator: project name %q must be 1..255 characters and not an ARN", p.Name)
		}
		id := p.ID
		if id == "" {
			id = deriveID(p.Name)
		}
		if seen[p.Name] || seen[id] {
			return fmt.Errorf("emulator: project %q (id %s) is configured twice", p.Name, id)
		}
		seen[p.Name], seen[id] = true, true
		if p.StartFault != "" && !startFaultModelled(e.model, p.StartFault) {
			return fmt.Errorf("emulator: project %q: start fault %q is not a modelled fault of any Start* operation (%s)", p.Name, p.StartFault, strings.Join(startFaults(e.model), ", "))
		}
		server := p.SourceServer
		if server == "" {
			server = DefaultSourceServer
		}
		e.projects = append(e.projects, &project{name: p.Name, id: id, failWith: p.FailWith, sourceServer: server, startFault: p.StartFault,
			arn: fmt.Sprintf("arn:aws:dms:%s:%s:migration-project:%s", e.region, e.account, id)})
	}
	return nil
}

// defaultPrincipal is the ARN AccessDeniedException messages name for a key
// configured without a Principal (or, with AnyAccessKey, a key the emulator does not
// know).
func (e *Emulator) defaultPrincipal(denies bool) string {
	role := "dmsconform-allowed"
	if denies {
		role = "dmsconform-denied"
	}
	return fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/dmsconform", e.account, role)
}

// releaseSilent ends the calls held by Weather.SilentAfter (their connections are
// dropped without an answer), now and from now on. Server.Close calls it.
func (e *Emulator) releaseSilent() { e.quitOnce.Do(func() { close(e.quit) }) }

func (e *Emulator) operationNames() []string {
	var out []string
	for _, op := range e.model.Operations {
		out = append(out, op.Name)
	}
	sort.Strings(out)
	return out
}

// deriveID makes the stable upper-case id DMS-style ARNs carry from a project name.
func deriveID(name string) string {
	sum := sha256.Sum256([]byte("dmsconform/" + name))
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:])[:26]
}

// Region returns the region the emulator's ARNs use.
func (e *Emulator) Region() string { return e.region }

// AccountID returns the account id the emulator's ARNs use.
func (e *Emulator) AccountID() string { return e.account }

// StepDuration returns the duration of one lifecycle step of requests started now:
// Weather.StepDuration when set, else Config.StepDuration.
func (e *Emulator) StepDuration() time.Duration { return e.stepNow() }

// Now returns the emulator's current time.
func (e *Emulator) Now() time.Time { return e.clock.Now() }

// VirtualClock returns the emulator's virtual clock, or nil on the wall clock.
func (e *Emulator) VirtualClock() *VirtualClock { return e.vclock }

// ProjectARN returns the ARN of the seeded project with the given name (or ARN), or
// "" if there is no such project.
func (e *Emulator) ProjectARN(name string) string {
	if p := e.lookupProject(name); p != nil {
		return p.arn
	}
	return ""
}

func (e *Emulator) lookupProject(ident string) *project {
	for _, p := range e.projects {
		if ident == p.name || ident == p.arn {
			return p
		}
	}
	return nil
}

// Advance moves the virtual clock forward by d. It fails on the wall clock.
func (e *Emulator) Advance(d time.Duration) error {
	if e.vclock == nil {
		return errors.New("emulator: the clock is the wall clock, it cannot be advanced; configure Clock: emulator.NewVirtualClock(...)")
	}
	if d < 0 {
		return fmt.Errorf("emulator: cannot advance the clock by a negative duration %v", d)
	}
	e.vclock.Advance(d)
	return nil
}

// Reset returns to the seeded state: no requests and no scenarios, and the weather's
// call counter starts again from 0. Defect modes and the weather are kept.
func (e *Emulator) Reset() {
	e.resetCalls()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.requests = map[string]*request{}
	e.lists = map[listKey][]*request{}
	e.queues = map[*project]*queue{}
	e.scenarios = nil
}

func seededIDs(seed uint64) *mrand.Rand {
	if seed == 0 {
		return nil
	}
	return mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// newUUID returns a random RFC 4122 version 4 UUID: from the emulator's seeded source
// when Config.IDSeed is set (repeatable ids), from crypto/rand otherwise.
func (e *Emulator) newUUID() string {
	var b [16]byte
	if e.ids != nil {
		e.idMu.Lock()
		for i := 0; i < 16; i += 8 {
			binary.LittleEndian.PutUint64(b[i:], e.ids.Uint64())
		}
		e.idMu.Unlock()
	} else {
		_, _ = rand.Read(b[:])
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

var _ http.Handler = (*Emulator)(nil)
