package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/runner"
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
		runner.WriteDefectModes(stdout)
		return reports.ExitOK
	}
	ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := runner.Emulate(ctx, runner.EmulateOptions{Addr: *addr, AllowRemote: *allowRemote, Projects: projects, Failing: failing, StartFault: startFault,
		Virtual: *virtual, Stdout: stdout, Stderr: stderr, Config: emulator.Config{Region: *region, AccountID: *account, StepDuration: *step,
			Control: *control, Defects: defects, AutoAdvance: *autoAdvance, Weather: weather, AnyAccessKey: *anyKey}})
	if err != nil {
		fmt.Fprintf(stderr, "dmsconform emulate: %v\n", err)
		return runner.ExitCodeOf(err)
	}
	return reports.ExitOK
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
