package emulator

import (
	"fmt"
	"sort"
	"strings"
)

// Defect mode names: switchable, realistic misbehaviours that let the harness prove
// it detects them. Each changes the wire as its description says.
const (
	DefectFaultWrongName        = "fault-wrong-name"
	DefectFaultStatus500        = "fault-status-500"
	DefectFaultStatus200        = "fault-status-200"
	DefectFaultNoType           = "fault-no-type"
	DefectFaultMessageKey       = "fault-message-key"
	DefectFaultHeaderMismatch   = "fault-header-mismatch"
	DefectWrongContentType      = "wrong-content-type"
	DefectNoRequestID           = "no-request-id"
	DefectUndocumentedStatus    = "undocumented-status"
	DefectUndocumentedStep      = "undocumented-step"
	DefectLowercaseEndpointType = "lowercase-endpoint-type"
	DefectPercentOutOfRange     = "percent-out-of-range"
	DefectPercentAsString       = "percent-as-string"
	DefectTotalObjectsFloat     = "total-objects-float"
	DefectUnionTwoMembers       = "union-two-members"
	DefectUnionEmpty            = "union-empty"
	DefectUnionTypeInside       = "union-type-inside"
	DefectUnionUnknownMember    = "union-unknown-member"
	DefectMissingRequestID      = "missing-request-identifier"
	DefectMissingProjectARN     = "missing-project-arn"
	DefectWrongProjectARN       = "wrong-project-arn"
	DefectCancelNoEffect        = "cancel-no-effect"
	DefectCancelTerminal        = "cancel-terminal-succeeds"
	DefectCancelUnknown         = "cancel-unknown-succeeds"
	DefectIgnoreTarget          = "ignore-target"
	DefectUnsignedAccepted      = "unsigned-accepted"
	DefectMissingMemberAccepted = "missing-member-accepted"
	DefectUndeclaredMember      = "undeclared-member"
	DefectStatusDoubleL         = "status-double-l"
	DefectStepBackwards         = "step-backwards"
	DefectDeniedAllowed         = "denied-allowed"
	DefectRequestIDMismatch     = "request-id-mismatch"
	DefectNullMembers           = "null-members"
	DefectDescribeIgnoreFilters = "describe-ignores-filters"
	DefectCancelStuck           = "cancel-stuck-canceling"
	DefectStartNoIdentifier     = "start-no-identifier"
	DefectBadSignatureAccepted  = "bad-signature-accepted"
	DefectStatusLowercase       = "status-lowercase"
	DefectCancelAnyway          = "cancel-completes-anyway"
	DefectProgressNoStep        = "progress-no-step"
	DefectStatusBackToReceived  = "status-back-to-received"
	DefectCancelAnswerTwice     = "cancel-answer-twice"
	DefectRequestDoubleEncoded  = "request-double-encoded"
	DefectEnumsAsNumbers        = "enums-as-numbers"
	DefectErrorDetailsAsString  = "error-details-as-string"
	DefectErrorMessageList      = "error-message-list"
	DefectExportSQLAsObjects    = "export-sql-as-objects"
	DefectNullStringMembers     = "nullstring-members"
	DefectCancelIDAsList        = "cancel-id-as-list"
	DefectInputTypeCoerced      = "input-type-coerced"
	DefectInputLengthUnchecked  = "input-length-unchecked"
	DefectTerminalReverts       = "terminal-reverts"
)

// DefectMode is one defect mode with its one-line description.
type DefectMode struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

