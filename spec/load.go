package spec

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/dmsconform/dmsconform/internal/text"
	"github.com/pb33f/go-yaml"
	"github.com/pb33f/libopenapi/datamodel"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	lowbase "github.com/pb33f/libopenapi/datamodel/low/base"
	v3low "github.com/pb33f/libopenapi/datamodel/low/v3"
	"github.com/pb33f/libopenapi/index"
	"github.com/pb33f/libopenapi/orderedmap"
	"github.com/pb33f/libopenapi/utils"
)

// Document is the embedded model, spec/dms.openapi.yaml.
//
//go:embed dms.openapi.yaml
var Document []byte

// DocumentName is the file name of the embedded model.
const DocumentName = "spec/dms.openapi.yaml"

const schemaRefPrefix = "#/components/schemas/"

// Load returns the embedded model, parsed and validated once per process: a Model is
// read-only after loading, so every caller shares it.
func Load() (*Model, error) { return embedded() }

var embedded = sync.OnceValues(func() (*Model, error) {
	m, err := Parse(Document)
	if err != nil {
		return nil, fmt.Errorf("embedded %s: %w", DocumentName, err)
	}
	m.Source = "embedded"
	return m, nil
})

// MustLoad is Load for package initialisation: the embedded model is tested, so a
// failure here is a build defect.
func MustLoad() *Model {
	m, err := Load()
	if err != nil {
		panic(err)
	}
	return m
}

// LoadFile parses and validates the model at path.
func LoadFile(path string) (*Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read model: %w (pass the path of an OpenAPI 3.1 file such as %s)", err, DocumentName)
	}
	m, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m.Source = path
	return m, nil
}

// Parse builds a Model from OpenAPI 3.1 bytes and validates it. The error lists every
// problem found, one per line, each naming the place in the document.
func Parse(data []byte) (*Model, error) {
	sum := sha256.Sum256(data)
	p := &parser{m: &Model{
		SHA256:    hex.EncodeToString(sum[:]),
		Shapes:    map[string]*Shape{},
		Faults:    map[string]*Fault{},
		ValueSets: map[string]*ValueSet{},
		byTarget:  map[string]*Operation{},
		byName:    map[string]*Operation{},
	}}
	// Read the YAML tree first: libopenapi's messages for "not YAML" and "not an
	// OpenAPI document" do not say which of the two is wrong.
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("not YAML (or JSON): %w", err)
	}
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("not an OpenAPI document: the document is empty")
	}
	top := root.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("not an OpenAPI document: line %d: the top level is a %s, want a mapping that starts with openapi: 3.1.0", top.Line, nodeKind(top))
	}
	if mapValue(top, "openapi") == nil && mapValue(top, "swagger") == nil {
		return nil, fmt.Errorf("not an OpenAPI document: no top-level openapi key (want openapi: 3.1.0)")
	}
	// A repeated key (a duplicate path, a member defined twice) makes libopenapi fail
	// with a YAML-to-JSON message; name the key and where it stands.
	if probs := duplicateKeys(top); len(probs) > 0 {
		return nil, joinProblems(probs)
	}
	// Dangling $refs make libopenapi refuse the whole document with an index error;
	// find them first so the message names the reference and where it stands.
	if probs := danglingRefs(top); len(probs) > 0 {
		return nil, joinProblems(probs)
	}
	built, err := buildV3(data)
	if err != nil {
		return nil, err
	}
	if built.err != nil {
		p.problem("", "libopenapi: %v", built.err)
	}
	p.build(built.doc)
	// Check the partial model too, so the error lists every problem at once.
	if probs := append(p.probs, Lint(p.m)...); len(probs) > 0 {
		return nil, joinProblems(probs)
	}
	return p.m, nil
}

// v3Build is libopenapi's high-level OpenAPI 3 model of a document and what libopenapi
// reported while building it (circular references and the like; the model is usable).
type v3Build struct {
	doc *v3.Document
	err error
}

