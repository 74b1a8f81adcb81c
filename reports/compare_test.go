package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	const none Outcome = ""
	cases := []struct {
		before     Outcome
		inBaseline bool
		after      Outcome
		known      bool
		want       Class
	}{
		{none, false, Fail, false, NewFailure},
		{none, false, Fail, true, KnownFailure},
		{none, false, Pass, false, NewCheck},
		{none, false, Drift, false, NewCheck},
		{none, false, Error, false, NewCheck},
		{Pass, true, Fail, false, NewFailure},
		{Drift, true, Fail, false, NewFailure},
		{Skipped, true, Fail, false, NewFailure},
		{Unimplemented, true, Fail, false, NewFailure},
		{Error, true, Fail, false, NewFailure},
		{Pass, true, Fail, true, KnownFailure},
		{Fail, true, Fail, false, StillFailing},
		{Fail, true, Fail, true, KnownFailure},
		{Fail, true, Pass, false, Fixed},
		{Fail, true, Drift, false, Fixed},
		{Fail, true, Error, false, StillFailing},
		{Fail, true, Skipped, false, StillFailing},
		{Fail, true, Unimplemented, false, StillFailing},
		{Pass, true, Drift, false, NewDrift},
		{Error, true, Drift, false, NewDrift},
		{Drift, true, Drift, false, Unchanged},
		{Drift, true, Pass, false, Unchanged},
		{Pass, true, Pass, false, Unchanged},
		// Coverage: a check that passed and now got no answer it could judge lost
		// coverage; the reverse gained it. Neither is a regression or a fix.
		{Pass, true, Error, false, NoLongerJudged},
		{Drift, true, Error, false, NoLongerJudged},
		{Pass, true, Skipped, false, NoLongerJudged},
		{Pass, true, Unimplemented, false, NoLongerJudged},
		{Drift, true, Skipped, false, NoLongerJudged},
		{Error, true, Pass, false, NewlyJudged},
		{Skipped, true, Pass, false, NewlyJudged},
		{Unimplemented, true, Pass, false, NewlyJudged},
		{Error, true, Error, false, Unchanged},
		{Skipped, true, Error, false, Unchanged},
		{Unimplemented, true, Skipped, false, Unchanged},
		{Pass, true, Pass, true, Unchanged}, // known only covers failures
	}
	for _, c := range cases {
		if got := Classify(c.before, c.inBaseline, c.after, c.known); got != c.want {
			t.Errorf("Classify(%q, in baseline %v, %q, known %v) = %s, want %s", c.before, c.inBaseline, c.after, c.known, got, c.want)
		}
	}
}

func runOf(target string, outcomes map[string]Outcome) *Run {
	r := &Run{Target: Target{TargetKind: target}, Started: sampleStart}
	for id, o := range outcomes {
		r.Checks = append(r.Checks, Check{CheckInfo: CheckInfo{ID: id}, Outcome: o})
	}
	Finalize(r)
	return r
}

