package sdk

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	dms "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/gosdk"
)

// Job is one replay of one fixture: the SDK calls Operation with Input against
// Endpoint (a fixture server route).
type Job struct {
	Key       string         `json:"key"`
	Endpoint  string         `json:"endpoint"`
	Region    string         `json:"region"`
	Operation string         `json:"operation"`
	Input     map[string]any `json:"input"`
}

// SDKInfo names an SDK under test: Name is the report's target kind (and what a
// known-deviations entry's target matches), Package and Version what was tested.
type SDKInfo struct {
	Name    string
	Package string
	Version string
}

// SDK replays jobs through one SDK.
type SDK interface {
	// Info names the SDK; it is valid even when the SDK is unavailable.
	Info() SDKInfo
	// Unavailable returns why the SDK cannot run here ("" when it can). Every check of
	// an unavailable SDK is skipped with this reason.
	Unavailable() string
	// Run replays the jobs in order and returns one observation per job. An error
	// means the harness broke (every check of the batch is an error).
	Run(ctx context.Context, m *spec.Model, jobs []Job) ([]Observation, error)
}

// Static credentials and region for every SDK (the fixture server does not verify
// signatures; these are not secrets).
const (
	AccessKeyID     = "AKIDDMSCONFORMSDK"
	SecretAccessKey = "dmsconform-sdk-secret"
	Region          = "us-east-1"
)

// GoSDK is aws-sdk-go-v2, in process.
type GoSDK struct{}

// GoModule is the module path of the Go SDK client under test.
const GoModule = gosdk.Module

// Info implements SDK: the version is the one compiled in (gosdk.Version).
func (GoSDK) Info() SDKInfo {
	return SDKInfo{Name: "aws-sdk-go-v2", Package: GoModule, Version: gosdk.Version()}
}

// Unavailable implements SDK: the Go SDK is compiled in.
func (GoSDK) Unavailable() string { return "" }

// Run implements SDK.
func (g GoSDK) Run(ctx context.Context, m *spec.Model, jobs []Job) ([]Observation, error) {
	out := make([]Observation, len(jobs))
	for i, job := range jobs {
		op := m.Operation(job.Operation)
		if op == nil {
			return nil, fmt.Errorf("aws-sdk-go-v2: operation %s is not in the model", job.Operation)
		}
		obs, err := g.call(ctx, op, job)
		if err != nil {
			return nil, err
		}
		out[i] = obs
	}
	return out, nil
}

// NewGoClient builds the client every Go replay uses: the fixture route as base
// endpoint, static credentials, and a retryer with one attempt, so a replay is
// exactly one HTTP exchange.
func NewGoClient(endpoint, region string) *dms.Client {
	return dms.New(dms.Options{
		Region:       region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""),
		Retryer:      retry.AddWithMaxAttempts(retry.NewStandard(), 1),
	})
}

func (GoSDK) call(ctx context.Context, op *spec.Operation, job Job) (Observation, error) {
	// gosdk.Call finds the operation's method and input type by name: an operation of
	// the model needs no code here.
	out, err := gosdk.Call(ctx, NewGoClient(job.Endpoint, job.Region), op.Name, job.Input)
	if errors.Is(err, gosdk.ErrHarness) {
		return Observation{}, fmt.Errorf("aws-sdk-go-v2 adapter: %w", err)
	}
	if err != nil {
		return Observation{Err: goError(err)}, nil
	}
	v, err := gosdk.Canon(op.Output, reflect.ValueOf(out))
	if err != nil {
		return Observation{}, fmt.Errorf("aws-sdk-go-v2 adapter: %s output: %w", op.Name, err)
	}
	return Observation{Output: v}, nil
}

// goError normalises an error returned by a Go SDK call.
func goError(err error) *ObservedError {
	oe := &ObservedError{Message: err.Error(), Detail: fmt.Sprintf("%T: %v", err, err)}
	var apiErr smithy.APIError
	var deser *smithy.DeserializationError
	var send *smithyhttp.RequestSendError
	switch {
	case errors.As(err, &apiErr):
		oe.Layer = LayerAPI
		oe.Code = apiErr.ErrorCode()
		oe.Message = apiErr.ErrorMessage()
		var generic *smithy.GenericAPIError
		oe.Typed = !errors.As(err, &generic)
		oe.Detail = fmt.Sprintf("%T: %v", apiErr, apiErr)
	case errors.As(err, &deser):
		oe.Layer = LayerDeserialization
		oe.Message = deser.Error()
	case errors.As(err, &send):
		oe.Layer = LayerTransport
	default:
		oe.Layer = LayerOther
	}
	return oe
}
