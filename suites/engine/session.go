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
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	dms "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"
	"github.com/aws/aws-sdk-go-v2/service/databasemigrationservice/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/gosdk"
)

// Session is an opened target: its clients, the evidence gathered so far and the
// requests started. It is a value: sessions share nothing, so many run side by side
// (the mutation self-test runs every defect mode at once in one process).
type Session struct {
	Cfg      Config
	Model    *spec.Model
	Kind     string // the target kind
	Endpoint string
	Region   string
	Project  string // the identifier passed to the API (name or ARN)

	// Capabilities the target offers.
	HasControl bool
	HasDenied  bool

	clock   Clock
	idle    func() // closes the client's idle connections
	replay  bool
	offline bool // a recording re-judged: nothing is gathered
	emu     *emulator.Server
	closers []func() error

	http      *http.Client
	sdk       *dms.Client
	deniedSDK *dms.Client
	creds     aws.CredentialsProvider
	denied    aws.CredentialsProvider
	control   *controlClient

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
}

// Facts are what the session learnt about the target outside any script; they are
// part of the evidence (a recording carries them), so judges may read them.
type Facts struct {
	// ServiceJSON: the preflight's service probe was answered in JSON, so the target
	// speaks the protocol; a non-JSON 5xx to one operation then means that operation is
	// not implemented, not that the target is down.
	ServiceJSON bool `json:"serviceJson"`
	// ProjectARN is the project's ARN as an emulator control surface reports it ("" without one).
	ProjectARN string `json:"projectArn,omitempty"`
}

type startedRequest struct {
	family, id string
	done       bool // known terminal (or given up on): clean-up leaves it alone
}

// ReplayTarget is a recording served back (the record package starts it; the runner
// passes it in Config.Replay).
type ReplayTarget struct {
	URL     string
	Control string // control surface URL, "" if the recording had none
	Project string
	Region  string
	Denied  bool
	Facts   Facts
}

// Open resolves cfg and opens its target. It validates the configuration first (a
// *ConfigError is exit 2) and, for aws, refuses accounts not on the allowlist.
func Open(ctx context.Context, cfg Config) (*Session, error) {
	return open(ctx, cfg, nil)
}

// OpenReplay opens a recording served back by rt.
func OpenReplay(ctx context.Context, cfg Config, rt ReplayTarget) (*Session, error) {
	cfg.Target = TargetReplay
	if cfg.Endpoint == "" {
		cfg.Endpoint = rt.URL
	}
	return open(ctx, cfg, &rt)
}

