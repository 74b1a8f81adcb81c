package text

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTruncate(t *testing.T) {
	cases := []struct {
		s    string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"eleven chars", 10, "eleven ch…"},
		{"two words", 5, "two…"}, // the space before the cut goes
		{"anything", 0, "anything"},
		{"anything", -1, "anything"},
		{"", 3, ""},
		// Multibyte: the cut falls between characters, never inside one.
		{"Größenänderung", 5, "Größ…"},
		{"日本語のテキストです", 4, "日本語…"},
		{"emoji 🚀🚀🚀 here", 8, "emoji 🚀…"},
		{"ÄÖÜ", 3, "ÄÖÜ"},
		{"ÄÖÜß", 3, "ÄÖ…"},
		{"a\u0301bcdef", 3, "a\u0301…"}, // a combining accent is a character of its own
	}
	for _, c := range cases {
		got := Truncate(c.s, c.n)
		if got != c.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("Truncate(%q, %d) = %q is not valid UTF-8", c.s, c.n, got)
		}
		if c.n > 0 && utf8.RuneCountInString(got) > c.n {
			t.Errorf("Truncate(%q, %d) = %q has %d characters", c.s, c.n, got, utf8.RuneCountInString(got))
		}
	}
	// Every cut of a multibyte text stays valid UTF-8.
	s := strings.Repeat("ü日🚀x", 20)
	for n := 1; n < utf8.RuneCountInString(s)+2; n++ {
		if got := Truncate(s, n); !utf8.ValidString(got) || utf8.RuneCountInString(got) > n {
			t.Fatalf("Truncate(…, %d) = %q", n, got)
		}
	}
}

func TestLine(t *testing.T) {
	if got := Line("one\n  two\tthree  ", 100); got != "one two three" {
		t.Errorf("Line = %q", got)
	}
	if got := Line("one\ntwo three", 8); got != "one two…" {
		t.Errorf("Line = %q", got)
	}
}

func TestArticle(t *testing.T) {
	cases := map[string]string{
		"object ErrorDetails": "an object ErrorDetails",
		"union ErrorDetails":  "a union ErrorDetails",
		"unknown member":      "an unknown member",
		"undocumented value":  "an undocumented value",
		"integer(int64)":      "an integer(int64)",
		"array of X":          "an array of X",
		"string":              "a string",
		"boolean":             "a boolean",
		"control surface":     "a control surface",
		"denied principal":    "a denied principal",
		"failing project":     "a failing project",
		"Union":               "a Union",
		"one-line message":    "a one-line message",
		"user":                "a user",
		"":                    "a ",
	}
	for in, want := range cases {
		if got := Article(in); got != want {
			t.Errorf("Article(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUpperFirst(t *testing.T) {
	for in, want := range map[string]string{"defaultErrorDetails": "DefaultErrorDetails", "": "", "übung": "Übung", "X": "X"} {
		if got := UpperFirst(in); got != want {
			t.Errorf("UpperFirst(%q) = %q, want %q", in, got, want)
		}
	}
}
