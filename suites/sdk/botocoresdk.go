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
	"strings"
	"sync"
	"time"

	"github.com/dmsconform/dmsconform/spec"
)

// botocore identity.
const (
	BotocoreName    = "botocore"
	BotocorePackage = "botocore"
	// BotocoreAdapterEnv overrides where the adapter folder (suites/sdk/botocore) is
	// looked for; BotocorePythonEnv names the Python interpreter.
	BotocoreAdapterEnv = "DMSCONFORM_BOTOCORE_ADAPTER"
	BotocorePythonEnv  = "DMSCONFORM_PYTHON"
	botocoreInstall    = "install Python 3.9+ and botocore (python3 -m pip install botocore, or boto3)"
)

// BotocoreOneAttempt is the retries configuration the adapter gives botocore:
// exactly one HTTP attempt. retries={"max_attempts": 1} would NOT do: botocore reads
// max_attempts as retries and turns it into total_max_attempts 2
// (botocore/args.py _compute_retry_max_attempts); the mode is set so that
// AWS_RETRY_MODE and config files cannot change it.
var BotocoreOneAttempt = map[string]any{"total_max_attempts": 1, "mode": "standard"}

// BotocoreSDK is botocore (the SDK under boto3), run through the Python adapter
// suites/sdk/botocore/adapter.py: one Python process per batch of jobs.
type BotocoreSDK struct {
	Dir    string // the adapter folder (adapter.py)
	Python string // the Python interpreter
	// Retries replaces BotocoreOneAttempt (tests only: proving that one attempt
	// is really one request).
	Retries map[string]any

	reason  string
	version string
	pyVer   string
}

// NewBotocoreSDK locates Python and the adapter and probes botocore (adapter.py
// --version). dir and python may be empty: then the adapter is looked for with
// FindBotocoreAdapter and Python as $DMSCONFORM_PYTHON, else python3 on PATH. What is
// missing becomes the skip reason (Unavailable), never an error.
func NewBotocoreSDK(dir, python string) *BotocoreSDK {
	b := &BotocoreSDK{Dir: dir, Python: python}
	if b.Dir == "" {
		d, err := FindBotocoreAdapter()
		if err != nil {
			b.reason = err.Error()
			return b
		}
		b.Dir = d
	}
	if !fileExists(filepath.Join(b.Dir, "adapter.py")) {
		b.reason = fmt.Sprintf("the Python adapter %s is missing: pass --botocore-adapter with the folder holding adapter.py (suites/sdk/botocore in the repository)", filepath.Join(b.Dir, "adapter.py"))
		return b
	}
	if b.Python == "" {
		b.Python = os.Getenv(BotocorePythonEnv)
	}
	if b.Python == "" {
		p, err := exec.LookPath("python3")
		if err != nil {
			b.reason = "python3 not found on PATH: " + botocoreInstall + ", or pass --python PATH"
			return b
		}
		b.Python = p
	}
	probe := probeBotocore(b.Python, b.Dir)
	b.reason, b.version, b.pyVer = probe.reason, probe.version, probe.python
	return b
}

type botocoreProbe struct{ reason, version, python string }

var (
	probeMu    sync.Mutex
	probeCache = map[string]botocoreProbe{}
)

// probeBotocore runs adapter.py --version once per interpreter and adapter.
func probeBotocore(python, dir string) botocoreProbe {
	key := python + "\x00" + dir
	probeMu.Lock()
	defer probeMu.Unlock()
	if p, ok := probeCache[key]; ok {
		return p
	}
	p := doProbeBotocore(python, dir)
	probeCache[key] = p
	return p
}

