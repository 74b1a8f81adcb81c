package spec_test

// Drift test, second source: the model against botocore's service-2.json (the AWS
// service model every SDK is generated from, as botocore ships it). For the model's
// operations it compares every member, type, required flag, length and numeric bound,
// union member, fault list and fault shape, and the service's protocol facts; a
// structural difference fails. Documentation text differs in wording and markup, so
// differing docs are reported (t.Log), never failed.
//
// The model file is found through the machine's Python (botocore's own data folder),
// or named by DMSCONFORM_BOTOCORE_MODEL (a service-2.json, plain or gzipped, e.g. of a
// newer botocore); without either the tests skip with the reason.

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dmsconform/dmsconform/spec"
)

// BotocoreModelEnv names a botocore service-2.json (plain or gzipped) to compare
// the model with instead of the installed botocore's.
const BotocoreModelEnv = "DMSCONFORM_BOTOCORE_MODEL"

// botoModel is the part of a botocore service-2.json the comparison reads.
type botoModel struct {
	Metadata   botoMetadata         `json:"metadata"`
	Operations map[string]botoOp    `json:"operations"`
	Shapes     map[string]botoShape `json:"shapes"`
}

type botoMetadata struct {
	APIVersion     string `json:"apiVersion"`
	EndpointPrefix string `json:"endpointPrefix"`
	JSONVersion    string `json:"jsonVersion"`
	Protocol       string `json:"protocol"`
	ServiceID      string `json:"serviceId"`
	SigningName    string `json:"signingName"`
	TargetPrefix   string `json:"targetPrefix"`
}

type botoOp struct {
	Name string `json:"name"`
	HTTP struct {
		Method     string `json:"method"`
		RequestURI string `json:"requestUri"`
	} `json:"http"`
	Input         *botoRef  `json:"input"`
	Output        *botoRef  `json:"output"`
	Errors        []botoRef `json:"errors"`
	Documentation string    `json:"documentation"`
}

type botoRef struct {
	Shape         string `json:"shape"`
	Documentation string `json:"documentation"`
}

type botoShape struct {
	Type          string             `json:"type"`
	Required      []string           `json:"required"`
	Members       map[string]botoRef `json:"members"`
	Member        *botoRef           `json:"member"`
	Union         bool               `json:"union"`
	Exception     bool               `json:"exception"`
	Fault         bool               `json:"fault"`
	Min           *float64           `json:"min"`
	Max           *float64           `json:"max"`
	Enum          []string           `json:"enum"`
	Documentation string             `json:"documentation"`
	Error         *struct {
		Code           string `json:"code"`
		HTTPStatusCode int    `json:"httpStatusCode"`
		SenderFault    bool   `json:"senderFault"`
	} `json:"error"`
}

// botocoreModelFile finds the service-2.json to compare with: $DMSCONFORM_BOTOCORE_MODEL,
// else the installed botocore's (found by asking the machine's Python where botocore
// is). skip is the reason when there is none.
func botocoreModelFile() (path, skip string) {
	if p := os.Getenv(BotocoreModelEnv); p != "" {
		return p, ""
	}
	python := os.Getenv("DMSCONFORM_PYTHON")
	if python == "" {
		p, err := exec.LookPath("python3")
		if err != nil {
			return "", "python3 is not on PATH, so botocore's service model cannot be found: install Python 3 with botocore, or set " + BotocoreModelEnv + " to a dms/2016-01-01/service-2.json"
		}
		python = p
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, python, "-c", "import botocore, os; print(os.path.dirname(botocore.__file__))").Output()
	if err != nil {
		return "", fmt.Sprintf("%s cannot import botocore (%v): install it (python3 -m pip install botocore), or set %s to a dms/2016-01-01/service-2.json", python, err, BotocoreModelEnv)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "data", "dms", "2016-01-01")
	for _, name := range []string{"service-2.json.gz", "service-2.json"} {
		if p := filepath.Join(dir, name); fileExists(p) {
			return p, ""
		}
	}
	return "", fmt.Sprintf("botocore is installed but has no DMS model in %s: set %s to a dms/2016-01-01/service-2.json", dir, BotocoreModelEnv)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// readBotocoreModel reads a service-2.json, plain or gzipped.
func readBotocoreModel(path string) (*botoModel, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	var b botoModel
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("%s is not a botocore service model: %w", path, err)
	}
	if len(b.Operations) == 0 || len(b.Shapes) == 0 {
		return nil, fmt.Errorf("%s is not a botocore service model: no operations or shapes", path)
	}
	return &b, nil
}

