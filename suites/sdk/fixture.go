// Package sdk replays the wire fixtures of fixtures/wire to AWS SDKs
// (aws-sdk-go-v2 in-process, aws-sdk-js-v3 through the Node adapter in js/) and
// compares what each SDK decodes with the decoding the fixture says the model and the
// Smithy awsJson 1.1 protocol require. One reports.Run per SDK: check
// sdk.<operation>.<fixture-id> per fixture.
//
// The expectations never come from what one SDK does: a fixture states the canonical,
// SDK-neutral decoded output (or error) and the rule it follows from; an SDK that
// decodes otherwise fails the check, with the fixture and the observed decoding in the
// message. See fixtures/README.md for the fixture format.
package sdk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/dmsconform/dmsconform/internal/jsonv"
	"github.com/dmsconform/dmsconform/spec"
)

// Areas and levels a fixture may declare.
var (
	Areas  = []string{"shape", "union", "enum", "fault"}
	Levels = []string{"MUST", "SHOULD"}
)

// MaxRepeat bounds Fixture.Repeat.
const MaxRepeat = 200

// Fixture is one canned response and the decoding every SDK must produce for it.
type Fixture struct {
	ID          string `json:"id"`
	Operation   string `json:"operation"`
	Area        string `json:"area"`        // shape, union, enum or fault
	Level       string `json:"level"`       // MUST or SHOULD
	Description string `json:"description"` // what the response is
	Requirement string `json:"requirement"` // the RFC 2119 sentence the check verifies
	Rule        string `json:"rule"`        // the model or protocol rule the expectation follows from
	Pointer     string `json:"pointer"`     // JSON pointer into the model
	// Repeat replays the fixture this many times (default 1): for responses an SDK may
	// decode nondeterministically (several keys in a union). Any misdecoding fails.
	Repeat   int            `json:"repeat,omitempty"`
	Input    map[string]any `json:"input,omitempty"` // operation input; default: DefaultInput
	Response Response       `json:"response"`
	Expect   Expect         `json:"expect"`

	// File is the path the fixture was read from (not part of the format).
	File string `json:"-"`
}

// Response is the canned HTTP response. Body is the raw body, so empty and malformed
// bodies are expressible. The server adds Content-Type: application/x-amz-json-1.1
// and x-amzn-RequestId unless Headers sets them (an empty value removes the header).
type Response struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    string            `json:"body"`
}

// Expect is exactly one of Output, Error or OneOf.
type Expect struct {
	// Output is the canonical decoded output (spec.Canonical): model member names,
	// unset members absent, a union as {"<member>": ...} or {"$unknown": "<tag>"},
	// doubles as numbers or "NaN"/"Infinity"/"-Infinity", longs beyond 2^53 as
	// decimal strings (the canonical form reads them as the integers they write).
	Output json.RawMessage `json:"output,omitempty"`
	Error  *ErrorExpect    `json:"error,omitempty"`
	// OneOf lists alternatives, only where the protocol allows more than one result;
	// the fixture's rule must say why.
	OneOf []Expect `json:"oneOf,omitempty"`
}

// Error layers: where an SDK call failed (ObservedError.Layer, ErrorExpect.Layer;
// "kind" in fixtures and in the adapter protocol).
const (
	LayerAPI             = "api"             // the SDK surfaced a service error (a code)
	LayerDeserialization = "deserialization" // the SDK rejected the response
	LayerTransport       = "transport"       // no response: never an expectation
	LayerOther           = "other"           // anything else: never an expectation
)

// ErrorExpect is an expected error. Fields left out are not compared.
type ErrorExpect struct {
	Layer   string  `json:"kind,omitempty"` // api (default) or deserialization
	Code    *string `json:"code,omitempty"` // the sanitised error code
	Typed   *bool   `json:"typed,omitempty"`
	Message *string `json:"message,omitempty"`
}

func (e *ErrorExpect) layer() string {
	if e.Layer == "" {
		return LayerAPI
	}
	return e.Layer
}

// CheckID is the report check ID of a fixture.
func (f *Fixture) CheckID() string { return "sdk." + f.Operation + "." + f.ID }

