package reports

import (
	"regexp"
	"sort"
	"strings"
)

// AccountSpan is an account id found in a text: s[Start:End] is it as written (12
// digits, or the dashed form 1234-5678-9012), ID its 12 digits.
type AccountSpan struct {
	Start, End int
	ID         string
}

var (
	// The account field of an ARN: arn:<partition>:<service>:<region>:<account>:...
	reARNAccount = regexp.MustCompile(`arn:aws[a-zA-Z-]*:[a-zA-Z0-9-]*:[a-zA-Z0-9-]*:([0-9]{12})(?:[:/]|$)`)
	// A 12-digit number named as an account: "Account":"…", <Account>…, "accountId": …,
	// account …, AccountId=…, OwnerId …
	reNamedAccount = regexp.MustCompile(`(?i)(?:account|owner)(?:[ _-]?id)?(?:["'\s:=>\\-]|&quot;){0,8}([0-9]{12})\b`)
	// The dashed form an account id is shown in by the AWS console.
	reDashedAccount = regexp.MustCompile(`[0-9]{4}-[0-9]{4}-[0-9]{4}`)
	// A 12-digit number on its own.
	reTwelveDigits = regexp.MustCompile(`\b[0-9]{12}\b`)
)

// AccountSpans finds the account ids in s where they are account ids: the account
// field of an ARN; a 12-digit number named as an account (an STS answer's Account, an
// "accountId" member, "account 123456789012" in a message); the dashed form
// 1234-5678-9012 (not part of a longer run of digits and dashes, such as a UUID); and
// a 12-digit number on its own that is a known account (known may be nil), or one
// found in s by the other rules. Any other 12-digit number (a TotalObjects, a UUID's
// last group) is not an account id. The spans are sorted and do not overlap.
func AccountSpans(s string, known func(id string) bool) []AccountSpan {
	if !longDigits(s, 4) {
		return nil
	}
	var spans []AccountSpan
	found := map[string]bool{}
	add := func(start, end int) {
		id := accountDigits(s[start:end])
		spans = append(spans, AccountSpan{Start: start, End: end, ID: id})
		found[id] = true
	}
	if longDigits(s, 12) {
		if strings.Contains(s, "arn:aws") {
			for _, m := range reARNAccount.FindAllStringSubmatchIndex(s, -1) {
				add(m[2], m[3])
			}
		}
		if containsFold(s, "account") || containsFold(s, "owner") {
			for _, m := range reNamedAccount.FindAllStringSubmatchIndex(s, -1) {
				add(m[2], m[3])
			}
		}
	}
	if strings.Contains(s, "-") {
		for _, m := range reDashedAccount.FindAllStringIndex(s, -1) {
			if !joined(s, m[0]-1) && !joined(s, m[1]) {
				add(m[0], m[1])
			}
		}
	}
	if longDigits(s, 12) {
		for _, m := range reTwelveDigits.FindAllStringIndex(s, -1) {
			id := s[m[0]:m[1]]
			if (found[id] || known != nil && known(id)) && !uuidTail(s, m[0]) {
				add(m[0], m[1])
			}
		}
	}
	if len(spans) < 2 {
		return spans
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].Start < spans[j].Start })
	out := spans[:1]
	for _, sp := range spans[1:] {
		if sp.Start >= out[len(out)-1].End {
			out = append(out, sp)
		}
	}
	return out
}

// joined reports whether s[i] continues a token around a dashed form: a letter, a
// digit or a dash (a UUID, a longer number).
func joined(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return false
	}
	c := s[i]
	return c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// accountDigits is an account id without its dashes.
func accountDigits(s string) string { return strings.ReplaceAll(s, "-", "") }
