package main

import (
	"bytes"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/reports"
)

// readmeUsage returns, per command, the flags the README's Usage block lists: the first
// fenced block after "## Usage", where a line starting "dmsconform <command>" opens a
// command and indented lines continue it.
func readmeUsage(t *testing.T) map[string]map[string]bool {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatalf("read the README: %v", err)
	}
	s := string(b)
	i := strings.Index(s, "\n## Usage\n")
	if i < 0 {
		t.Fatal(`the README has no "## Usage" section`)
	}
	s = s[i:]
	start := strings.Index(s, "\n```\n")
	if start < 0 {
		t.Fatal("the README's Usage section has no fenced block")
	}
	s = s[start+5:]
	end := strings.Index(s, "\n```")
	if end < 0 {
		t.Fatal("the README's Usage block is not closed")
	}
	flagRE := regexp.MustCompile(`--([a-z][a-z0-9-]*)`)
	out := map[string]map[string]bool{}
	var cmd string
	for _, line := range strings.Split(s[:end], "\n") {
		if rest, ok := strings.CutPrefix(line, "dmsconform "); ok {
			cmd = strings.Fields(rest)[0]
			out[cmd] = map[string]bool{}
			line = rest[len(cmd):]
		} else if !strings.HasPrefix(line, " ") {
			t.Fatalf("README Usage line %q neither starts a command nor continues one (indent it)", line)
		}
		for _, m := range flagRE.FindAllStringSubmatch(line, -1) {
			if m[1] != "version" || cmd != "version" { // "(also dmsconform --version)"
				out[cmd][m[1]] = true
			}
		}
	}
	return out
}

// helpFlags returns the flags a command's --help lists (the flag package's "  -name"
// lines).
func helpFlags(t *testing.T, cmd string) map[string]bool {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := dispatch([]string{cmd, "--help"}, &stdout, &stderr); code != reports.ExitOK {
		t.Fatalf("dmsconform %s --help exited %d: %s", cmd, code, stderr.String())
	}
	out := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^  -([a-z][a-z0-9-]*)`).FindAllStringSubmatch(stdout.String()+stderr.String(), -1) {
		out[m[1]] = true
	}
	return out
}

func missing(want, have map[string]bool) []string {
	var out []string
	for k := range want {
		if !have[k] {
			out = append(out, "--"+k)
		}
	}
	sort.Strings(out)
	return out
}

// TestReadmeUsageMatchesHelp: the README's Usage block names every command, and for each
// command exactly the flags its --help lists, so the README cannot drift from the CLI.
func TestReadmeUsageMatchesHelp(t *testing.T) {
	readme := readmeUsage(t)
	for name := range commands {
		if strings.HasPrefix(name, "__") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			documented, ok := readme[name]
			if !ok {
				t.Fatalf("the README's Usage block has no line for dmsconform %s", name)
			}
			help := helpFlags(t, name)
			if m := missing(help, documented); len(m) > 0 {
				t.Errorf("dmsconform %s --help lists flags the README's Usage omits: %s", name, strings.Join(m, " "))
			}
			if m := missing(documented, help); len(m) > 0 {
				t.Errorf("the README's Usage lists flags dmsconform %s does not have: %s", name, strings.Join(m, " "))
			}
		})
	}
	for name := range readme {
		if _, ok := commands[name]; !ok {
			t.Errorf("the README's Usage documents dmsconform %s, which is no command", name)
		}
	}
}