func TestCompare(t *testing.T) {
	base := runOf("embedded", map[string]Outcome{
		"a.new-failure": Pass, "b.fixed": Fail, "c.still": Fail, "d.drift": Pass, "e.removed": Pass,
		"f.known": Fail, "g.same": Pass, "h.error-now": Fail, "i.error-pass": Error,
	})
	cur := runOf("embedded", map[string]Outcome{
		"a.new-failure": Fail, "b.fixed": Pass, "c.still": Fail, "d.drift": Drift, "n.new": Pass,
		"n.new-fail": Fail, "f.known": Fail, "g.same": Pass, "h.error-now": Error, "i.error-pass": Pass,
	})
	known := []KnownDeviation{{CheckID: "f.known", Target: "embedded", Reason: "r", Expires: sampleStart.Add(time.Hour)}}
	cmp := Compare(base, cur, known, sampleStart)
	want := map[string]Class{
		"a.new-failure": NewFailure, "b.fixed": Fixed, "c.still": StillFailing, "d.drift": NewDrift,
		"e.removed": RemovedCheck, "n.new": NewCheck, "n.new-fail": NewFailure, "f.known": KnownFailure,
		"h.error-now": StillFailing, "i.error-pass": NewlyJudged,
	}
	got := map[string]Class{}
	for _, e := range cmp.Entries {
		got[e.ID] = e.Class
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: class %q, want %q", id, got[id], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("entries %v, want exactly %v (unchanged checks are not listed)", got, want)
	}
	for _, c := range cur.Checks {
		if w, ok := want[c.ID]; ok && c.Class != w {
			t.Errorf("Check.Class of %s = %s, want %s", c.ID, c.Class, w)
		}
		if c.ID == "g.same" && c.Class != Unchanged {
			t.Errorf("%s: %s, want unchanged", c.ID, c.Class)
		}
		if (c.Known != nil) != (c.ID == "f.known") {
			t.Errorf("%s: Known = %v", c.ID, c.Known)
		}
	}
	if cmp.Counts[NewFailure] != 2 || cmp.Counts[Unchanged] != 1 || cmp.Counts[RemovedCheck] != 1 || cmp.Counts[NewlyJudged] != 1 {
		t.Errorf("counts %v", cmp.Counts)
	}
	for _, c := range Classes {
		if _, ok := cmp.Counts[c]; !ok {
			t.Errorf("counts lack %s", c)
		}
	}
	if !cmp.HasNewFailures() || cur.Baseline != cmp {
		t.Error("HasNewFailures false or current.Baseline not set")
	}
	for i := 1; i < len(cmp.Entries); i++ {
		if cmp.Entries[i-1].ID > cmp.Entries[i].ID {
			t.Error("entries not sorted")
		}
	}
	if e := cmp.EntriesOf(RemovedCheck); len(e) != 1 || e[0].Before != Pass || e[0].After != "" {
		t.Errorf("removed entry %+v", e)
	}
	if cmp.BaselineTarget.TargetKind != "embedded" || !cmp.BaselineStarted.Equal(sampleStart) {
		t.Errorf("baseline identity %+v", cmp)
	}
}

func TestCompareErrorsNeverRegress(t *testing.T) {
	base := runOf("embedded", map[string]Outcome{"a": Pass, "b": Drift, "c": Fail})
	cur := runOf("embedded", map[string]Outcome{"a": Error, "b": Error, "c": Error})
	if cmp := Compare(base, cur, nil, sampleStart); cmp.HasNewFailures() || cmp.Counts[Fixed] != 0 {
		t.Errorf("errors counted: %v", cmp.Counts)
	}
}

func TestCompareNilBaseline(t *testing.T) {
	cur := runOf("embedded", map[string]Outcome{"a": Pass, "b": Fail})
	cmp := Compare(nil, cur, nil, sampleStart)
	if cmp.Counts[NewCheck] != 1 || cmp.Counts[NewFailure] != 1 {
		t.Errorf("counts %v", cmp.Counts)
	}
	var nilCmp *Comparison
	if nilCmp.HasNewFailures() {
		t.Error("nil comparison has new failures")
	}
}

func TestApplyKnown(t *testing.T) {
	run := runOf("aws", map[string]Outcome{"op.fault.a": Fail, "op.fault.b": Fail, "op.enum.x": Fail, "op.shape.y": Fail, "op.pass": Pass})
	run.Target.Name = "real-dms"
	now := sampleStart
	known := []KnownDeviation{
		{CheckID: "op.fault.*", Target: "aws", Reason: "glob", Expires: now.Add(time.Hour)},
		{CheckID: "op.enum.x", Target: "*", Reason: "expired", Expires: now.Add(-time.Hour)},
		{CheckID: "op.shape.y", Target: "embedded", Reason: "other target", Expires: now.Add(time.Hour)},
		{CheckID: "op.pass", Target: "real-dms", Reason: "stale", Expires: now.Add(time.Hour)},
		{CheckID: "op.typo", Target: "*", Reason: "typo", Expires: now.Add(time.Hour)},
	}
	warnings := ApplyKnown(run, known, now)
	covered := map[string]bool{}
	for _, c := range run.Checks {
		covered[c.ID] = c.Known != nil
	}
	if !covered["op.fault.a"] || !covered["op.fault.b"] || covered["op.enum.x"] || covered["op.shape.y"] || covered["op.pass"] {
		t.Errorf("covered = %v", covered)
	}
	if n := ConformanceExitFailures(run); n != 2 {
		t.Errorf("ConformanceExitFailures = %d, want 2 (expired entry counts again, other target does not apply)", n)
	}
	if len(warnings) != 3 || !strings.Contains(warnings[0], "op.enum.x") || !strings.Contains(warnings[0], "expired on 2026-03-14") ||
		!strings.Contains(warnings[1], "op.pass") || !strings.Contains(warnings[1], "matched no failing check") ||
		!strings.Contains(warnings[2], "op.typo") || !strings.Contains(warnings[2], "matches no check of this run") {
		t.Errorf("warnings %q", warnings)
	}
	ApplyKnown(run, known, now) // again: no duplicate warnings on the run
	if len(run.Warnings) != 3 {
		t.Errorf("run.Warnings %q", run.Warnings)
	}
	// An hour later the glob entry has expired too.
	ApplyKnown(run, known, now.Add(2*time.Hour))
	if n := ConformanceExitFailures(run); n != 4 {
		t.Errorf("after expiry ConformanceExitFailures = %d, want 4", n)
	}
}

