package spec_test

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/spec"
)

func mustLoad(t *testing.T) *spec.Model {
	t.Helper()
	m, err := spec.Load()
	if err != nil {
		t.Fatalf("spec.Load: %v", err)
	}
	return m
}

// edit is one textual mutation of the real document. old must occur in the document
// (at least n times when n > 0, exactly once when n == 0) so that a test cannot pass
// because the mutation silently did nothing.
type edit struct {
	old, new string
	all      bool // replace every occurrence instead of exactly one
}

func mutate(t *testing.T, edits ...edit) []byte {
	t.Helper()
	doc := string(spec.Document)
	for _, e := range edits {
		n := strings.Count(doc, e.old)
		switch {
		case n == 0:
			t.Fatalf("mutation did not apply: %q is not in the document", e.old)
		case n > 1 && !e.all:
			t.Fatalf("mutation is ambiguous: %q occurs %d times", e.old, n)
		}
		if e.all {
			doc = strings.ReplaceAll(doc, e.old, e.new)
		} else {
			doc = strings.Replace(doc, e.old, e.new, 1)
		}
	}
	if doc == string(spec.Document) {
		t.Fatalf("mutation left the document unchanged")
	}
	return []byte(doc)
}

// docLine is the 1-based line number of the line equal to line in the document.
func docLine(line string) int {
	for i, l := range strings.Split(string(spec.Document), "\n") {
		if l == line {
			return i + 1
		}
	}
	return -1
}

// deleteLines removes the block that starts with the line equal to first (with its
// indentation) and every following line indented deeper than it.
func deleteLines(t *testing.T, doc []byte, first string) []byte {
	t.Helper()
	lines := strings.Split(string(doc), "\n")
	start := -1
	for i, l := range lines {
		if l == first {
			if start >= 0 {
				t.Fatalf("line %q occurs more than once", first)
			}
			start = i
		}
	}
	if start < 0 {
		t.Fatalf("line %q is not in the document", first)
	}
	indent := len(first) - len(strings.TrimLeft(first, " "))
	end := start + 1
	for end < len(lines) {
		l := lines[end]
		if strings.TrimSpace(l) != "" && len(l)-len(strings.TrimLeft(l, " ")) <= indent {
			break
		}
		end++
	}
	out := append(append([]string{}, lines[:start]...), lines[end:]...)
	return []byte(strings.Join(out, "\n"))
}

const (
	cancelConvPtr = "#/paths/~1CancelMetadataModelConversion/post"
	cancelConv400 = cancelConvPtr + "/responses/400/content/application~1x-amz-json-1.1/schema/oneOf/"
)

// brokenCopy is one broken copy of the model that Parse must reject, and the text its
// error must contain.
type brokenCopy struct {
	name  string
	doc   func(t *testing.T) []byte
	wants []string // every one must appear in the error text
}

