package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	dms "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/spec"
)

// Session is an opened target: clients for both views, the control surface if any,
// and the memoized observations the checks share.
type Session struct {
	Cfg      Config
	Model    *spec.Model
	Kind     string
	Endpoint string // "" for aws (the SDK resolves it)
	Region   string
	Project  string // the identifier passed to the API (name or ARN)

	SDK       *dms.Client // the allowed principal, capturing every exchange
	DeniedSDK *dms.Client // nil: no denied principal configured
	Wire      *WireClient
	Denied    *aws.Credentials // the denied principal's keys for wire calls (nil if none)
	Control   *ControlClient   // nil: no control surface

	emu    *emulator.Server
	replay *ReplayServer

	mu       sync.Mutex
	started  []started
	memo     map[string]any
	memoErrs map[string]error
}

type started struct {
	family, id string
}

// Open resolves the target and builds its clients. For aws it refuses to go on unless
// the caller's account is on the allowlist.
func Open(ctx context.Context, cfg Config) (*Session, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, &ConfigError{Err: err}
	}
	m, err := spec.Load()
	if err != nil {
		return nil, err
	}
	s := &Session{Cfg: cfg, Model: m, Kind: cfg.Target, Region: cfg.Region, Project: cfg.Project, memo: map[string]any{}, memoErrs: map[string]error{}}
	httpClient := &http.Client{Transport: &capturingTransport{base: http.DefaultTransport}, Timeout: cfg.CallTimeout}
	wireHTTP := &http.Client{Timeout: cfg.CallTimeout}
	var creds aws.CredentialsProvider
	var deniedCreds aws.CredentialsProvider
	var awsConfig aws.Config
	httpClient.Transport.(*capturingTransport).kind = cfg.Target

	switch cfg.Target {
	case TargetEmbedded:
		srv, err := emulator.Start(emulator.Config{
			Clock:        emulator.NewVirtualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
			StepDuration: emulator.DefaultStepDuration,
			AutoAdvance:  emulator.DefaultStepDuration / 2,
			Control:      true,
			Defects:      cfg.Defects,
		})
		if err != nil {
			return nil, fmt.Errorf("starting the embedded emulator: %w", err)
		}
		s.emu = srv
		s.Endpoint, s.Region = srv.URL, srv.Region
		s.Project = emulator.DefaultProject
		if cfg.Project != "" {
			s.Project = cfg.Project
		}
		creds = credentials.NewStaticCredentialsProvider(srv.AccessKeyID, srv.SecretAccessKey, "")
		deniedCreds = credentials.NewStaticCredentialsProvider(emulator.DeniedAccessKeyID, emulator.DeniedSecretAccessKey, "")
		s.Control = &ControlClient{Base: strings.TrimRight(srv.URL, "/") + emulator.ControlPrefix, HTTP: wireHTTP, kind: cfg.Target}
		if cfg.LifecycleTimeout == 2*time.Minute { // the default: a virtual lifecycle takes milliseconds
			s.Cfg.LifecycleTimeout = 2 * time.Second
		}
		if s.Cfg.MaxPolls == 0 {
			s.Cfg.MaxPolls = 60 // a whole lifecycle is about 10 polls of virtual time
		}
	case TargetEndpoint:
		s.Endpoint = cfg.Endpoint
		id, secret := cfg.AccessKeyID, cfg.SecretAccessKey
		if id == "" {
			id, secret = emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey
		}
		creds = credentials.NewStaticCredentialsProvider(id, secret, cfg.SessionToken)
		if cfg.DeniedAccessKeyID != "" {
			deniedCreds = credentials.NewStaticCredentialsProvider(cfg.DeniedAccessKeyID, cfg.DeniedSecretAccessKey, "")
		}
		if cfg.Control != "" {
			s.Control = &ControlClient{Base: strings.TrimRight(cfg.Control, "/") + "/", HTTP: wireHTTP, kind: cfg.Target}
		}
	case TargetReplay:
		if replayStarter == nil {
			return nil, &ConfigError{Err: errors.New("this build cannot replay recordings (no replay starter registered)")}
		}
		rs, err := replayStarter(cfg.Endpoint)
		if err != nil {
			return nil, &ConfigError{Err: fmt.Errorf("--target replay:%s: %w", cfg.Endpoint, err)}
		}
		s.replay = rs
		s.Endpoint, s.Region, s.Project = rs.URL, rs.Region, rs.Project
		creds = credentials.NewStaticCredentialsProvider(emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey, "")
		if rs.Denied {
			deniedCreds = credentials.NewStaticCredentialsProvider(emulator.DeniedAccessKeyID, emulator.DeniedSecretAccessKey, "")
		}
		if rs.Control != "" {
			s.Control = &ControlClient{Base: strings.TrimRight(rs.Control, "/") + "/", HTTP: wireHTTP, kind: TargetReplay}
		}
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
			return nil, &ConfigError{Err: fmt.Errorf("loading AWS credentials (profile %q): %w: configure a profile, SSO or AWS_* variables", cfg.Profile, err)}
		}
		if ac.Region == "" {
			return nil, &ConfigError{Err: errors.New("no AWS region: pass --region or set AWS_REGION")}
		}
		s.Region = ac.Region
		if err := checkAccount(ctx, ac, cfg.AllowAccounts); err != nil {
			return nil, err
		}
		creds = ac.Credentials
		awsConfig = ac
		if cfg.DeniedProfile != "" {
			dc, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(s.Region), awsconfig.WithSharedConfigProfile(cfg.DeniedProfile))
			if err != nil {
				return nil, &ConfigError{Err: fmt.Errorf("loading the denied principal's profile %q: %w", cfg.DeniedProfile, err)}
			}
			deniedCreds = dc.Credentials
		}
		s.Endpoint = fmt.Sprintf("https://dms.%s.amazonaws.com", s.Region)
	}

	var awsCfg *aws.Config
	if s.Kind == TargetAWS {
		awsCfg = &awsConfig
	}
	newClient := func(p aws.CredentialsProvider) *dms.Client {
		optFn := func(o *dms.Options) {
			o.Region, o.Credentials, o.HTTPClient = s.Region, p, httpClient
			// One attempt per call: every exchange the harness reports is one it made.
			o.Retryer = retry.AddWithMaxAttempts(retry.NewStandard(), 1)
		}
		if awsCfg != nil {
			// NewFromConfig honours AWS_ENDPOINT_URL(_DATABASE_MIGRATION_SERVICE) and the
			// shared config's endpoint settings.
			return dms.NewFromConfig(*awsCfg, optFn)
		}
		return dms.New(dms.Options{BaseEndpoint: aws.String(s.Endpoint)}, optFn)
	}
	s.SDK = newClient(creds)
	if ep := s.SDK.Options().BaseEndpoint; s.Kind == TargetAWS && ep != nil {
		s.Endpoint = *ep
	}
	c, err := creds.Retrieve(ctx)
	if err != nil {
		return nil, &ConfigError{Err: fmt.Errorf("retrieving credentials: %w", err)}
	}
	s.Wire = &WireClient{Endpoint: s.Endpoint, Region: s.Region, Service: m.Service, Creds: c, HTTP: wireHTTP, kind: s.Kind}
	if deniedCreds != nil {
		s.DeniedSDK = newClient(deniedCreds)
		dc, err := deniedCreds.Retrieve(ctx)
		if err != nil {
			return nil, &ConfigError{Err: fmt.Errorf("retrieving the denied principal's credentials: %w", err)}
		}
		s.Denied = &dc
	}
	return s, nil
}

