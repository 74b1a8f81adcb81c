package kinds

import (
	"errors"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func TestFaultSDK(t *testing.T) {
	k := FaultSDK{Fault: "ResourceNotFoundFault"}
	rnf := func(status int, body string, hs ...hdr) *engine.Evidence {
		return notFound(unknownRequestAnswer(status, body, hs...), unknownProjectFault())
	}
	// Both "message" and "Message": the harness reads "message", the Go SDK whichever
	// its map order reaches last.
	twoMessages := func() (*engine.Evidence, *engine.Sample) {
		ev := rnf(400, `{"__type":"ResourceNotFoundFault","message":"no such request","Message":"No such request."}`)
		return ev, ev.NotFound.Get("unknown-request")
	}
	messageIs := func(want string) func(error) bool {
		return func(err error) bool {
			var ae smithy.APIError
			return errors.As(err, &ae) && ae.ErrorMessage() == want
		}
	}
	// serverFault is the model saying ResourceNotFoundFault is a server fault.
	serverFault := func(ev *engine.Evidence) *engine.Evidence {
		m := *ev.Model
		m.Faults = map[string]*spec.Fault{}
		for n, f := range ev.Model.Faults {
			m.Faults[n] = f
		}
		f := *m.Faults["ResourceNotFoundFault"]
		f.Side = "server"
		m.Faults["ResourceNotFoundFault"] = &f
		ev.Model = &m
		return ev
	}
	runJudgeCases(t, []judgeCase{
		{name: "both provocations surface as the typed fault", kind: k, ev: notFound(unknownRequestFault(), unknownProjectFault()),
			outcome: reports.Pass, shows: []string{"cancel an unknown request", "cancel in an unknown project"}},
		{name: "the fault in X-Amzn-ErrorType only surfaces typed", kind: k,
			ev: rnf(400, `{"message":"no such request"}`, with("X-Amzn-ErrorType", "ResourceNotFoundFault:http://internal.amazon.com/coral/com.amazonaws.dms/")), outcome: reports.Pass},
		{name: "the fault under code surfaces typed", kind: k, ev: rnf(400, `{"code":"ResourceNotFoundFault","message":"m"}`), outcome: reports.Pass},
		{name: "a namespaced __type surfaces typed", kind: k, ev: rnf(400, `{"__type":"com.amazonaws.dms#ResourceNotFoundFault","message":"m"}`), outcome: reports.Pass},
		{name: "the message under Message surfaces", kind: k, ev: rnf(400, `{"__type":"ResourceNotFoundFault","Message":"m"}`), outcome: reports.Pass},
		{name: "both messages, the SDK reading message", kind: k, ev: failedAs(t, twoMessages, messageIs("no such request")), outcome: reports.Pass},
		{name: "a success fails", kind: k, ev: rnf(200, mustJSON(obj{"Request": request("dmsconform-00000000", "CANCELING")})),
			outcome: reports.Fail, shows: []string{"cancel an unknown request"},
			message: []string{"aws-sdk-go-v2 does not surface ResourceNotFoundFault as its typed error", "cancel an unknown request: the SDK returned success (HTTP 200), want *types.ResourceNotFoundFault"}},
		{name: "a body that is not JSON fails", kind: k, ev: rnf(400, "<html><body>Not Found</body></html>", with("Content-Type", "text/html")),
			outcome: reports.Fail, message: []string{"cancel an unknown request: errors.As(err, smithy.APIError) failed", "deserialization failed"}},
		{name: "another modeled fault fails", kind: k, ev: rnf(400, `{"__type":"InvalidResourceStateFault","message":"m"}`),
			outcome: reports.Fail, message: []string{`errors.As gives types.InvalidResourceStateFault (code "InvalidResourceStateFault"), want the typed *types.ResourceNotFoundFault`}},
		{name: "an unmodeled code fails", kind: k, ev: rnf(400, `{"__type":"ResourceNotFoundException","message":"m"}`),
			outcome: reports.Fail, message: []string{`errors.As gives smithy.GenericAPIError (code "ResourceNotFoundException")`}},
		{name: "X-Amzn-ErrorType naming another fault wins over the body and fails", kind: k,
			ev:      rnf(400, `{"__type":"ResourceNotFoundFault","message":"m"}`, with("X-Amzn-ErrorType", "AccessDeniedFault")),
			outcome: reports.Fail, message: []string{"errors.As gives types.AccessDeniedFault"}},
		{name: "both messages, the SDK reading Message, fails", kind: k, ev: failedAs(t, twoMessages, messageIs("No such request.")),
			outcome: reports.Fail, message: []string{`cancel an unknown request: ErrorMessage() is "No such request.", the wire says "no such request"`}},
		{name: "a fault the model calls server-side fails", kind: k, ev: serverFault(notFound(unknownRequestFault(), unknownProjectFault())),
			outcome: reports.Fail, message: []string{"cancel an unknown request: ErrorFault() is client, the model says server"}},
		{name: "the second cancel surfaces InvalidResourceStateFault", kind: FaultSDK{Fault: "InvalidResourceStateFault"}, ev: walked(),
			outcome: reports.Pass, shows: []string{"walk: cancel again"}},
		{name: "the denied principal's answer surfaces AccessDeniedFault", kind: FaultSDK{Fault: "AccessDeniedFault"},
			ev:      deniedBy(faultAnswer(cancelOp, "cancel as a denied principal", 400, "AccessDeniedFault", "not authorized")),
			outcome: reports.Pass, shows: []string{"cancel as a denied principal"}, message: []string{"with the modelled AccessDeniedFault"}},
		{name: "IAM's AccessDeniedException surfaces as the SDK's generic API error, and passes", kind: FaultSDK{Fault: "AccessDeniedFault"},
			ev:      deniedBy(faultAnswer(cancelOp, "cancel as a denied principal", 400, "AccessDeniedException", "User: arn:aws:sts::123456789012:assumed-role/r/s is not authorized to perform: dms:CancelMetadataModelConversion on resource: x")),
			outcome: reports.Pass, message: []string{"the target answered the denied caller with AccessDeniedException"}},
		{name: "another unmodelled code for the denial fails", kind: FaultSDK{Fault: "AccessDeniedFault"},
			ev:      deniedBy(faultAnswer(cancelOp, "cancel as a denied principal", 400, "UnauthorizedOperation", "no")),
			outcome: reports.Fail, message: []string{`errors.As gives smithy.GenericAPIError (code "UnauthorizedOperation"), want the typed *types.AccessDeniedFault`}},
		{name: "an unmodelled AccessDeniedException from the not-found probe fails", kind: k,
			ev:      notFound(faultAnswer(cancelOp, "cancel an unknown request", 400, "AccessDeniedException", "no"), unknownProjectFault()),
			outcome: reports.Fail, message: []string{`want the typed *types.ResourceNotFoundFault`}},
		{name: "moto's HTML 500 is unimplemented", kind: k, ev: notFound(motoHTML500(cancelOp, "cancel an unknown request"), motoHTML500(cancelOp, "cancel in an unknown project")),
			outcome: reports.Unimplemented, cause: causeUnimplCancel},
		{name: "no second cancel is skipped", kind: FaultSDK{Fault: "InvalidResourceStateFault"}, ev: blocked(unobservedWalk), outcome: reports.Skipped},
		{name: "a missing provocation is a harness error", kind: FaultSDK{Fault: "AccessDeniedFault"}, ev: deniedBy(nil), outcome: reports.Error,
			message: []string{"the AccessDeniedFault provocation is missing"}},
		{name: "a fault no script provokes is skipped", kind: FaultSDK{Fault: "ResourceQuotaExceededFault"}, ev: walked(), outcome: reports.Skipped},
		{name: "a fault the model lacks is a harness error", kind: FaultSDK{Fault: "NoSuchFault"}, ev: walked(), outcome: reports.Error},
	})
}
