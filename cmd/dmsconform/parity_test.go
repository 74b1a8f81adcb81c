package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/record"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/runner"
)

const parityFixture = "../../fixtures/recorded/embedded"

func runParityCmd(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := dispatch(append([]string{"parity"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func TestParityHelpAndUsage(t *testing.T) {
	code, _, errs := runParityCmd("--help")
	if code != reports.ExitOK || !strings.Contains(errs, "Usage: dmsconform parity --recorded DIR") || !strings.Contains(errs, "Exit codes") {
		t.Errorf("--help: exit %d\n%s", code, errs)
	}
	out := filepath.Join(t.TempDir(), "o")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--out", out}, "--recorded is required"},
		{[]string{"--recorded", t.TempDir(), "--out", out}, "is not a recording"},
		{[]string{"--recorded", parityFixture, "--format", "xml", "--out", out}, `--format "xml"`},
		{[]string{"--recorded", parityFixture, "--out", parityFixture}, "would overwrite the recording"},
		{[]string{"--recorded", parityFixture, "--target", "endpoint", "--out", out}, "--endpoint is required"},
	} {
		code, stdout, errs := runParityCmd(tc.args...)
		if code != reports.ExitUsage || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, want 2 with %q\n%s%s", tc.args, code, tc.want, stdout, errs)
		}
	}
}

func TestParityEmbeddedAgainstFixture(t *testing.T) {
	out := filepath.Join(t.TempDir(), "parity")
	code, stdout, errs := runParityCmd("--recorded", parityFixture, "--out", out)
	if code != reports.ExitOK {
		t.Fatalf("exit %d, want 0 (100%% parity; if the emulator or suites changed on purpose, run make record-fixtures)\n%s%s", code, stdout, errs)
	}
	for _, s := range []string{"100.00%", "CancelMetadataModelConversion", "verdict: PARITY"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("output lacks %q:\n%s", s, stdout)
		}
	}
	for _, f := range []string{runner.ParityJSON, runner.ParityText, reports.FileJSON, "junit.xml", "report.html", "summary.md",
		filepath.Join(runner.ParityRun, reports.FileJSON), filepath.Join(runner.ParityRec, record.MetaFile)} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	run, err := reports.ReadJSON(filepath.Join(out, reports.FileJSON))
	if err != nil {
		t.Fatal(err)
	}
	if run.Mode != reports.ModeParity || run.Totals[reports.Fail] != 0 || run.Totals[reports.Pass] < 16 {
		t.Errorf("parity report: kind %q totals %v", run.Mode, run.Totals)
	}
}

func TestParityTamperedRecordingExitsOne(t *testing.T) {
	rec, err := record.Load(parityFixture)
	if err != nil {
		t.Fatal(err)
	}
	// Tamper with the first successful Start: another status, a member less.
	var check string
	var seq int
	for _, id := range rec.Keys() {
		for _, ex := range rec.Scripts[id].Exchanges {
			if check == "" && ex.Operation() == "StartMetadataModelConversion" && ex.Response.Status == 200 {
				check, seq = id, ex.Seq
			}
		}
	}
	if check == "" {
		t.Fatal("the fixture has no successful StartMetadataModelConversion")
	}
	ex := &rec.Scripts[check].Exchanges[seq-1]
	ex.Response.Status = 202
	delete(ex.Response.Body.(map[string]any), "RequestIdentifier")
	tampered := filepath.Join(t.TempDir(), "tampered")
	if err := rec.Write(tampered); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "parity")
	code, stdout, errs := runParityCmd("--recorded", tampered, "--out", out, "--format", "json")
	if code != reports.ExitNonConform {
		t.Fatalf("exit %d, want 1\n%s%s", code, stdout, errs)
	}
	var p record.Parity
	if err := json.Unmarshal([]byte(stdout), &p); err != nil {
		t.Fatalf("--format json is not JSON: %v\n%s", err, stdout)
	}
	if p.Exchanges-p.Matching != 1 {
		t.Errorf("%d exchanges differ, want 1", p.Exchanges-p.Matching)
	}
	found := map[string]string{}
	for _, c := range p.Scripts {
		for _, e := range c.Exchanges {
			for _, d := range e.Differences {
				found[c.Key+" "+d.Pointer] = d.Change
			}
		}
	}
	if found[check+" /response/status"] != record.DiffStatus || found[check+" /response/body/RequestIdentifier"] != record.DiffAdded {
		t.Errorf("differences %v", found)
	}
	for _, o := range p.Operations {
		if o.Operation == "StartMetadataModelConversion" && (o.Score >= 100 || o.Matching != o.Exchanges-1) {
			t.Errorf("StartMetadataModelConversion: %+v", o)
		}
	}
	text, _ := os.ReadFile(filepath.Join(out, runner.ParityText))
	if !strings.Contains(string(text), "status    /response/status: 202 -> 200") {
		t.Errorf("parity.txt:\n%s", text)
	}
}