// buildV3 builds the high-level model with libopenapi's datamodel packages directly,
// as libopenapi.Document.BuildV3Model does. The root package would also link
// libopenapi's Swagger 2, Arazzo, overlay and what-changed packages, none of which the
// loader uses and which take most of a cold build's compile time.
func buildV3(data []byte) (v3Build, error) {
	info, err := datamodel.ExtractSpecInfoWithDocumentCheck(data, false)
	if err != nil {
		return v3Build{}, fmt.Errorf("not an OpenAPI document: %w", err)
	}
	if v := info.Version; !strings.HasPrefix(v, "3.1") {
		return v3Build{}, fmt.Errorf("openapi version is %q: the model must be OpenAPI 3.1", v)
	}
	low, err := v3low.CreateDocumentFromConfig(info, datamodel.NewDocumentConfiguration())
	if low == nil {
		return v3Build{}, fmt.Errorf("cannot build the OpenAPI model: %w", err)
	}
	for _, e := range utils.UnwrapErrors(err) {
		var re *index.ResolvingError
		if errors.As(e, &re) && re.CircularReference == nil {
			return v3Build{}, fmt.Errorf("cannot build the OpenAPI model: %w", err)
		}
	}
	doc := v3.NewDocument(low)
	lowbase.SchemaQuickHashMap.Clear()
	return v3Build{doc: doc, err: err}, nil
}

// Problem is one thing wrong with a model, at a JSON pointer.
type Problem struct {
	Pointer string
	Message string
}

func (p Problem) String() string {
	if p.Pointer == "" {
		return p.Message
	}
	return p.Pointer + ": " + p.Message
}

// ModelError is returned when a model is invalid; it lists every problem.
type ModelError struct{ Problems []Problem }

func (e *ModelError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = "- " + p.String()
	}
	return fmt.Sprintf("invalid model (%d problem(s)):\n%s", len(e.Problems), strings.Join(lines, "\n"))
}

func joinProblems(probs []Problem) error {
	sort.SliceStable(probs, func(i, j int) bool { return probs[i].Pointer < probs[j].Pointer })
	return &ModelError{Problems: probs}
}

type parser struct {
	m     *Model
	probs []Problem
}

