package emulator

import (
	"slices"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/spec"
)

// The emulator names families and operations from its model: the noun and start
// operation of each family's messages, the denied principal's cancel operations, the
// families a scenario may name.
func TestNamesComeFromTheModel(t *testing.T) {
	e, _ := newTestEmulator(t, nil)
	for family, want := range map[string][2]string{
		"conversion": {"metadata model conversion", "StartMetadataModelConversion"},
		"creation":   {"metadata model creation", "StartMetadataModelCreation"},
	} {
		if e.noun(family) != want[0] || e.startName(family) != want[1] {
			t.Errorf("%s: noun %q, start %q", family, e.noun(family), e.startName(family))
		}
	}
	m := spec.MustLoad()
	var cancels []string
	for _, op := range m.Operations {
		if op.Role == spec.RoleCancel {
			cancels = append(cancels, op.Name)
		}
	}
	denied := defaultCredentials(m)[1]
	if denied.AccessKeyID != DeniedAccessKeyID || !slices.Equal(denied.Deny, cancels) || len(cancels) != len(m.Families()) {
		t.Errorf("the denied principal denies %v, want every cancel operation %v", denied.Deny, cancels)
	}
	if err := e.validateScenario(Scenario{Family: "creation"}); err != nil {
		t.Errorf("a family of the model: %v", err)
	}
	err := e.validateScenario(Scenario{Family: "assessment"})
	if err == nil || !strings.Contains(err.Error(), `scenario family "assessment"`) || !strings.Contains(err.Error(), "conversion, creation") {
		t.Errorf("a family the model lacks: %v", err)
	}
}
