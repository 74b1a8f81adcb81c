package spec_test

// Drift test: the model against aws-sdk-go-v2's databasemigrationservice by reflection
// (shapes, members, unions, fault types) and by behaviour (which faults the SDK client
// decodes as typed errors for which operation, which members it requires, which
// X-Amz-Target it sends). When the SDK gains or loses a member, these tests name it.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	dms "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"
	"github.com/aws/aws-sdk-go-v2/service/databasemigrationservice/types"
	"github.com/aws/smithy-go"

	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/sdk"
)

// sdkUnion is what reflection cannot find by itself: the SDK's interface for a union
// and the member types that implement it (Go cannot list the implementations of an
// interface). Keep in sync with the SDK's types.go ("The following types satisfy
// this interface"); the test checks every listed type implements the interface.
type sdkUnion struct {
	iface   reflect.Type
	members []reflect.Type
}

var sdkUnions = map[string]sdkUnion{
	"ErrorDetails": {
		iface:   reflect.TypeOf((*types.ErrorDetails)(nil)).Elem(),
		members: []reflect.Type{reflect.TypeOf(types.ErrorDetailsMemberDefaultErrorDetails{})},
	},
	"MetadataModelProperties": {
		iface:   reflect.TypeOf((*types.MetadataModelProperties)(nil)).Elem(),
		members: []reflect.Type{reflect.TypeOf(types.MetadataModelPropertiesMemberStatementProperties{})},
	},
}

// sdkSource is what the SDK's own source says (types/errors.go, types/types.go), read
// once per test binary from the module cache: the version this binary links (the
// pinned one, or the version the SDK version matrix runs the drift test with).
var sdkSource = sync.OnceValues(func() (goSource, error) {
	info, err := sdk.LinkedGoModule(context.Background())
	if err != nil {
		return goSource{}, err
	}
	errs, err := sdk.ReadGoErrorTypes(info.Dir)
	if err != nil {
		return goSource{}, err
	}
	unions, err := sdk.ReadGoUnions(info.Dir)
	if err != nil {
		return goSource{}, err
	}
	return goSource{module: info, errors: errs, unions: unions}, nil
})

type goSource struct {
	module GoModuleInfo
	errors []sdk.GoErrorType
	unions map[string][]string
}

// GoModuleInfo is the pinned SDK module as go list reports it.
type GoModuleInfo = sdk.GoModuleInfo

func mustSDKSource(t *testing.T) goSource {
	t.Helper()
	src, err := sdkSource()
	if err != nil {
		t.Fatalf("the SDK's source: %v", err)
	}
	return src
}

func errorNames(errs []sdk.GoErrorType) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Name
	}
	return out
}

func findError(errs []sdk.GoErrorType, name string) *sdk.GoErrorType {
	for i := range errs {
		if errs[i].Name == name {
			return &errs[i]
		}
	}
	return nil
}

var clientType = reflect.TypeOf(&dms.Client{})

