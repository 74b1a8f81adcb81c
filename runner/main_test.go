package runner

import (
	"flag"
	"os"
	"testing"
)

// TestMain lets this package's parallel tests overlap more than go test's default
// (GOMAXPROCS, 2 on CI's machine): most of them run real-time targets and wait. The
// flag cannot be passed to `go test ./...` as a whole: the Ginkgo suites refuse
// -parallel. An explicit -parallel (or -test.parallel) wins.
func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		_ = flag.Set("test.parallel", "8")
	}
	os.Exit(m.Run())
}
