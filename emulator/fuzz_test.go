package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// FuzzServeHTTP feeds arbitrary targets, paths, bodies and signing modes to the
// handler. Whatever comes in, it must not panic (a recovered panic answers 500
// InternalFailure, which fails here too) and must answer a JSON object with a status;
// errors must carry __type, message and a matching X-Amzn-ErrorType.
//
//	go test -run '^$' -fuzz FuzzServeHTTP -fuzztime 30s ./emulator
func FuzzServeHTTP(f *testing.F) {
	for _, seed := range []struct {
		target, path, body string
		mode               byte
	}{
		{"AmazonDMSv20160101.CancelMetadataModelConversion", "/", `{"MigrationProjectIdentifier":"dmsconform-project","RequestIdentifier":"x"}`, 1},
		{"AmazonDMSv20160101.StartMetadataModelConversion", "/", `{"MigrationProjectIdentifier":"dmsconform-project","SelectionRules":"{}"}`, 1},
		{"AmazonDMSv20160101.StartMetadataModelCreation", "/", `{"MigrationProjectIdentifier":"dmsconform-failing","SelectionRules":"{}","MetadataModelName":"m","Properties":{"StatementProperties":{"Definition":"x"}}}`, 1},
		{"AmazonDMSv20160101.DescribeMetadataModelConversions", "/", `{"MigrationProjectIdentifier":"dmsconform-project","MaxRecords":1,"Marker":"dmsconform1.Y29udmVyc2lvbi8x","Filters":[{"Name":"status","Values":["RECEIVED"]}]}`, 1},
		{"AmazonDMSv20160101.DescribeMetadataModelCreations", "/", `{"MigrationProjectIdentifier":5}`, 2},
		{"AmazonDMSv20160101.CancelMetadataModelCreation", "/", `{`, 0},
		{"nothing", "/x", `[]`, 3},
		{"", "/_dmsconform/v1/reset", ``, 1},
	} {
		f.Add(seed.target, seed.path, []byte(seed.body), seed.mode)
	}
	e, _ := newTestEmulator(f, func(c *Config) { c.AutoAdvance = 300 * time.Millisecond; c.Control = false; c.MaxBodyBytes = 8192 })
	f.Fuzz(func(t *testing.T, target, path string, body []byte, mode byte) {
		r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", bytes.NewReader(body))
		if strings.HasPrefix(path, "/") && !strings.ContainsAny(path, "?#%") {
			r.URL.Path = path
		}
		r.Header.Set("Content-Type", "application/x-amz-json-1.1")
		r.Header.Set("X-Amz-Target", target)
		switch mode % 4 {
		case 1:
			signRequest(t, r, body, DefaultAccessKeyID, DefaultSecretAccessKey, DefaultRegion)
		case 2:
			signRequest(t, r, body, DeniedAccessKeyID, DeniedSecretAccessKey, DefaultRegion)
		case 3:
			signRequest(t, r, body, DefaultAccessKeyID, "wrong", DefaultRegion)
		}
		if mode >= 128 {
			_ = e.SetDefects([]string{DefectModes()[int(mode)%len(DefectModes())].Name})
			defer func() { _ = e.SetDefects(nil) }()
		}
		w := httptest.NewRecorder()
		e.ServeHTTP(w, r)
		var m map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
			t.Fatalf("answer is not a JSON object (%v): %d %q", err, w.Code, w.Body)
		}
		if w.Code < 200 || m["__type"] == CodeInternal {
			t.Fatalf("status %d (a recovered panic?): %s", w.Code, w.Body)
		}
		if mode >= 128 {
			return // a defect mode may break the error shape on purpose
		}
		if ct := w.Header().Get("Content-Type"); ct != "application/x-amz-json-1.1" {
			t.Fatalf("Content-Type %q", ct)
		}
		if w.Code >= 400 {
			code, _ := m["__type"].(string)
			msg, _ := m["message"].(string)
			if code == "" || msg == "" || w.Header().Get("X-Amzn-ErrorType") != code {
				t.Fatalf("error without __type/message/header: %d %v %s", w.Code, w.Header(), w.Body)
			}
		}
	})
}
