package record

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/dmsconform/dmsconform/internal/jsonv"
	"github.com/dmsconform/dmsconform/reports"
)

// Placeholder categories (Placeholder.Category; "kind" in a recording).
const (
	CategoryAccount   = "account"    // a 12-digit AWS account id, bare or inside an ARN
	CategoryUUID      = "uuid"       // any other UUID
	CategoryRequestID = "request-id" // x-amzn-RequestId values and request identifiers
	CategoryTimestamp = "timestamp"  // RFC 3339, HTTP-date or SigV4 (20060102T150405Z) times
)

// Shapes of replaced values (Placeholder.Shape).
const (
	ShapeAccount  = "account"
	ShapeUUID     = "uuid"
	ShapeOpaque   = "opaque"
	ShapeRFC3339  = "rfc3339"
	ShapeHTTPDate = "http-date"
	ShapeAmzDate  = "amz-date"
)

// VolatileMembers are JSON member names whose values depend on timing rather than on
// the target's behaviour: how far a conversion got when it was observed, and how
// many objects the project has. Their values are recorded as they were (a replay
// serves them back) but parity does not compare them; it still reports them added,
// removed or of another type. A member below a volatile member is volatile too.
var VolatileMembers = []string{"ProcessedObject", "ProgressPercent", "TotalObjects"}

// errorMessageMembers are the top-level members of an error response holding its
// message; their values are volatile (prose differs between implementations).
var errorMessageMembers = []string{"Message", "message"}

// droppedHeaders are not recorded: credentials, signatures and per-attempt noise.
var droppedHeaders = map[string]bool{
	"Authorization":         true,
	"X-Amz-Security-Token":  true,
	"X-Amz-Date":            true,
	"X-Amz-Content-Sha256":  true,
	"Amz-Sdk-Invocation-Id": true,
	"Amz-Sdk-Request":       true,
	"User-Agent":            true,
	"Content-Length":        true,
	"Date":                  true,
	"Connection":            true,
	"Accept-Encoding":       true,
	"Proxy-Authorization":   true,
	"Cookie":                true,
	"Set-Cookie":            true,
	"X-Dmsconform-Script":   true,
	"X-Amz-Target":          true, // recorded as request.target
	"X-Amzn-Trace-Id":       true,
	"X-Amz-Apigw-Id":        true,
	"X-Amz-Cf-Id":           true,
	"X-Amz-Id-2":            true,
	"X-Amzn-Remapped-Date":  true,
}

// requestIDHeaders carry a request id: their whole value becomes <request-id:N>.
var requestIDHeaders = map[string]bool{
	"X-Amzn-Requestid": true,
	"X-Amz-Request-Id": true,
}

// requestIDMembers are JSON members whose UUIDs are request ids.
var requestIDMembers = map[string]bool{"RequestIdentifier": true, "RequestId": true, "RequestID": true}

// secretMembers are JSON members whose values are credentials.
var secretMembers = map[string]bool{
	"secretaccesskey": true, "sessiontoken": true, "securitytoken": true, "accesskeyid": true,
	"token": true, "password": true,
}

var (
	reUUID      = regexp.MustCompile(`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)
	reUUIDFull  = regexp.MustCompile(`(?i)^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	reRFC3339   = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})`)
	reHTTPDate  = regexp.MustCompile(`\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT\b`)
	reAmzDate   = regexp.MustCompile(`\b\d{8}T\d{6}Z\b`)
	reHex8      = regexp.MustCompile(`\b[0-9a-f]{8}\b`)
	reEndpoint  = regexp.MustCompile(`https?://[A-Za-z0-9.\-]+(?::\d+)?|\b(?:127\.0\.0\.1|localhost|\[::1\]):\d+`)
	placeholder = regexp.MustCompile(`<(account|uuid|request-id|timestamp):(\d+)>`)
)

// Endpoint replaces scheme, host and port of URLs in free text (messages, errors):
// they are not evidence, and a loopback port changes every run.
const Endpoint = "<endpoint>"

// Normaliser turns captured exchanges into recorded ones. Placeholders are numbered
// per kind in the order values first appear, and a value keeps its placeholder
// everywhere (the same request id is <request-id:1> in every file of a recording).
// Use one Normaliser per recording. It is safe for concurrent use.
type Normaliser struct {
	mu       sync.Mutex
	values   map[string]string      // raw value (UUIDs lower-cased) -> placeholder
	counts   map[string]int         // kind -> placeholders issued
	info     map[string]Placeholder // placeholder -> kind and shape
	prefixes map[string]string      // first 8 hex digits of a UUID -> its placeholder
	redactor *reports.Redactor
}

