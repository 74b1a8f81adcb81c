package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// A Start refused with one of its modelled faults blocks the walk's and the watch's
// checks with one and the same cause (the project's configuration), never a failure.
func TestStartRefusedIsOneCause(t *testing.T) {
	for name, ev := range map[string]*engine.Evidence{
		"walk and watch refused": walked(misconfiguredWalk, misconfiguredWatch),
		"only the watch refused": walked(func(ev *engine.Evidence) { ev.Walk = nil }, misconfiguredWatch),
	} {
		t.Run(name, func(t *testing.T) {
			v := nothingObserved(ev, "nothing seen")
			checkVerdict(t, v, judgeCase{outcome: reports.Skipped, cause: causeStartRefused,
				message: []string{"S3AccessDeniedFault, one of its modelled faults", "to fix:"}})
		})
	}
	// A refusal the Start operation does not model stays the walk's own cause.
	v := nothingObserved(walked(refusedStartWalk), "nothing seen")
	checkVerdict(t, v, judgeCase{outcome: reports.Skipped, cause: causeWalkStopped})
}
