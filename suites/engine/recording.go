package engine

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"time"

	"github.com/dmsconform/dmsconform/spec"
)

// A recording is the evidence of a run: one record per family and script, written by
// Records and judged again, with no target, by a session OpenOffline opens.

// ScriptRecord is one script's evidence as a recording stores it.
type ScriptRecord struct {
	Family   string          `json:"family"`
	Script   Script          `json:"script"`
	Evidence json.RawMessage `json:"evidence,omitempty"`
	Cause    *Cause          `json:"cause,omitempty"` // a recording stores the cause as it is
}

// Records returns the evidence gathered so far, one record per family and script,
// families in name order, then Scripts order (the order a recording's files list).
func (s *Session) Records() []ScriptRecord {
	s.mu.Lock()
	var keys []scriptKey
	done := map[scriptKey]*gathering{} // read under the lock: scripts may still be gathering
	for k, g := range s.memo {
		if closed(g.done) {
			keys = append(keys, k)
			done[k] = g
		}
	}
	s.mu.Unlock()
	sort.SliceStable(keys, func(i, j int) bool {
		if keys[i].family != keys[j].family {
			return keys[i].family < keys[j].family
		}
		return scriptIndex(keys[i].script) < scriptIndex(keys[j].script)
	})
	var out []ScriptRecord
	for _, k := range keys {
		g := done[k]
		r := ScriptRecord{Family: k.family, Script: k.script}
		if g.ev != nil && !reflect.ValueOf(g.ev).IsNil() {
			r.Evidence, _ = json.Marshal(g.ev)
		}
		if c := g.cause; c != nil {
			r.Cause = c
		}
		out = append(out, r)
	}
	return out
}

func scriptIndex(sc Script) int {
	for i, x := range Scripts {
		if x == sc {
			return i
		}
	}
	return len(Scripts)
}

// Offline is what re-judging a recording needs to know of the recorded target.
type Offline struct {
	Project string
	Control bool
	Denied  bool
	// FailingProject and StartInputs: the recorded run had them.
	FailingProject string
	StartInputs    bool
	// Never is what the recorded target kind can never offer (a control surface on
	// aws), so a missing capability is judged as it was live.
	Never []Capability
	Facts Facts
}

// OpenOffline returns a session over recorded evidence: no target, no network.
// Checks whose evidence the recording lacks are skipped with that reason.
func OpenOffline(info Offline, records []ScriptRecord) (*Session, error) {
	m, err := spec.Load()
	if err != nil {
		return nil, err
	}
	s := &Session{Model: m, TargetKind: "recording", Project: info.Project, offers: map[Capability]bool{CapControl: info.Control, CapDenied: info.Denied,
		CapFailingProject: info.FailingProject != "", CapStartInputs: info.StartInputs}, never: info.Never, failing: info.FailingProject,
		offline: true, facts: info.Facts, breaker: newBreaker(time.Second), memo: map[scriptKey]*gathering{}, calls: map[string]int{}}
	for _, r := range records {
		g := &gathering{done: make(chan struct{})}
		close(g.done)
		g.cause = r.Cause
		if len(r.Evidence) > 0 && string(r.Evidence) != "null" {
			def := scriptOf(r.Script)
			if def == nil {
				return nil, fmt.Errorf("unknown evidence script %q (recorded by a newer dmsconform?)", r.Script)
			}
			ev := def.empty()
			if err := json.Unmarshal(r.Evidence, ev); err != nil {
				return nil, fmt.Errorf("evidence of %s/%s: %w", r.Family, r.Script, err)
			}
			g.ev = ev
		}
		s.memo[scriptKey{r.Family, r.Script}] = g
	}
	return s, nil
}
