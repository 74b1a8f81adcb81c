package reports

import (
	"fmt"
	"maps"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Redacted replaces a secret value.
const Redacted = "<redacted>"

var (
	// SigV4 Authorization header (and the same text echoed anywhere else): keep the
	// algorithm, the credential scope and SignedHeaders; drop the access key id and
	// the signature.
	reCredential = regexp.MustCompile(`(Credential=)([^/,\s"&]+)(/)`)
	reSignature  = regexp.MustCompile(`(Signature=)([0-9A-Fa-f]+|[^,\s"&]+)`)
	// Presigned URL query parameters.
	reQueryCred  = regexp.MustCompile(`(?i)(X-Amz-Credential=)([^&\s"]+)`)
	reQuerySig   = regexp.MustCompile(`(?i)(X-Amz-Signature=)([^&\s"]+)`)
	reQueryToken = regexp.MustCompile(`(?i)(X-Amz-Security-Token=)([^&\s"]+)`)
	// JSON fields that carry credentials (e.g. an STS or credential-process response).
	reJSONSecret = regexp.MustCompile(`(?i)("(?:SecretAccessKey|SessionToken|SecurityToken|AccessKeyId|Token|Password)"\s*:\s*")((?:[^"\\]|\\.)*)(")`)
	// Anything that looks like an AWS access key id.
	reAccessKey = regexp.MustCompile(`\b(?:AKIA|ASIA|AKID)[A-Z0-9]{16,}\b`)
	// STS session tokens start with these base64 prefixes.
	reSessionToken = regexp.MustCompile(`(?:FwoGZXIvYXdz|IQoJb3JpZ2lu)[A-Za-z0-9/+=]{16,}`)
	// A candidate secret access key: a run of exactly 40 base64 characters.
	reSecretKey = regexp.MustCompile(`[A-Za-z0-9/+]{40,}`)
	// A password in a URL's userinfo (scheme://user:password@host).
	reURLPassword = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.\-]*://[^\s/@:"'<>]*:)([^\s/@"'<>]+)(@)`)
)

// sensitiveHeaders have their whole value replaced (compared case-insensitively).
var sensitiveHeaders = map[string]bool{
	"x-amz-security-token": true,
	"proxy-authorization":  true,
	"cookie":               true,
	"set-cookie":           true,
	"x-api-key":            true,
}

// Redactor scrubs credentials and account ids from a run before it is written. It
// replaces: the access key id and signature of SigV4 Authorization values (other
// Authorization schemes entirely), X-Amz-Security-Token and other credential headers,
// presigned-URL credential parameters, credential fields of JSON bodies, every
// configured secret (also URL- and JSON-encoded), anything shaped like an AWS access
// key id, an STS session token or a secret access key (40 mixed-case base64
// characters with a digit; pass secrets to NewRedactor to be sure), the password of a
// URL (scheme://user:password@host), and account ids where they are account ids (see
// AccountSpans: in ARNs, named as an account, the dashed form, and wherever an id
// already known as an account appears), each distinct id by a stable placeholder
// (<account-1>, <account-2> ... in order of first appearance). Other 12-digit numbers
// (a TotalObjects) stay as they are.
//
// One Redactor keeps one account numbering: use a new one per run. It is safe for
// concurrent use.
type Redactor struct {
	mu       sync.Mutex
	secrets  []string
	accounts map[string]string // account id -> placeholder; every known account is here
	// done remembers what each string redacted to: a run repeats the same header
	// values and bodies many times. Redaction is a function of the string once its
	// accounts are numbered, so the memo never changes an answer.
	done map[string]string
}

// NewRedactor returns a Redactor that also replaces the given secret strings (access
// key ids, secret access keys, session tokens, passwords). Empty strings are ignored.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{accounts: map[string]string{}, done: map[string]string{}}
	r.AddSecrets(secrets...)
	return r
}

// AddAccounts makes ids known account ids (an allow-list): wherever one appears as a
// 12-digit number, it is replaced.
func (r *Redactor) AddAccounts(ids ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range ids {
		if id = accountDigits(id); len(id) == 12 {
			r.learn(id)
		}
	}
}

// learn makes id a known account (r.mu held).
func (r *Redactor) learn(id string) {
	if _, ok := r.accounts[id]; !ok {
		r.account(id)
		r.done = map[string]string{} // an id just learnt may change earlier answers
	}
}

// ReplaceAccounts replaces the account ids in s (AccountSpans, with the ids this
// Redactor knows) by repl(id) and learns the ids it finds: the normaliser of a
// recording uses its own placeholders, the same accounts.
func (r *Redactor) ReplaceAccounts(s string, repl func(id string) string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.replaceAccounts(s, repl)
}

