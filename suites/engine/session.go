package engine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	dms "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"
	"github.com/aws/aws-sdk-go-v2/service/databasemigrationservice/types"

	"github.com/dmsconform/dmsconform/internal/text"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/gosdk"
)

// Session is an opened target: its clients, the evidence gathered so far and the
// requests started. It is a value: sessions share nothing, so many run side by side
// (the mutation self-test runs every defect mode at once in one process).
type Session struct {
	Cfg        Config
	Model      *spec.Model
	TargetKind string // the target kind (Target.TargetKind); "recording" offline
	Endpoint   string
	Region     string
	Project    string // the identifier passed to the API (name or ARN)

	clock       Clock
	idle        func() // closes the client's idle connections
	replay      bool
	offline     bool // a recording re-judged: nothing is gathered
	startsCost  bool
	projectHint string
	offers      map[Capability]bool
	never       []Capability
	closers     []func() error

	http      *http.Client
	sdk       *dms.Client
	deniedSDK *dms.Client
	creds     aws.CredentialsProvider
	denied    aws.CredentialsProvider
	control   Control
	inputs    StartInputs // --start-inputs (nil: the harness's own)
	failing   string      // the project whose requests fail ("": none)

	breaker *breaker
	limiter *limiter

	mu          sync.Mutex
	rng         *rand.Rand
	calls       map[string]int
	retriesLeft int
	starts      []startedRequest
	startBudget int
	scriptSeq   map[string]int
	unimpl      map[string]*Cause // operation -> why it is unimplemented
	facts       Facts
	setup       []*Sample // preflight and clean-up calls
	memo        map[scriptKey]*gathering
	sdkGaps     map[string]*Cause // family -> why aws-sdk-go-v2 cannot view it (nil: it can)
	notes       []string          // said at once while gathering (Notes)
	onNote      func()            // Prepare's progress report, called after a note

	// Lost answers (lost.go) and clean-up (cleanup.go).
	existing map[lane]*existingRequests // the requests the preflight saw
	startMu  map[string]*sync.Mutex     // family -> one start at a time
	unsure   map[lane]bool              // a lost Start's request may not have been found
	lost     []reports.LostAnswer
	cleanup  *reports.Cleanup
	stuck    *stuckHeld // a held request that could not be cancelled (scripts.go)
}

// Facts are what the session learnt about the target outside any script; they are
// part of the evidence (a recording carries them), so judges may read them.
type Facts struct {
	// ServiceJSON: the preflight's service probe was answered in JSON, so the target
	// speaks the protocol; a non-JSON 5xx to one operation then means that operation is
	// not implemented, not that the target is down.
	ServiceJSON bool `json:"serviceJson"`
	// ProjectARN is the project's ARN as a control surface reports it ("" without one).
	ProjectARN string `json:"projectArn,omitempty"`
}

type startedRequest struct {
	script              string // the script that started it (family/script[/run])
	family, project, id string
	done                bool // known terminal (or given up on): clean-up leaves it alone
	// found names the call whose lost answer made the run find this request by
	// describing the project ("" for a request whose Start answered its id).
	found string
	// held is the Status a scenario holds the request at (it never changes): clean-up
	// takes it for settled once its cancel is answered.
	held string
}

