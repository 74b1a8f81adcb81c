package emulator

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/dmsconform/dmsconform/internal/text"
	"github.com/dmsconform/dmsconform/spec"
)

func (e *Emulator) dispatch(op *spec.Operation, in map[string]any, d *defectSet) (map[string]any, *apiError) {
	ident := str(in, "MigrationProjectIdentifier")
	p := e.lookupProject(ident)
	if p == nil {
		return nil, newFault(CodeResourceNotFound, "Migration project %q not found in account %s, region %s; known projects: %s (name or ARN)",
			ident, e.account, e.region, e.projectList())
	}
	switch op.Role {
	case spec.RoleStart:
		return e.start(op, p, in, d)
	case spec.RoleDescribe:
		return e.describe(op, p, in, d)
	case spec.RoleCancel:
		return e.cancel(op, p, in, d)
	}
	return nil, newErr(CodeUnknownOperation, "operation %s has no emulator implementation (role %q)", op.Name, op.Role)
}

func (e *Emulator) projectList() string {
	names := make([]string, len(e.projects))
	for i, p := range e.projects {
		names[i] = p.name
	}
	return strings.Join(names, ", ")
}

func (e *Emulator) start(op *spec.Operation, p *project, in map[string]any, d *defectSet) (map[string]any, *apiError) {
	if f := refuseStart(op, p); f != nil {
		return nil, f
	}
	if props, ok := in["Properties"].(map[string]any); ok {
		if _, ok := props["StatementProperties"].(map[string]any); !ok {
			return nil, validationErr("Value at 'Properties' failed to satisfy constraint: Member must set StatementProperties (the only union member the emulator knows)")
		}
	}
	now := e.clock.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.lists[listKey{p, op.Family}]) >= MaxRequestsPerProject {
		return nil, newFault(CodeQuotaExceeded, "migration project %s already has %d %s requests, the emulator's limit; reset the emulator (POST %sreset) to free them",
			p.name, MaxRequestsPerProject, e.noun(op.Family), ControlPrefix)
	}
	r := e.newRequest(p, op.Family, str(in, "SelectionRules"), now)
	if d.has(DefectStartNoIdentifier) {
		return map[string]any{}, nil
	}
	return map[string]any{"RequestIdentifier": r.id}, nil
}

const markerPrefix = "dmsconform1."

func encodeMarker(family string, seq uint64) string {
	return markerPrefix + base64.RawURLEncoding.EncodeToString([]byte(family+"/"+strconv.FormatUint(seq, 10)))
}

func decodeMarker(family, m string) (uint64, bool) {
	rest, ok := strings.CutPrefix(m, markerPrefix)
	if !ok {
		return 0, false
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return 0, false
	}
	f, n, ok := strings.Cut(string(b), "/")
	if !ok || f != family {
		return 0, false
	}
	seq, err := strconv.ParseUint(n, 10, 64)
	return seq, err == nil
}

// describePage reads a describe's paging: MaxRecords (default and at most
// MaxRecordsLimit) and the sequence number the Marker of the previous page ends at.
func describePage(op *spec.Operation, in map[string]any) (maxRecords int, after uint64, aerr *apiError) {
	maxRecords = MaxRecordsLimit
	if v, ok := in["MaxRecords"].(json.Number); ok {
		n, err := strconv.Atoi(v.String())
		if err != nil || n < 1 || n > MaxRecordsLimit {
			return 0, 0, validationErr(fmt.Sprintf("Value '%s' at 'MaxRecords' failed to satisfy constraint: Member must have value between 1 and %d (omit it for %d)",
				v, MaxRecordsLimit, MaxRecordsLimit))
		}
		maxRecords = n
	}
	if m := str(in, "Marker"); m != "" {
		seq, ok := decodeMarker(op.Family, m)
		if !ok {
			return 0, 0, validationErr(fmt.Sprintf("Value '%s' at 'Marker' failed to satisfy constraint: not a marker this emulator issued for %s; pass the Marker of the previous page unchanged, or omit it to start over",
				m, op.Name))
		}
		after = seq
	}
	return maxRecords, after, nil
}