// brokenCopies are the cases of TestParseBrokenCopies.
var brokenCopies = []brokenCopy{
	{
		name: "operation without x-dms-target",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "      x-dms-target: AmazonDMSv20160101.CancelMetadataModelConversion\n", new: ""})
		},
		wants: []string{cancelConvPtr + ": operation CancelMetadataModelConversion has no x-dms-target (want AmazonDMSv20160101.CancelMetadataModelConversion)"},
	},
	{
		name: "wrong x-dms-target",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "x-dms-target: AmazonDMSv20160101.CancelMetadataModelConversion", new: "x-dms-target: AmazonDMSv20160101.CancelMetadataModelConversions"})
		},
		wants: []string{cancelConvPtr + `: operation CancelMetadataModelConversion has x-dms-target "AmazonDMSv20160101.CancelMetadataModelConversions", want "AmazonDMSv20160101.CancelMetadataModelConversion"`},
	},
	{
		name: "target copied from another operation",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "x-dms-target: AmazonDMSv20160101.CancelMetadataModelCreation", new: "x-dms-target: AmazonDMSv20160101.CancelMetadataModelConversion"})
		},
		wants: []string{"#/paths/~1CancelMetadataModelCreation/post: operation CancelMetadataModelCreation has x-dms-target \"AmazonDMSv20160101.CancelMetadataModelConversion\""},
	},
	{
		name: "$ref to a missing schema in a property",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "          $ref: '#/components/schemas/Progress'", new: "          $ref: '#/components/schemas/Progres'"})
		},
		wants: []string{"#/components/schemas/SchemaConversionRequest/properties/Progress: $ref #/components/schemas/Progres points nowhere"},
	},
	{
		name: "$ref to a missing fault in a oneOf",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: `                oneOf:
                  - {$ref: '#/components/schemas/ResourceNotFoundFault'}
                  - {$ref: '#/components/schemas/InvalidResourceStateFault'}
                  - {$ref: '#/components/schemas/AccessDeniedFault'}
  /StartMetadataModelConversion:`, new: `                oneOf:
                  - {$ref: '#/components/schemas/ResourceNotFoundFault'}
                  - {$ref: '#/components/schemas/NoSuchFault'}
                  - {$ref: '#/components/schemas/AccessDeniedFault'}
  /StartMetadataModelConversion:`})
		},
		wants: []string{cancelConv400 + "1: $ref #/components/schemas/NoSuchFault points nowhere"},
	},
	{
		name: "$ref outside components/schemas",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "          $ref: '#/components/schemas/Progress'", new: "          $ref: '#/components/responses/Progress'"})
		},
		wants: []string{"#/components/schemas/SchemaConversionRequest/properties/Progress: $ref #/components/responses/Progress: only #/components/schemas/<Name> references are supported"},
	},
	{
		name: "fault listed that has no x-dms-fault",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "                  - {$ref: '#/components/schemas/ResourceNotFoundFault'}\n                  - {$ref: '#/components/schemas/InvalidResourceStateFault'}\n                  - {$ref: '#/components/schemas/AccessDeniedFault'}\n  /StartMetadataModelConversion:",
				new: "                  - {$ref: '#/components/schemas/ResourceNotFoundFault'}\n                  - {$ref: '#/components/schemas/Progress'}\n                  - {$ref: '#/components/schemas/AccessDeniedFault'}\n  /StartMetadataModelConversion:"})
		},
		wants: []string{"#/components/schemas/Progress: Progress is listed as a fault of CancelMetadataModelConversion but has no x-dms-fault"},
	},
	{
		name: "fault listed twice",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "                  - {$ref: '#/components/schemas/ResourceNotFoundFault'}\n                  - {$ref: '#/components/schemas/InvalidResourceStateFault'}\n                  - {$ref: '#/components/schemas/AccessDeniedFault'}\n  /StartMetadataModelConversion:",
				new: "                  - {$ref: '#/components/schemas/ResourceNotFoundFault'}\n                  - {$ref: '#/components/schemas/InvalidResourceStateFault'}\n                  - {$ref: '#/components/schemas/ResourceNotFoundFault'}\n  /StartMetadataModelConversion:"})
		},
		wants: []string{cancelConv400 + "2: operation CancelMetadataModelConversion lists fault ResourceNotFoundFault twice"},
	},
	{
		name: "fault without code",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "x-dms-fault: {code: AccessDeniedFault, httpStatus: 400, fault: client}", new: "x-dms-fault: {httpStatus: 400, fault: client}"})
		},
		wants: []string{"#/components/schemas/AccessDeniedFault: fault AccessDeniedFault needs x-dms-fault code and httpStatus"},
	},
	{
		name: "fault without httpStatus",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "x-dms-fault: {code: KMSKeyNotAccessibleFault, httpStatus: 400, fault: client}", new: "x-dms-fault: {code: KMSKeyNotAccessibleFault, fault: client}"})
		},
		wants: []string{"#/components/schemas/KMSKeyNotAccessibleFault: fault KMSKeyNotAccessibleFault needs x-dms-fault code and httpStatus"},
	},
	{
		name: "fault code differs from the shape name",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "x-dms-fault: {code: AccessDeniedFault, httpStatus: 400, fault: client}", new: "x-dms-fault: {code: AccessDenied, httpStatus: 400, fault: client}"})
		},
		wants: []string{"#/components/schemas/AccessDeniedFault: fault AccessDeniedFault has code AccessDenied: the code must be the shape name"},
	},
	{
		name: "fault status is not an error status",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "x-dms-fault: {code: AccessDeniedFault, httpStatus: 400, fault: client}", new: "x-dms-fault: {code: AccessDeniedFault, httpStatus: 200, fault: client}"})
		},
		wants: []string{"#/components/schemas/AccessDeniedFault: fault AccessDeniedFault has HTTP status 200, want 4xx or 5xx"},
	},
	{
		name: "fault status disagrees with the response it is listed under",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "x-dms-fault: {code: AccessDeniedFault, httpStatus: 400, fault: client}", new: "x-dms-fault: {code: AccessDeniedFault, httpStatus: 403, fault: client}"})
		},
		wants: []string{cancelConv400 + "2: fault AccessDeniedFault has httpStatus 403 but operation CancelMetadataModelConversion lists it under response 400"},
	},
	{
		name: "fault kind unknown",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "x-dms-fault: {code: AccessDeniedFault, httpStatus: 400, fault: client}", new: "x-dms-fault: {code: AccessDeniedFault, httpStatus: 400, fault: customer}"})
		},
		wants: []string{`#/components/schemas/AccessDeniedFault: fault AccessDeniedFault has fault kind "customer", want client or server`},
	},
	{
		name: "malformed x-dms-fault",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "x-dms-fault: {code: AccessDeniedFault, httpStatus: 400, fault: client}", new: "x-dms-fault: {code: AccessDeniedFault, httpStatus: four hundred, fault: client}"})
		},
		wants: []string{"#/components/schemas/AccessDeniedFault/x-dms-fault: x-dms-fault cannot be read:"},
	},
	{
		name: "union with empty members",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "members: [defaultErrorDetails]", new: "members: []"})
		},
		wants: []string{
			"#/components/schemas/ErrorDetails: union ErrorDetails has no members",
			"#/components/schemas/ErrorDetails/properties/defaultErrorDetails: property defaultErrorDetails of union ErrorDetails is not listed in x-dms-union members",
		},
	},
	{
		name: "union listing a non-property",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "members: [defaultErrorDetails]", new: "members: [defaultErrorDetails, DefaultErrorDetails]"})
		},
		wants: []string{"#/components/schemas/ErrorDetails: union ErrorDetails lists member DefaultErrorDetails that is not a property"},
	},
	{
		name: "union members not a list",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "members: [defaultErrorDetails]", new: "members: defaultErrorDetails"})
		},
		wants: []string{"#/components/schemas/ErrorDetails/x-dms-union: x-dms-union cannot be read:"},
	},
	{
		name: "union member required",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "      x-dms-union:\n        members: [StatementProperties]", new: "      required: [StatementProperties]\n      x-dms-union:\n        members: [StatementProperties]"})
		},
		wants: []string{"#/components/schemas/MetadataModelProperties/properties/StatementProperties: union member StatementProperties of MetadataModelProperties cannot be required"},
	},
	{
		name: "inferred range beside modelled bounds",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "          x-dms-inferred-range:\n", new: "          minimum: 0\n          x-dms-inferred-range:\n"})
		},
		wants: []string{"Progress/properties/ProgressPercent: Progress.ProgressPercent has both minimum/maximum (bounds of AWS's model) and x-dms-inferred-range (dmsconform's inference): keep one"},
	},
	{
		name: "inferred range without its source",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "            source: >-\n", new: "            notes: >-\n"})
		},
		wants: []string{"ProgressPercent/x-dms-inferred-range: x-dms-inferred-range of Progress.ProgressPercent has no source: say what the bounds are inferred from"},
	},
	{
		name: "inferred range without bounds",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "            minimum: 0\n            maximum: 100\n", new: ""})
		},
		wants: []string{"ProgressPercent/x-dms-inferred-range: x-dms-inferred-range of Progress.ProgressPercent names neither minimum nor maximum"},
	},
	{
		name: "duplicate operationId",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "operationId: StartMetadataModelConversion", new: "operationId: CancelMetadataModelConversion"})
		},
		wants: []string{"#/paths/~1StartMetadataModelConversion/post: duplicate operation CancelMetadataModelConversion (also at " + cancelConvPtr + ")"},
	},
	{
		name: "duplicate path",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "  /StartMetadataModelConversion:\n", new: "  /CancelMetadataModelConversion:\n"})
		},
		wants: []string{fmt.Sprintf("#/paths: duplicate key /CancelMetadataModelConversion (lines %d and %d)", docLine("  /CancelMetadataModelConversion:"), docLine("  /StartMetadataModelConversion:"))},
	},
	{
		name: "member defined twice",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "        MigrationProjectArn:\n", new: "        Status:\n"})
		},
		wants: []string{"#/components/schemas/SchemaConversionRequest/properties: duplicate key Status (lines"},
	},
	{
		name: "path differs from the operation name",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "  /StartMetadataModelConversion:\n", new: "  /StartConversion:\n"})
		},
		wants: []string{"#/paths/~1StartConversion/post: operation StartMetadataModelConversion must have the literal path /StartMetadataModelConversion, has /StartConversion"},
	},
	{
		name: "operation without request body",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "      requestBody:\n        required: true\n        content:\n          application/x-amz-json-1.1:\n            schema: {$ref: '#/components/schemas/CancelMetadataModelConversionMessage'}\n", new: ""})
		},
		wants: []string{cancelConvPtr + ": operation CancelMetadataModelConversion has no request body schema"},
	},
	{
		name: "family missing a role",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "      x-dms-family: creation\n      x-dms-role: start\n", new: "      x-dms-family: creation\n      x-dms-role: describe\n"})
		},
		wants: []string{
			"#/paths: family creation has 0 operation(s) with role start, want exactly 1",
			"#/paths: family creation has 2 operation(s) with role describe, want exactly 1",
		},
	},
	{
		name: "unknown role",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "      x-dms-family: creation\n      x-dms-role: start\n", new: "      x-dms-family: creation\n      x-dms-role: begin\n"})
		},
		wants: []string{`#/paths/~1StartMetadataModelCreation/post: operation StartMetadataModelCreation has x-dms-role "begin", want one of start, describe, cancel`},
	},
	{
		name: "documented value set with a duplicate value",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "              - {value: TARGET, description: The target data provider.}", new: "              - {value: SOURCE, description: The target data provider.}"})
		},
		wants: []string{"#/components/schemas/ProcessedObject/properties/EndpointType: documented value set EndpointType lists SOURCE twice"},
	},
	{
		name: "documented value set defined twice",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "            name: EndpointType", new: "            name: ProgressStep"})
		},
		wants: []string{"#/components/schemas/ProcessedObject/properties/EndpointType: documented value set ProgressStep is defined twice (also at #/components/schemas/Progress/properties/ProgressStep)"},
	},
	{
		name: "documented values on a non-string",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "        ProgressStep:\n          type: string\n", new: "        ProgressStep:\n          type: integer\n"})
		},
		wants: []string{"#/components/schemas/Progress/properties/ProgressStep: documented values on Progress.ProgressStep, which is integer, not a string"},
	},
	{
		name: "required member that is not a property",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "      required: [Name, Values]", new: "      required: [Name, Value]"})
		},
		wants: []string{"#/components/schemas/Filter: required member Value of Filter is not a property"},
	},
	{
		name: "malformed x-dms-sdk-nonpointer",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "x-dms-sdk-nonpointer: true", new: "x-dms-sdk-nonpointer: [true]"})
		},
		wants: []string{"#/components/schemas/Progress/properties/TotalObjects/x-dms-sdk-nonpointer: x-dms-sdk-nonpointer cannot be read:"},
	},
	{
		name: "unsupported protocol",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "  protocol: awsJson1_1", new: "  protocol: restJson1"})
		},
		wants: []string{`#/x-dms-service: protocol "restJson1" is not supported: dmsconform speaks awsJson1_1`},
	},
	{
		name: "no x-dms-service",
		doc: func(t *testing.T) []byte {
			return deleteLines(t, spec.Document, "x-dms-service:")
		},
		wants: []string{"#: missing x-dms-service"},
	},
	{
		name: "not OpenAPI 3.1",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "openapi: 3.1.0", new: "openapi: 3.0.3"})
		},
		wants: []string{`openapi version is "3.0.3": the model must be OpenAPI 3.1`},
	},
	{
		name: "Swagger 2.0",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "openapi: 3.1.0", new: "swagger: '2.0'"})
		},
		wants: []string{`openapi version is "2.0": the model must be OpenAPI 3.1`},
	},
	{
		name: "no openapi key",
		doc: func(t *testing.T) []byte {
			return mutate(t, edit{old: "openapi: 3.1.0\n", new: ""})
		},
		wants: []string{"not an OpenAPI document: no top-level openapi key (want openapi: 3.1.0)"},
	},
	{
		name:  "not YAML at all",
		doc:   func(*testing.T) []byte { return []byte("openapi: [3.1.0\npaths: {{{") },
		wants: []string{"not YAML (or JSON):"},
	},
	{
		name:  "YAML but a scalar",
		doc:   func(*testing.T) []byte { return []byte("hello world\n") },
		wants: []string{`not an OpenAPI document: line 1: the top level is a scalar "hello world", want a mapping`},
	},
	{
		name:  "YAML but a sequence",
		doc:   func(*testing.T) []byte { return []byte("- openapi: 3.1.0\n") },
		wants: []string{"the top level is a sequence"},
	},
	{
		name:  "empty",
		doc:   func(*testing.T) []byte { return nil },
		wants: []string{"not an OpenAPI document: the document is empty"},
	},
}

