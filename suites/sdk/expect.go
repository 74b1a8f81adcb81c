package sdk

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/dmsconform/dmsconform/internal/jsonv"
	"github.com/dmsconform/dmsconform/internal/text"
	"github.com/dmsconform/dmsconform/spec"
)

// Observation is what one SDK decoded from one replay of a fixture, in canonical form:
// Output (when the call succeeded) or Err.
type Observation struct {
	Output any
	Err    *ObservedError
}

// ObservedError is an SDK error, normalised.
type ObservedError struct {
	Layer   string `json:"kind"` // where it failed: api, deserialization, transport, other
	Code    string `json:"code,omitempty"`
	Typed   bool   `json:"typed"`
	Message string `json:"message,omitempty"`
	// Detail is the SDK's own rendering (Go type and Error(), JS class and message),
	// for humans only: never compared.
	Detail string `json:"-"`
}

// String renders the observation on one line: the output as compact JSON, or the
// error as error{kind, code, typed, message}.
func (o Observation) String() string {
	if o.Err != nil {
		return o.Err.String()
	}
	return "output " + jsonv.Compact(o.Output)
}

// Behaviour is the observation as far as it is a behaviour of the SDK, for comparing
// SDK versions: String without the prose of a deserialization, transport or other
// error (a reworded parser message is not a change of behaviour; a service error's
// message is what the SDK decoded, and stays).
func (o Observation) Behaviour() string {
	if e := o.Err; e != nil && e.Layer != LayerAPI {
		return "error{kind=" + e.Layer + "}"
	}
	return o.String()
}

func (e *ObservedError) String() string {
	parts := []string{"kind=" + e.Layer}
	if e.Layer == LayerAPI {
		parts = append(parts, "code="+strconv.Quote(e.Code), "typed="+strconv.FormatBool(e.Typed))
	}
	parts = append(parts, "message="+strconv.Quote(text.Truncate(e.Message, 160)))
	return "error{" + strings.Join(parts, ", ") + "}"
}

// String renders an expectation on one line.
func (e Expect) String() string {
	switch {
	case len(e.Output) > 0:
		v, err := jsonv.Decode(e.Output)
		if err != nil {
			return "output " + string(e.Output)
		}
		return "output " + jsonv.Compact(spec.Generic(v))
	case e.Error != nil:
		parts := []string{"kind=" + e.Error.layer()}
		if e.Error.Code != nil {
			parts = append(parts, "code="+strconv.Quote(*e.Error.Code))
		}
		if e.Error.Typed != nil {
			parts = append(parts, "typed="+strconv.FormatBool(*e.Error.Typed))
		}
		if e.Error.Message != nil {
			parts = append(parts, "message="+strconv.Quote(*e.Error.Message))
		}
		return "error{" + strings.Join(parts, ", ") + "}"
	case len(e.OneOf) > 0:
		alts := make([]string, len(e.OneOf))
		for i, a := range e.OneOf {
			alts[i] = a.String()
		}
		return "one of [" + strings.Join(alts, " | ") + "]"
	}
	return "nothing"
}

// Evaluate compares an observation with an expectation. It returns nil when they
// match, else the differences (one line each).
func Evaluate(op *spec.Operation, e Expect, o Observation) []string {
	switch {
	case len(e.OneOf) > 0:
		var all []string
		for i, alt := range e.OneOf {
			d := Evaluate(op, alt, o)
			if d == nil {
				return nil
			}
			all = append(all, fmt.Sprintf("alternative %d (%s): %s", i+1, alt.String(), strings.Join(d, "; ")))
		}
		return all
	case len(e.Output) > 0:
		if o.Err != nil {
			return []string{fmt.Sprintf("expected a successful decoding, observed %s", o.Err.String())}
		}
		v, err := jsonv.Decode(e.Output)
		if err != nil {
			return []string{fmt.Sprintf("the fixture's expected output is not JSON: %v", err)}
		}
		want, _ := spec.Canonical(op.Output, v, false)
		return Diff(op.Output, want, o.Output)
	case e.Error != nil:
		if o.Err == nil {
			return []string{fmt.Sprintf("expected %s, observed a successful decoding: %s", e.String(), text.Truncate(o.String(), 300))}
		}
		var d []string
		if o.Err.Layer != e.Error.layer() {
			d = append(d, fmt.Sprintf("expected a %s error, observed a %s error (%s)", e.Error.layer(), o.Err.Layer, text.Truncate(o.Err.Message, 200)))
			return d
		}
		if c := e.Error.Code; c != nil && o.Err.Code != *c {
			d = append(d, fmt.Sprintf("error code: expected %q, observed %q", *c, o.Err.Code))
		}
		if t := e.Error.Typed; t != nil && o.Err.Typed != *t {
			d = append(d, fmt.Sprintf("typed: expected %v (%s), observed %v", *t, typedWord(*t), o.Err.Typed))
		}
		if m := e.Error.Message; m != nil && o.Err.Message != *m {
			d = append(d, fmt.Sprintf("error message: expected %q, observed %q", *m, text.Truncate(o.Err.Message, 200)))
		}
		return d
	}
	return []string{"the fixture has no expectation"}
}

func typedWord(typed bool) string {
	if typed {
		return "the operation's modeled fault type"
	}
	return "a generic error: the code is not a modeled fault of the operation"
}

// observationKey identifies equal observations (for grouping replays).
func observationKey(o Observation) string {
	if o.Err != nil {
		b, _ := json.Marshal(o.Err)
		return "error:" + string(b)
	}
	return "output:" + jsonv.Compact(o.Output)
}
