package sdk

import (
	"encoding/json"
	"math"
	"math/big"
	"net/http"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/internal/jsonv"
	"github.com/dmsconform/dmsconform/spec"
)

func loadCorpus(t *testing.T) (*spec.Model, []*Fixture) {
	t.Helper()
	m, err := spec.Load()
	if err != nil {
		t.Fatalf("load model: %v", err)
	}
	fxs, err := LoadDefault()
	if err != nil {
		t.Fatalf("load fixtures: %v", err)
	}
	return m, fxs
}

// TestCorpusValid: every file parses strictly, ids are unique, operations exist,
// pointers resolve, expectations are canonical and fit the operation.
func TestCorpusValid(t *testing.T) {
	m, fxs := loadCorpus(t)
	for _, err := range Validate(m, fxs) {
		t.Error(err)
	}
	ops := map[string]bool{}
	for _, fx := range fxs {
		ops[fx.Operation] = true
	}
	for _, op := range m.Operations {
		if !ops[op.Name] {
			t.Errorf("no fixture for the modeled operation %s", op.Name)
		}
	}
}

// TestCorpusCategories: the corpus covers every category issues 6 and 14 require. Categories
// are derived from the fixtures' content, not from labels, so a renamed or edited
// fixture cannot silently drop one.
func TestCorpusCategories(t *testing.T) {
	m, fxs := loadCorpus(t)
	have := map[string][]string{}
	for _, fx := range fxs {
		for _, c := range categories(m, fx) {
			have[c] = append(have[c], fx.ID)
		}
	}
	var want []string
	for _, set := range []string{"RequestStatus", "ProgressStep"} {
		vs := m.ValueSets[set]
		if vs == nil {
			t.Fatalf("value set %s missing from the model", set)
		}
		for _, v := range vs.Strings() {
			want = append(want, set+"="+v)
		}
		want = append(want, set+" undocumented")
	}
	want = append(want,
		"ProgressPercent 0", "ProgressPercent 100", "ProgressPercent fractional",
		"ProgressPercent NaN", "ProgressPercent Infinity", "ProgressPercent -Infinity",
		"TotalObjects beyond 2^53",
		"union known member", "union unknown member", "union {}", "union null",
		"union two members", "union __type inside",
		"ExportSqlDetails present", "unknown top-level member", "empty body",
		"fault bare name", "fault namespace#Name", "fault Name:uri", "fault X-Amzn-ErrorType header only",
		"fault code key", "fault message key", "fault Message key", "fault unmodeled", "fault 500",
		"200 with __type",
		// issue 14: where botocore's behaviour is documented or peculiar
		"union unknown member beside __type", "union unknown member beside a null member",
		"structure as string", "structure as list", "scalar of the wrong JSON type",
		"fault throttling", "fault 503",
	)
	for _, w := range want {
		if len(have[w]) == 0 {
			t.Errorf("the corpus has no fixture for %q (issue 6 requires one)", w)
		}
	}
}

// categories derives the issue-6 categories a fixture covers from its response and
// expectation.
func categories(m *spec.Model, fx *Fixture) []string {
	var out []string
	add := func(c string) { out = append(out, c) }
	resp := fx.Response
	var body any
	if resp.Body != "" {
		body, _ = jsonv.Decode([]byte(resp.Body))
	}
	obj, _ := body.(map[string]any)
	if resp.Body == "" && resp.Status == 200 {
		add("empty body")
	}
	if resp.Status >= 500 {
		add("fault 500")
	}
	if resp.Status == 503 {
		add("fault 503")
	}
	if typ, _ := obj["__type"].(string); resp.Status >= 400 && strings.Contains(typ, "Throttling") {
		add("fault throttling")
	}
	if resp.Status == 200 && body != nil {
		if op := m.Operation(fx.Operation); op != nil {
			out = append(out, typeCategories(op.Output, body)...)
		}
	}
	if resp.Status == 200 {
		if _, ok := obj["__type"]; ok {
			add("200 with __type")
		}
		if req, ok := obj["Request"].(map[string]any); ok {
			out = append(out, requestCategories(m, fx, obj, req)...)
		}
	}
	if resp.Status >= 400 && resp.Status < 500 {
		out = append(out, clientFaultCategories(fx, obj)...)
	}
	return out
}