var defectModes = map[string]string{
	DefectFaultWrongName:        "ResourceNotFoundFault is sent as ResourceNotFoundException (body __type and X-Amzn-ErrorType)",
	DefectFaultStatus500:        "modeled faults (and the access denial) are sent with HTTP 500 instead of 400",
	DefectFaultStatus200:        "modeled faults (and the access denial) are sent with HTTP 200 (the Go SDK then reports success)",
	DefectFaultNoType:           "modeled faults (and the access denial) carry no __type in the body (the X-Amzn-ErrorType header is kept)",
	DefectFaultMessageKey:       "modeled faults (and the access denial) put the message under \"errorMessage\" instead of \"message\"",
	DefectFaultHeaderMismatch:   "X-Amzn-ErrorType of modeled faults (and the access denial) names another fault than the body __type",
	DefectWrongContentType:      "every response is sent with Content-Type application/json",
	DefectNoRequestID:           "responses carry no x-amzn-RequestId header",
	DefectUndocumentedStatus:    "Status PAUSED (undocumented) is sent instead of IN_PROGRESS",
	DefectUndocumentedStep:      "ProgressStep VALIDATING (undocumented) is sent instead of every in-progress step",
	DefectLowercaseEndpointType: "ProcessedObject.EndpointType is sent lower case (source, target)",
	DefectPercentOutOfRange:     "ProgressPercent is sent as 150, outside 0..100",
	DefectPercentAsString:       "ProgressPercent is sent as a JSON string such as \"50\"",
	DefectTotalObjectsFloat:     "TotalObjects (a long) is sent with a fraction, such as 12.5",
	DefectUnionTwoMembers:       "the Error union of failed requests has two members set (defaultErrorDetails and sqlErrorDetails)",
	DefectUnionEmpty:            "the Error union of failed requests is sent as {}",
	DefectUnionTypeInside:       "the Error union of failed requests carries a __type key beside its member",
	DefectUnionUnknownMember:    "the Error union of failed requests uses the unknown member futureErrorDetails",
	DefectMissingRequestID:      "SchemaConversionRequest objects omit RequestIdentifier",
	DefectMissingProjectARN:     "SchemaConversionRequest objects omit MigrationProjectArn",
	DefectWrongProjectARN:       "SchemaConversionRequest objects carry the ARN of another migration project",
	DefectCancelNoEffect:        "Cancel* answers 200 with the request unchanged and leaves it running (no CANCELING, never CANCELED)",
	DefectCancelTerminal:        "Cancel* of a terminal request answers 200 with the request instead of InvalidResourceStateFault",
	DefectCancelUnknown:         "Cancel* of an unknown request id answers 200 CANCELING instead of ResourceNotFoundFault",
	DefectIgnoreTarget:          "X-Amz-Target is ignored: unknown targets run CancelMetadataModelConversion instead of UnknownOperationException",
	DefectUnsignedAccepted:      "requests without an Authorization header are accepted (and allowed everything)",
	DefectMissingMemberAccepted: "requests missing required input members are accepted instead of ValidationException",
	DefectUndeclaredMember:      "successful outputs carry an extra top-level member ResponseMetadata the model does not declare",
	DefectStatusDoubleL:         "Status is spelled CANCELLING / CANCELLED (double L) instead of CANCELING / CANCELED",
	DefectStepBackwards:         "ProgressStep goes back to LOADING_METADATA after ANALYZING (sent instead of CONVERTING)",
	DefectDeniedAllowed:         "the access policy is ignored: denied principals are allowed (no AccessDeniedException)",
	DefectRequestIDMismatch:     "Cancel* answers with a RequestIdentifier other than the one cancelled",
	DefectNullMembers:           "unset optional output members are sent as null instead of being omitted",
	DefectDescribeIgnoreFilters: "Describe* ignores Filters and returns every request of the project",
	DefectCancelStuck:           "a cancelled request answers CANCELING forever and never reaches CANCELED",
	DefectStartNoIdentifier:     "Start* answers 200 without a RequestIdentifier",
	DefectBadSignatureAccepted:  "requests whose SigV4 signature does not verify are accepted (the key must still be known)",
	DefectStatusLowercase:       "every Status is sent lower case (in_progress, canceling, canceled, ...), so a documented terminal status never arrives",
	DefectCancelAnyway:          "a cancelled request answers CANCELING, then runs to its end anyway (SUCCESS or FAILED), even when cancelled while queued",
	DefectProgressNoStep:        "Progress is sent without its ProgressStep",
	DefectStatusBackToReceived:  "a running request is described RECEIVED again while it counts objects (IN_PROGRESS -> RECEIVED -> IN_PROGRESS, a move the documented lifecycle does not have)",
	DefectCancelAnswerTwice:     "Cancel* writes its answer twice in one body (two JSON documents back to back): aws-sdk-go-v2 reads the first and ignores the rest, so its typed result differs from the wire, which is no one document",
	DefectRequestDoubleEncoded:  "Cancel* sends Request as a JSON string holding the encoded object (encoded twice) instead of the object",
	DefectEnumsAsNumbers:        "Status, ProgressStep and ProcessedObject.EndpointType are sent as integer codes (their position in the documented list) instead of strings",
	DefectErrorDetailsAsString:  "the Error union's member of failed requests is sent as its message string ({\"defaultErrorDetails\": \"...\"}) instead of an object",
	DefectErrorMessageList:      "defaultErrorDetails.Message of failed requests is sent as a list of messages ([\"...\"]) instead of a string",
	DefectExportSQLAsObjects:    "ExportSqlDetails.S3ObjectKey and ObjectURL are sent as S3 location objects ({\"Bucket\": ..., \"Key\": ...}) instead of strings",
	DefectNullStringMembers:     "MigrationProjectArn and ProcessedObject.Name and Type are sent as Go sql.NullString objects ({\"String\": ..., \"Valid\": true}) instead of strings",
	DefectCancelIDAsList:        "Cancel* answers echo RequestIdentifier as a one-element list ([\"<id>\"]) instead of a string",
	DefectInputTypeCoerced:      "input members of the wrong JSON type are read as their JSON text (12345 as \"12345\") instead of being refused with SerializationException",
	DefectInputLengthUnchecked:  "a MigrationProjectIdentifier longer than its 255 characters is looked up (ResourceNotFoundFault) instead of refused with ValidationException",
	DefectTerminalReverts:       "a request that ended (SUCCESS, FAILED, CANCELED) shows IN_PROGRESS again from three steps after its end, as if a worker picked it up again",
}