func (p *parser) problem(ptr, format string, args ...any) {
	p.probs = append(p.probs, Problem{Pointer: ptr, Message: fmt.Sprintf(format, args...)})
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func (p *parser) build(doc *v3.Document) {
	m := p.m
	if doc.Info != nil {
		m.Title = doc.Info.Title
		m.Version = doc.Info.Version
	}
	if !p.decodeExt(doc.Extensions, "x-dms-service", &m.Service, "#/x-dms-service") {
		p.problem("#", "missing x-dms-service (targetPrefix, signingName, protocol, apiVersion)")
	}
	p.decodeExt(doc.Extensions, "x-dms-provenance", &m.Provenance, "#/x-dms-provenance")

	if doc.Components == nil || doc.Components.Schemas == nil {
		p.problem("#/components/schemas", "no component schemas")
		return
	}
	// First pass: create every named shape so references resolve in any order.
	for name := range doc.Components.Schemas.KeysFromOldest() {
		m.Shapes[name] = &Shape{Name: name, Pointer: schemaRefPrefix + escapePointer(name)}
	}
	for name, proxy := range doc.Components.Schemas.FromOldest() {
		p.fillShape(m.Shapes[name], proxy.Schema())
	}
	if doc.Paths == nil || doc.Paths.PathItems == nil {
		p.problem("#/paths", "no paths: the model has no operations")
		return
	}
	for path, item := range doc.Paths.PathItems.FromOldest() {
		ptr := "#/paths/" + escapePointer(path)
		for method, op := range item.GetOperations().FromOldest() {
			p.operation(path, method, ptr+"/"+method, op)
		}
	}
	sort.Slice(m.Operations, func(i, j int) bool { return m.Operations[i].Name < m.Operations[j].Name })
}

func (p *parser) operation(path, method, ptr string, op *v3.Operation) {
	o := &Operation{Name: op.OperationId, Summary: op.Summary, Path: path, Pointer: ptr}
	if o.Name == "" {
		p.problem(ptr, "operation has no operationId")
		return
	}
	if strings.ToLower(method) != "post" {
		p.problem(ptr, "operation %s uses %s: awsJson 1.1 operations are POST", o.Name, strings.ToUpper(method))
	}
	p.decodeExt(op.Extensions, "x-dms-target", &o.Target, ptr+"/x-dms-target")
	p.decodeExt(op.Extensions, "x-dms-family", &o.Family, ptr+"/x-dms-family")
	p.decodeExt(op.Extensions, "x-dms-role", &o.Role, ptr+"/x-dms-role")
	if op.RequestBody != nil {
		o.Input = p.contentShape(op.RequestBody.Content, ptr+"/requestBody")
	}
	listed := map[string]bool{}
	if op.Responses != nil && op.Responses.Codes != nil {
		for code, resp := range op.Responses.Codes.FromOldest() {
			rptr := ptr + "/responses/" + code
			if strings.HasPrefix(code, "2") {
				o.Output = p.contentShape(resp.Content, rptr)
				continue
			}
			for ct, mt := range resp.Content.FromOldest() {
				if mt.Schema == nil {
					continue
				}
				s := mt.Schema.Schema()
				if s == nil {
					continue
				}
				sptr := rptr + "/content/" + escapePointer(ct) + "/schema"
				alts := s.OneOf
				altPtr := func(i int) string { return fmt.Sprintf("%s/oneOf/%d", sptr, i) }
				if len(alts) == 0 {
					alts = []*base.SchemaProxy{mt.Schema}
					altPtr = func(int) string { return sptr }
				}
				for i, alt := range alts {
					aptr := altPtr(i)
					sh := p.refShape(alt, aptr)
					if sh == nil {
						continue
					}
					if sh.Fault == nil {
						p.problem(sh.Pointer, "%s is listed as a fault of %s but has no x-dms-fault", sh.Name, o.Name)
						continue
					}
					if listed[sh.Name] {
						p.problem(aptr, "operation %s lists fault %s twice", o.Name, sh.Name)
						continue
					}
					listed[sh.Name] = true
					if st, err := strconv.Atoi(code); err == nil && sh.Fault.HTTPStatus != 0 && sh.Fault.HTTPStatus != st {
						p.problem(aptr, "fault %s has httpStatus %d but operation %s lists it under response %s", sh.Name, sh.Fault.HTTPStatus, o.Name, code)
					}
					o.Faults = append(o.Faults, sh.Fault)
				}
			}
		}
	}
	sort.Slice(o.Faults, func(i, j int) bool { return o.Faults[i].Name < o.Faults[j].Name })
	p.m.Operations = append(p.m.Operations, o)
}

func (p *parser) contentShape(content *orderedmap.Map[string, *v3.MediaType], ptr string) *Shape {
	for ct, mt := range content.FromOldest() {
		if mt.Schema == nil {
			continue
		}
		return p.refShape(mt.Schema, ptr+"/content/"+escapePointer(ct)+"/schema")
	}
	return nil
}

// refShape resolves a schema that must be a $ref to a named component.
func (p *parser) refShape(proxy *base.SchemaProxy, ptr string) *Shape {
	if !proxy.IsReference() {
		p.problem(ptr, "expected a $ref to #/components/schemas/<Name>")
		return nil
	}
	ref := proxy.GetReference()
	name := strings.TrimPrefix(ref, schemaRefPrefix)
	sh := p.m.Shapes[name]
	if !strings.HasPrefix(ref, schemaRefPrefix) || sh == nil {
		p.problem(ptr, "$ref %s points nowhere", ref)
		return nil
	}
	return sh
}

func (p *parser) fillShape(sh *Shape, s *base.Schema) {
	if s == nil {
		p.problem(sh.Pointer, "schema %s cannot be built", sh.Name)
		return
	}
	sh.Doc = strings.TrimSpace(s.Description)
	if len(s.Type) != 1 {
		p.problem(sh.Pointer, "schema %s must have exactly one type, has %v", sh.Name, s.Type)
	} else {
		sh.Type = s.Type[0]
	}
	sh.Format = s.Format
	sh.MaxLength = s.MaxLength
	sh.Minimum = s.Minimum
	sh.Maximum = s.Maximum
	p.inferredRange(sh, s)
	p.decodeExt(s.Extensions, "x-dms-sdk-nonpointer", &sh.SDKNonPointer, sh.Pointer+"/x-dms-sdk-nonpointer")
	p.dmsExtensions(sh, s)
	p.fillMembers(sh, s)
}

// inferredRange reads x-dms-inferred-range: bounds dmsconform infers (a SHOULD), kept
// apart from the bounds of AWS's model.
func (p *parser) inferredRange(sh *Shape, s *base.Schema) {
	var inferred struct {
		Minimum *float64 `yaml:"minimum"`
		Maximum *float64 `yaml:"maximum"`
		Source  string   `yaml:"source"`
	}
	if p.decodeExt(s.Extensions, "x-dms-inferred-range", &inferred, sh.Pointer+"/x-dms-inferred-range") {
		switch {
		case sh.Minimum != nil || sh.Maximum != nil:
			p.problem(sh.Pointer, "%s has both minimum/maximum (bounds of AWS's model) and x-dms-inferred-range (dmsconform's inference): keep one", sh.Name)
		case inferred.Minimum == nil && inferred.Maximum == nil:
			p.problem(sh.Pointer+"/x-dms-inferred-range", "x-dms-inferred-range of %s names neither minimum nor maximum", sh.Name)
		case strings.TrimSpace(inferred.Source) == "":
			p.problem(sh.Pointer+"/x-dms-inferred-range", "x-dms-inferred-range of %s has no source: say what the bounds are inferred from", sh.Name)
		default:
			sh.Minimum, sh.Maximum, sh.InferredRange = inferred.Minimum, inferred.Maximum, strings.TrimSpace(inferred.Source)
		}
	}
}

// dmsExtensions reads the documented values, the union and the fault a shape's
// x-dms-* extensions declare.
func (p *parser) dmsExtensions(sh *Shape, s *base.Schema) {
	var vs struct {
		Name    string            `yaml:"name"`
		Open    bool              `yaml:"open"`
		Ordered bool              `yaml:"ordered"`
		Values  []DocumentedValue `yaml:"values"`
	}
	if p.decodeExt(s.Extensions, "x-dms-documented-values", &vs, sh.Pointer+"/x-dms-documented-values") {
		set := &ValueSet{Name: vs.Name, Open: vs.Open, Ordered: vs.Ordered, Values: vs.Values, Pointer: sh.Pointer}
		switch {
		case set.Name == "":
			p.problem(sh.Pointer, "x-dms-documented-values has no name")
		case p.m.ValueSets[set.Name] != nil:
			p.problem(sh.Pointer, "documented value set %s is defined twice (also at %s)", set.Name, p.m.ValueSets[set.Name].Pointer)
		default:
			p.m.ValueSets[set.Name] = set
		}
		sh.Values = set
	}
	var un struct {
		Members []string `yaml:"members"`
		Open    bool     `yaml:"open"`
	}
	if p.decodeExt(s.Extensions, "x-dms-union", &un, sh.Pointer+"/x-dms-union") {
		sh.Union = &Union{Members: un.Members, Open: un.Open}
	}
	var ft struct {
		Code       string `yaml:"code"`
		HTTPStatus int    `yaml:"httpStatus"`
		Fault      string `yaml:"fault"`
	}
	if p.decodeExt(s.Extensions, "x-dms-fault", &ft, sh.Pointer+"/x-dms-fault") {
		f := &Fault{Name: sh.Name, Code: ft.Code, HTTPStatus: ft.HTTPStatus, Side: ft.Fault, Doc: sh.Doc, Shape: sh, Pointer: sh.Pointer}
		sh.Fault = f
		p.m.Faults[f.Name] = f
	}
}

// fillMembers builds a shape's members (required ones marked) and its items.
func (p *parser) fillMembers(sh *Shape, s *base.Schema) {
	required := map[string]bool{}
	for _, r := range s.Required {
		required[r] = true
	}
	if s.Properties != nil {
		for name, prop := range s.Properties.FromOldest() {
			mptr := sh.Pointer + "/properties/" + escapePointer(name)
			mb := &Member{Name: name, Required: required[name], Pointer: mptr}
			delete(required, name)
			if prop.IsReference() {
				mb.Shape = p.refShape(prop, mptr)
			} else {
				inline := &Shape{Name: sh.Name + "." + name, Pointer: mptr}
				p.fillShape(inline, prop.Schema())
				mb.Shape = inline
			}
			sh.Members = append(sh.Members, mb)
		}
	}
	for _, r := range slices.Sorted(maps.Keys(required)) {
		p.problem(sh.Pointer, "required member %s of %s is not a property", r, sh.Name)
	}
	if s.Items != nil && s.Items.IsA() {
		iptr := sh.Pointer + "/items"
		if s.Items.A.IsReference() {
			sh.Items = p.refShape(s.Items.A, iptr)
		} else {
			inline := &Shape{Name: sh.Name + "[]", Pointer: iptr}
			p.fillShape(inline, s.Items.A.Schema())
			sh.Items = inline
		}
	}
}

// decodeExt decodes extension key into v; it reports whether the key was present.
// A present extension that does not decode into v is a problem at ptr (before, it
// was silently ignored, so a malformed x-dms-union or x-dms-fault quietly turned the
// shape into a plain object).
func (p *parser) decodeExt(ext *orderedmap.Map[string, *yaml.Node], key string, v any, ptr string) bool {
	if ext == nil {
		return false
	}
	node, ok := ext.Get(key)
	if !ok || node == nil {
		return false
	}
	if err := node.Decode(v); err != nil {
		p.problem(ptr, "%s cannot be read: %v", key, err)
		return false
	}
	return true
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.ScalarNode:
		return "scalar " + strconv.Quote(text.Truncate(n.Value, 40))
	case yaml.SequenceNode:
		return "sequence"
	case yaml.AliasNode:
		return "alias"
	}
	return "node"
}

