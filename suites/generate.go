// Package suites holds the generated conformance suites (one package per lifecycle
// family), their generator (gen/) and the hand-written support they call
// (conformance/). See CHECKS.md for the catalog.
package suites

//go:generate go run ./gen -out .
