package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/spec/spectest"
	"github.com/dmsconform/dmsconform/suites/kinds"
)

func TestGenerateIsDeterministicAndMatchesTheCommittedFiles(t *testing.T) {
	m, err := spec.Load()
	if err != nil {
		t.Fatal(err)
	}
	a, err := generate(m)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := generate(m)
	for name, src := range a {
		if !bytes.Equal(src, b[name]) {
			t.Errorf("%s differs between two generations", name)
		}
		committed, err := os.ReadFile(filepath.Join("..", name))
		if err != nil || !bytes.Equal(committed, src) {
			t.Errorf("suites/%s is stale or missing (%v): run make generate", name, err)
		}
		if strings.HasSuffix(name, ".go") && !bytes.HasPrefix(src, []byte("// Code generated ")) || !bytes.Contains(src, []byte("DO NOT EDIT")) {
			t.Errorf("%s lacks the generated-code header", name)
		}
	}
}

// twin adds a third family to a copy of the model by cloning the conversion family's
// operations under new names: the generator must give it a suite of its own with no
// hand-written code.
func twin(t *testing.T) *spec.Model {
	t.Helper()
	m, err := spectest.WithTwinFamily("AssessmentTwin")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestATwinFamilyGetsItsChecksWithNoHandWrittenCode(t *testing.T) {
	m := twin(t)
	files, err := generate(m)
	if err != nil {
		t.Fatal(err)
	}
	src := string(files[filepath.Join("assessmenttwin", "checks.gen.go")])
	for _, want := range []string{
		"package assessmenttwin",
		`"CancelMetadataModelAssessmentTwin.union.ErrorDetails.single-member"`,
		`"CancelMetadataModelAssessmentTwin.fault.ResourceNotFoundFault.sdk"`,
		`"CancelMetadataModelAssessmentTwin.lifecycle.canceled"`,
	} {
		if !strings.Contains(src, want) {
			t.Errorf("the twin family's suite lacks %s", want)
		}
	}
	if _, ok := files[filepath.Join("assessmenttwin", "suite_gen_test.go")]; !ok {
		t.Error("the twin family has no go test bootstrap")
	}
	if all := string(files[filepath.Join("all", "all.gen.go")]); !strings.Contains(all, "assessmenttwin.Family") {
		t.Error("suites/all does not compile the twin family in")
	}
	twinChecks, err := kinds.Expand(m, "assessmenttwin")
	if err != nil {
		t.Fatal(err)
	}
	base, _ := kinds.Expand(spec.MustLoad(), "conversion")
	if len(twinChecks) != len(base) {
		t.Errorf("the twin family must have as many checks as its original: %d, want %d", len(twinChecks), len(base))
	}
}

func TestCatalogRefusesDuplicateIDs(t *testing.T) {
	// A member named like a fixed check collides: shape.undeclared-members.
	old := "    CancelMetadataModelConversionResponse:\n      type: object\n      properties:\n"
	if !strings.Contains(string(spec.Document), old) {
		t.Fatal("the model no longer has the expected response layout")
	}
	doc := strings.Replace(string(spec.Document), old, old+"        undeclared-members:\n          type: string\n", 1)
	m, err := spec.Parse([]byte(doc))
	if err != nil {
		t.Fatalf("the model must load (the collision is the generator's to find): %v", err)
	}
	_, err = generate(m)
	if err == nil || !strings.Contains(err.Error(), "duplicate check ID CancelMetadataModelConversion.shape.undeclared-members") {
		t.Fatalf("a colliding check ID must be refused, got %v", err)
	}
}

func TestEveryCheckIsComplete(t *testing.T) {
	m := spec.MustLoad()
	allowed := map[string]bool{"shape": true, "union": true, "enum": true, "fault": true, "lifecycle": true, "input": true, "sdk": true, "wire": true, "protocol": true, kinds.LabelInferred: true}
	for _, fam := range m.Families() {
		checks, err := kinds.Expand(m, fam)
		if err != nil {
			t.Fatal(err)
		}
		if len(checks) == 0 {
			t.Fatalf("family %s has no checks", fam)
		}
		for _, c := range checks {
			if c.Kind == nil || len(c.Needs) == 0 && !strings.HasSuffix(c.ID, ".missing.sdk") {
				t.Errorf("%s: every check that reads the target declares what it needs (kind %T, needs %v)", c.ID, c.Kind, c.Needs)
			}
			if c.Title == "" || c.Pointer == "" || !strings.HasPrefix(c.Pointer, "#/") {
				t.Errorf("%s: title %q pointer %q", c.ID, c.Title, c.Pointer)
			}
			if c.Level != "MUST" && c.Level != "SHOULD" || !strings.Contains(c.Description, c.Level) {
				t.Errorf("%s: level %s must be MUST or SHOULD and appear in its description %q", c.ID, c.Level, c.Description)
			}
			for _, l := range c.Labels {
				if !allowed[l] {
					t.Errorf("%s: label %q is not one of the design's labels", c.ID, l)
				}
			}
		}
	}
}
