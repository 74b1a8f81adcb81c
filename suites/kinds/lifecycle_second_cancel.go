package kinds

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/databasemigrationservice/types"
	"github.com/aws/smithy-go"

	"github.com/dmsconform/dmsconform/suites/engine"
)

// SecondCancel: cancelling a request that is already CANCELED fails with
// InvalidResourceStateFault.
type SecondCancel struct{}

func init() {
	register(func(x *Expansion) {
		x.Add("lifecycle", "second-cancel", "MUST", x.Cancel.Pointer, "cancelling a CANCELED request is refused",
			x.Cancel.Name+" of a request that is already CANCELED MUST fail with InvalidResourceStateFault.",
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
	if w.SecondCancel == nil || w.Final != "CANCELED" {
		return engine.Skipf(nil, "the request never reached CANCELED (%s): lifecycle.canceled reports it", walkGap(w))
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
		return engine.Failf(show, "cancelling the CANCELED request %s gave %s (%q), want InvalidResourceStateFault", w.RequestID, ae.ErrorCode(), ae.ErrorMessage())
	}
	return engine.Failf(show, "cancelling the CANCELED request %s gave %s and %v, want InvalidResourceStateFault", w.RequestID, smp.Response().Summary(), err)
}
