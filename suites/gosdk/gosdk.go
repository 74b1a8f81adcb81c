// Package gosdk is the one way dmsconform calls aws-sdk-go-v2: it builds clients with
// retries off (every exchange is one the harness chose to make), calls an operation
// by its model name with a model-shaped input, decodes a recorded response through
// the SDK's own deserializers without a server (Decode), and walks an SDK value into
// the canonical, model-keyed form the checks compare (Canon). The live conformance
// runs, offline re-judging of recordings and the SDK fixture replay all go through it.
package gosdk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	dms "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"
	"github.com/aws/aws-sdk-go-v2/service/databasemigrationservice/types"

	"github.com/dmsconform/dmsconform/spec"
)

// Module is the module path of the Go SDK client under test.
const Module = "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"

// HTTPClient is what the SDK sends requests through.
type HTTPClient interface {
	Do(*http.Request) (*http.Response, error)
}

// NewClient returns a client for endpoint (nil: the SDK resolves it from the
// configuration, see NewClientFromConfig) with one attempt per call: retrying is the
// harness's decision, made below the SDK where every attempt is recorded.
func NewClient(endpoint, region string, creds aws.CredentialsProvider, hc HTTPClient) *dms.Client {
	return dms.New(dms.Options{BaseEndpoint: aws.String(endpoint)}, options(region, creds, hc))
}

// NewClientFromConfig is NewClient for a loaded AWS configuration: the SDK resolves the
// endpoint (AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE and the shared config are
// honoured).
func NewClientFromConfig(cfg aws.Config, creds aws.CredentialsProvider, hc HTTPClient) *dms.Client {
	return dms.NewFromConfig(cfg, options(cfg.Region, creds, hc))
}

func options(region string, creds aws.CredentialsProvider, hc HTTPClient) func(*dms.Options) {
	return func(o *dms.Options) {
		o.Region, o.Credentials = region, creds
		if hc != nil {
			o.HTTPClient = hc
		}
		o.Retryer = retry.AddWithMaxAttempts(retry.NewStandard(), 1)
	}
}

// Has reports whether aws-sdk-go-v2 has the operation named op: a model newer than the
// SDK (a family the SDK does not have yet) has operations it lacks.
func Has(op string) bool {
	_, ok := reflect.TypeOf((*dms.Client)(nil)).MethodByName(op)
	return ok
}

// Version is the version of the SDK's DMS client in this binary: from the binary's
// dependency list, or (test binaries carry none) from the module cache path of the
// SDK's source, which holds <module>@<version>.
func Version() string {
	v := "unknown (no module build information in this binary)"
	if fn := runtime.FuncForPC(reflect.ValueOf(dms.New).Pointer()); fn != nil {
		file, _ := fn.FileLine(fn.Entry())
		if i := strings.Index(file, Module+"@"); i >= 0 {
			rest := file[i+len(Module)+1:]
			if j := strings.IndexByte(rest, '/'); j > 0 {
				v = rest[:j]
			}
		}
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == Module {
				v = d.Version
				if d.Replace != nil {
					v = d.Replace.Version + " (replaced: " + d.Replace.Path + ")"
				}
			}
		}
	}
	return v
}

// Call calls the operation named op on client with an input given as model-named
// members (a JSON-like map) and returns the typed output (a pointer to <op>Output) or
// the SDK's error. A harness problem (no such method, an input that does not fit the
// SDK's input type) is returned as an error wrapping ErrHarness.
func Call(ctx context.Context, client *dms.Client, op string, in map[string]any) (any, error) {
	method := reflect.ValueOf(client).MethodByName(op)
	if !method.IsValid() {
		return nil, fmt.Errorf("%w: aws-sdk-go-v2 has no method %s: the SDK is older than the model", ErrHarness, op)
	}
	input := reflect.New(method.Type().In(1).Elem())
	if err := fillInput(input.Interface(), in); err != nil {
		return nil, fmt.Errorf("%w: %s input: %v", ErrHarness, op, err)
	}
	res := method.Call([]reflect.Value{reflect.ValueOf(ctx), input})
	var out any
	if !res[0].IsNil() {
		out = res[0].Interface()
	}
	err, _ := res[1].Interface().(error)
	return out, err
}

