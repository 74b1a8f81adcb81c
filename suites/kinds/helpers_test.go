package kinds

// Shared builders for the judges' table tests: canned exchanges (a cancel answer, a
// describe answer, a fault), the evidence of a walk that cancelled a running request,
// of a watch that saw a request progress, and one runner that checks a verdict. No
// server, no network: every answer is bytes, and the SDK view is decoded from them.

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// The identifiers the canned answers use.
const (
	project    = "dmsconform-project"
	projectARN = "arn:aws:dms:us-east-1:123456789012:migration-project:dmsconform-project"
	reqID      = "c0ffee00-1111-4222-8333-44445555abcd"
	watchID    = "c0ffee00-1111-4222-8333-00000000000a"
	failingID  = "c0ffee00-1111-4222-8333-0000000000fa"
	failMsg    = "Could not connect to the source data provider: host unreachable"
	jsonCT     = "application/x-amz-json-1.1"
	cancelOp   = "CancelMetadataModelConversion"
	describeOp = "DescribeMetadataModelConversions"
	startOp    = "StartMetadataModelConversion"
	family     = "conversion"
)

// The causes the lifecycle kinds report.
const (
	causeWalkStopped    = family + "/walk-stopped"
	causeStartRefused   = family + "/start-refused"
	causeWalkUnobserved = family + "/walk-unobserved"
	causeWatchStopped   = family + "/watch-stopped"
	causeCancelFailed   = family + "/cancel-failed"
	causeUnimplCancel   = "unimplemented/" + cancelOp
	causeUnimplStart    = "unimplemented/" + startOp
)

var loadModel = sync.OnceValue(spec.MustLoad)

// hdr is a header change of an answer: a value, or "" to drop the header.
type hdr struct{ key, value string }

// without drops a header from a canned answer.
func without(key string) hdr { return hdr{key, ""} }

// with sets a header of a canned answer.
func with(key, value string) hdr { return hdr{key, value} }

// exchange is one canned HTTP exchange: the awsJson 1.1 headers every answer carries
// (Content-Type and a request id), changed by hs.
func exchange(op string, status int, body string, hs ...hdr) reports.Exchange {
	h := map[string][]string{
		"Content-Type":     {jsonCT},
		"X-Amzn-Requestid": {"a1b2c3d4-0000-4000-8000-000000000001"},
		"Content-Length":   {fmt.Sprint(len(body))},
	}
	for _, x := range hs {
		if x.value == "" {
			delete(h, x.key)
			continue
		}
		h[x.key] = []string{x.value}
	}
	return reports.Exchange{
		View: "wire",
		Request: reports.HTTPMessage{Method: "POST", URL: "https://dms.us-east-1.amazonaws.com/",
			Headers: map[string][]string{"X-Amz-Target": {"AmazonDMSv20160101." + op}, "Content-Type": {jsonCT}},
			Body:    `{"MigrationProjectIdentifier":"` + project + `","RequestIdentifier":"` + reqID + `"}`},
		Response: reports.HTTPMessage{Status: status, Headers: h, Body: body},
		Attempt:  1,
	}
}

// raw is a sample of op answered status and body (headers changed by hs).
func raw(op, name string, status int, body string, hs ...hdr) *engine.Sample {
	return &engine.Sample{Op: op, Name: name, Attempts: []reports.Exchange{exchange(op, status, body, hs...)}}
}

// retried prepends transient attempts (a throttle, a 503) to a sample: only its last
// attempt counts.
func retried(s *engine.Sample, before ...reports.Exchange) *engine.Sample {
	for i := range before {
		before[i].Retried = "transient"
	}
	s.Attempts = append(before, s.Attempts...)
	return s
}

// obj is a JSON object of a canned body.
type obj map[string]any

// request is a SchemaConversionRequest with id, status ("": none) and the project's
// ARN; kv adds or replaces members (a nil value drops one; write null as jsonNull).
func request(id, status string, kv ...any) obj {
	r := obj{"RequestIdentifier": id, "Status": status, "MigrationProjectArn": projectARN}
	if status == "" {
		delete(r, "Status")
	}
	return set(r, kv...)
}