func (r *Redactor) replaceAccounts(s string, repl func(id string) string) string {
	if !longDigits(s, 4) {
		return s
	}
	spans := AccountSpans(s, func(id string) bool { _, ok := r.accounts[id]; return ok })
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		r.learn(sp.ID)
		b.WriteString(s[last:sp.Start])
		b.WriteString(repl(sp.ID))
		last = sp.End
	}
	b.WriteString(s[last:])
	return b.String()
}

// AddSecrets adds secret strings to replace.
func (r *Redactor) AddSecrets(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := map[string]bool{}
	for _, s := range r.secrets {
		seen[s] = true
	}
	for _, s := range secrets {
		if strings.TrimSpace(s) == "" {
			continue
		}
		r.done = map[string]string{} // a new secret may change earlier answers
		forms := []string{s, url.QueryEscape(s), url.PathEscape(s), strings.Trim(strconv.Quote(s), `"`), jsonEscape(s)}
		for _, f := range forms {
			if !seen[f] {
				seen[f] = true
				r.secrets = append(r.secrets, f)
			}
		}
	}
	// Longest first, so a secret that contains another is replaced whole.
	sort.SliceStable(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
}

func jsonEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '/':
			b.WriteString(`\/`)
		case '+':
			b.WriteString(`\u002b`)
		case '<':
			b.WriteString(`\u003c`)
		case '>':
			b.WriteString(`\u003e`)
		case '&':
			b.WriteString(`\u0026`)
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// String redacts one string.
func (r *Redactor) String(s string) string {
	if s == "" {
		return s
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.str(s)
}

func (r *Redactor) str(s string) string {
	if s == "" {
		return s
	}
	if out, ok := r.done[s]; ok {
		return out
	}
	out := r.redact(s)
	if len(r.done) < 1<<16 {
		r.done[s] = out
	}
	return out
}

// redact applies every rule; each regular expression runs only when a cheap test says
// it could match (most strings of a run are short JSON and header values).
func (r *Redactor) redact(s string) string {
	for _, sec := range r.secrets {
		if strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, Redacted)
		}
	}
	if strings.Contains(s, "Credential=") {
		s = reCredential.ReplaceAllString(s, "${1}"+Redacted+"${3}")
	}
	if strings.Contains(s, "Signature=") {
		s = reSignature.ReplaceAllString(s, "${1}"+Redacted)
	}
	if strings.Contains(s, "=") && containsFold(s, "x-amz-") {
		s = reQueryCred.ReplaceAllStringFunc(s, func(m string) string {
			// Keep the scope (date/region/service/aws4_request) after the key id.
			sub := reQueryCred.FindStringSubmatch(m)
			val := sub[2]
			if i := strings.Index(strings.ToLower(val), "%2f"); i >= 0 {
				return sub[1] + url.QueryEscape(Redacted) + val[i:]
			}
			if i := strings.Index(val, "/"); i >= 0 {
				return sub[1] + url.QueryEscape(Redacted) + val[i:]
			}
			return sub[1] + url.QueryEscape(Redacted)
		})
		s = reQuerySig.ReplaceAllString(s, "${1}"+url.QueryEscape(Redacted))
		s = reQueryToken.ReplaceAllString(s, "${1}"+url.QueryEscape(Redacted))
	}
	if strings.Contains(s, `"`) {
		s = reJSONSecret.ReplaceAllString(s, "${1}"+Redacted+"${3}")
	}
	if strings.Contains(s, "AKIA") || strings.Contains(s, "ASIA") || strings.Contains(s, "AKID") {
		s = reAccessKey.ReplaceAllString(s, Redacted)
	}
	if strings.Contains(s, "FwoGZXIvYXdz") || strings.Contains(s, "IQoJb3JpZ2lu") {
		s = reSessionToken.ReplaceAllString(s, Redacted)
	}
	if longRun(s, 40) {
		s = reSecretKey.ReplaceAllStringFunc(s, redactSecretKeyShape)
	}
	if strings.Contains(s, "://") && strings.Contains(s, "@") {
		s = reURLPassword.ReplaceAllString(s, "${1}"+Redacted+"${3}")
	}
	return r.replaceAccounts(s, r.account)
}

