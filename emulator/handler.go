package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/dmsconform/dmsconform/internal/jsonv"
	"github.com/dmsconform/dmsconform/spec"
)

const (
	contentTypeJSON11 = "application/x-amz-json-1.1"
	headerRequestID   = "X-Amzn-Requestid"
	headerErrorType   = "X-Amzn-Errortype"
)

// apiError is an error answer of the AWS surface.
type apiError struct {
	status  int
	code    string
	msg     string
	modeled bool // a modeled DMS fault or IAM's access denial: the fault-* defects apply to it
}

func (e *apiError) Error() string { return e.code + ": " + e.msg }

func newErr(code, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: code, msg: fmt.Sprintf(format, args...)}
}

func newFault(code, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: code, msg: fmt.Sprintf(format, args...), modeled: true}
}

// ServeHTTP answers one request: the control surface (when enabled) under
// ControlPrefix, the AWS surface everywhere else, after the weather (see Weather). It
// never panics, except with http.ErrAbortHandler for a call the weather keeps silent:
// an internal error answers 500 InternalFailure.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if e.control && strings.HasPrefix(r.URL.Path, ControlPrefix) {
		e.serveControl(w, r)
		return
	}
	d := e.defects.Load()
	if ws := e.weather.Load(); ws.gate && e.serveWeather(w, r, ws, d) {
		return
	}
	reqID := e.newUUID()
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			e.writeError(w, reqID, &apiError{status: http.StatusInternalServerError, code: CodeInternal,
				msg: fmt.Sprintf("the emulator failed internally (%v); this is a dmsconform bug, please report it with the request", v)}, d)
		}
	}()
	if e.autoAdvance > 0 && e.vclock != nil {
		e.vclock.Advance(e.autoAdvance)
	}
	out, aerr := e.handleAWS(r, d, reqID)
	if aerr != nil {
		e.writeError(w, reqID, aerr, d)
		return
	}
	if d.has(DefectUndeclaredMember) {
		out["ResponseMetadata"] = map[string]any{"RequestId": reqID}
	}
	body, err := json.Marshal(out)
	if err != nil {
		e.writeError(w, reqID, &apiError{status: http.StatusInternalServerError, code: CodeInternal,
			msg: "the emulator could not encode its answer: " + err.Error()}, d)
		return
	}
	if _, cancel := out["Request"]; cancel && d.has(DefectCancelAnswerTwice) { // Cancel* outputs are the ones with a Request
		body = append(append(body, '\n'), body...)
	}
	e.writeBody(w, reqID, http.StatusOK, body, d)
}

func (e *Emulator) writeBody(w http.ResponseWriter, reqID string, status int, body []byte, d *defectSet) {
	h := w.Header()
	if d.has(DefectWrongContentType) {
		h["Content-Type"] = []string{"application/json"}
	} else {
		h["Content-Type"] = []string{contentTypeJSON11}
	}
	if !d.has(DefectNoRequestID) {
		h[headerRequestID] = []string{reqID}
	}
	h["Content-Length"] = []string{fmt.Sprint(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (e *Emulator) writeError(w http.ResponseWriter, reqID string, ae *apiError, d *defectSet) {
	status, code, header := ae.status, ae.code, ae.code
	msgKey := "message"
	body := map[string]any{}
	if ae.modeled {
		if d.has(DefectFaultWrongName) && code == CodeResourceNotFound {
			code, header = "ResourceNotFoundException", "ResourceNotFoundException"
		}
		switch {
		case d.has(DefectFaultStatus500):
			status = http.StatusInternalServerError
		case d.has(DefectFaultStatus200):
			status = http.StatusOK
		}
		if d.has(DefectFaultMessageKey) {
			msgKey = "errorMessage"
		}
		if d.has(DefectFaultHeaderMismatch) {
			header = CodeResourceNotFound
			if code == CodeResourceNotFound {
				header = CodeInvalidState
			}
		}
	}
	if !(ae.modeled && d.has(DefectFaultNoType)) {
		body["__type"] = code
	}
	body[msgKey] = ae.msg
	b, _ := json.Marshal(body)
	w.Header()[headerErrorType] = []string{header}
	e.writeBody(w, reqID, status, b, d)
}

// handleAWS runs the AWS-surface pipeline and returns the output object.
func (e *Emulator) handleAWS(r *http.Request, d *defectSet, reqID string) (map[string]any, *apiError) {
	body, aerr := e.readBody(r)
	if aerr != nil {
		return nil, aerr
	}
	principal, aerr := e.authenticate(r, body, d)
	if aerr != nil {
		return nil, aerr
	}
	op, aerr := e.route(r, d)
	if aerr != nil {
		return nil, aerr
	}
	in, aerr := e.decodeInput(op, body, d)
	if aerr != nil {
		return nil, aerr
	}
	if principal.denied(op.Name) && !d.has(DefectDeniedAllowed) {
		// IAM's denial of the caller, in the words AWS uses. It is not the modelled
		// AccessDeniedFault (DMS's own role denied access to an endpoint); the fault-*
		// defects apply to it all the same, as the access-denied checks judge it.
		return nil, &apiError{status: http.StatusBadRequest, code: CodeAccessDeniedException, modeled: true,
			msg: fmt.Sprintf("User: %s is not authorized to perform: dms:%s on resource: %s", principal.Principal, op.Name, e.resourceARN(str(in, "MigrationProjectIdentifier")))}
	}
	return e.dispatch(op, in, d)
}

// resourceARN is the migration project ARN an IAM decision names for a project
// identifier (a name or an ARN; a project the emulator does not know gets the ARN
// its name would have).
func (e *Emulator) resourceARN(ident string) string {
	if p := e.lookupProject(ident); p != nil {
		return p.arn
	}
	if strings.HasPrefix(ident, "arn:") {
		return ident
	}
	return fmt.Sprintf("arn:aws:dms:%s:%s:migration-project:%s", e.region, e.account, ident)
}

func (e *Emulator) readBody(r *http.Request) ([]byte, *apiError) {
	tooLarge := func() *apiError {
		return &apiError{status: http.StatusRequestEntityTooLarge, code: CodeTooLarge,
			msg: fmt.Sprintf("the request body is larger than %d bytes, the emulator's limit (Config.MaxBodyBytes); DMS requests are small JSON documents, send less", e.maxBody)}
	}
	if r.ContentLength > e.maxBody {
		return nil, tooLarge()
	}
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, e.maxBody+1))
	if err != nil {
		return nil, newErr(CodeSerialization, "could not read the request body: %v", err)
	}
	if int64(len(body)) > e.maxBody {
		return nil, tooLarge()
	}
	return body, nil
}

func (e *Emulator) route(r *http.Request, d *defectSet) (*spec.Operation, *apiError) {
	target := r.Header.Get("X-Amz-Target")
	var op *spec.Operation
	if r.Method == http.MethodPost && r.URL.Path == "/" {
		op = e.model.OperationByTarget(target)
	}
	if op == nil && d.has(DefectIgnoreTarget) {
		op = e.model.FamilyOperation(e.model.Families()[0], spec.RoleCancel) // CancelMetadataModelConversion
	}
	if op != nil {
		return op, nil
	}
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		return nil, newErr(CodeUnknownOperation, "%s %s is not an operation: the DMS JSON protocol is POST / with an X-Amz-Target header such as %s.CancelMetadataModelConversion",
			r.Method, r.URL.Path, e.model.Service.TargetPrefix)
	}
	if target == "" {
		return nil, newErr(CodeUnknownOperation, "missing X-Amz-Target header; send %s.<Operation>, one of: %s",
			e.model.Service.TargetPrefix, strings.Join(e.operationNames(), ", "))
	}
	return nil, newErr(CodeUnknownOperation, "unknown operation %q in X-Amz-Target; the emulator implements %s.<Operation> for: %s",
		target, e.model.Service.TargetPrefix, strings.Join(e.operationNames(), ", "))
}

