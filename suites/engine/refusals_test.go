package engine

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// The breaker counts failures over time: failures that arrive together right after an
// answer, or that were sent before the last answer came, do not open it; three
// failures after a whole call timeout without any answer do.
func TestBreakerCountsFailuresOverTime(t *testing.T) {
	b := newBreaker(time.Hour)
	b.success()
	sent := time.Now()
	for range 20 {
		b.failure(sent) // twenty simultaneous resets, just after an answer
	}
	if err := b.Open(); err != nil {
		t.Errorf("simultaneous failures right after an answer opened it: %v", err)
	}

	b = newBreaker(0)
	before := time.Now()
	b.success()
	for range 20 {
		b.failure(before) // sent before the last answer came: no proof of silence
	}
	if err := b.Open(); err != nil {
		t.Errorf("failures of attempts sent before the last answer opened it: %v", err)
	}

	b = newBreaker(50 * time.Millisecond)
	b.success()
	b.lastAnswer = time.Now().Add(-time.Second)
	for i := range breakerFailures {
		if b.Open() != nil {
			t.Fatalf("open after %d failures", i)
		}
		b.failure(time.Now())
	}
	if err := b.Open(); !errors.Is(err, ErrBreakerOpen) || !strings.Contains(err.Error(), "--call-timeout") {
		t.Errorf("three failures after a call timeout of silence: %v", err)
	}
	// Whatever else happens, a trip is the cause that stays.
	b = newBreaker(time.Hour)
	b.trip(&CredentialError{Op: "op", Code: "ExpiredTokenException"})
	b.failure(time.Now())
	var ce *CredentialError
	if !errors.As(b.allow(), &ce) {
		t.Errorf("after a trip: %v", b.allow())
	}
}

// An authentication refusal of a normally signed call ends the run with one cause; the
// same answer to a probe (unsigned, a corrupted signature) is evidence, and to the
// denied principal it blocks that principal's checks without ending the run.
func TestAuthRefusalEndsTheRunButIsEvidenceForProbes(t *testing.T) {
	h := &scripted{answers: []answer{jsonError(400, "ExpiredTokenException")}}
	s := openEndpoint(t, h, func(c *Config) { c.DeniedAccessKeyID, c.DeniedSecretAccessKey = "AKIDDENIED", "denied-secret" })
	op := s.Model.Operation(cancelOp)
	body := []byte(`{}`)
	for _, probe := range []wireRequest{{Name: "unsigned", Op: op, Body: body, Unsigned: true}, {Name: "bad", Op: op, Body: body, BadSig: true}} {
		smp, err := s.wire(context.Background(), "test", probe)
		if err != nil || smp.Response().ErrorCode() != "ExpiredTokenException" {
			t.Errorf("%s probe: %v %s", probe.Name, err, smp.Response().Summary())
		}
	}
	if s.breaker.Open() != nil {
		t.Fatalf("a probe's refusal ended the run: %v", s.breaker.Open())
	}
	// The denied principal's credentials refused: its checks are blocked, the run goes on.
	_, err := s.wire(context.Background(), "test", wireRequest{Name: "denied", Op: op, Body: body, Denied: true})
	var de *DeniedCredentialError
	if !errors.As(err, &de) || s.breaker.Open() != nil {
		t.Fatalf("denied principal refused: %v (breaker %v)", err, s.breaker.Open())
	}
	if c := transportCause(err); c == nil || c.ID != "denied-credentials" || !strings.Contains(c.Title, "--denied-access-key-id") {
		t.Errorf("cause %+v", c)
	}
	smp, err := cancelCall(t, s, context.Background())
	var ce *CredentialError
	if !errors.As(err, &ce) || ce.Code != "ExpiredTokenException" || len(smp.Attempts) != 1 {
		t.Fatalf("a normal call refused: %v, %d attempts", err, len(smp.Attempts))
	}
	hits := h.hits.Load()
	if _, err := cancelCall(t, s, context.Background()); !errors.As(err, &ce) || h.hits.Load() != hits {
		t.Errorf("after the refusal the run goes on: %v (%d -> %d hits)", err, hits, h.hits.Load())
	}
	if c := transportCause(err); c == nil || c.ID != "credentials" || !strings.Contains(c.Title, "refresh them") {
		t.Errorf("cause %+v", c)
	}
}

// A refusal about the request's time names the local clock and the server's Date.
func TestAuthRefusalAboutTheClock(t *testing.T) {
	date := time.Date(2026, 12, 6, 12, 10, 0, 0, time.UTC)
	local := date.Add(-10 * time.Minute)
	for code, msg := range map[string]string{
		"InvalidSignatureException": "Signature expired: 20261206T120000Z is now earlier than 20261206T120500Z (20261206T121000Z - 5 min.)",
		"RequestTimeTooSkewed":      "The difference between the request time and the current time is too large.",
	} {
		smp := sampleOf(cancelOp, 400, map[string]string{"Content-Type": "application/x-amz-json-1.1", "Date": date.Format(http.TimeFormat)},
			`{"__type":"`+code+`","message":"`+msg+`"}`)
		ce := authRefusal("op", smp.Response(), local)
		if ce == nil || !strings.Contains(ce.Error(), "the local clock says 2026-12-06T12:00:00Z") ||
			!strings.Contains(ce.Error(), "the server's Date header says 2026-12-06T12:10:00Z (the local clock is 10m0s behind)") {
			t.Errorf("%s: %v", code, ce)
		}
		if c := transportCause(ce); c == nil || c.ID != "clock" {
			t.Errorf("%s: cause %+v", code, c)
		}
	}
	// A signature that does not match is the credentials, not the clock.
	smp := sampleOf(cancelOp, 400, nil, `{"__type":"InvalidSignatureException","message":"The request signature we calculated does not match"}`)
	if ce := authRefusal("op", smp.Response(), local); ce == nil || ce.Clock != "" {
		t.Errorf("a wrong signature: %+v", ce)
	}
	for _, body := range []string{`{"__type":"AccessDeniedException"}`, `{"__type":"ResourceNotFoundFault"}`} {
		if ce := authRefusal("op", sampleOf(cancelOp, 400, nil, body).Response(), local); ce != nil {
			t.Errorf("%s is no authentication refusal: %v", body, ce)
		}
	}
}

