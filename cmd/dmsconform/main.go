// Command dmsconform is the conformance harness for the AWS DMS operation
// CancelMetadataModelConversion: it runs the generated suites against the embedded
// emulator, any endpoint or real DMS and writes reports. Each subcommand lives in its
// own file and registers itself in commands.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/runner"
)

func init() {
	register("version", "print the version of dmsconform, its model and its aws-sdk-go-v2", runVersion)
}

func runVersion(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("version", "", stderr)
	if code, done := parseFlags(fs, args); done {
		return code
	}
	fmt.Fprintln(stdout, runner.VersionLine())
	return reports.ExitOK
}

// command is one subcommand.
type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

var commands = map[string]command{}

func register(name, summary string, run func(args []string, stdout, stderr io.Writer) int) {
	commands[name] = command{summary: summary, run: run}
}

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return reports.ExitUsage
		}
		return reports.ExitOK
	}
	if args[0] == "--version" || args[0] == "-version" {
		return runVersion(nil, stdout, stderr)
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "dmsconform: unknown command %q: run 'dmsconform --help' for the list of commands\n", args[0])
		return reports.ExitUsage
	}
	return cmd.run(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "dmsconform: conformance harness for AWS DMS CancelMetadataModelConversion")
	fmt.Fprintln(w, "\nUsage: dmsconform <command> [flags]   ('dmsconform <command> --help' for its flags)")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		if !strings.HasPrefix(n, "__") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
}

// newFlagSet makes a flag set that prints its usage to stderr and returns errors
// instead of exiting.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("dmsconform "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: dmsconform %s %s\n\n%s\n\nFlags:\n", name, synopsis, commands[name].summary)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args; it returns (code, true) when the caller must return code
// (help was asked for, or the flags were wrong). A wrong flag gets its error and one
// line on where the help is, not the whole help.
func parseFlags(fs *flag.FlagSet, args []string) (int, bool) {
	help := fs.Usage
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.Usage = help
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			help()
			return reports.ExitOK, true
		}
		fmt.Fprintf(fs.Output(), "run '%s --help' for its flags\n", fs.Name())
		return reports.ExitUsage, true
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: unexpected argument %q (flags go before nothing else; see --help)\n", fs.Name(), fs.Arg(0))
		return reports.ExitUsage, true
	}
	return 0, false
}