func TestParseBrokenCopies(t *testing.T) {
	for _, tc := range brokenCopies {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.doc(t)
			m, err := spec.Parse(data)
			if err == nil {
				t.Fatalf("Parse accepted the broken copy (model with %d operations)", len(m.Operations))
			}
			if m != nil {
				t.Errorf("Parse returned a model along with the error")
			}
			for _, w := range tc.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not name the problem\nwant substring: %s\ngot:\n%v", w, err)
				}
			}
		})
	}
}

// A value set whose values list is emptied.
func TestParseValueSetWithoutValues(t *testing.T) {
	data := mutate(t, edit{old: `              - {value: SOURCE, description: The source data provider.}
              - {value: TARGET, description: The target data provider.}
`, new: ""}, edit{old: "            name: EndpointType\n            open: true\n            values:\n", new: "            name: EndpointType\n            open: true\n            values: []\n"})
	_, err := spec.Parse(data)
	want := "#/components/schemas/ProcessedObject/properties/EndpointType: documented value set EndpointType has no values"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("want %q, got %v", want, err)
	}
}

func TestParseErrorIsModelError(t *testing.T) {
	data := mutate(t,
		edit{old: "members: [defaultErrorDetails]", new: "members: []"},
		edit{old: "x-dms-fault: {code: AccessDeniedFault, httpStatus: 400, fault: client}", new: "x-dms-fault: {httpStatus: 400, fault: client}"})
	_, err := spec.Parse(data)
	var me *spec.ModelError
	if !errors.As(err, &me) {
		t.Fatalf("want a *spec.ModelError, got %T %v", err, err)
	}
	// Every problem is reported, not just the first, and the list is sorted by pointer.
	if len(me.Problems) < 3 {
		t.Fatalf("want at least 3 problems, got %d: %v", len(me.Problems), err)
	}
	for i := 1; i < len(me.Problems); i++ {
		if me.Problems[i-1].Pointer > me.Problems[i].Pointer {
			t.Errorf("problems not sorted by pointer: %q before %q", me.Problems[i-1].Pointer, me.Problems[i].Pointer)
		}
	}
	if !regexp.MustCompile(`^invalid model \(\d+ problem\(s\)\):\n- `).MatchString(err.Error()) {
		t.Errorf("error header: %q", err.Error())
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, spec.Document, 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := spec.LoadFile(good)
	if err != nil {
		t.Fatalf("LoadFile of a copy of the real model: %v", err)
	}
	if m.Source != good {
		t.Errorf("Source = %q, want %q", m.Source, good)
	}
	if emb := mustLoad(t); m.SHA256 != emb.SHA256 || emb.Source != "embedded" {
		t.Errorf("copy sha %s vs embedded sha %s (source %q)", m.SHA256, emb.SHA256, emb.Source)
	}

	missing := filepath.Join(dir, "nope.yaml")
	_, err = spec.LoadFile(missing)
	if err == nil {
		t.Fatal("LoadFile of a missing path succeeded")
	}
	for _, w := range []string{"read model:", missing, "pass the path of an OpenAPI 3.1 file such as spec/dms.openapi.yaml"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing-file error lacks %q: %v", w, err)
		}
	}
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing-file error does not wrap os.ErrNotExist: %v", err)
	}

	broken := filepath.Join(dir, "broken.yaml")
	if err := os.WriteFile(broken, mutate(t, edit{old: "members: [defaultErrorDetails]", new: "members: []"}), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = spec.LoadFile(broken)
	if err == nil || !strings.HasPrefix(err.Error(), broken+": invalid model") || !strings.Contains(err.Error(), "union ErrorDetails has no members") {
		t.Errorf("broken file: want the path and the problem, got %v", err)
	}
}

