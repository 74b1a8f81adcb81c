package spec_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/spec"
)

// want is an expected finding: pointer, rule and severity must match exactly; got,
// when set, must be a substring of Finding.Got.
type want struct {
	ptr, rule string
	sev       spec.Severity
	got       string
}

func checkFindings(t *testing.T, fs []spec.Finding, wants []want, schemaOf *spec.Shape) {
	t.Helper()
	if len(fs) != len(wants) {
		t.Errorf("got %d finding(s), want %d:\n%s", len(fs), len(wants), spec.FormatFindings(fs))
	}
	for _, w := range wants {
		found := false
		for _, f := range fs {
			if f.Pointer == w.ptr && f.Rule == w.rule && f.Severity == w.sev && strings.Contains(f.Got, w.got) {
				found = true
			}
		}
		if !found {
			t.Errorf("missing finding %s %s %s (got ~%q) in:\n%s", w.sev, w.ptr, w.rule, w.got, spec.FormatFindings(fs))
		}
	}
	for _, f := range fs {
		// Every finding says where, what was expected and what was there. The root
		// pointer is "" by definition, so only the JSON-level findings may have it.
		if f.Pointer == "" && f.Rule != spec.RuleJSON && f.Rule != spec.RuleType {
			t.Errorf("finding without pointer: %+v", f)
		}
		if f.Expected == "" || f.Got == "" || f.Rule == "" || f.Severity == "" {
			t.Errorf("finding with empty fields: %+v", f)
		}
		if !strings.HasPrefix(f.Schema, "#/components/schemas/") {
			t.Errorf("finding schema pointer %q does not point into the model", f.Schema)
		}
		if schemaOf != nil && f.Pointer != "" && !strings.HasPrefix(f.Pointer, "/") {
			t.Errorf("finding pointer %q is not a JSON pointer", f.Pointer)
		}
	}
}

