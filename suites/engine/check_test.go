package engine

import (
	"reflect"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"
)

func testFamilies() []Family {
	k := kind{}
	return []Family{
		{Name: "conversion", Operation: "CancelMetadataModelConversion", Checks: []Check{
			check("conversion", "shape.Request", k, "shape", "wire"),
			check("conversion", "fault.ResourceNotFoundFault.wire", k, "fault", "wire"),
			check("conversion", "lifecycle.cancel", k, "lifecycle"),
		}},
		{Name: "creation", Operation: "CancelMetadataModelCreation", Checks: []Check{
			check("creation", "shape.Request", k, "shape", "wire"),
			check("creation", "fault.AccessDeniedFault.sdk", k, "fault", "sdk"),
		}},
	}
}

func ids(cs []Check) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

// A label filter selects by the checks' own labels, the family and the operation, in
// catalog order.
func TestSelectByLabels(t *testing.T) {
	fams := testFamilies()
	for filter, want := range map[string][]string{
		"": {"CancelMetadataModelConversion.shape.Request", "CancelMetadataModelConversion.fault.ResourceNotFoundFault.wire",
			"CancelMetadataModelConversion.lifecycle.cancel", "CancelMetadataModelCreation.shape.Request", "CancelMetadataModelCreation.fault.AccessDeniedFault.sdk"},
		"fault":                              {"CancelMetadataModelConversion.fault.ResourceNotFoundFault.wire", "CancelMetadataModelCreation.fault.AccessDeniedFault.sdk"},
		"creation":                           {"CancelMetadataModelCreation.shape.Request", "CancelMetadataModelCreation.fault.AccessDeniedFault.sdk"},
		"CancelMetadataModelConversion":      {"CancelMetadataModelConversion.shape.Request", "CancelMetadataModelConversion.fault.ResourceNotFoundFault.wire", "CancelMetadataModelConversion.lifecycle.cancel"},
		"fault && !sdk":                      {"CancelMetadataModelConversion.fault.ResourceNotFoundFault.wire"},
		"conversion && (shape || lifecycle)": {"CancelMetadataModelConversion.shape.Request", "CancelMetadataModelConversion.lifecycle.cancel"},
	} {
		got, err := Select(fams, filter)
		if err != nil {
			t.Errorf("Select(%q): %v", filter, err)
			continue
		}
		if !reflect.DeepEqual(ids(got), want) {
			t.Errorf("Select(%q) = %v, want %v", filter, ids(got), want)
		}
	}
}

// A filter that selects nothing, or does not parse, is an error that lists the labels
// there are, in plain text (no terminal colour codes from Ginkgo).
func TestSelectErrorsListTheLabels(t *testing.T) {
	fams := testFamilies()
	labels := "CancelMetadataModelConversion, CancelMetadataModelCreation, conversion, creation, fault, lifecycle, sdk, shape, wire"
	if got := strings.Join(Labels(fams), ", "); got != labels {
		t.Fatalf("Labels = %s", got)
	}
	for _, tc := range []struct{ filter, says string }{
		{"no-such-label", "selects none of the 5 checks"},
		{"fault && lifecycle", "selects none"},
		{"fault &&", `--label-filter "fault &&"`},
		{"(shape", `--label-filter "(shape"`},
	} {
		_, err := Select(fams, tc.filter)
		if err == nil {
			t.Errorf("Select(%q): no error", tc.filter)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tc.says) || !strings.Contains(msg, labels) {
			t.Errorf("Select(%q) = %q: want %q and the labels", tc.filter, msg, tc.says)
		}
		if strings.ContainsRune(msg, 0x1b) {
			t.Errorf("Select(%q) carries terminal codes: %q", tc.filter, msg)
		}
	}
	// Ginkgo's own message is coloured: the error is its text without the codes.
	_, perr := types.ParseLabelFilter("fault &&")
	if perr == nil {
		t.Fatal("Ginkgo parses \"fault &&\"")
	}
	_, err := Select(fams, "fault &&")
	if plain := plainLabelError(perr); !strings.Contains(err.Error(), plain) || plain == "" {
		t.Errorf("%q does not carry Ginkgo's reason %q", err, plain)
	}
}

func TestStripANSI(t *testing.T) {
	for in, want := range map[string]string{
		"\x1b[1m\x1b[38;5;9mbad filter\x1b[0m": "bad filter",
		"plain":                                "plain",
		"a\x1b[0mb\x1b[31mc":                   "abc",
		"\x1b[":                                "\x1b[",        // incomplete: kept
		"\x1b[2Jclear":                         "\x1b[2Jclear", // not a colour code: kept
		"trailing \x1b":                        "trailing \x1b",
	} {
		if got := StripANSI(in); got != want {
			t.Errorf("StripANSI(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGroupAndGroupIndex(t *testing.T) {
	c := check("conversion", "fault.ResourceNotFoundFault.wire", kind{})
	if g := c.Group(); g != "fault" {
		t.Errorf("Group = %q", g)
	}
	if GroupIndex("shape") != 0 || GroupIndex("lifecycle") != len(Groups)-1 || GroupIndex("nope") != len(Groups) {
		t.Errorf("GroupIndex: %d %d %d", GroupIndex("shape"), GroupIndex("lifecycle"), GroupIndex("nope"))
	}
	if got := c.AllLabels(); !reflect.DeepEqual(got, []string{"conversion", "CancelMetadataModelConversion"}) {
		t.Errorf("AllLabels = %v", got)
	}
	n := Needs{Evidence: []Script{Walk}, Optional: []Script{Scenarios}, Control: true, Denied: true}
	if w := strings.Join(n.Words(), "|"); w != "walk|scenarios (optional)|control surface|denied principal" {
		t.Errorf("Words = %s", w)
	}
	if a := n.All(); !reflect.DeepEqual(a, []Script{Walk, Scenarios}) {
		t.Errorf("All = %v", a)
	}
}
