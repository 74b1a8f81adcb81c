package engine

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/dmsconform/dmsconform/reports"
)

// Answers no retry changes and no check may judge. The transport turns each into an
// *InfraError that wraps one of the errors below, and every check they block shares
// one cause (transportCause), said once:
//
//   - the target refused the harness's own, normally signed credentials
//     (*CredentialError; the clock when the refusal is about the request time): the
//     run ends, unless the credentials are refreshable and refreshing them helps;
//   - a redirect (*RedirectError): never followed, nothing is sent to its Location;
//   - a body too large to judge (*TooLargeError): a bounded prefix, its size and its
//     sha256 are kept, never the body.

// Bounds of what a run keeps of the target's answers.
const (
	// maxJudgedBody is the largest answer body kept whole (and judged).
	maxJudgedBody = 2 << 20
	// maxKeptBodies bounds the answer bytes one run keeps whole, in all.
	maxKeptBodies = 64 << 20
	// maxReadBody is how far an answer too large to keep is read (for its size and
	// sha256); one still going on then is reported as not ending.
	maxReadBody = 256 << 20
	// keptPrefix is what is kept of an answer too large to judge.
	keptPrefix = 4 << 10
)

// authCodes are the error codes (lower case) with which AWS services refuse a
// request's authentication: the caller's credentials or clock, not the request.
var authCodes = map[string]bool{
	"expiredtokenexception": true, "expiredtoken": true, "requestexpired": true, "tokenrefreshrequired": true,
	"unrecognizedclientexception": true, "invalidclienttokenid": true, "invalidaccesskeyid": true, "authfailure": true,
	"missingauthenticationtokenexception": true, "missingauthenticationtoken": true,
	"signaturedoesnotmatch": true, "invalidsignatureexception": true, "incompletesignatureexception": true, "incompletesignature": true,
	"requesttimetooskewed": true, "requestinthefuture": true,
}

// clockRefusal is the message of a CredentialError about the request's time.
func clockRefusal(e *CredentialError) string {
	return fmt.Sprintf("%s: the target refused the request time (%s: %s): %s: set the local clock right (NTP) and run again",
		e.Op, e.Code, reports.OneLine(e.Detail, 200), e.Clock)
}