func TestLoadKnownDeviations(t *testing.T) {
	dir := t.TempDir()
	yml := filepath.Join(dir, "known.yaml")
	os.WriteFile(yml, []byte(`# expected failures
- check: CancelMetadataModelConversion.union.single-member
  target: embedded
  reason: emulator bug #12
  expires: 2026-09-30
- check: CancelMetadataModelConversion.enum.*
  target: "*"
  reason: DMS sends PAUSED
  expires: 2026-04-01T12:00:00Z
`), 0o644)
	got, err := LoadKnownDeviations(yml)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Target != "embedded" || got[1].CheckID != "CancelMetadataModelConversion.enum.*" {
		t.Fatalf("got %+v", got)
	}
	if want := time.Date(2026, 9, 30, 23, 59, 59, 0, time.UTC); !got[0].Expires.Equal(want) {
		t.Errorf("date-only expires = %v, want the end of that day %v", got[0].Expires, want)
	}
	if got[0].Expired(time.Date(2026, 9, 30, 18, 0, 0, 0, time.UTC)) || !got[0].Expired(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("date-only entry must hold through its day")
	}

	js := filepath.Join(dir, "known.json")
	os.WriteFile(js, []byte(`[{"check":"a.b","target":"aws","reason":"r","expires":"2026-01-02"}]`), 0o644)
	if got, err := LoadKnownDeviations(js); err != nil || len(got) != 1 {
		t.Errorf("json: %v %v", got, err)
	}
	empty := filepath.Join(dir, "empty.yaml")
	os.WriteFile(empty, []byte("# nothing\n"), 0o644)
	if got, err := LoadKnownDeviations(empty); err != nil || len(got) != 0 {
		t.Errorf("empty: %v %v", got, err)
	}
	if _, err := LoadKnownDeviations(filepath.Join(dir, "nope.yaml")); err == nil || !strings.Contains(err.Error(), "does not exist") || !strings.Contains(err.Error(), "- check:") {
		t.Errorf("missing file: %v", err)
	}
}

func TestLoadKnownDeviationsValidation(t *testing.T) {
	cases := map[string]struct {
		name, body string
		want       []string
	}{
		"missing fields": {"k.yaml", "- check: a.b\n  target: aws\n- target: aws\n  reason: r\n  expires: 2026-01-01\n",
			[]string{"entry 1, field reason: missing", "entry 1, field expires: missing", "entry 2, field check: missing"}},
		"bad date":  {"k.yaml", "- {check: a, target: '*', reason: r, expires: 30/09/2026}\n", []string{`entry 1, field expires: "30/09/2026" is neither YYYY-MM-DD nor RFC 3339`}},
		"bad glob":  {"k.yaml", "- {check: 'a[', target: '*', reason: r, expires: 2026-01-01}\n", []string{"entry 1, field check:", "not a valid pattern"}},
		"duplicate": {"k.yaml", "- {check: a, target: aws, reason: r, expires: 2026-01-01}\n- {check: a, target: aws, reason: s, expires: 2026-02-01}\n", []string{"entry 2, field check: duplicates entry 1"}},
		"typo":      {"k.yaml", "- {check: a, target: aws, reason: r, expiry: 2026-01-01}\n", []string{"field expiry not found", "check, target, reason, expires"}},
		"not list":  {"k.yaml", "check: a\n", []string{"YAML list"}},
		"json typo": {"k.json", `[{"check":"a","target":"aws","reason":"r","expiry":"2026-01-01"}]`, []string{`unknown field "expiry"`}},
		"no target": {"k.json", `[{"check":"a","reason":"r","expires":"2026-01-01"}]`, []string{`entry 1, field target: missing`, `"*" for any target`}},
	}
	for name, c := range cases {
		_, err := ParseKnownDeviations(c.name, []byte(c.body))
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", name, err, w)
			}
		}
	}
}
