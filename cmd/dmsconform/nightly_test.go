package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/dmsconform/dmsconform/reports"
)

// envAsCLI makes this test binary act as the dmsconform command (for the nightly's
// scripts, which call it by path).
const envAsCLI = "DMSCONFORM_TEST_AS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(envAsCLI) == "1" {
		os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
	}
	if os.Getenv(envAsAdapter) == "1" {
		os.Exit(serveAsAdapter())
	}
	os.Exit(m.Run())
}

const repoRoot = "../.."

// cellReport writes one cell's report of one night into dir: the outcomes, compared
// with the night before when there was one (as the nightly's --baseline does).
func cellReport(t *testing.T, dir string, night int, outcomes map[string]reports.Outcome, before *reports.Run) *reports.Run {
	t.Helper()
	run := &reports.Run{Mode: reports.ModeTarget, Target: reports.Target{TargetKind: "aws", Region: "eu-west-1"},
		Started: time.Date(2026, 11, 1+night, 3, 17, 0, 0, time.UTC), Duration: time.Minute, Calls: map[string]int{"CancelMetadataModelConversion": 9}}
	for id, o := range outcomes {
		run.Checks = append(run.Checks, reports.Check{CheckInfo: reports.CheckInfo{ID: id, Level: "MUST"}, Outcome: o})
	}
	if before != nil {
		reports.Compare(before, run, nil, run.Started)
	}
	if err := reports.WriteAll(dir, run); err != nil {
		t.Fatal(err)
	}
	return run
}

// mergeScript runs .github/nightly/merge.sh with this test binary as dmsconform.
func mergeScript(t *testing.T, night int, summary string, args ...string) (int, string) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", append([]string{filepath.Join(repoRoot, ".github", "nightly", "merge.sh")}, args...)...)
	cmd.Env = append(os.Environ(), envAsCLI+"=1", "DMSCONFORM="+self, "GITHUB_RUN_ID="+string(rune('0'+night))+"00", "GITHUB_RUN_ATTEMPT=1", "GITHUB_STEP_SUMMARY="+summary)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, out.String()
}

