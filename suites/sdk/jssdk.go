package sdkconform

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
	"strconv"
	"strings"
	"time"

	"github.com/dmsconform/dmsconform/spec"
)

// JS SDK identity.
const (
	JSName    = "aws-sdk-js-v3"
	JSPackage = "@aws-sdk/client-database-migration-service"
	// MinNodeMajor is the oldest Node.js the pinned client supports (its engines field).
	MinNodeMajor = 20
	// AdapterEnv overrides where the adapter folder (suites/sdk/js) is looked for.
	AdapterEnv = "DMSCONFORM_JS_ADAPTER"
)

// JSSDK is aws-sdk-js-v3, run through the Node adapter suites/sdk/js/adapter.mjs:
// one Node process per batch of jobs.
type JSSDK struct {
	Dir  string // the adapter folder (adapter.mjs, package.json, node_modules)
	Node string // the node executable

	reason  string
	version string
}

// NewJSSDK locates node and the adapter. dir and node may be empty: then the adapter
// is looked for with FindJSAdapter and node on PATH. What is missing becomes the skip
// reason (Unavailable), never an error: without Node the JS checks are skipped.
func NewJSSDK(dir, node string) *JSSDK {
	j := &JSSDK{Dir: dir, Node: node}
	if j.Dir == "" {
		d, err := FindJSAdapter()
		if err != nil {
			j.reason = err.Error()
		}
		j.Dir = d
	}
	if j.Dir != "" {
		j.version = pinnedJSVersion(j.Dir)
	}
	if j.reason != "" {
		return j
	}
	if _, err := os.Stat(filepath.Join(j.Dir, "adapter.mjs")); err != nil {
		j.reason = fmt.Sprintf("the Node adapter %s is missing: pass --js-adapter with the folder holding adapter.mjs (suites/sdk/js in the repository)", filepath.Join(j.Dir, "adapter.mjs"))
		return j
	}
	if j.Node == "" {
		p, err := exec.LookPath("node")
		if err != nil {
			j.reason = fmt.Sprintf("node not found on PATH: install Node.js %d+ and run make js-setup", MinNodeMajor)
			return j
		}
		j.Node = p
	}
	if major, v, err := nodeMajor(j.Node); err != nil {
		j.reason = fmt.Sprintf("%s --version failed (%v): install Node.js %d+ and run make js-setup", j.Node, err, MinNodeMajor)
		return j
	} else if major < MinNodeMajor {
		j.reason = fmt.Sprintf("node %s is too old: %s %s needs Node.js %d+ (install it, then run make js-setup)", v, JSPackage, j.version, MinNodeMajor)
		return j
	}
	pkg := filepath.Join(j.Dir, "node_modules", filepath.FromSlash(JSPackage), "package.json")
	data, err := os.ReadFile(pkg)
	if err != nil {
		j.reason = fmt.Sprintf("%s is not installed in %s: run make js-setup (npm ci --prefix suites/sdk/js)", JSPackage, filepath.Join(j.Dir, "node_modules"))
		return j
	}
	var meta struct {
		Version string `json:"version"`
	}
	if json.Unmarshal(data, &meta) == nil && meta.Version != "" {
		j.version = meta.Version
	}
	return j
}

// Info implements SDK.
func (j *JSSDK) Info() SDKInfo {
	v := j.version
	if v == "" {
		v = "unknown"
	}
	return SDKInfo{Name: JSName, Package: JSPackage, Version: v}
}

// Unavailable implements SDK.
func (j *JSSDK) Unavailable() string { return j.reason }

// pinnedJSVersion reads the version package.json pins (used when nothing is installed).
func pinnedJSVersion(dir string) string {
	data, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return ""
	}
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if json.Unmarshal(data, &pkg) != nil {
		return ""
	}
	if v := pkg.Dependencies[JSPackage]; v != "" {
		return v + " (pinned, not installed)"
	}
	return ""
}

func nodeMajor(node string) (int, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return 0, "", err
	}
	v := strings.TrimSpace(string(out))
	major, err := strconv.Atoi(strings.SplitN(strings.TrimPrefix(v, "v"), ".", 2)[0])
	if err != nil {
		return 0, v, fmt.Errorf("unexpected version %q", v)
	}
	return major, v, nil
}

