// Command testsummary runs `go test -json` with its arguments and prints what plain
// `go test` prints (a line per package, the output of the tests that failed, build
// errors), then every skipped test with its reason, and a closing line
// "N passed, N failed, N skipped". It exits with go test's exit code. `make test`
// runs the tests through it, so a test that skips because a runtime is missing says
// so at the end of every run instead of nowhere.
//
// Usage: go run ./internal/testsummary [go test flags] [packages]
// (the go command is $GO, else go on PATH).
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
)

func main() {
	goCmd := os.Getenv("GO")
	if goCmd == "" {
		goCmd = "go"
	}
	cmd := exec.Command(goCmd, append([]string{"test", "-json"}, os.Args[1:]...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintf(os.Stderr, "testsummary: %v\n", err)
		os.Exit(2)
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "testsummary: start %s test: %v\n", goCmd, err)
		os.Exit(2)
	}
	s := newSummary(os.Stdout)
	s.read(out)
	err = cmd.Wait()
	s.finish()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		os.Exit(exit.ExitCode())
	case err != nil:
		fmt.Fprintf(os.Stderr, "testsummary: %v\n", err)
		os.Exit(2)
	case s.failed > 0:
		os.Exit(1)
	}
}

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action     string
	Package    string
	Test       string
	Output     string
	ImportPath string
}

type skip struct {
	pkg, test, reason string
}

// summary follows the events of a test run.
type summary struct {
	w                      io.Writer
	buf                    map[string][]string // package + test -> its output lines
	skips                  []skip
	passed, failed, skippd int
}

func newSummary(w io.Writer) *summary {
	return &summary{w: w, buf: map[string][]string{}}
}

// read follows events until r ends. A line that is not an event (go vet, a build
// error on stdout) is printed as it is.
func (s *summary) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			fmt.Fprintf(s.w, "%s\n", line)
			continue
		}
		s.event(e)
	}
}

func (s *summary) event(e event) {
	key := e.Package + "\x00" + e.Test
	switch e.Action {
	case "build-output":
		io.WriteString(s.w, e.Output)
	case "output":
		if e.Test == "" {
			if e.Output != "PASS\n" && !strings.HasPrefix(e.Output, "=== ") {
				io.WriteString(s.w, e.Output)
			}
			return
		}
		s.buf[key] = append(s.buf[key], e.Output)
	case "pass":
		if e.Test != "" {
			s.passed++
			delete(s.buf, key)
		}
	case "fail":
		if e.Test == "" {
			s.unfinished(e.Package)
			return
		}
		{
			s.failed++
			for _, l := range s.buf[key] {
				if !strings.HasPrefix(l, "=== ") {
					io.WriteString(s.w, l)
				}
			}
			delete(s.buf, key)
		}
	case "skip":
		if e.Test != "" {
			s.skippd++
			s.skips = append(s.skips, skip{pkg: e.Package, test: e.Test, reason: skipReason(s.buf[key])})
			delete(s.buf, key)
		}
	}
}

// unfinishedLines bounds what is printed of a test that never finished: a timeout's
// goroutine dump runs to thousands of lines, and its head names the test that hung.
const unfinishedLines = 60

// unfinished reports the tests of a failed package that never finished: the package
// died while they ran (a timeout, a panic, os.Exit). go test -json gives them no
// pass or fail of their own and files the panic under the running test, so without
// this a hung package reads "0 failed" and the panic is never shown.
func (s *summary) unfinished(pkg string) {
	var keys []string
	for k := range s.buf {
		if p, _, _ := strings.Cut(k, "\x00"); p == pkg {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		_, test, _ := strings.Cut(k, "\x00")
		s.failed++
		fmt.Fprintf(s.w, "--- UNFINISHED: %s (the package %s failed while it ran)\n", test, pkg)
		var lines []string
		for _, l := range s.buf[k] {
			if !strings.HasPrefix(l, "=== ") {
				lines = append(lines, l)
			}
		}
		for i, l := range lines {
			if i == unfinishedLines {
				fmt.Fprintf(s.w, "    ... %d more lines\n", len(lines)-i)
				break
			}
			io.WriteString(s.w, l)
		}
		delete(s.buf, k)
	}
}

// skipReason is what a skipped test logged, without the framing lines
// ("=== RUN", "--- SKIP") and the file:line prefixes.
func skipReason(lines []string) string {
	var parts []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- SKIP") {
			continue
		}
		if i := strings.Index(t, ".go:"); i > 0 && !strings.Contains(t[:i], " ") {
			if j := strings.Index(t[i:], ": "); j > 0 {
				t = t[i+j+2:]
			}
		}
		parts = append(parts, t)
	}
	if len(parts) == 0 {
		return "(no reason given)"
	}
	return strings.Join(parts, " ")
}

// finish prints the skipped tests with their reasons and the closing count line.
func (s *summary) finish() {
	if len(s.skips) > 0 {
		sort.SliceStable(s.skips, func(i, j int) bool {
			if s.skips[i].pkg != s.skips[j].pkg {
				return s.skips[i].pkg < s.skips[j].pkg
			}
			return s.skips[i].test < s.skips[j].test
		})
		fmt.Fprintf(s.w, "\nskipped tests (%d):\n", len(s.skips))
		for _, k := range s.skips {
			fmt.Fprintf(s.w, "  %s %s: %s\n", k.pkg, k.test, k.reason)
		}
	}
	fmt.Fprintf(s.w, "\n%d passed, %d failed, %d skipped\n", s.passed, s.failed, s.skippd)
}