func TestLintIsRepeatableAndSafe(t *testing.T) {
	m := mustLoad(t)
	if probs := spec.Lint(m); len(probs) != 0 {
		t.Fatalf("second Lint of the loaded model reports problems: %v", probs)
	}
	if m.Operation("CancelMetadataModelConversion") == nil {
		t.Fatal("lookups lost after a second Lint")
	}
	// A hand-built model (no lookups) must be linted, not panic.
	hand := &spec.Model{
		Service:    m.Service,
		Operations: []*spec.Operation{m.Operation("CancelMetadataModelConversion"), m.Operation("CancelMetadataModelConversion")},
		Shapes:     map[string]*spec.Shape{},
	}
	probs := spec.Lint(hand)
	found := false
	for _, p := range probs {
		if strings.Contains(p.Message, "duplicate operation CancelMetadataModelConversion") {
			found = true
		}
	}
	if !found {
		t.Errorf("hand-built model with a repeated operation: no duplicate reported: %v", probs)
	}
}

// TestModelOperations holds every operation of the model to the rules the harness
// relies on (found from the model: a new family needs no edit here), and pins the
// operation under test, CancelMetadataModelConversion, and its family.
func TestModelOperations(t *testing.T) {
	m := mustLoad(t)
	checkOperationIndex(t, m)
	checkConversionFamily(t, m)
	for _, miss := range []string{"", "CancelMetadataModelConversions", "cancelmetadatamodelconversion"} {
		if m.Operation(miss) != nil {
			t.Errorf("Operation(%q) found something", miss)
		}
	}
	if m.OperationByTarget("CancelMetadataModelConversion") != nil || m.OperationByTarget("AmazonDMSv20160101.Nope") != nil {
		t.Error("OperationByTarget answers for a target that is not modeled")
	}
	if m.Service.TargetPrefix != "AmazonDMSv20160101" || m.Service.SigningName != "dms" || m.Service.Protocol != "awsJson1_1" ||
		m.Service.ContentType != "application/x-amz-json-1.1" || m.Service.APIVersion != "2016-01-01" {
		t.Errorf("service = %+v", m.Service)
	}
	if m.Provenance["goSdk"] == "" || !strings.Contains(m.Provenance["goSdk"], "v1.64.0") {
		t.Errorf("provenance = %v", m.Provenance)
	}
	if len(m.SHA256) != 64 || m.Source != "embedded" || m.Version == "" || m.Title == "" {
		t.Errorf("sha %q source %q version %q title %q", m.SHA256, m.Source, m.Version, m.Title)
	}
}

