package require

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// fakeT records how a test ended.
type fakeT struct {
	testing.TB
	failed, skipped string
}

func (f *fakeT) Helper() {}

// Fatalf and Skip end the goroutine, as testing.T's do.
func (f *fakeT) Fatalf(format string, a ...any) {
	f.failed = fmt.Sprintf(format, a...)
	runtime.Goexit()
}
func (f *fakeT) Skip(a ...any) { f.skipped = fmt.Sprint(a...); runtime.Goexit() }

// missing runs Missing as a test would, in its own goroutine.
func missing(f *fakeT, rt, reason string) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		Missing(f, rt, reason)
	}()
	<-done
}

func TestMissingSkipsUnlessRequired(t *testing.T) {
	cases := []struct {
		env, runtime string
		fail, skip   bool
	}{
		{"", Moto, false, true},
		{"js,botocore", Moto, false, true},
		{"js, Moto", Moto, true, false},
		{"js,botocore,moto", Botocore, true, false},
		{"jss", JS, true, false}, // a typo is a failure, never "nothing required"
	}
	for _, c := range cases {
		t.Setenv(Env, c.env)
		f := &fakeT{}
		missing(f, c.runtime, "not on PATH")
		if (f.failed != "") != c.fail || (f.skipped != "") != c.skip {
			t.Errorf("%s=%q, %s missing: failed %q skipped %q", Env, c.env, c.runtime, f.failed, f.skipped)
		}
		if c.skip && !strings.Contains(f.skipped, "not on PATH") {
			t.Errorf("the skip does not give the reason: %q", f.skipped)
		}
	}
}

// TestRequiredRuntimesAreKnown fails a run whose DMSCONFORM_REQUIRE holds a name that
// is no runtime, even where every runtime is present and no test would ask.
func TestRequiredRuntimesAreKnown(t *testing.T) {
	if _, unknown := Required(); len(unknown) > 0 {
		t.Errorf("%s names %v, which are no runtimes (known: %v)", Env, unknown, Runtimes)
	}
}
