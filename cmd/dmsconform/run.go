package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/dmsconform/dmsconform/runner"
	"github.com/dmsconform/dmsconform/suites/conformance"
)

func init() {
	register("run", "run the conformance suites against a target and write reports", runRun)
}

// targetFlags binds the flags that describe a target onto a Config (environment
// defaults first, then flags).
type targetFlags struct {
	cfg           conformance.Config
	allowAccounts string
	defects       string
}

func bindTargetFlags(fs *flag.FlagSet) *targetFlags {
	t := &targetFlags{cfg: conformance.FromEnv()}
	c := &t.cfg
	fs.StringVar(&c.Target, "target", c.Target, "what to test: embedded (the built-in emulator), endpoint (any URL speaking the DMS JSON protocol), aws (real DMS) or replay:DIR (serve a recording of dmsconform run --record DIR back, offline) [env "+conformance.EnvTarget+"]")
	fs.StringVar(&c.Endpoint, "endpoint", c.Endpoint, "`URL` of the endpoint target, e.g. http://127.0.0.1:4566 [env "+conformance.EnvEndpoint+"]")
	fs.StringVar(&c.Region, "region", c.Region, "AWS `region` [env "+conformance.EnvRegion+"]")
	fs.StringVar(&c.Profile, "profile", c.Profile, "aws: shared config `profile` (default: the SDK's default chain) [env "+conformance.EnvProfile+"]")
	fs.StringVar(&c.AccessKeyID, "access-key-id", c.AccessKeyID, "endpoint: access key `id` (default: the emulator's test key) [env "+conformance.EnvAccessKeyID+"]")
	fs.StringVar(&c.SecretAccessKey, "secret-access-key", c.SecretAccessKey, "endpoint: secret access `key` [env "+conformance.EnvSecretAccessKey+"]")
	fs.StringVar(&c.Project, "project", c.Project, "migration project `name or ARN` (required for endpoint and aws) [env "+conformance.EnvProject+"]")
	fs.StringVar(&c.DeniedAccessKeyID, "denied-access-key-id", c.DeniedAccessKeyID, "endpoint: access key `id` of a principal denied the cancel operations, for the AccessDeniedFault checks [env "+conformance.EnvDeniedKeyID+"]")
	fs.StringVar(&c.DeniedSecretAccessKey, "denied-secret-access-key", c.DeniedSecretAccessKey, "endpoint: that principal's secret `key` [env "+conformance.EnvDeniedSecret+"]")
	fs.StringVar(&c.DeniedProfile, "denied-profile", c.DeniedProfile, "aws: `profile` of a principal denied the cancel operations [env "+conformance.EnvDeniedProfile+"]")
	fs.StringVar(&c.Control, "control", c.Control, "endpoint: `URL` of a dmsconform emulator control surface (e.g. http://127.0.0.1:4566/_dmsconform/v1/) for scenario-driven checks [env "+conformance.EnvControl+"]")
	fs.StringVar(&t.allowAccounts, "allow-account", strings.Join(c.AllowAccounts, ","), "aws: account `ids` (comma-separated) the run may touch; it refuses any other [env "+conformance.EnvAllowAccounts+"]")
	fs.StringVar(&t.defects, "defects", strings.Join(c.Defects, ","), "embedded: emulator defect `modes` to switch on (comma-separated; see dmsconform mutate --list) [env "+conformance.EnvDefects+"]")
	fs.DurationVar(&c.CallTimeout, "call-timeout", 30*time.Second, "timeout of one API call")
	fs.DurationVar(&c.LifecycleTimeout, "lifecycle-timeout", 0, "overall deadline for a request to reach a terminal state (default 2m; 15m for aws)")
	fs.DurationVar(&c.MinDelay, "min-delay", 0, "first delay between polls and waiter attempts (default 1ms embedded, 2s otherwise)")
	fs.DurationVar(&c.MaxDelay, "max-delay", 0, "largest delay between polls (default 10x --min-delay; 30s for aws)")
	fs.IntVar(&c.MaxStarts, "max-starts", 0, "at most this many requests are started (default 40; 6 for aws)")
	return t
}

func (t *targetFlags) config() conformance.Config {
	c := t.cfg
	c.AllowAccounts = splitComma(t.allowAccounts)
	c.Defects = splitComma(t.defects)
	return c.WithDefaults()
}

func splitComma(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func runRun(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("run", "[--target embedded|endpoint|aws|replay:DIR] [--endpoint URL] [--region R] [--profile P] [--access-key-id K --secret-access-key S] [--project NAME_OR_ARN] [--label-filter EXPR] [--out DIR] [--baseline FILE] [--known-deviations FILE] [--allow-account ID[,ID...]] [--record DIR]", stderr)
	tf := bindTargetFlags(fs)
	labels := fs.String("label-filter", "", "Ginkgo label `expression` selecting checks, e.g. 'fault', 'union || enum', '!lifecycle'")
	out := fs.String("out", "", "report `folder` (default reports/out/<target>-<UTC timestamp>, with reports/out/latest pointing at it)")
	baseline := fs.String("baseline", "", "an earlier report.json: classify every check and exit 1 only for new failures")
	known := fs.String("known-deviations", "", "YAML/JSON `file` of expected failures (check, target, reason, expires)")
	verbose := fs.Bool("v", false, "print every check as it runs")
	record := fs.String("record", "", "record every exchange of the run, normalised and redacted, into `folder` (one JSON file per check; replay it with --target replay:DIR, compare with dmsconform parity)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := runner.Run(ctx, runner.Options{Config: tf.config(), LabelFilter: *labels, Out: *out, Baseline: *baseline,
		KnownDeviations: *known, Stdout: stdout, Stderr: stderr, Verbose: *verbose, Record: *record})
	if err != nil {
		fmt.Fprintf(stderr, "dmsconform run: %v\n", err)
		return runner.ExitCodeOf(err)
	}
	return res.ExitCode
}