// progress is a Progress object at step; kv adds or replaces members.
func progress(step string, kv ...any) obj {
	return set(obj{"ProgressStep": step}, kv...)
}

func set(o obj, kv ...any) obj {
	if len(kv)%2 != 0 {
		panic("set: odd key/value list")
	}
	for i := 0; i < len(kv); i += 2 {
		k := kv[i].(string)
		if kv[i+1] == nil {
			delete(o, k)
			continue
		}
		o[k] = kv[i+1]
	}
	return o
}

// jsonNull is a member sent as JSON null (set drops a nil value instead).
type jsonNullT struct{}

func (jsonNullT) MarshalJSON() ([]byte, error) { return []byte("null"), nil }

var jsonNull = jsonNullT{}

// rawJSON writes a JSON literal as is (a number beyond float64, an exponent).
type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// cancelAnswer is a 200 cancel answer carrying req.
func cancelAnswer(name string, req obj, hs ...hdr) *engine.Sample {
	return raw(cancelOp, name, 200, mustJSON(obj{"Request": req}), hs...)
}

// describeAnswer is a 200 describe answer listing reqs.
func describeAnswer(name string, reqs ...obj) *engine.Sample {
	list := make([]any, len(reqs))
	for i, r := range reqs {
		list[i] = r
	}
	return raw(describeOp, name, 200, mustJSON(obj{"Requests": list}))
}

// startAnswer is a 200 start answer naming id.
func startAnswer(name, id string) *engine.Sample {
	return raw(startOp, name, 200, mustJSON(obj{"RequestIdentifier": id}))
}

// faultAnswer is an awsJson 1.1 fault of op: HTTP status, __type and message.
func faultAnswer(op, name string, status int, code, message string, hs ...hdr) *engine.Sample {
	return raw(op, name, status, mustJSON(obj{"__type": code, "message": message}), hs...)
}

// motoHTML500 is moto's answer to an action it does not implement.
func motoHTML500(op, name string) *engine.Sample {
	return raw(op, name, 500, "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request.</p>\n",
		with("Content-Type", "text/html; charset=utf-8"), without("X-Amzn-Requestid"))
}

// newEvidence is the evidence of the conversion family with no script gathered: the
// model, the family's operations and the facts of a target that speaks JSON.
func newEvidence() *engine.Evidence {
	m := loadModel()
	return &engine.Evidence{Model: m, Family: family,
		Cancel:   m.FamilyOperation(family, spec.RoleCancel),
		Describe: m.FamilyOperation(family, spec.RoleDescribe),
		Start:    m.FamilyOperation(family, spec.RoleStart),
		Project:  project,
		Facts:    engine.Facts{ServiceJSON: true}}
}

// cancelledWalk is the walk of a conforming target: a request started, cancelled at
// once (CANCELING), described to CANCELED, accepted by the SDK's waiter and refused
// a second cancel with InvalidResourceStateFault.
func cancelledWalk() *engine.WalkEvidence {
	return &engine.WalkEvidence{
		Starts:    []*engine.Sample{startAnswer("walk: start", reqID)},
		RequestID: reqID,
		Before:    describeAnswer("walk: describe before the cancel", request(reqID, "RECEIVED")),
		BeforeGap: "5ms",
		Cancel:    cancelAnswer("walk: cancel", request(reqID, "CANCELING", "Progress", progress("CONVERTING", "ProgressPercent", 40, "TotalObjects", 12))),
		Describes: []*engine.Sample{
			describeAnswer("walk: describe", request(reqID, "CANCELING", "Progress", progress("CONVERTING", "ProgressPercent", 40, "TotalObjects", 12))),
			describeAnswer("walk: describe", request(reqID, "CANCELED", "Progress", progress("CONVERTING", "ProgressPercent", 40, "TotalObjects", 12))),
		},
		Final:        "CANCELED",
		Waiter:       &engine.WaiterEvidence{Samples: []*engine.Sample{describeAnswer("walk: the SDK's cancelled waiter", request(reqID, "CANCELED"))}},
		SecondCancel: faultAnswer(cancelOp, "walk: cancel again", 400, "InvalidResourceStateFault", "Request "+reqID+" is already CANCELED"),
	}
}

