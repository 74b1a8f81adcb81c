package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/dmsconform/dmsconform/internal/text"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
)

// Lost answers of the calls that change state.
//
// A Start or a Cancel whose answer is lost on the way (no answer: a reset connection, a
// timeout; or a 5xx) may have been applied before the answer was lost. Sending it again
// blindly, as an SDK's retryer does, asks another question: a second Cancel of a request
// the first one already moved to CANCELING is rightly refused ("... is CANCELING"), which
// is no answer to "cancel a running request", and judging it is a false failure; a second
// Start creates a second request that nobody counts, cancels or mentions.
//
// So the transport does not resend such a call blindly. Before it sends it again it asks
// the call's resolver what the lost attempt did, with a describe (read-only, cheap):
//
//   - lostStop: the describe shows what happened (the request is CANCELING or CANCELED,
//     or has ended; the project lists the one request a lost Start created). The call is
//     not sent again; its answer is lost (Sample.Lost), so the checks that would judge
//     that answer are skipped with the reason, and everything the describes show (the
//     request's statuses, its end) is judged as usual.
//   - lostResend: the describe shows the call was not applied (the request is still
//     RECEIVED or IN_PROGRESS, or the target does not list it at all): sending it again
//     asks the same question, and its answer is judged. A resent Cancel that is then
//     refused is described once more, in case the first describe lagged behind.
//   - lostUnknown: the describe could not tell (it failed; a lost Start's request is not
//     listed, perhaps not visible yet). The call is sent again, as an SDK would, but only
//     an answer that shows nothing was lost is judged: a success, or the answer every
//     attempt got. Any other answer is unjudgeable (Sample.Lost): skipped, never a failure.
//
// Why describe first rather than retry and reconcile afterwards: every verdict stays
// earned either way, but a Start resent after it was applied creates a request that costs
// on AWS and takes a start of the budget, and a Cancel resent after it was applied sends
// a question whose answer nobody may judge. A describe before the resend avoids both, and
// costs one read-only call per lost answer. A lost Start whose request the describe does
// not list yet is looked for again by clean-up (sweepLostStarts), so a request it
// created later is still counted as a start, cancelled and reported.
//
// Starts of one family are made one at a time (startLock): a describe after a lost Start
// then lists no request of another start that is still on its way, so a request it finds
// is this start's, never a neighbour's (whose scenario, bound by the selection rules'
// tag, would make it behave otherwise).

// lostOutcome is what a resolver found out about an attempt whose answer was lost.
type lostOutcome int

const (
	lostUnknown lostOutcome = iota // it could not tell: resend, judge only an answer that shows nothing was lost
	lostResend                     // the call was not applied: resend it, judge its answer
	lostStop                       // what it did is known: do not resend; its answer is lost
)

// lostFinding is one resolver's answer.
type lostFinding struct {
	outcome lostOutcome
	found   string  // what the describe showed, in a sentence
	sample  *Sample // the describe (nil when none was made)
	request string  // the request the call is about (a lost Start's: the one it created)
	status  string  // the request's Status the describe showed
	applied bool    // the describe shows the call was applied
}

// resolver finds out what an attempt whose answer was lost had done.
type resolver func(ctx context.Context) lostFinding

// ErrAnswerLost ends a call that changes state whose answer was lost after the target
// had applied it (or its request had ended): it is not sent again (see lostStop).
var ErrAnswerLost = errors.New("the answer was lost, and a describe shows what the call did")

// Resolution is what describes found out about a call that changes state after an
// attempt's answer was lost. It travels with the call's sample (Sample.Lost), so a
// recording keeps it and judges read it.
type Resolution struct {
	// Unjudgeable: the sample's last answer is not the answer to the request as sent
	// (the call was applied and its answer lost, or it was sent again and answered
	// otherwise while what the lost attempt did could not be found out). Checks that
	// would judge the answer skip it, with Found as the reason.
	Unjudgeable bool `json:"unjudgeable,omitempty"`
	// Applied: a describe shows the target had applied the lost attempt.
	Applied   bool      `json:"applied,omitempty"`
	RequestID string    `json:"requestId,omitempty"` // the request it is about
	Status    string    `json:"status,omitempty"`    // the request's Status the last describe showed
	Found     []string  `json:"found"`               // what each describe showed, in order
	Describes []*Sample `json:"describes,omitempty"`
}

// AnswerLost says why the sample's answer may not be judged: the answer of a call that
// changes state was lost (see Resolution). "" when its answer is the answer to the
// request as sent.
func (s *Sample) AnswerLost() string {
	if s == nil || s.Lost == nil || !s.Lost.Unjudgeable {
		return ""
	}
	return fmt.Sprintf("the answer of %q was lost on the way: %s", s.Name, strings.Join(s.Lost.Found, "; "))
}

