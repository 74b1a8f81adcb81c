package reports

import "encoding/json"

// CauseInterrupted is the ID of the cause of the checks an interrupted run did not
// judge (Run.Interrupted): they are skipped, each naming it.
const CauseInterrupted = "interrupted"

// UniqueExchanges returns es without repeats, in order: an exchange that is the same
// attempt as an earlier one (same script, call and attempt, name, view, request,
// response and error) is dropped. Attempts that are not numbered (Attempt 0) are only
// dropped when they are identical in every field, duration included, since two such
// exchanges may be two calls that got the same answer.
func UniqueExchanges(es []Exchange) []Exchange {
	if len(es) < 2 {
		return es
	}
	seen := map[string]bool{}
	out := make([]Exchange, 0, len(es))
	for _, e := range es {
		k := e
		if k.Attempt > 0 {
			k.Duration = 0 // the same attempt, however it was timed
		}
		data, err := json.Marshal(k)
		if err != nil { // cannot happen for an Exchange; keep it rather than lose it
			out = append(out, e)
			continue
		}
		if seen[string(data)] {
			continue
		}
		seen[string(data)] = true
		out = append(out, e)
	}
	return out
}