// decodeInput decodes and validates the body against the operation's input shape.
func (e *Emulator) decodeInput(op *spec.Operation, body []byte, d *defectSet) (map[string]any, *apiError) {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	v, err := jsonv.Decode(body)
	if err != nil {
		return nil, newErr(CodeSerialization, "the request body is not a JSON document (%v); send a JSON object of the %s members", err, op.Input.Name)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, newErr(CodeSerialization, "the request body must be a JSON object of the %s members, got %s", op.Input.Name, jsonType(v))
	}
	var validation []string
	for _, f := range spec.Validate(op.Input, v) {
		if f.Severity != spec.Violation {
			continue
		}
		member := memberPath(f.Pointer)
		if d.has(DefectInputTypeCoerced) && f.Rule == spec.RuleType && coerce(obj, f.Pointer) {
			continue
		}
		if d.has(DefectInputLengthUnchecked) && f.Rule == spec.RuleMaxLength {
			continue
		}
		switch f.Rule {
		case spec.RuleJSON, spec.RuleType, spec.RuleInteger, spec.RuleRange:
			return nil, newErr(CodeSerialization, "cannot deserialize member '%s' of %s: expected %s, got %s", member, op.Input.Name, f.Expected, f.Got)
		case spec.RuleRequired, spec.RuleNull:
			if d.has(DefectMissingMemberAccepted) {
				continue
			}
			validation = append(validation, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", member))
		case spec.RuleMaxLength:
			validation = append(validation, fmt.Sprintf("Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %s (got %s)",
				member, strings.TrimPrefix(strings.TrimSuffix(f.Expected, " characters"), "at most "), f.Got))
		default:
			validation = append(validation, fmt.Sprintf("Value at '%s' failed to satisfy constraint: expected %s, got %s", member, f.Expected, f.Got))
		}
	}
	if len(validation) > 0 {
		return nil, validationErr(validation...)
	}
	return obj, nil
}

// coerce replaces a top-level input member of the wrong JSON type by its JSON text
// (input-type-coerced); false for a pointer below the top level.
func coerce(obj map[string]any, ptr string) bool {
	name := strings.TrimPrefix(ptr, "/")
	v, ok := obj[name]
	if !ok || name == "" || strings.Contains(name, "/") {
		return false
	}
	b, err := json.Marshal(v)
	if err != nil {
		return false
	}
	obj[name] = string(b)
	return true
}

func validationErr(problems ...string) *apiError {
	noun := "error"
	if len(problems) > 1 {
		noun = "errors"
	}
	return newErr(CodeValidation, "%d validation %s detected: %s", len(problems), noun, strings.Join(problems, "; "))
}

// memberPath turns a JSON pointer (/Filters/0/Name) into a member path
// (Filters.0.Name).
func memberPath(ptr string) string {
	p := strings.TrimPrefix(ptr, "/")
	if p == "" {
		return "(body)"
	}
	p = strings.ReplaceAll(p, "/", ".")
	return strings.NewReplacer("~1", "/", "~0", "~").Replace(p)
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64:
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}

// str returns a string member of a decoded input ("" when absent).
func str(in map[string]any, name string) string {
	s, _ := in[name].(string)
	return s
}
