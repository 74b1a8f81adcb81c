package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/dmsconform/dmsconform/internal/jsonv"
	"github.com/dmsconform/dmsconform/spec"
)

// StartInputs are the members the Start requests send, by Start operation
// (--start-inputs FILE). Real DMS runs a request only when its selection rules select
// objects of the project's source data provider ("No objects were found according to
// the specified selection rules" otherwise), so a run against a real account names
// its own; without them the harness sends selection rules of server "dmsconform",
// which the dmsconform emulator runs. The project member is always the harness's own.
type StartInputs map[string]map[string]any

// projectMember is the input member that names the migration project: the harness
// fills it in (--project, --failing-project).
const projectMember = "MigrationProjectIdentifier"

// LoadStartInputs reads a --start-inputs file (JSON or YAML: a map from Start operation
// to the members it sends) and checks it against the model: every key must be a Start
// operation of a family, every member one of its input's, of the model's type. A
// problem is a *ConfigError (exit 2) naming the file, the operation and the member.
func LoadStartInputs(path string, m *spec.Model) (StartInputs, error) {
	bad := func(format string, args ...any) error {
		return &ConfigError{Err: fmt.Errorf("--start-inputs %s: "+format, append([]any{path}, args...)...)}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, bad("%v: pass a JSON or YAML file of the Start requests' members", errors.Unwrap(err))
	}
	var raw any
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, bad("not JSON or YAML: %v", err)
	}
	// Through JSON, so numbers are json.Number and maps map[string]any, as the model's
	// validator reads a request body.
	enc, err := json.Marshal(raw)
	if err != nil {
		return nil, bad("not a map of operations to members: %v", err)
	}
	doc, err := jsonv.Decode(enc)
	if err != nil {
		return nil, bad("%v", err)
	}
	starts := startOperations(m)
	top, ok := doc.(map[string]any)
	if !ok || len(top) == 0 {
		return nil, bad("want a map from Start operation (%s) to the members it sends, e.g. {\"%s\": {\"SelectionRules\": \"...\"}}",
			strings.Join(starts, ", "), starts[0])
	}
	out := StartInputs{}
	for _, name := range sortedKeys(top) {
		op := m.Operation(name)
		if op == nil || !slices.Contains(starts, name) {
			return nil, bad("%q is not a Start operation of the model: the keys are %s", name, strings.Join(starts, ", "))
		}
		members, ok := top[name].(map[string]any)
		if !ok {
			return nil, bad("%s: want a map of its members (%s), got %s", name, memberNames(op.Input), jsonWord(top[name]))
		}
		for _, mn := range sortedKeys(members) {
			mb := op.Input.Member(mn)
			switch {
			case mb == nil:
				return nil, bad("%s has no member %q: its members are %s", name, mn, memberNames(op.Input))
			case mn == projectMember:
				return nil, bad("%s.%s is the harness's to fill in (--project, --failing-project): drop it", name, mn)
			}
			if fs := spec.Validate(mb.Shape, members[mn]); len(fs) > 0 {
				hint := ""
				if mb.Shape.Type == spec.TypeString {
					if _, isString := members[mn].(string); !isString {
						hint = fmt.Sprintf(" (%s is sent as a string: a JSON document goes in quotes, e.g. %s: '{\"rules\": [...]}')", mn, mn)
					}
				}
				var lines []string
				for _, f := range fs {
					lines = append(lines, fmt.Sprintf("%s%s: %s, expected %s", mn, f.Pointer, f.Got, f.Expected))
				}
				return nil, bad("%s.%s does not match the model: %s%s", name, mn, strings.Join(lines, "; "), hint)
			}
		}
		out[name] = members
	}
	return out, nil
}

// startOperations lists the model's Start operations (x-dms-role: start), by family.
func startOperations(m *spec.Model) []string {
	var out []string
	for _, f := range m.Families() {
		if op := m.FamilyOperation(f, spec.RoleStart); op != nil {
			out = append(out, op.Name)
		}
	}
	return out
}

func memberNames(sh *spec.Shape) string {
	var names []string
	for _, mb := range sh.Members {
		if mb.Name != projectMember {
			names = append(names, mb.Name)
		}
	}
	return strings.Join(names, ", ")
}

func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

func jsonWord(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case []any:
		return "a list"
	case map[string]any:
		return "a map"
	case bool:
		return "a boolean"
	}
	return "a number"
}

// startInput is the body of a Start request of op in project: the harness's example
// input (selection rules carrying tag, so a tagged scenario binds to this start) with
// the user's --start-inputs laid over it. A tagged start (a scenario run, only on a
// dmsconform emulator's control surface) keeps the harness's selection rules, which
// carry the tag.
func (s *Session) startInput(op *spec.Operation, project, tag string) map[string]any {
	in := exampleInput(op.Input, project, tag)
	for k, v := range s.inputs[op.Name] {
		if tag != "" && k == "SelectionRules" {
			continue
		}
		in[k] = v
	}
	in[projectMember] = project
	return in
}