// loadBotocore returns botocore's DMS model, or skips the test with the reason.
func loadBotocore(t *testing.T) (*botoModel, string) {
	t.Helper()
	path, skip := botocoreModelFile()
	if skip != "" {
		t.Skip(skip)
	}
	b, err := readBotocoreModel(path)
	if err != nil {
		t.Fatalf("%v (from %s)", err, map[bool]string{true: "$" + BotocoreModelEnv, false: "the installed botocore"}[os.Getenv(BotocoreModelEnv) != ""])
	}
	return b, path
}

// botoDiff is what the comparison found: structural differences (a test failure) and
// documentation differences (reported).
type botoDiff struct {
	structure, docs []string
	seenS, seenD    map[string]bool
	visited         map[string]bool
}

func (d *botoDiff) s(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if !d.seenS[msg] {
		d.seenS[msg] = true
		d.structure = append(d.structure, msg)
	}
}

func (d *botoDiff) doc(where, model, boto string) {
	m, b := normDoc(model), normDoc(boto)
	if b == "" || m == b {
		return
	}
	msg := fmt.Sprintf("%s: model %q, botocore %q", where, m, b)
	if m == "" {
		msg = fmt.Sprintf("%s: model has no text, botocore %q", where, b)
	}
	if !d.seenD[msg] {
		d.seenD[msg] = true
		d.docs = append(d.docs, msg)
	}
}

var (
	htmlTag = regexp.MustCompile(`<[^>]*>`)
	spaces  = regexp.MustCompile(`\s+`)
)

// normDoc reduces botocore's HTML documentation (and the model's plain text) to
// comparable text: no tags, entities decoded, whitespace collapsed, no final period.
func normDoc(s string) string {
	s = html.UnescapeString(htmlTag.ReplaceAllString(s, " "))
	s = strings.TrimSpace(spaces.ReplaceAllString(s, " "))
	return strings.TrimSpace(strings.TrimSuffix(s, "."))
}

