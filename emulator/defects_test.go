package emulator

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// probe drives one exchange against e (on a virtual clock with testStep steps) and
// returns the response the check inspects.
type probe func(t *testing.T, e *Emulator, vc *VirtualClock) *httptest.ResponseRecorder

func probeCancelUnknown(t *testing.T, e *Emulator, _ *VirtualClock) *httptest.ResponseRecorder {
	return raw(t, e, "CancelMetadataModelConversion", `{"MigrationProjectIdentifier":"`+DefaultProject+`","RequestIdentifier":"00000000-0000-4000-8000-000000000000"}`)
}

func probeDescribeAt(project string, steps float64) probe {
	return func(t *testing.T, e *Emulator, vc *VirtualClock) *httptest.ResponseRecorder {
		startRaw(t, e, FamilyConversion, project)
		vc.Advance(stepsDur(steps))
		return raw(t, e, "DescribeMetadataModelConversions", `{"MigrationProjectIdentifier":"`+project+`"}`)
	}
}

func stepsDur(steps float64) (d timeDuration) { return timeDuration(steps * float64(testStep)) }

func probeCancelAt(steps float64, key, secret string) probe {
	return func(t *testing.T, e *Emulator, vc *VirtualClock) *httptest.ResponseRecorder {
		id := startRaw(t, e, FamilyConversion, DefaultProject)
		vc.Advance(stepsDur(steps))
		w := rawSigned(t, e, "AmazonDMSv20160101.CancelMetadataModelConversion",
			[]byte(`{"MigrationProjectIdentifier":"`+DefaultProject+`","RequestIdentifier":"`+id+`"}`), key, secret)
		w.Header().Set("X-Test-Id", id) // the id cancelled, for the check
		return w
	}
}

// probeCancelThenDescribe cancels at 1.5 steps, lets two steps pass and describes.
func probeCancelThenDescribe(t *testing.T, e *Emulator, vc *VirtualClock) *httptest.ResponseRecorder {
	id := startRaw(t, e, FamilyConversion, DefaultProject)
	vc.Advance(stepsDur(1.5))
	if w := raw(t, e, "CancelMetadataModelConversion", `{"MigrationProjectIdentifier":"`+DefaultProject+`","RequestIdentifier":"`+id+`"}`); w.Code != 200 {
		t.Fatalf("cancel: %d %s", w.Code, w.Body)
	}
	vc.Advance(stepsDur(0.5))
	return raw(t, e, "DescribeMetadataModelConversions", `{"MigrationProjectIdentifier":"`+DefaultProject+`"}`)
}

func probeCancelThenDescribeLater(t *testing.T, e *Emulator, vc *VirtualClock) *httptest.ResponseRecorder {
	probeCancelThenDescribe(t, e, vc)
	vc.Advance(stepsDur(2))
	return raw(t, e, "DescribeMetadataModelConversions", `{"MigrationProjectIdentifier":"`+DefaultProject+`"}`)
}

// first returns the first SchemaConversionRequest of a Describe or Cancel answer.
func first(w *httptest.ResponseRecorder) map[string]any {
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(w.Body.String()))
	dec.UseNumber()
	if dec.Decode(&m) != nil {
		return nil
	}
	if r, ok := m["Request"].(map[string]any); ok {
		return r
	}
	if rs, ok := m["Requests"].([]any); ok && len(rs) > 0 {
		r, _ := rs[0].(map[string]any)
		return r
	}
	return nil
}

func progress(w *httptest.ResponseRecorder) map[string]any {
	p, _ := first(w)["Progress"].(map[string]any)
	return p
}

func errUnion(w *httptest.ResponseRecorder) map[string]any {
	u, _ := first(w)["Error"].(map[string]any)
	return u
}

func body(w *httptest.ResponseRecorder) map[string]any {
	var m map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &m)
	return m
}

