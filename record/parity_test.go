package record

import (
	"encoding/json"
	"strings"
	"testing"
)

func describeEx(seq int, body map[string]any, volatile ...string) Exchange {
	return Exchange{Seq: seq, View: "sdk", Name: "describe",
		Request:  Message{Method: "POST", Path: "/", Target: "AmazonDMSv20160101.DescribeMetadataModelConversions"},
		Response: Message{Status: 200, Headers: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amzn-Requestid": "<request-id:1>"}, Body: body},
		Volatile: append([]string{"/response/headers/X-Amzn-Requestid"}, volatile...)}
}

func rec1(exs ...Exchange) *Recording {
	return &Recording{Scripts: map[string]*ScriptFile{"conversion/walk": {Key: "conversion/walk", Exchanges: exs}}}
}

func diffsOf(p *Parity) map[string]Difference {
	out := map[string]Difference{}
	for _, c := range p.Scripts {
		for _, e := range c.Exchanges {
			for _, d := range e.Differences {
				out[d.Pointer] = d
			}
		}
	}
	return out
}

func TestParityStructuralDiff(t *testing.T) {
	recorded := map[string]any{"Requests": []any{map[string]any{
		"RequestIdentifier": "<request-id:4>", "Status": "CANCELED", "Percent": json.Number("1.0"),
		"Progress": map[string]any{"ProgressPercent": json.Number("10"), "Step": "A"}, "Gone": true, "Kind": "x",
		"Total": json.Number("9007199254740993"), "Same": json.Number("1e2"),
	}}, "Marker": "m"}
	current := map[string]any{"Requests": []any{map[string]any{
		"RequestIdentifier": "<request-id:9>", "Status": "CANCELING", "Percent": json.Number("1"),
		"Progress": map[string]any{"ProgressPercent": json.Number("55"), "Step": "A"}, "New": "n", "Kind": json.Number("1"),
		"Total": json.Number("9007199254740992"), "Same": json.Number("100.0"),
	}, map[string]any{}}, "Marker": "m"}
	p := Compare(rec1(describeEx(1, recorded, "/response/body/Requests/0/RequestIdentifier", "/response/body/Requests/0/Progress/ProgressPercent")),
		rec1(describeEx(1, current, "/response/body/Requests/0/RequestIdentifier", "/response/body/Requests/0/Progress/ProgressPercent")))
	want := map[string]string{
		"/response/body/Requests/0/Status": DiffChanged,
		"/response/body/Requests/0/Gone":   DiffRemoved,
		"/response/body/Requests/0/New":    DiffAdded,
		"/response/body/Requests/0/Kind":   DiffType,
		"/response/body/Requests/1":        DiffAdded,
		// The one number rule (jsonv): a long beyond 2^53 that a float64 rounds to
		// its neighbour differs.
		"/response/body/Requests/0/Total": DiffChanged,
	}
	got := diffsOf(p)
	for ptr, kind := range want {
		if got[ptr].Change != kind {
			t.Errorf("%s: %q, want %q", ptr, got[ptr].Change, kind)
		}
	}
	if len(got) != len(want) {
		t.Errorf("differences %v, want only %v (volatile values, 1.0 = 1, 1e2 = 100.0 and renumbered placeholders are equal)", got, want)
	}
	if d := got["/response/body/Requests/0/Kind"]; d.Recorded != "string" || d.Current != "number" {
		t.Errorf("type change %+v", d)
	}
	if p.Score != 0 || p.Perfect() || len(p.Operations) != 1 || p.Operations[0].Operation != "DescribeMetadataModelConversions" {
		t.Errorf("score %v operations %+v", p.Score, p.Operations)
	}
}

func TestParityVolatileTypeChangeStillCounts(t *testing.T) {
	a := describeEx(1, map[string]any{"TotalObjects": json.Number("3")}, "/response/body/TotalObjects")
	b := describeEx(1, map[string]any{"TotalObjects": "3"}, "/response/body/TotalObjects")
	got := diffsOf(Compare(rec1(a), rec1(b)))
	if got["/response/body/TotalObjects"].Change != DiffType {
		t.Errorf("a volatile member changing type: %v", got)
	}
	b = describeEx(1, map[string]any{"TotalObjects": json.Number("99")}, "/response/body/TotalObjects")
	if p := Compare(rec1(a), rec1(b)); !p.Perfect() {
		t.Errorf("a volatile value change counted: %v", diffsOf(p))
	}
}

func TestParityStatusFaultAndAlignment(t *testing.T) {
	fault := func(seq, status int, code string) Exchange {
		return Exchange{Seq: seq, View: "wire", Request: Message{Method: "POST", Path: "/", Target: "AmazonDMSv20160101.CancelMetadataModelConversion"},
			Response: Message{Status: status, Body: map[string]any{"__type": "com.amazonaws.dms#" + code}}}
	}
	start := func(seq int) Exchange {
		return Exchange{Seq: seq, View: "wire", Name: "start", Request: Message{Method: "POST", Path: "/", Target: "AmazonDMSv20160101.StartMetadataModelConversion"},
			Response: Message{Status: 200, Body: map[string]any{"RequestIdentifier": "<request-id:2>"}}}
	}
	// The current run starts once more: one extra exchange, the rest still aligned.
	recorded := rec1(start(1), fault(2, 400, "ResourceNotFoundFault"), describeEx(3, map[string]any{}))
	current := rec1(start(1), start(2), fault(3, 404, "ResourceNotFound"), describeEx(4, map[string]any{}))
	p := Compare(recorded, current)
	if p.Exchanges != 4 || p.Matching != 2 {
		t.Fatalf("%d of %d match, want 2 of 4: %+v", p.Matching, p.Exchanges, p.Scripts)
	}
	ex := p.Scripts[0].Exchanges
	if ex[1].Differences[0].Change != DiffExtra || ex[1].Seq != 0 || ex[1].CurrentSeq != 2 {
		t.Errorf("extra start: %+v", ex[1])
	}
	kinds := map[string]bool{}
	for _, d := range ex[2].Differences {
		kinds[d.Change+" "+d.Pointer] = true
	}
	for _, k := range []string{"status /response/status", "fault /response/fault", "changed /response/body/__type"} {
		if !kinds[k] {
			t.Errorf("missing %q in %v", k, kinds)
		}
	}
	var b strings.Builder
	if err := p.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"2 of 4 exchanges match: 50.00%", "StartMetadataModelConversion", "#-/2", "status    /response/status: 400 -> 404", "fault     /response/fault: \"ResourceNotFoundFault\" -> \"ResourceNotFound\""} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("text lacks %q:\n%s", s, b.String())
		}
	}
	// And the other way round: a call the current run did not make.
	p = Compare(current, recorded)
	if p.Scripts[0].Exchanges[1].Differences[0].Change != DiffMissing {
		t.Errorf("missing call: %+v", p.Scripts[0].Exchanges[1])
	}
}

