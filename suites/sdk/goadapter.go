package sdk

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/modfile"

	"github.com/dmsconform/dmsconform/internal/jsonv"
	"github.com/dmsconform/dmsconform/internal/text"
	"github.com/dmsconform/dmsconform/spec"
)

// The out-of-process Go adapter: suites/sdk/goadapter/main.go, built per SDK version
// in a scratch module of its own (the version matrix), and run like the Node and
// Python adapters.

// GoAdapterEnv overrides where the Go adapter's source folder (suites/sdk/goadapter)
// is looked for.
const GoAdapterEnv = "DMSCONFORM_GO_ADAPTER"

// FindGoAdapter returns the Go adapter's source folder: $DMSCONFORM_GO_ADAPTER, else
// suites/sdk/goadapter found from the working directory up, else beside this file.
func FindGoAdapter() (string, error) {
	return findAdapter(GoAdapterEnv, "goadapter", "main.go", "$"+GoAdapterEnv)
}

// GoAdapterSDK is aws-sdk-go-v2 at one version, run through an adapter binary built
// for it (BuildGoAdapter).
type GoAdapterSDK struct {
	Binary string // the built adapter
	Module GoModuleInfo
	// With names the modules the build selected beside the SDK (aws-sdk-go-v2,
	// smithy-go), "path version" each.
	With    []string
	version string
	reason  string
}

// Info implements SDK.
func (g *GoAdapterSDK) Info() SDKInfo {
	v := g.version
	if v == "" {
		v = g.Module.Version
	}
	return SDKInfo{Name: GoSDK{}.Info().Name, Package: GoModule, Version: v}
}

// Unavailable implements SDK.
func (g *GoAdapterSDK) Unavailable() string { return g.reason }

// Run implements SDK: one adapter process for the whole batch.
func (g *GoAdapterSDK) Run(ctx context.Context, m *spec.Model, jobs []Job) ([]Observation, error) {
	if g.reason != "" {
		return nil, errors.New(g.reason)
	}
	who := fmt.Sprintf("aws-sdk-go-v2 %s adapter", g.Module.Version)
	resp, err := runAdapter(ctx, who, jobs, nil, "", func(ctx context.Context) *exec.Cmd {
		return exec.CommandContext(ctx, g.Binary)
	})
	if err != nil {
		return nil, err
	}
	if resp.SDK.Version != "" {
		g.version = resp.SDK.Version
	}
	// The adapter names members as the SDK's Go fields do: map them to the model's.
	byKey := map[string]string{}
	for _, j := range jobs {
		byKey[j.Key] = j.Operation
	}
	for i, r := range resp.Results {
		op := m.Operation(byKey[r.Key])
		if op == nil || len(r.Output) == 0 {
			continue
		}
		v, err := jsonv.Decode(r.Output)
		if err != nil {
			return nil, fmt.Errorf("%s: job %s: output is not JSON: %v", who, r.Key, err)
		}
		b, err := json.Marshal(ModelNames(op.Output, v))
		if err != nil {
			return nil, fmt.Errorf("%s: job %s: %v", who, r.Key, err)
		}
		resp.Results[i].Output = b
	}
	return decodeAdapterResults(who, m, jobs, resp.Results)
}

// ModelNames renames the keys of a decoded value to the member names of shape sh where
// they match case-insensitively (Go field DefaultErrorDetails is union member
// defaultErrorDetails); other keys stay as they are, so the comparison shows them.
func ModelNames(sh *spec.Shape, v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			var msh *spec.Shape
			if sh != nil && k != spec.UnknownTag {
				for _, mb := range sh.Members {
					if strings.EqualFold(mb.Name, k) {
						k, msh = mb.Name, mb.Shape
						break
					}
				}
			}
			out[k] = ModelNames(msh, val)
		}
		return out
	case []any:
		var items *spec.Shape
		if sh != nil {
			items = sh.Items
		}
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = ModelNames(items, item)
		}
		return out
	}
	return v
}

// GoBuild says how to build the Go adapter for one SDK version.
type GoBuild struct {
	Version string // exact module version, e.g. v1.63.0
	WorkDir string // the scratch root; the module goes to <WorkDir>/go/<Version>
	Source  string // the adapter's source folder ("" = FindGoAdapter)
	// Offline builds from the module cache only (GOPROXY=off): for the pinned version
	// in tests.
	Offline bool
	// Flags are extra go build flags (tests pass -race when they run with it, so the
	// build reuses the packages go test compiled).
	Flags []string
}

// source is the adapter's source folder: b.Source, else the one FindGoAdapter finds.
func (b GoBuild) source() (string, error) {
	if b.Source != "" {
		return b.Source, nil
	}
	return FindGoAdapter()
}