// TestNightlyMergeScript runs the nightly's merge job over three nights of two cells
// and one night of one cell: the merged report and each cell's history page are
// written, the nights kept are pruned to the newest KEEP, the step summary gets the
// merge's summary.md, and the job fails for new failures and for a cell that wrote no
// report.
func TestNightlyMergeScript(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not on PATH: the nightly's scripts are bash")
	}
	root := t.TempDir()
	history, summary := filepath.Join(root, "history"), filepath.Join(root, "summary.md")
	ok := map[string]reports.Outcome{"op.a": reports.Pass, "op.b": reports.Pass}
	var eu, us *reports.Run
	for night := 1; night <= 3; night++ {
		cells := filepath.Join(root, "cells", string(rune('0'+night)))
		usOutcomes := ok
		if night == 3 {
			usOutcomes = map[string]reports.Outcome{"op.a": reports.Pass, "op.b": reports.Fail}
		}
		eu = cellReport(t, filepath.Join(cells, "dmsconform-report-eu"), night, ok, eu)
		us = cellReport(t, filepath.Join(cells, "dmsconform-report-us"), night, usOutcomes, us)
		site := filepath.Join(root, "site", string(rune('0'+night)))
		code, out := mergeScript(t, night, summary, cells, history, site, "2", "2")
		want := 0
		if night == 3 {
			want = 1 // a new failure in one cell fails the job
		}
		if code != want {
			t.Fatalf("night %d: exit %d, want %d\n%s", night, code, want, out)
		}
		for _, f := range []string{"report.html", "summary.md", "report.json", "junit.xml", "history/eu/report.html", "history/us/summary.md"} {
			if _, err := os.Stat(filepath.Join(site, f)); err != nil {
				t.Errorf("night %d: %v", night, err)
			}
		}
	}
	kept, _ := os.ReadDir(filepath.Join(history, "us"))
	if len(kept) != 2 || kept[0].Name() != "200-1" || kept[1].Name() != "300-1" {
		t.Errorf("the nights kept: %v, want the newest 2 (200-1, 300-1)", kept)
	}
	var h reports.History
	data, _ := os.ReadFile(filepath.Join(root, "site", "3", "history", "us", "report.json"))
	if err := json.Unmarshal(data, &h); err != nil || len(h.Runs) != 2 || h.Failing != 1 {
		t.Errorf("the us cell's history: %v, %d runs, %d failing", err, len(h.Runs), h.Failing)
	}
	s, _ := os.ReadFile(summary)
	if n := strings.Count(string(s), "### dmsconform merge:"); n != 3 || !strings.Contains(string(s), "| **us** | ❌ FAIL |") || !strings.Contains(string(s), "`history/eu/report.html`") {
		t.Errorf("the step summary (%d merges):\n%s", n, s)
	}

	// One cell works unchanged; a cell that wrote no report fails the job.
	one := filepath.Join(root, "one")
	cellReport(t, filepath.Join(one, "dmsconform-report-eu"), 4, ok, nil)
	if code, out := mergeScript(t, 4, filepath.Join(root, "one.md"), one, filepath.Join(root, "h1"), filepath.Join(root, "s1"), "30", "1"); code != 0 {
		t.Errorf("one cell: exit %d\n%s", code, out)
	}
	code, out := mergeScript(t, 5, filepath.Join(root, "two.md"), one, filepath.Join(root, "h2"), filepath.Join(root, "s2"), "30", "2")
	if s, _ := os.ReadFile(filepath.Join(root, "two.md")); code != 3 || !strings.Contains(out, "1 of 2 cells wrote no report") || !strings.Contains(string(s), "1 of 2 cells wrote no report") {
		t.Errorf("a missing cell: exit %d\n%s\nsummary:\n%s", code, out, s)
	}
	if code, out := mergeScript(t, 6, filepath.Join(root, "none.md"), t.TempDir(), filepath.Join(root, "h3"), filepath.Join(root, "s3"), "30", "1"); code != 3 || !strings.Contains(out, "no cell wrote a report") {
		t.Errorf("no report at all: exit %d\n%s", code, out)
	}
}