// Open opens a session on a target the caller built from cfg (package targets). It
// validates the configuration first (a *ConfigError is exit 2), then connects.
func Open(ctx context.Context, cfg Config, t Target) (*Session, error) {
	cfg = cfg.Resolve()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := cfg.Model
	var err error
	if m == nil {
		if m, err = spec.Load(); err != nil {
			return nil, err
		}
	}
	// The Start inputs are checked against the model before anything is sent.
	var inputs StartInputs
	if cfg.StartInputs != "" {
		if inputs, err = LoadStartInputs(cfg.StartInputs, m); err != nil {
			return nil, err
		}
	}
	conn, err := t.Connect(ctx)
	if err != nil {
		return nil, err
	}
	s := &Session{Cfg: cfg, Model: m, TargetKind: t.TargetKind(), Endpoint: conn.Endpoint, Region: conn.Region, Project: cfg.Project,
		clock: conn.Clock, replay: conn.Replay, startsCost: conn.StartsCost, projectHint: conn.ProjectHint, facts: conn.Facts,
		never: conn.Capabilities.Never, creds: conn.Credentials, denied: conn.Capabilities.Denied, control: conn.Capabilities.Control,
		inputs: inputs, failing: conn.Capabilities.FailingProject,
		breaker: newBreaker(cfg.CallTimeout), limiter: newLimiter(cfg.MaxRate), rng: newRand(),
		calls: map[string]int{}, retriesLeft: cfg.RetryBudget, scriptSeq: map[string]int{}, unimpl: map[string]*Cause{},
		memo: map[scriptKey]*gathering{}}
	if conn.Close != nil {
		s.closers = append(s.closers, conn.Close)
	}
	if conn.Project != "" {
		s.Project = conn.Project
	}
	if s.clock == nil {
		s.clock = wallClock{}
	}
	base := conn.Transport
	if base == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 32
		base, s.idle = tr, tr.CloseIdleConnections
	}
	s.http = &http.Client{Transport: &transport{s: s, base: base}, CheckRedirect: NoRedirect}
	newClient := func(p aws.CredentialsProvider) *dms.Client {
		if conn.AWS != nil {
			return gosdk.NewClientFromConfig(*conn.AWS, p, s.http)
		}
		return gosdk.NewClient(s.Endpoint, s.Region, p, s.http)
	}
	s.sdk = newClient(s.creds)
	if s.denied != nil {
		s.deniedSDK = newClient(s.denied)
	}
	s.offers = map[Capability]bool{}
	for c := range capabilityDefs {
		s.offers[c] = conn.Capabilities.Has(c)
	}
	s.offers[CapStartInputs] = inputs != nil
	return s, nil
}

// FailingProject is the project whose requests fail the run uses ("": none).
func (s *Session) FailingProject() string { return s.failing }

// Offers reports whether the target offers c.
func (s *Session) Offers(c Capability) bool { return s.offers[c] }

// lacks is the cause of the checks that need c on this target (nil when it offers c):
// not applicable when the target kind can never offer it, else not configured.
func (s *Session) lacks(c Capability) *Cause {
	if s.Offers(c) {
		return nil
	}
	return capabilityCause(c, slices.Contains(s.never, c))
}

// CredentialError says the target rejected the harness's own, normally signed
// request: expired or unknown credentials, or a clock too far from the server's (exit 3).
type CredentialError struct {
	Op, Code, Detail string
	// Clock is set when the refusal is about the request's time: the local clock and
	// the server's Date, side by side.
	Clock string
}

func (e *CredentialError) Error() string {
	if e.Clock != "" {
		return clockRefusal(e)
	}
	return fmt.Sprintf("%s: the target rejected the credentials (%s: %s): refresh them (aws sso login, a new session token) or pass keys the target knows", e.Op, e.Code, text.Truncate(e.Detail, 200))
}

// Secrets are the credential strings of the session, for the redaction boundary.
func (s *Session) Secrets(ctx context.Context) []string {
	var out []string
	for _, p := range []aws.CredentialsProvider{s.creds, s.denied} {
		if p == nil {
			continue
		}
		if c, err := p.Retrieve(ctx); err == nil {
			out = append(out, c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
		}
	}
	return slices.DeleteFunc(out, func(x string) bool { return x == "" })
}

// Facts returns what the session learnt about the target.
func (s *Session) Facts() Facts {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.facts
}

// Calls returns the API calls made so far per operation (attempts included).
func (s *Session) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// Starts returns how many requests the session started (those it knows the id of: a
// start that got no answer and whose request no describe found is not one) and its
// budget (which every start sent takes from, answered or not).
func (s *Session) Starts() (started, budget int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.starts {
		if st.id != "" {
			started++
		}
	}
	return started, s.startBudget
}

// Setup returns the calls made outside any evidence script (preflight, clean-up).
func (s *Session) Setup() []*Sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Sample(nil), s.setup...)
}

func (s *Session) addSetup(smp ...*Sample) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setup = append(s.setup, smp...)
}

// Close cleans up what the session started (bounded by --cleanup-timeout) and closes
// what the target's Connect started. The error lists requests whose end it could not
// confirm.
func (s *Session) Close(ctx context.Context) error {
	err := s.Cleanup(ctx)
	if s.idle != nil {
		// Idle (and dialed but unused) connections would hold a server's graceful
		// shutdown for seconds.
		s.idle()
	}
	for i := len(s.closers) - 1; i >= 0; i-- {
		if cerr := s.closers[i](); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}
	s.closers = nil
	return err
}

// --- calls ---------------------------------------------------------------------

