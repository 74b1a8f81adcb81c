package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// JUnit XML in the shape Jenkins, GitLab, GitHub test-reporter actions and Buildkite
// read: <testsuites><testsuite><properties/><testcase>...</testcase></testsuite></testsuites>.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	ClassName string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// WriteJUnit writes run as JUnit XML: one testcase per check (classname the
// operation, or the run kind; name "ID: title"). fail → <failure>, error → <error>,
// skipped and unimplemented → <skipped message="skipped: ..."/"unimplemented: ...">,
// a failure covered by a known deviation → <skipped message="known deviation: ...">
// with the failure in <system-out> (like an expected failure in other tools), drift →
// a passing testcase with <system-out>drift: message</system-out>. A check decided by
// a cause names it in its message ("... (cause conversion/walk-stopped)"); an error
// testcase carries the cause's transcript. An interrupted run has the property
// interrupted=true. An unmet SHOULD is a passing testcase with <system-out>unmet
// SHOULD ...: message</system-out> and the suite property shouldUnmet (the IDs),
// unless the run is strict (property strict=true), when it is a <failure>. Messages
// in attributes are OneLine's form.
func WriteJUnit(w io.Writer, run *Run) error {
	return writeJUnitSuites(w, junitSuiteOf(run, ""))
}

// junitSuiteOf is one run as a testsuite; label (a merge's column) is added to the
// suite's name and to every testcase's classname, so the cases of several targets in
// one file stay apart.
func junitSuiteOf(run *Run, label string) junitSuite {
	suite := junitSuite{
		Name:       "dmsconform " + TargetLabel(run.Target),
		Time:       seconds(run.Duration),
		Properties: junitProperties(run),
	}
	causes := map[string]Cause{}
	for _, c := range run.Causes {
		if _, ok := causes[c.ID]; !ok {
			causes[c.ID] = c
		}
	}
	if !run.Started.IsZero() {
		suite.Timestamp = run.Started.UTC().Format("2006-01-02T15:04:05")
	}
	for _, c := range run.Checks {
		suite.add(run, c, label, causes)
	}
	if label != "" {
		suite.Name = "dmsconform " + label
		suite.Properties = append(suite.Properties, junitProperty{"label", label})
	}
	return suite
}

// junitProperties describes a run: its target, model and tool, and how it ran.
func junitProperties(run *Run) []junitProperty {
	props := []junitProperty{
		{"target", TargetLabel(run.Target)},
		{"target.kind", run.Target.TargetKind},
		{"model.version", run.Model.Version},
		{"model.sha256", run.Model.SHA256},
		{"tool", strings.TrimSpace(run.Tool.Name + " " + run.Tool.Version)},
		{"schemaVersion", run.SchemaVersion},
	}
	if run.Target.Endpoint != "" {
		props = append(props, junitProperty{"target.endpoint", run.Target.Endpoint})
	}
	if run.LabelFilter != "" {
		props = append(props, junitProperty{"labelFilter", run.LabelFilter})
	}
	if run.Interrupted {
		// A signal ended the run early: the checks it did not judge are skipped
		// testcases whose message names the cause "interrupted".
		props = append(props, junitProperty{"interrupted", "true"})
	}
	if run.Strict {
		props = append(props, junitProperty{"strict", "true"})
	}
	if n := notApplicableCount(run); n > 0 {
		props = append(props, junitProperty{"notApplicable", strconv.Itoa(n)})
	}
	if unmet := UnmetShoulds(run); len(unmet) > 0 {
		ids := make([]string, len(unmet))
		for i, c := range unmet {
			ids[i] = c.ID
		}
		props = append(props, junitProperty{"shouldUnmet", strings.Join(ids, " ")})
	}
	return props
}

// add adds a check's testcase and counts it.
func (s *junitSuite) add(run *Run, c Check, label string, causes map[string]Cause) {
	tc := junitCase{ClassName: c.Operation, Name: c.ID, Time: seconds(c.Duration)}
	if tc.ClassName == "" {
		tc.ClassName = run.Mode
	}
	if tc.ClassName == "" {
		tc.ClassName = "dmsconform"
	}
	if label != "" {
		tc.ClassName = label + " / " + tc.ClassName
	}
	if c.Title != "" {
		tc.Name = c.ID + ": " + c.Title
	}
	s.Tests++
	switch c.Outcome {
	case Pass:
	case Drift:
		tc.SystemOut = "drift: " + c.Message
	case Fail:
		if c.Known != nil {
			s.Skipped++
			tc.Skipped = &junitSkipped{Message: attr(fmt.Sprintf("known deviation until %s: %s", c.Known.Expires.UTC().Format(time.DateOnly), c.Known.Reason))}
			tc.SystemOut = "fail (known deviation): " + c.Message
			break
		}
		if Unmet(c) && !run.Strict {
			// Listed, not counted: a CI test view shows it passed, with its note.
			tc.SystemOut = "unmet SHOULD (" + levelWords(c, false) + "): " + c.Message
			if c.Source.Origin != "" {
				tc.SystemOut += "\nsource: " + c.Source.String()
			}
			break
		}
		s.Failures++
		tc.Failure = &junitProblem{Message: attr(orDefault(c.Message, "check failed")), Type: strings.TrimSpace(c.Level + " " + string(Fail)), Text: problemText(c)}
	case Skipped, Unimplemented:
		s.Skipped++
		word := string(c.Outcome)
		if IsNotApplicable(c) {
			word = "not applicable here (coverage)"
		}
		tc.Skipped = &junitSkipped{Message: causedAttr(word+": "+orDefault(c.Message, "no reason given"), c.Cause)}
	case Error:
		s.Errors++
		tc.Error = &junitProblem{Message: causedAttr(orDefault(c.Message, "harness error"), c.Cause), Type: string(Error), Text: problemText(c)}
		if cause, ok := causes[c.Cause]; ok {
			tc.Error.Text += causeText(cause)
		}
	default:
		s.Errors++
		tc.Error = &junitProblem{Message: attr(fmt.Sprintf("unknown outcome %q", c.Outcome)), Type: "unknown-outcome", Text: c.Message}
	}
	s.Cases = append(s.Cases, tc)
}

