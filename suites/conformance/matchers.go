package conformance

import (
	"fmt"
	"slices"
	"strings"

	"github.com/onsi/gomega/types"

	"github.com/dmsconform/dmsconform/spec"
)

// funcMatcher adapts a check function to a Gomega matcher with actionable messages.
type funcMatcher struct {
	check func(actual any) (problems []string, err error)
	what  string
	last  []string
}

func (m *funcMatcher) Match(actual any) (bool, error) {
	p, err := m.check(actual)
	m.last = p
	return len(p) == 0, err
}

func (m *funcMatcher) FailureMessage(actual any) string {
	return fmt.Sprintf("expected %s, but:\n- %s", m.what, strings.Join(m.last, "\n- "))
}

func (m *funcMatcher) NegatedFailureMessage(actual any) string {
	return fmt.Sprintf("expected not %s, but it is", m.what)
}

// BeInDocumentedSet matches a string that is one of a documented value set's values.
func BeInDocumentedSet(vs *spec.ValueSet) types.GomegaMatcher {
	return &funcMatcher{what: "a documented " + vs.Name + " value", check: func(actual any) ([]string, error) {
		s, ok := actual.(string)
		if !ok {
			return nil, fmt.Errorf("BeInDocumentedSet wants a string, got %T", actual)
		}
		if vs.Contains(s) {
			return nil, nil
		}
		return []string{fmt.Sprintf("%q is not one of %s (%s); if the service added it, add it to x-dms-documented-values in %s", s, vs.Name, strings.Join(vs.Strings(), ", "), spec.DocumentName)}, nil
	}}
}

// HaveExactlyOneUnionMember matches a decoded JSON object that sets exactly one member
// of a union (null members count as unset, __type is not a member).
func HaveExactlyOneUnionMember(sh *spec.Shape) types.GomegaMatcher {
	return &funcMatcher{what: "exactly one member of union " + sh.Name, check: func(actual any) ([]string, error) {
		obj, ok := actual.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("the union is %s, not a JSON object", jsonKindOf(actual))}, nil
		}
		var set []string
		for k, v := range obj {
			if v != nil && k != "__type" {
				set = append(set, k)
			}
		}
		switch len(set) {
		case 1:
			return nil, nil
		case 0:
			return []string{fmt.Sprintf("no member is set (%s): a union must carry exactly one of %s; omit %s instead of sending it empty", show(actual), strings.Join(sh.Union.Members, ", "), sh.Name)}, nil
		}
		return []string{fmt.Sprintf("%d members are set (%s): clients cannot tell which one holds; send only one", len(set), strings.Join(sortedStrings(set), ", "))}, nil
	}}
}

// BeModeledFault matches a *WireResponse carrying the fault as awsJson 1.1 requires:
// its HTTP status, a JSON body whose __type sanitises to the fault name, a message,
// an X-Amzn-ErrorType header that agrees when present, the protocol's Content-Type
// and a request id.
func BeModeledFault(f *spec.Fault, contentType string) types.GomegaMatcher {
	return &funcMatcher{what: "the modeled fault " + f.Name, check: func(actual any) ([]string, error) {
		r, ok := actual.(*WireResponse)
		if !ok {
			return nil, fmt.Errorf("BeModeledFault wants a *WireResponse, got %T", actual)
		}
		return FaultProblems(r, f, contentType), nil
	}}
}

// FaultProblems lists how a response differs from the modeled fault.
func FaultProblems(r *WireResponse, f *spec.Fault, contentType string) []string {
	var p []string
	if r.Status != f.HTTPStatus {
		p = append(p, fmt.Sprintf("HTTP status is %d, the model says %s is %d", r.Status, f.Name, f.HTTPStatus))
	}
	if r.JSONErr != nil {
		p = append(p, fmt.Sprintf("the body is not JSON (%v): %q", r.JSONErr, truncate(string(r.Body), 120)))
	}
	switch raw, _ := r.Object()["__type"].(string); {
	case raw == "":
		p = append(p, fmt.Sprintf("the body has no __type: clients that read only the body (botocore) cannot tell the fault is %s", f.Name))
	case spec.SanitizeErrorCode(raw) != f.Name:
		p = append(p, fmt.Sprintf("__type %q sanitises to %q, want %q", raw, spec.SanitizeErrorCode(raw), f.Name))
	}
	if h := r.Header.Get("X-Amzn-ErrorType"); h != "" && spec.SanitizeErrorCode(h) != f.Name {
		p = append(p, fmt.Sprintf("X-Amzn-ErrorType %q disagrees with the fault %s (Go resolves the header first, botocore the body)", h, f.Name))
	}
	if _, ok := r.Message(); !ok {
		p = append(p, `the body has no "message" (nor "Message") string: clients show an empty error message`)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, contentType) {
		p = append(p, fmt.Sprintf("Content-Type is %q, want %s", ct, contentType))
	}
	if RequestID(r) == "" {
		p = append(p, "no x-amzn-RequestId header: support cases and SDK errors lose the request id")
	}
	return p
}

// RequestID returns the response's request id header.
func RequestID(r *WireResponse) string {
	if v := r.Header.Get("X-Amzn-Requestid"); v != "" {
		return v
	}
	return r.Header.Get("X-Amz-Requestid")
}

// ConformTo matches a decoded JSON value that has no violations of the shape.
func ConformTo(sh *spec.Shape) types.GomegaMatcher {
	return &funcMatcher{what: "a value conforming to " + sh.Name, check: func(actual any) ([]string, error) {
		var p []string
		for _, f := range spec.Violations(spec.Validate(sh, actual)) {
			p = append(p, f.String())
		}
		return p, nil
	}}
}

func jsonKindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	}
	return fmt.Sprintf("%T", v)
}

func sortedStrings(s []string) []string { return slices.Sorted(slices.Values(s)) }

// Expect runs a matcher and ends the check as failed with its message when it does
// not match (a matcher error is a harness error).
func (c *C) Expect(actual any, m types.GomegaMatcher) {
	ok, err := m.Match(actual)
	if err != nil {
		c.Errorf("%v", err)
	}
	if !ok {
		c.Failf("%s", m.FailureMessage(actual))
	}
}
