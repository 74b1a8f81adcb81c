package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
)

func runModelCmd(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := dispatch(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestModelText(t *testing.T) {
	code, out, errs := runModelCmd("model")
	if code != reports.ExitOK || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	for _, w := range []string{
		"version 2016-01-01+dmsconform.1",
		"(embedded)",
		"protocol awsJson1_1, target prefix AmazonDMSv20160101, signing name dms",
		"target AmazonDMSv20160101.CancelMetadataModelConversion; faults: AccessDeniedFault, InvalidResourceStateFault, ResourceNotFoundFault",
		"CancelMetadataModelConversionMessage -> CancelMetadataModelConversionResponse",
		"TotalObjects                 integer(int64)",
		"ErrorDetails                 members: defaultErrorDetails (open to unknown members)",
		"RequestStatus  RECEIVED, IN_PROGRESS, SUCCESS, FAILED, CANCELING, CANCELED (open)",
		"ProgressStep   IN_PROGRESS, LOADING_METADATA, COUNTING_OBJECTS, ANALYZING, CONVERTING, APPLYING, FINISHED (open, ordered)",
		"AccessDeniedFault (fault client 400)",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q", w)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}

func TestModelJSON(t *testing.T) {
	code, out, errs := runModelCmd("model", "--json")
	if code != reports.ExitOK || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	var d spec.Description
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("--json output does not decode: %v\n%s", err, out)
	}
	if d.Source != "embedded" || d.Service.TargetPrefix != "AmazonDMSv20160101" || len(d.SHA256) != 64 {
		t.Errorf("header = %+v", d)
	}
	var names []string
	for _, op := range d.Operations {
		names = append(names, op.Name)
	}
	var wantOps []string // the model's, in its order
	for _, op := range spec.MustLoad().Operations {
		wantOps = append(wantOps, op.Name)
	}
	if !reflect.DeepEqual(names, wantOps) {
		t.Errorf("operations = %v, the model's are %v", names, wantOps)
	}
	if op := d.Operations[0]; op.Target != "AmazonDMSv20160101.CancelMetadataModelConversion" || op.Role != "cancel" ||
		!reflect.DeepEqual(op.Faults, []string{"AccessDeniedFault", "InvalidResourceStateFault", "ResourceNotFoundFault"}) {
		t.Errorf("first operation = %+v", op)
	}
	sets := map[string][]string{}
	for _, vs := range d.ValueSets {
		sets[vs.Name] = vs.Values
		if !vs.Open {
			t.Errorf("value set %s not open", vs.Name)
		}
	}
	wantSets := map[string][]string{
		"RequestStatus": {"RECEIVED", "IN_PROGRESS", "SUCCESS", "FAILED", "CANCELING", "CANCELED"},
		"ProgressStep":  {"IN_PROGRESS", "LOADING_METADATA", "COUNTING_OBJECTS", "ANALYZING", "CONVERTING", "APPLYING", "FINISHED"},
		"EndpointType":  {"SOURCE", "TARGET"},
	}
	if !reflect.DeepEqual(sets, wantSets) {
		t.Errorf("value sets = %v", sets)
	}
	// The JSON is the same description the package produces.
	m, err := spec.Load()
	if err != nil {
		t.Fatal(err)
	}
	if want := spec.Describe(m); !reflect.DeepEqual(d, want) {
		t.Errorf("--json differs from spec.Describe")
	}
}

func TestModelSpecFlag(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "copy.openapi.yaml")
	if err := os.WriteFile(good, spec.Document, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runModelCmd("model", "--spec", good)
	if code != reports.ExitOK || errs != "" || !strings.Contains(out, "("+good+")") {
		t.Errorf("good copy: exit %d, stderr %q, source line missing in:\n%.300s", code, errs, out)
	}

	broken := filepath.Join(dir, "broken.openapi.yaml")
	doc := strings.Replace(string(spec.Document), "members: [defaultErrorDetails]", "members: []", 1)
	if doc == string(spec.Document) {
		t.Fatal("mutation did not apply")
	}
	if err := os.WriteFile(broken, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs = runModelCmd("model", "--spec", broken)
	if code != reports.ExitUsage {
		t.Errorf("broken spec: exit %d, want %d", code, reports.ExitUsage)
	}
	if out != "" {
		t.Errorf("broken spec printed to stdout: %q", out)
	}
	for _, w := range []string{"dmsconform model: " + broken + ": invalid model", "#/components/schemas/ErrorDetails: union ErrorDetails has no members"} {
		if !strings.Contains(errs, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errs)
		}
	}

	code, _, errs = runModelCmd("model", "--spec", filepath.Join(dir, "missing.yaml"))
	if code != reports.ExitUsage || !strings.Contains(errs, "pass the path of an OpenAPI 3.1 file") {
		t.Errorf("missing spec: exit %d, stderr %q", code, errs)
	}
}

func TestModelHelpAndBadFlags(t *testing.T) {
	code, out, errs := runModelCmd("model", "--help")
	if code != reports.ExitOK {
		t.Errorf("--help: exit %d", code)
	}
	if out != "" || !strings.Contains(errs, "Usage: dmsconform model [--json] [--spec FILE]") || !strings.Contains(errs, "-spec FILE") {
		t.Errorf("--help: stdout %q stderr %q", out, errs)
	}
	if code, _, _ := runModelCmd("model", "--bogus"); code != reports.ExitUsage {
		t.Errorf("--bogus: exit %d, want %d", code, reports.ExitUsage)
	}
	if code, _, errs := runModelCmd("model", "extra"); code != reports.ExitUsage || !strings.Contains(errs, `unexpected argument "extra"`) {
		t.Errorf("extra argument: exit %d, stderr %q", code, errs)
	}
	code, out, _ = runModelCmd("--help")
	if code != reports.ExitOK || !strings.Contains(out, "model") || !strings.Contains(out, "print the operations, shapes, unions and documented value sets of the model") {
		t.Errorf("top-level --help: exit %d, output %q", code, out)
	}
}
