package record_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/record"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/runner"
	"github.com/dmsconform/dmsconform/suites/all"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// fixtureDir is the shipped recording of the embedded emulator.
const fixtureDir = "../fixtures/recorded/embedded"

// envRecordFixtures makes TestEmbeddedFixtureIsCurrent rewrite the fixture instead of
// comparing with it (make record-fixtures).
const envRecordFixtures = "DMSCONFORM_RECORD_FIXTURES"

// run runs the checks in this process.
func run(t *testing.T, opts runner.Options) *runner.Result {
	t.Helper()
	if opts.Out == "" {
		opts.Out = t.TempDir()
	}
	var out strings.Builder
	opts.Stdout, opts.Stderr = &out, &out
	res, err := runner.Run(context.Background(), opts)
	if err != nil {
		t.Fatalf("run against %s: %v\n%s", opts.Config.Target, err, out.String())
	}
	return res
}

var (
	embeddedOnce sync.Once
	embeddedRes  *runner.Result
	embeddedRec  string
	embeddedErr  string
)

// recordEmbedded records one run of the embedded target, shared by the tests.
func recordEmbedded(t *testing.T) (*runner.Result, string) {
	t.Helper()
	embeddedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "dmsconform-record-")
		if err != nil {
			embeddedErr = err.Error()
			return
		}
		embeddedRec = filepath.Join(dir, "recording")
		var out strings.Builder
		res, err := runner.Run(context.Background(), runner.Options{
			Out: filepath.Join(dir, "report"), Record: embeddedRec, Stdout: &out, Stderr: &out})
		if err != nil {
			embeddedErr = err.Error() + "\n" + out.String()
			return
		}
		embeddedRes = res
	})
	if embeddedErr != "" {
		t.Fatalf("recording the embedded target: %s", embeddedErr)
	}
	return embeddedRes, embeddedRec
}

func outcomes(run *reports.Run) map[string]string {
	m := map[string]string{}
	for _, c := range run.Checks {
		m[c.ID] = string(c.Outcome) + ": " + c.Message
	}
	return m
}

// Replaying a recording gives every check the outcome (and message) of the live run.
func TestReplayGivesLiveOutcomes(t *testing.T) {
	live, dir := recordEmbedded(t)
	if len(live.Run.Checks) != len(all.Checks()) {
		t.Fatalf("the live run has %d checks, the catalog %d", len(live.Run.Checks), len(all.Checks()))
	}
	replayed := run(t, runner.Options{Config: engine.Config{Target: "replay:" + dir}})
	if replayed.Run.Target.TargetKind != engine.TargetReplay {
		t.Fatalf("target kind %q, want replay", replayed.Run.Target.TargetKind)
	}
	want, got := outcomes(live.Run), outcomes(replayed.Run)
	if len(want) != len(got) {
		t.Errorf("live run %d checks, replay %d", len(want), len(got))
	}
	for id, w := range want {
		if g := got[id]; g != w {
			t.Errorf("%s:\n  live:   %s\n  replay: %s", id, w, g)
		}
	}
	if replayed.ExitCode != live.ExitCode {
		t.Errorf("exit code: live %d, replay %d", live.ExitCode, replayed.ExitCode)
	}
	for _, w := range replayed.Warnings {
		if strings.Contains(w, record.ReplayMismatch) {
			t.Errorf("replay warning: %s", w)
		}
	}
}

// Recording the replay of a recording gives the same recording: the replay serves
// exactly what was recorded, and normalisation maps it back to the same placeholders.
func TestReplayRecordsTheSameRecording(t *testing.T) {
	_, dir := recordEmbedded(t)
	again := filepath.Join(t.TempDir(), "again")
	run(t, runner.Options{Config: engine.Config{Target: "replay:" + dir}, Record: again})
	a, err := record.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := record.Load(again)
	if err != nil {
		t.Fatal(err)
	}
	p := record.Compare(a, b)
	if !p.Perfect() {
		var buf bytes.Buffer
		_ = p.WriteText(&buf)
		t.Errorf("the recording of the replay differs from the recording:\n%s", buf.String())
	}
}