func TestValidateSchemaConversionRequest(t *testing.T) {
	m := mustLoad(t)
	scr := m.Shape("SchemaConversionRequest")
	good := `{"Status":"IN_PROGRESS","RequestIdentifier":"r-1","MigrationProjectArn":"arn:aws:dms:us-east-1:123456789012:migration-project:p",
		"Error":{"defaultErrorDetails":{"Message":"boom"}},"ExportSqlDetails":{"S3ObjectKey":"k","ObjectURL":"u"},
		"Progress":{"ProgressPercent":42.5,"TotalObjects":12,"ProgressStep":"CONVERTING","ProcessedObject":{"Name":"t","Type":"TABLE","EndpointType":"SOURCE"}}}`
	cases := []struct {
		name  string
		body  string
		wants []want
	}{
		{"good", good, nil},
		{"empty object", `{}`, nil},
		{"every documented status", `{"Status":"CANCELED"}`, nil},
		{"Status a number", `{"Status":3}`, []want{{"/Status", spec.RuleType, spec.Violation, "number 3"}}},
		{"Status undocumented", `{"Status":"CANCELLED"}`, []want{{"/Status", spec.RuleValue, spec.Drift, `"CANCELLED"`}}},
		{"Status lower case", `{"Status":"canceled"}`, []want{{"/Status", spec.RuleValue, spec.Drift, `"canceled"`}}},
		{"ProgressStep undocumented", `{"Progress":{"ProgressStep":"DONE"}}`, []want{{"/Progress/ProgressStep", spec.RuleValue, spec.Drift, `"DONE"`}}},
		{"EndpointType lower case", `{"Progress":{"ProcessedObject":{"EndpointType":"source"}}}`, []want{{"/Progress/ProcessedObject/EndpointType", spec.RuleValue, spec.Drift, `"source"`}}},
		{"Progress an array", `{"Progress":[]}`, []want{{"/Progress", spec.RuleType, spec.Violation, "array"}}},
		{"RequestIdentifier boolean", `{"RequestIdentifier":true}`, []want{{"/RequestIdentifier", spec.RuleType, spec.Violation, "boolean true"}}},
		{"TotalObjects fraction", `{"Progress":{"TotalObjects":12.5}}`, []want{{"/Progress/TotalObjects", spec.RuleInteger, spec.Violation, "12.5"}}},
		{"TotalObjects exponent", `{"Progress":{"TotalObjects":1e3}}`, []want{{"/Progress/TotalObjects", spec.RuleInteger, spec.Violation, "1e3"}}},
		{"TotalObjects 2^53+1 is exact", `{"Progress":{"TotalObjects":9007199254740993}}`, nil},
		{"TotalObjects max int64", `{"Progress":{"TotalObjects":9223372036854775807}}`, nil},
		{"TotalObjects min int64", `{"Progress":{"TotalObjects":-9223372036854775808}}`, nil},
		{"TotalObjects beyond int64", `{"Progress":{"TotalObjects":9223372036854775808}}`, []want{{"/Progress/TotalObjects", spec.RuleRange, spec.Violation, "9223372036854775808"}}},
		{"TotalObjects a string", `{"Progress":{"TotalObjects":"12"}}`, []want{{"/Progress/TotalObjects", spec.RuleType, spec.Violation, `string "12"`}}},
		{"ProgressPercent 0", `{"Progress":{"ProgressPercent":0}}`, nil},
		{"ProgressPercent 100", `{"Progress":{"ProgressPercent":100}}`, nil},
		{"ProgressPercent integer-looking", `{"Progress":{"ProgressPercent":7}}`, nil},
		{"ProgressPercent 150", `{"Progress":{"ProgressPercent":150}}`, []want{{"/Progress/ProgressPercent", spec.RuleRange, spec.Violation, "number 150"}}},
		{"ProgressPercent negative", `{"Progress":{"ProgressPercent":-0.5}}`, []want{{"/Progress/ProgressPercent", spec.RuleRange, spec.Violation, "number -0.5"}}},
		// NaN, Infinity and -Infinity are legal awsJson encodings of a double, so they
		// are not type violations; but none of them is within 0..100 (NaN compares
		// with nothing), so each is a range violation of ProgressPercent.
		{"ProgressPercent NaN", `{"Progress":{"ProgressPercent":"NaN"}}`, []want{{"/Progress/ProgressPercent", spec.RuleRange, spec.Violation, `string "NaN"`}}},
		{"ProgressPercent Infinity", `{"Progress":{"ProgressPercent":"Infinity"}}`, []want{{"/Progress/ProgressPercent", spec.RuleRange, spec.Violation, `string "Infinity"`}}},
		{"ProgressPercent -Infinity", `{"Progress":{"ProgressPercent":"-Infinity"}}`, []want{{"/Progress/ProgressPercent", spec.RuleRange, spec.Violation, `string "-Infinity"`}}},
		// Not a double at all, so a type violation (not a range one).
		{"ProgressPercent beyond a double", `{"Progress":{"ProgressPercent":1e400}}`, []want{{"/Progress/ProgressPercent", spec.RuleType, spec.Violation, "number 1e400"}}},
		{"ProgressPercent string 50", `{"Progress":{"ProgressPercent":"50"}}`, []want{{"/Progress/ProgressPercent", spec.RuleType, spec.Violation, `string "50"`}}},
		{"ProgressPercent nan lower case", `{"Progress":{"ProgressPercent":"nan"}}`, []want{{"/Progress/ProgressPercent", spec.RuleType, spec.Violation, `string "nan"`}}},
		{"union empty", `{"Error":{}}`, []want{{"/Error", spec.RuleUnionCount, spec.Violation, "no member set"}}},
		{"union two members", `{"Error":{"defaultErrorDetails":{"Message":"a"},"otherErrorDetails":{}}}`, []want{
			{"/Error", spec.RuleUnionCount, spec.Violation, "2 members set: defaultErrorDetails, otherErrorDetails"},
			{"/Error/otherErrorDetails", spec.RuleUnionMember, spec.Drift, "unknown member otherErrorDetails"},
		}},
		{"union unknown member only", `{"Error":{"fancyErrorDetails":{"x":1}}}`, []want{{"/Error/fancyErrorDetails", spec.RuleUnionMember, spec.Drift, "unknown member fancyErrorDetails"}}},
		{"union member in the wrong case", `{"Error":{"DefaultErrorDetails":{"Message":"a"}}}`, []want{{"/Error/DefaultErrorDetails", spec.RuleUnionMember, spec.Drift, "unknown member DefaultErrorDetails"}}},
		{"union __type", `{"Error":{"__type":"ErrorDetails","defaultErrorDetails":{"Message":"a"}}}`, []want{{"/Error/__type", spec.RuleUnionType, spec.Drift, `__type string "ErrorDetails"`}}},
		{"union __type only", `{"Error":{"__type":"ErrorDetails"}}`, []want{
			{"/Error/__type", spec.RuleUnionType, spec.Drift, "__type"},
			{"/Error", spec.RuleUnionCount, spec.Violation, "no member set"},
		}},
		{"union null member only", `{"Error":{"defaultErrorDetails":null}}`, []want{
			{"/Error/defaultErrorDetails", spec.RuleNull, spec.Drift, "null"},
			{"/Error", spec.RuleUnionCount, spec.Violation, "no member set"},
		}},
		{"union null member beside a set one", `{"Error":{"defaultErrorDetails":{"Message":"a"},"other":null}}`, []want{{"/Error/other", spec.RuleNull, spec.Drift, "null"}}},
		{"union a string", `{"Error":"boom"}`, []want{{"/Error", spec.RuleType, spec.Violation, `string "boom"`}}},
		{"union member validated", `{"Error":{"defaultErrorDetails":{"Message":5}}}`, []want{{"/Error/defaultErrorDetails/Message", spec.RuleType, spec.Violation, "number 5"}}},
		{"union null", `{"Error":null}`, []want{{"/Error", spec.RuleNull, spec.Drift, "null"}}},
		{"member null", `{"Status":null}`, []want{{"/Status", spec.RuleNull, spec.Drift, "null"}}},
		{"undeclared top-level member", `{"Status":"RECEIVED","Foo":1}`, []want{{"/Foo", spec.RuleUndeclared, spec.Drift, "undeclared member Foo (number 1)"}}},
		{"undeclared nested member", `{"Progress":{"Eta":"soon"}}`, []want{{"/Progress/Eta", spec.RuleUndeclared, spec.Drift, "undeclared member Eta"}}},
		{"undeclared member with slash", `{"a/b~c":1}`, []want{{"/a~1b~0c", spec.RuleUndeclared, spec.Drift, "a/b~c"}}},
		{"several problems", `{"Status":"DONE","Progress":{"TotalObjects":1.5,"ProgressPercent":101}}`, []want{
			{"/Status", spec.RuleValue, spec.Drift, "DONE"},
			{"/Progress/TotalObjects", spec.RuleInteger, spec.Violation, "1.5"},
			{"/Progress/ProgressPercent", spec.RuleRange, spec.Violation, "101"},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkFindings(t, spec.ValidateJSON(scr, []byte(tc.body)), tc.wants, scr)
		})
	}
}