// progressWatch is the watch of a conforming target: a request seen RECEIVED, then
// IN_PROGRESS through its steps, then SUCCESS.
func progressWatch() *engine.WatchEvidence {
	return &engine.WatchEvidence{
		Start:     startAnswer("watch: start", watchID),
		RequestID: watchID,
		Describes: []*engine.Sample{
			describeAnswer("watch: describe", request(watchID, "RECEIVED")),
			describeAnswer("watch: describe", request(watchID, "IN_PROGRESS", "Progress", progress("LOADING_METADATA", "ProgressPercent", 5))),
			describeAnswer("watch: describe", request(watchID, "IN_PROGRESS", "Progress", progress("CONVERTING", "ProgressPercent", 60, "TotalObjects", 40,
				"ProcessedObject", obj{"Name": "HR.EMPLOYEES", "Type": "TABLE", "EndpointType": "SOURCE"}))),
			describeAnswer("watch: describe", request(watchID, "SUCCESS", "Progress", progress("FINISHED", "ProgressPercent", 100, "TotalObjects", 40))),
		},
		ShortestStep: "2s",
	}
}

// walked is the evidence of a conforming target: the cancelled walk and the watch,
// changed by each change in turn.
func walked(changes ...func(*engine.Evidence)) *engine.Evidence {
	ev := newEvidence()
	ev.Walk, ev.Watch = cancelledWalk(), progressWatch()
	for _, c := range changes {
		c(ev)
	}
	return ev
}

// answering is the evidence of a walk whose cancel was answered cancel and whose
// polls were answered describes (an empty watch): the place to put one answer under
// the shape, union and enum judges.
func answering(cancel *engine.Sample, describes ...*engine.Sample) *engine.Evidence {
	ev := newEvidence()
	ev.Walk = &engine.WalkEvidence{Starts: []*engine.Sample{startAnswer("walk: start", reqID)}, RequestID: reqID, Cancel: cancel, Describes: describes}
	ev.Watch = &engine.WatchEvidence{Start: startAnswer("watch: start", watchID), RequestID: watchID}
	return ev
}

// scenario adds a scenario run of samples, each soliciting sol, to the evidence.
func scenario(ev *engine.Evidence, name string, sol *engine.Solicitation, samples ...*engine.Sample) *engine.Evidence {
	for _, s := range samples {
		s.Solicited = sol
	}
	if ev.Scenarios == nil {
		ev.Scenarios = &engine.ScenarioEvidence{}
	}
	ev.Scenarios.Runs = append(ev.Scenarios.Runs, &engine.ScenarioRun{Name: name, RequestID: reqID, Samples: samples})
	ev.Control = true
	return ev
}

// failingRun is the failing script of a target with a failing project: a request
// seen RECEIVED, IN_PROGRESS, then FAILED with its Error, and cancelled once more:
// InvalidResourceStateFault.
func failingRun(ev *engine.Evidence) {
	ev.FailingProject = true
	ev.Failing = &engine.FailingEvidence{Project: "dmsconform-failing", Start: startAnswer("failing: start", failingID), RequestID: failingID,
		Describes: []*engine.Sample{
			describeAnswer("failing: describe", request(failingID, "RECEIVED")),
			describeAnswer("failing: describe", request(failingID, "IN_PROGRESS", "Progress", progress("LOADING_METADATA", "ProgressPercent", 10))),
			describeAnswer("failing: describe", request(failingID, "FAILED", "Error", obj{"defaultErrorDetails": obj{"Message": failMsg}})),
		},
		Final:  "FAILED",
		Cancel: faultAnswer(cancelOp, "failing: cancel the ended request", 400, "InvalidResourceStateFault", "Request "+failingID+" is already FAILED"),
	}
}