// TestNightlyCells: the matrix comes from DMSCONFORM_CELLS, or from the single-account
// variables; each cell is checked (a 12-digit account, a role of that account) and
// gets an id for its artifacts.
func TestNightlyCells(t *testing.T) {
	for _, tool := range []string{"bash", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not on PATH: the nightly's cells step needs bash and jq (GitHub's runners have both)", tool)
		}
	}
	cells := func(env ...string) (int, string) {
		cmd := exec.Command("bash", filepath.Join(repoRoot, ".github", "nightly", "cells.sh"))
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), out.String()
		}
		return 0, out.String()
	}
	cell := `{"account":"111122223333","region":"eu-west-1","role":"arn:aws:iam::111122223333:role/n","project":"p"}`
	cases := []struct {
		env  []string
		code int
		says string
	}{
		{[]string{"DMSCONFORM_CELLS=[" + cell + "]"}, 0, `"id":"eu-west-1-3333"}]` + "\ncount=1"},
		{[]string{"DMSCONFORM_ACCOUNT=111122223333", "AWS_REGION=eu-west-1", "DMSCONFORM_ROLE_ARN=arn:aws:iam::111122223333:role/n", "DMSCONFORM_PROJECT=p"}, 0, "count=1"},
		{[]string{"DMSCONFORM_CELLS=[" + cell + "," + strings.Replace(cell, "eu-west-1", "us-east-1", 1) + "]"}, 0, "count=2"},
		{[]string{"DMSCONFORM_CELLS=[" + cell + "," + cell + "]"}, 2, "give them distinct \"name\"s"},
		{[]string{"DMSCONFORM_CELLS=[" + strings.Replace(cell, "role/n", "role/n\",\"account\":\"444455556666", 1) + "]"}, 2, "role must be a role of the cell's own account"},
		{[]string{"DMSCONFORM_CELLS=[" + strings.Replace(cell, "111122223333\",\"region", "1234\",\"region", 1) + "]"}, 2, "12-digit"},
		{[]string{"DMSCONFORM_CELLS={}"}, 2, "non-empty JSON list"},
		// the optional fields: what would judge the checks PARTIAL without them
		{[]string{"DMSCONFORM_CELLS=[" + strings.Replace(cell, `"project":"p"`, `"project":"p","failing_project":"f","start_inputs":"../../conformance/start-inputs.example.json","denied_role":"arn:aws:iam::111122223333:role/d"`, 1) + "]"},
			0, `"failing_project":"f","start_inputs":"../../conformance/start-inputs.example.json","denied_role":"arn:aws:iam::111122223333:role/d","id":"eu-west-1-3333"}]`},
		{[]string{"DMSCONFORM_CELLS=[" + strings.Replace(cell, `"project":"p"`, `"project":"p","start_inputs":"nowhere.json"`, 1) + "]"}, 2, "start_inputs nowhere.json is not a file of the repository"},
		{[]string{"DMSCONFORM_CELLS=[" + strings.Replace(cell, `"project":"p"`, `"project":"p","denied_role":"arn:aws:iam::444455556666:role/d"`, 1) + "]"}, 2, "denied_role must be a role of the cell's own account"},
		{[]string{"DMSCONFORM_ACCOUNT=111122223333", "AWS_REGION=eu-west-1", "DMSCONFORM_ROLE_ARN=arn:aws:iam::111122223333:role/n", "DMSCONFORM_PROJECT=p", "DMSCONFORM_FAILING_PROJECT=f"}, 0,
			`"project":"p","failing_project":"f","id":"eu-west-1-3333"}]`},
		{nil, 2, "account is missing"},
	}
	for _, c := range cases {
		code, out := cells(c.env...)
		if code != c.code || !strings.Contains(out, c.says) {
			t.Errorf("%v: exit %d (want %d), output lacks %q:\n%s", c.env, code, c.code, c.says, out)
		}
	}
}

// TestWorkflowsAreWhatTheReadmeSays reads the workflows: CI runs .ci/run on pushes and
// pull requests with Go, Node and Python and the pinned Python packages; the nightly
// runs one job per cell of one variable (fail-fast off, the cell's own role and
// account guard), merges them after, and every file either reads exists (the
// known-deviations file parses).
// workflowStep, workflowJob and workflow are what the tests read of a GitHub Actions
// workflow file.
type workflowStep struct {
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	With map[string]string `yaml:"with"`
}

type workflowJob struct {
	Needs    any               `yaml:"needs"`
	If       string            `yaml:"if"`
	Env      map[string]string `yaml:"env"`
	Strategy struct {
		FailFast *bool          `yaml:"fail-fast"`
		Matrix   map[string]any `yaml:"matrix"`
	} `yaml:"strategy"`
	Steps []workflowStep `yaml:"steps"`
}

type workflow struct {
	On   map[string]any         `yaml:"on"`
	Jobs map[string]workflowJob `yaml:"jobs"`
}

// readWorkflow reads .github/workflows/name.
func readWorkflow(t *testing.T, name string) workflow {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, ".github", "workflows", name))
	if err != nil {
		t.Fatal(err)
	}
	var w workflow
	if err := yaml.Unmarshal(data, &w); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return w
}

// stepsText is a job's steps as text: what each uses and runs, and its inputs.
func stepsText(j workflowJob) string {
	var b strings.Builder
	for _, s := range j.Steps {
		b.WriteString(s.Uses + "\n" + s.Run + "\n")
		for k, v := range s.With {
			b.WriteString(k + ": " + v + "\n")
		}
	}
	return b.String()
}

