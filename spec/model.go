// Package spec loads the operation model (spec/dms.openapi.yaml, OpenAPI 3.1) with
// libopenapi and exposes it as a typed Model: operations, shapes, members, unions,
// documented value sets and faults. Everything else in dmsconform is driven by it.
package spec

import (
	"sort"
	"strings"
)

// JSON types of shapes, as written in the model.
const (
	TypeObject  = "object"
	TypeString  = "string"
	TypeInteger = "integer"
	TypeNumber  = "number"
	TypeBoolean = "boolean"
	TypeArray   = "array"
)

// Operation roles within a lifecycle family.
const (
	RoleStart    = "start"
	RoleDescribe = "describe"
	RoleCancel   = "cancel"
)

// Model is the loaded, validated operation model.
type Model struct {
	Title      string
	Version    string // info.version
	SHA256     string // hex sha256 of the document bytes
	Source     string // "embedded" or the path it was read from
	Service    Service
	Provenance map[string]string

	Operations []*Operation         // sorted by name
	Shapes     map[string]*Shape    // named shapes (components/schemas), faults included
	Faults     map[string]*Fault    // by fault name
	ValueSets  map[string]*ValueSet // documented value sets by name

	byTarget map[string]*Operation
	byName   map[string]*Operation
}

// Service holds the protocol facts of the service (x-dms-service).
type Service struct {
	ServiceID      string `yaml:"serviceId" json:"serviceId"`
	TargetPrefix   string `yaml:"targetPrefix" json:"targetPrefix"`
	SigningName    string `yaml:"signingName" json:"signingName"`
	EndpointPrefix string `yaml:"endpointPrefix" json:"endpointPrefix"`
	Protocol       string `yaml:"protocol" json:"protocol"`
	APIVersion     string `yaml:"apiVersion" json:"apiVersion"`
	ContentType    string `yaml:"contentType" json:"contentType"`
}

// Operation is one modeled API operation.
type Operation struct {
	Name    string
	Summary string
	Path    string // the literal OpenAPI path, e.g. /CancelMetadataModelConversion
	Target  string // X-Amz-Target, e.g. AmazonDMSv20160101.CancelMetadataModelConversion
	Family  string // lifecycle family, e.g. conversion
	Role    string // start, describe or cancel
	Input   *Shape
	Output  *Shape
	Faults  []*Fault // sorted by name
	Pointer string   // JSON pointer of the operation in the document
}

// Shape is a schema: a named component or an inline property schema.
type Shape struct {
	Name      string // component name; for inline schemas "<Parent>.<Member>"
	Type      string // one of the Type* constants
	Format    string // int32, int64, double, ...
	Doc       string
	Members   []*Member // objects: in document order
	Items     *Shape    // arrays
	Union     *Union    // non-nil for tagged unions
	Values    *ValueSet // documented (open) values of a string
	MaxLength *int64
	Minimum   *float64
	Maximum   *float64
	// InferredRange is non-empty when Minimum/Maximum are dmsconform's own inference
	// (x-dms-inferred-range), not bounds of AWS's model; it says what they rest on.
	InferredRange string
	// SDKNonPointer is true when the Go SDK decodes the value into a non-pointer
	// field (x-dms-sdk-nonpointer): absence and zero look the same through the SDK.
	SDKNonPointer bool
	Pointer       string // JSON pointer into the document
	Fault         *Fault // non-nil when the shape is a fault
}

// Member is one property of an object shape.
type Member struct {
	Name     string
	Shape    *Shape
	Required bool
	Pointer  string
}

// Union describes a tagged union (x-dms-union).
type Union struct {
	Members []string // the known member names
	Open    bool     // unknown members are allowed on the wire (and reported as drift)
}

// ValueSet is a documented set of string values the public model types as a plain
// string (x-dms-documented-values).
type ValueSet struct {
	Name    string
	Open    bool // an unseen value is drift, not a failure
	Ordered bool // the values are a sequence that must not go backwards
	Values  []DocumentedValue
	Pointer string
}

