// Command goadapter replays dmsconform wire fixtures through one version of
// aws-sdk-go-v2's databasemigrationservice client, out of process, for the SDK version
// matrix (dmsconform sdk --versions): the matrix copies this file into a scratch
// module per SDK version, builds it there against that exact version and runs it.
//
// It speaks the protocol of the Node and Python adapters (suites/sdk/js/adapter.mjs,
// suites/sdk/botocore/adapter.py): one JSON document on stdin,
//
//	{"jobs": [{"key", "endpoint", "region", "credentials": {"accessKeyId", "secretAccessKey"},
//	           "operation", "input"}]}
//
// every job in order (one client per job, one HTTP attempt), one JSON document on stdout:
//
//	{"sdk": {"name", "package", "version"}, "go": "<runtime version>",
//	 "results": [{"key", "output": <decoded output>} | {"key", "error": {...}}]}
//
// The output is the SDK's output struct as plain JSON, named as the SDK names its
// fields (the harness maps them to the model's member names): nil members left out,
// integers as JSON numbers, non-finite doubles as "NaN"/"Infinity"/"-Infinity", a union
// as {"<Member>": value}, an unknown union member as {"$unknown": "<tag>"}. Nothing is
// interpreted here: comparing is the harness's job.
//
// It imports nothing of dmsconform and only what every SDK version since v1.59.0 has,
// so the scratch module needs nothing but the SDK. `goadapter --version` prints the SDK.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	dms "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"
	"github.com/aws/aws-sdk-go-v2/service/databasemigrationservice/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

const (
	sdkName   = "aws-sdk-go-v2"
	sdkModule = "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"
)

type job struct {
	Key         string            `json:"key"`
	Endpoint    string            `json:"endpoint"`
	Region      string            `json:"region"`
	Credentials map[string]string `json:"credentials"`
	Operation   string            `json:"operation"`
	Input       map[string]any    `json:"input"`
}

type result struct {
	Key    string    `json:"key"`
	Output any       `json:"output,omitempty"`
	Error  *apiError `json:"error,omitempty"`
}

type apiError struct {
	Layer   string `json:"kind"`
	Code    string `json:"code,omitempty"`
	Typed   bool   `json:"typed"`
	Message string `json:"message"`
	Detail  string `json:"detail,omitempty"`
}

type sdkInfo struct {
	Name    string `json:"name"`
	Package string `json:"package"`
	Version string `json:"version"`
}

// version is the SDK module's version as linked into this binary.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == sdkModule {
				if d.Replace != nil && d.Replace.Version != "" {
					return d.Replace.Version
				}
				return d.Version
			}
		}
	}
	return "unknown"
}

func main() {
	info := sdkInfo{Name: sdkName, Package: sdkModule, Version: version()}
	out := json.NewEncoder(os.Stdout)
	if len(os.Args) > 1 && os.Args[1] == "--version" {
		_ = out.Encode(map[string]any{"sdk": info, "go": runtime.Version()})
		return
	}
	var req struct {
		Jobs []job `json:"jobs"`
	}
	data, err := io.ReadAll(os.Stdin)
	if err == nil {
		err = json.Unmarshal(data, &req)
	}
	if err != nil {
		_ = out.Encode(map[string]any{"sdk": info, "error": "goadapter: read the jobs from stdin: " + err.Error()})
		os.Exit(2)
	}
	results := make([]result, 0, len(req.Jobs))
	for _, j := range req.Jobs {
		results = append(results, run(j))
	}
	if err := out.Encode(map[string]any{"sdk": info, "go": runtime.Version(), "results": results}); err != nil {
		fmt.Fprintf(os.Stderr, "goadapter: write the results: %v\n", err)
		os.Exit(3)
	}
}

