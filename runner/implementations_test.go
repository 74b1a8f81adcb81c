package runner

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/internal/motoserver"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// implementationsPage is the committed merge of the implementations we did not tune
// the harness to run against, and implementationsJSON the merge it renders (make
// reference-reports rewrites both).
var (
	implementationsPage = filepath.Join("..", "fixtures", "reports", "implementations.md")
	implementationsJSON = filepath.Join("..", "fixtures", "reports", "implementations.json")
)

// TestImplementationsMatrix runs every check against the embedded emulator, the
// standalone emulator in real time with its weather on (throttling, transient 5xx,
// latency and a consistency window at once) and moto 5.2.1's server, merges the three
// side by side, and compares the page with the committed
// fixtures/reports/implementations.md: the page an emulator author reads to see where
// their emulator stands. The weather must cause no failure, drift or error; it may
// hide a lifecycle state from the polls (a pass becomes an honest skip), nothing else.
func TestImplementationsMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("starts moto's server and a real-time emulator")
	}
	motoURL := motoserver.Start(t)
	srv := wallEmulator(t, 200*time.Millisecond, func(c *emulator.Config) {
		c.Weather = emulator.Weather{ThrottleEvery: 8, FailEvery: 11, UnavailableEvery: 17, Latency: 5 * time.Millisecond, ConsistencyWindow: 150 * time.Millisecond}
	})
	root := t.TempDir()
	targets := []struct {
		label string
		cfg   engine.Config
	}{
		{"embedded emulator", engine.Config{}},
		{"standalone emulator, real time, weather on", endpointConfig(srv)},
		{"moto 5.2.1", engine.Config{Target: engine.TargetEndpoint, Endpoint: motoURL, Project: emulator.DefaultProject}},
	}
	var dirs, labels []string
	for i, tg := range targets {
		dir := filepath.Join(root, string(rune('a'+i)))
		if _, err := run(t, Options{Out: dir, Config: tg.cfg}); err != nil {
			t.Fatalf("%s: %v", tg.label, err)
		}
		dirs, labels = append(dirs, dir), append(labels, tg.label)
	}
	runs, err := readReports(dirs)
	if err != nil {
		t.Fatal(err)
	}
	var in []reports.MergeInput
	for i, r := range runs {
		in = append(in, reports.MergeInput{Run: r.run, Label: labels[i]})
	}
	m := reports.NewMerge(in, reports.Tool{Name: "dmsconform"})
	m.Stable = true
	for i := range m.Columns { // what changes from run to run stays out of the committed page
		c := &m.Columns[i]
		c.Started, c.Duration, c.Calls, c.Starts, c.Source, c.Report = time.Time{}, 0, 0, 0, "", ""
	}
	for _, r := range m.Checks {
		if a, b := r.Cells[0].Outcome, r.Cells[1].Outcome; a != b && !(a == reports.Pass && b == reports.Skipped) {
			t.Errorf("%s: %s on the embedded emulator, %s on the standalone one in real time with weather: the weather changed an outcome (%s)", r.ID, a, b, r.Cells[1].Message)
		}
	}
	page := implementationsMarkdown(t, m)
	if os.Getenv(envReferenceReports) == "1" {
		var js strings.Builder
		if err := reports.EncodeMerge(&js, m); err != nil {
			t.Fatal(err)
		}
		for f, data := range map[string]string{implementationsPage: page, implementationsJSON: js.String()} {
			if err := os.WriteFile(f, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("rewrote %s and %s", implementationsPage, implementationsJSON)
		return
	}
	data, err := os.ReadFile(implementationsJSON)
	if err != nil {
		t.Fatalf("%v (make reference-reports writes it)", err)
	}
	var want reports.Merge
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	if committed, err := os.ReadFile(implementationsPage); err != nil || string(committed) != implementationsMarkdown(t, &want) {
		t.Errorf("%s is not the rendering of %s (%v): run make reference-reports", implementationsPage, implementationsJSON, err)
	}
	wantCells := map[string][]reports.MergeCell{}
	for _, r := range want.Checks {
		wantCells[r.ID] = r.Cells
	}
	if len(want.Checks) != len(m.Checks) || len(want.Columns) != len(m.Columns) {
		t.Errorf("%d checks of %d targets, the committed page has %d of %d (make reference-reports)", len(m.Checks), len(m.Columns), len(want.Checks), len(want.Columns))
	}
	for _, r := range m.Checks {
		w := wantCells[r.ID]
		for i, c := range r.Cells {
			switch {
			case i >= len(w):
			case c.Outcome == w[i].Outcome:
			case i == 1 && w[i].Outcome == reports.Pass && c.Outcome == reports.Skipped:
				t.Logf("%s: the weather hid a lifecycle state from the polls this time: %s", r.ID, c.Message)
			default:
				t.Errorf("%s on %s: %s, the committed page says %s (if the harness or a target changed on purpose, run make reference-reports)", r.ID, m.Columns[i].Label, c.Outcome, w[i].Outcome)
			}
		}
	}
}

func implementationsMarkdown(t *testing.T, m *reports.Merge) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("<!-- Code generated by make reference-reports (runner.TestImplementationsMatrix) from implementations.json. DO NOT EDIT. -->\n\n")
	if err := reports.WriteMergeMarkdown(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
