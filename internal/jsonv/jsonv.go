// Package jsonv is the one place JSON values are decoded, written compactly, compared
// and diffed, with one number rule: two numbers are equal when they are the same exact
// decimal (1 = 1.0 = 1e0, and 9007199254740993 ≠ 9007199254740992, which a float64
// cannot tell apart). Everything that compares JSON (parity with a recording, the SDK
// fixture corpus, the wire against the SDK's view) decides through it.
//
// A decoded value is what Decode returns: map[string]any, []any, string, bool, nil and
// json.Number. Equal and Diff also accept float64 and the Go integer types (a value
// built in Go), compared by the same rule.
package jsonv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Decode decodes one JSON value keeping numbers exact (json.Number). Trailing data
// after the value is an error.
func Decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("trailing data after the JSON value")
	}
	return v, nil
}

// HasDuplicateKeys reports whether a JSON text has an object with a repeated key (a
// decoded value keeps only one of them, so it cannot stand for the text).
func HasDuplicateKeys(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	type frame struct {
		obj    bool
		keys   map[string]bool
		expKey bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if n := len(stack); n > 0 && stack[n-1].obj && stack[n-1].expKey {
			top := stack[n-1]
			if k, ok := tok.(string); ok {
				if top.keys[k] {
					return true
				}
				top.keys[k] = true
				top.expKey = false
				continue
			}
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{':
				stack = append(stack, &frame{obj: true, keys: map[string]bool{}, expKey: true})
				continue
			case '[':
				stack = append(stack, &frame{})
				continue
			default:
				stack = stack[:len(stack)-1]
			}
		}
		if n := len(stack); n > 0 && stack[n-1].obj {
			stack[n-1].expKey = true
		}
	}
}

// Compact writes v as compact JSON: object keys sorted, no HTML escaping (so a
// placeholder reads <uuid:1>, not \u003cuuid:1\u003e). A value JSON cannot hold is
// written with %v.
func Compact(v any) string {
	b, err := CompactBytes(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}

// CompactBytes is Compact with the encoder's error.
func CompactBytes(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// TypeName is the JSON type of a decoded value: null, object, array, string, number,
// boolean (or the Go type of anything else).
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	}
	if _, ok := Number(v); ok {
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

// Number returns a number value as json.Number: a json.Number as it is, a finite
// float64 in its shortest form, a Go integer in decimal. ok is false for anything
// else (a NaN or an infinity is not a JSON number).
func Number(v any) (json.Number, bool) {
	switch x := v.(type) {
	case json.Number:
		return x, true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", false
		}
		return json.Number(strconv.FormatFloat(x, 'g', -1, 64)), true
	case float32:
		return Number(float64(x))
	case int:
		return json.Number(strconv.Itoa(x)), true
	case int64:
		return json.Number(strconv.FormatInt(x, 10)), true
	case int32:
		return json.Number(strconv.FormatInt(int64(x), 10)), true
	}
	return "", false
}

// decimal is a number as an exact decimal: -0.<digits> × 10^exp, digits without
// leading or trailing zeros (zero has no digits and is never negative).
type decimal struct {
	neg    bool
	digits string
	exp    int64
}

// parseDecimal reads a JSON number's text (RFC 8259 grammar). ok is false for text
// that is not one, or whose exponent does not fit an int64.
func parseDecimal(s string) (decimal, bool) {
	var d decimal
	if strings.HasPrefix(s, "-") {
		d.neg, s = true, s[1:]
	}
	mant, expText, hasExp := strings.Cut(strings.ToLower(s), "e")
	intPart, frac, _ := strings.Cut(mant, ".")
	if intPart == "" || !allDigits(intPart) || !allDigits(frac) {
		return decimal{}, false
	}
	var exp int64
	if hasExp {
		e, err := strconv.ParseInt(strings.TrimPrefix(expText, "+"), 10, 64)
		if err != nil || expText == "" || expText == "+" || expText == "-" {
			return decimal{}, false
		}
		exp = e
	}
	digits := intPart + frac
	// value = digits × 10^(exp - len(frac)) = 0.digits × 10^(exp - len(frac) + len(digits))
	point := exp + int64(len(intPart))
	trimmed := strings.TrimLeft(digits, "0")
	point -= int64(len(digits) - len(trimmed))
	trimmed = strings.TrimRight(trimmed, "0")
	if trimmed == "" {
		return decimal{}, true // zero: -0 = 0 = 0.0e5
	}
	d.digits, d.exp = trimmed, point
	return d, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// NumbersEqual is the one number rule: a and b are the same exact decimal (1 = 1.0 =
// 1e0 = 10e-1; 9007199254740993 ≠ 9007199254740992). Text that is not a JSON number
// equals only the same text.
func NumbersEqual(a, b json.Number) bool {
	if a == b {
		return true
	}
	da, oka := parseDecimal(string(a))
	db, okb := parseDecimal(string(b))
	return oka && okb && da == db
}

// Equal reports whether two JSON values are equal: the same type, objects with the
// same members (order aside), arrays item by item, numbers by NumbersEqual.
func Equal(a, b any) bool {
	return len(Diff(a, b, Options{})) == 0
}

// maxIntegerDigits bounds the integers Integer builds: a long has 19 digits; a number
// such as 1e999999999 is integral but no integer worth 400 MB of memory.
const maxIntegerDigits = 400

// Integer is the integer a number's text denotes, when it is integral by the number
// rule (3, 3.0, 3e0, 1e+21, 9.007199254740992e15) and has at most 400 digits.
func Integer(n json.Number) (*big.Int, bool) {
	d, ok := parseDecimal(string(n))
	if !ok {
		return nil, false
	}
	if d.digits == "" {
		return new(big.Int), true
	}
	if d.exp < int64(len(d.digits)) || d.exp > maxIntegerDigits {
		return nil, false // a fraction remains, or too many digits
	}
	text := d.digits + strings.Repeat("0", int(d.exp)-len(d.digits))
	if d.neg {
		text = "-" + text
	}
	i, ok := new(big.Int).SetString(text, 10)
	return i, ok
}