func open(ctx context.Context, cfg Config, rt *ReplayTarget) (*Session, error) {
	cfg = cfg.Resolve()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m, err := spec.Load()
	if err != nil {
		return nil, err
	}
	s := &Session{Cfg: cfg, Model: m, Kind: cfg.Target, Region: cfg.Region, Project: cfg.Project,
		clock: wallClock{}, breaker: newBreaker(cfg.CallTimeout), limiter: newLimiter(cfg.MaxRate), rng: newRand(),
		calls: map[string]int{}, retriesLeft: cfg.RetryBudget, scriptSeq: map[string]int{}, unimpl: map[string]*Cause{},
		memo: map[scriptKey]*gathering{}}
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.MaxIdleConnsPerHost = 32
	s.http = &http.Client{Transport: &transport{s: s, base: base}, CheckRedirect: noRedirect}
	s.idle = base.CloseIdleConnections
	var awsCfg *aws.Config
	ctrlHTTP := &http.Client{Timeout: cfg.CallTimeout, CheckRedirect: noRedirect}

	switch cfg.Target {
	case TargetEmbedded:
		ec := emulator.Config{
			Clock:        emulator.NewVirtualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
			StepDuration: emulator.DefaultStepDuration,
			Control:      true,
			Defects:      cfg.Defects,
			IDSeed:       1, // repeatable request ids: a recording of the embedded target is deterministic
		}
		if cfg.Embedded != nil {
			cfg.Embedded(&ec)
		}
		srv, err := emulator.Start(ec)
		if err != nil {
			return nil, &ConfigError{Err: fmt.Errorf("starting the embedded emulator: %w", err)}
		}
		s.emu = srv
		s.closers = append(s.closers, srv.Close)
		s.http.Transport.(*transport).base = inProcess{h: srv.Emulator}
		s.Endpoint, s.Region = srv.URL, srv.Region
		if srv.Clock != nil {
			s.clock = virtualClock{srv.Clock}
		}
		s.creds = credentials.NewStaticCredentialsProvider(srv.AccessKeyID, srv.SecretAccessKey, "")
		s.denied = credentials.NewStaticCredentialsProvider(emulator.DeniedAccessKeyID, emulator.DeniedSecretAccessKey, "")
		s.control = &controlClient{base: srv.URL + emulator.ControlPrefix, http: ctrlHTTP}
	case TargetEndpoint:
		s.Endpoint = cfg.Endpoint
		id, secret := cfg.AccessKeyID, cfg.SecretAccessKey
		if id == "" {
			id, secret = emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey
		}
		s.creds = credentials.NewStaticCredentialsProvider(id, secret, cfg.SessionToken)
		if cfg.DeniedAccessKeyID != "" {
			s.denied = credentials.NewStaticCredentialsProvider(cfg.DeniedAccessKeyID, cfg.DeniedSecretAccessKey, "")
		}
		if cfg.Control != "" {
			s.control = &controlClient{base: strings.TrimRight(cfg.Control, "/") + "/", http: ctrlHTTP}
		}
	case TargetReplay:
		if rt == nil {
			return nil, &ConfigError{Err: errors.New("--target replay:DIR is served by the runner (dmsconform run): open it with OpenReplay")}
		}
		s.replay = true
		s.clock = virtualClock{emulator.NewVirtualClock(time.Time{})}
		s.Endpoint, s.Region, s.Project = rt.URL, rt.Region, rt.Project
		s.creds = credentials.NewStaticCredentialsProvider(emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey, "")
		if rt.Denied {
			s.denied = credentials.NewStaticCredentialsProvider(emulator.DeniedAccessKeyID, emulator.DeniedSecretAccessKey, "")
		}
		if rt.Control != "" {
			s.control = &controlClient{base: strings.TrimRight(rt.Control, "/") + "/", http: ctrlHTTP, replay: true}
		}
		s.facts = rt.Facts
	case TargetAWS:
		opts := []func(*awsconfig.LoadOptions) error{}
		if cfg.Region != "" {
			opts = append(opts, awsconfig.WithRegion(cfg.Region))
		}
		if cfg.Profile != "" {
			opts = append(opts, awsconfig.WithSharedConfigProfile(cfg.Profile))
		}
		ac, err := awsconfig.LoadDefaultConfig(ctx, opts...)
		if err != nil {
			return nil, &ConfigError{Err: fmt.Errorf("loading AWS configuration (profile %q): %w: configure the profile, SSO or AWS_* variables", cfg.Profile, err)}
		}
		if ac.Region == "" {
			return nil, &ConfigError{Err: errors.New("no AWS region: pass --region or set AWS_REGION")}
		}
		s.Region = ac.Region
		if _, err := ac.Credentials.Retrieve(ctx); err != nil {
			return nil, &ConfigError{Err: fmt.Errorf("no usable AWS credentials (profile %q): %w: run aws sso login, set a profile or the AWS_* variables", cfg.Profile, err)}
		}
		if err := checkAccount(ctx, ac, cfg.AllowAccounts); err != nil {
			return nil, err
		}
		s.creds = ac.Credentials
		awsCfg = &ac
		if cfg.DeniedProfile != "" {
			dc, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(s.Region), awsconfig.WithSharedConfigProfile(cfg.DeniedProfile))
			if err != nil {
				return nil, &ConfigError{Err: fmt.Errorf("loading the denied principal's profile %q: %w", cfg.DeniedProfile, err)}
			}
			s.denied = dc.Credentials
		}
	}
	newClient := func(p aws.CredentialsProvider) *dms.Client {
		if awsCfg != nil {
			return gosdk.NewClientFromConfig(*awsCfg, p, s.http)
		}
		return gosdk.NewClient(s.Endpoint, s.Region, p, s.http)
	}
	s.sdk = newClient(s.creds)
	if ep := s.sdk.Options().BaseEndpoint; awsCfg != nil {
		s.Endpoint = fmt.Sprintf("https://dms.%s.amazonaws.com", s.Region)
		if ep != nil {
			s.Endpoint = *ep
		}
	}
	if s.denied != nil {
		s.deniedSDK = newClient(s.denied)
		s.HasDenied = true
	}
	s.HasControl = s.control != nil
	return s, nil
}