// uuidTail reports whether position i follows "xxxx-xxxx-" of a UUID's hex groups.
func uuidTail(s string, i int) bool {
	if i < 10 || s[i-1] != '-' || s[i-6] != '-' {
		return false
	}
	for _, c := range s[i-10:i-6] + s[i-5:i-1] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// longRun reports a run of at least n base64 characters ([A-Za-z0-9/+]).
func longRun(s string, n int) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '/' || c == '+' {
			if run++; run >= n {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// longDigits reports a run of at least n digits.
func longDigits(s string, n int) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			if run++; run >= n {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), sub)
}

// redactSecretKeyShape redacts a run of exactly 40 base64 characters with upper and
// lower case letters and a digit: the shape of a secret access key that was not
// passed to NewRedactor. Hex digests (one case) and longer runs are left alone.
func redactSecretKeyShape(m string) string {
	if len(m) != 40 || strings.Contains(m, "//") {
		return m
	}
	var upper, lower, digit bool
	for _, c := range m {
		switch {
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= '0' && c <= '9':
			digit = true
		}
	}
	if upper && lower && digit {
		return Redacted
	}
	return m
}

func (r *Redactor) account(id string) string {
	if p, ok := r.accounts[id]; ok {
		return p
	}
	p := fmt.Sprintf("<account-%d>", len(r.accounts)+1)
	r.accounts[id] = p
	return p
}

// Header redacts the value of one header; name decides how (Authorization keeps its
// algorithm, scope and SignedHeaders).
func (r *Redactor) Header(name, value string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.header(name, value)
}

func (r *Redactor) header(name, value string) string {
	lower := strings.ToLower(name)
	switch {
	case sensitiveHeaders[lower]:
		if value == "" {
			return value
		}
		return Redacted
	case lower == "authorization":
		if strings.HasPrefix(value, "AWS4-") {
			return r.str(value)
		}
		scheme, _, found := strings.Cut(value, " ")
		if found && scheme != "" {
			return scheme + " " + Redacted
		}
		if value == "" {
			return value
		}
		return Redacted
	}
	return r.str(value)
}

// Headers redacts a header map in place.
func (r *Redactor) Headers(h map[string][]string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.headers(h)
}

func (r *Redactor) headers(h map[string][]string) {
	for _, name := range slices.Sorted(maps.Keys(h)) {
		for i, v := range h[name] {
			h[name][i] = r.header(name, v)
		}
	}
}

// Exchange redacts one exchange in place.
func (r *Redactor) Exchange(e *Exchange) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.walk(reflect.ValueOf(e).Elem())
}

// Run redacts every string of a run in place: transcripts (URLs, headers, bodies),
// messages, the target (a project ARN holds an account id), known-deviation reasons,
// everything. It first learns every account id the run shows as one (an ARN, an
// "Account" member), so the same id is replaced wherever else it appears, whichever
// string comes first. Account placeholders are numbered in the order the walk meets
// them, which is deterministic (checks in slice order, map keys sorted).
func (r *Redactor) Run(run *Run) {
	if run == nil {
		return
	}
	redactValue(r, run)
}

// redactValue redacts every string reachable from the pointer p in place: first it
// learns every account id that stands where account ids stand (an ARN, an "Account"
// field, the dashed form), so a bare id elsewhere in the value (a label, a message)
// is known by then; then it replaces.
func redactValue(r *Redactor, p any) {
	if r == nil || p == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	v := reflect.ValueOf(p).Elem()
	eachString(v, func(s string) {
		if longDigits(s, 4) {
			for _, sp := range AccountSpans(s, nil) {
				r.learn(sp.ID)
			}
		}
	})
	r.walk(v)
}

// eachString calls f with every string reachable from v (map keys too).
func eachString(v reflect.Value, f func(string)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			eachString(v.Elem(), f)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				eachString(v.Field(i), f)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			eachString(v.Index(i), f)
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i].Interface()) < fmt.Sprint(keys[j].Interface()) })
		for _, k := range keys {
			eachString(k, f)
			eachString(v.MapIndex(k), f)
		}
	case reflect.String:
		f(v.String())
	}
}

var httpMessageType = reflect.TypeOf(HTTPMessage{})

// walk redacts every settable string reachable from v. It is reflective so fields
// other engineers add to the model are covered without touching this file.
func (r *Redactor) walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			r.walk(v.Elem())
		}
	case reflect.Struct:
		if v.Type() == httpMessageType && v.CanSet() {
			m := v.Addr().Interface().(*HTTPMessage)
			m.Method = r.str(m.Method)
			m.URL = r.str(m.URL)
			r.headers(m.Headers)
			m.Body = r.str(m.Body)
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanSet() {
				r.walk(f)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			r.walk(v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i].Interface()) < fmt.Sprint(keys[j].Interface()) })
		for _, k := range keys {
			val := reflect.New(v.Type().Elem()).Elem()
			val.Set(v.MapIndex(k))
			r.walk(val)
			nk := k
			if k.Kind() == reflect.String {
				nk = reflect.New(k.Type()).Elem()
				nk.SetString(r.str(k.String()))
			}
			if nk.Interface() != k.Interface() {
				v.SetMapIndex(k, reflect.Value{})
			}
			v.SetMapIndex(nk, val)
		}
	case reflect.String:
		if v.CanSet() {
			v.SetString(r.str(v.String()))
		}
	}
}