// DocumentedValue is one documented value with its description.
type DocumentedValue struct {
	Value string `yaml:"value" json:"value"`
	Doc   string `yaml:"description" json:"description"`
}

// Fault is a modeled error shape (x-dms-fault).
type Fault struct {
	Name       string
	Code       string // the __type code
	HTTPStatus int
	Side       string // client or server: whose fault it is (x-dms-fault's fault, Smithy's error trait)
	Doc        string
	Shape      *Shape
	Pointer    string
}

// Operation returns the operation with the given name, or nil.
func (m *Model) Operation(name string) *Operation { return m.byName[name] }

// OperationByTarget returns the operation for an X-Amz-Target value, or nil.
func (m *Model) OperationByTarget(target string) *Operation { return m.byTarget[target] }

// Shape returns the named shape, or nil.
func (m *Model) Shape(name string) *Shape { return m.Shapes[name] }

// Fault returns the named fault, or nil.
func (m *Model) Fault(name string) *Fault { return m.Faults[name] }

// Families lists the lifecycle families, sorted.
func (m *Model) Families() []string {
	seen := map[string]bool{}
	var out []string
	for _, op := range m.Operations {
		if op.Family != "" && !seen[op.Family] {
			seen[op.Family] = true
			out = append(out, op.Family)
		}
	}
	sort.Strings(out)
	return out
}

// FamilyOperation returns the operation of a family with the given role, or nil.
func (m *Model) FamilyOperation(family, role string) *Operation {
	for _, op := range m.Operations {
		if op.Family == family && op.Role == role {
			return op
		}
	}
	return nil
}

// SortedShapeNames returns the names of all named shapes, sorted.
func (m *Model) SortedShapeNames() []string {
	names := make([]string, 0, len(m.Shapes))
	for n := range m.Shapes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// SortedValueSetNames returns the names of all documented value sets, sorted.
func (m *Model) SortedValueSetNames() []string {
	names := make([]string, 0, len(m.ValueSets))
	for n := range m.ValueSets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Member returns the member with the given name, or nil.
func (s *Shape) Member(name string) *Member {
	if s == nil {
		return nil
	}
	for _, mb := range s.Members {
		if mb.Name == name {
			return mb
		}
	}
	return nil
}

// Contains reports whether v is one of the documented values.
func (v *ValueSet) Contains(s string) bool { return v.Index(s) >= 0 }

// Index returns the position of s in the documented values, or -1.
func (v *ValueSet) Index(s string) int {
	for i, dv := range v.Values {
		if dv.Value == s {
			return i
		}
	}
	return -1
}

// Strings returns the documented values in order.
func (v *ValueSet) Strings() []string {
	out := make([]string, len(v.Values))
	for i, dv := range v.Values {
		out[i] = dv.Value
	}
	return out
}

// IsTerminalStatus reports whether a request status is terminal (SUCCESS, FAILED,
// CANCELED). It is the lifecycle rule of ../shared/reference/dms-facts.md.
func IsTerminalStatus(s string) bool {
	switch s {
	case "SUCCESS", "FAILED", "CANCELED":
		return true
	}
	return false
}

// SanitizeErrorCode applies the awsJson 1.1 rule for error codes: keep what is
// before the first ':', then what is after the first '#'.
func SanitizeErrorCode(code string) string {
	if i := strings.IndexByte(code, ':'); i >= 0 {
		code = code[:i]
	}
	if i := strings.IndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	return code
}

// TypeLabel describes a shape's type for humans: "string", "integer(int64)",
// "object ErrorDetails (union)", "array of SchemaConversionRequest".
func (s *Shape) TypeLabel() string {
	switch {
	case s == nil:
		return "?"
	case s.Type == TypeArray && s.Items != nil:
		return "array of " + s.Items.TypeLabel()
	case s.Type == TypeObject && s.Union != nil:
		return "union " + s.Name
	case s.Type == TypeObject:
		return "object " + s.Name
	case s.Format != "":
		return s.Type + "(" + s.Format + ")"
	}
	return s.Type
}
