// Package text holds the few helpers every message of dmsconform shares: cutting a
// text to a length without splitting a UTF-8 character, the article of a noun, a
// capital first letter.
package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Ellipsis marks where Truncate cut a text.
const Ellipsis = "…"

// Truncate shortens s to at most n characters (runes, never bytes: a multibyte
// character is kept whole or dropped whole), the last of them the Ellipsis when it
// cut; spaces before the cut are dropped. n <= 0 keeps s whole; bytes that are not
// UTF-8 count one character each.
func Truncate(s string, n int) string {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	end, count := 0, 0
	for end < len(s) && count < n-1 {
		_, size := utf8.DecodeRuneInString(s[end:])
		end += size
		count++
	}
	return strings.TrimRightFunc(s[:end], unicode.IsSpace) + Ellipsis
}

// Line is s on one line (every run of white space, newlines included, one space),
// truncated to n characters.
func Line(s string, n int) string {
	return Truncate(strings.Join(strings.Fields(s), " "), n)
}

// Article puts "a" or "an" before a noun phrase, by its sound: "an object", "a
// union", "a one-line message", "an unknown member".
func Article(s string) string {
	lower := strings.ToLower(s)
	for _, p := range []string{"uni", "use", "usu", "uti", "one", "once", "eu"} {
		if strings.HasPrefix(lower, p) {
			return "a " + s
		}
	}
	if lower != "" && strings.ContainsRune("aeiou", rune(lower[0])) {
		return "an " + s
	}
	return "a " + s
}

// UpperFirst is s with its first character in upper case.
func UpperFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 || r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}
