package runner

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/dmsconform/dmsconform/record"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
	"github.com/dmsconform/dmsconform/targets"
)

// prepareRecording refuses an unusable --record folder before anything runs.
func prepareRecording(dir string) error { return record.PrepareDir(dir) }

// writeRecording writes the session's evidence as a recording, normalised and redacted
// by the run's redactor.
func writeRecording(dir string, sess *engine.Session, run *reports.Run, red *reports.Redactor) error {
	facts, _ := json.Marshal(sess.Facts())
	meta := record.MetaFor(run.Tool.Version, record.ModelRef{Version: run.Model.Version, SHA256: run.Model.SHA256},
		record.TargetRef{TargetKind: sess.TargetKind, Region: sess.Region, Project: sess.Project}, run.LabelFilter, run.Started)
	meta.Control, meta.DeniedPrincipal, meta.Facts = sess.Offers(engine.CapControl), sess.Offers(engine.CapDenied), facts
	meta.FailingProject, meta.StartInputs = sess.FailingProject(), sess.Offers(engine.CapStartInputs)
	var scripts []record.Script
	for _, r := range sess.Records() {
		sc := record.Script{Key: r.Family + "/" + string(r.Script), Evidence: r.Evidence}
		if r.Cause != nil {
			sc.Cause, _ = json.Marshal(r.Cause)
		}
		scripts = append(scripts, sc)
	}
	var setup []reports.Exchange
	for _, s := range sess.Setup() {
		setup = append(setup, s.Attempts...)
	}
	rec, err := record.Build(meta, scripts, setup, record.NewNormaliserWith(red))
	if err != nil {
		return err
	}
	return rec.Write(dir)
}

// offlineSession opens a recording's evidence for judging, with no target.
func offlineSession(rec *record.Recording) (*engine.Session, error) {
	scripts, err := rec.Evidence()
	if err != nil {
		return nil, err
	}
	var records []engine.ScriptRecord
	for _, sc := range scripts {
		family, script, ok := strings.Cut(sc.Key, "/")
		if !ok {
			return nil, fmt.Errorf("%s: the evidence key %q is not family/script", rec.Dir, sc.Key)
		}
		r := engine.ScriptRecord{Family: family, Script: engine.Script(script), Evidence: sc.Evidence}
		if len(sc.Cause) > 0 {
			r.Cause = &engine.Cause{}
			if err := json.Unmarshal(sc.Cause, r.Cause); err != nil {
				return nil, fmt.Errorf("%s: the cause of %s: %w", rec.Dir, sc.Key, err)
			}
		}
		records = append(records, r)
	}
	var facts engine.Facts
	_ = json.Unmarshal(rec.Meta.Facts, &facts)
	return engine.OpenOffline(engine.Offline{Project: rec.Meta.Target.Project, Control: rec.Meta.Control, Denied: rec.Meta.DeniedPrincipal,
		FailingProject: rec.Meta.FailingProject, StartInputs: rec.Meta.StartInputs,
		Never: targets.Never(rec.Meta.Target.TargetKind), Facts: facts}, records)
}