// checkOperationIndex checks that the operations are sorted, reachable by target and by
// family role, point at the model's own shapes and faults, and that every family is
// complete.
func checkOperationIndex(t *testing.T, m *spec.Model) {
	t.Helper()
	for i := 1; i < len(m.Operations); i++ {
		if m.Operations[i-1].Name >= m.Operations[i].Name {
			t.Errorf("operations not sorted: %s before %s", m.Operations[i-1].Name, m.Operations[i].Name)
		}
	}
	roles := map[string]map[string]*spec.Operation{}
	for _, op := range m.Operations {
		name := op.Name
		if byT := m.OperationByTarget("AmazonDMSv20160101." + name); byT != op {
			t.Errorf("OperationByTarget(AmazonDMSv20160101.%s) = %v", name, byT)
		}
		if op.Path != "/"+name || op.Target != "AmazonDMSv20160101."+name || op.Pointer != "#/paths/~1"+strings.ReplaceAll(name, "/", "~1")+"/post" {
			t.Errorf("%s: path %q target %q pointer %q", name, op.Path, op.Target, op.Pointer)
		}
		if op.Input == nil || op.Input != m.Shape(op.Input.Name) || op.Output == nil || op.Output != m.Shape(op.Output.Name) {
			t.Errorf("%s: input %v output %v, want named shapes of the model", name, op.Input, op.Output)
		}
		for _, f := range op.Faults {
			if f != m.Fault(f.Name) {
				t.Errorf("%s fault %s is not the model's fault object", name, f.Name)
			}
		}
		if op.Family == "" {
			continue // a neighbour outside the families (none today)
		}
		if roles[op.Family] == nil {
			roles[op.Family] = map[string]*spec.Operation{}
		}
		if prev := roles[op.Family][op.Role]; prev != nil {
			t.Errorf("family %s has two %s operations: %s and %s", op.Family, op.Role, prev.Name, name)
		}
		roles[op.Family][op.Role] = op
		if fo := m.FamilyOperation(op.Family, op.Role); fo != op {
			t.Errorf("FamilyOperation(%s, %s) = %v, want %s", op.Family, op.Role, fo, name)
		}
	}
	var fams []string
	for fam, ops := range roles {
		fams = append(fams, fam)
		for _, role := range []string{spec.RoleStart, spec.RoleDescribe, spec.RoleCancel} {
			if ops[role] == nil {
				t.Errorf("family %s has no %s operation", fam, role)
			}
		}
	}
	sort.Strings(fams)
	if got := m.Families(); !reflect.DeepEqual(got, fams) || len(got) == 0 || got[0] != "conversion" {
		t.Errorf("Families() = %v, want %v, the conversion family first", got, fams)
	}
}