// NewNormaliser returns a Normaliser that also scrubs the given secrets (access key
// ids, secret keys, session tokens) wherever they appear.
func NewNormaliser(secrets ...string) *Normaliser {
	return NewNormaliserWith(reports.NewRedactor(secrets...))
}

// NewNormaliserWith uses the run's own Redactor (the one redaction boundary of the
// reports and the console) for secrets.
func NewNormaliserWith(r *reports.Redactor) *Normaliser {
	return &Normaliser{
		values: map[string]string{}, counts: map[string]int{}, info: map[string]Placeholder{},
		prefixes: map[string]string{}, redactor: r,
	}
}

// Placeholders returns the placeholders issued so far.
func (n *Normaliser) Placeholders() map[string]Placeholder {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make(map[string]Placeholder, len(n.info))
	for k, v := range n.info {
		out[k] = v
	}
	return out
}

// Text normalises free text (an outcome message, a project name or ARN).
func (n *Normaliser) Text(s string) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.text(reEndpoint.ReplaceAllString(s, Endpoint), "")
}

// Exchange normalises one captured exchange.
func (n *Normaliser) Exchange(seq int, ex reports.Exchange) Exchange {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := Exchange{Seq: seq, View: ex.View, Attempt: ex.Attempt, Stream: ex.Script}
	if ex.Retried != "" {
		out.Retried = n.text(reEndpoint.ReplaceAllString(ex.Retried, Endpoint), "")
	}
	var vol []string
	out.Request = n.message(ex.Request, true, "/request", &vol)
	if ex.Error == "" || ex.Response.Status != 0 {
		out.Response = n.message(ex.Response, false, "/response", &vol)
	}
	if ex.Error != "" {
		out.Error = n.text(reEndpoint.ReplaceAllString(ex.Error, Endpoint), "")
	}
	out.Name = n.name(ex.Name)
	sort.Strings(vol)
	out.Volatile = slices.Compact(vol)
	return out
}

func (n *Normaliser) message(m reports.HTTPMessage, isRequest bool, ptr string, vol *[]string) Message {
	out := Message{Method: m.Method, Status: m.Status}
	if isRequest && m.URL != "" {
		p := m.URL
		if u, err := url.Parse(m.URL); err == nil {
			p = u.EscapedPath()
			if p == "" {
				p = "/"
			}
			if u.RawQuery != "" {
				p += "?" + u.RawQuery
			}
		}
		out.Path = n.track(p, n.text(p, ""), ptr+"/path", vol)
	}
	names := make([]string, 0, len(m.Headers))
	for k := range m.Headers {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		name := http.CanonicalHeaderKey(k)
		v := strings.Join(m.Headers[k], ", ")
		if name == "X-Amz-Target" && isRequest {
			out.Target = v
			continue
		}
		if droppedHeaders[name] {
			continue
		}
		hp := ptr + "/headers/" + jsonv.EscapePointer(name)
		var nv string
		if requestIDHeaders[name] && v != "" {
			nv = n.whole(v, CategoryRequestID)
		} else {
			nv = n.text(v, "")
		}
		if out.Headers == nil {
			out.Headers = map[string]string{}
		}
		out.Headers[name] = n.track(v, nv, hp, vol)
	}
	if m.Body != "" {
		if v, ok := parseJSON(m.Body); ok {
			out.Body = n.value(v, ptr+"/body", "", false, vol)
			// An error's message is prose, worded by each service its own way: kept
			// for the reader and a replay, not compared.
			if obj, ok := out.Body.(map[string]any); ok && !isRequest && m.Status >= 300 {
				for _, k := range errorMessageMembers {
					if _, ok := obj[k]; ok {
						*vol = append(*vol, ptr+"/body/"+k)
					}
				}
			}
		} else {
			out.BodyText = n.track(m.Body, n.text(m.Body, ""), ptr+"/bodyText", vol)
		}
	}
	return out
}

// track records ptr as volatile when normalisation changed the value.
func (n *Normaliser) track(before, after, ptr string, vol *[]string) string {
	if before != after {
		*vol = append(*vol, ptr)
	}
	return after
}

