package kinds

import (
	"fmt"
	"strings"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
)

// Where the checks' strength comes from (DESIGN.md, "Where a check's strength comes
// from"). A MUST rests on the AWS model, the operations' documentation (quoted) or the
// awsJson 1.1 protocol; what is inferred from them is a SHOULD, labelled inferred
// (Expansion.Add enforces both). The documents, and the words quoted from them, are
// named once here.
const (
	// docBotocore is the service documentation that ships in AWS's model, read in
	// botocore 1.43.59 (2026-07-29).
	docBotocore = "botocore's DMS model documentation (1.43.59)"
	// docCLI are the AWS CLI examples of these operations, "tested against the real
	// DMS service" (aws-cli PR #10423, awscli/examples/dms/*metadata-model*.rst).
	docCLI = "the AWS CLI examples of the metadata model operations (aws-cli PR #10423, tested against the service)"
	// docIAM is the DMS user guide's page on fine-grained access control.
	docIAM = "the DMS user guide, fine-grained access control (CHAP_Security.FineGrainedAccess)"
	// protoJSON is Smithy's awsJson 1.1 protocol specification and its normative
	// compliance tests.
	protoJSON = "Smithy awsJson 1.1 protocol"
	// modelAWS is the AWS model of the service (botocore service-2.json, aws-sdk-go-v2),
	// as spec/dms.openapi.yaml carries it.
	modelAWS = "the AWS model (botocore service-2.json, aws-sdk-go-v2)"
)

// Quoted words.
const (
	quoteCanceling   = "CANCELING: The operation might still succeed or fail before cancellation takes effect"
	quoteInProgress  = "IN_PROGRESS: queued or actively running"
	quoteQueue       = "If other requests created by Start* operations are already in the migration project's queue, the conversion begins after they complete"
	quoteFilters     = "The supported filters are request-id and status."
	quoteUnion       = "A union is serialized identically as a structure shape, but only a single member can be set to a non-null value."
	quoteContentType = "In awsJson1_1 it MUST be application/x-amz-json-1.1"
	quoteErrorType   = "The component MUST be one of the following: an additional header with the name X-Amzn-Errortype, a body field with the name code, or a body field named __type."
	quoteIAM         = "User: arn:aws:sts::<account>:assumed-role/... is not authorized to perform: dms:<Action> on resource: <arn> (AccessDeniedException)"
)

func fromModel(ref string) reports.Source {
	return reports.Source{Origin: reports.SourceModel, Ref: modelAWS + ": " + ref}
}

func fromDocs(ref, quote string) reports.Source {
	return reports.Source{Origin: reports.SourceDocumentation, Ref: ref, Quote: quote}
}

func fromProtocol(ref, quote string) reports.Source {
	return reports.Source{Origin: reports.SourceProtocol, Ref: protoJSON + ": " + ref, Quote: quote}
}

// inferred is a source that says what the check infers and from what.
func inferred(ref, quote string) reports.Source {
	return reports.Source{Origin: reports.SourceInferred, Ref: ref, Quote: quote}
}

// memberRef names a member of the model by the shape that declares it:
// "SchemaConversionRequest.Status (string)".
func memberRef(mb *spec.Member) string {
	owner, _, _ := strings.Cut(strings.TrimPrefix(mb.Pointer, "#/components/schemas/"), "/")
	return fmt.Sprintf("%s.%s (%s)", owner, mb.Name, mb.Shape.TypeLabel())
}

// operationDoc is an operation's own documentation in the model.
func operationDoc(op *spec.Operation) reports.Source {
	return fromDocs("the "+op.Name+" documentation ("+docBotocore+")", op.Summary)
}

// checkSource enforces the rule: a MUST needs the model, the documentation or the
// protocol; an inference is a SHOULD.
func checkSource(id, level string, src reports.Source) error {
	switch src.Origin {
	case reports.SourceModel, reports.SourceDocumentation, reports.SourceProtocol:
	case reports.SourceInferred:
		if level != "SHOULD" {
			return fmt.Errorf("check %s is %s on an inference (%s): an inference is a SHOULD", id, level, src.Ref)
		}
	default:
		return fmt.Errorf("check %s names no source (kind %q): every check rests on the model, the documentation, the protocol, or says what it infers", id, src.Origin)
	}
	if src.Ref == "" {
		return fmt.Errorf("check %s: its source says nothing of what it rests on", id)
	}
	if level != "MUST" && level != "SHOULD" {
		return fmt.Errorf("check %s has level %q: MUST or SHOULD", id, level)
	}
	return nil
}
