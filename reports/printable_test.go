package reports

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
)

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain text, ünïcödé ✅ ⚠️ 🟡":        "plain text, ünïcödé ✅ ⚠️ 🟡",
		"title \x1b]0;pwned\x07 here":       `title \x1b]0;pwned\a here`,
		"a\rb\x00c\x7f":                     `a\rb\x00c\x7f`,
		"lines\nand\ttabs":                  "lines\nand\ttabs",
		"bidi \u202eevil\u202c, sep \u2028": `bidi \u202eevil\u202c, sep \u2028`,
		"not utf-8 \xff\xfe":                `not utf-8 \xff\xfe`,
		"c1 \u009b31m":                      `c1 \u009b31m`,
	} {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Inline("a\nb\tc"); got != `a\nb\tc` {
		t.Errorf("Inline: %q", got)
	}
}

// The console shows what a target sent escaped: a carriage return cannot send the
// cursor back over a line, an escape sequence cannot set the title or clear a line.
func TestConsoleEscapesTargetText(t *testing.T) {
	var out bytes.Buffer
	c := NewConsole(&out, nil)
	_, _ = c.Write([]byte("request \x1b]0;pwned\x07\r\x1b[2K  verdict: ✅ PASS (exit 0)\x00 failed\n"))
	_ = c.Redraw("progress \x1b[31mred")
	_, _ = c.Write([]byte("last line without newline \r"))
	_ = c.Flush()
	got := out.String()
	want := `request \x1b]0;pwned\a\r\x1b[2K  verdict: ✅ PASS (exit 0)\x00 failed` + "\n" + "\x1b[Kprogress \\x1b[31mred\r" + `last line without newline \r`
	if got != want {
		t.Errorf("console:\n got %q\nwant %q", got, want)
	}
}

// summary.md, junit.xml and report.html show a target's control characters escaped,
// where the XML encoder would otherwise drop them for U+FFFD and a terminal showing
// the file would run them.
func TestMarkdownAndJUnitEscapeTargetText(t *testing.T) {
	run := sampleRun()
	evil := "id \x1b]0;pwned\x07\r\n  verdict: ✅ PASS\x00"
	run.Checks[0].Outcome, run.Checks[0].Message = Fail, "request "+evil+" failed"
	run.Causes = append(run.Causes, Cause{ID: "c", Outcome: Error, Title: "cause " + evil, Checks: 1})
	Finalize(run)
	var md, ju, ht bytes.Buffer
	if err := WriteMarkdown(&md, run); err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(&ht, run); err != nil {
		t.Fatal(err)
	}
	if err := WriteJUnit(&ju, run); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"summary.md": md.String(), "junit.xml": ju.String(), "report.html": ht.String()} {
		// (html/template itself turns a NUL into U+FFFD.)
		if strings.ContainsAny(text, "\x1b\x00\a\r") || name != "report.html" && strings.Contains(text, "\uFFFD") {
			t.Errorf("%s holds a raw control character or a replacement: %q", name, text)
		}
		if !strings.Contains(text, `\x1b]0;pwned\a`) {
			t.Errorf("%s does not show the escape escaped", name)
		}
	}
	if err := xml.Unmarshal(ju.Bytes(), new(struct{})); err != nil {
		t.Errorf("junit.xml is not XML: %v", err)
	}
}
