package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/spec/spectest"
	"github.com/dmsconform/dmsconform/suites/engine"
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

// recipeKind is a kind a test adds, as the README's recipe for a new kind does.
type recipeKind struct{ Member string }

func (recipeKind) Needs() engine.Needs {
	return engine.Needs{Evidence: []engine.Script{engine.Walk}}
}
func (recipeKind) Judge(*engine.Evidence) engine.Verdict { return engine.Pass() }

// recipeDeclared is recipeKind declared proven by its table tests only.
type recipeDeclared struct{ recipeKind }

func (recipeDeclared) TableTestsOnly() string { return "a test's kind that no target can fail" }

// TestANewKindIsInTheGeneratedCatalog does the mechanical part of the README's recipe
// for a new check kind: a kind registered (here by the test, in the package by its
// init) expands into a check of every family, which make generate writes into the
// generated catalog (checks.gen.go, with the kind as a typed value, and CHECKS.md);
// and the check is unproven until a defect mode kills it or its kind says why none can
// (engine.Prove; the mutation self-test fails on an unproven check:
// runner.TestMutationSaysWhatIsUnproven).
func TestANewKindIsInTheGeneratedCatalog(t *testing.T) {
	m := spec.MustLoad()
	for _, k := range []engine.Kind{recipeKind{Member: "Status"}, recipeDeclared{recipeKind{Member: "Status"}}} {
		unregister := kinds.Register(func(x *kinds.Expansion) {
			x.Add("protocol", "recipe-example", "MUST", reports.Source{Origin: reports.SourceProtocol, Ref: "a test of the recipe"}, x.Cancel.Pointer,
				"the recipe's check", "A check the recipe test adds MUST be in the catalog.", []string{"protocol", "wire"}, k)
		})
		files, err := generate(m)
		unregister()
		if err != nil {
			t.Fatal(err)
		}
		for _, fam := range m.Families() {
			op := m.FamilyOperation(fam, spec.RoleCancel).Name
			src := string(files[filepath.Join(fam, "checks.gen.go")])
			if kind := strings.SplitN(fmt.Sprintf("%#v", k), "{", 2)[0] + "{"; !strings.Contains(src, `"`+op+`.protocol.recipe-example"`) || !strings.Contains(src, kind) {
				t.Errorf("%s/checks.gen.go lacks the new check or its kind %#v", fam, k)
			}
			if !strings.Contains(string(files["CHECKS.md"]), "| `"+op+".protocol.recipe-example` | MUST |") {
				t.Errorf("CHECKS.md lacks %s.protocol.recipe-example", op)
			}
		}
		checks, err := kinds.Expand(m, "conversion")
		if err != nil {
			t.Fatal(err)
		}
		unregisterAgain := kinds.Register(func(x *kinds.Expansion) {
			x.Add("protocol", "recipe-example", "MUST", reports.Source{Origin: reports.SourceProtocol, Ref: "a test of the recipe"}, x.Cancel.Pointer,
				"the recipe's check", "A check the recipe test adds MUST be in the catalog.", []string{"protocol", "wire"}, k)
		})
		withNew, err := kinds.Expand(m, "conversion")
		unregisterAgain()
		if err != nil || len(withNew) != len(checks)+1 {
			t.Fatalf("the registered kind added %d checks (%v), want 1", len(withNew)-len(checks), err)
		}
		want := reports.ProofUnproven
		if _, declared := k.(engine.TableTested); declared {
			want = reports.ProofTableTests
		}
		for _, p := range engine.Prove(withNew, nil) {
			if strings.HasSuffix(p.ID, ".recipe-example") && p.Status() != want {
				t.Errorf("%T: %s is %s before any defect mode kills it, want %s", k, p.ID, p.Status(), want)
			}
		}
	}
	if after, _ := kinds.Expand(m, "conversion"); slices.ContainsFunc(after, func(c engine.Check) bool { return strings.HasSuffix(c.ID, ".recipe-example") }) {
		t.Error("the test's kind is still registered")
	}
}
