package main

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// cmd parses flags and maps exit codes, nothing else (DESIGN.md): the work is in
// runner. Its files import from this module only the runner, reports (the exit
// codes) and, for flags' help and defaults, the packages that declare them.
func TestCmdOnlyParsesFlags(t *testing.T) {
	allowed := map[string]string{
		"runner":        "the work",
		"reports":       "the exit codes",
		"emulator":      "emulate's flag defaults and weather fields",
		"suites/engine": "the target settings bound as flags (engine.Settings)",
		"suites/sdk":    "sdk's help: the registry of SDKs and their options",
	}
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			rel, ok := strings.CutPrefix(p, "github.com/dmsconform/dmsconform/")
			if _, fine := allowed[rel]; ok && !fine {
				t.Errorf("%s imports %s: move what it does there into runner (cmd parses flags and maps exit codes)", f, p)
			}
		}
	}
}
