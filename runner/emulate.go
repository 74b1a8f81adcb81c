package runner

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/dmsconform/dmsconform/emulator"
)

// EmulateOptions configures `dmsconform emulate`: the standalone emulator.
type EmulateOptions struct {
	Addr        string // HOST:PORT to listen on (loopback unless AllowRemote)
	AllowRemote bool
	// Config is the emulator's configuration but for its projects and clock, which the
	// fields below give.
	Config emulator.Config
	// Projects, Failing and StartFault (NAME=FAULT) seed the projects; none of them
	// keeps the emulator's defaults.
	Projects, Failing, StartFault []string
	Virtual                       bool // a virtual clock (moved by the control surface or AutoAdvance)
	Stdout, Stderr                io.Writer
}

// WriteDefectModes lists the emulator's defect modes, one a line.
func WriteDefectModes(w io.Writer) {
	for _, d := range emulator.DefectModes() {
		fmt.Fprintf(w, "%-28s %s\n", d.Name, d.Description)
	}
}

// Emulate runs the emulator until ctx ends: it checks the options (a wrong one is a
// UsageError, found before anything listens), listens, prints how to reach it and
// stops it. A port it cannot listen on is a HarnessError.
func Emulate(ctx context.Context, opts EmulateOptions) error {
	o := Options{Stdout: opts.Stdout, Stderr: opts.Stderr}
	o.defaults()
	cfg, err := emulatorConfig(opts)
	if err != nil {
		return &UsageError{Err: err}
	}
	// Build the emulator first so configuration errors are usage errors.
	if _, err := emulator.New(cfg); err != nil {
		return &UsageError{Err: err}
	}
	l, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return &HarnessError{Err: fmt.Errorf("listen on %s: %v (is another emulator running? pick another port with --addr, or 127.0.0.1:0 for a free one)", opts.Addr, err)}
	}
	srv, err := emulator.Serve(l, cfg)
	if err != nil {
		l.Close()
		return &UsageError{Err: err}
	}
	printEmulator(o.Stdout, srv)
	<-ctx.Done()
	fmt.Fprintln(o.Stdout, "dmsconform emulate: stopping")
	if err := srv.Close(); err != nil {
		return &HarnessError{Err: fmt.Errorf("stop: %w", err)}
	}
	fmt.Fprintln(o.Stdout, "dmsconform emulate: stopped")
	return nil
}

// emulatorConfig checks the options and turns them into the emulator's configuration.
func emulatorConfig(opts EmulateOptions) (emulator.Config, error) {
	cfg := opts.Config
	if err := checkLoopback(opts.Addr, opts.AllowRemote); err != nil {
		return cfg, err
	}
	if cfg.AutoAdvance != 0 && !opts.Virtual {
		return cfg, fmt.Errorf("--auto-advance needs --virtual-clock (the wall clock cannot be advanced)")
	}
	w := cfg.Weather
	for _, f := range []struct {
		flag string
		neg  bool
	}{{"--throttle-every", w.ThrottleEvery < 0}, {"--fail-every", w.FailEvery < 0}, {"--unavailable-every", w.UnavailableEvery < 0},
		{"--silent-after", w.SilentAfter < 0}, {"--latency", w.Latency < 0}, {"--consistency-window", w.ConsistencyWindow < 0}} {
		if f.neg {
			return cfg, fmt.Errorf("%s must not be negative: 0 is off, a count N ≥ 1 or a duration such as 150ms is on", f.flag)
		}
	}
	if cfg.StepDuration <= 0 {
		return cfg, fmt.Errorf("--step %v must be positive, such as 2s or 50ms", cfg.StepDuration)
	}
	if opts.Virtual {
		cfg.Clock = emulator.NewVirtualClock(time.Now().UTC().Truncate(time.Second))
	}
	if len(opts.Projects)+len(opts.Failing)+len(opts.StartFault) == 0 {
		return cfg, nil
	}
	cfg.Projects = []emulator.Project{}
	for _, p := range opts.StartFault {
		name, fault, ok := strings.Cut(p, "=")
		if !ok || name == "" || fault == "" {
			return cfg, fmt.Errorf("--start-fault-project %q: write NAME=FAULT, e.g. dmsconform-no-bucket=%s", p, emulator.CodeS3NotFound)
		}
		cfg.Projects = append(cfg.Projects, emulator.Project{Name: name, StartFault: fault})
	}
	for _, p := range opts.Projects {
		cfg.Projects = append(cfg.Projects, emulator.Project{Name: p})
	}
	for _, p := range opts.Failing {
		cfg.Projects = append(cfg.Projects, emulator.Project{Name: p, FailWith: "dmsconform: simulated conversion failure (project " + p + ")"})
	}
	return cfg, nil
}