// ConfigError is a usage or configuration problem (exit code 2).
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// AccountError says the caller's account is not on the allowlist.
type AccountError struct {
	Account string
	Allowed []string
}

func (e *AccountError) Error() string {
	return fmt.Sprintf("refusing to run: the credentials belong to account %s, which is not in --allow-account (%s); pass the sandbox account id to --allow-account or use credentials of an allowed account",
		e.Account, strings.Join(e.Allowed, ","))
}

func checkAccount(ctx context.Context, ac aws.Config, allowed []string) error {
	out, err := sts.NewFromConfig(ac).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return fmt.Errorf("sts GetCallerIdentity failed, so the account cannot be checked against --allow-account: %w (are the credentials valid and unexpired?)", err)
	}
	acct := aws.ToString(out.Account)
	if !slices.Contains(allowed, acct) {
		return &AccountError{Account: acct, Allowed: allowed}
	}
	return nil
}

// recordStart remembers a request the run started, so Close can cancel it.
func (s *Session) recordStart(family, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.started) >= s.Cfg.MaxStarts {
		return fmt.Errorf("the run has started %d requests, its limit (MaxStarts): not starting more", len(s.started))
	}
	s.started = append(s.started, started{family: family, id: id})
	return nil
}

// canStart reports whether the run may start n more requests.
func (s *Session) canStart(n int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.started)+n <= s.Cfg.MaxStarts
}

