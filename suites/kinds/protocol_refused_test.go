package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func TestProtocolRefused(t *testing.T) {
	unknownTarget := ProtocolRefused{Probe: "unknown-target"}
	unsigned := ProtocolRefused{Probe: "unsigned"}
	badSig := ProtocolRefused{Probe: "bad-signature"}
	const (
		targetName   = "request with X-Amz-Target AmazonDMSv20160101.DmsconformNoSuchOperation"
		unsignedName = "unsigned cancel"
		badSigName   = "cancel with a corrupted signature"
	)
	// The unknown-target probe calls no operation of the model (Op "").
	target := func(status int, body string, hs ...hdr) *engine.Evidence {
		return probed(setProtocol, "unknown-target", raw("", targetName, status, body, hs...))
	}
	unsignedAnswer := func(smp *engine.Sample) *engine.Evidence { return probed(setProtocol, "unsigned", smp) }
	runJudgeCases(t, []judgeCase{
		{name: "an unknown target refused with UnknownOperationException passes", kind: unknownTarget,
			ev: target(400, `{"__type":"UnknownOperationException"}`), outcome: reports.Pass, shows: []string{targetName}},
		{name: "an unknown target refused with another 4xx is drift", kind: unknownTarget, ev: target(404, `{"__type":"InvalidAction","message":"no such action"}`),
			outcome: reports.Drift, shows: []string{targetName},
			message: []string{targetName + " got HTTP 404 InvalidAction: no such action; AWS JSON services answer UnknownOperationException (unverified for DMS)"}},
		{name: "an unknown target routed to the cancel fails", kind: unknownTarget, ev: target(200, mustJSON(obj{"Request": request(reqID, "CANCELING")})),
			outcome: reports.Fail, shows: []string{targetName},
			message: []string{targetName + " was answered HTTP 200 success: an unknown X-Amz-Target must be refused, not routed to an operation"}},
		{name: "an unknown target answered a fault of the cancel fails", kind: unknownTarget, ev: target(400, `{"__type":"ResourceNotFoundFault","message":"no conversion request"}`),
			outcome: reports.Fail, message: []string{"got ResourceNotFoundFault, a fault of CancelMetadataModelConversion itself: the target ran the operation instead of refusing the request"}},
		{name: "an unknown target answered a server error fails", kind: unknownTarget, ev: target(500, `{"__type":"InternalFailure","message":"boom"}`),
			outcome: reports.Fail, message: []string{"got HTTP 500 InternalFailure: boom, want a 4xx client error (UnknownOperationException)"}},
		{name: "an unknown target answered a redirect fails", kind: unknownTarget, ev: target(302, "", with("Location", "https://example.invalid/login"), without("Content-Type")),
			outcome: reports.Fail, message: []string{targetName + " got HTTP 302", "want a 4xx client error (UnknownOperationException)"}},
		{name: "an unsigned request refused as AWS does passes", kind: unsigned,
			ev:      unsignedAnswer(faultAnswer(cancelOp, unsignedName, 400, "MissingAuthenticationTokenException", "Missing Authentication Token")),
			outcome: reports.Pass, shows: []string{unsignedName}},
		{name: "an unsigned request refused with another 4xx is drift", kind: unsigned,
			ev:      unsignedAnswer(faultAnswer(cancelOp, unsignedName, 403, "AccessDeniedException", "Request is missing Authentication Token")),
			outcome: reports.Drift, message: []string{"AWS JSON services answer MissingAuthenticationTokenException"}},
		{name: "an unsigned request run fails", kind: unsigned,
			ev:      unsignedAnswer(faultAnswer(cancelOp, unsignedName, 400, "ResourceNotFoundFault", "no conversion request")),
			outcome: reports.Fail, message: []string{unsignedName + " got ResourceNotFoundFault", "a request without SigV4 must be refused"}},
		{name: "an unsigned request accepted fails", kind: unsigned, ev: unsignedAnswer(cancelAnswer(unsignedName, request(reqID, "CANCELING"))),
			outcome: reports.Fail, message: []string{unsignedName + " was answered HTTP 200 success"}},
		{name: "moto's HTML 500 to an unsigned cancel is unimplemented", kind: unsigned, ev: unsignedAnswer(motoHTML500(cancelOp, unsignedName)),
			outcome: reports.Unimplemented, cause: causeUnimplCancel},
		{name: "a bad signature refused as AWS does passes", kind: badSig,
			ev:      probed(setProtocol, "bad-signature", faultAnswer(cancelOp, badSigName, 403, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided.")),
			outcome: reports.Pass, shows: []string{badSigName}},
		{name: "a bad signature refused with SignatureDoesNotMatch is drift", kind: badSig,
			ev:      probed(setProtocol, "bad-signature", faultAnswer(cancelOp, badSigName, 403, "SignatureDoesNotMatch", "signature mismatch")),
			outcome: reports.Drift},
		{name: "a bad signature not checked fails", kind: badSig,
			ev:      probed(setProtocol, "bad-signature", faultAnswer(cancelOp, badSigName, 400, "ResourceNotFoundFault", "no conversion request")),
			outcome: reports.Fail, message: []string{"a request whose signature does not verify must be refused"}},
		{name: "a probe missing from the evidence is a harness error", kind: badSig, ev: probed(setProtocol, "unsigned", raw(cancelOp, "x", 403, "{}")),
			outcome: reports.Error, message: []string{"no bad-signature probe in the evidence"}},
		{name: "a probe this kind does not know is a harness error", kind: ProtocolRefused{Probe: "nope"}, ev: probed(setProtocol, "nope", raw(cancelOp, "x", 403, "{}")),
			outcome: reports.Error},
	})
}