// requestCategories are the categories of a 200 response body obj whose Request member
// is req: unknown top-level members and, for a fixture expecting success, the request's
// status, details, progress and error union.
func requestCategories(m *spec.Model, fx *Fixture, obj, req map[string]any) []string {
	var out []string
	add := func(c string) { out = append(out, c) }
	for k := range obj {
		if k != "Request" {
			add("unknown top-level member")
		}
	}
	success := len(fx.Expect.Output) > 0
	if s, ok := req["Status"].(string); ok && success {
		if documented(m, "RequestStatus", s) {
			add("RequestStatus=" + s)
		} else {
			add("RequestStatus undocumented")
		}
	}
	if _, ok := req["ExportSqlDetails"].(map[string]any); ok && success {
		add("ExportSqlDetails present")
	}
	if p, ok := req["Progress"].(map[string]any); ok && success {
		out = append(out, progressCategories(m, p)...)
	}
	if e, present := req["Error"]; present {
		out = append(out, unionCategories(e)...)
	}
	return out
}

// progressCategories are the categories of a request's Progress member p: its step,
// notable percentages and an object count beyond 2^53.
func progressCategories(m *spec.Model, p map[string]any) []string {
	var out []string
	add := func(c string) { out = append(out, c) }
	if s, ok := p["ProgressStep"].(string); ok {
		if documented(m, "ProgressStep", s) {
			add("ProgressStep=" + s)
		} else {
			add("ProgressStep undocumented")
		}
	}
	if v, ok := p["ProgressPercent"]; ok {
		f, _ := spec.ParseDouble(v)
		switch {
		case math.IsNaN(f):
			add("ProgressPercent NaN")
		case math.IsInf(f, 1):
			add("ProgressPercent Infinity")
		case math.IsInf(f, -1):
			add("ProgressPercent -Infinity")
		case f == 0:
			add("ProgressPercent 0")
		case f == 100:
			add("ProgressPercent 100")
		case f != math.Trunc(f):
			add("ProgressPercent fractional")
		}
	}
	if n, ok := p["TotalObjects"].(json.Number); ok && len(n.String()) >= 16 {
		if i, ok := spec.ParseInteger(n); ok && i.Cmp(big.NewInt(1<<53)) > 0 {
			add("TotalObjects beyond 2^53")
		}
	}
	return out
}

// unionCategories are the categories of a request's Error member e (the ErrorDetails
// union): null, empty, __type inside, two members, a known or an unknown member.
func unionCategories(e any) []string {
	var out []string
	add := func(c string) { out = append(out, c) }
	u, isObj := e.(map[string]any)
	switch {
	case e == nil:
		add("union null")
	case isObj && len(u) == 0:
		add("union {}")
	case isObj:
		if _, ok := u["__type"]; ok && len(u) > 1 {
			add("union __type inside")
		}
		set := 0
		for k, v := range u {
			if k != "__type" && v != nil {
				set++
			}
		}
		if set > 1 {
			add("union two members")
		}
		if set == 1 && len(u) == 1 {
			if _, ok := u["defaultErrorDetails"]; ok {
				add("union known member")
			} else {
				add("union unknown member")
			}
		}
	}
	return out
}

// clientFaultCategories are the categories of a 4xx response with body obj: where the
// fault's name is and how it is written, the message key, an unmodeled fault.
func clientFaultCategories(fx *Fixture, obj map[string]any) []string {
	var out []string
	add := func(c string) { out = append(out, c) }
	h := http.Header{}
	for k, v := range fx.Response.Headers {
		h.Set(k, v)
	}
	typ, _ := obj["__type"].(string)
	code, _ := obj["code"].(string)
	switch {
	case h.Get("X-Amzn-ErrorType") != "" && typ == "" && code == "":
		add("fault X-Amzn-ErrorType header only")
	case typ != "" && !strings.ContainsAny(typ, "#:"):
		add("fault bare name")
	}
	for _, v := range []string{typ, code, h.Get("X-Amzn-ErrorType")} {
		if strings.Contains(v, "#") {
			add("fault namespace#Name")
		}
		if strings.Contains(v, ":") {
			add("fault Name:uri")
		}
	}
	if code != "" {
		add("fault code key")
	}
	if _, ok := obj["message"]; ok {
		add("fault message key")
	}
	if _, ok := obj["Message"]; ok {
		add("fault Message key")
	}
	if e := fx.Expect.Error; e != nil && e.Typed != nil && !*e.Typed {
		add("fault unmodeled")
	}
	return out
}