// A recording holds no secret: not the emulator's test keys, not its account id, no
// Authorization header, no signature.
func TestRecordingHoldsNoSecrets(t *testing.T) {
	_, dir := recordEmbedded(t)
	for _, d := range []string{dir, fixtureDir} {
		files := recordingFiles(d)
		if len(files) < 10 {
			t.Fatalf("%s: only %d files", d, len(files))
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, secret := range []string{emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey,
				emulator.DeniedAccessKeyID, emulator.DeniedSecretAccessKey, emulator.DefaultAccountID,
				"Authorization", "Signature=", "X-Amz-Date", "Amz-Sdk-Invocation-Id", "127.0.0.1"} {
				if bytes.Contains(data, []byte(secret)) {
					t.Errorf("%s contains %q", f, secret)
				}
			}
			if !json.Valid(data) {
				t.Errorf("%s is not JSON", f)
			}
		}
	}
}

// The embedded emulator's parity with its own shipped recording is 100%.
func TestEmbeddedParityWithFixtureIsPerfect(t *testing.T) {
	_, dir := recordEmbedded(t)
	fix, err := record.Load(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := record.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	p := record.Compare(fix, cur)
	if !p.Perfect() || p.Score != 100 {
		var buf bytes.Buffer
		_ = p.WriteText(&buf)
		t.Fatalf("parity %.2f%%, want 100%% (if the emulator or the suites changed on purpose, run make record-fixtures):\n%s", p.Score, buf.String())
	}
	if p.Exchanges < 100 {
		t.Errorf("only %d exchanges compared", p.Exchanges)
	}
	for _, o := range p.Operations {
		if o.Score != 100 {
			t.Errorf("%s: %.2f%%", o.Operation, o.Score)
		}
	}
}

// A tampered copy of the fixture shows each tampering as a difference at its pointer.
func TestTamperedRecordingShowsDifferences(t *testing.T) {
	_, dir := recordEmbedded(t)
	tampered := copyRecording(t, fixtureDir)
	fix, err := record.Load(tampered)
	if err != nil {
		t.Fatal(err)
	}
	// Find a successful cancel with a Request member, and a fault.
	var okCheck, faultCheck string
	var okSeq, faultSeq int
	for _, id := range fix.Keys() {
		for _, ex := range fix.Scripts[id].Exchanges {
			obj, _ := ex.Response.Body.(map[string]any)
			if okCheck == "" && ex.Operation() == "CancelMetadataModelConversion" && ex.Response.Status == 200 && obj["Request"] != nil {
				okCheck, okSeq = id, ex.Seq
			}
			if faultCheck == "" && ex.Response.Status == 400 && ex.Operation() == "CancelMetadataModelConversion" && obj["__type"] == "ResourceNotFoundFault" {
				faultCheck, faultSeq = id, ex.Seq
			}
		}
	}
	if okCheck == "" || faultCheck == "" {
		t.Fatalf("the fixture lacks a successful cancel (%q) or a ResourceNotFoundFault (%q)", okCheck, faultCheck)
	}
	ok := &fix.Scripts[okCheck].Exchanges[okSeq-1]
	req := ok.Response.Body.(map[string]any)["Request"].(map[string]any)
	delete(req, "Status")                     // drop a member: the current run adds it
	req["MigrationProjectArn"] = []any{"arn"} // change a type (volatile value, but not its type)
	req["Extra"] = "added by the tampering"   // add a member: the current run removes it
	ok.Response.Headers["Content-Type"] = "text/plain"
	flt := &fix.Scripts[faultCheck].Exchanges[faultSeq-1]
	flt.Response.Status = 500 // change a status
	flt.Response.Headers["X-Amzn-Errortype"] = "InternalFailure"
	if err := fix.Write(tampered); err != nil {
		t.Fatal(err)
	}
	fix, err = record.Load(tampered)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := record.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	p := record.Compare(fix, cur)
	got := map[string]string{} // "<check> #<seq> <pointer>" -> kind
	for _, c := range p.Scripts {
		for _, e := range c.Exchanges {
			for _, d := range e.Differences {
				got[c.Key+" #"+itoa(e.Seq)+" "+d.Pointer] = d.Change
			}
		}
	}
	want := map[string]string{
		okCheck + " #" + itoa(okSeq) + " /response/body/Request/Status":              record.DiffAdded,
		okCheck + " #" + itoa(okSeq) + " /response/body/Request/MigrationProjectArn": record.DiffType,
		okCheck + " #" + itoa(okSeq) + " /response/body/Request/Extra":               record.DiffRemoved,
		okCheck + " #" + itoa(okSeq) + " /response/headers/Content-Type":             record.DiffChanged,
		faultCheck + " #" + itoa(faultSeq) + " /response/status":                     record.DiffStatus,
		faultCheck + " #" + itoa(faultSeq) + " /response/fault":                      record.DiffFault,
		faultCheck + " #" + itoa(faultSeq) + " /response/headers/X-Amzn-Errortype":   record.DiffChanged,
	}
	for k, kind := range want {
		if got[k] != kind {
			t.Errorf("%s: difference %q, want %q", k, got[k], kind)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d differences, want %d: %v", len(got), len(want), got)
	}
	if p.Perfect() || p.Exchanges-p.Matching != 2 {
		t.Errorf("%d of %d exchanges match, want all but 2", p.Matching, p.Exchanges)
	}
	for _, o := range p.Operations {
		if o.Operation == "CancelMetadataModelConversion" && o.Score >= 100 {
			t.Errorf("CancelMetadataModelConversion parity %.2f%%, want below 100", o.Score)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func copyRecording(t *testing.T, from string) string {
	t.Helper()
	to := filepath.Join(t.TempDir(), "recording")
	for _, f := range recordingFiles(from) {
		rel, _ := filepath.Rel(from, f)
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(to, rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, rel), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return to
}

// recordingFiles lists the JSON files of a recording folder, evidence/ included.
func recordingFiles(dir string) []string {
	a, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	b, _ := filepath.Glob(filepath.Join(dir, record.EvidenceDir, "*.json"))
	return append(a, b...)
}

// The shipped recording is what recording the embedded emulator gives today, byte for
// byte: regeneration is deterministic (the emulator's virtual clock and seeded request
// ids, one evidence script at a time in a fixed order, and placeholders for ids and
// times). With DMSCONFORM_RECORD_FIXTURES=1 (make record-fixtures) it
// rewrites the fixture instead. It runs the suites in this process, once.
func TestEmbeddedFixtureIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suites")
	}
	tmp := t.TempDir()
	out := filepath.Join(tmp, "recording")
	var log strings.Builder
	res, err := runner.Run(context.Background(), runner.Options{
		Out: filepath.Join(tmp, "report"), Record: out,
		Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }, Stdout: &log, Stderr: &log})
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if res.ExitCode != reports.ExitOK {
		t.Fatalf("the embedded run exits %d:\n%s", res.ExitCode, log.String())
	}
	if os.Getenv(envRecordFixtures) == "1" {
		if err := os.RemoveAll(fixtureDir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(fixtureDir), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(out, fixtureDir); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote %s", fixtureDir)
		return
	}
	want, got := recordingFiles(fixtureDir), recordingFiles(out)
	if len(want) != len(got) {
		t.Errorf("%s has %d files, a fresh recording %d: run make record-fixtures", fixtureDir, len(want), len(got))
	}
	stale := 0
	for _, g := range got {
		rel, _ := filepath.Rel(out, g)
		a, _ := os.ReadFile(filepath.Join(fixtureDir, rel))
		b, _ := os.ReadFile(g)
		if !bytes.Equal(a, b) {
			stale++
			if stale <= 5 {
				t.Errorf("%s differs from a fresh recording", rel)
			}
		}
	}
	if stale > 0 {
		t.Errorf("%d file(s) of %s are stale: run make record-fixtures and commit the result (or, if this test runs twice in a row and differs, recording is not deterministic: find the value that changes)", stale, fixtureDir)
	}
}

// A recording made without a denied principal replays without one: its
// AccessDeniedFault checks skip (with the reason) instead of failing on replay.
func TestReplayOffersADeniedPrincipalOnlyIfTheRecordingHadOne(t *testing.T) {
	srv, err := emulator.Start(emulator.Config{StepDuration: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "rec")
	cfg := engine.Config{Target: engine.TargetEndpoint, Endpoint: srv.URL, Project: emulator.DefaultProject,
		MinDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}
	live := run(t, runner.Options{Config: cfg, LabelFilter: "fault", Record: dir})
	replayed := run(t, runner.Options{Config: engine.Config{Target: "replay:" + dir}, LabelFilter: "fault"})
	want := map[string]reports.Outcome{}
	for _, c := range live.Run.Checks {
		want[c.ID] = c.Outcome
	}
	denied := 0
	for _, c := range replayed.Run.Checks {
		if c.Outcome != want[c.ID] {
			t.Errorf("%s: live %s, replayed %s (%s)", c.ID, want[c.ID], c.Outcome, c.Message)
		}
		if strings.Contains(c.ID, "AccessDeniedFault") {
			denied++
			if c.Outcome != reports.Skipped {
				t.Errorf("%s must skip without a denied principal, got %s", c.ID, c.Outcome)
			}
		}
	}
	if denied == 0 {
		t.Fatal("no AccessDeniedFault check ran")
	}
}

// TestJudgeGivesLiveOutcomes: re-judging a recording offline (no server, no network)
// gives every check the outcome and message of the live run, with and without
// defects the judges must see in the recorded evidence.
func TestJudgeGivesLiveOutcomes(t *testing.T) {
	// Not union-type-inside: aws-sdk-go-v2 decodes __type inside a union by map order,
	// so two decodings of the same bytes differ (a known SDK finding, not the harness's).
	for _, defects := range [][]string{nil, {"fault-status-500"}, {"cancel-stuck-canceling"}, {"undocumented-step"}, {"null-members"}} {
		t.Run(strings.Join(append([]string{"defects"}, defects...), "="), func(t *testing.T) {
			t.Parallel() // runs are values: nothing is shared
			dir := filepath.Join(t.TempDir(), "rec")
			live := run(t, runner.Options{Config: engine.Config{Defects: defects}, Record: dir})
			var out strings.Builder
			judged, err := runner.Judge(context.Background(), runner.JudgeOptions{Recording: dir, Out: t.TempDir(), Stdout: &out})
			if err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			want, got := outcomes(live.Run), outcomes(judged.Run)
			if len(want) != len(got) {
				t.Errorf("live run %d checks, judged %d", len(want), len(got))
			}
			// The recording holds placeholders where the live run saw ids.
			ids := regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|<request-id:\d+>|<uuid:\d+>|\b\d{12}\b|<account[:-]\d+>`)
			for id, w := range want {
				if g := got[id]; ids.ReplaceAllString(g, "<id>") != ids.ReplaceAllString(w, "<id>") {
					t.Errorf("%s:\n  live:   %s\n  judged: %s", id, w, g)
				}
			}
			if judged.ExitCode != live.ExitCode {
				t.Errorf("exit code: live %d, judged %d", live.ExitCode, judged.ExitCode)
			}
		})
	}
}

// TestJudgeAppliesNewerChecksToOldEvidence: a recording made with another label filter
// lacks some evidence; judge skips those checks with that reason instead of failing.
func TestJudgeAppliesNewerChecksToOldEvidence(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rec")
	run(t, runner.Options{LabelFilter: "input", Record: dir})
	judged, err := runner.Judge(context.Background(), runner.JudgeOptions{Recording: dir, Out: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range judged.Run.Checks {
		if c.Outcome == reports.Fail || c.Outcome == reports.Error {
			t.Errorf("%s: %s %s", c.ID, c.Outcome, c.Message)
		}
	}
	byID := map[string]reports.Check{}
	for _, c := range judged.Run.Checks {
		byID[c.ID] = c
	}
	if c := byID["CancelMetadataModelConversion.lifecycle.cancel"]; c.Outcome != reports.Skipped || !strings.Contains(c.Message, "holds no evidence") {
		t.Errorf("a check without recorded evidence: %s %q", c.Outcome, c.Message)
	}
	if c := byID["CancelMetadataModelConversion.input.RequestIdentifier.missing.wire"]; c.Outcome != reports.Pass {
		t.Errorf("a check with recorded evidence: %s %q", c.Outcome, c.Message)
	}
}
