package reports

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestRedactorString(t *testing.T) {
	r := NewRedactor(testSecretKey, testSessionToken, "")
	cases := []struct{ in, want string }{
		{sampleAuth(), "AWS4-HMAC-SHA256 Credential=<redacted>/20260314/us-east-1/dms/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=<redacted>"},
		{"arn:aws:dms:us-east-1:" + testAccount1 + ":migration-project:x", "arn:aws:dms:us-east-1:<account-1>:migration-project:x"},
		{"owner " + testAccount2 + " and " + testAccount1, "owner <account-2> and <account-1>"},
		{"key " + testAccessKey + ".", "key <redacted>."},
		{"secret=" + testSecretKey, "secret=<redacted>"},
		{"q=" + url.QueryEscape(testSessionToken), "q=<redacted>"},
		{`{"SecretAccessKey": "abc\"def", "Other": "x"}`, `{"SecretAccessKey": "<redacted>", "Other": "x"}`},
		{"https://b.s3.amazonaws.com/k?X-Amz-Credential=" + testSTSKey + "%2F20260314%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=abc123&x=1",
			"https://b.s3.amazonaws.com/k?X-Amz-Credential=%3Credacted%3E%2F20260314%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=%3Credacted%3E&x=1"},
		{"unconfigured wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEZ end", "unconfigured <redacted> end"},
		{"tok FwoGZXIvYXdzEJr//////////wEaDOZRXYZ= end", "tok <redacted> end"},
		{"sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709 ok", "sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709 ok"},
		// Not account ids: longer digit runs, hex digests, timestamps.
		{"1234567890123 9f86d081884c7d659a2feaa0c55ad015 1710408413", "1234567890123 9f86d081884c7d659a2feaa0c55ad015 1710408413"},
		// A 12-digit number that is no account stays a number: JSON stays JSON.
		{`{"Progress":{"TotalObjects":555566667777}}`, `{"Progress":{"TotalObjects":555566667777}}`},
		// An id known as an account is one wherever it appears.
		{`{"TotalObjects":` + testAccount1 + `}`, `{"TotalObjects":<account-1>}`},
		// The dashed form, an STS answer, a JSON member, a URL's password.
		{"account 2109-8765-4321 is " + testAccount2, "account <account-2> is <account-2>"},
		{"<GetCallerIdentityResult><Account>444455556666</Account>", "<GetCallerIdentityResult><Account><account-3></Account>"},
		{`{"accountId":"777788889999","TotalObjects":777788889999}`, `{"accountId":"<account-4>","TotalObjects":<account-4>}`},
		{"--endpoint http://user:hunter2-PASS@dms.local:4566/x", "--endpoint http://user:<redacted>@dms.local:4566/x"},
		// Not the dashed form: a UUID, a date, a longer run.
		{"dmsconform-00000000-0000-4000-8000-000000000000 2026-1206-0000x 1234-5678-9012-3456", "dmsconform-00000000-0000-4000-8000-000000000000 2026-1206-0000x 1234-5678-9012-3456"},
	}
	for _, c := range cases {
		if got := r.String(c.in); got != c.want {
			t.Errorf("String(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestRedactorHeaders(t *testing.T) {
	r := NewRedactor()
	h := map[string][]string{
		"Authorization":        {sampleAuth()},
		"X-Amz-Security-Token": {testSessionToken},
		"Proxy-Authorization":  {"Basic dXNlcjpwYXNz"},
		"Content-Type":         {"application/x-amz-json-1.1"},
	}
	r.Headers(h)
	if got := h["Authorization"][0]; !strings.HasPrefix(got, "AWS4-HMAC-SHA256 Credential=<redacted>/20260314/") || !strings.Contains(got, "SignedHeaders=content-type;") || !strings.HasSuffix(got, "Signature=<redacted>") {
		t.Errorf("Authorization = %q", got)
	}
	if h["X-Amz-Security-Token"][0] != Redacted || h["Proxy-Authorization"][0] != Redacted || h["Content-Type"][0] != "application/x-amz-json-1.1" {
		t.Errorf("headers %v", h)
	}
	if got := r.Header("authorization", "Bearer abc.def"); got != "Bearer "+Redacted {
		t.Errorf("bearer: %q", got)
	}
}

// TestWriteAllLeavesNoSecrets writes a run full of credentials and account ids and
// scans every file in the folder for any trace of them.
func TestWriteAllLeavesNoSecrets(t *testing.T) {
	t.Run("configured", func(t *testing.T) { testNoSecrets(t, WithSecrets(testSecretKey, testSessionToken)) })
	// Without configured secrets the shape detectors must still catch the samples.
	t.Run("unconfigured", func(t *testing.T) { testNoSecrets(t) })
}

func testNoSecrets(t *testing.T, opts ...WriteOption) {
	run := sampleMutationRun()
	run.Target.Project = "arn:aws:dms:us-east-1:" + testAccount1 + ":migration-project:mp"
	run.Checks[0].Message += " token " + testSessionToken + " secret " + testSecretKey
	run.Checks[0].Labels = append(run.Checks[0].Labels, testAccount2)
	run.LabelFilter = "!account-" + testAccount2
	run.Checks = append(run.Checks, check("wire.account-"+testAccount2, "id with an account "+testAccount1, Fail, "wire"))
	run.Matrix.Killed["mode-"+testAccount1] = []string{testAccessKey}
	ApplyKnown(run, []KnownDeviation{{CheckID: "*", Target: "*", Reason: "ticket for account " + testAccount1, Expires: sampleStart.AddDate(1, 0, 0)}}, sampleStart)
	Compare(sampleRun(), run, nil, sampleStart)

	dir := writeSample(t, run, opts...)
	secrets := []string{testAccessKey, testSTSKey, testSecretKey, testSessionToken, testAccount1, testAccount2, testSignature}
	var encoded []string
	for _, s := range secrets {
		encoded = append(encoded, s, url.QueryEscape(s), strings.ReplaceAll(s, "/", `\/`), strings.ReplaceAll(s, "+", "&#43;"), strings.ReplaceAll(s, "/", "&#47;"))
	}
	keyShape := regexp.MustCompile(`(AKIA|ASIA|AKID)[A-Z0-9]{16,}`)
	files, _ := os.ReadDir(dir)
	if len(files) != 4 {
		t.Errorf("files %v, want the 4 reports (and no temporary files)", files)
	}
	for _, f := range files {
		data := readFile(t, filepath.Join(dir, f.Name()))
		for _, s := range encoded {
			if strings.Contains(data, s) {
				t.Errorf("%s contains %q", f.Name(), s)
			}
		}
		if m := keyShape.FindString(data); m != "" {
			t.Errorf("%s contains an access key id %q", f.Name(), m)
		}
		if !strings.Contains(data, "account-1") {
			t.Errorf("%s shows no account placeholder", f.Name())
		}
	}
	// Stable placeholders: account 1 is the same placeholder everywhere.
	j := readFile(t, filepath.Join(dir, FileJSON))
	if !strings.Contains(j, "arn:aws:dms:us-east-1:<account-1>:migration-project:mp") {
		t.Errorf("project ARN not redacted to <account-1>")
	}
	// The caller's run still has its raw data (redaction works on a copy).
	if !strings.Contains(run.Target.Project, testAccount1) {
		t.Error("WriteAll redacted the caller's run in place")
	}
}

// TestRedactorLearnsAccountsBeforeReplacing: a run that shows an account id bare
// before it shows it in an ARN still has it replaced everywhere; a TotalObjects of 12
// digits is left alone and its body stays JSON.
func TestRedactorLearnsAccountsBeforeReplacing(t *testing.T) {
	run := &Run{Checks: []Check{
		{Message: "seen in account " + testAccount1[:4] + "-" + testAccount1[4:8] + "-" + testAccount1[8:]},
		{Exchanges: []Exchange{{Response: HTTPMessage{Body: `{"Requests":[{"Progress":{"TotalObjects":` + testAccount2 + `}}]}`}}}},
		{Message: "raw " + testAccount1 + " first"},
	}, Target: Target{Project: "arn:aws:dms:us-east-1:" + testAccount1 + ":migration-project:p"}}
	clean, err := Redact(run, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m := clean.Checks[2].Message; m != "raw <account-1> first" {
		t.Errorf("a known account before its ARN: %q", m)
	}
	if m := clean.Checks[0].Message; m != "seen in account <account-1>" {
		t.Errorf("the dashed form: %q", m)
	}
	body := clean.Checks[1].Exchanges[0].Response.Body
	if !json.Valid([]byte(body)) || !strings.Contains(body, testAccount2) {
		t.Errorf("a TotalObjects of 12 digits: %s", body)
	}
	data, _ := json.Marshal(clean)
	if !json.Valid(data) {
		t.Error("report JSON is not valid")
	}
}

func TestAccountSpans(t *testing.T) {
	for in, want := range map[string][]string{
		"arn:aws:iam::123456789012:user/x":              {"123456789012"},
		"arn:aws-us-gov:dms:us-gov-west-1:123456789012": {"123456789012"},
		`"OwnerId": "123456789012"`:                     {"123456789012"},
		"1234-5678-9012":                                {"123456789012"},
		"x 123456789012 y":                              nil,
		"total 123456789012, account 210987654321":      {"210987654321"},
		"a4000-8000-0000 0000-4000-8000-000000000000":   nil,
	} {
		var got []string
		for _, sp := range AccountSpans(in, nil) {
			got = append(got, sp.ID)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("AccountSpans(%q) = %v, want %v", in, got, want)
		}
	}
	known := func(id string) bool { return id == "123456789012" }
	if sp := AccountSpans("x 123456789012 y", known); len(sp) != 1 || sp[0].Start != 2 || sp[0].End != 14 {
		t.Errorf("a known id: %+v", sp)
	}
}

func TestRedactPlaceholdersPerRun(t *testing.T) {
	arn := func(acct string) string { return "arn:aws:dms:us-east-1:" + acct + ":migration-project:p" }
	a, _ := Redact(&Run{Target: Target{Project: arn(testAccount2)}}, nil)
	b, _ := Redact(&Run{Target: Target{Project: arn(testAccount1)}}, nil)
	if a.Target.Project != arn("<account-1>") || b.Target.Project != arn("<account-1>") {
		t.Errorf("placeholders %q %q: each run numbers from 1", a.Target.Project, b.Target.Project)
	}
}
