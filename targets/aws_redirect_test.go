package targets

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestAWSClientsNeverFollowARedirect: the client the aws target gives the SDK's own
// calls (STS, credential providers) hands a redirect back as an error and sends
// nothing to the new location, also where AWS_CA_BUNDLE makes the config loader
// rebuild its transport.
func TestAWSClientsNeverFollowARedirect(t *testing.T) {
	var sunk atomic.Int32
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sunk.Add(1) }))
	defer sink.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, sink.URL+"/stolen", http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, redirect.URL, strings.NewReader("Action=GetCallerIdentity"))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/...")
	resp, err := noRedirectClient().Do(req)
	if resp != nil {
		resp.Body.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "not followed") {
		t.Fatalf("a redirect must come back as an error saying it was not followed, got %v (status %v)", err, resp)
	}
	if n := sunk.Load(); n != 0 {
		t.Fatalf("the redirect's target received %d requests, want 0", n)
	}
}
