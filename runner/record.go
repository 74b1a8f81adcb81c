package runner

import (
	"time"

	"github.com/dmsconform/dmsconform/record"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/conformance"
)

func init() {
	conformance.SetReplayStarter(record.StartReplay)
}

// recording is the recorder of a run with Options.Record set; nil otherwise (its
// methods do nothing on nil).
type recording struct{ rec *record.Recorder }

// startRecording installs the exchange observer that records the run (before the
// reachability probe, so the recording holds every exchange of the run).
func startRecording(opts Options, sess *conformance.Session, started time.Time) (*recording, error) {
	if opts.Record == "" {
		return nil, nil
	}
	meta := record.MetaFor(Version,
		reports.ModelInfo{Version: sess.Model.Version, SHA256: sess.Model.SHA256, Source: sess.Model.Source},
		reports.Target{Kind: sess.Kind, Region: sess.Region, Project: sess.Project}, opts.LabelFilter, started)
	meta.DeniedPrincipal = sess.DeniedSDK != nil
	rec, err := record.NewRecorder(opts.Record, meta, secretsOf(sess)...)
	if err != nil {
		return nil, err
	}
	conformance.SetExchangeObserver(rec.Observe)
	return &recording{rec: rec}, nil
}

// stop uninstalls the observer (safe to call more than once).
func (r *recording) stop() {
	if r != nil {
		conformance.SetExchangeObserver(nil)
	}
}

// finish writes the recording with the run's outcomes.
func (r *recording) finish(run *reports.Run) error {
	if r == nil {
		return nil
	}
	r.stop()
	return r.rec.Finish(run)
}

// replayDefaults gives replay targets the short poll delays of the embedded target:
// a recording answers at once, so the 2s waits meant for remote targets would only
// slow a replay down. Delays set explicitly (not the remote defaults) are kept.
func replayDefaults(c conformance.Config) conformance.Config {
	if c.Target == conformance.TargetReplay && c.MinDelay == 2*time.Second && c.MaxDelay == 20*time.Second {
		c.MinDelay, c.MaxDelay = time.Millisecond, 10*time.Millisecond
	}
	return c
}