// Replays is Repeat with its default.
func (f *Fixture) Replays() int {
	if f.Repeat < 1 {
		return 1
	}
	return f.Repeat
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*[a-z0-9]$`)

// LoadFS reads every fixture below root in fsys (<root>/<Operation>/<case>.json),
// sorted by operation and ID. Each file must decode strictly (unknown fields are
// errors); the errors name the file.
func LoadFS(fsys fs.FS, root string) ([]*Fixture, error) {
	var out []*Fixture
	var errs []error
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".json") {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		fx, err := ParseFixture(p, data)
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		out = append(out, fx)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read fixtures under %s: %w", root, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no fixtures under %s: expected files <Operation>/<case>.json (see fixtures/README.md)", root)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Operation != out[j].Operation {
			return out[i].Operation < out[j].Operation
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// ParseFixture decodes one fixture file strictly.
func ParseFixture(file string, data []byte) (*Fixture, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	var fx Fixture
	if err := dec.Decode(&fx); err != nil {
		return nil, fmt.Errorf("fixture %s: %v (the format is described in fixtures/README.md)", file, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("fixture %s: trailing data after the JSON object", file)
	}
	fx.File = file
	return &fx, nil
}

// Validate checks a corpus against the model: required fields, known area and level,
// unique IDs, the operation exists, the file sits in <Operation>/<id>.json, the pointer
// names a place in the model, exactly one expectation kind, and every expected output
// and error fits the operation (canonical form, model members only, typed only for the
// operation's faults). It returns every problem found.
func Validate(m *spec.Model, fixtures []*Fixture) []error {
	var errs []error
	seen := map[string]string{}
	pointers := modelPointers(m)
	for _, fx := range fixtures {
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("fixture %s (%s): %s", fx.ID, fx.File, fmt.Sprintf(format, args...)))
		}
		if !idPattern.MatchString(fx.ID) {
			bad("id %q must be lower-case letters, digits and dashes", fx.ID)
		}
		if prev, dup := seen[fx.ID]; dup {
			bad("id %q is also used by %s: ids are unique across operations", fx.ID, prev)
		}
		seen[fx.ID] = fx.File
		if fx.File != "" && path.Base(fx.File) != fx.ID+".json" {
			bad("file name must be %s.json", fx.ID)
		}
		if fx.File != "" && path.Base(path.Dir(fx.File)) != fx.Operation {
			bad("file must be in the folder of its operation, %s/", fx.Operation)
		}
		op := m.Operation(fx.Operation)
		if op == nil {
			bad("operation %q is not in the model", fx.Operation)
			continue
		}
		if !contains(Areas, fx.Area) {
			bad("area %q must be one of %s", fx.Area, strings.Join(Areas, ", "))
		}
		if !contains(Levels, fx.Level) {
			bad("level %q must be one of %s", fx.Level, strings.Join(Levels, ", "))
		}
		for name, v := range map[string]string{"description": fx.Description, "requirement": fx.Requirement, "rule": fx.Rule} {
			if strings.TrimSpace(v) == "" {
				bad("%s is empty", name)
			}
		}
		if fx.Requirement != "" && !strings.Contains(fx.Requirement, fx.Level) {
			bad("requirement %q must say %s (RFC 2119) to match its level", fx.Requirement, fx.Level)
		}
		if !pointers[fx.Pointer] {
			bad("pointer %q is not a schema, member, fault or operation pointer of the model", fx.Pointer)
		}
		if fx.Repeat < 0 || fx.Repeat > MaxRepeat {
			bad("repeat %d must be within 0..%d", fx.Repeat, MaxRepeat)
		}
		if fx.Response.Status < 100 || fx.Response.Status > 599 {
			bad("response status %d is not an HTTP status", fx.Response.Status)
		}
		for _, msg := range validateExpect(op, fx.Expect, true) {
			bad("expect: %s", msg)
		}
	}
	return errs
}

func validateExpect(op *spec.Operation, e Expect, top bool) []string {
	var out []string
	n := 0
	if len(e.Output) > 0 {
		n++
		v, err := jsonv.Decode(e.Output)
		if err != nil {
			out = append(out, fmt.Sprintf("output is not JSON: %v", err))
		} else if _, problems := spec.Canonical(op.Output, v, true); len(problems) > 0 {
			out = append(out, "output: "+strings.Join(problems, "; "))
		}
	}
	if e.Error != nil {
		n++
		out = append(out, validateErrorExpect(op, e.Error)...)
	}
	if len(e.OneOf) > 0 {
		n++
		if !top {
			out = append(out, "oneOf cannot nest")
		}
		if len(e.OneOf) < 2 {
			out = append(out, "oneOf needs at least two alternatives")
		}
		for i, alt := range e.OneOf {
			for _, msg := range validateExpect(op, alt, false) {
				out = append(out, fmt.Sprintf("oneOf[%d]: %s", i, msg))
			}
		}
	}
	if n != 1 {
		out = append(out, fmt.Sprintf("set exactly one of output, error, oneOf (have %d)", n))
	}
	return out
}

func validateErrorExpect(op *spec.Operation, e *ErrorExpect) []string {
	var out []string
	switch e.layer() {
	case LayerAPI:
		if e.Code != nil && spec.SanitizeErrorCode(*e.Code) != *e.Code {
			out = append(out, fmt.Sprintf("error code %q is not sanitised (want %q)", *e.Code, spec.SanitizeErrorCode(*e.Code)))
		}
		if e.Code != nil && e.Typed != nil {
			modeled := false
			for _, f := range op.Faults {
				if f.Code == *e.Code {
					modeled = true
				}
			}
			if *e.Typed != modeled {
				out = append(out, fmt.Sprintf("typed is %v but %s is %s fault of %s", *e.Typed, *e.Code, map[bool]string{true: "a modeled", false: "not a modeled"}[modeled], op.Name))
			}
		}
	case LayerDeserialization:
		if e.Code != nil || e.Typed != nil {
			out = append(out, "a deserialization error has no code and no typed")
		}
	default:
		out = append(out, fmt.Sprintf("error kind %q must be %s or %s", e.Layer, LayerAPI, LayerDeserialization))
	}
	return out
}

// modelPointers lists the JSON pointers a fixture may point at.
func modelPointers(m *spec.Model) map[string]bool {
	ptrs := map[string]bool{}
	var addShape func(sh *spec.Shape)
	addShape = func(sh *spec.Shape) {
		if sh == nil || ptrs[sh.Pointer] {
			return
		}
		ptrs[sh.Pointer] = true
		for _, mb := range sh.Members {
			ptrs[mb.Pointer] = true
			addShape(mb.Shape)
		}
		addShape(sh.Items)
	}
	for _, sh := range m.Shapes {
		addShape(sh)
	}
	for _, f := range m.Faults {
		ptrs[f.Pointer] = true
	}
	for _, op := range m.Operations {
		ptrs[op.Pointer] = true
	}
	return ptrs
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// DefaultInput is the input sent when a fixture sets none: every required member of
// the operation's input, strings as "dmsconform-<member>", a union as its first member.
func DefaultInput(op *spec.Operation) map[string]any {
	v, _ := defaultValue(op.Input, "").(map[string]any)
	return v
}

func defaultValue(sh *spec.Shape, name string) any {
	if sh == nil {
		return nil
	}
	switch sh.Type {
	case spec.TypeObject:
		obj := map[string]any{}
		if sh.Union != nil {
			if len(sh.Union.Members) > 0 {
				mb := sh.Member(sh.Union.Members[0])
				obj[mb.Name] = defaultValue(mb.Shape, mb.Name)
			}
			return obj
		}
		for _, mb := range sh.Members {
			if mb.Required {
				obj[mb.Name] = defaultValue(mb.Shape, mb.Name)
			}
		}
		return obj
	case spec.TypeString:
		if name == "SelectionRules" {
			return `{"rules":[]}`
		}
		return "dmsconform-" + strings.ToLower(name)
	case spec.TypeInteger, spec.TypeNumber:
		return json.Number("1")
	case spec.TypeBoolean:
		return false
	case spec.TypeArray:
		return []any{}
	}
	return nil
}