// revisited is the end-of-run describe of requests: each id answered its object (nil:
// not listed), in id order.
func revisited(now map[string]obj) *engine.RevisitEvidence {
	ev := &engine.RevisitEvidence{}
	var ids []string
	for id := range now {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		smp := describeAnswer("revisit: describe "+id, now[id])
		if now[id] == nil {
			smp = describeAnswer("revisit: describe " + id)
		}
		ev.Requests = append(ev.Requests, &engine.RevisitedRequest{ID: id, Project: project, Sample: smp})
	}
	return ev
}

// withControl: the target has a control surface (scenario runs could make a request
// fail), though the evidence holds none.
func withControl(ev *engine.Evidence) { ev.Control = true }

// The cause of the Error checks on a target that offers nothing to make a request fail.
const causeNeedsFailing = "needs/failing-project"

// Blocked walks: the evidence of a walk that has no cancelled running request.

// unobservedWalk: every request ended before its cancel landed.
func unobservedWalk(ev *engine.Evidence) {
	ev.Walk = &engine.WalkEvidence{
		Starts: []*engine.Sample{startAnswer("walk: start", reqID)},
		Misses: []*engine.Sample{
			faultAnswer(cancelOp, "walk: cancel", 400, "InvalidResourceStateFault", "already SUCCESS"),
			describeAnswer("walk: describe the refused request", request(reqID, "SUCCESS")),
		},
		Unobserved: "each of the 3 requests the walk started had ended (SUCCESS) before its cancel landed",
	}
}

// refusedStartWalk: the target refused to start a request with an answer the Start
// operation does not model (modelled faults are the project's configuration: see
// misconfiguredWalk).
func refusedStartWalk(ev *engine.Evidence) {
	st := faultAnswer(startOp, "walk: start", 400, "ValidationException", "no such project")
	ev.Walk = &engine.WalkEvidence{Starts: []*engine.Sample{st}, Stopped: "StartMetadataModelConversion refused to start a request: " + st.Response().Summary()}
}

// emptyWalk: a walk that says neither why nor what (no cancel, no reason).
func emptyWalk(ev *engine.Evidence) { ev.Walk = &engine.WalkEvidence{} }

// failedCancelWalk: the cancel of the running request was answered a fault.
func failedCancelWalk(ev *engine.Evidence) {
	ev.Walk = &engine.WalkEvidence{Starts: []*engine.Sample{startAnswer("walk: start", reqID)}, RequestID: reqID,
		Cancel: faultAnswer(cancelOp, "walk: cancel", 400, "ResourceNotFoundFault", "no conversion request "+reqID)}
}

// unimplementedCancelWalk: the cancel was answered moto's HTML 500.
func unimplementedCancelWalk(ev *engine.Evidence) {
	ev.Walk = &engine.WalkEvidence{Starts: []*engine.Sample{startAnswer("walk: start", reqID)}, RequestID: reqID,
		Cancel: motoHTML500(cancelOp, "walk: cancel")}
}

// stoppedWatch: the watch could not start a request.
func stoppedWatch(ev *engine.Evidence) {
	ev.Watch = &engine.WatchEvidence{Start: faultAnswer(startOp, "watch: start", 400, "ValidationException", "no such project"),
		Stopped: "StartMetadataModelConversion refused to start a request"}
}

// misconfiguredWalk and misconfiguredWatch: the project's S3 bucket is denied, so the
// Start operation refuses with one of its modelled faults (S3AccessDeniedFault).
func misconfiguredWalk(ev *engine.Evidence) {
	st := faultAnswer(startOp, "walk: start", 400, "S3AccessDeniedFault", "Insufficient privileges")
	ev.Walk = &engine.WalkEvidence{Starts: []*engine.Sample{st}, Stopped: "StartMetadataModelConversion refused to start a request: " + st.Response().Summary()}
}