// compareWithBotocore compares the model's operations (and everything they reach) and
// service facts with botocore's model.
func compareWithBotocore(m *spec.Model, b *botoModel) (structure, docs []string) {
	d := &botoDiff{seenS: map[string]bool{}, seenD: map[string]bool{}, visited: map[string]bool{}}
	md := b.Metadata
	svc := m.Service
	signing := md.SigningName
	if signing == "" {
		signing = md.EndpointPrefix
	}
	protocol := md.Protocol
	if protocol == "json" && md.JSONVersion != "" {
		protocol = "awsJson" + strings.ReplaceAll(md.JSONVersion, ".", "_")
	}
	for _, f := range []struct{ name, model, boto string }{
		{"targetPrefix", svc.TargetPrefix, md.TargetPrefix},
		{"signingName", svc.SigningName, signing},
		{"endpointPrefix", svc.EndpointPrefix, md.EndpointPrefix},
		{"protocol", svc.Protocol, protocol},
		{"apiVersion", svc.APIVersion, md.APIVersion},
		{"serviceId", svc.ServiceID, md.ServiceID},
	} {
		if f.model != f.boto {
			d.s("x-dms-service %s is %q, botocore metadata says %q", f.name, f.model, f.boto)
		}
	}
	for _, op := range m.Operations {
		bop, ok := b.Operations[op.Name]
		if !ok {
			d.s("operation %s is not in botocore's model", op.Name)
			continue
		}
		d.doc("operation "+op.Name, op.Summary, bop.Documentation)
		if want := md.TargetPrefix + "." + op.Name; op.Target != want {
			d.s("operation %s has X-Amz-Target %q, botocore's model gives %q", op.Name, op.Target, want)
		}
		if bop.HTTP.Method != "" && !strings.EqualFold(bop.HTTP.Method, "POST") {
			d.s("operation %s: botocore says HTTP method %s, the model POST", op.Name, bop.HTTP.Method)
		}
		d.io(op.Name, "input", op.Input, bop.Input, b)
		d.io(op.Name, "output", op.Output, bop.Output, b)
		var want []string
		for _, e := range bop.Errors {
			want = append(want, e.Shape)
		}
		var have []string
		for _, f := range op.Faults {
			have = append(have, f.Name)
		}
		sort.Strings(want)
		for _, name := range want {
			if !slices.Contains(have, name) {
				d.s("operation %s: botocore lists fault %s, the model does not", op.Name, name)
			}
		}
		for _, name := range have {
			if !slices.Contains(want, name) {
				d.s("operation %s: the model lists fault %s, botocore does not", op.Name, name)
			}
		}
		for _, name := range want {
			if f := m.Fault(name); f != nil {
				d.fault(f, name, b)
			}
		}
	}
	sort.Strings(d.structure)
	sort.Strings(d.docs)
	return d.structure, d.docs
}

func (d *botoDiff) io(op, which string, sh *spec.Shape, ref *botoRef, b *botoModel) {
	switch {
	case sh == nil && ref == nil:
		return
	case sh == nil:
		d.s("operation %s has no %s in the model, botocore's is %s", op, which, ref.Shape)
		return
	case ref == nil:
		d.s("operation %s has %s %s in the model, none in botocore", op, which, sh.Name)
		return
	}
	if sh.Name != ref.Shape {
		d.s("operation %s: the model's %s is %s, botocore's %s", op, which, sh.Name, ref.Shape)
	}
	d.shape(sh.Name, sh, ref.Shape, b)
}

// shape compares a model shape with a botocore shape (where names the place).
func (d *botoDiff) shape(where string, sh *spec.Shape, name string, b *botoModel) {
	bs, ok := b.Shapes[name]
	if !ok {
		d.s("%s: botocore has no shape %s", where, name)
		return
	}
	key := sh.Pointer + "|" + name
	if d.visited[key] {
		return
	}
	d.visited[key] = true
	d.doc("shape "+where, sh.Doc, bs.Documentation)
	wantType, wantFormat := botoType(bs.Type)
	if wantType == "" {
		d.s("%s: botocore type %q (shape %s) has no counterpart in the model", where, bs.Type, name)
		return
	}
	if sh.Type != wantType || (wantFormat != "" && sh.Format != wantFormat) {
		d.s("%s is %s in the model, botocore's %s is %s", where, sh.TypeLabel(), name, bs.Type)
		return
	}
	if len(bs.Enum) > 0 {
		d.s("%s: botocore's %s is an enum %v, the model has no closed set", where, name, bs.Enum)
	}
	d.bounds(where, sh, bs, name)
	switch sh.Type {
	case spec.TypeObject:
		d.object(where, sh, bs, name, b)
	case spec.TypeArray:
		if bs.Member == nil || sh.Items == nil {
			d.s("%s: an array without items (botocore %s)", where, name)
			return
		}
		d.member(where+"[]", sh.Items, *bs.Member, b)
	}
}

// botoType maps a botocore type to the model's type and format.
func botoType(t string) (typ, format string) {
	switch t {
	case "structure":
		return spec.TypeObject, ""
	case "list":
		return spec.TypeArray, ""
	case "string":
		return spec.TypeString, ""
	case "boolean":
		return spec.TypeBoolean, ""
	case "integer":
		return spec.TypeInteger, "int32"
	case "long":
		return spec.TypeInteger, "int64"
	case "double":
		return spec.TypeNumber, "double"
	case "float":
		return spec.TypeNumber, "float"
	}
	return "", ""
}

