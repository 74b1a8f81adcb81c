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
	"strings"
	"sync"
	"time"

	"github.com/dmsconform/dmsconform/internal/text"
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
				python, filepath.Join(dir, "adapter.py"), runErr, text.Truncate(strings.TrimSpace(stderr.String()), 300), botocoreInstall)}
		}
		return botocoreProbe{reason: fmt.Sprintf("%s --version printed no JSON (%v)", filepath.Join(dir, "adapter.py"), err)}
	}
	if doc.Error != "" {
		return botocoreProbe{reason: doc.Error}
	}
	if doc.SDK.Version == "" {
		return botocoreProbe{reason: fmt.Sprintf("%s --version named no botocore version: %s", filepath.Join(dir, "adapter.py"), text.Truncate(strings.TrimSpace(stdout.String()), 200))}
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

// Run implements SDK: one Python process for the whole batch.
func (b *BotocoreSDK) Run(ctx context.Context, m *spec.Model, jobs []Job) ([]Observation, error) {
	if b.reason != "" {
		return nil, errors.New(b.reason)
	}
	resp, err := runAdapter(ctx, BotocoreName+" adapter", jobs, b.Retries, "", func(ctx context.Context) *exec.Cmd {
		cmd := exec.CommandContext(ctx, b.Python, filepath.Join(b.Dir, "adapter.py"))
		cmd.Dir = b.Dir
		cmd.Env = botocoreEnv()
		return cmd
	})
	if err != nil {
		return nil, err
	}
	if resp.SDK.Version != "" {
		b.version = resp.SDK.Version
	}
	return decodeAdapterResults(BotocoreName+" adapter", m, jobs, resp.Results)
}