// defectWireCases are the cases of TestDefectModes: for each defect mode, a probe and a
// check of its answer that passes only when the defect is on.
var defectWireCases = []struct {
	mode  string
	probe probe
	check func(w *httptest.ResponseRecorder, e *Emulator) bool
}{
	{DefectFaultWrongName, probeCancelUnknown, func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		return body(w)["__type"] == "ResourceNotFoundException" && w.Header().Get("X-Amzn-ErrorType") == "ResourceNotFoundException"
	}},
	{DefectFaultStatus500, probeCancelUnknown, func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		return w.Code == 500 && body(w)["__type"] == CodeResourceNotFound
	}},
	{DefectFaultStatus200, probeCancelUnknown, func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		return w.Code == 200 && body(w)["__type"] == CodeResourceNotFound
	}},
	{DefectFaultNoType, probeCancelUnknown, func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		_, has := body(w)["__type"]
		return !has && w.Header().Get("X-Amzn-ErrorType") == CodeResourceNotFound && body(w)["message"] != nil
	}},
	{DefectFaultMessageKey, probeCancelUnknown, func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		_, has := body(w)["message"]
		return !has && body(w)["errorMessage"] != nil
	}},
	{DefectFaultHeaderMismatch, probeCancelUnknown, func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		h := w.Header().Get("X-Amzn-ErrorType")
		return h != "" && body(w)["__type"] == CodeResourceNotFound && h != CodeResourceNotFound
	}},
	{DefectWrongContentType, probeDescribeAt(DefaultProject, 0), func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		return w.Header().Get("Content-Type") == "application/json"
	}},
	{DefectNoRequestID, probeDescribeAt(DefaultProject, 0), func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		return w.Code == 200 && w.Header().Get("x-amzn-RequestId") == "" && w.Header().Get("x-amz-RequestId") == ""
	}},
	{DefectUndocumentedStatus, probeDescribeAt(DefaultProject, 1.5), func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		return first(w)["Status"] == "PAUSED"
	}},
	{DefectUndocumentedStep, probeDescribeAt(DefaultProject, 1.5), func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		return progress(w)["ProgressStep"] == "VALIDATING"
	}},
	{DefectLowercaseEndpointType, probeDescribeAt(DefaultProject, 3.5), func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		po, _ := progress(w)["ProcessedObject"].(map[string]any)
		return po["EndpointType"] == "source"
	}},
	{DefectPercentOutOfRange, probeDescribeAt(DefaultProject, 1.5), func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		return progress(w)["ProgressPercent"] == json.Number("150")
	}},
	{DefectPercentAsString, probeDescribeAt(DefaultProject, 1.5), func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		return progress(w)["ProgressPercent"] == "50"
	}},
	{DefectTotalObjectsFloat, probeDescribeAt(DefaultProject, 3.5), func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		n, _ := progress(w)["TotalObjects"].(json.Number)
		return strings.HasSuffix(string(n), ".5")
	}},
	{DefectUnionTwoMembers, probeDescribeAt(FailingProject, 5), func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		u := errUnion(w)
		return len(u) == 2 && u["defaultErrorDetails"] != nil
	}},
	{DefectUnionEmpty, probeDescribeAt(FailingProject, 5), func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		u := errUnion(w)
		return u != nil && len(u) == 0
	}},
	{DefectUnionTypeInside, probeDescribeAt(FailingProject, 5), func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		u := errUnion(w)
		return u["__type"] != nil && u["defaultErrorDetails"] != nil
	}},
	{DefectUnionUnknownMember, probeDescribeAt(FailingProject, 5), func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		u := errUnion(w)
		return len(u) == 1 && u["futureErrorDetails"] != nil
	}},
	{DefectMissingRequestID, probeDescribeAt(DefaultProject, 0), func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		r := first(w)
		_, has := r["RequestIdentifier"]
		return r != nil && !has
	}},
	{DefectMissingProjectARN, probeDescribeAt(DefaultProject, 0), func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		r := first(w)
		_, has := r["MigrationProjectArn"]
		return r != nil && !has
	}},
	{DefectWrongProjectARN, probeDescribeAt(DefaultProject, 0), func(w *httptest.ResponseRecorder, e *Emulator) bool {
		arn, _ := first(w)["MigrationProjectArn"].(string)
		return arn != "" && arn != e.ProjectARN(DefaultProject) && arn == e.ProjectARN(FailingProject)
	}},
	{DefectCancelNoEffect, probeCancelThenDescribeLater, func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		return first(w)["Status"] == StatusInProgress
	}},
	{DefectCancelTerminal, probeCancelAt(6, DefaultAccessKeyID, DefaultSecretAccessKey), func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		return w.Code == 200 && first(w)["Status"] == StatusSuccess
	}},
	{DefectCancelUnknown, probeCancelUnknown, func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		return w.Code == 200 && first(w)["Status"] == StatusCanceling
	}},
	{DefectIgnoreTarget, func(t *testing.T, e *Emulator, _ *VirtualClock) *httptest.ResponseRecorder {
		return raw(t, e, "FrobnicateEverything", `{"MigrationProjectIdentifier":"`+DefaultProject+`","RequestIdentifier":"nope"}`)
	}, func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		return body(w)["__type"] == CodeResourceNotFound
	}},
	{DefectUnsignedAccepted, func(t *testing.T, e *Emulator, _ *VirtualClock) *httptest.ResponseRecorder {
		return raw(t, e, "DescribeMetadataModelConversions", `{"MigrationProjectIdentifier":"`+DefaultProject+`"}`, unsigned())
	}, func(w *httptest.ResponseRecorder, _ *Emulator) bool { return w.Code == 200 }},
	{DefectMissingMemberAccepted, func(t *testing.T, e *Emulator, _ *VirtualClock) *httptest.ResponseRecorder {
		return raw(t, e, "CancelMetadataModelConversion", `{"MigrationProjectIdentifier":"`+DefaultProject+`"}`)
	}, func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		return body(w)["__type"] == CodeResourceNotFound
	}},
	{DefectUndeclaredMember, probeDescribeAt(DefaultProject, 0), func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		return body(w)["ResponseMetadata"] != nil
	}},
	{DefectStatusDoubleL, probeCancelThenDescribe, func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		return first(w)["Status"] == "CANCELLING"
	}},
	{DefectStatusLowercase, probeCancelThenDescribe, func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		return first(w)["Status"] == "canceling"
	}},
	{DefectStepBackwards, probeDescribeAt(DefaultProject, 4.5), func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		return progress(w)["ProgressStep"] == StepLoadingMetadata
	}},
	{DefectDeniedAllowed, probeCancelAt(1.5, DeniedAccessKeyID, DeniedSecretAccessKey), func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		return w.Code == 200 && first(w)["Status"] == StatusCanceling
	}},
	{DefectRequestIDMismatch, probeCancelAt(1.5, DefaultAccessKeyID, DefaultSecretAccessKey), func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		id, _ := first(w)["RequestIdentifier"].(string)
		return w.Code == 200 && len(id) == 36 && id != w.Header().Get("X-Test-Id")
	}},
	{DefectNullMembers, probeDescribeAt(DefaultProject, 0), func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		p, has := first(w)["Progress"]
		return has && p == nil
	}},
	{DefectDescribeIgnoreFilters, func(t *testing.T, e *Emulator, _ *VirtualClock) *httptest.ResponseRecorder {
		id := startRaw(t, e, FamilyConversion, DefaultProject)
		startRaw(t, e, FamilyConversion, DefaultProject)
		return raw(t, e, "DescribeMetadataModelConversions", `{"MigrationProjectIdentifier":"`+DefaultProject+`","Filters":[{"Name":"request-id","Values":["`+id+`"]}]}`)
	}, func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		rs, _ := body(w)["Requests"].([]any)
		return len(rs) == 2
	}},
	{DefectCancelStuck, probeCancelThenDescribeLater, func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		return first(w)["Status"] == StatusCanceling
	}},
	{DefectStartNoIdentifier, func(t *testing.T, e *Emulator, _ *VirtualClock) *httptest.ResponseRecorder {
		return raw(t, e, "StartMetadataModelConversion", `{"MigrationProjectIdentifier":"`+DefaultProject+`","SelectionRules":"{}"}`)
	}, func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		_, has := body(w)["RequestIdentifier"]
		return w.Code == 200 && !has
	}},
	{DefectCancelAnyway, func(t *testing.T, e *Emulator, vc *VirtualClock) *httptest.ResponseRecorder {
		probeCancelThenDescribe(t, e, vc) // cancelled early, in LOADING_METADATA
		vc.Advance(stepsDur(5))
		return raw(t, e, "DescribeMetadataModelConversions", `{"MigrationProjectIdentifier":"`+DefaultProject+`"}`)
	}, func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		return first(w)["Status"] == StatusSuccess
	}},
	{DefectProgressNoStep, probeDescribeAt(DefaultProject, 1.5), func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		p := progress(w)
		_, has := p["ProgressStep"]
		return p != nil && !has
	}},
	{DefectStatusBackToReceived, probeDescribeAt(DefaultProject, 2.5), func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		return first(w)["Status"] == StatusReceived && progress(w)["ProgressStep"] == StepCountingObjects
	}},
	{DefectCancelAnswerTwice, probeCancelAt(1.5, DefaultAccessKeyID, DefaultSecretAccessKey), func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		return w.Code == 200 && first(w)["Status"] == StatusCanceling && strings.Count(w.Body.String(), `{"Request":`) == 2
	}},
	{DefectRequestDoubleEncoded, probeCancelAt(1.5, DefaultAccessKeyID, DefaultSecretAccessKey), func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		s, ok := body(w)["Request"].(string)
		return w.Code == 200 && ok && strings.Contains(s, `"Status":"CANCELING"`)
	}},
	{DefectEnumsAsNumbers, probeDescribeAt(DefaultProject, 3.5), func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		po, _ := progress(w)["ProcessedObject"].(map[string]any)
		_, st := first(w)["Status"].(json.Number)
		_, step := progress(w)["ProgressStep"].(json.Number)
		_, ep := po["EndpointType"].(json.Number)
		return st && step && ep
	}},
	{DefectErrorDetailsAsString, probeDescribeAt(FailingProject, 5), func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		s, ok := errUnion(w)["defaultErrorDetails"].(string)
		return ok && s != ""
	}},
	{DefectErrorMessageList, probeDescribeAt(FailingProject, 5), func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		d, _ := errUnion(w)["defaultErrorDetails"].(map[string]any)
		l, ok := d["Message"].([]any)
		return ok && len(l) == 1
	}},
	{DefectExportSQLAsObjects, func(t *testing.T, e *Emulator, vc *VirtualClock) *httptest.ResponseRecorder {
		e.AddScenario(Scenario{ExportSqlDetails: &ExportSQL{S3ObjectKey: "k.sql", ObjectURL: "https://example.invalid/k.sql"}})
		return probeDescribeAt(DefaultProject, 1.5)(t, e, vc)
	}, func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		x, _ := first(w)["ExportSqlDetails"].(map[string]any)
		k, _ := x["S3ObjectKey"].(map[string]any)
		u, _ := x["ObjectURL"].(map[string]any)
		return k["Key"] == "k.sql" && u["Key"] == "https://example.invalid/k.sql"
	}},
	{DefectNullStringMembers, probeDescribeAt(DefaultProject, 3.5), func(w *httptest.ResponseRecorder, e *Emulator) bool {
		arn, _ := first(w)["MigrationProjectArn"].(map[string]any)
		po, _ := progress(w)["ProcessedObject"].(map[string]any)
		name, _ := po["Name"].(map[string]any)
		typ, _ := po["Type"].(map[string]any)
		return arn["String"] == e.ProjectARN(DefaultProject) && arn["Valid"] == true && name["Valid"] == true && typ["String"] != nil
	}},
	{DefectCancelIDAsList, probeCancelAt(1.5, DefaultAccessKeyID, DefaultSecretAccessKey), func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		l, ok := first(w)["RequestIdentifier"].([]any)
		return w.Code == 200 && ok && len(l) == 1 && l[0] == w.Header().Get("X-Test-Id")
	}},
	{DefectInputTypeCoerced, func(t *testing.T, e *Emulator, _ *VirtualClock) *httptest.ResponseRecorder {
		return raw(t, e, "CancelMetadataModelConversion", `{"MigrationProjectIdentifier":"`+DefaultProject+`","RequestIdentifier":12345}`)
	}, func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		return body(w)["__type"] == CodeResourceNotFound && strings.Contains(body(w)["message"].(string), `"12345"`)
	}},
	{DefectInputLengthUnchecked, func(t *testing.T, e *Emulator, _ *VirtualClock) *httptest.ResponseRecorder {
		return raw(t, e, "CancelMetadataModelConversion", `{"MigrationProjectIdentifier":"`+strings.Repeat("p", 300)+`","RequestIdentifier":"x"}`)
	}, func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		return body(w)["__type"] == CodeResourceNotFound
	}},
	{DefectTerminalReverts, func(t *testing.T, e *Emulator, vc *VirtualClock) *httptest.ResponseRecorder {
		// Ended at 5 steps (RECEIVED, then four steps): SUCCESS when it ends, and still
		// SUCCESS two steps later (the polls that saw it end never see the defect),
		// IN_PROGRESS again three steps after its end.
		w := probeDescribeAt(DefaultProject, 7)(t, e, vc)
		if first(w)["Status"] != StatusSuccess {
			t.Fatalf("two steps after its end: %s", w.Body)
		}
		vc.Advance(stepsDur(1))
		return raw(t, e, "DescribeMetadataModelConversions", `{"MigrationProjectIdentifier":"`+DefaultProject+`"}`)
	}, func(w *httptest.ResponseRecorder, _ *Emulator) bool {
		return first(w)["Status"] == StatusInProgress
	}},
	{DefectBadSignatureAccepted, func(t *testing.T, e *Emulator, _ *VirtualClock) *httptest.ResponseRecorder {
		return rawSigned(t, e, "AmazonDMSv20160101.DescribeMetadataModelConversions",
			[]byte(`{"MigrationProjectIdentifier":"`+DefaultProject+`"}`), DefaultAccessKeyID, "not-the-secret-of-this-key")
	}, func(w *httptest.ResponseRecorder, _ *Emulator) bool { return w.Code == 200 }},
}

// TestDefectModes proves that every defect mode changes the wire as its description
// says: each check fails on the healthy emulator and passes with the mode on.
func TestDefectModes(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range defectWireCases {
		covered[tc.mode] = true
		t.Run(tc.mode, func(t *testing.T) {
			healthy, hvc := newTestEmulator(t, nil)
			hw := tc.probe(t, healthy, hvc)
			if tc.check(hw, healthy) {
				t.Fatalf("the check passes without the defect: %d %v %s", hw.Code, hw.Header(), hw.Body)
			}
			broken, bvc := newTestEmulator(t, func(c *Config) { c.Defects = []string{tc.mode} })
			bw := tc.probe(t, broken, bvc)
			if !tc.check(bw, broken) {
				t.Fatalf("%s (%s) not visible on the wire: %d %v %s", tc.mode, defectModes[tc.mode], bw.Code, bw.Header(), bw.Body)
			}
		})
	}
	for _, m := range DefectModes() {
		if !covered[m.Name] {
			t.Errorf("defect mode %s has no wire test", m.Name)
		}
		if m.Description == "" || strings.Contains(m.Description, "\n") {
			t.Errorf("defect mode %s needs a one-line description", m.Name)
		}
	}
}

type timeDuration = time.Duration