// bounds compares length bounds (strings, lists) and numeric bounds (numbers): botocore's
// min/max against maxLength (or minLength) and minimum/maximum. Bounds the model marks
// as its own inference (x-dms-inferred-range) are not AWS's and are left out.
func (d *botoDiff) bounds(where string, sh *spec.Shape, bs botoShape, name string) {
	f := func(p *float64) string {
		if p == nil {
			return "none"
		}
		return fmt.Sprint(*p)
	}
	switch sh.Type {
	case spec.TypeString:
		var maxLen *float64
		if sh.MaxLength != nil {
			v := float64(*sh.MaxLength)
			maxLen = &v
		}
		if f(maxLen) != f(bs.Max) {
			d.s("%s: maxLength %s in the model, botocore's %s has max %s", where, f(maxLen), name, f(bs.Max))
		}
		if bs.Min != nil && *bs.Min > 0 {
			d.s("%s: botocore's %s has min length %s, the model has none", where, name, f(bs.Min))
		}
	case spec.TypeInteger, spec.TypeNumber:
		lo, hi := sh.Minimum, sh.Maximum
		if sh.InferredRange != "" {
			lo, hi = nil, nil
		}
		if f(lo) != f(bs.Min) || f(hi) != f(bs.Max) {
			d.s("%s: range %s..%s in the model, botocore's %s has %s..%s", where, f(lo), f(hi), name, f(bs.Min), f(bs.Max))
		}
	case spec.TypeArray, spec.TypeObject:
		if bs.Min != nil || bs.Max != nil {
			d.s("%s: botocore's %s has bounds %s..%s, the model has none", where, name, f(bs.Min), f(bs.Max))
		}
	}
}

func (d *botoDiff) object(where string, sh *spec.Shape, bs botoShape, name string, b *botoModel) {
	if (sh.Union != nil) != bs.Union {
		d.s("%s: union in the model %v, in botocore (%s) %v", where, sh.Union != nil, name, bs.Union)
	}
	if sh.Union != nil && bs.Union {
		um := slices.Sorted(maps.Keys(bs.Members))
		mm := append([]string(nil), sh.Union.Members...)
		sort.Strings(mm)
		if !slices.Equal(um, mm) {
			d.s("%s: union members %v in the model (x-dms-union), botocore's %s has %v", where, mm, name, um)
		}
	}
	required := map[string]bool{}
	for _, r := range bs.Required {
		required[r] = true
	}
	for _, mb := range sh.Members {
		if mb.Name == "__type" && sh.Fault != nil {
			continue // the fault code on the wire, not a member of the shape
		}
		ref, ok := bs.Members[mb.Name]
		if !ok {
			d.s("%s.%s is in the model, not in botocore's %s", where, mb.Name, name)
			continue
		}
		if mb.Required != required[mb.Name] {
			d.s("%s.%s: required %v in the model, %v in botocore", where, mb.Name, mb.Required, required[mb.Name])
		}
		d.member(where+"."+mb.Name, mb.Shape, ref, b)
	}
	for _, n := range slices.Sorted(maps.Keys(bs.Members)) {
		if sh.Member(n) == nil {
			d.s("%s.%s is in botocore's %s, not in the model", where, n, name)
		}
	}
}

// member compares a member (or list item) shape. Named model shapes must carry
// botocore's shape name (the SDKs name their types after it); inline scalars are
// compared by type and bounds, and their description with the member's documentation.
func (d *botoDiff) member(where string, sh *spec.Shape, ref botoRef, b *botoModel) {
	if sh == nil {
		return
	}
	if named := !strings.ContainsAny(sh.Name, ".["); named {
		if sh.Name != ref.Shape {
			d.s("%s is shape %s in the model, %s in botocore", where, sh.Name, ref.Shape)
		}
		d.shape(sh.Name, sh, ref.Shape, b) // a named shape is named by its name, wherever it is reached
		return
	}
	d.doc("member "+where, sh.Doc, ref.Documentation)
	d.values(where, sh, ref.Documentation)
	d.shape(where, sh, ref.Shape, b)
}

