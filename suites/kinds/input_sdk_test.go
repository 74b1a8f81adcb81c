package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func TestInputMissingSDK(t *testing.T) {
	k := InputMissingSDK{Member: "RequestIdentifier"}
	const refused = "operation error Database Migration Service: CancelMetadataModelConversion, 1 validation error(s) found.\n- missing required field, CancelMetadataModelConversionInput.RequestIdentifier.\n"
	validated := func(results ...engine.SDKValidationResult) *engine.Evidence {
		ev := walked()
		ev.SDKValidation = &engine.SDKValidationEvidence{Results: results}
		return ev
	}
	other := engine.SDKValidationResult{Member: "MigrationProjectIdentifier", InvalidParams: true,
		Error: "1 validation error(s) found.\n- missing required field, CancelMetadataModelConversionInput.MigrationProjectIdentifier.\n", ErrorType: "*smithy.OperationError"}
	runJudgeCases(t, []judgeCase{
		{name: "the SDK refuses to send, naming the member", kind: k,
			ev:      validated(other, engine.SDKValidationResult{Member: "RequestIdentifier", InvalidParams: true, Error: refused, ErrorType: "*smithy.OperationError"}),
			outcome: reports.Pass},
		{name: "the SDK sent the request fails", kind: k,
			ev:      validated(engine.SDKValidationResult{Member: "RequestIdentifier", Sent: true, Status: 400, Error: "ValidationException", ErrorType: "*smithy.OperationError"}),
			outcome: reports.Fail, message: []string{"the SDK sent the request without RequestIdentifier (HTTP 400); its own validation must stop it before sending"}},
		{name: "another error than InvalidParamsError fails", kind: k,
			ev: validated(engine.SDKValidationResult{Member: "RequestIdentifier", Error: "operation error Database Migration Service: CancelMetadataModelConversion, failed to resolve service endpoint",
				ErrorType: "*smithy.OperationError"}),
			outcome: reports.Fail, message: []string{"failed to resolve service endpoint (*smithy.OperationError), want smithy.InvalidParamsError"}},
		{name: "a validation error naming another member fails", kind: k,
			ev:      validated(engine.SDKValidationResult{Member: "RequestIdentifier", InvalidParams: true, Error: other.Error, ErrorType: "*smithy.OperationError"}),
			outcome: reports.Fail, message: []string{"the SDK's validation error does not name CancelMetadataModelConversionInput.RequestIdentifier"}},
		{name: "no result for the member is a harness error", kind: k, ev: validated(other), outcome: reports.Error,
			message: []string{"no SDK validation result for RequestIdentifier"}},
	})
}