func TestParityOfIdenticalRecordingsIsPerfect(t *testing.T) {
	r := testRecording()
	p := Compare(r, r)
	if !p.Perfect() || p.Score != 100 || p.Differences() != 0 {
		t.Errorf("self parity %v%%: %v", p.Score, diffsOf(p))
	}
	if _, err := MarshalParity(p); err != nil {
		t.Fatal(err)
	}
}

// TestParityIgnoresPaceWeatherAndTransport: a target that is polled more often until
// its answer changes (pace), whose calls are retried (weather), that names its server
// software, or that lacks a capability the recorded one had (a script only one side
// made), answers like the recording: 100%, with what was not scored said.
func TestParityIgnoresPaceWeatherAndTransport(t *testing.T) {
	running := map[string]any{"Status": "IN_PROGRESS"}
	done := map[string]any{"Status": "CANCELED"}
	withServer := func(e Exchange) Exchange {
		e.Response.Headers = map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amzn-Requestid": "<request-id:1>",
			"Server": "Werkzeug/3.1.3 Python/3.11.2", "Date": "<timestamp:1>", "Connection": "close", "Content-Length": "42"}
		return e
	}
	throttled := describeEx(2, running)
	throttled.Retried, throttled.Attempt = "ThrottlingException", 1
	throttled.Response.Status = 400
	recorded := rec1(describeEx(1, running), describeEx(2, done))
	recorded.Scripts["conversion/scenarios"] = &ScriptFile{Key: "conversion/scenarios", Exchanges: []Exchange{describeEx(1, running)}}
	current := rec1(withServer(describeEx(1, running)), throttled, withServer(describeEx(3, running)), withServer(describeEx(4, running)), withServer(describeEx(5, done)))
	p := Compare(recorded, current)
	if !p.Perfect() || p.Score != 100 || p.Exchanges != 2 {
		t.Errorf("%.2f%% of %d exchanges, want 100%% of 2: %v", p.Score, p.Exchanges, diffsOf(p))
	}
	if p.Ignored.Retries != 1 || p.Ignored.Polls != 2 {
		t.Errorf("ignored %+v, want 1 retry and 2 repeated polls", p.Ignored)
	}
	if len(p.NotCompared) != 1 || p.NotCompared[0].Key != "conversion/scenarios" || !strings.Contains(p.NotCompared[0].Reason, "only the recorded run") {
		t.Errorf("not compared %+v", p.NotCompared)
	}
	var b strings.Builder
	_ = p.WriteText(&b)
	for _, want := range []string{"not scored: 1 retried attempt(s) (weather), 2 poll(s) of a lifecycle state only one side was polled in or polled again (pace), 0 control-surface call(s)", "not compared: "} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
	// A target that never reaches the recorded end is still caught.
	stuck := rec1(describeEx(1, running), describeEx(2, running), describeEx(3, running))
	if p := Compare(recorded, stuck); p.Perfect() {
		t.Error("a lifecycle that never ends matches a recording that ends")
	}
}