// danglingRefs finds local $refs whose target component does not exist, by reading
// the YAML tree directly (libopenapi reports them only as an opaque index error).
// top is the document's top-level mapping.
func danglingRefs(top *yaml.Node) []Problem {
	schemas := map[string]bool{}
	if comp := mapValue(top, "components"); comp != nil {
		if sc := mapValue(comp, "schemas"); sc != nil {
			for i := 0; i+1 < len(sc.Content); i += 2 {
				schemas[sc.Content[i].Value] = true
			}
		}
	}
	var probs []Problem
	var walk func(n *yaml.Node, ptr string)
	walk = func(n *yaml.Node, ptr string) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if k.Value == "$ref" && v.Kind == yaml.ScalarNode {
					ref := v.Value
					if strings.HasPrefix(ref, schemaRefPrefix) {
						if !schemas[strings.TrimPrefix(ref, schemaRefPrefix)] {
							probs = append(probs, Problem{Pointer: ptr, Message: fmt.Sprintf("$ref %s points nowhere", ref)})
						}
					} else if strings.HasPrefix(ref, "#") {
						probs = append(probs, Problem{Pointer: ptr, Message: fmt.Sprintf("$ref %s: only #/components/schemas/<Name> references are supported", ref)})
					}
					continue
				}
				walk(v, ptr+"/"+escapePointer(k.Value))
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, fmt.Sprintf("%s/%d", ptr, i))
			}
		}
	}
	walk(top, "#")
	return probs
}

// duplicateKeys finds mapping keys that occur twice in the same mapping.
func duplicateKeys(top *yaml.Node) []Problem {
	var probs []Problem
	var walk func(n *yaml.Node, ptr string)
	walk = func(n *yaml.Node, ptr string) {
		switch n.Kind {
		case yaml.MappingNode:
			seen := map[string]int{}
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				if line, dup := seen[k.Value]; dup {
					probs = append(probs, Problem{Pointer: ptr, Message: fmt.Sprintf("duplicate key %s (lines %d and %d)", k.Value, line, k.Line)})
					continue
				}
				seen[k.Value] = k.Line
				walk(n.Content[i+1], ptr+"/"+escapePointer(k.Value))
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, fmt.Sprintf("%s/%d", ptr, i))
			}
		}
	}
	walk(top, "#")
	return probs
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