// authRefusal recognises an answer refusing the request's authentication (nil when it
// is not one). now is when the answer came, for a refusal about the clock.
func authRefusal(op string, r *Response, now time.Time) *CredentialError {
	if r == nil || r.Status < 400 || r.Status >= 500 {
		return nil
	}
	code := r.ErrorCode()
	if !authCodes[strings.ToLower(code)] {
		return nil
	}
	msg, _ := r.Message()
	ce := &CredentialError{Op: op, Code: code, Detail: msg}
	low := strings.ToLower(code + " " + msg)
	if strings.Contains(low, "skew") || strings.Contains(low, "signature expired") || strings.Contains(low, "not yet current") ||
		strings.Contains(low, "requestinthefuture") || strings.Contains(low, "request has expired") {
		local := now.UTC()
		ce.Clock = "the local clock says " + local.Format(time.RFC3339) + ", the server's Date header says "
		if d, err := http.ParseTime(r.Header.Get("Date")); err == nil {
			ce.Clock += fmt.Sprintf("%s (the local clock is %s %s)", d.UTC().Format(time.RFC3339), absDuration(local.Sub(d)).Round(time.Second), aheadBehind(local.Sub(d)))
		} else if date := r.Header.Get("Date"); date != "" {
			ce.Clock += fmt.Sprintf("%q", date)
		} else {
			ce.Clock = "the local clock says " + local.Format(time.RFC3339) + "; the server sent no Date header"
		}
	}
	return ce
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func aheadBehind(d time.Duration) string {
	if d < 0 {
		return "behind"
	}
	return "ahead"
}

// RedirectError is a redirect the target answered with. It is never followed: DMS
// never redirects, and following one would send the signed request, the session token
// and the body to another place.
type RedirectError struct {
	Op       string
	Status   int
	Location string
	Exchange reports.Exchange
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("the target answered %s with HTTP %d, a redirect to %s: dmsconform never follows a redirect (DMS sends none, and following it would send the signed request and the credentials there), so nothing was sent to %s: point --endpoint at the DMS endpoint itself",
		orWord(e.Op, "a call"), e.Status, e.Location, e.Location)
}

// TooLargeError is an answer whose body did not fit what a run keeps: it cannot be
// judged, and only its beginning, size and sha256 are kept.
type TooLargeError struct {
	Op       string
	Size     int64  // bytes read
	SHA256   string // of the bytes read
	Unended  bool   // reading stopped before the body ended
	Budget   bool   // the run's bound, not the body's, was what it did not fit
	Exchange reports.Exchange
}

func (e *TooLargeError) Error() string {
	size := fmt.Sprintf("%d bytes", e.Size)
	if e.Unended {
		size = fmt.Sprintf("more than %d bytes (it had not ended when dmsconform stopped reading)", e.Size)
	}
	bound := fmt.Sprintf("the %d MiB an answer may have to be judged", maxJudgedBody>>20)
	if e.Budget {
		bound = fmt.Sprintf("what is left of the %d MiB of answers a run keeps", maxKeptBodies>>20)
	}
	return fmt.Sprintf("the target answered %s with a body too large to judge: %s, over %s (sha256 %s of what was read; its first %d bytes are in the transcript)",
		orWord(e.Op, "a call"), size, bound, e.SHA256, keptPrefix)
}

// refusal says whether an answer is one the transport must not hand on: a body too
// large to judge, a redirect, or (for a normally signed call) the credentials refused.
func (t *transport) refusal(c *call, resp *http.Response, ex reports.Exchange) error {
	if resp == nil {
		return nil
	}
	if ex.Response.BodySize > 0 {
		return &TooLargeError{Op: c.op, Size: ex.Response.BodySize, SHA256: ex.Response.BodySHA256, Unended: ex.Response.BodyUnended,
			Budget: int64(len(ex.Response.Body)) < keptPrefix || t.kept.Load() > maxKeptBodies-maxJudgedBody, Exchange: ex}
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		if loc := resp.Header.Get("Location"); loc != "" {
			return &RedirectError{Op: c.op, Status: resp.StatusCode, Location: loc, Exchange: ex}
		}
	}
	if c.probe || resp.StatusCode < 400 {
		return nil
	}
	if ce := authRefusal(orWord(c.op, c.name), parseResponse(&ex), time.Now()); ce != nil {
		if c.denied && ce.Clock == "" {
			return &DeniedCredentialError{ce}
		}
		return ce // a refusal about the request time is the local clock's, whoever signed
	}
	return nil
}

// DeniedCredentialError is the target refusing the denied principal's credentials
// (not denying it the operation): the checks built on that principal cannot be
// judged, and the run goes on.
type DeniedCredentialError struct{ *CredentialError }

func (e *DeniedCredentialError) Error() string {
	return "the denied principal's credentials: " + e.CredentialError.Error() + " (--denied-access-key-id, --denied-profile)"
}

// bodyRead is what the transport read of an answer body.
type bodyRead struct {
	kept  []byte // the body, or its first keptPrefix bytes when it was too large
	size  int64  // bytes read
	sum   string // sha256 of the bytes read ("" for a body kept whole)
	ended bool   // the body ended within maxReadBody
}

func (b bodyRead) whole() bool { return b.ended && int64(len(b.kept)) == b.size }

// readBody reads an answer body. A body that fits the judging bound and what is left
// of the run's is kept whole; any other is read on (up to maxReadBody) only for its
// size and sha256, and its first keptPrefix bytes are kept: memory stays bounded
// whatever a target sends.
func (t *transport) readBody(r io.Reader) (bodyRead, error) {
	room := min(int64(maxJudgedBody), maxKeptBodies-t.kept.Load())
	room = max(room, 0)
	h := sha256.New()
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.TeeReader(io.LimitReader(r, room+1), h))
	if err != nil {
		return bodyRead{}, err
	}
	if n <= room {
		t.kept.Add(n)
		return bodyRead{kept: buf.Bytes(), size: n, ended: true}, nil
	}
	prefix := bytes.Clone(buf.Bytes()[:min(int64(keptPrefix), n)])
	buf = bytes.Buffer{}
	m, err := io.Copy(h, io.LimitReader(r, maxReadBody+1-n))
	if err != nil {
		return bodyRead{}, err
	}
	size := n + m
	return bodyRead{kept: prefix, size: min(size, maxReadBody), sum: hex.EncodeToString(h.Sum(nil)), ended: size <= maxReadBody}, nil
}