func misconfiguredWatch(ev *engine.Evidence) {
	ev.Watch = &engine.WatchEvidence{Start: faultAnswer(startOp, "watch: start", 400, "S3AccessDeniedFault", "Insufficient privileges"),
		Stopped: "StartMetadataModelConversion refused to start a request"}
}

// judgeCase is one table row: a kind judged on evidence, and the verdict wanted.
type judgeCase struct {
	name    string
	kind    engine.Kind
	ev      *engine.Evidence
	outcome reports.Outcome
	// message holds substrings the verdict's message must contain.
	message []string
	// cause is the ID of the cause that must decide the verdict ("": no cause).
	cause string
	// shows names samples (by Sample.Name substring) the verdict must show.
	shows []string
}

// runJudgeCases judges each case and checks its verdict.
func runJudgeCases(t *testing.T, cases []judgeCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := c.kind.Judge(c.ev)
			checkVerdict(t, v, c)
		})
	}
}

func checkVerdict(t *testing.T, v engine.Verdict, c judgeCase) {
	t.Helper()
	if v.Outcome != c.outcome {
		t.Errorf("outcome %s, want %s\nmessage: %s", v.Outcome, c.outcome, v.Message)
	}
	for _, m := range c.message {
		if !strings.Contains(v.Message, m) {
			t.Errorf("message does not say %q:\n%s", m, v.Message)
		}
	}
	switch {
	case c.cause == "" && v.Cause != nil:
		t.Errorf("decided by cause %s (%s), want the judge's own verdict", v.Cause.ID, v.Cause.Title)
	case c.cause != "" && v.Cause == nil:
		t.Errorf("no cause, want %s", c.cause)
	case c.cause != "" && v.Cause.ID != c.cause:
		t.Errorf("cause %s, want %s", v.Cause.ID, c.cause)
	case c.cause != "" && (v.Cause.Outcome != v.Outcome || !strings.Contains(v.Message, v.Cause.Title)):
		t.Errorf("cause %s says %s %q, the verdict %s %q", v.Cause.ID, v.Cause.Outcome, v.Cause.Title, v.Outcome, v.Message)
	}
	for _, name := range c.shows {
		if !shows(v, name) {
			t.Errorf("the verdict does not show a sample %q; it shows %s", name, sampleNames(v.Samples))
		}
	}
	for _, s := range v.Samples {
		if s == nil {
			t.Errorf("the verdict shows a nil sample: %s", sampleNames(v.Samples))
		}
	}
}

func shows(v engine.Verdict, name string) bool {
	for _, s := range v.Samples {
		if s != nil && strings.Contains(s.Name, name) {
			return true
		}
	}
	return false
}

func sampleNames(samples []*engine.Sample) string {
	names := make([]string, len(samples))
	for i, s := range samples {
		if s == nil {
			names[i] = "<nil>"
			continue
		}
		names[i] = fmt.Sprintf("%q", s.Name)
	}
	return "[" + strings.Join(names, ", ") + "]"
}

// decodedAs builds evidence until aws-sdk-go-v2's decoding of its sample satisfies
// want. The Go SDK decodes a union that carries __type (or two members) by Go's map
// order, a known deviation (fixtures/known-deviations.sdk.yaml): a case about one of
// its decodings builds fresh samples until the SDK made that one. Sample.SDK is
// memoised, so the judge reads the very decoding want saw; the verdict asserted is
// then deterministic, and each decoding comes up within a few tries.
func decodedAs(t *testing.T, build func() (*engine.Evidence, *engine.Sample), want func(canon any) bool) *engine.Evidence {
	t.Helper()
	for range 1000 {
		ev, smp := build()
		if canon, ok := sdkCanon(ev, smp); ok && want(canon) {
			return ev
		}
	}
	t.Fatalf("aws-sdk-go-v2 never decoded the canned answer the way the case needs in 1000 tries")
	return nil
}