func TestWorkflowsAreWhatTheReadmeSays(t *testing.T) {
	ci := readWorkflow(t, "ci.yml")
	if _, ok := ci.On["push"]; !ok {
		t.Error("ci.yml does not run on push")
	}
	if _, ok := ci.On["pull_request"]; !ok {
		t.Error("ci.yml does not run on pull_request")
	}
	all := stepsText(ci.Jobs["test"])
	for _, want := range []string{"actions/setup-go", "actions/setup-node", "actions/setup-python", "pip install -r .ci/requirements.txt", "bash .ci/run"} {
		if !strings.Contains(all, want) {
			t.Errorf("ci.yml's test job lacks %q", want)
		}
	}
	checkNightly(t, readWorkflow(t, "nightly.yml"))
	for _, f := range []string{".ci/run", ".ci/requirements.txt", ".github/nightly/cells.sh", ".github/nightly/merge.sh", "conformance/known-deviations.yaml", "suites/sdk/js/package-lock.json", "go.mod"} {
		if _, err := os.Stat(filepath.Join(repoRoot, f)); err != nil {
			t.Errorf("a workflow reads %s: %v", f, err)
		}
	}
	if _, err := reports.LoadKnownDeviations(filepath.Join(repoRoot, "conformance", "known-deviations.yaml")); err != nil {
		t.Errorf("conformance/known-deviations.yaml: %v", err)
	}
}

// checkNightly: the nightly workflow runs one cell per account without fail-fast, each
// cell with its own guard, inputs and artifact, and merges them whatever happened.
func checkNightly(t *testing.T, n workflow) {
	t.Helper()
	text := stepsText
	cell := n.Jobs["conformance"]
	if cell.Strategy.FailFast == nil || *cell.Strategy.FailFast {
		t.Error("nightly.yml: the cells must run with fail-fast: false")
	}
	if m := cell.Strategy.Matrix["cell"]; m != "${{ fromJSON(needs.cells.outputs.cells) }}" {
		t.Errorf("nightly.yml: the matrix is %v, want the cells job's list", m)
	}
	if cell.Env["DMSCONFORM_ALLOW_ACCOUNTS"] != "${{ matrix.cell.account }}" {
		t.Errorf("nightly.yml: the account guard is %q, want the cell's account", cell.Env["DMSCONFORM_ALLOW_ACCOUNTS"])
	}
	for env, field := range map[string]string{"DMSCONFORM_FAILING_PROJECT": "failing_project", "DMSCONFORM_START_INPUTS": "start_inputs"} {
		if cell.Env[env] != "${{ matrix.cell."+field+" }}" {
			t.Errorf("nightly.yml: %s is %q, want the cell's %s", env, cell.Env[env], field)
		}
	}
	cellText := text(cell)
	for _, want := range []string{"role-to-assume: ${{ matrix.cell.role }}", "--known-deviations conformance/known-deviations.yaml", "--baseline", "name: dmsconform-report-${{ matrix.cell.id }}",
		"DMSCONFORM_DENIED_PROFILE=denied", "mkdir -p out"} {
		if !strings.Contains(cellText, want) {
			t.Errorf("nightly.yml's cell job lacks %q", want)
		}
	}
	merge := n.Jobs["merge"]
	if !strings.Contains(merge.If, "always()") || !strings.Contains(text(merge), "bash .github/nightly/merge.sh") || !strings.Contains(text(merge), "pattern: dmsconform-report-*") {
		t.Errorf("nightly.yml's merge job: if %q\n%s", merge.If, text(merge))
	}
	if !strings.Contains(text(n.Jobs["cells"]), "bash .github/nightly/cells.sh") {
		t.Error("nightly.yml's cells job does not read the cells with cells.sh")
	}
}