// checkConversionFamily checks the operation under test and its family, as AWS's model
// has them (the drift tests compare every operation with botocore's model and
// aws-sdk-go-v2).
func checkConversionFamily(t *testing.T, m *spec.Model) {
	t.Helper()
	wants := map[string]struct {
		input, output, role string
		faults              []string
	}{
		"CancelMetadataModelConversion":    {"CancelMetadataModelConversionMessage", "CancelMetadataModelConversionResponse", "cancel", []string{"AccessDeniedFault", "InvalidResourceStateFault", "ResourceNotFoundFault"}},
		"StartMetadataModelConversion":     {"StartMetadataModelConversionMessage", "StartMetadataModelConversionResponse", "start", []string{"AccessDeniedFault", "InvalidResourceStateFault", "KMSKeyNotAccessibleFault", "ResourceAlreadyExistsFault", "ResourceNotFoundFault", "ResourceQuotaExceededFault", "S3AccessDeniedFault", "S3ResourceNotFoundFault"}},
		"DescribeMetadataModelConversions": {"DescribeMetadataModelConversionsMessage", "DescribeMetadataModelConversionsResponse", "describe", []string{"ResourceNotFoundFault"}},
	}
	for name, w := range wants {
		op := m.Operation(name)
		if op == nil {
			t.Errorf("operation %s missing", name)
			continue
		}
		var got []string
		for _, f := range op.Faults {
			got = append(got, f.Name)
		}
		if op.Input.Name != w.input || op.Output.Name != w.output || op.Family != "conversion" || op.Role != w.role || !reflect.DeepEqual(got, w.faults) {
			t.Errorf("%s: input %s output %s family %s role %s faults %v, want %s %s conversion %s %v", name, op.Input.Name, op.Output.Name, op.Family, op.Role, got, w.input, w.output, w.role, w.faults)
		}
	}
}

func TestFaults(t *testing.T) {
	m := mustLoad(t)
	// The model's faults are the ones its operations name, each once.
	named := map[string]bool{}
	for _, op := range m.Operations {
		for _, f := range op.Faults {
			named[f.Name] = true
		}
	}
	want := slices.Sorted(maps.Keys(named))
	if len(m.Faults) != len(want) || !slices.Contains(want, "ResourceNotFoundFault") {
		t.Errorf("model has %d faults, its operations name %d: %v", len(m.Faults), len(want), want)
	}
	for _, name := range want {
		f := m.Fault(name)
		if f == nil {
			t.Errorf("fault %s missing", name)
			continue
		}
		if f.Code != name || f.HTTPStatus != 400 || f.Side != "client" || f.Shape != m.Shape(name) || f.Shape.Fault != f || f.Doc == "" {
			t.Errorf("fault %s = %+v", name, f)
		}
		tp := f.Shape.Member("__type")
		if tp == nil || !tp.Required || f.Shape.Member("message") == nil {
			t.Errorf("fault %s: want required __type and message members", name)
		}
	}
	if m.Fault("ResourceAlreadyExistsFault").Shape.Member("resourceArn") == nil {
		t.Error("ResourceAlreadyExistsFault lacks resourceArn")
	}
}

func TestValueSets(t *testing.T) {
	m := mustLoad(t)
	want := map[string][]string{
		"RequestStatus": {"RECEIVED", "IN_PROGRESS", "SUCCESS", "FAILED", "CANCELING", "CANCELED"},
		"ProgressStep":  {"IN_PROGRESS", "LOADING_METADATA", "COUNTING_OBJECTS", "ANALYZING", "CONVERTING", "APPLYING", "FINISHED"},
		"EndpointType":  {"SOURCE", "TARGET"},
	}
	if got := m.SortedValueSetNames(); !reflect.DeepEqual(got, []string{"EndpointType", "ProgressStep", "RequestStatus"}) {
		t.Errorf("value sets = %v", got)
	}
	for name, values := range want {
		vs := m.ValueSets[name]
		if vs == nil {
			t.Errorf("value set %s missing", name)
			continue
		}
		if got := vs.Strings(); !reflect.DeepEqual(got, values) {
			t.Errorf("%s = %v, want %v", name, got, values)
		}
		if !vs.Open {
			t.Errorf("%s must be open", name)
		}
		if vs.Ordered != (name == "ProgressStep") {
			t.Errorf("%s ordered = %v", name, vs.Ordered)
		}
		for i, v := range values {
			if vs.Index(v) != i || !vs.Contains(v) {
				t.Errorf("%s.Index(%s) = %d, want %d", name, v, vs.Index(v), i)
			}
		}
		for _, dv := range vs.Values {
			if dv.Doc == "" {
				t.Errorf("%s value %s has no description", name, dv.Value)
			}
		}
	}
	st := m.ValueSets["RequestStatus"]
	for _, two := range []string{"CANCELLED", "CANCELLING", "canceled", ""} {
		if st.Contains(two) {
			t.Errorf("RequestStatus contains %q (the documented spelling has one L and upper case)", two)
		}
	}
	for s, sh := range map[string]*spec.Shape{
		"RequestStatus": m.Shape("SchemaConversionRequest").Member("Status").Shape,
		"ProgressStep":  m.Shape("Progress").Member("ProgressStep").Shape,
		"EndpointType":  m.Shape("ProcessedObject").Member("EndpointType").Shape,
	} {
		if sh.Values != m.ValueSets[s] {
			t.Errorf("the member carrying %s does not point at the value set", s)
		}
		if sh.Type != spec.TypeString {
			t.Errorf("%s is on a %s", s, sh.Type)
		}
	}
	for s, terminal := range map[string]bool{"SUCCESS": true, "FAILED": true, "CANCELED": true, "RECEIVED": false, "IN_PROGRESS": false, "CANCELING": false, "CANCELLED": false} {
		if spec.IsTerminalStatus(s) != terminal {
			t.Errorf("IsTerminalStatus(%s) = %v", s, !terminal)
		}
	}
}

