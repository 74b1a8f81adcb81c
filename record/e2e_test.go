package record_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/cryptotest"
	"time"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/record"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/runner"
	"github.com/dmsconform/dmsconform/suites/conformance"
)

// fixtureDir is the shipped recording of the embedded emulator.
const fixtureDir = "../fixtures/recorded/embedded"

// envRecordFixtures makes TestEmbeddedFixtureIsCurrent rewrite the fixture instead of
// comparing with it (make record-fixtures).
const envRecordFixtures = "DMSCONFORM_RECORD_FIXTURES"

func TestMain(m *testing.M) {
	runner.MaybeChild() // child runs of RunIsolated end here
	os.Exit(m.Run())
}

// isolated runs the suites in a child process.
func isolated(t *testing.T, opts runner.Options) *runner.Result {
	t.Helper()
	if opts.Out == "" {
		opts.Out = t.TempDir()
	}
	var out strings.Builder
	opts.Stdout, opts.Stderr = &out, &out
	res, err := runner.RunIsolated(context.Background(), opts)
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
		res, err := runner.RunIsolated(context.Background(), runner.Options{
			Config: conformance.Config{Target: conformance.TargetEmbedded}, Out: filepath.Join(dir, "report"),
			Record: embeddedRec, Stdout: &out, Stderr: &out})
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
	if len(live.Run.Checks) < 100 {
		t.Fatalf("the live run has only %d checks", len(live.Run.Checks))
	}
	replayed := isolated(t, runner.Options{Config: conformance.Config{Target: "replay:" + dir}})
	if replayed.Run.Target.Kind != conformance.TargetReplay {
		t.Fatalf("target kind %q, want replay", replayed.Run.Target.Kind)
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
	isolated(t, runner.Options{Config: conformance.Config{Target: "replay:" + dir}, Record: again})
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
		files, _ := filepath.Glob(filepath.Join(d, "*.json"))
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
	for _, id := range fix.IDs() {
		for _, ex := range fix.Checks[id].Exchanges {
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
	ok := &fix.Checks[okCheck].Exchanges[okSeq-1]
	req := ok.Response.Body.(map[string]any)["Request"].(map[string]any)
	delete(req, "Status")                     // drop a member: the current run adds it
	req["MigrationProjectArn"] = []any{"arn"} // change a type (volatile value, but not its type)
	req["Extra"] = "added by the tampering"   // add a member: the current run removes it
	ok.Response.Headers["Content-Type"] = "text/plain"
	flt := &fix.Checks[faultCheck].Exchanges[faultSeq-1]
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
	for _, c := range p.Checks {
		for _, e := range c.Exchanges {
			for _, d := range e.Differences {
				got[c.Check+" #"+itoa(e.Seq)+" "+d.Pointer] = d.Kind
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
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(from, "*.json"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return to
}

// The shipped recording is what recording the embedded emulator gives today, byte for
// byte: regeneration is deterministic (the emulator's virtual clock, crypto/rand made
// deterministic for the emulator's request ids, a fixed check order and placeholders
// for ids and times). With DMSCONFORM_RECORD_FIXTURES=1 (make record-fixtures) it
// rewrites the fixture instead. It runs the suites in this process, once.
func TestEmbeddedFixtureIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suites")
	}
	cryptotest.SetGlobalRandom(t, 1)
	tmp := t.TempDir()
	out := filepath.Join(tmp, "recording")
	var log strings.Builder
	res, err := runner.Run(context.Background(), runner.Options{
		Config: conformance.Config{Target: conformance.TargetEmbedded}, Out: filepath.Join(tmp, "report"), Record: out,
		Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }, Stdout: &log, Stderr: &log})
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if res.ExitCode != runner.ExitOK {
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
	want, _ := filepath.Glob(filepath.Join(fixtureDir, "*.json"))
	got, _ := filepath.Glob(filepath.Join(out, "*.json"))
	if len(want) != len(got) {
		t.Errorf("%s has %d files, a fresh recording %d: run make record-fixtures", fixtureDir, len(want), len(got))
	}
	stale := 0
	for _, g := range got {
		a, _ := os.ReadFile(filepath.Join(fixtureDir, filepath.Base(g)))
		b, _ := os.ReadFile(g)
		if !bytes.Equal(a, b) {
			stale++
			if stale <= 5 {
				t.Errorf("%s differs from a fresh recording", filepath.Base(g))
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
	srv, err := emulator.Start(emulator.Config{Clock: emulator.NewVirtualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), AutoAdvance: emulator.DefaultStepDuration / 2})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "rec")
	cfg := conformance.Config{Target: conformance.TargetEndpoint, Endpoint: srv.URL, Project: emulator.DefaultProject,
		MinDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}
	live, err := runner.RunIsolated(context.Background(), runner.Options{Config: cfg, LabelFilter: "fault", Out: t.TempDir(), Record: dir})
	if err != nil {
		t.Fatal(err)
	}
	replayed, err := runner.RunIsolated(context.Background(), runner.Options{Config: conformance.Config{Target: "replay:" + dir}, LabelFilter: "fault", Out: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
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
