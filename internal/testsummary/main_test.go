package main

import (
	"strings"
	"testing"
)

// TestSummaryListsSkipsWithReasons feeds the events `go test -json` writes for a
// package with a passing, a failing and two skipped tests (one a subtest) and checks
// what is printed: the package line, the failure's output, every skip with its
// reason at the end, and the closing counts.
func TestSummaryListsSkipsWithReasons(t *testing.T) {
	events := `{"Action":"start","Package":"example.com/m/a"}
{"Action":"run","Package":"example.com/m/a","Test":"TestOK"}
{"Action":"output","Package":"example.com/m/a","Test":"TestOK","Output":"=== RUN   TestOK\n"}
{"Action":"output","Package":"example.com/m/a","Test":"TestOK","Output":"--- PASS: TestOK (0.00s)\n"}
{"Action":"pass","Package":"example.com/m/a","Test":"TestOK"}
{"Action":"output","Package":"example.com/m/a","Test":"TestMoto","Output":"=== RUN   TestMoto\n"}
{"Action":"output","Package":"example.com/m/a","Test":"TestMoto","Output":"    conditions_test.go:340: moto_server is not on PATH: install moto\n"}
{"Action":"output","Package":"example.com/m/a","Test":"TestMoto","Output":"--- SKIP: TestMoto (0.00s)\n"}
{"Action":"skip","Package":"example.com/m/a","Test":"TestMoto"}
{"Action":"output","Package":"example.com/m/a","Test":"TestSDK/js","Output":"=== RUN   TestSDK/js\n"}
{"Action":"output","Package":"example.com/m/a","Test":"TestSDK/js","Output":"    --- SKIP: TestSDK/js (0.00s)\n"}
{"Action":"skip","Package":"example.com/m/a","Test":"TestSDK/js"}
{"Action":"output","Package":"example.com/m/a","Test":"TestBroken","Output":"=== RUN   TestBroken\n"}
{"Action":"output","Package":"example.com/m/a","Test":"TestBroken","Output":"    x_test.go:9: want 1, got 2\n"}
{"Action":"output","Package":"example.com/m/a","Test":"TestBroken","Output":"--- FAIL: TestBroken (0.00s)\n"}
{"Action":"fail","Package":"example.com/m/a","Test":"TestBroken"}
{"Action":"output","Package":"example.com/m/a","Output":"FAIL\n"}
{"Action":"output","Package":"example.com/m/a","Output":"FAIL\texample.com/m/a\t0.012s\n"}
{"Action":"fail","Package":"example.com/m/a"}
{"ImportPath":"example.com/m/b","Action":"build-output","Output":"b/b.go:3:1: syntax error\n"}
not json: go vet says hello
`
	var out strings.Builder
	s := newSummary(&out)
	s.read(strings.NewReader(events))
	s.finish()
	got := out.String()
	for _, want := range []string{
		"    x_test.go:9: want 1, got 2\n--- FAIL: TestBroken (0.00s)\n",
		"FAIL\texample.com/m/a\t0.012s\n",
		"b/b.go:3:1: syntax error\n",
		"not json: go vet says hello\n",
		"skipped tests (2):\n  example.com/m/a TestMoto: moto_server is not on PATH: install moto\n  example.com/m/a TestSDK/js: (no reason given)\n",
		"\n1 passed, 1 failed, 2 skipped\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "=== RUN") || strings.Contains(got, "--- PASS") {
		t.Errorf("passing tests' output is printed:\n%s", got)
	}
}

// TestSummaryCountsWhatATimeoutLeftUnfinished: go test -json files a timeout's panic
// under the test that was running, which then gets no pass or fail event; only the
// package fails. The summary must count that test as failed and show the panic.
func TestSummaryCountsWhatATimeoutLeftUnfinished(t *testing.T) {
	events := `{"Action":"run","Package":"example.com/m/r","Test":"TestQuick"}
{"Action":"output","Package":"example.com/m/r","Test":"TestQuick","Output":"--- PASS: TestQuick (0.00s)\n"}
{"Action":"pass","Package":"example.com/m/r","Test":"TestQuick"}
{"Action":"run","Package":"example.com/m/r","Test":"TestHang"}
{"Action":"output","Package":"example.com/m/r","Test":"TestHang","Output":"=== RUN   TestHang\n"}
{"Action":"output","Package":"example.com/m/r","Test":"TestHang","Output":"panic: test timed out after 10m0s\n"}
{"Action":"output","Package":"example.com/m/r","Test":"TestHang","Output":"\trunning tests:\n"}
{"Action":"output","Package":"example.com/m/r","Test":"TestHang","Output":"\t\tTestHang (10m0s)\n"}
{"Action":"output","Package":"example.com/m/r","Output":"FAIL\texample.com/m/r\t600.058s\n"}
{"Action":"fail","Package":"example.com/m/r"}
`
	var out strings.Builder
	s := newSummary(&out)
	s.read(strings.NewReader(events))
	s.finish()
	got := out.String()
	for _, want := range []string{
		"--- UNFINISHED: TestHang (the package example.com/m/r failed while it ran)\npanic: test timed out after 10m0s\n\trunning tests:\n\t\tTestHang (10m0s)\n",
		"\n1 passed, 1 failed, 0 skipped\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}
