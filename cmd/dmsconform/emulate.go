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
	fs := newFlagSet("emulate", "[--addr 127.0.0.1:4566] [--control] [--defects a,b] ...", stderr)
	addr := fs.String("addr", "127.0.0.1:4566", "listen on `HOST:PORT` (loopback only unless --allow-remote; port 0 picks a free port)")
	allowRemote := fs.Bool("allow-remote", false, "allow a non-loopback --addr (the emulator accepts published test keys: anyone who can reach it can use it)")
	region := fs.String("region", emulator.DefaultRegion, "`REGION` of the ARNs and the printed configuration")
	account := fs.String("account", emulator.DefaultAccountID, "12-digit `ACCOUNT` id of the ARNs")
	var projects, failing, defects listFlag
	fs.Var(&projects, "project", "seed migration project `NAME` (repeatable or comma list; replaces the defaults "+emulator.DefaultProject+" and "+emulator.FailingProject+")")
	fs.Var(&failing, "failing-project", "seed a migration project `NAME` whose requests end FAILED (repeatable or comma list; replaces the defaults)")
	step := fs.Duration("step", emulator.DefaultStepDuration, "wall time per lifecycle step (RECEIVED, LOADING_METADATA, COUNTING_OBJECTS, ANALYZING, CONVERTING)")
	control := fs.Bool("control", false, "enable the control surface under "+emulator.ControlPrefix+" (unauthenticated: advance the clock, reset, inject scenarios, switch defects)")
	virtual := fs.Bool("virtual-clock", false, "use a virtual clock that moves only through the control surface or --auto-advance")
	autoAdvance := fs.Duration("auto-advance", 0, "with --virtual-clock: advance the clock by this much before every AWS-surface request")
	fs.Var(&defects, "defects", "defect `MODES` to switch on (comma list; 'list' prints them)")
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
		Defects: defects, AutoAdvance: *autoAdvance}
	if *step <= 0 {
		fmt.Fprintf(stderr, "dmsconform emulate: --step %v must be positive, such as 2s or 50ms\n", *step)
		return exitUsage
	}
	if *virtual {
		cfg.Clock = emulator.NewVirtualClock(time.Now().UTC().Truncate(time.Second))
	}
	if len(projects)+len(failing) > 0 {
		cfg.Projects = []emulator.Project{}
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

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
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
	fmt.Fprintf(w, "  access key id:     %s\n", s.AccessKeyID)
	fmt.Fprintf(w, "  secret access key: %s\n", s.SecretAccessKey)
	if s.AccessKeyID == emulator.DefaultAccessKeyID {
		fmt.Fprintf(w, "  denied key pair:   %s / %s (denied the Cancel* operations)\n", emulator.DeniedAccessKeyID, emulator.DeniedSecretAccessKey)
	}
	for _, p := range inf.Projects {
		note := ""
		if p.Failing {
			note = "  (requests end FAILED)"
		}
		fmt.Fprintf(w, "  project:           %s  %s%s\n", p.Name, p.ARN, note)
	}
	clock := "wall clock"
	if inf.VirtualClock {
		clock = "virtual clock (moves through the control surface)"
	}
	fmt.Fprintf(w, "  lifecycle step:    %s (%s)\n", inf.StepDuration, clock)
	if u := s.ControlURL(); u != "" {
		fmt.Fprintf(w, "  control surface:   %s (info, state, reset, clock/advance, scenarios, defects)\n", u)
	} else {
		fmt.Fprintf(w, "  control surface:   disabled (--control enables it)\n")
	}
	if ds := e.Defects(); len(ds) > 0 {
		fmt.Fprintf(w, "  defect modes:      %s\n", strings.Join(ds, ", "))
	}
	fmt.Fprintf(w, "\nFor the AWS CLI and SDKs:\n")
	fmt.Fprintf(w, "  export AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE=%s\n", s.URL)
	fmt.Fprintf(w, "  export AWS_REGION=%s AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s\n", s.Region, s.AccessKeyID, s.SecretAccessKey)
	fmt.Fprintf(w, "\nStop with Ctrl-C (SIGINT) or SIGTERM.\n")
}