var codeValue = regexp.MustCompile(`<code>\s*"?([A-Z][A-Z0-9_]*)"?\s*</code>`)

// values checks a documented value set (x-dms-documented-values) against the values
// botocore's member documentation names (<code>VALUE</code>): a value AWS documents
// that the set lacks is a structural difference (the checks would call it drift); a
// value of the set that the documentation does not name is reported with the docs.
func (d *botoDiff) values(where string, sh *spec.Shape, doc string) {
	if sh.Values == nil {
		return
	}
	var named []string
	for _, m := range codeValue.FindAllStringSubmatch(doc, -1) {
		if !slices.Contains(named, m[1]) {
			named = append(named, m[1])
		}
	}
	for _, v := range named {
		if !sh.Values.Contains(v) {
			d.s("%s: botocore's documentation names the value %s, the documented values (x-dms-documented-values %s) do not", where, v, sh.Values.Name)
		}
	}
	if len(named) == 0 {
		return
	}
	for _, v := range sh.Values.Strings() {
		if !slices.Contains(named, v) {
			d.doc("documented values "+where, v, strings.Join(named, ", ")+" (without "+v+")")
		}
	}
}

// fault compares a modelled fault with botocore's exception shape: the code, the HTTP
// status, client or server, and the members (shape compares those).
func (d *botoDiff) fault(f *spec.Fault, name string, b *botoModel) {
	bs, ok := b.Shapes[name]
	if !ok {
		return // shape() reports it
	}
	if !bs.Exception {
		d.s("fault %s: botocore's shape %s is not an exception", f.Name, name)
	}
	code, status, kind := name, 400, "client"
	if bs.Fault {
		kind = "server"
	}
	if bs.Error != nil {
		if bs.Error.Code != "" {
			code = bs.Error.Code
		}
		if bs.Error.HTTPStatusCode != 0 {
			status = bs.Error.HTTPStatusCode
		}
		if !bs.Error.SenderFault && bs.Fault {
			kind = "server"
		}
	}
	if f.Code != code || f.HTTPStatus != status || f.Side != kind {
		d.s("fault %s: the model says code %s, HTTP %d, %s; botocore %s, HTTP %d, %s", f.Name, f.Code, f.HTTPStatus, f.Side, code, status, kind)
	}
	d.shape("fault "+f.Name, f.Shape, name, b)
}

func TestModelMatchesBotocore(t *testing.T) {
	b, path := loadBotocore(t)
	m := mustLoad(t)
	structure, docs := compareWithBotocore(m, b)
	t.Logf("compared %d operations with %s", len(m.Operations), path)
	for _, d := range docs {
		t.Logf("documentation differs (reported, not a failure): %s", d)
	}
	if len(structure) > 0 {
		t.Errorf("the model and botocore's model (%s) differ in structure (%d):\n%s", path, len(structure), strings.Join(structure, "\n"))
	}
}

// botocoreDriftCase is one drift between the model and botocore's model, made by editing
// either side, and the differences compareWithBotocore must name for it.
type botocoreDriftCase struct {
	name  string
	edits []edit
	boto  func(b *botoModel)
	want  []string
	only  string // compare only the differences that start with this
}