// newCall starts a logical call of a script ("" for setup calls: preflight, clean-up).
func (s *Session) newCall(script, name string) *call {
	if script == "" {
		script = SetupScript
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scriptSeq[script]++
	return &call{name: name, script: script, seq: s.scriptSeq[script]}
}

// call sends op with a model-shaped input as a signed awsJson 1.1 request, as the
// allowed (or, with denied, the denied) principal, through the resilient transport.
// The SDK's view of the answer is derived from the same bytes (Sample.SDK), so a family
// whose operations the SDK lacks is gathered all the same. The returned error is
// trouble of the harness or the infrastructure; the target's answer, whatever it is,
// is the sample's.
func (s *Session) call(ctx context.Context, script, name string, op *spec.Operation, in map[string]any, denied bool) (*Sample, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return &Sample{Op: op.Name, Name: name}, fmt.Errorf("%s: encoding the input: %w", name, err)
	}
	return s.wire(ctx, script, wireRequest{Name: name, Op: op, Body: body, Denied: denied})
}

// harnessError keeps the errors that are not the target's answer: an InfraError, a
// cancelled context, a harness mistake. sent says whether anything reached the wire.
func (s *Session) harnessError(err error, sent bool) error {
	if err == nil {
		return nil
	}
	var ie *InfraError
	switch {
	case errors.As(err, &ie):
		return ie
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		// The run was interrupted (or hit its own deadline): whatever was sent, its
		// answer is not one to judge.
		return err
	case errors.Is(err, gosdk.ErrHarness):
		return err
	}
	return nil // the SDK's reading of the answer: part of the evidence
}

// wireRequest is one raw awsJson 1.1 call.
type wireRequest struct {
	Name     string
	Op       *spec.Operation // nil with Target
	Target   string          // raw X-Amz-Target (overrides Op)
	Body     []byte
	Unsigned bool // send no Authorization
	BadSig   bool // sign, then corrupt the signature
	Denied   bool // sign as the denied principal
	NoRetry  bool // one attempt: the answer itself is under test
	// Lost, on a call that changes state, finds out what an attempt whose answer was
	// lost had done, before the call is sent again (lost.go).
	Lost resolver
}

// wire sends a raw request through the resilient transport.
func (s *Session) wire(ctx context.Context, script string, r wireRequest) (*Sample, error) {
	c := s.newCall(script, r.Name)
	c.view, c.noRetry, c.probe, c.denied = "wire", r.NoRetry, r.Unsigned || r.BadSig, r.Denied
	c.resolve, c.cleanup = r.Lost, inCleanup(ctx)
	target := r.Target
	opName := ""
	if r.Op != nil {
		opName = r.Op.Name
		if target == "" {
			target = r.Op.Target
		}
	}
	smp := &Sample{Op: opName, Name: r.Name}
	if err := ctx.Err(); err != nil {
		// The run was interrupted: nothing new is sent (an attempt that could only fail
		// would count against the target, as if it had stopped answering).
		return smp, err
	}
	req, err := http.NewRequestWithContext(context.WithValue(ctx, callKey{}, c), http.MethodPost, strings.TrimRight(s.Endpoint, "/")+"/", bytes.NewReader(r.Body))
	if err != nil {
		return smp, fmt.Errorf("building the request to %s: %w", s.Endpoint, err)
	}
	req.Header.Set("Content-Type", s.Model.Service.ContentType)
	req.Header.Set("X-Amz-Target", target)
	if !r.Unsigned {
		p := s.creds
		if r.Denied {
			p = s.denied
		}
		creds, err := p.Retrieve(ctx)
		if err != nil {
			return smp, &ConfigError{Err: fmt.Errorf("retrieving credentials: %w", err)}
		}
		sum := sha256.Sum256(r.Body)
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), s.Model.Service.SigningName, s.Region, s.clockForSigning()); err != nil {
			return smp, fmt.Errorf("signing the request: %w", err)
		}
		if r.BadSig {
			corruptSignature(req)
		}
	}
	resp, err := s.http.Do(req)
	if resp != nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	smp.Attempts, smp.Lost = c.all(), c.lost
	return smp, s.harnessError(err, len(smp.Attempts) > 0)
}

// clockForSigning is the time requests are signed at: the wall clock (a server checks
// the signing time against its own), also on virtual-clock targets.
func (s *Session) clockForSigning() time.Time { return time.Now().UTC() }

func corruptSignature(req *http.Request) {
	auth := req.Header.Get("Authorization")
	i := strings.LastIndex(auth, "Signature=")
	if i < 0 {
		return
	}
	sig := []byte(auth[i+len("Signature="):])
	for j := range sig {
		if sig[j] == '0' {
			sig[j] = '1'
		} else {
			sig[j] = '0'
		}
	}
	req.Header.Set("Authorization", auth[:i]+"Signature="+string(sig))
}