func TestValidateResponseAndInput(t *testing.T) {
	m := mustLoad(t)
	resp := m.Operation("CancelMetadataModelConversion").Output
	in := m.Operation("CancelMetadataModelConversion").Input
	long := strings.Repeat("p", 256)
	cases := []struct {
		name  string
		shape *spec.Shape
		body  string
		wants []want
	}{
		{"response good", resp, `{"Request":{"Status":"CANCELING","RequestIdentifier":"r"}}`, nil},
		{"response empty", resp, `{}`, nil},
		{"response nested path", resp, `{"Request":{"Progress":{"TotalObjects":0.1}}}`, []want{{"/Request/Progress/TotalObjects", spec.RuleInteger, spec.Violation, "0.1"}}},
		{"response undeclared top-level", resp, `{"Request":{},"RequestId":"x"}`, []want{{"/RequestId", spec.RuleUndeclared, spec.Drift, "RequestId"}}},
		{"response an array", resp, `[]`, []want{{"", spec.RuleType, spec.Violation, "array"}}},
		{"response not JSON", resp, `{"Request":`, []want{{"", spec.RuleJSON, spec.Violation, ""}}},
		{"response trailing data", resp, `{} {}`, []want{{"", spec.RuleJSON, spec.Violation, "trailing data"}}},
		{"input good", in, `{"MigrationProjectIdentifier":"p","RequestIdentifier":"r"}`, nil},
		{"input required missing", in, `{"MigrationProjectIdentifier":"p"}`, []want{{"/RequestIdentifier", spec.RuleRequired, spec.Violation, "absent"}}},
		{"input both missing", in, `{}`, []want{
			{"/RequestIdentifier", spec.RuleRequired, spec.Violation, "absent"},
			{"/MigrationProjectIdentifier", spec.RuleRequired, spec.Violation, "absent"},
		}},
		{"input required null", in, `{"MigrationProjectIdentifier":"p","RequestIdentifier":null}`, []want{{"/RequestIdentifier", spec.RuleNull, spec.Violation, "null"}}},
		{"input maxLength 255 ok", in, `{"MigrationProjectIdentifier":"` + long[:255] + `","RequestIdentifier":"r"}`, nil},
		{"input maxLength 256", in, `{"MigrationProjectIdentifier":"` + long + `","RequestIdentifier":"r"}`, []want{{"/MigrationProjectIdentifier", spec.RuleMaxLength, spec.Violation, "256 characters"}}},
		// maxLength counts characters (code points), not bytes.
		{"input maxLength in characters", in, `{"MigrationProjectIdentifier":"` + strings.Repeat("é", 255) + `","RequestIdentifier":"r"}`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkFindings(t, spec.ValidateJSON(tc.shape, []byte(tc.body)), tc.wants, tc.shape)
		})
	}
}