// AccountError says the caller's account is not on the allowlist (exit 2).
type AccountError struct {
	Account string
	Allowed []string
}

// Error names the accounts by their last four digits: enough to tell them apart, and
// nothing the redaction boundary has to hide.
func (e *AccountError) Error() string {
	allowed := make([]string, len(e.Allowed))
	for i, a := range e.Allowed {
		allowed[i] = MaskAccount(a)
	}
	return fmt.Sprintf("refusing to run: the credentials belong to account %s, which is not in --allow-account (%s); pass the sandbox account id to --allow-account or use credentials of an allowed account",
		MaskAccount(e.Account), strings.Join(allowed, ","))
}

// MaskAccount shows an account id by its last four digits (********7777).
func MaskAccount(id string) string {
	if len(id) <= 4 {
		return id
	}
	return strings.Repeat("*", len(id)-4) + id[len(id)-4:]
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
	return fmt.Sprintf("%s: the target rejected the credentials (%s: %s): refresh them (aws sso login, a new session token) or pass keys the target knows", e.Op, e.Code, spec.Truncate(e.Detail, 200))
}

func checkAccount(ctx context.Context, ac aws.Config, allowed []string) error {
	out, err := sts.NewFromConfig(ac).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return &CredentialError{Op: "sts GetCallerIdentity", Code: "the account cannot be checked against --allow-account", Detail: err.Error()}
	}
	acct := aws.ToString(out.Account)
	if !slices.Contains(allowed, acct) {
		return &AccountError{Account: acct, Allowed: allowed}
	}
	return nil
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

// Starts returns how many requests the session started and its budget.
func (s *Session) Starts() (used, budget int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.starts), s.startBudget
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

// Close cleans up what the session started (bounded by --cleanup-timeout) and stops
// the embedded emulator. The error lists requests whose end it could not confirm.
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

// sdkCall calls op through the SDK as the allowed (or, with denied, the denied)
// principal. The returned error is trouble of the harness or the infrastructure;
// the target's answer, whatever it is, is the sample's.
func (s *Session) sdkCall(ctx context.Context, script, name string, op *spec.Operation, in map[string]any, denied bool) (*Sample, error) {
	c := s.newCall(script, name)
	client := s.sdk
	if denied {
		client, c.denied = s.deniedSDK, true
	}
	_, err := gosdk.Call(context.WithValue(ctx, callKey{}, c), client, op.Name, in)
	smp := &Sample{Op: op.Name, Name: name, Attempts: c.all()}
	return smp, s.harnessError(err, len(smp.Attempts) > 0)
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
}

// wire sends a raw request through the resilient transport.
func (s *Session) wire(ctx context.Context, script string, r wireRequest) (*Sample, error) {
	c := s.newCall(script, r.Name)
	c.view, c.noRetry, c.probe, c.denied = "wire", r.NoRetry, r.Unsigned || r.BadSig, r.Denied
	target := r.Target
	opName := ""
	if r.Op != nil {
		opName = r.Op.Name
		if target == "" {
			target = r.Op.Target
		}
	}
	smp := &Sample{Op: opName, Name: r.Name}
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
	smp.Attempts = c.all()
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

// takeStart reserves one start of the budget and returns its slot.
func (s *Session) takeStart() (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.starts) >= s.startBudget {
		return 0, false
	}
	s.starts = append(s.starts, startedRequest{})
	return len(s.starts) - 1, true
}