// typeCategories walks a response body along the model and names the JSON type
// mismatches it holds, and the union values whose one set member is unknown and sits
// beside __type or a null member.
func typeCategories(sh *spec.Shape, v any) []string {
	if sh == nil || v == nil {
		return nil
	}
	var out []string
	switch sh.Type {
	case spec.TypeObject:
		obj, ok := v.(map[string]any)
		if !ok {
			switch v.(type) {
			case string:
				out = append(out, "structure as string")
			case []any:
				out = append(out, "structure as list")
			default:
				out = append(out, "scalar of the wrong JSON type")
			}
			return out
		}
		if sh.Union != nil {
			var set []string
			typeKey, nullKey := false, false
			for k, val := range obj {
				switch {
				case k == "__type":
					typeKey = true
				case val == nil:
					nullKey = true
				default:
					set = append(set, k)
				}
			}
			if len(set) == 1 && sh.Member(set[0]) == nil {
				if typeKey {
					out = append(out, "union unknown member beside __type")
				}
				if nullKey {
					out = append(out, "union unknown member beside a null member")
				}
			}
		}
		for k, val := range obj {
			if mb := sh.Member(k); mb != nil {
				out = append(out, typeCategories(mb.Shape, val)...)
			}
		}
	case spec.TypeArray:
		if arr, ok := v.([]any); ok {
			for _, item := range arr {
				out = append(out, typeCategories(sh.Items, item)...)
			}
		} else {
			out = append(out, "scalar of the wrong JSON type")
		}
	case spec.TypeString:
		if _, ok := v.(string); !ok {
			out = append(out, "scalar of the wrong JSON type")
		}
	case spec.TypeInteger:
		if n, ok := v.(json.Number); !ok || strings.ContainsAny(n.String(), ".eE") {
			out = append(out, "scalar of the wrong JSON type")
		}
	case spec.TypeNumber:
		if _, ok := spec.ParseDouble(v); !ok {
			out = append(out, "scalar of the wrong JSON type")
		}
	}
	return out
}

func documented(m *spec.Model, set, v string) bool {
	return m.ValueSets[set] != nil && m.ValueSets[set].Contains(v)
}

// TestValidateRejects: the corpus validator catches the mistakes a fixture author
// makes (so a broken fixture cannot pass silently).
func TestValidateRejects(t *testing.T) {
	m := spec.MustLoad()
	base := func() *Fixture {
		return &Fixture{ID: "x-case", Operation: "CancelMetadataModelConversion", Area: "shape", Level: "MUST",
			Description: "d", Requirement: "A client MUST do it.", Rule: "r", Pointer: "#/components/schemas/SchemaConversionRequest",
			Response: Response{Status: 200, Body: "{}"}, Expect: Expect{Output: json.RawMessage(`{}`)},
			File: "wire/CancelMetadataModelConversion/x-case.json"}
	}
	tru := true
	code := "ResourceNotFoundFault"
	cases := map[string]struct {
		mut  func(f *Fixture)
		want string
	}{
		"unknown operation": {func(f *Fixture) { f.Operation = "Nope" }, "not in the model"},
		"bad pointer":       {func(f *Fixture) { f.Pointer = "#/components/schemas/Nope" }, "pointer"},
		"bad area":          {func(f *Fixture) { f.Area = "misc" }, "area"},
		"level mismatch":    {func(f *Fixture) { f.Level = "SHOULD" }, "must say SHOULD"},
		"two expectations": {func(f *Fixture) {
			f.Expect.Error = &ErrorExpect{Code: &code}
		}, "exactly one"},
		"undeclared member": {func(f *Fixture) { f.Expect.Output = json.RawMessage(`{"Nope":1}`) }, "not a member"},
		"union two members": {func(f *Fixture) {
			f.Expect.Output = json.RawMessage(`{"Request":{"Error":{"defaultErrorDetails":{},"$unknown":"x"}}}`)
		}, "exactly one member"},
		"typed unmodeled": {func(f *Fixture) {
			c := "InternalFailure"
			f.Expect = Expect{Error: &ErrorExpect{Code: &c, Typed: &tru}}
		}, "not a modeled"},
		"unsanitised code": {func(f *Fixture) {
			c := "com.amazonaws.dms#ResourceNotFoundFault"
			f.Expect = Expect{Error: &ErrorExpect{Code: &c}}
		}, "not sanitised"},
		"file name": {func(f *Fixture) { f.File = "wire/CancelMetadataModelConversion/other.json" }, "file name"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := base()
			if errs := Validate(m, []*Fixture{f}); len(errs) != 0 {
				t.Fatalf("the base fixture is invalid: %v", errs)
			}
			tc.mut(f)
			errs := Validate(m, []*Fixture{f})
			joined := ""
			for _, e := range errs {
				joined += e.Error() + "\n"
			}
			if !strings.Contains(joined, tc.want) {
				t.Errorf("want a problem mentioning %q, got:\n%s", tc.want, joined)
			}
		})
	}
	dup := []*Fixture{base(), base()}
	if errs := Validate(m, dup); len(errs) == 0 {
		t.Error("duplicate ids were not reported")
	}
	if _, err := ParseFixture("x.json", []byte(`{"id":"a","bogus":1}`)); err == nil {
		t.Error("an unknown field was accepted")
	}
}
