package reports

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printable makes text a target sent safe for a terminal, a Markdown page or an XML
// file: every character that is not graphic (control characters such as ESC, NUL and
// CR; format characters such as the bidirectional overrides; line and paragraph
// separators; bytes that are not UTF-8) is shown as its escape (\x1b, \x00, \r,
// \u202e, \xff), so a request id or a message can neither drive the terminal (set its
// title, move the cursor, overwrite a line) nor hide text. Newlines and tabs are kept
// (messages have lines); Inline escapes them too.
func Printable(s string) string { return printable(s, false) }

// Inline is Printable for text that must stay on one line: newlines are escaped too.
func Inline(s string) string { return printable(s, true) }

func printable(s string, inline bool) string {
	if isPrintable(s, inline) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case keep(r, inline):
			b.WriteString(s[i : i+size])
		default:
			q := strconv.QuoteRune(r) // '\x1b', '\r', '\u202e'
			b.WriteString(q[1 : len(q)-1])
		}
		i += size
	}
	return b.String()
}

func keep(r rune, inline bool) bool {
	if r == '\n' || r == '\t' {
		return !inline
	}
	return unicode.IsGraphic(r) // letters, marks, numbers, punctuation, symbols, spaces: not Cc, Cf, Zl, Zp, Co, Cn
}

// isPrintable is the fast path: most text is plain ASCII.
func isPrintable(s string, inline bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return !strings.ContainsFunc(s[i:], func(r rune) bool { return r == utf8.RuneError || !keep(r, inline) }) && utf8.ValidString(s[i:])
		}
		if c < 0x20 || c == 0x7f {
			if (c == '\n' || c == '\t') && !inline {
				continue
			}
			return false
		}
	}
	return true
}

// printableStrings makes every string reachable from v (a pointer) Printable, in
// place. The writers whose formats a terminal or a renderer would interpret (junit.xml)
// call it on what they are about to encode.
func printableStrings(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			printableStrings(v.Elem())
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanSet() {
				printableStrings(f)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			printableStrings(v.Index(i))
		}
	case reflect.String:
		if v.CanSet() {
			v.SetString(Printable(v.String()))
		}
	}
}
