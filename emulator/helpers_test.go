package emulator

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	dms "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"
)

const testStep = time.Second

// newTestEmulator builds an emulator on a virtual clock with one-second steps.
func newTestEmulator(t testing.TB, mod func(*Config)) (*Emulator, *VirtualClock) {
	t.Helper()
	vc := NewVirtualClock(time.Time{})
	cfg := Config{Clock: vc, StepDuration: testStep, Control: true}
	if mod != nil {
		mod(&cfg)
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e, vc
}

// startServer serves a test emulator on loopback and closes it with the test.
func startServer(t testing.TB, mod func(*Config)) *Server {
	t.Helper()
	cfg := Config{Clock: NewVirtualClock(time.Time{}), StepDuration: testStep, Control: true}
	if mod != nil {
		mod(&cfg)
	}
	s, err := Start(cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// sdkClient is the real aws-sdk-go-v2 DMS client pointed at s.
func sdkClient(s *Server, key, secret string) *dms.Client {
	return dms.New(dms.Options{
		BaseEndpoint:     aws.String(s.URL),
		Region:           s.Region,
		Credentials:      credentials.NewStaticCredentialsProvider(key, secret, ""),
		RetryMaxAttempts: 1,
	})
}

type rawOpt func(*http.Request)

// unsigned drops the signature.
func unsigned() rawOpt { return func(r *http.Request) { r.Header.Del("Authorization") } }

// raw sends one awsJson request to the handler, signed with the default key pair
// unless opts change it.
func raw(t testing.TB, e http.Handler, op, body string, opts ...rawOpt) *httptest.ResponseRecorder {
	t.Helper()
	return rawSigned(t, e, "AmazonDMSv20160101."+op, []byte(body), DefaultAccessKeyID, DefaultSecretAccessKey, opts...)
}

func rawSigned(t testing.TB, e http.Handler, target string, body []byte, key, secret string, opts ...rawOpt) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if target != "" {
		r.Header.Set("X-Amz-Target", target)
	}
	if key != "" {
		signRequest(t, r, body, key, secret, DefaultRegion)
	}
	for _, o := range opts {
		o(r)
	}
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	return w
}

func signRequest(t testing.TB, r *http.Request, body []byte, key, secret, region string) {
	t.Helper()
	sum := sha256.Sum256(body)
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret},
		r, hex.EncodeToString(sum[:]), "dms", region, time.Now())
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
}

// decode parses a JSON response body into a map.
func decode(t testing.TB, w *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(w.Body.Bytes()))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("response is not a JSON object: %v\n%s", err, w.Body.String())
	}
	return m
}

// startRaw starts a request through the wire and returns its id.
func startRaw(t testing.TB, e http.Handler, family, project string) string {
	t.Helper()
	var w *httptest.ResponseRecorder
	if family == FamilyCreation {
		w = raw(t, e, "StartMetadataModelCreation", `{"MigrationProjectIdentifier":"`+project+`","SelectionRules":"{}","MetadataModelName":"m1","Properties":{"StatementProperties":{"Definition":"select 1"}}}`)
	} else {
		w = raw(t, e, "StartMetadataModelConversion", `{"MigrationProjectIdentifier":"`+project+`","SelectionRules":"{}"}`)
	}
	if w.Code != 200 {
		t.Fatalf("start %s: %d %s", family, w.Code, w.Body)
	}
	id, _ := decode(t, w)["RequestIdentifier"].(string)
	if id == "" {
		t.Fatalf("start %s: no RequestIdentifier in %s", family, w.Body)
	}
	return id
}

// describeOne returns the wire object of one conversion request via Describe.
func describeOne(t testing.TB, e http.Handler, project, id string) map[string]any {
	t.Helper()
	w := raw(t, e, "DescribeMetadataModelConversions", `{"MigrationProjectIdentifier":"`+project+`"}`)
	if w.Code != 200 {
		t.Fatalf("describe: %d %s", w.Code, w.Body)
	}
	reqs, _ := decode(t, w)["Requests"].([]any)
	for _, r := range reqs {
		m, _ := r.(map[string]any)
		if m["RequestIdentifier"] == id || len(reqs) == 1 {
			return m
		}
	}
	t.Fatalf("describe: request %s not in %s", id, w.Body)
	return nil
}