// refreshCredentials gets new credentials after the target refused the ones req was
// signed with. Only refreshable credentials (an aws.CredentialsCache: SSO, web
// identity, an assumed role, a credential process) can change; it reports false when
// there is nothing newer than what req carried.
func (t *transport) refreshCredentials(req *http.Request) (aws.Credentials, bool) {
	cc, ok := t.s.creds.(*aws.CredentialsCache)
	if !ok {
		return aws.Credentials{}, false
	}
	t.refreshMu.Lock()
	defer t.refreshMu.Unlock()
	usedKey, usedToken := signedKey(req), req.Header.Get("X-Amz-Security-Token")
	ctx := req.Context()
	if cur, err := cc.Retrieve(ctx); err == nil && (cur.AccessKeyID != usedKey || cur.SessionToken != usedToken) {
		return cur, true // another call refreshed them already
	}
	cc.Invalidate()
	fresh, err := cc.Retrieve(ctx)
	if err != nil || fresh.AccessKeyID == usedKey && fresh.SessionToken == usedToken {
		return aws.Credentials{}, false
	}
	return fresh, true
}

// signedKey is the access key id of a SigV4-signed request.
func signedKey(req *http.Request) string {
	_, rest, ok := strings.Cut(req.Header.Get("Authorization"), "Credential=")
	if !ok {
		return ""
	}
	key, _, _ := strings.Cut(rest, "/")
	return key
}

// resign returns a copy of req signed again with creds, now.
func (s *Session) resign(req *http.Request, body []byte, creds aws.Credentials) (*http.Request, error) {
	r := req.Clone(req.Context())
	for _, h := range []string{"Authorization", "X-Amz-Date", "X-Amz-Security-Token"} {
		r.Header.Del(h)
	}
	r.ContentLength = int64(len(body))
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(r.Context(), creds, r, hex.EncodeToString(sum[:]), s.Model.Service.SigningName, s.Region, s.clockForSigning()); err != nil {
		return nil, fmt.Errorf("signing the request again with the refreshed credentials: %w", err)
	}
	return r, nil
}

// transportCause is the one cause of the checks a transport refusal blocks (nil for
// any other error).
func transportCause(err error) *Cause {
	var (
		ce *CredentialError
		de *DeniedCredentialError
		re *RedirectError
		te *TooLargeError
	)
	switch {
	case errors.As(err, &de):
		return &Cause{ID: "denied-credentials", Outcome: reports.Error, Title: de.Error(),
			Message: "the checks built on the denied principal cannot be judged: the target refused its credentials, not the operation"}
	case errors.As(err, &ce):
		id, msg := "credentials", "the run ends at the first refusal of its own credentials: every check not judged by then is an error with this cause"
		if ce.Clock != "" {
			id = "clock"
		}
		return &Cause{ID: id, Outcome: reports.Error, Title: ce.Error(), Message: msg}
	case errors.As(err, &re):
		return &Cause{ID: "redirect", Outcome: reports.Error, Title: re.Error(),
			Message: "a redirect is a finding about the target (or what stands in front of it), not an answer to judge",
			Samples: []*Sample{{Op: re.Op, Name: re.Exchange.Name, Attempts: []reports.Exchange{re.Exchange}}}}
	case errors.As(err, &te):
		return &Cause{ID: "too-large", Outcome: reports.Error, Title: te.Error(),
			Message: "dmsconform keeps a bounded part of what a target sends, so a run's memory stays bounded; a body that does not fit is not judged",
			Samples: []*Sample{{Op: te.Op, Name: te.Exchange.Name, Attempts: []reports.Exchange{te.Exchange}}}}
	}
	return nil
}

// targetRefusal is what a preflight that met a transport refusal reports: the
// credentials' error as it is (exit 3), a redirect or a body too large as a target
// that cannot be tested. nil for any other error.
func (s *Session) targetRefusal(err error) error {
	var (
		ce *CredentialError
		re *RedirectError
		te *TooLargeError
	)
	switch {
	case errors.As(err, &ce):
		return ce
	case errors.As(err, &re):
		return &UnreachableError{Err: fmt.Errorf("the target at %s cannot be tested: %w", s.Endpoint, re)}
	case errors.As(err, &te):
		return &UnreachableError{Err: fmt.Errorf("the target at %s cannot be tested: %w", s.Endpoint, te)}
	}
	return nil
}

// NoRedirect is the CheckRedirect of every client the harness sends through: a
// redirect is handed back as the answer, never followed.
func NoRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