// describeFilters reads a describe's Filters (request-id and status) as predicates a
// request must all meet.
func describeFilters(in map[string]any) ([]func(id, status string) bool, *apiError) {
	var preds []func(id, status string) bool
	fs, _ := in["Filters"].([]any)
	for i, f := range fs {
		fm, _ := f.(map[string]any)
		name, _ := fm["Name"].(string)
		vals := map[string]bool{}
		if vs, ok := fm["Values"].([]any); ok {
			for _, v := range vs {
				if s, ok := v.(string); ok {
					vals[s] = true
				}
			}
		}
		switch name {
		case "request-id":
			preds = append(preds, func(id, _ string) bool { return vals[id] })
		case "status":
			preds = append(preds, func(_, st string) bool { return vals[st] })
		default:
			return nil, validationErr(fmt.Sprintf("Value '%s' at 'Filters.%d.Name' failed to satisfy constraint: supported filter names are request-id and status", name, i))
		}
	}
	return preds, nil
}

func (e *Emulator) describe(op *spec.Operation, p *project, in map[string]any, d *defectSet) (map[string]any, *apiError) {
	maxRecords, after, aerr := describePage(op, in)
	if aerr != nil {
		return nil, aerr
	}
	preds, aerr := describeFilters(in)
	if aerr != nil {
		return nil, aerr
	}
	if d.has(DefectDescribeIgnoreFilters) {
		preds = nil
	}
	window := e.weather.Load().w.ConsistencyWindow
	now := e.clock.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	out := []any{}
	var marker string
	for _, r := range e.lists[listKey{p, op.Family}] {
		if r.seq <= after || !visible(r, now, window) {
			continue
		}
		obj := e.render(r, e.compute(r, now), d)
		st, _ := obj["Status"].(string)
		match := true
		for _, pr := range preds {
			if !pr(r.id, st) {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		if len(out) == maxRecords {
			marker = encodeMarker(op.Family, r.seq-1)
			break
		}
		out = append(out, obj)
	}
	res := map[string]any{"Requests": out}
	if marker != "" {
		res["Marker"] = marker
	} else if d.has(DefectNullMembers) {
		res["Marker"] = nil
	}
	return res, nil
}

func (e *Emulator) cancel(op *spec.Operation, p *project, in map[string]any, d *defectSet) (map[string]any, *apiError) {
	id := str(in, "RequestIdentifier")
	window := e.weather.Load().w.ConsistencyWindow
	now := e.clock.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	r := e.requests[id]
	if r == nil || r.project != p || r.family != op.Family || !visible(r, now, window) {
		if d.has(DefectCancelUnknown) {
			ghost := &request{id: id, family: op.Family, project: p, start: now, canceled: true, cancelAt: now, step: e.stepNow()}
			return cancelAnswer(e.render(ghost, view{status: StatusCanceling}, d), d), nil
		}
		return nil, newFault(CodeResourceNotFound, "%s request %q not found in migration project %s; start one with %s and pass its RequestIdentifier",
			text.UpperFirst(e.noun(op.Family)), id, p.name, e.startName(op.Family))
	}
	v := e.compute(r, now)
	if v.terminal() || v.status == StatusCanceling {
		if d.has(DefectCancelTerminal) {
			return cancelAnswer(e.render(r, v, d), d), nil
		}
		return nil, newFault(CodeInvalidState, "%s request %s is %s; only RECEIVED or IN_PROGRESS requests can be canceled",
			text.UpperFirst(e.noun(op.Family)), id, v.status)
	}
	if !d.has(DefectCancelNoEffect) {
		r.canceled, r.cancelAt, r.anyway = true, now, d.has(DefectCancelAnyway)
		e.invalidate(r)
		v = e.compute(r, now)
	}
	obj := e.render(r, v, d)
	if d.has(DefectRequestIDMismatch) && !d.has(DefectMissingRequestID) {
		obj["RequestIdentifier"] = otherID(r.id)
	}
	return cancelAnswer(obj, d), nil
}

// cancelAnswer is a Cancel* output holding the request obj, with the defects of Cancel*
// answers applied.
func cancelAnswer(obj map[string]any, d *defectSet) map[string]any {
	if id, ok := obj["RequestIdentifier"]; ok && d.has(DefectCancelIDAsList) {
		obj["RequestIdentifier"] = []any{id}
	}
	if d.has(DefectRequestDoubleEncoded) {
		b, _ := json.Marshal(obj)
		return map[string]any{"Request": string(b)}
	}
	return map[string]any{"Request": obj}
}

// enumCode is value's position in the documented value set of the model's members
// named member (enums-as-numbers), or -1 for a value the set does not list.
func (e *Emulator) enumCode(member, value string) int {
	for _, sh := range e.model.Shapes {
		if mb := sh.Member(member); mb != nil && mb.Shape != nil && mb.Shape.Values != nil {
			for i, dv := range mb.Shape.Values.Values {
				if dv.Value == value {
					return i
				}
			}
			return -1
		}
	}
	return -1
}

// nullString is how Go's sql.NullString marshals a string (nullstring-members).
func nullString(s string) map[string]any { return map[string]any{"String": s, "Valid": true} }

// startName is the family's start operation (x-dms-role: start) in the model.
func (e *Emulator) startName(family string) string {
	if op := e.model.FamilyOperation(family, spec.RoleStart); op != nil {
		return op.Name
	}
	return "the family's start operation"
}

// noun names a family's requests in messages: the words of its start operation's name
// (StartMetadataModelConversion: "metadata model conversion").
func (e *Emulator) noun(family string) string {
	name := strings.TrimPrefix(e.startName(family), "Start")
	var b strings.Builder
	for i, r := range name {
		if i > 0 && unicode.IsUpper(r) {
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// otherID returns a different, well-formed request id derived from id.
func otherID(id string) string {
	b := []byte(id)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] != '-' {
			if b[i] == '0' {
				b[i] = '1'
			} else {
				b[i] = '0'
			}
			break
		}
	}
	return string(b)
}

// otherProjectARN returns the ARN of a project other than p.
func (e *Emulator) otherProjectARN(p *project) string {
	for _, q := range e.projects {
		if q != p {
			return q.arn
		}
	}
	return fmt.Sprintf("arn:aws:dms:%s:%s:migration-project:%s", e.region, e.account, deriveID(p.name+"/other"))
}

// revertAfter is how many steps after its end a request shows IN_PROGRESS again under
// DefectTerminalReverts: late enough that the polls that saw it end never see it.
const revertAfter = 3

// render turns a computed view into the wire SchemaConversionRequest, applying
// scenario overrides and defect modes. e.mu held.
func (e *Emulator) render(r *request, v view, d *defectSet) map[string]any {
	scen := e.scenarioFor(r)
	m := make(map[string]any, 6)
	status := e.renderStatus(r, v, scen, d)
	m["Status"] = status
	if d.has(DefectEnumsAsNumbers) {
		m["Status"] = e.enumCode("Status", status)
	}
	if !d.has(DefectMissingRequestID) {
		m["RequestIdentifier"] = r.id
	}
	if !d.has(DefectMissingProjectARN) {
		arn := r.project.arn
		if d.has(DefectWrongProjectARN) {
			arn = e.otherProjectARN(r.project)
		}
		m["MigrationProjectArn"] = arn
		if d.has(DefectNullStringMembers) {
			m["MigrationProjectArn"] = nullString(arn)
		}
	}
	if v.failed {
		m["Error"] = renderError(v, d)
	} else if d.has(DefectNullMembers) {
		m["Error"] = nil
	}
	if scen != nil && scen.ExportSqlDetails != nil {
		m["ExportSqlDetails"] = renderExportSQL(scen.ExportSqlDetails, d)
	} else if d.has(DefectNullMembers) {
		m["ExportSqlDetails"] = nil
	}
	if v.step != "" {
		m["Progress"] = e.renderProgress(v, scen, d)
	} else if d.has(DefectNullMembers) {
		m["Progress"] = nil
	}
	return m
}

// renderStatus is the Status a request shows: its own, as the defects bend it, or
// the one its scenario asks for.
func (e *Emulator) renderStatus(r *request, v view, scen *Scenario, d *defectSet) string {
	status := v.status
	switch {
	case d.has(DefectStatusDoubleL) && status == StatusCanceled:
		status = "CANCELLED"
	case d.has(DefectStatusDoubleL) && status == StatusCanceling:
		status = "CANCELLING"
	case d.has(DefectUndocumentedStatus) && status == StatusInProgress:
		status = "PAUSED"
	case d.has(DefectCancelStuck) && status == StatusCanceled:
		status = StatusCanceling
	case d.has(DefectStatusBackToReceived) && status == StatusInProgress && v.step == StepCountingObjects:
		status = StatusReceived
	case d.has(DefectTerminalReverts) && v.terminal() && !e.clock.Now().Before(e.schedOf(r).end.Add(revertAfter*r.step)):
		status = StatusInProgress
	}
	if d.has(DefectStatusLowercase) {
		status = strings.ToLower(status)
	}
	if scen != nil && scen.Status != "" {
		status = scen.Status
	}
	return status
}

// renderError is a failed request's ErrorDetails union, as the defects bend it.
func renderError(v view, d *defectSet) map[string]any {
	member := "defaultErrorDetails"
	if v.unknownMember != "" {
		member = v.unknownMember
	}
	if d.has(DefectUnionUnknownMember) {
		member = "futureErrorDetails"
	}
	var details any = map[string]any{"Message": v.failMsg}
	switch {
	case d.has(DefectErrorDetailsAsString):
		details = v.failMsg
	case d.has(DefectErrorMessageList):
		details = map[string]any{"Message": []any{v.failMsg}}
	}
	u := map[string]any{member: details}
	if d.has(DefectUnionTwoMembers) {
		u["sqlErrorDetails"] = map[string]any{"Message": v.failMsg}
	}
	if d.has(DefectUnionTypeInside) {
		u["__type"] = "com.amazonaws.dms#ErrorDetails"
	}
	if d.has(DefectUnionEmpty) {
		u = map[string]any{}
	}
	return u
}

// renderExportSQL is a scenario's ExportSqlDetails, as the defects bend it.
func renderExportSQL(sd *ExportSQL, d *defectSet) map[string]any {
	x := map[string]any{}
	if sd.S3ObjectKey != "" {
		x["S3ObjectKey"] = sd.S3ObjectKey
	}
	if sd.ObjectURL != "" {
		x["ObjectURL"] = sd.ObjectURL
	}
	if d.has(DefectExportSQLAsObjects) {
		for k, v := range x {
			x[k] = map[string]any{"Bucket": "dmsconform", "Key": v}
		}
	}
	return x
}

func (e *Emulator) renderProgress(v view, scen *Scenario, d *defectSet) map[string]any {
	p := make(map[string]any, 4)
	step := v.step
	if d.has(DefectStepBackwards) && step == StepConverting {
		step = StepLoadingMetadata
	}
	if d.has(DefectUndocumentedStep) && step != StepFinished {
		step = "VALIDATING"
	}
	if scen != nil && scen.ProgressStep != "" {
		step = scen.ProgressStep
	}
	if !d.has(DefectProgressNoStep) {
		p["ProgressStep"] = step
		if d.has(DefectEnumsAsNumbers) {
			p["ProgressStep"] = e.enumCode("ProgressStep", step)
		}
	}
	percent := v.percent
	if d.has(DefectPercentOutOfRange) {
		percent = 150
	}
	if d.has(DefectPercentAsString) {
		p["ProgressPercent"] = strconv.FormatFloat(percent, 'f', -1, 64)
	} else {
		p["ProgressPercent"] = percent
	}
	switch {
	case v.total > 0 && d.has(DefectTotalObjectsFloat):
		p["TotalObjects"] = json.Number(strconv.FormatInt(v.total, 10) + ".5")
	case v.total > 0:
		p["TotalObjects"] = v.total
	case d.has(DefectNullMembers):
		p["TotalObjects"] = nil
	}
	if v.obj != nil {
		ep := v.obj.endpoint
		if d.has(DefectLowercaseEndpointType) {
			ep = strings.ToLower(ep)
		}
		if scen != nil && scen.EndpointType != "" {
			ep = scen.EndpointType
		}
		po := map[string]any{"Name": v.obj.name, "Type": v.obj.typ, "EndpointType": ep}
		if d.has(DefectEnumsAsNumbers) {
			po["EndpointType"] = e.enumCode("EndpointType", ep)
		}
		if d.has(DefectNullStringMembers) {
			po["Name"], po["Type"] = nullString(v.obj.name), nullString(v.obj.typ)
		}
		p["ProcessedObject"] = po
	} else if d.has(DefectNullMembers) {
		p["ProcessedObject"] = nil
	}
	return p
}
