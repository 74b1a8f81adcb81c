package hostile

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"
)

// upstream answers {"ok":N} with the X-Amz-Target it got, and counts its requests.
func upstream(t *testing.T) (*httptest.Server, *int) {
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		io.WriteString(w, `{"Name":"t","Target":"`+r.Header.Get("X-Amz-Target")+`"}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func call(t *testing.T, p *Proxy, target string) (*http.Response, string, error) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, p.URL+"/", strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", target)
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b), nil
}

func TestFaultsActOnTheCallsTheyPick(t *testing.T) {
	up, hits := upstream(t)
	p, err := Start(up.URL, From(2, When(OpIs("Cancel"), Respond(418, nil, "teapot"))))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for i, want := range []int{200, 200, 418, 418} {
		target := "P.Cancel"
		if i == 1 {
			target = "P.Describe"
		}
		resp, _, err := call(t, p, target)
		if err != nil || resp.StatusCode != want {
			t.Fatalf("call %d: %v %v, want %d", i+1, err, resp, want)
		}
	}
	if *hits != 2 || p.Calls() != 4 || len(p.Seen()) != 4 {
		t.Errorf("upstream %d, proxy %d calls, seen %d", *hits, p.Calls(), len(p.Seen()))
	}
}

func TestResetRedirectAndBodies(t *testing.T) {
	up, hits := upstream(t)
	sink, err := StartSink()
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	for name, tc := range map[string]struct {
		f     Fault
		check func(*http.Response, string, error) bool
	}{
		"reset": {Reset(), func(_ *http.Response, _ string, err error) bool { return errors.Is(err, syscall.ECONNRESET) }},
		"redirect": {Redirect(307, sink.URL), func(r *http.Response, _ string, err error) bool {
			return err == nil && r.StatusCode == 307 && r.Header.Get("Location") == sink.URL
		}},
		"pad": {Pad(1<<20, ' '), func(_ *http.Response, b string, err error) bool {
			return err == nil && len(b) == len(`{"Name":"t","Target":"P.X"}`)+1<<20
		}},
		"inflate": {Inflate("Name", 10, 'x'), func(_ *http.Response, b string, err error) bool {
			return err == nil && strings.HasPrefix(b, `{"Name":"xxxxxxxxxxt"`)
		}},
		"error": {AWSError(400, "ExpiredTokenException", "m"), func(r *http.Response, b string, err error) bool {
			return err == nil && r.StatusCode == 400 && r.Header.Get("Date") != "" && strings.Contains(b, `"__type":"ExpiredTokenException"`)
		}},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := Start(up.URL, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			resp, body, err := call(t, p, "P.X")
			if !tc.check(resp, body, err) {
				t.Errorf("%v %v %.80q", err, resp, body)
			}
		})
	}
	if sink.Connections() != 0 {
		t.Errorf("the sink got %d connections", sink.Connections())
	}
	before := *hits
	p, _ := Start(up.URL, Reset())
	defer p.Close()
	_, _, _ = call(t, p, "P.X")
	if *hits != before {
		t.Error("a reset call reached the upstream")
	}
}

// A server clock 10 minutes ahead refuses a request signed now, the way AWS does.
func TestClockSkew(t *testing.T) {
	up, _ := upstream(t)
	p, _ := Start(up.URL, ClockSkew(10*time.Minute, false))
	defer p.Close()
	req, _ := http.NewRequest(http.MethodPost, p.URL, strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", "P.X")
	req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(b), "Signature expired") {
		t.Errorf("%d %s", resp.StatusCode, b)
	}
	d, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil || time.Until(d) < 9*time.Minute {
		t.Errorf("Date %q", resp.Header.Get("Date"))
	}
}