// --- starts and clean-up ----------------------------------------------------------

// ErrStartBudget says the run used every start it may make.
var ErrStartBudget = errors.New("start budget spent")

// SetStartBudget sets how many requests the session may start (--max-starts wins).
func (s *Session) SetStartBudget(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Cfg.MaxStarts > 0 {
		n = s.Cfg.MaxStarts
	}
	if n > s.startBudget {
		s.startBudget = n
	}
}

// takeStart reserves one start of the budget for a script (family/script) and the
// project its request goes to, and returns its slot.
func (s *Session) takeStart(script, family, project string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.starts) >= s.startBudget {
		return 0, false
	}
	s.starts = append(s.starts, startedRequest{script: script, family: family, project: project})
	return len(s.starts) - 1, true
}

// noteStart records the request a reserved start made.
func (s *Session) noteStart(slot int, family, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.starts[slot].family, s.starts[slot].id = family, id
}

// started lists the requests of a family the run started, by the script that started
// them (by name, then the runs of a script in order), each script's in start order: an
// order that does not depend on how scripts running side by side interleaved.
func (s *Session) started(family string) []startedRequest {
	s.mu.Lock()
	var out []startedRequest
	for _, st := range s.starts {
		if st.id != "" && st.family == family {
			out = append(out, st)
		}
	}
	s.mu.Unlock()
	rank := func(key string) (string, int) {
		parts := strings.SplitN(key, "/", 3)
		run := 0
		if len(parts) == 3 {
			run, _ = strconv.Atoi(parts[2])
		}
		if len(parts) < 2 {
			return key, run
		}
		return parts[1], run
	}
	sort.SliceStable(out, func(i, j int) bool {
		si, ri := rank(out[i].script)
		sj, rj := rank(out[j].script)
		return si < sj || si == sj && ri < rj
	})
	return out
}

// lastStatuses is the last Status the family's gathered describe answers showed of each
// request (each request is one script's, so the order of the scripts does not matter).
func (s *Session) lastStatuses(family string) map[string]string {
	s.mu.Lock()
	var evs []any
	for key, g := range s.memo {
		if key.family == family && closed(g.done) && g.ev != nil {
			evs = append(evs, g.ev)
		}
	}
	s.mu.Unlock()
	out := map[string]string{}
	for _, ev := range evs {
		for _, smp := range samplesIn(ev) {
			for _, r := range RequestsOf(smp.Response().Object()) {
				if id, st := Str(r["RequestIdentifier"]), Str(r["Status"]); id != "" && st != "" {
					out[id] = st
				}
			}
		}
	}
	return out
}

// notify says at once what the user should know while the run gathers (a poll waiting
// on a Status the documentation does not list): a progress note (Progress.Notes), and
// kept for the end (Notes).
func (s *Session) notify(msg string) {
	s.mu.Lock()
	s.notes = append(s.notes, msg)
	hook := s.onNote
	s.mu.Unlock()
	if hook != nil {
		hook()
	}
}

// Notes returns what the run said at once while it gathered.
func (s *Session) Notes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.notes...)
}

// settled marks a request as ended (or given up on): clean-up leaves it alone.
func (s *Session) settled(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.starts {
		if s.starts[i].id == id {
			s.starts[i].done = true
		}
	}
}

// waitCancelled runs the SDK's "cancelled" waiter of a describe operation once: the
// request is already CANCELED, so it must accept at its first describe.
func (s *Session) waitCancelled(ctx context.Context, describe, id string) error {
	project := aws.String(s.Project)
	filters := []types.Filter{{Name: aws.String("request-id"), Values: []string{id}}}
	// Generous: the first describe should be accepted; the bound only keeps a waiter
	// that never accepts from waiting forever (its delays are real time).
	wait := 3 * s.Cfg.CallTimeout
	switch describe {
	case "DescribeMetadataModelConversions":
		w := dms.NewMetadataModelConversionCancelledWaiter(s.sdk, func(o *dms.MetadataModelConversionCancelledWaiterOptions) {
			o.MinDelay, o.MaxDelay = 20*time.Millisecond, 200*time.Millisecond
		})
		return w.Wait(ctx, &dms.DescribeMetadataModelConversionsInput{MigrationProjectIdentifier: project, Filters: filters}, wait)
	case "DescribeMetadataModelCreations":
		w := dms.NewMetadataModelCreationCancelledWaiter(s.sdk, func(o *dms.MetadataModelCreationCancelledWaiterOptions) {
			o.MinDelay, o.MaxDelay = 20*time.Millisecond, 200*time.Millisecond
		})
		return w.Wait(ctx, &dms.DescribeMetadataModelCreationsInput{MigrationProjectIdentifier: project, Filters: filters}, wait)
	}
	return errNoWaiter
}