func TestShapes(t *testing.T) {
	m := mustLoad(t)
	checkUnionShapes(t, m)
	checkProgressShapes(t, m)
	in := m.Shape("CancelMetadataModelConversionMessage")
	if got := memberNames(in); !reflect.DeepEqual(got, []string{"MigrationProjectIdentifier", "RequestIdentifier"}) {
		t.Errorf("input members = %v", got)
	}
	mpi := in.Member("MigrationProjectIdentifier")
	if !mpi.Required || mpi.Shape.MaxLength == nil || *mpi.Shape.MaxLength != 255 || !in.Member("RequestIdentifier").Required {
		t.Errorf("input = %+v / %+v", mpi, mpi.Shape)
	}
	if mpi.Pointer != "#/components/schemas/CancelMetadataModelConversionMessage/properties/MigrationProjectIdentifier" || mpi.Shape.Name != "CancelMetadataModelConversionMessage.MigrationProjectIdentifier" {
		t.Errorf("member pointer %q shape name %q", mpi.Pointer, mpi.Shape.Name)
	}
	scr := m.Shape("SchemaConversionRequest")
	if got := memberNames(scr); !reflect.DeepEqual(got, []string{"Status", "RequestIdentifier", "MigrationProjectArn", "Error", "ExportSqlDetails", "Progress"}) {
		t.Errorf("SchemaConversionRequest members = %v (document order)", got)
	}
	for _, mb := range scr.Members {
		if mb.Required {
			t.Errorf("SchemaConversionRequest.%s is required; all members are optional", mb.Name)
		}
	}
	if m.Shape("CancelMetadataModelConversionResponse").Member("Request").Shape != scr {
		t.Error("response Request is not SchemaConversionRequest")
	}
	req := m.Shape("DescribeMetadataModelConversionsResponse").Member("Requests").Shape
	if req.Type != spec.TypeArray || req.Items != scr || req.TypeLabel() != "array of object SchemaConversionRequest" {
		t.Errorf("Requests = %+v (%s)", req, req.TypeLabel())
	}
	vals := m.Shape("Filter").Member("Values").Shape
	if vals.Items == nil || vals.Items.Type != spec.TypeString || vals.Items.Name != "Filter.Values[]" {
		t.Errorf("Filter.Values items = %+v", vals.Items)
	}
	if mr := m.Shape("DescribeMetadataModelConversionsMessage").Member("MaxRecords").Shape; mr.Type != spec.TypeInteger || mr.Format != "int32" {
		t.Errorf("MaxRecords = %+v", mr)
	}
	if m.Shape("Nope") != nil || scr.Member("Nope") != nil || (*spec.Shape)(nil).Member("x") != nil {
		t.Error("lookups of missing names answer something")
	}
}

// checkUnionShapes checks the tagged unions ErrorDetails and MetadataModelProperties.
func checkUnionShapes(t *testing.T, m *spec.Model) {
	t.Helper()
	ed := m.Shape("ErrorDetails")
	if ed == nil || ed.Union == nil || !reflect.DeepEqual(ed.Union.Members, []string{"defaultErrorDetails"}) || !ed.Union.Open {
		t.Fatalf("ErrorDetails union = %+v", ed)
	}
	if mb := ed.Member("defaultErrorDetails"); mb == nil || mb.Shape != m.Shape("DefaultErrorDetails") || mb.Required {
		t.Errorf("ErrorDetails.defaultErrorDetails = %+v", mb)
	}
	if mp := m.Shape("MetadataModelProperties"); mp.Union == nil || !reflect.DeepEqual(mp.Union.Members, []string{"StatementProperties"}) {
		t.Errorf("MetadataModelProperties union = %+v", mp.Union)
	}
	if got := ed.TypeLabel(); got != "union ErrorDetails" {
		t.Errorf("TypeLabel = %q", got)
	}
}

