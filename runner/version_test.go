package runner

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/reports"
)

// Every report names the same build: a judged run and an SDK run made by one binary
// carry one tool version (the SDK reports used to say "devel" while run reports gave
// the build's version).
func TestOneToolVersion(t *testing.T) {
	if ToolVersion() == "" {
		t.Fatal("no version")
	}
	saved := Version
	Version = "v9.9.9-onesource"
	t.Cleanup(func() { Version = saved })
	judged, err := Judge(context.Background(), JudgeOptions{Recording: filepath.Join("..", "fixtures", "recorded", "embedded"), LabelFilter: "protocol", Out: t.TempDir(), Stdout: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	none := "none"
	out := t.TempDir()
	if _, err := SDK(context.Background(), SDKOptions{Which: "go", Out: out, KnownDeviations: &none}); err != nil {
		t.Fatal(err)
	}
	sdkRun, err := reports.ReadJSON(filepath.Join(out, "go", reports.FileJSON))
	if err != nil {
		t.Fatal(err)
	}
	for name, tool := range map[string]reports.Tool{"judge": judged.Run.Tool, "sdk": sdkRun.Tool, "Tool": Tool()} {
		if tool != (reports.Tool{Name: "dmsconform", Version: "v9.9.9-onesource"}) {
			t.Errorf("%s report names %+v, want the build's version", name, tool)
		}
	}
	if !strings.Contains(VersionLine(), "dmsconform v9.9.9-onesource (model ") {
		t.Errorf("version line %q", VersionLine())
	}
	Version = ""
	if v := ToolVersion(); v == "" || v == "v9.9.9-onesource" {
		t.Errorf("unstamped version %q: want the build info's, or devel", v)
	}
}
