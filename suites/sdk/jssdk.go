package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
	return findAdapter(AdapterEnv, "js", "adapter.mjs", "--js-adapter")
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// Run implements SDK: one Node process for the whole batch.
func (j *JSSDK) Run(ctx context.Context, m *spec.Model, jobs []Job) ([]Observation, error) {
	if j.reason != "" {
		return nil, errors.New(j.reason)
	}
	resp, err := runAdapter(ctx, JSName+" adapter", jobs, nil, "try make js-setup; ", func(ctx context.Context) *exec.Cmd {
		cmd := exec.CommandContext(ctx, j.Node, filepath.Join(j.Dir, "adapter.mjs"))
		cmd.Dir = j.Dir
		return cmd
	})
	if err != nil {
		return nil, err
	}
	if resp.SDK.Version != "" {
		j.version = resp.SDK.Version
	}
	return decodeAdapterResults(JSName+" adapter", m, jobs, resp.Results)
}
