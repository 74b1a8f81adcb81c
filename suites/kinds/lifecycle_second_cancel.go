package kinds

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/databasemigrationservice/types"
	"github.com/aws/smithy-go"

	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// SecondCancel: cancelling a request that has ended (the walk's, once CANCELED, SUCCESS
// or FAILED) fails with InvalidResourceStateFault. The documentation does not say what
// a second cancel answers: the fault list and the fault's words suggest it.
type SecondCancel struct{}

func init() {
	register(func(x *Expansion) {
		x.Add("lifecycle", "second-cancel", "SHOULD",
			inferred("the fault list of "+x.Cancel.Name+" (InvalidResourceStateFault: \""+x.Model.Fault("InvalidResourceStateFault").Doc+"\"); no public source says what a second cancel answers", ""),
			x.Cancel.Pointer, "cancelling an ended request is refused",
			x.Cancel.Name+" of a request that has ended (CANCELED, SUCCESS or FAILED) SHOULD fail with InvalidResourceStateFault.",
			[]string{"lifecycle", "fault", "sdk"}, SecondCancel{})
	})
}

// Needs implements engine.Kind.
func (SecondCancel) Needs() engine.Needs { return sdkView(walkNeeds) }

// Judge implements engine.Kind.
func (SecondCancel) Judge(ev *engine.Evidence) engine.Verdict {
	if v := cancelBlocked(ev); v != nil {
		return *v
	}
	w := ev.Walk
	if w.SecondCancel == nil || !spec.IsTerminalStatus(w.Final) {
		return engine.Skipf(nil, "the request never ended (%s): lifecycle.canceled reports it", walkGap(w))
	}
	smp := w.SecondCancel
	if c := ev.Unimplemented(smp); c != nil {
		return engine.By(c)
	}
	show := []*engine.Sample{smp}
	_, err := smp.SDK(ev.Cancel)
	var irs *types.InvalidResourceStateFault
	if errors.As(err, &irs) {
		return engine.Pass(show...)
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return engine.Failf(show, "cancelling the %s request %s gave %s (%q), want InvalidResourceStateFault", w.Final, w.RequestID, ae.ErrorCode(), ae.ErrorMessage())
	}
	if err == nil {
		req, _ := smp.Response().Object()["Request"].(map[string]any)
		st := engine.Str(req["Status"])
		return engine.Failf(show, "cancelling the %s request %s was accepted (%s, Status %q), want InvalidResourceStateFault", w.Final, w.RequestID, smp.Response().Summary(), st)
	}
	return engine.Failf(show, "cancelling the %s request %s gave %s and %v, want InvalidResourceStateFault", w.Final, w.RequestID, smp.Response().Summary(), err)
}