// botocoreDriftCases are the table cases of TestBotocoreDriftIsNamed.
var botocoreDriftCases = []botocoreDriftCase{
	{
		name:  "fault removed from an operation",
		edits: []edit{{old: "                  - {$ref: '#/components/schemas/KMSKeyNotAccessibleFault'}\n", new: ""}},
		want:  []string{"operation StartMetadataModelConversion: botocore lists fault KMSKeyNotAccessibleFault, the model does not"},
	},
	{
		name:  "member removed",
		edits: []edit{{old: "        MigrationProjectArn:\n          type: string\n          description: The migration project ARN.\n", new: ""}},
		want:  []string{"SchemaConversionRequest.MigrationProjectArn is in botocore's SchemaConversionRequest, not in the model"},
	},
	{
		name:  "required flag dropped",
		edits: []edit{{old: "      required: [MigrationProjectIdentifier, SelectionRules]\n", new: "      required: [MigrationProjectIdentifier]\n"}},
		want:  []string{"StartMetadataModelConversionMessage.SelectionRules: required false in the model, true in botocore"},
	},
	{
		name:  "type changed",
		edits: []edit{{old: "          format: int64\n", new: "          format: int32\n"}},
		want:  []string{"Progress.TotalObjects is integer(int32) in the model, botocore's Long is long"},
	},
	{
		name:  "length bound changed",
		edits: []edit{{old: "maxLength: 255", new: "maxLength: 256", all: true}},
		want: []string{
			"CancelMetadataModelConversionMessage.MigrationProjectIdentifier: maxLength 256 in the model, botocore's MigrationProjectIdentifier has max 255",
			"CancelMetadataModelCreationMessage.MigrationProjectIdentifier: maxLength 256 in the model, botocore's MigrationProjectIdentifier has max 255",
			"DescribeMetadataModelConversionsMessage.MigrationProjectIdentifier: maxLength 256 in the model, botocore's MigrationProjectIdentifier has max 255",
			"DescribeMetadataModelCreationsMessage.MigrationProjectIdentifier: maxLength 256 in the model, botocore's MigrationProjectIdentifier has max 255",
			"StartMetadataModelConversionMessage.MigrationProjectIdentifier: maxLength 256 in the model, botocore's MigrationProjectIdentifier has max 255",
			"StartMetadataModelCreationMessage.MigrationProjectIdentifier: maxLength 256 in the model, botocore's MigrationProjectIdentifier has max 255",
		},
	},
	{
		name:  "an inferred range written as AWS's bounds",
		edits: []edit{{old: "          x-dms-inferred-range:\n            minimum: 0\n            maximum: 100\n", new: "          minimum: 0\n          maximum: 100\n          x-dms-inferred-range-note:\n"}},
		want:  []string{"Progress.ProgressPercent: range 0..100 in the model, botocore's DoubleOptional has none..none"},
	},
	{
		name: "union member added in botocore",
		boto: func(b *botoModel) {
			s := b.Shapes["ErrorDetails"]
			s.Members = maps.Clone(s.Members)
			s.Members["sqlErrorDetails"] = botoRef{Shape: "DefaultErrorDetails"}
			b.Shapes["ErrorDetails"] = s
		},
		want: []string{
			"ErrorDetails: union members [defaultErrorDetails] in the model (x-dms-union), botocore's ErrorDetails has [defaultErrorDetails sqlErrorDetails]",
			"ErrorDetails.sqlErrorDetails is in botocore's ErrorDetails, not in the model",
		},
	},
	{
		name: "fault kind changed in botocore",
		boto: func(b *botoModel) {
			s := b.Shapes["AccessDeniedFault"]
			s.Fault = true
			b.Shapes["AccessDeniedFault"] = s
		},
		want: []string{"fault AccessDeniedFault: the model says code AccessDeniedFault, HTTP 400, client; botocore AccessDeniedFault, HTTP 400, server"},
	},
	{
		name: "service facts",
		boto: func(b *botoModel) { b.Metadata.TargetPrefix = "AmazonDMSv20170101" },
		want: []string{"x-dms-service targetPrefix is \"AmazonDMSv20160101\", botocore metadata says \"AmazonDMSv20170101\""},
		only: "x-dms-service",
	},
}