// DefectModes lists the defect modes, sorted by name.
func DefectModes() []DefectMode {
	out := make([]DefectMode, 0, len(defectModes))
	for n, d := range defectModes {
		out = append(out, DefectMode{Name: n, Description: d})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// defectSet is an immutable set of active defect modes; nil is the empty set.
type defectSet struct {
	on    map[string]bool
	names []string // sorted
}

func (d *defectSet) has(name string) bool { return d != nil && d.on[name] }

func parseDefects(modes []string) (*defectSet, error) {
	d := &defectSet{on: map[string]bool{}}
	var unknown []string
	for _, m := range modes {
		m = strings.TrimSpace(m)
		if m == "" {
			continue
		}
		if _, ok := defectModes[m]; !ok {
			unknown = append(unknown, m)
			continue
		}
		if !d.on[m] {
			d.on[m] = true
			d.names = append(d.names, m)
		}
	}
	if len(unknown) > 0 {
		names := make([]string, 0, len(defectModes))
		for _, dm := range DefectModes() {
			names = append(names, dm.Name)
		}
		return nil, fmt.Errorf("emulator: unknown defect mode %s; known modes: %s",
			strings.Join(quoteAll(unknown), ", "), strings.Join(names, ", "))
	}
	sort.Strings(d.names)
	return d, nil
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// SetDefects replaces the active defect modes (nil or empty: none). An unknown mode
// is an error listing the known ones, and nothing changes.
func (e *Emulator) SetDefects(modes []string) error {
	d, err := parseDefects(modes)
	if err != nil {
		return err
	}
	e.defects.Store(d)
	return nil
}

// Defects returns the active defect modes, sorted.
func (e *Emulator) Defects() []string {
	return append([]string(nil), e.defects.Load().names...)
}
