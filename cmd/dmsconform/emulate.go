package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/dmsconform/dmsconform/emulator"
)

func init() {
	register("emulate", "run the DMS emulator standalone", runEmulate)
}

// listFlag is a repeatable flag that also splits comma lists.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for p := range strings.SplitSeq(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

func runEmulate(args []string, stdout, stderr io.Writer) int {
	return emulate(context.Background(), args, stdout, stderr)
}

// emulate runs the emulator until ctx ends, SIGINT or SIGTERM.
func emulate(parent context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("emulate", "[--addr 127.0.0.1:4566] [--control] [--defects a,b] [--step D] [--virtual-clock] [weather: --throttle-every N --fail-every N --unavailable-every N --latency D --consistency-window D --silent-after N --proxy-error] ...", stderr)
	addr := fs.String("addr", "127.0.0.1:4566", "listen on `HOST:PORT` (loopback only unless --allow-remote; port 0 picks a free port)")
	allowRemote := fs.Bool("allow-remote", false, "allow a non-loopback --addr (the emulator accepts published test keys: anyone who can reach it can use it)")
	region := fs.String("region", emulator.DefaultRegion, "`REGION` of the ARNs and the printed configuration")
	account := fs.String("account", emulator.DefaultAccountID, "12-digit `ACCOUNT` id of the ARNs")
	var projects, failing, defects listFlag
	fs.Var(&projects, "project", "seed migration project `NAME` (repeatable or comma list; replaces the defaults "+emulator.DefaultProject+" and "+emulator.FailingProject+")")
	fs.Var(&failing, "failing-project", "seed a migration project `NAME` whose requests end FAILED (repeatable or comma list; replaces the defaults)")
	var startFault listFlag
	fs.Var(&startFault, "start-fault-project", "seed a migration project `NAME=FAULT` whose Start* calls are refused with FAULT, a modelled fault of the Start operation such as S3ResourceNotFoundFault or S3AccessDeniedFault (repeatable or comma list; replaces the defaults)")
	step := fs.Duration("step", emulator.DefaultStepDuration, "wall time per lifecycle step (RECEIVED, LOADING_METADATA, COUNTING_OBJECTS, ANALYZING, CONVERTING)")
	control := fs.Bool("control", false, "enable the control surface under "+emulator.ControlPrefix+" (unauthenticated: advance the clock, reset, inject scenarios, switch defects and weather)")
	virtual := fs.Bool("virtual-clock", false, "use a virtual clock that moves only through the control surface or --auto-advance")
	autoAdvance := fs.Duration("auto-advance", 0, "with --virtual-clock: advance the clock by this much before every AWS-surface request")
	fs.Var(&defects, "defects", "defect `MODES` to switch on (comma list; 'list' prints them)")
	anyKey := fs.Bool("any-access-key", false, "also accept requests signed with access keys the emulator does not know, such as temporary credentials an STS issued, allowed everything: their signature's format is checked, not the signature (the emulator never saw the secret), so the bad-signature checks fail against it")
	// Weather: conditions a conforming DMS shows on a bad day. The counting ones number
	// the AWS-surface calls 1, 2, 3, ... across all clients (control-surface calls are
	// not counted); when several pick one call, throttle wins over 503 over 500.
	var weather emulator.Weather
	fs.IntVar(&weather.ThrottleEvery, "throttle-every", 0, "weather: answer every `N`th AWS-surface call 400 ThrottlingException \"Rate exceeded\" without running it (0 = off)")
	fs.IntVar(&weather.FailEvery, "fail-every", 0, "weather: answer every `N`th AWS-surface call 500 InternalFailure without running it (0 = off)")
	fs.IntVar(&weather.UnavailableEvery, "unavailable-every", 0, "weather: answer every `N`th AWS-surface call 503 ServiceUnavailable without running it (0 = off)")
	fs.DurationVar(&weather.Latency, "latency", 0, "weather: wait this long (wall time, e.g. 150ms) before every AWS-surface answer; a client that gives up meanwhile leaves no trace")
	fs.DurationVar(&weather.ConsistencyWindow, "consistency-window", 0, "weather: a new request is invisible to Describe* and Cancel* (ResourceNotFoundFault) for this long after its start, e.g. 3s")
	fs.IntVar(&weather.SilentAfter, "silent-after", 0, "weather: answer the first `N` AWS-surface calls, then accept calls and never answer them (0 = off)")
	fs.BoolVar(&weather.ProxyError, "proxy-error", false, "weather: answer every AWS-surface call 502 with an HTML page, like a proxy whose backend is down")
	usage := fs.Usage
	fs.Usage = func() { usage(); fmt.Fprint(fs.Output(), weatherHelp) }
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if len(defects) == 1 && defects[0] == "list" {
		for _, d := range emulator.DefectModes() {
			fmt.Fprintf(stdout, "%-28s %s\n", d.Name, d.Description)
		}
		return exitOK
	}
	if err := checkLoopback(*addr, *allowRemote); err != nil {
		fmt.Fprintf(stderr, "dmsconform emulate: %v\n", err)
		return exitUsage
	}
	if *autoAdvance != 0 && !*virtual {
		fmt.Fprintln(stderr, "dmsconform emulate: --auto-advance needs --virtual-clock (the wall clock cannot be advanced)")
		return exitUsage
	}
	cfg := emulator.Config{Region: *region, AccountID: *account, StepDuration: *step, Control: *control,
		Defects: defects, AutoAdvance: *autoAdvance, Weather: weather, AnyAccessKey: *anyKey}
	for _, f := range []struct {
		flag string
		neg  bool
	}{{"--throttle-every", weather.ThrottleEvery < 0}, {"--fail-every", weather.FailEvery < 0}, {"--unavailable-every", weather.UnavailableEvery < 0},
		{"--silent-after", weather.SilentAfter < 0}, {"--latency", weather.Latency < 0}, {"--consistency-window", weather.ConsistencyWindow < 0}} {
		if f.neg {
			fmt.Fprintf(stderr, "dmsconform emulate: %s must not be negative: 0 is off, a count N ≥ 1 or a duration such as 150ms is on\n", f.flag)
			return exitUsage
		}
	}
	if *step <= 0 {
		fmt.Fprintf(stderr, "dmsconform emulate: --step %v must be positive, such as 2s or 50ms\n", *step)
		return exitUsage
	}
	if *virtual {
		cfg.Clock = emulator.NewVirtualClock(time.Now().UTC().Truncate(time.Second))
	}
	if len(projects)+len(failing)+len(startFault) > 0 {
		cfg.Projects = []emulator.Project{}
		for _, p := range startFault {
			name, fault, ok := strings.Cut(p, "=")
			if !ok || name == "" || fault == "" {
				fmt.Fprintf(stderr, "dmsconform emulate: --start-fault-project %q: write NAME=FAULT, e.g. dmsconform-no-bucket=%s\n", p, emulator.CodeS3NotFound)
				return exitUsage
			}
			cfg.Projects = append(cfg.Projects, emulator.Project{Name: name, StartFault: fault})
		}
		for _, p := range projects {
			cfg.Projects = append(cfg.Projects, emulator.Project{Name: p})
		}
		for _, p := range failing {
			cfg.Projects = append(cfg.Projects, emulator.Project{Name: p, FailWith: "dmsconform: simulated conversion failure (project " + p + ")"})
		}
	}
	// Build the emulator first so configuration errors are usage errors.
	if _, err := emulator.New(cfg); err != nil {
		fmt.Fprintf(stderr, "dmsconform emulate: %v\n", err)
		return exitUsage
	}

	ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	defer stop()
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "dmsconform emulate: listen on %s: %v (is another emulator running? pick another port with --addr, or 127.0.0.1:0 for a free one)\n", *addr, err)
		return exitHarnessFail
	}
	srv, err := emulator.Serve(l, cfg)
	if err != nil {
		l.Close()
		fmt.Fprintf(stderr, "dmsconform emulate: %v\n", err)
		return exitUsage
	}
	printEmulator(stdout, srv)
	<-ctx.Done()
	fmt.Fprintln(stdout, "dmsconform emulate: stopping")
	if err := srv.Close(); err != nil {
		fmt.Fprintf(stderr, "dmsconform emulate: stop: %v\n", err)
		return exitHarnessFail
	}
	fmt.Fprintln(stdout, "dmsconform emulate: stopped")
	return exitOK
}

const weatherHelp = `
Weather (conditions a conforming DMS shows on a bad day, off by default): the counting
flags number the AWS-surface calls 1, 2, 3, ... across all clients (control-surface
calls are not counted; a reset starts again from 1); when several pick the same call,
--throttle-every wins over --unavailable-every, which wins over --fail-every. A weather
answer runs no operation. With --control, GET and PUT ` + emulator.ControlPrefix + `weather
read and replace the weather at run time, e.g. {"throttleEvery":3,"latency":"150ms"};
its "stepDuration" changes the lifecycle step of requests started afterwards.
`

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
