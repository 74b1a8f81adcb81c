package sdk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/dmsconform/dmsconform/internal/jsonv"
	"github.com/dmsconform/dmsconform/internal/text"
	"github.com/dmsconform/dmsconform/spec"
)

// The subprocess adapters (suites/sdk/js/adapter.mjs, suites/sdk/botocore/adapter.py)
// share one protocol: a JSON request with the jobs on stdin, one JSON response on
// stdout, and an adapter folder found the same way.

// adapterRequest is what an adapter reads on stdin.
type adapterRequest struct {
	Jobs    []adapterJob   `json:"jobs"`
	Retries map[string]any `json:"retries,omitempty"` // botocore's retries configuration
}

// adapterJob is one job as an adapter reads it: the fixture request and the
// credentials to sign it with.
type adapterJob struct {
	Job
	Credentials map[string]string `json:"credentials"`
}

// adapterResponse is what a subprocess adapter (Node, Python) prints.
type adapterResponse struct {
	SDK struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"sdk"`
	Error   string          `json:"error"`
	Results []adapterResult `json:"results"`
}

type adapterResult struct {
	Key    string          `json:"key"`
	Output json.RawMessage `json:"output"`
	Error  *struct {
		Layer   string `json:"kind"`
		Code    string `json:"code"`
		Typed   bool   `json:"typed"`
		Message string `json:"message"`
		Detail  string `json:"detail"`
	} `json:"error"`
}

// runAdapter runs a subprocess adapter (newCmd) on the jobs and decodes the response it
// prints. An adapter that says why it cannot run ({"error": ...}) is an error with that
// reason; one that crashed is an error with its stderr and hint.
func runAdapter(ctx context.Context, who string, jobs []Job, retries map[string]any, hint string, newCmd func(context.Context) *exec.Cmd) (*adapterResponse, error) {
	req := adapterRequest{Jobs: make([]adapterJob, len(jobs)), Retries: retries}
	for i, job := range jobs {
		req.Jobs[i] = adapterJob{Job: job, Credentials: map[string]string{"accessKeyId": AccessKeyID, "secretAccessKey": SecretAccessKey}}
	}
	stdin, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("%s: encode jobs: %w", who, err)
	}
	cctx, cancel := context.WithTimeout(ctx, 60*time.Second+time.Duration(len(jobs))*time.Second)
	defer cancel()
	cmd := newCmd(cctx)
	cmd.WaitDelay = 5 * time.Second // a child the adapter left holding its pipes must not hold the run
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var resp adapterResponse
	dec := json.NewDecoder(bytes.NewReader(stdout.Bytes()))
	dec.UseNumber()
	decErr := dec.Decode(&resp)
	switch {
	case decErr == nil && resp.Error != "":
		return nil, fmt.Errorf("%s: %s", who, resp.Error)
	case runErr != nil:
		return nil, fmt.Errorf("%s (%s) failed: %v: %s (%srun the adapter by hand with a jobs file on stdin to debug)",
			who, cmd.String(), runErr, text.Truncate(strings.TrimSpace(stderr.String()), 2000), hint)
	case decErr != nil:
		return nil, fmt.Errorf("%s printed no valid JSON: %v (stderr: %s)", who, decErr, text.Truncate(strings.TrimSpace(stderr.String()), 1000))
	}
	return &resp, nil
}

// decodeAdapterResults turns a subprocess adapter's results into one observation per
// job, in job order; the outputs are canonicalised against the operation's output
// shape (non-strict: what does not fit the model is kept, so the comparison shows it).
func decodeAdapterResults(who string, m *spec.Model, jobs []Job, results []adapterResult) ([]Observation, error) {
	byKey := map[string]int{}
	for i, r := range results {
		byKey[r.Key] = i
	}
	out := make([]Observation, len(jobs))
	for i, job := range jobs {
		idx, ok := byKey[job.Key]
		if !ok {
			return nil, fmt.Errorf("%s returned no result for job %s (%d results for %d jobs)", who, job.Key, len(results), len(jobs))
		}
		r := results[idx]
		if r.Error != nil {
			if r.Error.Layer == "harness" {
				return nil, fmt.Errorf("%s: %s", who, r.Error.Message)
			}
			out[i] = Observation{Err: &ObservedError{Layer: r.Error.Layer, Code: r.Error.Code, Typed: r.Error.Typed, Message: r.Error.Message, Detail: r.Error.Detail}}
			continue
		}
		v, err := jsonv.Decode(r.Output)
		if err != nil {
			return nil, fmt.Errorf("%s: job %s: output is not JSON: %v", who, job.Key, err)
		}
		op := m.Operation(job.Operation)
		if op == nil {
			return nil, fmt.Errorf("%s: operation %s is not in the model", who, job.Operation)
		}
		canon, _ := spec.Canonical(op.Output, v, false)
		out[i] = Observation{Output: canon}
	}
	return out, nil
}

// findAdapter returns an adapter folder: $env, else suites/sdk/<folder> in the working
// directory or one of its parents, else beside this source file (go test, go run).
func findAdapter(env, folder, file, flag string) (string, error) {
	if d := os.Getenv(env); d != "" {
		return d, nil
	}
	rel := filepath.Join("suites", "sdk", folder)
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			if fileExists(filepath.Join(d, rel, file)) {
				return filepath.Join(d, rel), nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	if _, src, _, ok := runtime.Caller(0); ok {
		d := filepath.Join(filepath.Dir(src), folder)
		if fileExists(filepath.Join(d, file)) {
			return d, nil
		}
	}
	return "", fmt.Errorf("the adapter (suites/sdk/%s/%s) was not found from the working directory: run dmsconform from the repository, or pass %s DIR (or set %s)", folder, file, flag, env)
}

// AdapterSDK is an SDK run through an adapter program that speaks the adapter
// protocol (jobs on stdin, results on stdout, as suites/sdk/js/adapter.mjs and
// suites/sdk/botocore/adapter.py do): adding such an SDK is the program and one
// Registry entry whose New returns NewAdapterSDK. (JSSDK and BotocoreSDK add what
// their runtimes need: finding Node or Python, probing versions, install hints.)
type AdapterSDK struct {
	Name    string   // the report's name (Entry.Target)
	Package string   // what is tested
	Command []string // the adapter program and its arguments
	Dir     string   // its working directory ("" = the current one)

	reason  string
	version string
}

// NewAdapterSDK is the SDK name (package pkg) run through the adapter command. A
// program that is not there becomes the skip reason (Unavailable), never an error.
func NewAdapterSDK(name, pkg string, command ...string) *AdapterSDK {
	a := &AdapterSDK{Name: name, Package: pkg, Command: command}
	switch {
	case len(command) == 0 || command[0] == "":
		a.reason = "no adapter program configured for " + name
	default:
		if _, err := exec.LookPath(command[0]); err != nil {
			a.reason = fmt.Sprintf("the adapter program of %s is not there: %v", name, err)
		}
	}
	return a
}

// Info implements SDK (the version is the one the adapter reports).
func (a *AdapterSDK) Info() SDKInfo {
	v := a.version
	if v == "" {
		v = "unknown"
	}
	return SDKInfo{Name: a.Name, Package: a.Package, Version: v}
}

// Unavailable implements SDK.
func (a *AdapterSDK) Unavailable() string { return a.reason }

// Run implements SDK: one adapter process for the whole batch.
func (a *AdapterSDK) Run(ctx context.Context, m *spec.Model, jobs []Job) ([]Observation, error) {
	if a.reason != "" {
		return nil, errors.New(a.reason)
	}
	who := a.Name + " adapter"
	resp, err := runAdapter(ctx, who, jobs, nil, "", func(ctx context.Context) *exec.Cmd {
		cmd := exec.CommandContext(ctx, a.Command[0], a.Command[1:]...)
		cmd.Dir = a.Dir
		return cmd
	})
	if err != nil {
		return nil, err
	}
	if resp.SDK.Version != "" {
		a.version = resp.SDK.Version
	}
	return decodeAdapterResults(who, m, jobs, resp.Results)
}