func doProbeBotocore(python, dir string) botocoreProbe {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, filepath.Join(dir, "adapter.py"), "--version")
	cmd.Dir = dir
	cmd.Env = botocoreEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var doc struct {
		SDK struct {
			Version string `json:"version"`
		} `json:"sdk"`
		Python string `json:"python"`
		Error  string `json:"error"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &doc); err != nil {
		if runErr != nil {
			return botocoreProbe{reason: fmt.Sprintf("%s %s --version failed (%v: %s): %s, or pass --python PATH",
				python, filepath.Join(dir, "adapter.py"), runErr, truncate(stderr.String(), 300), botocoreInstall)}
		}
		return botocoreProbe{reason: fmt.Sprintf("%s --version printed no JSON (%v)", filepath.Join(dir, "adapter.py"), err)}
	}
	if doc.Error != "" {
		return botocoreProbe{reason: doc.Error}
	}
	if doc.SDK.Version == "" {
		return botocoreProbe{reason: fmt.Sprintf("%s --version named no botocore version: %s", filepath.Join(dir, "adapter.py"), truncate(stdout.String(), 200))}
	}
	return botocoreProbe{version: doc.SDK.Version, python: doc.Python}
}

// botocoreEnv is the adapter's environment: this process's, without any AWS_*
// setting (profiles, AWS_MAX_ATTEMPTS, AWS_RETRY_MODE, AWS_ENDPOINT_URL ...), with
// empty config and credentials files, no instance metadata and no bytecode written
// into the repository.
func botocoreEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(strings.ToUpper(kv), "AWS_") || strings.HasPrefix(kv, "BOTO_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"AWS_CONFIG_FILE="+os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE="+os.DevNull,
		"AWS_EC2_METADATA_DISABLED=true",
		"PYTHONDONTWRITEBYTECODE=1",
		"PYTHONIOENCODING=utf-8",
	)
}

// Info implements SDK.
func (b *BotocoreSDK) Info() SDKInfo {
	v := b.version
	if v == "" {
		v = "unknown (not available)"
	}
	return SDKInfo{Name: BotocoreName, Package: BotocorePackage, Version: v}
}

// Unavailable implements SDK.
func (b *BotocoreSDK) Unavailable() string { return b.reason }

// PythonVersion is the interpreter's version the probe reported ("" before).
func (b *BotocoreSDK) PythonVersion() string { return b.pyVer }

// FindBotocoreAdapter returns the adapter folder: $DMSCONFORM_BOTOCORE_ADAPTER, else
// suites/sdk/botocore in the working directory or one of its parents, else beside
// this source file (go test, go run).
func FindBotocoreAdapter() (string, error) {
	return findAdapter(BotocoreAdapterEnv, "botocore", "adapter.py", "--botocore-adapter")
}

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

type botocoreRequest struct {
	Jobs    []jsJob        `json:"jobs"`
	Retries map[string]any `json:"retries,omitempty"`
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
		Kind    string `json:"kind"`
		Code    string `json:"code"`
		Typed   bool   `json:"typed"`
		Message string `json:"message"`
		Detail  string `json:"detail"`
	} `json:"error"`
}

// Run implements SDK: one Python process for the whole batch.
func (b *BotocoreSDK) Run(ctx context.Context, m *spec.Model, jobs []Job) ([]Observation, error) {
	if b.reason != "" {
		return nil, errors.New(b.reason)
	}
	req := botocoreRequest{Jobs: make([]jsJob, len(jobs)), Retries: b.Retries}
	for i, job := range jobs {
		req.Jobs[i] = jsJob{Job: job, Credentials: map[string]string{"accessKeyId": AccessKeyID, "secretAccessKey": SecretAccessKey}}
	}
	stdin, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("botocore adapter: encode jobs: %w", err)
	}
	script := filepath.Join(b.Dir, "adapter.py")
	timeout := 60*time.Second + time.Duration(len(jobs))*time.Second
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(cctx, b.Python, script)
	cmd.Dir = b.Dir
	cmd.Env = botocoreEnv()
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
		return nil, fmt.Errorf("botocore adapter: %s", resp.Error)
	case runErr != nil:
		return nil, fmt.Errorf("botocore adapter (%s %s) failed: %v: %s (run the adapter by hand with a jobs file on stdin to debug)",
			b.Python, script, runErr, truncate(stderr.String(), 2000))
	case decErr != nil:
		return nil, fmt.Errorf("botocore adapter printed no valid JSON: %v (stderr: %s)", decErr, truncate(stderr.String(), 1000))
	}
	if resp.SDK.Version != "" {
		b.version = resp.SDK.Version
	}
	return decodeAdapterResults(BotocoreName+" adapter", m, jobs, resp.Results)
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
			if r.Error.Kind == "harness" {
				return nil, fmt.Errorf("%s: %s", who, r.Error.Message)
			}
			out[i] = Observation{Err: &ObservedError{Kind: r.Error.Kind, Code: r.Error.Code, Typed: r.Error.Typed, Message: r.Error.Message, Detail: r.Error.Detail}}
			continue
		}
		v, err := spec.DecodeJSON(r.Output)
		if err != nil {
			return nil, fmt.Errorf("%s: job %s: output is not JSON: %v", who, job.Key, err)
		}
		op := m.Operation(job.Operation)
		if op == nil {
			return nil, fmt.Errorf("%s: operation %s is not in the model", who, job.Operation)
		}
		canon, _ := Canonical(op.Output, v, false)
		out[i] = Observation{Output: canon}
	}
	return out, nil
}