// checkLoopback refuses addresses other than loopback unless allowed.
func checkLoopback(addr string, allow bool) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q is not HOST:PORT (%v); use e.g. 127.0.0.1:4566", addr, err)
	}
	if _, err := net.LookupPort("tcp", port); err != nil {
		return fmt.Errorf("--addr %q: bad port %q", addr, port)
	}
	if allow {
		return nil
	}
	ip := net.ParseIP(host)
	if host == "localhost" || (ip != nil && ip.IsLoopback()) {
		return nil
	}
	if host == "" {
		host = "all interfaces"
	}
	return fmt.Errorf("refusing to listen on %s (%s): the emulator accepts the published test credentials and has an unauthenticated control surface, so it listens on loopback only; use 127.0.0.1, or pass --allow-remote if you really mean it",
		addr, host)
}

func printEmulator(w io.Writer, s *emulator.Server) {
	e := s.Emulator
	inf := e.Info()
	fmt.Fprintf(w, "dmsconform emulator listening\n")
	fmt.Fprintf(w, "  endpoint:          %s\n", s.URL)
	fmt.Fprintf(w, "  region:            %s\n", s.Region)
	fmt.Fprintf(w, "  account:           %s\n", inf.AccountID)
	fmt.Fprintf(w, "  access key id:     %s (allowed everything)\n", s.AccessKeyID)
	fmt.Fprintf(w, "  secret access key: %s\n", s.SecretAccessKey)
	if s.DeniedAccessKeyID != "" {
		fmt.Fprintf(w, "  denied key id:     %s (denied the Cancel* operations: AccessDeniedException, as IAM answers)\n", s.DeniedAccessKeyID)
		fmt.Fprintf(w, "  denied secret key: %s\n", s.DeniedSecretAccessKey)
	}
	project, failing := "", ""
	for _, p := range inf.Projects {
		note := ""
		if p.Failing {
			note = "  (requests end FAILED)"
			if failing == "" {
				failing = p.Name
			}
		} else if p.StartFault != "" {
			note = "  (Start* refused with " + p.StartFault + ")"
		} else if project == "" {
			project = p.Name
		}
		fmt.Fprintf(w, "  project:           %s  %s%s\n", p.Name, p.ARN, note)
	}
	if project == "" && len(inf.Projects) > 0 {
		project = inf.Projects[0].Name
	}
	clock := "wall clock"
	if inf.VirtualClock {
		clock = "virtual clock (moves through the control surface)"
	}
	fmt.Fprintf(w, "  lifecycle step:    %s (%s)\n", inf.StepDuration, clock)
	if u := s.ControlURL(); u != "" {
		fmt.Fprintf(w, "  control surface:   %s (info, state, reset, clock/advance, scenarios, defects, weather)\n", u)
	} else {
		fmt.Fprintf(w, "  control surface:   disabled (--control enables it)\n")
	}
	if inf.AnyAccessKey {
		fmt.Fprintf(w, "  other access keys: accepted, allowed everything (their signature's format is checked, not the signature: bad-signature checks fail)\n")
	}
	if ds := e.Defects(); len(ds) > 0 {
		fmt.Fprintf(w, "  defect modes:      %s\n", strings.Join(ds, ", "))
	}
	if wt := e.Weather(); wt != (emulator.Weather{}) {
		fmt.Fprintf(w, "  weather:           %s\n", wt)
	}
	fmt.Fprintf(w, "\nFor the AWS CLI and SDKs:\n")
	fmt.Fprintf(w, "  export AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE=%s\n", s.URL)
	fmt.Fprintf(w, "  export AWS_REGION=%s AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s\n", s.Region, s.AccessKeyID, s.SecretAccessKey)
	fmt.Fprintf(w, "\nFor dmsconform (the denied key pair drives the access-denied checks, the failing project the ErrorDetails union's):\n")
	fmt.Fprintf(w, "  %s\n", runCommand(s, project, failing))
	fmt.Fprintf(w, "\nStop with Ctrl-C (SIGINT) or SIGTERM.\n")
}

// runCommand is the dmsconform run command line that tests the emulator s as an
// endpoint target (with its failing project, when it has one).
func runCommand(s *emulator.Server, project, failing string) string {
	args := []string{"dmsconform", "run", "--target", "endpoint", "--endpoint", s.URL, "--region", s.Region,
		"--project", project, "--access-key-id", s.AccessKeyID, "--secret-access-key", s.SecretAccessKey}
	if failing != "" {
		args = append(args, "--failing-project", failing)
	}
	if s.DeniedAccessKeyID != "" {
		args = append(args, "--denied-access-key-id", s.DeniedAccessKeyID, "--denied-secret-access-key", s.DeniedSecretAccessKey)
	}
	if u := s.ControlURL(); u != "" {
		args = append(args, "--control", u)
	}
	for i, a := range args {
		args[i] = shellQuote(a)
	}
	return strings.Join(args, " ")
}

// shellQuote quotes s for a POSIX shell when it holds anything but safe characters.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,:/@=+%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
