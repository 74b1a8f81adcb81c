package kinds

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func kindName(k engine.Kind) string { return strings.TrimPrefix(fmt.Sprintf("%T", k), "kinds.") }

// declaredKinds finds the kinds in the package's code: each type with a Judge method,
// and the file that declares it.
func declaredKinds(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv != nil && fn.Name.Name == "Judge" {
				typ := fn.Recv.List[0].Type
				if star, ok := typ.(*ast.StarExpr); ok {
					typ = star.X
				}
				if id, ok := typ.(*ast.Ident); ok {
					out[id.Name] = f
				}
			}
		}
	}
	return out
}

// tableTests lists the types a _test file builds as composite literals (the kinds its
// table tests judge with), in its Test functions or in the case tables and helpers
// beside them; none when the file has no Test function.
func tableTests(t *testing.T, file string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		return out // no such file
	}
	hasTest := false
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && strings.HasPrefix(fn.Name.Name, "Test") && fn.Body != nil {
			hasTest = true
		}
	}
	if !hasTest {
		return out
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if cl, ok := n.(*ast.CompositeLit); ok {
			if id, ok := cl.Type.(*ast.Ident); ok {
				out[id.Name] = true
			}
		}
		return true
	})
	return out
}

// TestEveryKindIsTested finds each kind and its table tests from the code: the file
// that declares a kind (a type with a Judge method), say shape_member_type.go, has
// shape_member_type_test.go beside it with Test functions whose cases build the kind
// (MemberType{...}). A kind whose test file is deleted, or whose tests no longer
// build it, fails here; so does a kind the catalog uses that this finds no
// declaration of, and a declared kind that expands to no check.
func TestEveryKindIsTested(t *testing.T) {
	declared := declaredKinds(t)
	if len(declared) == 0 {
		t.Fatal("found no kind (no type with a Judge method) in the package")
	}
	m := loadModel()
	seen := map[string]bool{}
	for _, fam := range m.Families() {
		checks, err := Expand(m, fam)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range checks {
			seen[kindName(c.Kind)] = true
		}
	}
	for k := range seen {
		if declared[k] == "" {
			t.Errorf("kind %s of the catalog has no Judge method in this package's code", k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(declared)) {
		file := declared[k]
		test := strings.TrimSuffix(file, ".go") + "_test.go"
		if !seen[k] {
			t.Errorf("kind %s (%s) expands to no check: register its expander in init", k, file)
		}
		if !tableTests(t, test)[k] {
			t.Errorf("kind %s (%s) has no table tests: add a Test function to %s that judges canned evidence with %s{...}", k, file, test, k)
		}
	}
}

// conforming is the evidence of a conforming target with a control surface and a
// denied principal: every script gathered, every answer as the model says.
func conforming() *engine.Evidence {
	ev := notFound(unknownRequestFault(), unknownProjectFault())
	ev.Denied = true
	ev.DeniedProbe = &engine.ProbeEvidence{Probes: []*engine.Probe{{Key: "denied",
		Sample: faultAnswer(cancelOp, "cancel as a denied principal", 400, "AccessDeniedFault", "not authorized")}}}
	ev.Inputs = &engine.ProbeEvidence{}
	for _, key := range engine.InputProbes(ev.Cancel) {
		ev.Inputs.Probes = append(ev.Inputs.Probes, &engine.Probe{Key: key,
			Sample: faultAnswer(cancelOp, "input probe "+key, 400, "ValidationException", "1 validation error detected")})
	}
	ev.Protocol = &engine.ProbeEvidence{Probes: []*engine.Probe{
		{Key: "unknown-target", Sample: raw("", "request with an unknown X-Amz-Target", 400, `{"__type":"UnknownOperationException"}`)},
		{Key: "unsigned", Sample: faultAnswer(cancelOp, "unsigned cancel", 400, "MissingAuthenticationTokenException", "Missing Authentication Token")},
		{Key: "bad-signature", Sample: faultAnswer(cancelOp, "cancel with a corrupted signature", 403, "InvalidSignatureException", "signature mismatch")},
	}}
	ev.SDKValidation = &engine.SDKValidationEvidence{}
	for _, mb := range ev.Cancel.Input.Members {
		if mb.Required {
			ev.SDKValidation.Results = append(ev.SDKValidation.Results, engine.SDKValidationResult{Member: mb.Name, InvalidParams: true,
				Error: "1 validation error(s) found.\n- missing required field, " + cancelOp + "Input." + mb.Name + ".\n", ErrorType: "*smithy.OperationError"})
		}
	}
	const failedID = "c0ffee00-1111-4222-8333-0000000000f1"
	scenario(ev, "failed on purpose", &engine.Solicitation{},
		describeAnswer("scenario failed on purpose: describe", request(failedID, "IN_PROGRESS", "Progress", progress("ANALYZING"))),
		describeAnswer("scenario failed on purpose: describe", request(failedID, "FAILED", "Error", obj{"defaultErrorDetails": obj{"Message": "dmsconform: conversion failed on purpose"}})))
	scenario(ev, "an unknown Error member", &engine.Solicitation{UnknownUnionMember: "dmsconformFutureErrorDetails"},
		describeAnswer("scenario an unknown Error member: describe", request("c0ffee00-1111-4222-8333-0000000000f2", "FAILED", "Error", obj{"dmsconformFutureErrorDetails": obj{"x": 1}})))
	scenario(ev, "an undocumented Status", &engine.Solicitation{Status: "DMSCONFORM_UNDOCUMENTED_STATUS"},
		describeAnswer("scenario an undocumented Status: describe", request("c0ffee00-1111-4222-8333-0000000000f3", "DMSCONFORM_UNDOCUMENTED_STATUS", "Progress", progress("ANALYZING"))))
	scenario(ev, "an undocumented ProgressStep", &engine.Solicitation{ProgressStep: "DMSCONFORM_UNDOCUMENTED_STEP"},
		describeAnswer("scenario an undocumented ProgressStep: describe", request("c0ffee00-1111-4222-8333-0000000000f4", "IN_PROGRESS", "Progress", progress("DMSCONFORM_UNDOCUMENTED_STEP"))))
	scenario(ev, "an undocumented EndpointType", &engine.Solicitation{EndpointType: "DMSCONFORM_UNDOCUMENTED_ENDPOINT_TYPE"},
		describeAnswer("scenario an undocumented EndpointType: describe", request("c0ffee00-1111-4222-8333-0000000000f5", "IN_PROGRESS",
			"Progress", progress("ANALYZING", "ProcessedObject", obj{"Name": "HR.JOBS", "Type": "TABLE", "EndpointType": "DMSCONFORM_UNDOCUMENTED_ENDPOINT_TYPE"}))))
	scenario(ev, "held at CONVERTING with ExportSqlDetails", &engine.Solicitation{},
		describeAnswer("scenario held at CONVERTING: describe", request("c0ffee00-1111-4222-8333-0000000000f6", "IN_PROGRESS", "Progress", progress("CONVERTING"),
			"ExportSqlDetails", obj{"S3ObjectKey": "dmsconform/assessment.sql", "ObjectURL": "https://example.invalid/dmsconform/assessment.sql"})),
		cancelAnswer("scenario held at CONVERTING: cancel", request("c0ffee00-1111-4222-8333-0000000000f6", "CANCELING", "Progress", progress("CONVERTING"),
			"ExportSqlDetails", obj{"S3ObjectKey": "dmsconform/assessment.sql", "ObjectURL": "https://example.invalid/dmsconform/assessment.sql"})))
	ev.Revisit = revisited(map[string]obj{reqID: request(reqID, "CANCELED"), watchID: request(watchID, "SUCCESS"), failedID: request(failedID, "FAILED")})
	return ev
}

// TestConformingTargetPasses: every check of the family, judged on a conforming
// target's evidence, passes, or is skipped only where the evidence holds nothing to
// judge (__type inside a union is never sent). No false alarm, no drift.
func TestConformingTargetPasses(t *testing.T) {
	checks, err := Expand(loadModel(), family)
	if err != nil {
		t.Fatal(err)
	}
	mayBeSkipped := map[string]bool{cancelOp + ".union.ErrorDetails.type-key-ignored": true}
	for _, c := range checks {
		t.Run(c.ID, func(t *testing.T) {
			v := c.Kind.Judge(conforming())
			switch {
			case v.Outcome == reports.Skipped && mayBeSkipped[c.ID]:
			case v.Outcome != reports.Pass:
				t.Errorf("%s: %s", v.Outcome, v.Message)
			}
		})
	}
}

// oddEvidence is the evidence of a target that answers every call of the family with
// the same odd answer (or never answers: status 0).
func oddEvidence(status int, body string, hs ...hdr) *engine.Evidence {
	ans := func(op, name string) *engine.Sample {
		if status == 0 {
			return &engine.Sample{Op: op, Name: name, Attempts: []reports.Exchange{{Error: "read: connection reset by peer"}}}
		}
		return raw(op, name, status, body, hs...)
	}
	ev := newEvidence()
	ev.Control, ev.Denied = true, true
	ev.Walk = &engine.WalkEvidence{Starts: []*engine.Sample{ans(startOp, "walk: start")}, RequestID: reqID, Cancel: ans(cancelOp, "walk: cancel"),
		Describes: []*engine.Sample{ans(describeOp, "walk: describe")}, Final: "CANCELED",
		Waiter:       &engine.WaiterEvidence{Samples: []*engine.Sample{ans(describeOp, "walk: waiter")}},
		SecondCancel: ans(cancelOp, "walk: cancel again")}
	ev.Watch = &engine.WatchEvidence{Start: ans(startOp, "watch: start"), RequestID: watchID, Describes: []*engine.Sample{ans(describeOp, "watch: describe")}}
	ev.Scenarios = &engine.ScenarioEvidence{Runs: []*engine.ScenarioRun{{Name: "s", RequestID: reqID, Start: ans(startOp, "scenario: start"),
		Samples: []*engine.Sample{{Name: "control: add scenario"}, ans(describeOp, "scenario: describe"), ans(cancelOp, "scenario: cancel")}}}}
	probes := func(keys ...string) *engine.ProbeEvidence {
		p := &engine.ProbeEvidence{}
		for _, k := range keys {
			op := cancelOp
			if k == "unknown-target" {
				op = ""
			}
			p.Probes = append(p.Probes, &engine.Probe{Key: k, Sample: ans(op, k)})
		}
		return p
	}
	ev.NotFound = probes("unknown-request", "unknown-project")
	ev.DeniedProbe = probes("denied")
	ev.Inputs = probes(engine.InputProbes(ev.Cancel)...)
	ev.Protocol = probes("unknown-target", "unsigned", "bad-signature")
	ev.SDKValidation = &engine.SDKValidationEvidence{Results: []engine.SDKValidationResult{{Member: "RequestIdentifier"}, {Member: "MigrationProjectIdentifier"}}}
	ev.Revisit = &engine.RevisitEvidence{Requests: []*engine.RevisitedRequest{{ID: reqID, Project: project, Sample: ans(describeOp, "revisit: describe")}}}
	return ev
}

// TestNoJudgePanicsOnOddAnswers: every judge, called directly (the engine's recover
// is not there), decides odd answers without panicking: a null body or Request, a
// body that is not JSON, members of the wrong JSON type, no Progress, no answer.
func TestNoJudgePanicsOnOddAnswers(t *testing.T) {
	checks, err := Expand(loadModel(), family)
	if err != nil {
		t.Fatal(err)
	}
	odd := []struct {
		name   string
		status int
		body   string
		hs     []hdr
	}{
		{"null body", 200, "null", nil},
		{"empty body", 200, "", nil},
		{"HTML", 200, "<html><body>OK</body></html>", []hdr{with("Content-Type", "text/html")}},
		{"truncated JSON", 200, `{"Request":{"Status":`, nil},
		{"a JSON array", 200, `[{"Request":{}}]`, nil},
		{"null members", 200, `{"Request":null,"Requests":null,"RequestIdentifier":null}`, nil},
		{"wrong JSON types", 200, `{"Request":[1],"Requests":{"x":1},"RequestIdentifier":{"id":1}}`, nil},
		{"requests without Progress", 200, `{"Request":{"RequestIdentifier":"` + reqID + `","Status":"IN_PROGRESS"},"Requests":[{"RequestIdentifier":"` + watchID + `","Status":"IN_PROGRESS"},null,7],"RequestIdentifier":"` + reqID + `"}`, nil},
		{"odd members", 200, `{"Request":{"RequestIdentifier":7,"Status":["CANCELING"],"Progress":"50%","Error":"failed","MigrationProjectArn":{}}}`, nil},
		{"HTML 500", 500, "<html>Internal Server Error</html>", []hdr{with("Content-Type", "text/html")}},
		{"a fault without a body", 400, "", []hdr{with("X-Amzn-ErrorType", "ResourceNotFoundFault")}},
		{"no answer", 0, "", nil},
	}
	for _, o := range odd {
		t.Run(o.name, func(t *testing.T) {
			for _, c := range checks {
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Errorf("%s panicked: %v", c.ID, r)
						}
					}()
					v := c.Kind.Judge(oddEvidence(o.status, o.body, o.hs...))
					if !slices.Contains(reports.Outcomes, v.Outcome) {
						t.Errorf("%s: outcome %q is none of %v", c.ID, v.Outcome, reports.Outcomes)
					}
					if v.Outcome != reports.Pass && v.Message == "" {
						t.Errorf("%s: %s without a message", c.ID, v.Outcome)
					}
				}()
			}
		})
	}
}

