package record

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/conformance"
)

// Recorder is the exchange observer of `dmsconform run --record DIR`: it normalises
// every exchange as it happens (so placeholders are numbered in the order of the run)
// and writes the recording when the run is done.
type Recorder struct {
	mu     sync.Mutex
	dir    string
	norm   *Normaliser
	meta   Meta
	checks map[string]*CheckFile
}

// NewRecorder prepares dir (see PrepareDir) and returns a Recorder. meta describes the
// run; its project is normalised here. secrets are scrubbed wherever they appear.
func NewRecorder(dir string, meta Meta, secrets ...string) (*Recorder, error) {
	if err := PrepareDir(dir); err != nil {
		return nil, err
	}
	r := &Recorder{dir: dir, norm: NewNormaliser(secrets...), meta: meta, checks: map[string]*CheckFile{}}
	r.meta.Target.Project = r.norm.Text(meta.Target.Project)
	return r, nil
}

// Observe is a conformance.ExchangeObserver.
func (r *Recorder) Observe(checkID string, seq int, ex conformance.Exchange) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cf := r.checks[checkID]
	if cf == nil {
		cf = &CheckFile{Check: checkID, Exchanges: []Exchange{}}
		r.checks[checkID] = cf
	}
	// The harness numbers exchanges per check from 1; keep the file's own order
	// authoritative so a replay by sequence always finds what was recorded.
	if want := len(cf.Exchanges) + 1; seq != want {
		seq = want
	}
	cf.Exchanges = append(cf.Exchanges, r.norm.Exchange(seq, ex))
}

// Finish writes the recording: one file per check of run (with its outcome, also for
// checks that made no exchange of their own), _setup.json and recording.json.
func (r *Recorder) Finish(run *reports.Run) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	rec := &Recording{Meta: r.meta, Checks: r.checks}
	if run != nil {
		for _, c := range run.Checks {
			cf := rec.Checks[c.ID]
			if cf == nil {
				cf = &CheckFile{Check: c.ID, Exchanges: []Exchange{}}
				rec.Checks[c.ID] = cf
			}
			cf.Outcome = string(c.Outcome)
			cf.Message = r.norm.Text(c.Message)
		}
	}
	if rec.Checks[SetupCheck] == nil {
		rec.Checks[SetupCheck] = &CheckFile{Check: SetupCheck, Exchanges: []Exchange{}}
	}
	rec.Meta.Placeholders = r.norm.Placeholders()
	if err := renumber(rec); err != nil {
		return fmt.Errorf("--record %s: %w", r.dir, err)
	}
	rec.Meta.VolatileMembers = append([]string(nil), VolatileMembers...)
	sort.Strings(rec.Meta.VolatileMembers)
	if err := rec.Write(r.dir); err != nil {
		return fmt.Errorf("--record %s: %w", r.dir, err)
	}
	return nil
}

// MetaFor builds the metadata of a recording of run's kind of run.
func MetaFor(toolVersion string, model reports.ModelInfo, target reports.Target, labelFilter string, started time.Time) Meta {
	return Meta{
		Tool:        ToolRef{Name: "dmsconform", Version: toolVersion},
		Model:       ModelRef{Version: model.Version, SHA256: model.SHA256},
		Target:      TargetRef{Kind: target.Kind, Region: target.Region, Project: target.Project},
		LabelFilter: labelFilter,
		Created:     started.UTC().Format(time.RFC3339),
	}
}

// renumber numbers placeholders in the order they first appear in the written
// recording (recording.json's project, then the check files in ID order, each as
// serialised, then _setup.json) rather than in the order of the run, so a recording does not depend on
// the order Ginkgo ran the families in.
func renumber(rec *Recording) error {
	mapping := map[string]string{}
	counts := map[string]int{}
	see := func(text string) {
		for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
			if _, ok := mapping[m[0]]; !ok {
				counts[m[1]]++
				mapping[m[0]] = fmt.Sprintf("<%s:%d>", m[1], counts[m[1]])
			}
		}
	}
	see(rec.Meta.Target.Project)
	// Checks in ID order, then _setup.json: its clean-up calls follow the run's order.
	ids := rec.IDs()
	if len(ids) > 0 && ids[0] == SetupCheck {
		ids = append(ids[1:], SetupCheck)
	}
	for _, id := range ids {
		data, err := marshal(rec.Checks[id])
		if err != nil {
			return err
		}
		see(string(data))
	}
	apply := func(s string) string {
		return placeholder.ReplaceAllStringFunc(s, func(p string) string {
			if q, ok := mapping[p]; ok {
				return q
			}
			return p
		})
	}
	rec.Meta.Target.Project = apply(rec.Meta.Target.Project)
	ph := make(map[string]Placeholder, len(rec.Meta.Placeholders))
	for k, v := range rec.Meta.Placeholders {
		if q, ok := mapping[k]; ok {
			ph[q] = v
		}
	}
	rec.Meta.Placeholders = ph
	for _, cf := range rec.Checks {
		cf.Message = apply(cf.Message)
		for i := range cf.Exchanges {
			mapExchange(&cf.Exchanges[i], apply)
		}
	}
	return nil
}

// mapExchange applies f to every string of an exchange.
func mapExchange(ex *Exchange, f func(string) string) {
	ex.Name, ex.Error = f(ex.Name), f(ex.Error)
	for _, m := range []*Message{&ex.Request, &ex.Response} {
		m.Path, m.BodyText = f(m.Path), f(m.BodyText)
		for k, v := range m.Headers {
			m.Headers[k] = f(v)
		}
		if m.Body != nil {
			m.Body = mapValue(m.Body, f)
		}
	}
}

func mapValue(v any, f func(string) string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[f(k)] = mapValue(e, f)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = mapValue(e, f)
		}
		return out
	case string:
		return f(x)
	}
	return v
}