// ErrHarness marks errors of the harness's own making (not the SDK's answer).
var ErrHarness = errors.New("harness")

// fillInput sets an SDK input struct from model-named members through JSON (the SDK's
// field names are the model's member names); the one union among the inputs,
// StartMetadataModelCreation's Properties, is set by hand.
func fillInput(dst any, in map[string]any) error {
	rest := map[string]any{}
	var props map[string]any
	for k, v := range in {
		if p, ok := v.(map[string]any); ok && k == "Properties" {
			props = p
			continue
		}
		rest[k] = v
	}
	b, err := json.Marshal(rest)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, dst); err != nil {
		return fmt.Errorf("%s does not fit %T: %w", b, dst, err)
	}
	if props != nil {
		p, ok := dst.(*dms.StartMetadataModelCreationInput)
		sp, _ := props["StatementProperties"].(map[string]any)
		if !ok || sp == nil {
			return fmt.Errorf("Properties %v: only StartMetadataModelCreation's StatementProperties is supported", props)
		}
		def, _ := sp["Definition"].(string)
		p.Properties = &types.MetadataModelPropertiesMemberStatementProperties{Value: types.StatementProperties{Definition: aws.String(def)}}
	}
	return nil
}

// Response is a recorded HTTP answer for Decode.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

type cannedKey struct{}

// canned answers every request with the Response carried by its context.
type canned struct{}

func (canned) Do(req *http.Request) (*http.Response, error) {
	r, ok := req.Context().Value(cannedKey{}).(*Response)
	if !ok {
		return nil, errors.New("gosdk.Decode: no canned response in the context")
	}
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	h := r.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	return &http.Response{StatusCode: r.Status, Status: fmt.Sprintf("%d %s", r.Status, http.StatusText(r.Status)),
		Header: h, Body: io.NopCloser(bytes.NewReader(r.Body)), ContentLength: int64(len(r.Body)), Request: req}, nil
}

var decoder = sync.OnceValue(func() *dms.Client {
	return NewClient("http://decode.invalid", "us-east-1", credentials.NewStaticCredentialsProvider("AKIDDMSCONFORMDECODE", "decode", ""), canned{})
})

// Decode runs a recorded response through the SDK's deserializer for op, exactly as
// if a server had sent it, and returns what the SDK returns: the typed output or its
// error. No network is involved, so a recording is judged offline the same way it
// was judged live. The request the SDK builds on the way is a minimal valid input
// (MinimalInput); it goes nowhere.
func Decode(ctx context.Context, op *spec.Operation, r Response) (any, error) {
	return Call(context.WithValue(ctx, cannedKey{}, &r), decoder(), op.Name, MinimalInput(op.Input))
}

// MinimalInput is an input that passes the SDK's own validation: every required member
// with a placeholder value of its type.
func MinimalInput(sh *spec.Shape) map[string]any {
	out := map[string]any{}
	for _, mb := range sh.Members {
		if mb.Required {
			out[mb.Name] = minimalValue(mb.Shape)
		}
	}
	return out
}

func minimalValue(sh *spec.Shape) any {
	switch {
	case sh.Union != nil && len(sh.Union.Members) > 0:
		m := sh.Member(sh.Union.Members[0])
		return map[string]any{m.Name: minimalValue(m.Shape)}
	case sh.Type == spec.TypeObject:
		return MinimalInput(sh)
	case sh.Type == spec.TypeArray:
		return []any{}
	case sh.Type == spec.TypeInteger, sh.Type == spec.TypeNumber:
		return 1
	case sh.Type == spec.TypeBoolean:
		return false
	}
	return "dmsconform"
}

// FieldName is the Go field name of a model member.
func FieldName(member string) string {
	if member == "" {
		return member
	}
	return strings.ToUpper(member[:1]) + member[1:]
}