// TestEveryCheckNamesItsSource: every check rests on the AWS model, the documentation
// or the protocol, or is a SHOULD labelled inferred; the rule is enforced when the
// catalog is expanded.
func TestEveryCheckNamesItsSource(t *testing.T) {
	m := loadModel()
	levels := map[string]int{}
	for _, fam := range m.Families() {
		checks, err := Expand(m, fam)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range checks {
			if err := checkSource(c.ID, c.Level, c.Source); err != nil {
				t.Error(err)
			}
			if c.Source.Inferred() != slices.Contains(c.Labels, LabelInferred) {
				t.Errorf("%s: source %s, labels %v: an inferred check, and only one, carries the label %q", c.ID, c.Source.Origin, c.Labels, LabelInferred)
			}
			if c.Source.Origin == reports.SourceDocumentation && c.Source.Quote == "" {
				t.Errorf("%s rests on the documentation without quoting it", c.ID)
			}
			levels[c.Level+"/"+c.Source.Origin]++
		}
	}
	if levels["MUST/inferred"] != 0 || levels["SHOULD/inferred"] == 0 {
		t.Errorf("levels by source: %v", levels)
	}
	for _, bad := range []struct {
		level string
		src   reports.Source
		want  string
	}{
		{"MUST", reports.Source{Origin: reports.SourceInferred, Ref: "x"}, "an inference is a SHOULD"},
		{"MUST", reports.Source{Ref: "x"}, "names no source"},
		{"SHOULD", reports.Source{Origin: reports.SourceModel}, "says nothing of what it rests on"},
		{"MAY", reports.Source{Origin: reports.SourceModel, Ref: "x"}, "MUST or SHOULD"},
	} {
		if err := checkSource("X.y.z", bad.level, bad.src); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("checkSource(%s, %+v) = %v, want %q", bad.level, bad.src, err, bad.want)
		}
	}
}
