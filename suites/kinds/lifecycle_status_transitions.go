package kinds

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/dmsconform/dmsconform/suites/engine"
)

// StatusTransitions: Status moves only RECEIVED -> IN_PROGRESS -> SUCCESS | FAILED, or
// through a cancel to CANCELING -> CANCELED | SUCCESS | FAILED, and never leaves a
// terminal status. The documentation gives each status a meaning, not the order: the
// lifecycle is inferred from the meanings. Undocumented values are left to
// enum.*.documented; transitions are judged on what was seen.
type StatusTransitions struct {
	Set string // the Status value set, e.g. RequestStatus
}

func init() {
	register(func(x *Expansion) {
		for _, mp := range x.Paths {
			if vs := mp.Member.Shape.Values; vs != nil && mp.Member.Name == "Status" {
				x.Add("lifecycle", "status-transitions", "SHOULD", inferred("the meanings "+docBotocore+" gives the "+vs.Name+" values (RECEIVED \"not yet queued\", IN_PROGRESS \"queued or actively running\", CANCELING \"might still succeed or fail\"); it states no order", ""),
					vs.Pointer, "status changes follow the documented lifecycle",
					"Status SHOULD move only RECEIVED -> IN_PROGRESS -> SUCCESS | FAILED, or through a cancel to CANCELING -> CANCELED | SUCCESS | FAILED, and never leave a terminal status.",
					[]string{"lifecycle", "enum"}, StatusTransitions{Set: vs.Name})
				return
			}
		}
	})
}

// allowedNext is the documented lifecycle.
var allowedNext = map[string][]string{
	"RECEIVED":    {"IN_PROGRESS", "SUCCESS", "FAILED", "CANCELING", "CANCELED"},
	"IN_PROGRESS": {"SUCCESS", "FAILED", "CANCELING", "CANCELED"},
	"CANCELING":   {"CANCELED", "SUCCESS", "FAILED"}, // "might still succeed or fail before cancellation takes effect"
	"SUCCESS":     {},
	"FAILED":      {},
	"CANCELED":    {},
}

// Needs implements engine.Kind.
func (StatusTransitions) Needs() engine.Needs { return observedNeeds }

// Judge implements engine.Kind.
func (k StatusTransitions) Judge(ev *engine.Evidence) engine.Verdict {
	vs := ev.Model.ValueSets[k.Set]
	if vs == nil {
		return engine.Errorf("the model has no value set %s: regenerate the suites", k.Set)
	}
	h := histories(ev.Observed())
	var j engine.Judgement
	checked := 0
	for _, id := range slices.Sorted(maps.Keys(h.Statuses)) {
		sts := h.Statuses[id]
		prev := ""
		for _, st := range sts {
			if !vs.Contains(st) {
				continue
			}
			if prev != "" {
				checked++
				if !slices.Contains(allowedNext[prev], st) {
					j.Problem(h.First[id], "request %s went %s -> %s (observed %s)", id, prev, st, strings.Join(sts, " -> "))
					break
				}
			}
			prev = st
		}
	}
	if checked == 0 {
		return nothingObserved(ev, "no request was seen change status")
	}
	var first *engine.Sample
	for _, id := range slices.Sorted(maps.Keys(h.First)) {
		first = h.First[id]
		break
	}
	return j.Verdict(fmt.Sprintf("status transitions outside the documented lifecycle"), first)
}