func TestValidateDescribeInputsAndArrays(t *testing.T) {
	m := mustLoad(t)
	in := m.Operation("DescribeMetadataModelConversions").Input
	out := m.Operation("DescribeMetadataModelConversions").Output
	cases := []struct {
		name  string
		shape *spec.Shape
		body  string
		wants []want
	}{
		{"filters good", in, `{"MigrationProjectIdentifier":"p","Filters":[{"Name":"status","Values":["SUCCESS"]}],"MaxRecords":20}`, nil},
		{"MaxRecords beyond int32", in, `{"MigrationProjectIdentifier":"p","MaxRecords":2147483648}`, []want{{"/MaxRecords", spec.RuleRange, spec.Violation, "2147483648"}}},
		{"Filters not an array", in, `{"MigrationProjectIdentifier":"p","Filters":{}}`, []want{{"/Filters", spec.RuleType, spec.Violation, "object"}}},
		{"filter item missing Values", in, `{"MigrationProjectIdentifier":"p","Filters":[{"Name":"a","Values":[]},{"Name":"b"}]}`, []want{{"/Filters/1/Values", spec.RuleRequired, spec.Violation, "absent"}}},
		{"filter value not a string", in, `{"MigrationProjectIdentifier":"p","Filters":[{"Name":"a","Values":["x",1]}]}`, []want{{"/Filters/0/Values/1", spec.RuleType, spec.Violation, "number 1"}}},
		{"requests item", out, `{"Requests":[{"Status":"SUCCESS"},{"Status":"WEIRD"}]}`, []want{{"/Requests/1/Status", spec.RuleValue, spec.Drift, "WEIRD"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkFindings(t, spec.ValidateJSON(tc.shape, []byte(tc.body)), tc.wants, tc.shape)
		})
	}
}

// Values decoded by encoding/json without UseNumber arrive as float64; integers must
// be judged by their value, not rejected for their Go type.
func TestValidatePlainUnmarshal(t *testing.T) {
	m := mustLoad(t)
	scr := m.Shape("SchemaConversionRequest")
	var v any
	if err := json.Unmarshal([]byte(`{"Progress":{"TotalObjects":12,"ProgressPercent":3}}`), &v); err != nil {
		t.Fatal(err)
	}
	if fs := spec.Validate(scr, v); len(fs) != 0 {
		t.Errorf("float64-decoded integers rejected:\n%s", spec.FormatFindings(fs))
	}
	if err := json.Unmarshal([]byte(`{"Progress":{"TotalObjects":12.5}}`), &v); err != nil {
		t.Fatal(err)
	}
	checkFindings(t, spec.Validate(scr, v), []want{{"/Progress/TotalObjects", spec.RuleInteger, spec.Violation, "12.5"}}, scr)
}

func TestValidateClosedUnionAndSets(t *testing.T) {
	// Closed unions and closed value sets turn drift into violations.
	data := mutate(t,
		edit{old: "members: [defaultErrorDetails]\n        open: true", new: "members: [defaultErrorDetails]\n        open: false"},
		edit{old: "            name: RequestStatus\n            open: true", new: "            name: RequestStatus\n            open: false"})
	m, err := spec.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	scr := m.Shape("SchemaConversionRequest")
	checkFindings(t, spec.ValidateJSON(scr, []byte(`{"Status":"DONE","Error":{"x":{}}}`)), []want{
		{"/Status", spec.RuleValue, spec.Violation, "DONE"},
		{"/Error/x", spec.RuleUnionMember, spec.Violation, "unknown member x"},
	}, scr)
}

func TestFindingHelpers(t *testing.T) {
	m := mustLoad(t)
	fs := spec.ValidateJSON(m.Shape("SchemaConversionRequest"), []byte(`{"Status":"DONE","Progress":{"TotalObjects":1.5},"Error":{}}`))
	if len(spec.Violations(fs)) != 2 || len(spec.Drifts(fs)) != 1 {
		t.Errorf("violations/drifts split wrong:\n%s", spec.FormatFindings(fs))
	}
	for i := 1; i < len(fs); i++ {
		if fs[i-1].Pointer > fs[i].Pointer {
			t.Errorf("findings not sorted: %s before %s", fs[i-1].Pointer, fs[i].Pointer)
		}
	}
	s := fs[0].String()
	if !strings.HasPrefix(s, "violation /Error: union-count: expected exactly one member of union ErrorDetails (defaultErrorDetails), got no member set") {
		t.Errorf("String() = %q", s)
	}
	root := spec.ValidateJSON(m.Shape("SchemaConversionRequest"), []byte(`"x"`))
	if len(root) != 1 || !strings.HasPrefix(root[0].String(), "violation /: type:") {
		t.Errorf("root finding = %v", root)
	}
	if d, ok := spec.ParseDouble("Infinity"); !ok || d < 1e308 {
		t.Errorf("ParseDouble(Infinity) = %v %v", d, ok)
	}
	if _, ok := spec.ParseDouble("1.5"); ok {
		t.Error("ParseDouble accepts a numeric string")
	}
}