// value normalises a decoded JSON value. Keys are visited in sorted order, so
// placeholder numbering does not depend on map order.
func (n *Normaliser) value(v any, ptr, key string, volatile bool, vol *[]string) any {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make(map[string]any, len(x))
		for _, k := range keys {
			cp := ptr + "/" + jsonv.EscapePointer(k)
			if secretMembers[strings.ToLower(k)] {
				if s, ok := x[k].(string); ok && s != "" {
					out[k] = reports.Redacted
					*vol = append(*vol, cp)
					continue
				}
			}
			cv := volatile
			if !volatile && isVolatileMember(k) {
				cv = true
				*vol = append(*vol, cp)
			}
			out[k] = n.value(x[k], cp, k, cv, vol)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = n.value(e, fmt.Sprintf("%s/%d", ptr, i), key, volatile, vol)
		}
		return out
	case string:
		hint := ""
		if requestIDMembers[key] {
			hint = CategoryRequestID
		}
		s := n.text(x, hint)
		if s != x && !volatile {
			*vol = append(*vol, ptr)
		}
		return s
	}
	return v
}

func isVolatileMember(k string) bool {
	for _, m := range VolatileMembers {
		if m == k {
			return true
		}
	}
	return false
}

// text replaces timestamps, UUIDs and account ids by placeholders and scrubs secrets.
// hint KindRequestID makes new UUIDs request ids.
func (n *Normaliser) text(s, hint string) string {
	if s == "" {
		return s
	}
	s = reRFC3339.ReplaceAllStringFunc(s, func(m string) string { return n.place(m, CategoryTimestamp, ShapeRFC3339) })
	s = reHTTPDate.ReplaceAllStringFunc(s, func(m string) string { return n.place(m, CategoryTimestamp, ShapeHTTPDate) })
	s = reAmzDate.ReplaceAllStringFunc(s, func(m string) string { return n.place(m, CategoryTimestamp, ShapeAmzDate) })
	s = reUUID.ReplaceAllStringFunc(s, func(m string) string {
		kind := CategoryUUID
		if hint == CategoryRequestID {
			kind = CategoryRequestID
		}
		return n.place(strings.ToLower(m), kind, ShapeUUID)
	})
	// Account ids where they are account ids (reports.AccountSpans): a 12-digit
	// TotalObjects stays a number, so a recorded body stays JSON.
	s = n.redactor.ReplaceAccounts(s, func(id string) string { return n.place(id, CategoryAccount, ShapeAccount) })
	return n.redactor.String(s)
}

// whole replaces a whole value (a request-id header) by a placeholder.
func (n *Normaliser) whole(v, kind string) string {
	shape := ShapeOpaque
	if reUUIDFull.MatchString(v) {
		shape, v = ShapeUUID, strings.ToLower(v)
	}
	return n.place(v, kind, shape)
}

func (n *Normaliser) place(raw, kind, shape string) string {
	if p, ok := n.values[raw]; ok {
		return p
	}
	n.counts[kind]++
	p := fmt.Sprintf("<%s:%d>", kind, n.counts[kind])
	n.values[raw] = p
	n.info[p] = Placeholder{Category: kind, Shape: shape}
	if shape == ShapeUUID {
		n.prefixes[raw[:8]] = p
	}
	return p
}

// name normalises an exchange's name: besides text, the 8-digit prefixes of known
// UUIDs that names abbreviate ids with ("observe: describe 234a2cda").
func (n *Normaliser) name(s string) string {
	s = n.text(reEndpoint.ReplaceAllString(s, Endpoint), "")
	return reHex8.ReplaceAllStringFunc(s, func(m string) string {
		if p, ok := n.prefixes[m]; ok {
			return p
		}
		return m
	})
}

// parseJSON decodes a body as JSON (numbers verbatim). A body with trailing data,
// duplicate keys or a bare null is not stored as JSON: it is kept as text, so a
// replay serves exactly those bytes.
func parseJSON(s string) (any, bool) {
	v, err := jsonv.Decode([]byte(s))
	if err != nil || v == nil || jsonv.HasDuplicateKeys([]byte(s)) {
		return nil, false
	}
	return v, true
}

// generic strips placeholder numbers: parity compares <uuid:3> and <uuid:7> as equal,
// since two recordings number their values independently.
func generic(s string) string {
	return placeholder.ReplaceAllString(s, "<$1>")
}