// noteStart records the request a reserved start made.
func (s *Session) noteStart(slot int, family, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.starts[slot] = startedRequest{family: family, id: id}
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

// Cleanup sends every started request that is not known to have ended one cancel,
// then waits up to --cleanup-timeout for them to end. It is what an interrupted run
// calls; the error names the requests it could not confirm.
func (s *Session) Cleanup(ctx context.Context) error {
	s.mu.Lock()
	var todo []startedRequest
	for _, st := range s.starts {
		if st.id != "" && !st.done {
			todo = append(todo, st)
		}
	}
	s.mu.Unlock()
	if len(todo) == 0 {
		return nil
	}
	deadline := s.clock.Now().Add(s.Cfg.CleanupTimeout)
	for _, st := range todo {
		cancel := s.Model.FamilyOperation(st.family, spec.RoleCancel)
		body, _ := json.Marshal(map[string]string{"MigrationProjectIdentifier": s.Project, "RequestIdentifier": st.id})
		smp, _ := s.wire(ctx, "", wireRequest{Name: "clean-up: cancel " + st.id, Op: cancel, Body: body})
		s.addSetup(smp)
	}
	var unconfirmed []string
	for _, st := range todo {
		ended := false
		for delay := s.Cfg.MinDelay; ; delay = min(delay*2, s.Cfg.MaxDelay) {
			smp, err := s.describe(ctx, "", "clean-up: describe "+st.id, st.family, st.id)
			if smp != nil {
				s.addSetup(smp)
			}
			if err != nil {
				break
			}
			if r := requestIn(smp, st.id); r != nil && spec.IsTerminalStatus(Str(r["Status"])) {
				ended = true
				break
			}
			if !s.clock.Now().Add(delay).Before(deadline) || s.clock.Sleep(ctx, delay) != nil {
				break
			}
		}
		if ended {
			s.settled(st.id)
		} else {
			unconfirmed = append(unconfirmed, fmt.Sprintf("%s (%s)", st.id, st.family))
		}
	}
	if len(unconfirmed) > 0 {
		return fmt.Errorf("clean-up sent a cancel to every request the run started, but could not confirm within %s (--cleanup-timeout) that these ended: %s",
			s.Cfg.CleanupTimeout, strings.Join(unconfirmed, ", "))
	}
	return nil
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

// describe describes one request of the family through the SDK (filter request-id).
func (s *Session) describe(ctx context.Context, script, name, family, id string) (*Sample, error) {
	op := s.Model.FamilyOperation(family, spec.RoleDescribe)
	in := map[string]any{"MigrationProjectIdentifier": s.Project, "Filters": []map[string]any{{"Name": "request-id", "Values": []string{id}}}}
	return s.sdkCall(ctx, script, name, op, in, false)
}

// requestIn returns the request with id in a describe answer (nil if absent).
func requestIn(smp *Sample, id string) map[string]any {
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

// --- the control surface ---------------------------------------------------------

// SetupScript is the script name of calls made outside any evidence script.
const SetupScript = "setup"

// controlClient speaks to an emulator's control surface. Its exchanges are part of the
// evidence (view "control") but are not API calls.
type controlClient struct {
	base   string // ends in /
	http   *http.Client
	replay bool
}

func (c *controlClient) do(ctx context.Context, cl *call, method, path string, in, out any) (reports.Exchange, error) {
	var body []byte
	if in != nil {
		body, _ = json.Marshal(in)
	}
	script := cl.script
	ex := reports.Exchange{Name: "control " + method + " " + path, View: "control", Script: script, Call: cl.seq, Attempt: 1,
		Request: reports.HTTPMessage{Method: method, URL: c.base + path, Body: string(body)}}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return ex, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.replay {
		req.Header.Set(ScriptHeader, script)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	ex.Duration = time.Since(start)
	if err != nil {
		ex.Error = err.Error()
		return ex, fmt.Errorf("the control surface %s did not answer: %w (is --control right?)", c.base, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	ex.Response = reports.HTTPMessage{Status: resp.StatusCode, Headers: cloneHeader(resp.Header), Body: string(data)}
	if loc := resp.Header.Get("Location"); resp.StatusCode >= 300 && resp.StatusCode < 400 && loc != "" {
		return ex, fmt.Errorf("control surface %s %s: HTTP %d, a redirect to %s: not followed (nothing was sent there)", method, path, resp.StatusCode, loc)
	}
	if resp.StatusCode >= 300 {
		return ex, fmt.Errorf("control surface %s %s: HTTP %d: %s", method, path, resp.StatusCode, strings.TrimSpace(string(data)))
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return ex, fmt.Errorf("control surface %s %s: %w", method, path, err)
		}
	}
	return ex, nil
}