// Cleanup cancels every request the run started that is not terminal yet and waits
// for each to reach a terminal state (bounded by the lifecycle timeout). It is safe
// to call more than once, and it is what an interrupted run calls.
func (s *Session) Cleanup(ctx context.Context) error {
	s.mu.Lock()
	todo := append([]started(nil), s.started...)
	s.mu.Unlock()
	var errs []error
	for _, st := range todo {
		if err := s.cancelAndWait(ctx, st.family, st.id); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (s *Session) cancelAndWait(ctx context.Context, family, id string) error {
	cancelOp := s.Model.FamilyOperation(family, spec.RoleCancel)
	st, err := s.describeStatus(ctx, family, id)
	if err != nil {
		return err
	}
	if spec.IsTerminalStatus(st) {
		return nil
	}
	if st != "CANCELING" {
		body, _ := json.Marshal(map[string]string{"MigrationProjectIdentifier": s.Project, "RequestIdentifier": id})
		if _, err := s.Wire.Do(ctx, WireRequest{Name: "clean-up cancel", Operation: cancelOp.Name, Body: body}); err != nil {
			return err
		}
	}
	deadline := time.Now().Add(s.Cfg.LifecycleTimeout)
	for delay := s.Cfg.MinDelay; time.Now().Before(deadline); delay = min(delay*2, s.Cfg.MaxDelay) {
		st, err := s.describeStatus(ctx, family, id)
		if err != nil {
			return err
		}
		if spec.IsTerminalStatus(st) {
			return nil
		}
		if err := sleep(ctx, delay); err != nil {
			return err
		}
	}
	return fmt.Errorf("clean-up: request %s (%s) did not reach a terminal state within %s", id, family, s.Cfg.LifecycleTimeout)
}

func (s *Session) describeStatus(ctx context.Context, family, id string) (string, error) {
	op := s.Model.FamilyOperation(family, spec.RoleDescribe)
	body, _ := json.Marshal(map[string]any{"MigrationProjectIdentifier": s.Project,
		"Filters": []map[string]any{{"Name": "request-id", "Values": []string{id}}}})
	resp, err := s.Wire.Do(ctx, WireRequest{Name: "clean-up describe", Operation: op.Name, Body: body})
	if err != nil {
		return "", err
	}
	for _, r := range requestsOf(resp.Object()) {
		if r["RequestIdentifier"] == id {
			st, _ := r["Status"].(string)
			return st, nil
		}
	}
	return "", fmt.Errorf("clean-up: request %s not found by %s (HTTP %d)", id, op.Name, resp.Status)
}

func requestsOf(obj map[string]any) []map[string]any {
	arr, _ := obj["Requests"].([]any)
	out := make([]map[string]any, 0, len(arr))
	for _, a := range arr {
		if m, ok := a.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Close cleans up and stops the embedded emulator.
func (s *Session) Close(ctx context.Context) error {
	err := s.Cleanup(ctx)
	if s.emu != nil {
		if cerr := s.emu.Close(); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}
	if s.replay != nil && s.replay.Close != nil {
		if cerr := s.replay.Close(); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}
	return err
}

// ControlClient speaks to an emulator's control surface.
type ControlClient struct {
	Base string // ends in /
	HTTP *http.Client
	kind string
}

func (c *ControlClient) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	tagCheck(req.Header, c.kind)
	var reqBody []byte
	if in != nil {
		reqBody, _ = json.Marshal(in)
	}
	ex := Exchange{Name: "control " + method + " " + path, View: "control", Request: HTTPMessage{Method: method, URL: req.URL.String(), Headers: maskHeaders(req.Header), Body: string(reqBody)}}
	start := time.Now()
	resp, err := c.HTTP.Do(req)
	if err != nil {
		ex.Error, ex.Duration = err.Error(), time.Since(start)
		observe(ex)
		return fmt.Errorf("control surface %s: %w", c.Base, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	ex.Duration = time.Since(start)
	ex.Response = HTTPMessage{Status: resp.StatusCode, Headers: maskHeaders(resp.Header), Body: string(data)}
	observe(ex)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("control surface %s %s: HTTP %d: %s", method, path, resp.StatusCode, strings.TrimSpace(string(data)))
	}
	if out != nil && len(data) > 0 {
		return json.Unmarshal(data, out)
	}
	return nil
}

// AddScenario injects a scenario and returns its id.
func (c *ControlClient) AddScenario(ctx context.Context, sc emulator.Scenario) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	err := c.do(ctx, http.MethodPost, "scenarios", sc, &out)
	return out.ID, err
}

// ClearScenarios removes every scenario.
func (c *ControlClient) ClearScenarios(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "scenarios", nil, nil)
}

// Advance moves a virtual clock forward.
func (c *ControlClient) Advance(ctx context.Context, d time.Duration) error {
	return c.do(ctx, http.MethodPost, "clock/advance", map[string]string{"duration": d.String()}, nil)
}

// SetDefects switches defect modes (the mutation self-test).
func (c *ControlClient) SetDefects(ctx context.Context, modes []string) error {
	if modes == nil {
		modes = []string{}
	}
	return c.do(ctx, http.MethodPut, "defects", map[string][]string{"modes": modes}, nil)
}

// Info returns the emulator's description of itself (region, account, projects).
func (c *ControlClient) Info(ctx context.Context) (emulator.Info, error) {
	var info emulator.Info
	err := c.do(ctx, http.MethodGet, "info", nil, &info)
	return info, err
}

// Reset returns the emulator to its seeded state.
func (c *ControlClient) Reset(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "reset", nil, nil)
}