func run(j job) result {
	client := dms.New(dms.Options{
		Region:       j.Region,
		BaseEndpoint: aws.String(j.Endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: j.Credentials["accessKeyId"], SecretAccessKey: j.Credentials["secretAccessKey"], Source: "goadapter"}, nil
		}),
		Retryer: retry.AddWithMaxAttempts(retry.NewStandard(), 1),
	})
	method := reflect.ValueOf(client).MethodByName(j.Operation)
	if !method.IsValid() {
		return result{Key: j.Key, Error: &apiError{Layer: "harness", Message: sdkModule + " " + version() + " has no operation " + j.Operation + ": the version is older than the operation"}}
	}
	input := reflect.New(method.Type().In(1).Elem())
	if err := fill(input.Interface(), j.Input); err != nil {
		return result{Key: j.Key, Error: &apiError{Layer: "harness", Message: fmt.Sprintf("%s input: %v", j.Operation, err)}}
	}
	res := method.Call([]reflect.Value{reflect.ValueOf(context.Background()), input})
	if err, _ := res[1].Interface().(error); err != nil {
		return result{Key: j.Key, Error: describe(err)}
	}
	return result{Key: j.Key, Output: plain(res[0], "")}
}

// fill sets an input struct from model-named members through JSON (the SDK's field
// names are the model's member names); the one union among the inputs,
// StartMetadataModelCreation's Properties, is set by hand.
func fill(dst any, in map[string]any) error {
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

func describe(err error) *apiError {
	e := &apiError{Message: err.Error(), Detail: fmt.Sprintf("%T: %v", err, err)}
	var api smithy.APIError
	var deser *smithy.DeserializationError
	var send *smithyhttp.RequestSendError
	switch {
	case errors.As(err, &api):
		var generic *smithy.GenericAPIError
		e.Layer, e.Code, e.Message = "api", api.ErrorCode(), api.ErrorMessage()
		e.Typed = !errors.As(err, &generic)
		e.Detail = fmt.Sprintf("%T: %v", api, api)
	case errors.As(err, &deser):
		e.Layer, e.Message = "deserialization", deser.Error()
	case errors.As(err, &send):
		e.Layer = "transport"
	default:
		e.Layer = "other"
	}
	return e
}

// plain turns an SDK value into JSON-able data (see the package comment). iface is
// the name of the union interface v was held in ("" outside a union).
func plain(v reflect.Value, iface string) any {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		if v.Kind() == reflect.Interface && v.Type().Name() != "" && v.NumMethod() > 0 {
			iface = v.Type().Name()
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		return plainStruct(v, iface)
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return v.Bytes()
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = plain(v.Index(i), "")
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		out := map[string]any{}
		for _, k := range v.MapKeys() {
			if x := plain(v.MapIndex(k), ""); x != nil {
				out[fmt.Sprint(k.Interface())] = x
			}
		}
		return out
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return json.Number(strconv.FormatInt(v.Int(), 10))
	case reflect.Float32, reflect.Float64:
		return plainFloat(v.Float())
	}
	if s, ok := v.Interface().(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprint(v.Interface())
}

// plainStruct is plain for a struct: a union member as {"<Member>": value} or
// {"$unknown": "<tag>"} when iface names the union, else its exported fields but
// ResultMetadata, nil ones left out.
func plainStruct(v reflect.Value, iface string) any {
	t := v.Type()
	if iface != "" {
		if t.Name() == "UnknownUnionMember" {
			return map[string]any{"$unknown": v.FieldByName("Tag").String()}
		}
		if tag, ok := strings.CutPrefix(t.Name(), iface+"Member"); ok {
			val := plain(v.FieldByName("Value"), "")
			if val == nil {
				val = map[string]any{}
			}
			return map[string]any{tag: val}
		}
	}
	out := map[string]any{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() || f.Name == "ResultMetadata" {
			continue
		}
		if x := plain(v.Field(i), ""); x != nil {
			out[f.Name] = x
		}
	}
	return out
}

// plainFloat is plain for a double: a JSON number, or "NaN", "Infinity", "-Infinity".
func plainFloat(f float64) any {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
}
