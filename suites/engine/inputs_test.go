package engine

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/spec"
)

func inputsFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const rulesJSON = `{"rules":[{"rule-type":"selection","rule-id":"1","rule-name":"1","object-locator":{"server-name":"src","schema-name":"hr"},"rule-action":"explicit"}]}`

// TestLoadStartInputs: a --start-inputs file is JSON or YAML of Start operations and
// their members, checked against the model; what does not fit is a configuration
// error (exit 2) naming the file, the operation and the member, with a way forward.
func TestLoadStartInputs(t *testing.T) {
	m := spec.MustLoad()
	good := map[string]string{
		"yaml": "StartMetadataModelConversion:\n  SelectionRules: '" + rulesJSON + "'\nStartMetadataModelCreation:\n  SelectionRules: '" + rulesJSON + "'\n  MetadataModelName: v\n  Properties: {StatementProperties: {Definition: SELECT 1}}\n",
		"json": `{"StartMetadataModelConversion": {"SelectionRules": ` + strings.ReplaceAll(string(mustJSON(t, rulesJSON)), "\n", "") + `}}`,
	}
	for name, content := range good {
		in, err := LoadStartInputs(inputsFile(t, "inputs."+name, content), m)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if in["StartMetadataModelConversion"]["SelectionRules"] != rulesJSON {
			t.Errorf("%s: %v", name, in)
		}
	}
	for _, c := range []struct{ name, content, says string }{
		{"an unknown operation", "StartMetadataModelAssessment:\n  SelectionRules: x\n", `"StartMetadataModelAssessment" is not a Start operation of the model: the keys are StartMetadataModelConversion, StartMetadataModelCreation`},
		{"not a Start operation", "CancelMetadataModelConversion:\n  RequestIdentifier: x\n", `"CancelMetadataModelConversion" is not a Start operation`},
		{"an unknown member", "StartMetadataModelConversion:\n  SelectionRule: x\n", `StartMetadataModelConversion has no member "SelectionRule": its members are SelectionRules`},
		{"selection rules as an object", "StartMetadataModelConversion:\n  SelectionRules: {rules: []}\n", `StartMetadataModelConversion.SelectionRules does not match the model: SelectionRules: object, expected string (SelectionRules is sent as a string: a JSON document goes in quotes`},
		{"a number for a string", "StartMetadataModelCreation:\n  MetadataModelName: 7\n", `StartMetadataModelCreation.MetadataModelName does not match the model: MetadataModelName: number 7, expected string`},
		{"a nested member the model lacks", "StartMetadataModelCreation:\n  Properties: {StatementProperties: {Sql: x}}\n", `Properties/StatementProperties/Definition: absent, expected required member Definition`},
		{"the project", "StartMetadataModelConversion:\n  MigrationProjectIdentifier: p\n", "StartMetadataModelConversion.MigrationProjectIdentifier is the harness's to fill in (--project, --failing-project): drop it"},
		{"members that are not a map", "StartMetadataModelConversion: [1]\n", "StartMetadataModelConversion: want a map of its members (SelectionRules), got a list"},
		{"an empty file", "", "want a map from Start operation (StartMetadataModelConversion, StartMetadataModelCreation) to the members it sends"},
		{"not YAML", "StartMetadataModelConversion: {SelectionRules: [\n", "not JSON or YAML"},
	} {
		path := inputsFile(t, "inputs.yaml", c.content)
		_, err := LoadStartInputs(path, m)
		var ce *ConfigError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), "--start-inputs "+path+": ") || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v\nwant a configuration error saying %q", c.name, err, c.says)
		}
	}
	if _, err := LoadStartInputs(filepath.Join(t.TempDir(), "none.yaml"), m); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("a missing file: %v", err)
	}
}

// The Start requests send the user's inputs over the harness's own, with the project
// filled in; a scenario's tagged start keeps the harness's selection rules (they carry
// the tag). A file that does not fit the model stops Open before anything is sent.
func TestStartInputsReachTheWire(t *testing.T) {
	file := inputsFile(t, "inputs.yaml", "StartMetadataModelCreation:\n  SelectionRules: '"+rulesJSON+"'\n  MetadataModelName: hr_view\n")
	s := openEmbedded(t, func(c *Config) { c.StartInputs = file })
	if !s.Offers(CapStartInputs) {
		t.Error("a session with --start-inputs does not offer them")
	}
	sent := func(tag string) map[string]any {
		_, smp, err := starter(s, "creation").startRequest(context.Background(), "start", tag)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		_ = json.Unmarshal([]byte(smp.Attempts[0].Request.Body), &body)
		return body
	}
	s.SetStartBudget(2)
	body := sent("")
	if body["SelectionRules"] != rulesJSON || body["MetadataModelName"] != "hr_view" || body["MigrationProjectIdentifier"] != s.Project || body["Properties"] == nil {
		t.Errorf("the Start body: %v", body)
	}
	if tagged := sent("dmsconform-scenario-x"); !strings.Contains(tagged["SelectionRules"].(string), "dmsconform-scenario-x") || tagged["MetadataModelName"] != "hr_view" {
		t.Errorf("a tagged start: %v", tagged)
	}

	_, err := open(t, Config{StartInputs: inputsFile(t, "bad.yaml", "StartMetadataModelConversion:\n  Nope: 1\n")}, nil)
	var ce *ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), `has no member "Nope"`) {
		t.Errorf("Open with a bad file: %v", err)
	}
}
