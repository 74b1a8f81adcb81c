package reports

import (
	"strings"
	"testing"
)

func TestOneLine(t *testing.T) {
	list := "StartMetadataModelConversion did not start requests:\n- \"walk: start\": HTTP 200 without a RequestIdentifier: {}\n- \"watch: start\": HTTP 500\n- third"
	cases := []struct {
		name, msg string
		max       int
		want      string
	}{
		{"empty", "  \n ", 0, ""},
		{"one line", "connection refused", 0, "connection refused"},
		{"header and list", list, 0, `StartMetadataModelConversion did not start requests: "walk: start": HTTP 200 without a RequestIdentifier: {} (+2 more)`},
		{"one problem", "header:\n- only problem", 0, "header: only problem"},
		{"header without colon", "the wire is wrong\n- status 500", 0, "the wire is wrong: status 500"},
		{"prose over lines", "expected one member, got 2\nin account 1", 0, "expected one member, got 2 in account 1"},
		{"list only", "- a\n- b", 0, "a (+1 more)"},
		{"problem continued", "header:\n- first\n  continued\n- second", 0, "header: first continued (+1 more)"},
		{"crlf", "header:\r\n- first\r\n- second\r\n", 0, "header: first (+1 more)"},
		{"short enough", "header:\n- first", 60, "header: first"},
		{"cut the header, not the reason", strings.Repeat("h", 100) + ":\n- the real reason\n- more", 60, strings.Repeat("h", 32) + "…: the real reason (+1 more)"},
		{"cut both", strings.Repeat("h", 100) + ":\n- " + strings.Repeat("r", 100), 60, strings.Repeat("h", 18) + "…: " + strings.Repeat("r", 38) + "…"},
		{"long line", strings.Repeat("x", 50), 10, strings.Repeat("x", 9) + "…"},
	}
	for _, c := range cases {
		got := OneLine(c.msg, c.max)
		if got != c.want {
			t.Errorf("%s: OneLine = %q, want %q", c.name, got, c.want)
		}
		if c.max > 0 && len([]rune(got)) > c.max {
			t.Errorf("%s: %d runes, more than %d", c.name, len([]rune(got)), c.max)
		}
	}
}

func TestUniqueExchanges(t *testing.T) {
	a := sampleExchange("walk: start", "{}", 500, "{}")
	a.Attempt, a.Script, a.Call, a.Retried = 1, "conversion/walk", 1, "HTTP 500"
	b := a
	b.Attempt, b.Retried = 2, ""
	late := a
	late.Duration *= 2 // the same attempt, timed again: still the same attempt
	poll := sampleExchange("describe", "{}", 200, "{}")
	poll2 := poll
	poll2.Duration++ // not numbered and timed differently: two calls, both kept
	got := UniqueExchanges([]Exchange{a, b, a, late, b, poll, poll, poll2})
	if len(got) != 4 || got[0].Attempt != 1 || got[1].Attempt != 2 || got[2].Name != "describe" || got[3].Duration != poll2.Duration {
		t.Errorf("UniqueExchanges kept %d: %+v", len(got), got)
	}
}