// BuildGoAdapter builds the Go adapter against exactly b.Version in a scratch module
// of its own and returns it as an SDK. The scratch module requires the SDK version
// and, as floors, the harness's own versions of the other aws-sdk-go-v2 and smithy-go
// modules (read from the harness's go.mod), so a difference between two columns comes
// from the service module; a newer SDK raises them as Go's minimal version selection
// says. A build whose inputs did not change is reused.
func BuildGoAdapter(ctx context.Context, b GoBuild) (*GoAdapterSDK, error) {
	src, err := b.source()
	if err != nil {
		return nil, err
	}
	main, err := os.ReadFile(filepath.Join(src, "main.go"))
	if err != nil {
		return nil, fmt.Errorf("the Go adapter: %w", err)
	}
	dir := filepath.Join(b.WorkDir, "go", b.Version)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("the Go adapter's scratch module: %w (set %s to a writable folder)", err, VersionsDirEnv)
	}
	gomod, gosum := goAdapterModule(src, b.Version)
	bin := filepath.Join(dir, "goadapter")
	stamp := hashOf(main, gomod, []byte(b.Version), []byte(strings.Join(b.Flags, " ")))
	if old, err := os.ReadFile(filepath.Join(dir, ".stamp")); err != nil || string(old) != stamp || !fileExists(bin) {
		for name, data := range map[string][]byte{"main.go": main, "go.mod": gomod} {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				return nil, fmt.Errorf("the Go adapter's scratch module: %w", err)
			}
		}
		if len(gosum) > 0 && !fileExists(filepath.Join(dir, "go.sum")) {
			_ = os.WriteFile(filepath.Join(dir, "go.sum"), gosum, 0o644)
		}
		if err := goCommand(ctx, dir, b.Offline, append(append([]string{"build"}, b.Flags...), "-o", bin, ".")...); err != nil {
			err = fmt.Errorf("the Go adapter against %s: %w", b.Version, err)
			if b.Offline {
				return nil, err // the registry was not asked
			}
			if ns := notServed(goNotServed, err.Error(), err, "the Go module proxy", GoModule, b.Version); ns != nil {
				return nil, ns
			}
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, ".stamp"), []byte(stamp), 0o644); err != nil {
			return nil, err
		}
	}
	info, err := GoListModule(ctx, dir, GoModule)
	if err != nil {
		return nil, err
	}
	if info.Version != b.Version {
		return nil, fmt.Errorf("the Go adapter's scratch module %s selected %s %s, not %s", dir, GoModule, info.Version, b.Version)
	}
	g := &GoAdapterSDK{Binary: bin, Module: info}
	for _, dep := range []string{"github.com/aws/aws-sdk-go-v2", "github.com/aws/smithy-go"} {
		if d, err := GoListModule(ctx, dir, dep); err == nil {
			g.With = append(g.With, d.Path+" "+d.Version)
		}
	}
	return g, nil
}

// goAdapterModule writes the scratch module's go.mod: the SDK at version, and the
// harness's own aws-sdk-go-v2 and smithy-go requirements as floors; and returns the
// harness's go.sum to start from (nil when the harness's go.mod is not found).
func goAdapterModule(src, version string) (gomod, gosum []byte) {
	f := &modfile.File{}
	_ = f.AddModuleStmt("dmsconform.local/goadapter")
	goVersion := "1.24"
	if root, hf := harnessModule(src); hf != nil {
		if hf.Go != nil {
			goVersion = hf.Go.Version
		}
		for _, r := range hf.Require {
			p := r.Mod.Path
			if p != GoModule && (strings.HasPrefix(p, "github.com/aws/aws-sdk-go-v2") || p == "github.com/aws/smithy-go") {
				_ = f.AddRequire(p, r.Mod.Version)
			}
		}
		gosum, _ = os.ReadFile(filepath.Join(root, "go.sum"))
	}
	_ = f.AddGoStmt(goVersion)
	_ = f.AddRequire(GoModule, version)
	f.Cleanup()
	out, _ := f.Format()
	return out, gosum
}

// harnessModule finds the harness's go.mod above the adapter's source folder.
func harnessModule(src string) (string, *modfile.File) {
	for d := src; ; d = filepath.Dir(d) {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil {
			f, err := modfile.ParseLax(filepath.Join(d, "go.mod"), data, nil)
			if err == nil && f.Module != nil && f.Module.Mod.Path == "github.com/dmsconform/dmsconform" {
				return d, f
			}
			return "", nil
		}
		if filepath.Dir(d) == d {
			return "", nil
		}
	}
}

func hashOf(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// goPosition is a source position at the start of a go command's message (main.go:43:2: ).
var goPosition = regexp.MustCompile(`^\s*[\w./-]+\.go:\d+:\d+: `)

// goCommand runs the go command in dir for a scratch module: module mode, no
// workspace, the module's requirements resolved (-mod=mod); offline, from the module
// cache only.
func goCommand(ctx context.Context, dir string, offline bool, args ...string) error {
	gobin, err := GoTool()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, gobin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	if offline {
		cmd.Env = append(cmd.Env, "GOPROXY=off", "GOTOOLCHAIN=local")
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		var lines []string // what went wrong, once, without progress lines and file positions
		for _, l := range strings.Split(out.String(), "\n") {
			l = strings.TrimSpace(goPosition.ReplaceAllString(l, ""))
			if l != "" && !strings.HasPrefix(l, "go: downloading") && !slices.Contains(lines, l) {
				lines = append(lines, l)
			}
		}
		return fmt.Errorf("go %s: %v: %s", args[0], err, text.Truncate(strings.Join(lines, " "), 1500))
	}
	return nil
}