// FindJSAdapter returns the adapter folder: $DMSCONFORM_JS_ADAPTER, else
// suites/sdk/js in the working directory or one of its parents, else beside this
// source file (go test, go run).
func FindJSAdapter() (string, error) {
	if d := os.Getenv(AdapterEnv); d != "" {
		return d, nil
	}
	rel := filepath.Join("suites", "sdk", "js")
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			if fileExists(filepath.Join(d, rel, "adapter.mjs")) {
				return filepath.Join(d, rel), nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		d := filepath.Join(filepath.Dir(file), "js")
		if fileExists(filepath.Join(d, "adapter.mjs")) {
			return d, nil
		}
	}
	return "", fmt.Errorf("the Node adapter (suites/sdk/js/adapter.mjs) was not found from the working directory: run dmsconform from the repository, or pass --js-adapter DIR (or set %s)", AdapterEnv)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

type jsRequest struct {
	Jobs []jsJob `json:"jobs"`
}

type jsJob struct {
	Job
	Credentials map[string]string `json:"credentials"`
}

type jsResponse struct {
	SDK struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"sdk"`
	Node    string `json:"node"`
	Results []struct {
		Key    string          `json:"key"`
		Output json.RawMessage `json:"output"`
		Error  *struct {
			Kind    string `json:"kind"`
			Code    string `json:"code"`
			Typed   bool   `json:"typed"`
			Message string `json:"message"`
			Detail  string `json:"detail"`
		} `json:"error"`
	} `json:"results"`
}

// Run implements SDK: one Node process for the whole batch.
func (j *JSSDK) Run(ctx context.Context, m *spec.Model, jobs []Job) ([]Observation, error) {
	if j.reason != "" {
		return nil, errors.New(j.reason)
	}
	req := jsRequest{Jobs: make([]jsJob, len(jobs))}
	for i, job := range jobs {
		req.Jobs[i] = jsJob{Job: job, Credentials: map[string]string{"accessKeyId": AccessKeyID, "secretAccessKey": SecretAccessKey}}
	}
	stdin, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("aws-sdk-js-v3 adapter: encode jobs: %w", err)
	}
	timeout := 60*time.Second + time.Duration(len(jobs))*time.Second
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(cctx, j.Node, filepath.Join(j.Dir, "adapter.mjs"))
	cmd.Dir = j.Dir
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("aws-sdk-js-v3 adapter (%s %s) failed: %v: %s (try make js-setup; run the adapter by hand with a jobs file on stdin to debug)",
			j.Node, filepath.Join(j.Dir, "adapter.mjs"), err, truncate(stderr.String(), 2000))
	}
	var resp jsResponse
	dec := json.NewDecoder(&stdout)
	dec.UseNumber()
	if err := dec.Decode(&resp); err != nil {
		return nil, fmt.Errorf("aws-sdk-js-v3 adapter printed no valid JSON: %v (stderr: %s)", err, truncate(stderr.String(), 1000))
	}
	if resp.SDK.Version != "" {
		j.version = resp.SDK.Version
	}
	byKey := map[string]int{}
	for i, r := range resp.Results {
		byKey[r.Key] = i
	}
	out := make([]Observation, len(jobs))
	for i, job := range jobs {
		idx, ok := byKey[job.Key]
		if !ok {
			return nil, fmt.Errorf("aws-sdk-js-v3 adapter returned no result for job %s (%d results for %d jobs)", job.Key, len(resp.Results), len(jobs))
		}
		r := resp.Results[idx]
		if r.Error != nil {
			if r.Error.Kind == "harness" {
				return nil, fmt.Errorf("aws-sdk-js-v3 adapter: %s", r.Error.Message)
			}
			out[i] = Observation{Err: &ObservedError{Kind: r.Error.Kind, Code: r.Error.Code, Typed: r.Error.Typed, Message: r.Error.Message, Detail: r.Error.Detail}}
			continue
		}
		v, err := spec.DecodeJSON(r.Output)
		if err != nil {
			return nil, fmt.Errorf("aws-sdk-js-v3 adapter: job %s: output is not JSON: %v", job.Key, err)
		}
		op := m.Operation(job.Operation)
		if op == nil {
			return nil, fmt.Errorf("aws-sdk-js-v3: operation %s is not in the model", job.Operation)
		}
		canon, _ := Canonical(op.Output, v, false)
		out[i] = Observation{Output: canon}
	}
	return out, nil
}