// sdkMember is the SDK's canonical union at ptr: its one member name, or
// spec.UnknownTag+":"+tag for an unknown member ("" when unset).
func sdkMember(canon any, ptr string) string {
	u, _ := valueAtPointer(canon, ptr)
	m, _ := u.(map[string]any)
	for k, v := range m {
		if k == spec.UnknownTag {
			return k + ":" + fmt.Sprint(v)
		}
		return k
	}
	return ""
}

// blocked is evidence with no answer observed (a walk without a cancel, an empty
// watch), changed by change (one of the blocked walks).
func blocked(change func(*engine.Evidence)) *engine.Evidence {
	ev := answering(nil)
	change(ev)
	return ev
}

// closedSet is the evidence's model with the value set name closed: an undocumented
// value then fails (the model's sets are all open).
func closedSet(ev *engine.Evidence, name string) *engine.Evidence {
	m := *ev.Model
	m.ValueSets = map[string]*spec.ValueSet{}
	for k, vs := range ev.Model.ValueSets {
		m.ValueSets[k] = vs
	}
	vs := *m.ValueSets[name]
	vs.Open = false
	m.ValueSets[name] = &vs
	ev.Model = &m
	return ev
}

// failedAs is decodedAs for an answer the SDK turns into an error: it builds evidence
// until the SDK's error for its sample satisfies want (the Go SDK reads a fault's
// "message" and "Message" by map order).
func failedAs(t *testing.T, build func() (*engine.Evidence, *engine.Sample), want func(err error) bool) *engine.Evidence {
	t.Helper()
	for range 1000 {
		ev, smp := build()
		if _, err := smp.SDK(ev.Model.Operation(smp.Op)); err != nil && want(err) {
			return ev
		}
	}
	t.Fatalf("aws-sdk-go-v2 never failed the canned answer the way the case needs in 1000 tries")
	return nil
}

// notFound is evidence whose not-found probes were answered unknownRequest and
// unknownProject.
func notFound(unknownRequest, unknownProject *engine.Sample) *engine.Evidence {
	ev := walked()
	ev.NotFound = &engine.ProbeEvidence{Probes: []*engine.Probe{{Key: "unknown-request", Sample: unknownRequest}, {Key: "unknown-project", Sample: unknownProject}}}
	return ev
}

// The canned answers of the not-found probes: a conforming one, and one built from
// status, body and headers.
func unknownRequestFault() *engine.Sample {
	return faultAnswer(cancelOp, "cancel an unknown request", 400, "ResourceNotFoundFault", "Migration project "+project+" has no conversion request dmsconform-00000000")
}

func unknownProjectFault() *engine.Sample {
	return faultAnswer(cancelOp, "cancel in an unknown project", 400, "ResourceNotFoundFault", "Migration project dmsconform-no-such-project not found")
}

func unknownRequestAnswer(status int, body string, hs ...hdr) *engine.Sample {
	return raw(cancelOp, "cancel an unknown request", status, body, hs...)
}

// deniedBy is evidence whose denied-principal probe was answered smp.
func deniedBy(smp *engine.Sample) *engine.Evidence {
	ev := walked()
	ev.Denied = true
	ev.DeniedProbe = &engine.ProbeEvidence{Probes: []*engine.Probe{{Key: "denied", Sample: smp}}}
	return ev
}

// probed is walked evidence with one probe of a probe script: set picks which.
func probed(set func(*engine.Evidence, *engine.ProbeEvidence), key string, smp *engine.Sample) *engine.Evidence {
	ev := walked()
	set(ev, &engine.ProbeEvidence{Probes: []*engine.Probe{{Key: key, Sample: smp}}})
	return ev
}

func setInputs(ev *engine.Evidence, p *engine.ProbeEvidence)   { ev.Inputs = p }
func setProtocol(ev *engine.Evidence, p *engine.ProbeEvidence) { ev.Protocol = p }
