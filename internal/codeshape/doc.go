// Package codeshape holds the repository's rules on the shape of its own code, checked
// by its tests: no function over MaxFuncLines lines outside generated code.
package codeshape

// MaxFuncLines is the longest a hand-written function (tests included) may be, counted
// from its func line to its closing brace.
const MaxFuncLines = 80
