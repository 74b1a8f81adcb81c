//go:build race

package sdk

// raceFlags are the go build flags of this test binary: the Go adapter built with
// them reuses the packages go test compiled.
var raceFlags = []string{"-race"}
