package reports

import (
	"fmt"
	"strings"

	"github.com/dmsconform/dmsconform/internal/text"
)

// OneLine renders a message on one line for a summary (report.html's check lines,
// summary.md's lists, the console). A judge's message is often a header and a list of
// problems ("header:\n- first problem\n- second problem"); its one-line form is the
// header and the first problem, and how many more there are:
// "header: first problem (+1 more)". Other lines (prose wrapped over lines, or a
// problem continued on the next line) are joined with spaces.
//
// max > 0 caps the result at max characters (runes): the header is cut before the
// problem, and the "(+N more)" is always kept, so the reason survives the cut. max <= 0
// keeps the whole line.
func OneLine(msg string, max int) string {
	var head []string
	var items [][]string
	for _, l := range strings.Split(msg, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if item, ok := bullet(l); ok {
			items = append(items, []string{item})
			continue
		}
		if len(items) == 0 {
			head = append(head, l)
		} else {
			items[len(items)-1] = append(items[len(items)-1], l)
		}
	}
	h := strings.Join(head, " ")
	if len(items) == 0 {
		return text.Truncate(h, max)
	}
	first := strings.Join(items[0], " ")
	suffix := ""
	if n := len(items) - 1; n > 0 {
		suffix = fmt.Sprintf(" (+%d more)", n)
	}
	if h == "" {
		return text.Truncate(first, max-runeLen(suffix)) + suffix
	}
	h = strings.TrimSuffix(h, ":")
	const sep = ": "
	whole := h + sep + first + suffix
	if max <= 0 || runeLen(whole) <= max {
		return whole
	}
	avail := max - runeLen(suffix) - runeLen(sep)
	if avail < 12 { // too little room for both: the problem alone
		return text.Truncate(first, max-runeLen(suffix)) + suffix
	}
	// The header gets what the problem leaves, but at least a third of the room (or
	// all it needs, if less): the problem is the reason, the header its context.
	hl, pl := runeLen(h), runeLen(first)
	keepHead := min(hl, avail/3)
	if pl <= avail-keepHead {
		keepHead = avail - pl
	}
	return text.Truncate(h, keepHead) + sep + text.Truncate(first, avail-keepHead) + suffix
}

// bullet reports whether a line is an item of a list ("- x", "* x", "• x") and
// returns the item without its marker.
func bullet(l string) (string, bool) {
	for _, m := range []string{"- ", "* ", "• "} {
		if strings.HasPrefix(l, m) {
			return strings.TrimSpace(l[len(m):]), true
		}
	}
	return l, false
}

func runeLen(s string) int { return len([]rune(s)) }