// The comparison names each kind of difference. The model is edited in memory (and
// for botocore-side changes, botocore's model), so each case proves one rule fires.
func TestBotocoreDriftIsNamed(t *testing.T) {
	b, _ := loadBotocore(t)
	for _, tc := range botocoreDriftCases {
		t.Run(tc.name, func(t *testing.T) {
			m := mustLoad(t)
			if len(tc.edits) > 0 {
				var err error
				if m, err = spec.Parse(mutate(t, tc.edits...)); err != nil {
					t.Fatal(err)
				}
			}
			bb := *b
			bb.Shapes = maps.Clone(b.Shapes)
			if tc.boto != nil {
				tc.boto(&bb)
			}
			got, _ := compareWithBotocore(m, &bb)
			if tc.only != "" { // the other consequences of the edit are not this case's point
				got = slices.DeleteFunc(got, func(s string) bool { return !strings.HasPrefix(s, tc.only) })
			}
			want := append([]string(nil), tc.want...)
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Errorf("compareWithBotocore =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
		})
	}
	t.Run("a documented value botocore names that the model lacks", func(t *testing.T) {
		checkBotocoreNamesMissingValue(t, b)
	})
	t.Run("documentation is reported, not failed", func(t *testing.T) {
		checkBotocoreDocDriftIsReported(t, b)
	})
}

// checkBotocoreNamesMissingValue drops a documented ProgressStep value from the model and
// checks that the drift names the value botocore's documentation has.
func checkBotocoreNamesMissingValue(t *testing.T, b *botoModel) {
	m, err := spec.Parse(mutate(t, edit{old: "              - {value: APPLYING, description: Applies the converted code to the target database.}\n", new: ""}))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := compareWithBotocore(m, b)
	want := []string{"Progress.ProgressStep: botocore's documentation names the value APPLYING, the documented values (x-dms-documented-values ProgressStep) do not"}
	if !slices.Equal(got, want) {
		t.Errorf("compareWithBotocore =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// checkBotocoreDocDriftIsReported changes a description and checks that the change is a
// documentation difference, not a structural one.
func checkBotocoreDocDriftIsReported(t *testing.T, b *botoModel) {
	m, err := spec.Parse(mutate(t, edit{old: "description: The migration project ARN.", new: "description: The ARN of some project."}))
	if err != nil {
		t.Fatal(err)
	}
	structure, docs := compareWithBotocore(m, b)
	if len(structure) != 0 {
		t.Errorf("a documentation change made structural differences: %q", structure)
	}
	want := `member SchemaConversionRequest.MigrationProjectArn: model "The ARN of some project", botocore "The migration project ARN"`
	if !slices.Contains(docs, want) {
		t.Errorf("docs differences do not name the change %q:\n%s", want, strings.Join(docs, "\n"))
	}
}

func TestBotocoreModelFile(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "service-2.json")
	doc := `{"metadata":{"targetPrefix":"X"},"operations":{"Op":{"name":"Op"}},"shapes":{"S":{"type":"string"}}}`
	if err := os.WriteFile(plain, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(doc))
	_ = zw.Close()
	zipped := filepath.Join(dir, "service-2.json.gz")
	if err := os.WriteFile(zipped, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{plain, zipped} {
		t.Setenv(BotocoreModelEnv, p)
		got, skip := botocoreModelFile()
		if got != p || skip != "" {
			t.Fatalf("botocoreModelFile() = %q, %q; want %s from $%s", got, skip, p, BotocoreModelEnv)
		}
		b, err := readBotocoreModel(got)
		if err != nil || b.Metadata.TargetPrefix != "X" || b.Shapes["S"].Type != "string" {
			t.Errorf("readBotocoreModel(%s) = %+v, %v", p, b, err)
		}
	}
	notModel := filepath.Join(dir, "other.json")
	_ = os.WriteFile(notModel, []byte(`{"x":1}`), 0o644)
	if _, err := readBotocoreModel(notModel); err == nil || !strings.Contains(err.Error(), "not a botocore service model") {
		t.Errorf("a JSON file that is no service model: err = %v", err)
	}
}