// A redirect is never followed: it is an error naming the Location, and the transport
// sends nothing there.
func TestTransportNeverFollowsARedirect(t *testing.T) {
	elsewhere := &scripted{answers: []answer{jsonOK(`{}`)}}
	other := openEndpoint(t, elsewhere, nil)
	h := &scripted{answers: []answer{{status: 307, header: map[string]string{"Location": other.Endpoint + "/"}}}}
	s := openEndpoint(t, h, nil)
	smp, err := cancelCall(t, s, context.Background())
	var re *RedirectError
	if !errors.As(err, &re) || re.Location != other.Endpoint+"/" || len(smp.Attempts) != 1 {
		t.Fatalf("err %v, %d attempts", err, len(smp.Attempts))
	}
	if elsewhere.hits.Load() != 0 {
		t.Errorf("the redirect target got %d requests", elsewhere.hits.Load())
	}
	if c := transportCause(err); c == nil || c.ID != "redirect" || len(c.Samples) != 1 {
		t.Errorf("cause %+v", c)
	}
}

// A body larger than a judged answer may be is read for its size and sha256 only; the
// run keeps a bounded prefix, and bounded bodies in all.
func TestTransportKeepsABoundedPartOfHugeBodies(t *testing.T) {
	huge := strings.Repeat(" ", maxJudgedBody+10)
	h := &scripted{answers: []answer{jsonOK(`{"Requests":[]}` + huge)}}
	s := openEndpoint(t, h, nil)
	smp, err := cancelCall(t, s, context.Background())
	var te *TooLargeError
	if !errors.As(err, &te) || te.Size != int64(len(huge))+15 || len(te.SHA256) != 64 || te.Unended || te.Budget {
		t.Fatalf("err %v (%+v)", err, te)
	}
	if last := smp.Last(); len(last.Response.Body) != keptPrefix || last.Response.BodySize != te.Size {
		t.Errorf("kept %d bytes of %d", len(last.Response.Body), last.Response.BodySize)
	}
	if c := transportCause(err); c == nil || c.ID != "too-large" {
		t.Errorf("cause %+v", c)
	}
	// Once the run keeps its bound of bodies, even a small one is not kept.
	tr := s.http.Transport.(*transport)
	tr.kept.Store(maxKeptBodies - 10)
	h2 := &scripted{answers: []answer{jsonOK(`{"Request":{"Status":"CANCELING"}}`)}}
	s.Endpoint = openEndpoint(t, h2, nil).Endpoint
	if _, err := cancelCall(t, s, context.Background()); !errors.As(err, &te) || !te.Budget || !strings.Contains(err.Error(), "a run keeps") {
		t.Errorf("over the run's bound: %v", err)
	}
}

// refreshCredentials asks a CredentialsCache again only when the credentials a request
// carried are still the cached ones, and reports a refresh only when they changed.
func TestRefreshCredentials(t *testing.T) {
	n := 0
	cache := aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		n++
		return aws.Credentials{AccessKeyID: map[bool]string{true: "OLD", false: "NEW"}[n == 1], SecretAccessKey: "s", CanExpire: true, Expires: time.Now().Add(time.Hour)}, nil
	}))
	s := openEndpoint(t, &scripted{answers: []answer{jsonOK(`{}`)}}, nil)
	s.creds = cache
	tr := s.http.Transport.(*transport)
	req, _ := http.NewRequest(http.MethodPost, s.Endpoint, nil)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=OLD/20261206/us-east-1/dms/aws4_request, SignedHeaders=host, Signature=0")
	if _, err := cache.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	fresh, ok := tr.refreshCredentials(req)
	if !ok || fresh.AccessKeyID != "NEW" || n != 2 {
		t.Fatalf("refresh: %v %+v after %d retrievals", ok, fresh, n)
	}
	// Another call refused with the old key uses what the first refresh got.
	if fresh, ok := tr.refreshCredentials(req); !ok || fresh.AccessKeyID != "NEW" || n != 2 {
		t.Errorf("second refresh: %v %+v after %d retrievals", ok, fresh, n)
	}
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=NEW/20261206/us-east-1/dms/aws4_request, SignedHeaders=host, Signature=0")
	if _, ok := tr.refreshCredentials(req); ok {
		t.Error("refused with the newest credentials: nothing newer to try")
	}
	// Static credentials never refresh.
	s.creds = aws.NewConfig().Credentials
	if _, ok := tr.refreshCredentials(req); ok {
		t.Error("no CredentialsCache: nothing to refresh")
	}
}