// errNoWaiter: aws-sdk-go-v2 has no cancelled waiter for the family (a family the
// model has and the SDK's waiters do not cover yet).
var errNoWaiter = errors.New("aws-sdk-go-v2 has no cancelled waiter for this family")

// describePages bounds the pages one describe follows.
const describePages = 20

// describe describes one request of the family (filter request-id), following Marker:
// the model lets a target answer a page without the request (even an empty one) and a
// Marker to the next. The pages are one sample: the earlier pages' attempts come first,
// each page's last marked as followed, and the page that lists the request (or the
// last one) is the answer judged. A Marker seen before, or more than describePages
// pages, ends the describe with a cause: the pages cannot be followed to an end.
func (s *Session) describe(ctx context.Context, script, name, family, id string) (*Sample, error) {
	return s.describeIn(ctx, script, name, family, s.Project, id)
}

// describeIn is describe of a request of project.
func (s *Session) describeIn(ctx context.Context, script, name, family, project, id string) (*Sample, error) {
	in := map[string]any{"MigrationProjectIdentifier": project, "Filters": []map[string]any{{"Name": "request-id", "Values": []string{id}}}}
	smp, _, err := s.describePages(ctx, script, name, family, in, "request "+id, func(smp *Sample) bool { return RequestIn(smp, id) != nil })
	return smp, err
}

// listRequests describes every request of the family in project, following Marker as
// describe does: the sample holds every page, the requests are those of all pages.
func (s *Session) listRequests(ctx context.Context, script, name, family, project string) (*Sample, []map[string]any, error) {
	in := map[string]any{"MigrationProjectIdentifier": project}
	return s.describePages(ctx, script, name, family, in, "the project's requests", func(*Sample) bool { return false })
}

// describePages follows Marker from the describe of in until found says a page holds
// what was looked for (what, for messages), or a page has no Marker.
func (s *Session) describePages(ctx context.Context, script, name, family string, in map[string]any, what string, found func(*Sample) bool) (*Sample, []map[string]any, error) {
	op := s.Model.FamilyOperation(family, spec.RoleDescribe)
	var earlier []reports.Exchange
	var reqs []map[string]any
	seen := map[string]int{} // marker -> the page that answered it
	for page := 1; ; page++ {
		smp, err := s.call(ctx, script, name, op, in, false)
		marker := ""
		if err == nil && smp.Response().OK() {
			reqs = append(reqs, RequestsOf(smp.Response().Object())...)
			if !found(smp) {
				marker = Str(smp.Response().Object()["Marker"])
			}
		}
		if len(earlier) > 0 {
			smp.Attempts = append(append([]reports.Exchange(nil), earlier...), smp.Attempts...)
		}
		if err != nil || marker == "" {
			return smp, reqs, err
		}
		if first, again := seen[marker]; again {
			return smp, reqs, &Cause{ID: "describe-pages/" + op.Name, Outcome: reports.Error, Samples: []*Sample{smp},
				Title: fmt.Sprintf("%s of %s answered page %d with the Marker of page %d (%q): its pages loop, so they cannot be followed to the end",
					op.Name, what, page, first, text.Truncate(marker, 80))}
		}
		if page == describePages {
			return smp, reqs, &Cause{ID: "describe-pages/" + op.Name, Outcome: reports.Error, Samples: []*Sample{smp},
				Title: fmt.Sprintf("%s of %s answered %d pages, each with a Marker: the pages were not followed further", op.Name, what, page)}
		}
		seen[marker] = page
		earlier = smp.Attempts
		earlier[len(earlier)-1].Retried = fmt.Sprintf("page %d does not list %s and has a Marker: the next page was asked for", page, what)
		in["Marker"] = marker
	}
}

// RequestIn returns the request with id in a describe answer (nil if absent).
func RequestIn(smp *Sample, id string) map[string]any {
	if smp == nil {
		return nil
	}
	for _, r := range RequestsOf(smp.Response().Object()) {
		if Str(r["RequestIdentifier"]) == id {
			return r
		}
	}
	return nil
}

// --- setup calls ---------------------------------------------------------------

// SetupScript is the script name of calls made outside any evidence script.
const SetupScript = "setup"
