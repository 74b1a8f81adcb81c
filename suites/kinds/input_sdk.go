package kinds

import (
	"fmt"
	"strings"

	"github.com/dmsconform/dmsconform/suites/engine"
)

// InputMissingSDK: aws-sdk-go-v2 refuses to send a cancel without a required member
// (smithy.InvalidParamsError naming it). It judges the SDK, not the target: no target
// defect can fail it.
type InputMissingSDK struct {
	Member string
}

func init() {
	register(func(x *Expansion) {
		op := x.Cancel
		for _, mb := range op.Input.Members {
			if mb.Required {
				x.Add("input", mb.Name+".missing.sdk", "MUST", fromModel(memberRef(mb)+" is a required member; aws-sdk-go-v2 validates required members before it sends"), mb.Pointer, "the SDK refuses to send without "+mb.Name,
					fmt.Sprintf("aws-sdk-go-v2 MUST refuse to send %s without %s (smithy.InvalidParamsError naming it).", op.Name, mb.Name),
					[]string{"input", "sdk"}, InputMissingSDK{Member: mb.Name})
			}
		}
	})
}

// TableTestsOnly implements engine.TableTested: the SDK refuses before it sends, so no
// answer of a target reaches this check; its table tests prove the judge.
func (InputMissingSDK) TableTestsOnly() string {
	return "it judges aws-sdk-go-v2's own validation, which stops the request before anything is sent: no answer of a target, defective or not, reaches it"
}

// Needs implements engine.Kind.
func (InputMissingSDK) Needs() engine.Needs {
	return engine.Needs{Evidence: []engine.Script{engine.SDKValidation}, SDK: true}
}

// Judge implements engine.Kind.
func (k InputMissingSDK) Judge(ev *engine.Evidence) engine.Verdict {
	for _, r := range ev.SDKValidation.Results {
		if r.Member != k.Member {
			continue
		}
		want := ev.Cancel.Name + "Input." + k.Member
		switch {
		case r.Sent:
			return engine.Failf(nil, "the SDK sent the request without %s (HTTP %d); its own validation must stop it before sending", k.Member, r.Status)
		case !r.InvalidParams:
			return engine.Failf(nil, "the SDK's error is %s (%s), want smithy.InvalidParamsError", r.Error, r.ErrorType)
		case !strings.Contains(r.Error, want):
			return engine.Failf(nil, "the SDK's validation error does not name %s: %s", want, r.Error)
		}
		return engine.Pass()
	}
	return engine.Errorf("no SDK validation result for %s in the evidence (a dmsconform bug)", k.Member)
}