// checkProgressShapes checks Progress's numeric members and that TotalObjects is the only
// member the SDK models without a pointer.
func checkProgressShapes(t *testing.T, m *spec.Model) {
	t.Helper()
	pr := m.Shape("Progress")
	to := pr.Member("TotalObjects")
	if to == nil || to.Shape.Type != spec.TypeInteger || to.Shape.Format != "int64" || !to.Shape.SDKNonPointer {
		t.Errorf("Progress.TotalObjects = %+v", to.Shape)
	}
	if got := to.Shape.TypeLabel(); got != "integer(int64)" {
		t.Errorf("TotalObjects TypeLabel = %q", got)
	}
	pp := pr.Member("ProgressPercent").Shape
	if pp.Type != spec.TypeNumber || pp.Format != "double" || pp.SDKNonPointer || pp.Minimum == nil || *pp.Minimum != 0 || pp.Maximum == nil || *pp.Maximum != 100 ||
		!strings.Contains(pp.InferredRange, "AWS's model (DoubleOptional) sets no bounds") {
		t.Errorf("Progress.ProgressPercent = %+v", pp)
	}
	// Only TotalObjects is non-pointer in the SDK.
	var nonptr []string
	var walk func(sh *spec.Shape)
	seen := map[*spec.Shape]bool{}
	walk = func(sh *spec.Shape) {
		if sh == nil || seen[sh] {
			return
		}
		seen[sh] = true
		if sh.SDKNonPointer {
			nonptr = append(nonptr, sh.Name)
		}
		for _, mb := range sh.Members {
			walk(mb.Shape)
		}
		walk(sh.Items)
	}
	for _, n := range m.SortedShapeNames() {
		walk(m.Shape(n))
	}
	if !reflect.DeepEqual(nonptr, []string{"Progress.TotalObjects"}) {
		t.Errorf("non-pointer members = %v", nonptr)
	}

}

func memberNames(sh *spec.Shape) []string {
	var out []string
	for _, mb := range sh.Members {
		out = append(out, mb.Name)
	}
	return out
}

func TestDescribe(t *testing.T) {
	m := mustLoad(t)
	d := spec.Describe(m)
	if d.Title != m.Title || d.SHA256 != m.SHA256 || d.Source != "embedded" || d.Service != m.Service {
		t.Errorf("header = %+v", d)
	}
	if len(d.Operations) != len(m.Operations) {
		t.Fatalf("%d operations described, want %d", len(d.Operations), len(m.Operations))
	}
	op := d.Operations[0]
	want := spec.OperationDesc{Name: "CancelMetadataModelConversion", Target: "AmazonDMSv20160101.CancelMetadataModelConversion", Family: "conversion", Role: "cancel",
		Input: "CancelMetadataModelConversionMessage", Output: "CancelMetadataModelConversionResponse", Faults: []string{"AccessDeniedFault", "InvalidResourceStateFault", "ResourceNotFoundFault"}}
	if !reflect.DeepEqual(op, want) {
		t.Errorf("first operation = %+v, want %+v", op, want)
	}
	if !reflect.DeepEqual(d.Unions, []spec.UnionDesc{{Name: "ErrorDetails", Members: []string{"defaultErrorDetails"}, Open: true}, {Name: "MetadataModelProperties", Members: []string{"StatementProperties"}, Open: true}}) {
		t.Errorf("unions = %+v", d.Unions)
	}
	if len(d.ValueSets) != 3 || d.ValueSets[2].Name != "RequestStatus" || d.ValueSets[2].Values[5] != "CANCELED" || !d.ValueSets[1].Ordered {
		t.Errorf("value sets = %+v", d.ValueSets)
	}
	if len(d.Shapes) != len(m.Shapes) {
		t.Errorf("%d shapes described, want %d", len(d.Shapes), len(m.Shapes))
	}
	var scr, fault *spec.ShapeDesc
	for i := range d.Shapes {
		switch d.Shapes[i].Name {
		case "SchemaConversionRequest":
			scr = &d.Shapes[i]
		case "AccessDeniedFault":
			fault = &d.Shapes[i]
		}
	}
	if scr == nil || fault == nil {
		t.Fatal("SchemaConversionRequest or AccessDeniedFault not described")
	}
	if scr.Members[0] != (spec.MemberDesc{Name: "Status", Type: "string", Values: "RequestStatus"}) || scr.Members[3].Type != "union ErrorDetails" {
		t.Errorf("SchemaConversionRequest members = %+v", scr.Members)
	}
	if fault.Fault != "client 400" || fault.Members[0] != (spec.MemberDesc{Name: "__type", Type: "string", Required: true}) {
		t.Errorf("AccessDeniedFault = %+v", fault)
	}
}

func TestSanitizeErrorCode(t *testing.T) {
	for in, want := range map[string]string{
		"com.amazonaws.dms#ResourceNotFoundFault:http://internal.amazon.com/coral/com.amazonaws.dms/": "ResourceNotFoundFault",
		"com.amazonaws.dms#ResourceNotFoundFault":                                                     "ResourceNotFoundFault",
		"ResourceNotFoundFault:http://example.com/x":                                                  "ResourceNotFoundFault",
		"ResourceNotFoundFault":                                                                       "ResourceNotFoundFault",
		"aws.protocoltests#Foo#Bar":                                                                   "Foo#Bar",
		"Foo:bar#baz":                                                                                 "Foo",
		"":                                                                                            "",
	} {
		if got := spec.SanitizeErrorCode(in); got != want {
			t.Errorf("SanitizeErrorCode(%q) = %q, want %q", in, got, want)
		}
	}
}
