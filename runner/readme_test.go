package runner

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/suites/all"
	"github.com/dmsconform/dmsconform/suites/engine"
	sdk "github.com/dmsconform/dmsconform/suites/sdk"
)

// TestReadmeCounts keeps the README's generated counts block equal to the catalog, the
// fixture corpus, the SDK registry, the emulator's defect modes and what a run against
// the embedded emulator costs (DMSCONFORM_WRITE_README=1 rewrites it: make readme). The
// README's prose writes no count of its own.
func TestReadmeCounts(t *testing.T) {
	checks := all.Checks()
	var fams, kinds, sdks []string
	for _, f := range all.Families {
		fams = append(fams, "`"+f.Name+"`")
	}
	for _, c := range checks {
		if k := c.KindName(); !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	for _, e := range sdk.Registry {
		sdks = append(sdks, e.Target)
	}
	fixtures, err := sdk.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), Options{Out: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	block := fmt.Sprintf("At a glance (generated): **%d** checks in %d families (%s) of %d check kinds, judged on %d evidence scripts per family "+
		"([`suites/CHECKS.md`](suites/CHECKS.md)); **%d** wire fixtures replayed to %d SDKs (%s); **%d** emulator defect modes (the mutation "+
		"tables below); a run against the embedded emulator makes %d API calls and starts %d requests.",
		len(checks), len(fams), strings.Join(fams, ", "), len(kinds), len(engine.Scripts), len(fixtures), len(sdks), strings.Join(sdks, ", "),
		len(emulator.DefectModes()), res.Run.ExchangeCount, res.Run.Starts)
	checkReadmeBlock(t, "counts", block)
}

// envWriteReadme makes the tests that keep a generated block of the README equal to
// what it says rewrite the block instead (make readme).
const envWriteReadme = "DMSCONFORM_WRITE_README"

// checkReadmeBlock fails when the README's generated block name is not want, or
// rewrites it with DMSCONFORM_WRITE_README=1.
func checkReadmeBlock(t *testing.T, name, want string) {
	t.Helper()
	const file = "../README.md"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := readmeWithBlock(string(data), name, want)
	if err != nil {
		t.Fatalf("README.md: %v", err)
	}
	if doc == string(data) {
		return
	}
	if os.Getenv(envWriteReadme) == "1" {
		if err := os.WriteFile(file, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote the README's %s block", name)
		return
	}
	t.Errorf("the README's generated %s block is stale: run make readme", name)
}

// readmeWithBlock replaces the body of the README block name: the lines between
// "<!-- generated: name ..." and "<!-- end generated: name -->".
func readmeWithBlock(doc, name, body string) (string, error) {
	begin := "<!-- generated: " + name + " "
	end := "<!-- end generated: " + name + " -->"
	i := strings.Index(doc, begin)
	j := strings.Index(doc, end)
	if i < 0 || j < i {
		return "", &blockError{name}
	}
	i += strings.Index(doc[i:], "\n") + 1
	return doc[:i] + strings.TrimRight(body, "\n") + "\n" + doc[j:], nil
}

type blockError struct{ name string }

func (e *blockError) Error() string {
	return "no generated " + e.name + " block (<!-- generated: " + e.name + " ... --> ... <!-- end generated: " + e.name + " -->)"
}