// note adds a finding to the resolution (said once when it repeats).
func (r *Resolution) note(f lostFinding) {
	if n := len(r.Found); n == 0 || r.Found[n-1] != f.found {
		r.Found = append(r.Found, f.found)
	}
	if f.sample != nil {
		r.Describes = append(r.Describes, f.sample)
	}
	if f.request != "" {
		r.RequestID = f.request
	}
	if f.status != "" {
		r.Status = f.status
	}
	r.Applied = r.Applied || f.applied
}

// lostAttempt says whether an attempt's answer was lost: no answer at all, or a 5xx,
// after which the target may have applied the call.
func lostAttempt(ex reports.Exchange) bool {
	return ex.Response.Status == 0 || ex.Response.Status >= 500
}

// resolveScript is the stream of the describes that find out what a lost answer did:
// a stream of their own, so a replay serves them in order between the call's attempts.
func resolveScript(script string) string {
	if script == "" {
		script = SetupScript
	}
	return script + "/lost-answers"
}

// --- what a lost Cancel did -------------------------------------------------------

// whatCancelDid describes request id after a cancel's answer was lost.
func (s *Session) whatCancelDid(ctx context.Context, script, name, family, id string) lostFinding {
	f := lostFinding{request: id}
	if why := s.describeUnimplemented(family); why != "" {
		f.found = why
		return f
	}
	d, err := s.describe(ctx, resolveScript(script), name+": describe after a lost answer", family, id)
	f.sample = d
	if err != nil {
		f.found = fmt.Sprintf("describing request %s to find out got no answer (%s)", id, briefErr(err))
		return f
	}
	r := RequestIn(d, id)
	switch {
	case r == nil && !d.Response().OK():
		f.found = fmt.Sprintf("describing request %s to find out was refused (%s)", id, d.Response().Summary())
		return f
	case r == nil:
		f.outcome = lostResend
		f.found = fmt.Sprintf("a describe does not list request %s, so no cancel can have been applied to it", id)
		return f
	}
	f.status = Str(r["Status"])
	switch f.status {
	case "CANCELING", "CANCELED":
		f.outcome, f.applied = lostStop, true
		f.found = fmt.Sprintf("a describe shows request %s %s: the cancel had been applied", id, f.status)
	case "RECEIVED", "IN_PROGRESS":
		f.outcome = lostResend
		f.found = fmt.Sprintf("a describe shows request %s still %s: the cancel had not been applied", id, f.status)
	case "SUCCESS", "FAILED":
		f.outcome = lostStop
		f.found = fmt.Sprintf("a describe shows request %s %s: it has ended, and a cancel sent again could only be refused", id, f.status)
	default:
		f.found = fmt.Sprintf("a describe shows request %s with Status %q, which does not tell whether the cancel had been applied", id, f.status)
	}
	return f
}

// briefErr is an error in a few words: an *InfraError's problem, not its whole story.
func briefErr(err error) string {
	var ie *InfraError
	if errors.As(err, &ie) {
		return text.Truncate(ie.Problem, 160)
	}
	return text.Truncate(err.Error(), 160)
}

// describeUnimplemented says why the family's describe cannot find anything out ("" when
// it can): the target does not implement it.
func (s *Session) describeUnimplemented(family string) string {
	op := s.Model.FamilyOperation(family, spec.RoleDescribe)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.unimpl[op.Name]; ok {
		return "the target does not implement " + op.Name + ", so what the call did cannot be found out"
	}
	return ""
}

// --- what a lost Start did --------------------------------------------------------

// lane is where a script's requests go: a family in a project (the run's, or the
// failing project).
type lane struct{ family, project string }

// existingRequests are the family's requests the preflight saw in the project before the
// run started any: a describe after a lost Start does not take them for its request.
type existingRequests struct {
	ids map[string]bool
	// complete: the preflight's page listed every request (no Marker). When it did not,
	// a request it did not list is taken for one this run started only while it has not
	// ended (the older ones of a project the harness uses have).
	complete bool
}