// sdkOperation finds the client method of an operation and its input and output types.
func sdkOperation(name string) (method reflect.Method, in, out reflect.Type, ok bool) {
	method, ok = clientType.MethodByName(name)
	if !ok {
		return method, nil, nil, false
	}
	mt := method.Type // func(*Client, context.Context, *XInput, ...func(*Options)) (*XOutput, error)
	if mt.NumIn() != 4 || mt.NumOut() != 2 || mt.In(2).Kind() != reflect.Pointer || mt.Out(0).Kind() != reflect.Pointer {
		return method, nil, nil, false
	}
	return method, mt.In(2).Elem(), mt.Out(0).Elem(), true
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// exportedFields returns the exported fields of a struct by name, minus ignored ones.
func exportedFields(t reflect.Type, ignore ...string) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() || contains(ignore, f.Name) {
			continue
		}
		out[f.Name] = f
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedFieldNames(m map[string]reflect.StructField) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

type comparer struct {
	msgs    []string
	seen    map[string]bool // message dedup
	visited map[string]bool // shape/type pairs already compared
}

func (c *comparer) add(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if !c.seen[msg] {
		c.seen[msg] = true
		c.msgs = append(c.msgs, msg)
	}
}

// compareWithSDK compares the model's operations, shapes, unions and faults with the
// SDK's types (by reflection) and its error types (errs, read from its source) and
// returns one message per difference, sorted.
func compareWithSDK(m *spec.Model, errs []sdk.GoErrorType) []string {
	c := &comparer{seen: map[string]bool{}, visited: map[string]bool{}}
	for _, op := range m.Operations {
		_, in, out, ok := sdkOperation(op.Name)
		if !ok {
			c.add("model operation %s has no method (or an unexpected signature) on the SDK's *databasemigrationservice.Client", op.Name)
			continue
		}
		if op.Input != nil {
			c.structure(op.Input, in)
		}
		if op.Output != nil {
			c.structure(op.Output, out, "ResultMetadata")
		}
	}
	for _, name := range sortedFaultNames(m) {
		c.fault(m.Fault(name), findError(errs, name))
	}
	for _, name := range slices.Sorted(maps.Keys(sdkUnions)) {
		if sh := m.Shape(name); sh == nil || sh.Union == nil {
			c.add("SDK union types.%s (registered in drift_test.go) is not a union in the model", name)
		}
	}
	sort.Strings(c.msgs)
	return c.msgs
}

func sortedFaultNames(m *spec.Model) []string {
	out := make([]string, 0, len(m.Faults))
	for n := range m.Faults {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// structure compares an object shape with a struct type member by member, both ways.
func (c *comparer) structure(sh *spec.Shape, t reflect.Type, ignore ...string) {
	key := sh.Name + "|" + t.String()
	if c.visited[key] {
		return
	}
	c.visited[key] = true
	if t.Kind() != reflect.Struct {
		c.add("model shape %s is an object but SDK type %s is a %s", sh.Name, t, t.Kind())
		return
	}
	fields := exportedFields(t, ignore...)
	for _, mb := range sh.Members {
		f, ok := fields[mb.Name]
		if !ok {
			c.add("model member %s.%s has no field in SDK type %s", sh.Name, mb.Name, t)
			continue
		}
		delete(fields, mb.Name)
		c.member(sh.Name+"."+mb.Name, mb.Shape, t.String()+"."+f.Name, f.Type, false)
	}
	for _, name := range sortedFieldNames(fields) {
		c.add("SDK field %s.%s is not in the model (shape %s)", t, name, sh.Name)
	}
}

// member compares a member's shape with the Go type the SDK uses for it. inSlice is
// true for array items (the SDK uses plain values there: []string, []types.X).
func (c *comparer) member(where string, sh *spec.Shape, sdkWhere string, ft reflect.Type, inSlice bool) {
	if sh == nil {
		return
	}
	isPtr := ft.Kind() == reflect.Pointer
	base := ft
	if isPtr {
		base = ft.Elem()
	}
	wantScalar := func(kind reflect.Kind, goName string) {
		if base.Kind() != kind {
			c.add("model member %s is %s but SDK field %s is %s (want %s)", where, sh.TypeLabel(), sdkWhere, ft, goName)
			return
		}
		switch {
		case inSlice:
			if isPtr {
				c.add("model member %s: SDK field %s is %s, want plain %s in a list", where, sdkWhere, ft, goName)
			}
		case sh.SDKNonPointer && isPtr:
			c.add("model member %s is x-dms-sdk-nonpointer but SDK field %s is %s", where, sdkWhere, ft)
		case !sh.SDKNonPointer && !isPtr:
			c.add("model member %s decodes into non-pointer %s in SDK field %s: mark it x-dms-sdk-nonpointer", where, ft, sdkWhere)
		}
	}
	switch sh.Type {
	case spec.TypeString:
		wantScalar(reflect.String, "*string")
	case spec.TypeBoolean:
		wantScalar(reflect.Bool, "*bool")
	case spec.TypeInteger:
		switch sh.Format {
		case "int32":
			wantScalar(reflect.Int32, "*int32")
		case "int64":
			wantScalar(reflect.Int64, "*int64")
		default:
			c.add("model member %s is an integer without format int32/int64 (SDK field %s is %s)", where, sdkWhere, ft)
		}
	case spec.TypeNumber:
		switch sh.Format {
		case "double":
			wantScalar(reflect.Float64, "*float64")
		case "float":
			wantScalar(reflect.Float32, "*float32")
		default:
			c.add("model member %s is a number without format double/float (SDK field %s is %s)", where, sdkWhere, ft)
		}
	case spec.TypeArray:
		if ft.Kind() != reflect.Slice {
			c.add("model member %s is %s but SDK field %s is %s", where, sh.TypeLabel(), sdkWhere, ft)
			return
		}
		c.member(where+"[]", sh.Items, sdkWhere+"[]", ft.Elem(), true)
	case spec.TypeObject:
		if sh.Union != nil {
			c.union(where, sh, sdkWhere, ft)
			return
		}
		if base.Kind() != reflect.Struct {
			c.add("model member %s is %s but SDK field %s is %s", where, sh.TypeLabel(), sdkWhere, ft)
			return
		}
		if base.Name() != sh.Name {
			c.add("model member %s is shape %s but SDK field %s is %s", where, sh.Name, sdkWhere, ft)
		}
		c.structure(sh, base)
	default:
		c.add("model member %s has type %q, which the drift test does not know", where, sh.Type)
	}
}

// union compares a union shape with the SDK interface and its registered member types.
func (c *comparer) union(where string, sh *spec.Shape, sdkWhere string, ft reflect.Type) {
	reg, ok := sdkUnions[sh.Name]
	if !ok {
		c.add("model union %s (member %s) has no SDK interface registered in drift_test.go sdkUnions (SDK field %s is %s)", sh.Name, where, sdkWhere, ft)
		return
	}
	if ft != reg.iface {
		c.add("model member %s is union %s but SDK field %s is %s, not the interface %s", where, sh.Name, sdkWhere, ft, reg.iface)
	}
	key := "union|" + sh.Name
	if c.visited[key] {
		return
	}
	c.visited[key] = true
	sdkMembers := map[string]reflect.Type{}
	prefix := sh.Name + "Member"
	for _, mt := range reg.members {
		if !reflect.PointerTo(mt).Implements(reg.iface) {
			c.add("registered SDK union member %s does not implement %s", mt, reg.iface)
			continue
		}
		if !strings.HasPrefix(mt.Name(), prefix) {
			c.add("registered SDK union member %s is not named %s<Member>", mt, prefix)
			continue
		}
		sdkMembers[strings.TrimPrefix(mt.Name(), prefix)] = mt
	}
	for _, name := range sh.Union.Members {
		mt, ok := sdkMembers[capitalise(name)]
		if !ok {
			c.add("model union member %s.%s has no SDK member type types.%s%s", sh.Name, name, prefix, capitalise(name))
			continue
		}
		delete(sdkMembers, capitalise(name))
		value, ok := mt.FieldByName("Value")
		if !ok {
			c.add("SDK union member type %s has no Value field", mt)
			continue
		}
		c.member(sh.Name+"."+name, sh.Member(name).Shape, mt.String()+".Value", value.Type, false)
	}
	for _, name := range slices.Sorted(maps.Keys(sdkMembers)) {
		c.add("SDK union member type %s is not in the model union %s (members %v)", sdkMembers[name], sh.Name, sh.Union.Members)
	}
}

// goFieldType is the Go type the SDK declares for a fault member of shape sh.
func goFieldType(sh *spec.Shape) string {
	switch {
	case sh == nil:
		return "?"
	case sh.Type == spec.TypeString:
		return "*string"
	case sh.Type == spec.TypeBoolean:
		return "*bool"
	case sh.Type == spec.TypeInteger:
		return "*" + sh.Format
	case sh.Type == spec.TypeNumber && sh.Format == "double":
		return "*float64"
	case sh.Type == spec.TypeNumber:
		return "*float32"
	}
	return sh.TypeLabel()
}

// fault compares a modeled fault with the SDK error type of the same name, as the
// SDK's source declares it: fields (minus ErrorCodeOverride) against members (minus
// __type), case-insensitively, the code and the fault kind.
func (c *comparer) fault(f *spec.Fault, e *sdk.GoErrorType) {
	if e == nil {
		c.add("model fault %s has no SDK error type types.%s", f.Name, f.Name)
		return
	}
	fields := map[string]sdk.GoField{}
	for _, fld := range e.Fields {
		fields[strings.ToLower(fld.Name)] = fld
	}
	for _, mb := range f.Shape.Members {
		if mb.Name == "__type" {
			continue
		}
		fld, ok := fields[strings.ToLower(mb.Name)]
		if !ok {
			c.add("model member %s.%s has no field in SDK error type types.%s", f.Name, mb.Name, e.Name)
			continue
		}
		delete(fields, strings.ToLower(mb.Name))
		if want := goFieldType(mb.Shape); fld.Type != want {
			c.add("model member %s.%s is %s but SDK field types.%s.%s is %s (want %s)", f.Name, mb.Name, mb.Shape.TypeLabel(), e.Name, fld.Name, fld.Type, want)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		c.add("SDK field types.%s.%s is not in the model (fault %s)", e.Name, fields[k].Name, f.Name)
	}
	if e.Code != f.Code {
		c.add("model fault %s has code %s but SDK error type types.%s reports %s", f.Name, f.Code, e.Name, e.Code)
	}
	if e.Fault != f.Side {
		c.add("model fault %s is a %s fault but SDK error type types.%s is a %q fault", f.Name, f.Side, e.Name, e.Fault)
	}
}

func TestModelMatchesSDK(t *testing.T) {
	m := mustLoad(t)
	if diffs := compareWithSDK(m, mustSDKSource(t).errors); len(diffs) > 0 {
		t.Errorf("the model and aws-sdk-go-v2 databasemigrationservice disagree (%d):\n%s", len(diffs), strings.Join(diffs, "\n"))
	}
}

func TestDriftNamesARemovedMember(t *testing.T) {
	data := deleteLines(t, spec.Document, "        MigrationProjectArn:")
	m, err := spec.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if m.Shape("SchemaConversionRequest").Member("MigrationProjectArn") != nil {
		t.Fatal("the member is still in the model")
	}
	got := compareWithSDK(m, mustSDKSource(t).errors)
	want := []string{"SDK field types.SchemaConversionRequest.MigrationProjectArn is not in the model (shape SchemaConversionRequest)"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("compareWithSDK = %q\nwant %q", got, want)
	}
	t.Logf("reported: %s", strings.Join(got, "; "))
}

func TestDriftNamesAnAddedMember(t *testing.T) {
	data := mutate(t, edit{old: "        ProcessedObject:\n          $ref: '#/components/schemas/ProcessedObject'\n",
		new: "        ProcessedObject:\n          $ref: '#/components/schemas/ProcessedObject'\n        EstimatedSeconds:\n          type: integer\n          format: int64\n"})
	m, err := spec.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	got := compareWithSDK(m, mustSDKSource(t).errors)
	want := []string{"model member Progress.EstimatedSeconds has no field in SDK type types.Progress"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("compareWithSDK = %q\nwant %q", got, want)
	}
}

// sdkTypeDriftCases are the cases of TestDriftNamesTypeAndPointerChanges: an edit of the
// model and the differences from the SDK it must produce.
var sdkTypeDriftCases = []struct {
	name  string
	edits []edit
	want  []string
}{
	{
		name:  "non-pointer flag dropped",
		edits: []edit{{old: "          x-dms-sdk-nonpointer: true\n", new: ""}},
		want:  []string{"model member Progress.TotalObjects decodes into non-pointer int64 in SDK field types.Progress.TotalObjects: mark it x-dms-sdk-nonpointer"},
	},
	{
		name:  "non-pointer flag on a pointer field",
		edits: []edit{{old: "          format: double\n", new: "          format: double\n          x-dms-sdk-nonpointer: true\n"}},
		want:  []string{"model member Progress.ProgressPercent is x-dms-sdk-nonpointer but SDK field types.Progress.ProgressPercent is *float64"},
	},
	{
		name:  "integer format changed",
		edits: []edit{{old: "          format: int64\n", new: "          format: int32\n"}},
		want:  []string{"model member Progress.TotalObjects is integer(int32) but SDK field types.Progress.TotalObjects is int64 (want *int32)"},
	},
	{
		name: "union member added",
		edits: []edit{
			{old: "members: [defaultErrorDetails]", new: "members: [defaultErrorDetails, fancyErrorDetails]"},
			{old: "        defaultErrorDetails:\n          $ref: '#/components/schemas/DefaultErrorDetails'\n", new: "        defaultErrorDetails:\n          $ref: '#/components/schemas/DefaultErrorDetails'\n        fancyErrorDetails:\n          $ref: '#/components/schemas/DefaultErrorDetails'\n"},
		},
		want: []string{"model union member ErrorDetails.fancyErrorDetails has no SDK member type types.ErrorDetailsMemberFancyErrorDetails"},
	},
	{
		name: "union member renamed",
		edits: []edit{
			{old: "members: [defaultErrorDetails]", new: "members: [otherErrorDetails]"},
			{old: "        defaultErrorDetails:\n          $ref: '#/components/schemas/DefaultErrorDetails'\n", new: "        otherErrorDetails:\n          $ref: '#/components/schemas/DefaultErrorDetails'\n"},
		},
		want: []string{
			"SDK union member type types.ErrorDetailsMemberDefaultErrorDetails is not in the model union ErrorDetails (members [otherErrorDetails])",
			"model union member ErrorDetails.otherErrorDetails has no SDK member type types.ErrorDetailsMemberOtherErrorDetails",
		},
	},
	{
		name:  "union member value changed",
		edits: []edit{{old: "        defaultErrorDetails:\n          $ref: '#/components/schemas/DefaultErrorDetails'\n", new: "        defaultErrorDetails:\n          $ref: '#/components/schemas/ExportSqlDetails'\n"}},
		want: []string{
			"model member ErrorDetails.defaultErrorDetails is shape ExportSqlDetails but SDK field types.ErrorDetailsMemberDefaultErrorDetails.Value is types.DefaultErrorDetails",
			"model member ExportSqlDetails.ObjectURL has no field in SDK type types.DefaultErrorDetails",
			"model member ExportSqlDetails.S3ObjectKey has no field in SDK type types.DefaultErrorDetails",
			"SDK field types.DefaultErrorDetails.Message is not in the model (shape ExportSqlDetails)",
		},
	},
	{
		name:  "fault member removed",
		edits: []edit{{old: "        resourceArn: {type: string, description: The ARN of the resource that already exists.}\n", new: ""}},
		want:  []string{"SDK field types.ResourceAlreadyExistsFault.ResourceArn is not in the model (fault ResourceAlreadyExistsFault)"},
	},
	{
		name:  "fault kind changed",
		edits: []edit{{old: "x-dms-fault: {code: AccessDeniedFault, httpStatus: 400, fault: client}", new: "x-dms-fault: {code: AccessDeniedFault, httpStatus: 400, fault: server}"}},
		want:  []string{`model fault AccessDeniedFault is a server fault but SDK error type types.AccessDeniedFault is a "client" fault`},
	},
	{
		name:  "array of strings became integers",
		edits: []edit{{old: "          items: {type: string}", new: "          items: {type: integer, format: int64}"}},
		want:  []string{"model member Filter.Values[] is integer(int64) but SDK field types.Filter.Values[] is string (want *int64)"},
	},
}

func TestDriftNamesTypeAndPointerChanges(t *testing.T) {
	for _, tc := range sdkTypeDriftCases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := spec.Parse(mutate(t, tc.edits...))
			if err != nil {
				t.Fatal(err)
			}
			got := compareWithSDK(m, mustSDKSource(t).errors)
			want := append([]string(nil), tc.want...)
			sort.Strings(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("compareWithSDK =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
		})
	}
}

// ---- behaviour: the SDK client against a local server ------------------------------

// faultServer answers every request with HTTP 400 and the fault code in next, and
// records the X-Amz-Target it was sent.
type faultServer struct {
	*httptest.Server
	mu         sync.Mutex
	next       string
	lastTarget string
	client     *dms.Client
}

func newFaultServer(t *testing.T) *faultServer {
	fs := &faultServer{}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		fs.mu.Lock()
		code := fs.next
		fs.lastTarget = r.Header.Get("X-Amz-Target")
		fs.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("x-amzn-RequestId", "drift-test")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"__type":%q,"message":"m"}`, code)
	}))
	t.Cleanup(fs.Close)
	fs.client = dms.New(dms.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(fs.URL),
		Credentials:      aws.AnonymousCredentials{},
		HTTPClient:       fs.Client(),
		RetryMaxAttempts: 1,
	})
	return fs
}

// call invokes the operation through reflection with an input whose required members
// (by the model) are filled, and answers fault code.
func (fs *faultServer) call(op *spec.Operation, code string, fill bool) (target string, err error) {
	method, in, _, ok := sdkOperation(op.Name)
	if !ok {
		return "", fmt.Errorf("no SDK method %s", op.Name)
	}
	input := reflect.New(in)
	if fill {
		fillRequired(op.Input, input.Elem())
	}
	fs.mu.Lock()
	fs.next = code
	fs.mu.Unlock()
	res := method.Func.Call([]reflect.Value{reflect.ValueOf(fs.client), reflect.ValueOf(context.Background()), input})
	fs.mu.Lock()
	target = fs.lastTarget
	fs.lastTarget = ""
	fs.mu.Unlock()
	if e := res[1].Interface(); e != nil {
		err = e.(error)
	}
	return target, err
}

// fillRequired sets every required member of sh in the struct v to a sample value.
func fillRequired(sh *spec.Shape, v reflect.Value) {
	for _, mb := range sh.Members {
		if !mb.Required {
			continue
		}
		if f := v.FieldByName(mb.Name); f.IsValid() && f.CanSet() {
			f.Set(sample(mb.Shape, f.Type()))
		}
	}
}

func sample(sh *spec.Shape, t reflect.Type) reflect.Value {
	if sh.Union != nil {
		reg := sdkUnions[sh.Name]
		for _, mt := range reg.members {
			pv := reflect.New(mt)
			name := strings.TrimPrefix(mt.Name(), sh.Name+"Member")
			for _, mb := range sh.Members {
				if capitalise(mb.Name) == name {
					value := pv.Elem().FieldByName("Value")
					value.Set(sample(mb.Shape, value.Type()))
				}
			}
			return pv
		}
		return reflect.Zero(t)
	}
	if t.Kind() == reflect.Pointer {
		p := reflect.New(t.Elem())
		p.Elem().Set(sample(sh, t.Elem()))
		return p
	}
	v := reflect.New(t).Elem()
	switch t.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Int32, reflect.Int64:
		v.SetInt(1)
	case reflect.Float64:
		v.SetFloat(1)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		v = reflect.Append(v, sample(sh.Items, t.Elem()))
	case reflect.Struct:
		fillRequired(sh, v)
	}
	return v
}

// compareFaultsWithSDK calls every modeled operation through the SDK client against a
// local server answering each error code of the SDK's types/errors.go, and reports how
// that differs from the typing rule of the SDK version (sdk.GoFaultTyping):
//
//   - per operation (up to v1.71.0): an operation returns its modeled faults as their
//     typed errors and every other code as smithy.GenericAPIError, so the model's
//     fault list of each operation is checked by behaviour: (a) modeled faults the SDK
//     does not type for the operation, (b) codes it types that the model does not list;
//   - service-wide (from v1.72.0): every error type of the service is typed on every
//     operation, so behaviour no longer tells the operations' fault lists apart (the
//     comparison with botocore's model checks them): (a) modeled faults not typed,
//     (b) any SDK error type returned untyped.
//
// It also reports (c) the X-Amz-Target the SDK sends when it differs from the model.
func compareFaultsWithSDK(t *testing.T, m *spec.Model, src goSource, typing string) []string {
	fs := newFaultServer(t)
	var msgs []string
	codes := errorNames(src.errors)
	for _, op := range m.Operations {
		listed := map[string]bool{}
		for _, f := range op.Faults {
			listed[f.Name] = true
		}
		targetReported := false
		for _, code := range codes {
			target, err := fs.call(op, code, true)
			if target != op.Target && !targetReported {
				targetReported = true
				msgs = append(msgs, fmt.Sprintf("operation %s: the SDK sent X-Amz-Target %q, the model says %q", op.Name, target, op.Target))
			}
			var apiErr smithy.APIError
			var generic *smithy.GenericAPIError
			isGeneric := errors.As(err, &generic)
			isTyped := !isGeneric && errors.As(err, &apiErr) && fmt.Sprintf("%T", apiErr) == "*types."+code
			switch {
			case !isTyped && !isGeneric:
				msgs = append(msgs, fmt.Sprintf("operation %s fault %s: SDK error is %T, want typed or smithy.GenericAPIError: %v", op.Name, code, err, err))
			case listed[code] && !isTyped:
				msgs = append(msgs, fmt.Sprintf("model lists fault %s for %s but the SDK decodes it as smithy.GenericAPIError code %s: %v", code, op.Name, generic.Code, err))
			case isTyped && (apiErr.ErrorMessage() != "m" || apiErr.ErrorCode() != code):
				msgs = append(msgs, fmt.Sprintf("operation %s fault %s: SDK error has code %q message %q, want %q and \"m\"", op.Name, code, apiErr.ErrorCode(), apiErr.ErrorMessage(), code))
			case typing == sdk.TypingPerOperation && isTyped && !listed[code]:
				msgs = append(msgs, fmt.Sprintf("SDK decodes fault %s for %s as types.%s but the model does not list it", code, op.Name, code))
			case typing == sdk.TypingServiceWide && !isTyped:
				msgs = append(msgs, fmt.Sprintf("SDK decodes fault %s for %s as smithy.GenericAPIError, but versions from %s type every error of the service", code, op.Name, sdk.GoServiceWideTypingSince))
			}
		}
	}
	// Modeled faults the SDK has no type for at all.
	for _, name := range sortedFaultNames(m) {
		if findError(src.errors, name) == nil {
			msgs = append(msgs, fmt.Sprintf("model fault %s has no SDK error type", name))
		}
	}
	sort.Strings(msgs)
	return msgs
}

func TestFaultsMatchSDKBehaviour(t *testing.T) {
	m := mustLoad(t)
	src := mustSDKSource(t)
	typing := sdk.GoFaultTyping(src.module.Version)
	t.Logf("%s %s: %d error types in types/errors.go; faults are typed %s", src.module.Path, src.module.Version, len(src.errors), typing)
	if diffs := compareFaultsWithSDK(t, m, src, typing); len(diffs) > 0 {
		t.Errorf("per-operation faults differ from the SDK (%d):\n%s", len(diffs), strings.Join(diffs, "\n"))
	}
}

func TestFaultDriftIsNamed(t *testing.T) {
	src := mustSDKSource(t)
	typing := sdk.GoFaultTyping(src.module.Version)
	cancelFaults := "                  - {$ref: '#/components/schemas/ResourceNotFoundFault'}\n                  - {$ref: '#/components/schemas/InvalidResourceStateFault'}\n                  - {$ref: '#/components/schemas/AccessDeniedFault'}\n  /StartMetadataModelConversion:"
	t.Run("fault the SDK does not know for the operation", func(t *testing.T) {
		if typing != sdk.TypingPerOperation {
			t.Skipf("%s types faults %s: behaviour does not tell the operations' fault lists apart", src.module.Version, typing)
		}
		m, err := spec.Parse(mutate(t, edit{old: cancelFaults, new: strings.Replace(cancelFaults, "AccessDeniedFault", "KMSKeyNotAccessibleFault", 1)}))
		if err != nil {
			t.Fatal(err)
		}
		got := compareFaultsWithSDK(t, m, src, typing)
		if len(got) != 2 ||
			!strings.HasPrefix(got[0], "SDK decodes fault AccessDeniedFault for CancelMetadataModelConversion as types.AccessDeniedFault but the model does not list it") ||
			!strings.HasPrefix(got[1], "model lists fault KMSKeyNotAccessibleFault for CancelMetadataModelConversion but the SDK decodes it as smithy.GenericAPIError code KMSKeyNotAccessibleFault") {
			t.Errorf("got:\n%s", strings.Join(got, "\n"))
		}
	})
	t.Run("a modeled fault the SDK has no type for", func(t *testing.T) {
		less := src
		less.errors = slices.DeleteFunc(slices.Clone(src.errors), func(e sdk.GoErrorType) bool { return e.Name == "S3AccessDeniedFault" })
		m := mustLoad(t)
		got := compareFaultsWithSDK(t, m, less, typing)
		want := []string{"model fault S3AccessDeniedFault has no SDK error type"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), want[0])
		}
		if got := compareWithSDK(m, less.errors); !slices.Contains(got, "model fault S3AccessDeniedFault has no SDK error type types.S3AccessDeniedFault") {
			t.Errorf("compareWithSDK does not name the missing error type:\n%s", strings.Join(got, "\n"))
		}
	})
	t.Run("the other versions' rule does not hold for this version", func(t *testing.T) {
		// Judged by the rule of the other side of v1.72.0, every (operation, error type)
		// pair the model does not list is a difference: the rule is not vacuous.
		other := map[string]string{sdk.TypingPerOperation: sdk.TypingServiceWide, sdk.TypingServiceWide: sdk.TypingPerOperation}[typing]
		m := mustLoad(t)
		want := 0
		for _, op := range m.Operations {
			want += len(src.errors) - len(op.Faults)
		}
		got := compareFaultsWithSDK(t, m, src, other)
		if len(got) != want {
			t.Errorf("%s judged %s: %d differences, want %d (one per unlisted operation and error type):\n%s", src.module.Version, other, len(got), want, strings.Join(got, "\n"))
		}
	})
	t.Run("wrong target", func(t *testing.T) {
		// The model's own Check insists target = prefix + name, so change the prefix.
		m, err := spec.Parse(mutate(t,
			edit{old: "AmazonDMSv20160101.", new: "AmazonDMSv20170101.", all: true},
			edit{old: "  targetPrefix: AmazonDMSv20160101", new: "  targetPrefix: AmazonDMSv20170101"}))
		if err != nil {
			t.Fatal(err)
		}
		m.Operations = m.Operations[:1]
		got := compareFaultsWithSDK(t, m, src, typing)
		want := []string{`operation CancelMetadataModelConversion: the SDK sent X-Amz-Target "AmazonDMSv20160101.CancelMetadataModelConversion", the model says "AmazonDMSv20170101.CancelMetadataModelConversion"`}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), want[0])
		}
	})
}

// The error types read from the SDK's source are the ones the SDK really has: each is
// a smithy.APIError with that code, and the union registry above lists exactly the
// member types the source declares.
func TestSDKSourceMatchesTheSDK(t *testing.T) {
	src := mustSDKSource(t)
	if names := errorNames(src.errors); !slices.Contains(names, "S3AccessDeniedFault") || !slices.Contains(names, "S3ResourceNotFoundFault") {
		t.Errorf("types/errors.go of %s: the error types read are %v, want S3AccessDeniedFault and S3ResourceNotFoundFault among them", src.module.Version, names)
	}
	fs := newFaultServer(t)
	op := mustLoad(t).Operation("StartMetadataModelConversion")
	for _, e := range src.errors {
		if e.Code != e.Name || (e.Fault != "client" && e.Fault != "server") {
			t.Errorf("types.%s: code %q fault %q read from the source", e.Name, e.Code, e.Fault)
		}
		if !slices.Contains([]string{"S3AccessDeniedFault", "S3ResourceNotFoundFault", "ResourceNotFoundFault"}, e.Name) {
			continue
		}
		_, err := fs.call(op, e.Name, true)
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || fmt.Sprintf("%T", apiErr) != "*types."+e.Name || apiErr.ErrorCode() != e.Code {
			t.Errorf("StartMetadataModelConversion answered %s: the SDK returned %T %v", e.Name, err, err)
		}
	}
	for name, reg := range sdkUnions {
		var members []string
		for _, mt := range reg.members {
			members = append(members, mt.Name())
		}
		sort.Strings(members)
		if !slices.Equal(members, src.unions[name]) {
			t.Errorf("sdkUnions[%s] registers %v, types/types.go declares %v", name, members, src.unions[name])
		}
	}
	for _, name := range slices.Sorted(maps.Keys(src.unions)) {
		if sh := mustLoad(t).Shape(name); sh != nil && sh.Union != nil {
			if _, ok := sdkUnions[name]; !ok {
				t.Errorf("model union %s: types/types.go declares %v, sdkUnions in drift_test.go has no entry", name, src.unions[name])
			}
		}
	}
}

// The SDK validates presence of required members before sending; the members it
// reports for an empty input must be exactly the model's required members.
func TestRequiredMembersMatchSDK(t *testing.T) {
	m := mustLoad(t)
	fs := newFaultServer(t)
	re := regexp.MustCompile(`missing required field, (\w+)\.(\w+)\.`)
	for _, op := range m.Operations {
		_, in, _, _ := sdkOperation(op.Name)
		var want []string
		for _, mb := range op.Input.Members {
			if mb.Required {
				want = append(want, mb.Name)
			}
		}
		sort.Strings(want)
		_, err := fs.call(op, "ResourceNotFoundFault", false)
		var ipe smithy.InvalidParamsError
		var got []string
		if errors.As(err, &ipe) {
			for _, mm := range re.FindAllStringSubmatch(err.Error(), -1) {
				if mm[1] == in.Name() {
					got = append(got, mm[2])
				}
			}
		} else if len(want) > 0 {
			t.Errorf("%s with an empty input: want smithy.InvalidParamsError, got %T %v", op.Name, err, err)
			continue
		}
		sort.Strings(got)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the SDK requires %v, the model requires %v", op.Name, got, want)
		}
		// And with the required members filled, the request reaches the server.
		if target, err := fs.call(op, "ResourceNotFoundFault", true); target == "" {
			t.Errorf("%s with required members filled did not reach the server: %v", op.Name, err)
		}
	}
}

// The SDK decodes the model's union members into their member types (not
// UnknownUnionMember): a check by behaviour on top of the name mapping.
func TestUnionMembersDecodeInSDK(t *testing.T) {
	m := mustLoad(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		member := m.Shape("ErrorDetails").Union.Members[0]
		fmt.Fprintf(w, `{"Request":{"Status":"FAILED","Error":{%q:{"Message":"boom"}},"Progress":{"TotalObjects":9007199254740993}}}`, member)
	}))
	defer srv.Close()
	c := dms.New(dms.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: aws.AnonymousCredentials{}, HTTPClient: srv.Client(), RetryMaxAttempts: 1})
	out, err := c.CancelMetadataModelConversion(context.Background(), &dms.CancelMetadataModelConversionInput{MigrationProjectIdentifier: aws.String("p"), RequestIdentifier: aws.String("r")})
	if err != nil {
		t.Fatal(err)
	}
	d, ok := out.Request.Error.(*types.ErrorDetailsMemberDefaultErrorDetails)
	if !ok {
		t.Fatalf("Error decoded as %T", out.Request.Error)
	}
	if aws.ToString(d.Value.Message) != "boom" || out.Request.Progress.TotalObjects != 9007199254740993 {
		t.Errorf("decoded %+v / %d", d.Value, out.Request.Progress.TotalObjects)
	}
}
