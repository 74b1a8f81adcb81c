package reports

import (
	"fmt"
	"strings"
)

// What a run did to the requests it started beyond its checks: calls that change state
// whose answer was lost (and what describes showed they had done), and what clean-up did.

// LostAnswer is a call that changes state (a Start, a Cancel) whose answer was lost on the
// way (no answer, or a 5xx), and what describing the request or the project showed it had
// done.
type LostAnswer struct {
	Call      string `json:"call"` // the call, e.g. "conversion/walk: walk: cancel"
	Operation string `json:"operation"`
	// RequestID is the request the call was about; for a lost Start, the request the
	// describe found it had created ("" when none was found).
	RequestID string `json:"requestId,omitempty"`
	// Applied: a describe showed the target had applied the call.
	Applied bool `json:"applied,omitempty"`
	// Unjudgeable: the call's answer was not judged (it was lost, or a later answer may
	// answer another question).
	Unjudgeable bool   `json:"unjudgeable,omitempty"`
	Found       string `json:"found"` // what the describes showed, in words
}

// Cleanup is what clean-up did with the requests the run started and had not seen end.
type Cleanup struct {
	// Note says how clean-up reached the target when the run could not any more (an open
	// circuit breaker, refused credentials): on its own budget.
	Note     string           `json:"note,omitempty"`
	Requests []CleanupRequest `json:"requests"`
}

// CleanupRequest is one request clean-up tried to cancel.
type CleanupRequest struct {
	ID      string         `json:"id"`
	Family  string         `json:"family"`
	Outcome CleanupOutcome `json:"outcome"`
	Status  string         `json:"status,omitempty"` // the last Status clean-up saw
	Detail  string         `json:"detail,omitempty"` // why, in words
}

// CleanupOutcome is what became of one request in clean-up.
type CleanupOutcome string

const (
	// CleanupCancelled: the cancel was accepted, and the request was then seen ended (or
	// in a state a scenario holds it at, which never changes).
	CleanupCancelled CleanupOutcome = "cancelled"
	// CleanupUnconfirmed: the cancel was accepted (or refused as the request's state
	// allows none), but the request was not seen ending within --cleanup-timeout.
	CleanupUnconfirmed CleanupOutcome = "cancelled-unconfirmed"
	// CleanupEnded: the request had ended by itself (the cancel was refused as too late).
	CleanupEnded CleanupOutcome = "ended"
	// CleanupRefused: the target refused the cancel of a request that had not ended.
	CleanupRefused CleanupOutcome = "refused"
	// CleanupNotReached: no cancel reached the target (no answer within clean-up's own
	// budget, refused credentials, or not sent after the requests before it could not be
	// reached): the request may still be running.
	CleanupNotReached CleanupOutcome = "not-reached"
)

// CleanupOutcomes lists the outcomes in report order: what is left to do first.
var CleanupOutcomes = []CleanupOutcome{CleanupNotReached, CleanupRefused, CleanupUnconfirmed, CleanupCancelled, CleanupEnded}

// With lists the requests of one outcome.
func (c *Cleanup) With(o CleanupOutcome) []CleanupRequest {
	if c == nil {
		return nil
	}
	var out []CleanupRequest
	for _, r := range c.Requests {
		if r.Outcome == o {
			out = append(out, r)
		}
	}
	return out
}

// cleanupHeadings says each outcome in words, for the writers.
var cleanupHeadings = map[CleanupOutcome]string{
	CleanupNotReached:  "not reached (may still be running: cancel them yourself)",
	CleanupRefused:     "cancel refused (may still be running)",
	CleanupUnconfirmed: "not seen ending",
	CleanupCancelled:   "cancelled",
	CleanupEnded:       "had ended",
}

// CleanupHeading says an outcome in words.
func CleanupHeading(o CleanupOutcome) string { return cleanupHeadings[o] }

// writeMDRequests writes what the run did to its requests beyond the checks: the Starts
// and Cancels whose answer was lost, and clean-up, every request by id.
func writeMDRequests(b *strings.Builder, run *Run) {
	if len(run.LostAnswers) > 0 {
		fmt.Fprintf(b, "#### Lost answers (%d)\n\nStarts and cancels whose answer was lost on the way (no answer, or a 5xx): a describe found out what each had done; an answer that was lost is not judged.\n\n", len(run.LostAnswers))
		for _, l := range run.LostAnswers {
			fmt.Fprintf(b, "- `%s` (%s): %s\n", mdCode(l.Call), mdEscape(l.Operation), mdEscape(OneLine(l.Found, 600)))
		}
		b.WriteString("\n")
	}
	c := run.Cleanup
	if c == nil || len(c.Requests) == 0 {
		return
	}
	fmt.Fprintf(b, "#### Clean-up (%d request(s))\n\n", len(c.Requests))
	if c.Note != "" {
		fmt.Fprintf(b, "%s\n\n", mdEscape(c.Note))
	}
	for _, o := range CleanupOutcomes {
		rs := c.With(o)
		if len(rs) == 0 {
			continue
		}
		fmt.Fprintf(b, "**%s (%d)**\n\n", CleanupHeading(o), len(rs))
		for _, r := range rs {
			fmt.Fprintf(b, "- `%s` (%s)", mdCode(r.ID), mdEscape(r.Family))
			if r.Detail != "" {
				fmt.Fprintf(b, ": %s", mdEscape(OneLine(r.Detail, 300)))
			} else if r.Status != "" {
				fmt.Fprintf(b, ": %s", mdEscape(r.Status))
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
}
