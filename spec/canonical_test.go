package spec_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/internal/jsonv"
	"github.com/dmsconform/dmsconform/spec"
)

func canonicalOf(t *testing.T, sh *spec.Shape, body string) any {
	t.Helper()
	v, err := jsonv.Decode([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	c, probs := spec.Canonical(sh, v, true)
	if len(probs) > 0 {
		t.Fatalf("%s: %v", body, probs)
	}
	return c
}

func TestCanonicalForm(t *testing.T) {
	out := spec.MustLoad().Operation("CancelMetadataModelConversion").Output
	cases := []struct {
		body string
		want string // the canonical form, compact
	}{
		{`{"Request":{"Progress":{"ProgressPercent":1.25e1}}}`, `{"Request":{"Progress":{"ProgressPercent":12.5}}}`},
		{`{"Request":{"Progress":{"ProgressPercent":0.10000000000000001}}}`, `{"Request":{"Progress":{"ProgressPercent":0.1}}}`},
		{`{"Request":{"Progress":{"ProgressPercent":"-Infinity"}}}`, `{"Request":{"Progress":{"ProgressPercent":"-Infinity"}}}`},
		{`{"Request":{"Progress":{"TotalObjects":"9007199254740993"}}}`, `{"Request":{"Progress":{"TotalObjects":9007199254740993}}}`},
		{`{"Request":{"Progress":{"TotalObjects":7.0}}}`, `{"Request":{"Progress":{"TotalObjects":7}}}`},
		{`{"Request":{"Progress":{"TotalObjects":1e3}}}`, `{"Request":{"Progress":{"TotalObjects":1000}}}`},
		{`{"Request":{"Status":null,"Error":{"$unknown":"x"}}}`, `{"Request":{"Error":{"$unknown":"x"}}}`},
	}
	for _, c := range cases {
		if got := jsonv.Compact(canonicalOf(t, out, c.body)); got != c.want {
			t.Errorf("Canonical(%s) = %s, want %s", c.body, got, c.want)
		}
	}
	for body, problem := range map[string]string{
		`{"Request":{"Error":{}}}`:                          "exactly one member",
		`{"Request":{"Progress":{"TotalObjects":1.5}}}`:     "want an integer",
		`{"Request":{"Progress":{"ProgressPercent":"1"}}}`:  "want a double",
		`{"Request":{"Undeclared":1}}`:                      "Undeclared is not a member",
		`{"Request":{"Error":{"$unknown":7}}}`:              "must be the tag",
		`{"Request":{"Status":1}}`:                          "want a string, have number 1",
		`{"Request":{"Progress":{"TotalObjects":1e99999}}}`: "want an integer",
	} {
		v, _ := jsonv.Decode([]byte(body))
		_, probs := spec.Canonical(out, v, true)
		if !strings.Contains(strings.Join(probs, "; "), problem) {
			t.Errorf("Canonical(%s) problems %q, want one saying %q", body, probs, problem)
		}
		if _, probs := spec.Canonical(out, v, false); len(probs) > 0 {
			t.Errorf("Canonical(%s) not strict has problems %q", body, probs)
		}
	}
}

// TestCanonicalDiff: the one number rule decides through the canonical form, and a
// member the Go SDK cannot tell from zero may be absent on one side.
func TestCanonicalDiff(t *testing.T) {
	out := spec.MustLoad().Operation("CancelMetadataModelConversion").Output
	same := [][2]string{
		{`{"Request":{"Progress":{"ProgressPercent":12.5}}}`, `{"Request":{"Progress":{"ProgressPercent":1.25e1}}}`},
		{`{"Request":{"Progress":{"TotalObjects":9007199254740993}}}`, `{"Request":{"Progress":{"TotalObjects":"9007199254740993"}}}`},
		{`{"Request":{"Progress":{"TotalObjects":5}}}`, `{"Request":{"Progress":{"TotalObjects":"5"}}}`},
		{`{"Request":{"Progress":{"TotalObjects":1}}}`, `{"Request":{"Progress":{"TotalObjects":1.0}}}`},
		{`{"Request":{"Status":null}}`, `{"Request":{}}`},
		// TotalObjects has a zero default (x-dms-sdk-nonpointer): absent equals 0.
		{`{"Request":{"Progress":{"TotalObjects":0}}}`, `{"Request":{"Progress":{}}}`},
		{`{"Request":{"Progress":{"TotalObjects":0.0}}}`, `{"Request":{"Progress":{}}}`},
	}
	for _, p := range same {
		if d := spec.Diff(out, canonicalOf(t, out, p[0]), canonicalOf(t, out, p[1]), nil); d != nil {
			t.Errorf("%s vs %s: %v", p[0], p[1], d)
		}
	}
	differ := [][2]string{
		{`{"Request":{"Progress":{"TotalObjects":9007199254740993}}}`, `{"Request":{"Progress":{"TotalObjects":9007199254740992}}}`},
		{`{"Request":{"Progress":{"ProgressPercent":"NaN"}}}`, `{"Request":{"Progress":{"ProgressPercent":0}}}`},
		{`{"Request":{"Progress":{"TotalObjects":1}}}`, `{"Request":{"Progress":{}}}`},
		{`{"Request":{"Status":""}}`, `{"Request":{}}`}, // a string member has a pointer: "" is set
		{`{"Request":{"Error":{"$unknown":"x"}}}`, `{"Request":{"Error":{"$unknown":"y"}}}`},
	}
	for _, p := range differ {
		if d := spec.Diff(out, canonicalOf(t, out, p[0]), canonicalOf(t, out, p[1]), nil); d == nil {
			t.Errorf("%s vs %s: no difference found", p[0], p[1])
		}
	}
	skipped := spec.Diff(out, canonicalOf(t, out, `{"Request":{"Status":"A"}}`), canonicalOf(t, out, `{"Request":{"Status":"B"}}`),
		func(p jsonv.Place) bool { return p.Pointer == "/Request/Status" })
	if skipped != nil {
		t.Errorf("a skipped place differs: %v", skipped)
	}
}

func TestShapeAt(t *testing.T) {
	m := spec.MustLoad()
	describe := m.Operation("DescribeMetadataModelConversions").Output
	cases := map[string]string{
		"":                            describe.Name,
		"/Requests":                   describe.Member("Requests").Shape.Name,
		"/Requests/3":                 "SchemaConversionRequest",
		"/Requests/3/Error":           "ErrorDetails",
		"/Requests/0/Progress/Status": "",
		"/Requests/x":                 "",
		"/Nope":                       "",
	}
	for ptr, want := range cases {
		got := ""
		if sh := describe.At(ptr); sh != nil {
			got = sh.Name
		}
		if got != want {
			t.Errorf("At(%q) = %q, want %q", ptr, got, want)
		}
	}
	if n, ok := spec.ParseInteger(json.Number("1e2")); !ok || n.Int64() != 100 {
		t.Errorf("ParseInteger(1e2) = %v, %v", n, ok)
	}
}