// writeJUnitSuites writes a JUnit document of suites, with their sums.
func writeJUnitSuites(w io.Writer, suites ...junitSuite) error {
	doc := junitSuites{Name: "dmsconform", Suites: suites}
	var total time.Duration
	for _, s := range suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Skipped += s.Skipped
		d, _ := time.ParseDuration(s.Time + "s")
		total += d
	}
	doc.Time = seconds(total)
	// Text a target sent may hold escape sequences and other characters XML cannot
	// carry: they are shown escaped (\x1b), not dropped.
	printableStrings(reflect.ValueOf(&doc))
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encode junit.xml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func problemText(c Check) string {
	var b strings.Builder
	b.WriteString(c.Message)
	if c.Description != "" {
		fmt.Fprintf(&b, "\n\ncheck: %s (%s)", c.Description, c.Level)
	}
	if c.Source.Origin != "" {
		fmt.Fprintf(&b, "\nsource: %s", c.Source)
	}
	if c.Pointer != "" {
		fmt.Fprintf(&b, "\nmodel: %s", c.Pointer)
	}
	writeExchangeLines(&b, c.Exchanges)
	return b.String()
}

// causeText is what an error testcase decided by a cause says of it: the cause's
// message and its transcript, one line per attempt.
func causeText(c Cause) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n\ncause %s (%s, %d checks): %s", c.ID, c.Outcome, c.Checks, c.Title)
	if m := strings.TrimSpace(c.Message); m != "" {
		b.WriteString("\n" + m)
	}
	writeExchangeLines(&b, c.Exchanges)
	return b.String()
}

// writeExchangeLines writes one line per exchange (repeats dropped): the request, the
// answer, the attempt and why it was retried.
func writeExchangeLines(b *strings.Builder, es []Exchange) {
	for _, e := range UniqueExchanges(es) {
		if e.Response.Status != 0 {
			fmt.Fprintf(b, "\n%s %s -> HTTP %d", e.Request.Method, e.Request.URL, e.Response.Status)
		} else {
			fmt.Fprintf(b, "\n%s %s -> no response", e.Request.Method, e.Request.URL)
		}
		if e.Error != "" {
			fmt.Fprintf(b, " (%s)", e.Error)
		}
		if e.Attempt > 1 || e.Retried != "" {
			fmt.Fprintf(b, " [attempt %d", e.Attempt)
			if e.Retried != "" {
				fmt.Fprintf(b, ", retried: %s", e.Retried)
			}
			b.WriteString("]")
		}
	}
}

// causedAttr is attr(s) naming the cause that decided the check, kept whole however
// long the message is.
func causedAttr(s, cause string) string {
	if cause == "" {
		return attr(s)
	}
	suffix := " (cause " + cause + ")"
	return OneLine(s, max(300-runeLen(suffix), 40)) + suffix
}

// attr shortens a message for an attribute: its one-line form (the header and the
// first problem of a list, see OneLine), at most 300 characters.
func attr(s string) string {
	return OneLine(s, 300)
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

func seconds(d time.Duration) string {
	return fmt.Sprintf("%.3f", d.Seconds())
}

// TargetLabel names a target in one short string, e.g. "embedded" or
// "endpoint http://localhost:4566" or "aws-sdk-go-v2 v1.64.0".
func TargetLabel(t Target) string {
	parts := []string{}
	for _, p := range []string{t.TargetKind, t.Name, t.Version} {
		if p != "" && (len(parts) == 0 || parts[len(parts)-1] != p) {
			parts = append(parts, p)
		}
	}
	if t.Endpoint != "" {
		parts = append(parts, t.Endpoint)
	}
	if t.Region != "" {
		parts = append(parts, t.Region)
	}
	if len(parts) == 0 {
		return "unknown target"
	}
	return strings.Join(parts, " ")
}
