package kinds

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// FaultSDK: aws-sdk-go-v2 surfaces a modeled fault of the cancel operation as its
// typed error (errors.As) with the wire's message; IAM's AccessDeniedException, which
// the operation does not model, as the SDK's generic API error with that code.
type FaultSDK struct {
	Fault string // e.g. ResourceNotFoundFault
}

func init() {
	register(func(x *Expansion) {
		for _, f := range x.Cancel.Faults {
			sentence := fmt.Sprintf("aws-sdk-go-v2 MUST surface %s from %s as its typed error (errors.As) with the wire's message.", f.Name, x.Cancel.Name)
			if f.Name == accessDeniedFault {
				sentence = fmt.Sprintf("aws-sdk-go-v2 MUST surface a denial from %s as the typed %s, or IAM's AccessDeniedException (a code the operation does not model) as its generic API error with that code, with the wire's message.", x.Cancel.Name, f.Name)
			}
			x.Add("fault", f.Name+".sdk", "MUST", faultSource(x.Cancel, f), f.Pointer, f.Name+" through the SDK", sentence,
				[]string{"fault", "sdk"}, FaultSDK{Fault: f.Name})
		}
	})
}

// Needs implements engine.Kind.
func (k FaultSDK) Needs() engine.Needs { return sdkView(faultNeeds(k.Fault)) }

// Judge implements engine.Kind.
func (k FaultSDK) Judge(ev *engine.Evidence) engine.Verdict {
	f := ev.Model.Fault(k.Fault)
	if f == nil {
		return engine.Errorf("the model has no fault %s: regenerate the suites", k.Fault)
	}
	samples, v := provocations(ev, k.Fault)
	if v != nil {
		return *v
	}
	var j engine.Judgement
	used := map[string]bool{}
	for _, smp := range samples {
		j.Show(smp)
		_, err := smp.SDK(ev.Cancel)
		if err == nil {
			j.Problem(smp, "%s: the SDK returned success (HTTP %d), want *types.%s", smp.Name, smp.Response().Status, f.Name)
			continue
		}
		var ae smithy.APIError
		if !errors.As(err, &ae) {
			j.Problem(smp, "%s: errors.As(err, smithy.APIError) failed: %v", smp.Name, err)
			continue
		}
		t := reflect.TypeOf(ae)
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		typed := t.Name() == f.Name && strings.HasSuffix(t.PkgPath(), "databasemigrationservice/types")
		// IAM's AccessDeniedException is not in the operation's model: the SDK
		// surfaces it as its generic API error, which is all it can do.
		var generic *smithy.GenericAPIError
		iam := f.Name == accessDeniedFault && errors.As(err, &generic) && generic.ErrorCode() == accessDeniedException
		switch {
		case iam:
			used[accessDeniedException] = true
		case !typed:
			j.Problem(smp, "%s: errors.As gives %s (code %q), want the typed *types.%s", smp.Name, t, ae.ErrorCode(), f.Name)
			continue
		case ae.ErrorCode() != f.Name:
			j.Problem(smp, "%s: ErrorCode() is %q, want %q", smp.Name, ae.ErrorCode(), f.Name)
		default:
			used[f.Name] = true
		}
		if msg, ok := smp.Response().Message(); ok && ae.ErrorMessage() != msg {
			j.Problem(smp, "%s: ErrorMessage() is %q, the wire says %q", smp.Name, ae.ErrorMessage(), msg)
		}
		if want := map[string]smithy.ErrorFault{"client": smithy.FaultClient, "server": smithy.FaultServer}[f.Side]; typed && ae.ErrorFault() != want {
			j.Problem(smp, "%s: ErrorFault() is %v, the model says %s", smp.Name, ae.ErrorFault(), f.Side)
		}
	}
	vd := j.Verdict(fmt.Sprintf("aws-sdk-go-v2 does not surface %s as its typed error", f.Name))
	if vd.Outcome == reports.Pass {
		vd.Message = usedWords(f.Name, used)
	}
	return vd
}