// noteExisting keeps the requests a preflight describe of the project listed.
func (s *Session) noteExisting(l lane, smp *Sample) {
	if smp == nil || !smp.Response().OK() || smp.Response().JSONErr != nil {
		return
	}
	obj := smp.Response().Object()
	ex := &existingRequests{ids: map[string]bool{}, complete: Str(obj["Marker"]) == ""}
	for _, r := range RequestsOf(obj) {
		ex.ids[Str(r["RequestIdentifier"])] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.existing == nil {
		s.existing = map[lane]*existingRequests{}
	}
	s.existing[l] = ex
}

// startLock makes the starts of a family one at a time (see the comment at the top).
func (s *Session) startLock(family string) func() {
	s.mu.Lock()
	if s.startMu == nil {
		s.startMu = map[string]*sync.Mutex{}
	}
	m := s.startMu[family]
	if m == nil {
		m = &sync.Mutex{}
		s.startMu[family] = m
	}
	s.mu.Unlock()
	m.Lock()
	return m.Unlock
}

// strangers are the requests of a describe answer that the run neither started nor saw
// in the project before it started any: what lost Starts may have created.
func (s *Session) strangers(l lane, reqs []map[string]any) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	known := map[string]bool{}
	for _, st := range s.starts {
		known[st.id] = true
	}
	ex := s.existing[l]
	var out []string
	for _, r := range reqs {
		id := Str(r["RequestIdentifier"])
		switch {
		case id == "" || known[id] || slices.Contains(out, id):
		case ex != nil && ex.ids[id]:
		case (ex == nil || !ex.complete) && spec.IsTerminalStatus(Str(r["Status"])):
		default:
			out = append(out, id)
		}
	}
	return out
}

// whatStartDid lists the family's requests after a start's answer was lost: the one
// request the run does not know is the one the start created.
func (s *Session) whatStartDid(ctx context.Context, script, name string, l lane) lostFinding {
	var f lostFinding
	if why := s.describeUnimplemented(l.family); why != "" {
		f.found = why // nothing to look for, now or in clean-up
		return f
	}
	smp, reqs, err := s.listRequests(ctx, resolveScript(script), name+": describe the project after a lost answer", l.family, l.project)
	f.sample = smp
	switch found := s.strangers(l, reqs); {
	case err != nil:
		f.found = fmt.Sprintf("describing the project's requests to find out got no answer (%s)", briefErr(err))
		s.unsureStart(l)
	case len(found) == 1:
		f.outcome, f.applied, f.request = lostStop, true, found[0]
		f.found = fmt.Sprintf("describing the project lists request %s, which no answer of this run had named: the start had created it, and the run counts it as this start's request", found[0])
		if r := requestWith(reqs, found[0]); r != nil {
			f.status = Str(r["Status"])
		}
	case len(found) == 0:
		f.found = "describing the project lists no request this run does not know: the start had not been applied, or its request is not visible yet (clean-up looks for it once more)"
		s.unsureStart(l)
	default:
		s.foundStarts(l, name, found)
		f.found = fmt.Sprintf("describing the project lists %d requests no answer of this run had named (%s): which one this start created cannot be told, so the run counts each as a start of its own and cancels them in clean-up",
			len(found), strings.Join(found, ", "))
		s.unsureStart(l)
	}
	return f
}

func requestWith(reqs []map[string]any, id string) map[string]any {
	for _, r := range reqs {
		if Str(r["RequestIdentifier"]) == id {
			return r
		}
	}
	return nil
}

// unsureStart notes a lost Start of the family whose request, if it made one, was not
// found: clean-up looks for it again.
func (s *Session) unsureStart(l lane) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.unsure == nil {
		s.unsure = map[lane]bool{}
	}
	s.unsure[l] = true
}

// foundStarts counts requests a describe found that lost Starts of the family created
// but no start could take for its own: they are the run's starts, cancelled in clean-up
// and reported.
func (s *Session) foundStarts(l lane, by string, ids []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		s.starts = append(s.starts, startedRequest{family: l.family, project: l.project, id: id, found: by})
		s.lost = append(s.lost, reports.LostAnswer{Call: by, Operation: s.Model.FamilyOperation(l.family, spec.RoleStart).Name, RequestID: id, Applied: true,
			Found: fmt.Sprintf("request %s is in the project, and no answer of this run named it: a Start whose answer was lost created it; it is counted as a start and cancelled in clean-up", id)})
	}
}

// noteLost records, for the report, what was found out about a call whose answer was
// lost, when that mattered: the call had been applied, or its answer is not judged. (A
// call that was sent again and answered as the request as sent needs no word beyond
// its transcript.)
func (s *Session) noteLost(script, name, op string, r *Resolution) {
	if !r.Applied && !r.Unjudgeable {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lost = append(s.lost, reports.LostAnswer{Call: script + ": " + name, Operation: op, RequestID: r.RequestID, Applied: r.Applied,
		Unjudgeable: r.Unjudgeable, Found: strings.Join(r.Found, "; ")})
}

// holds notes the Status a scenario holds request id at: it never changes.
func (s *Session) holds(id, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.starts {
		if s.starts[i].id == id {
			s.starts[i].held = status
		}
	}
}

// LostAnswers lists the calls that change state whose answer was lost, and what
// describes showed they had done, in the order they were found out.
func (s *Session) LostAnswers() []reports.LostAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]reports.LostAnswer(nil), s.lost...)
}
