// Package require decides what a test does when a runtime it needs (Node with the
// aws-sdk-js-v3 adapter, Python with botocore, moto's server) is missing here: it
// skips with the reason, unless DMSCONFORM_REQUIRE names that runtime, in which case
// the test fails. CI sets DMSCONFORM_REQUIRE where the runtimes are expected, so a
// runtime that went missing is a red build, not a quiet skip.
package require

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// Env is the variable that lists the runtimes a test run must have, comma-separated.
const Env = "DMSCONFORM_REQUIRE"

// The runtimes tests may need.
const (
	JS       = "js"       // Node.js with the aws-sdk-js-v3 adapter installed (make js-setup)
	Botocore = "botocore" // Python 3 with botocore and boto3
	Moto     = "moto"     // moto_server (moto[server]) on PATH
)

// Runtimes lists every runtime name DMSCONFORM_REQUIRE may hold.
var Runtimes = []string{JS, Botocore, Moto}

// Required lists the runtimes DMSCONFORM_REQUIRE names, and the names it holds that
// are no runtime (a typo must not pass as "nothing required").
func Required() (names, unknown []string) {
	for _, n := range strings.Split(os.Getenv(Env), ",") {
		n = strings.ToLower(strings.TrimSpace(n))
		switch {
		case n == "":
		case slices.Contains(Runtimes, n):
			names = append(names, n)
		default:
			unknown = append(unknown, n)
		}
	}
	return names, unknown
}

// IsRequired reports whether DMSCONFORM_REQUIRE names runtime.
func IsRequired(runtime string) bool {
	names, _ := Required()
	return slices.Contains(names, runtime)
}

// Missing ends a test that cannot run because runtime is missing: a failure when
// DMSCONFORM_REQUIRE names the runtime (or holds a name that is no runtime), a skip
// with the reason otherwise.
func Missing(t testing.TB, runtime, reason string) {
	t.Helper()
	if _, unknown := Required(); len(unknown) > 0 {
		t.Fatalf("%s=%q names %s, which is no runtime: use a comma list of %s", Env, os.Getenv(Env), strings.Join(unknown, ", "), strings.Join(Runtimes, ", "))
	}
	msg := fmt.Sprintf("%s not available: %s", runtime, reason)
	if IsRequired(runtime) {
		t.Fatalf("%s (%s requires it here: install it, or leave %s out of %s)", msg, Env, runtime, Env)
	}
	t.Skip(msg)
}
