package runner

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"

	"github.com/dmsconform/dmsconform/reports"
)

// Version is the version a release build stamps in (the Makefile's
// -ldflags "-X github.com/dmsconform/dmsconform/runner.Version=$(git describe)");
// empty in a plain go build. Read it through ToolVersion.
var Version string

// ToolVersion is this build's version, the one every report and `dmsconform version`
// give: Version when the build stamped it; else the module version the go command
// recorded (go install github.com/dmsconform/dmsconform/cmd/dmsconform@v1.2.3), or
// the VCS revision it recorded (with +dirty for local changes); else "devel".
func ToolVersion() string {
	if Version != "" {
		return Version
	}
	return buildVersion()
}

var buildVersion = sync.OnceValue(func() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" {
		return rev + dirty
	}
	return "devel"
})

// Tool names this build in every report: run, judge, parity, mutation, merge,
// history and SDK reports alike.
func Tool() reports.Tool { return reports.Tool{Name: "dmsconform", Version: ToolVersion()} }

// VersionLine is what `dmsconform version` prints: the tool, its model and Go.
func VersionLine() string {
	m := ModelInfo()
	return fmt.Sprintf("dmsconform %s (model %s, sha256 %.12s; %s)", ToolVersion(), m.Version, m.SHA256, runtime.Version())
}
