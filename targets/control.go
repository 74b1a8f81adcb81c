package targets

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// control speaks to a dmsconform emulator's control surface (emulator.ControlPrefix):
// the engine.Control capability of the embedded target, of an endpoint given
// --control, and of a replayed recording that had one.
type control struct {
	base   string // ends in /
	http   *http.Client
	replay bool // name each call's script (engine.ScriptHeader), so a replay answers in order
}

func newControl(base string, timeout time.Duration, replay bool) *control {
	return &control{base: strings.TrimRight(base, "/") + "/", http: &http.Client{Timeout: timeout, CheckRedirect: engine.NoRedirect}, replay: replay}
}

var _ engine.Control = (*control)(nil)

// Projects implements engine.Control: GET info.
func (c *control) Projects(ctx context.Context, script string) ([]engine.ControlProject, reports.Exchange, error) {
	var info emulator.Info
	ex, err := c.do(ctx, script, "GET", "info", nil, &info)
	var out []engine.ControlProject
	for _, p := range info.Projects {
		out = append(out, engine.ControlProject{Name: p.Name, ARN: p.ARN})
	}
	return out, ex, err
}

// AddScenario implements engine.Control: POST scenarios.
func (c *control) AddScenario(ctx context.Context, script string, sc engine.Scenario) (reports.Exchange, error) {
	var out struct {
		ID string `json:"id"`
	}
	return c.do(ctx, script, "POST", "scenarios", scenarioOf(sc), &out)
}

// scenarioOf is the emulator's scenario for the engine's.
func scenarioOf(sc engine.Scenario) emulator.Scenario {
	out := emulator.Scenario{Project: sc.Project, Family: sc.Family, Tag: sc.Tag, HoldAtStep: sc.HoldAtStep, FailWith: sc.FailWith,
		UnknownUnionMember: sc.UnknownUnionMember, Status: sc.Status, ProgressStep: sc.ProgressStep, EndpointType: sc.EndpointType}
	if x := sc.ExportSQL; x != nil {
		out.ExportSqlDetails = &emulator.ExportSQL{S3ObjectKey: x.S3ObjectKey, ObjectURL: x.ObjectURL}
	}
	return out
}

func (c *control) do(ctx context.Context, script, method, path string, in, out any) (reports.Exchange, error) {
	var body []byte
	if in != nil {
		body, _ = json.Marshal(in)
	}
	ex := reports.Exchange{Name: "control " + method + " " + path, View: "control", Script: script, Attempt: 1,
		Request: reports.HTTPMessage{Method: method, URL: c.base + path, Body: string(body)}}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return ex, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.replay {
		req.Header.Set(engine.ScriptHeader, script)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	ex.Duration = time.Since(start)
	if err != nil {
		ex.Error = err.Error()
		return ex, fmt.Errorf("the control surface %s did not answer: %w (is --control right?)", c.base, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	ex.Response = reports.HTTPMessage{Status: resp.StatusCode, Headers: resp.Header.Clone(), Body: string(data)}
	if loc := resp.Header.Get("Location"); resp.StatusCode >= 300 && resp.StatusCode < 400 && loc != "" {
		return ex, fmt.Errorf("control surface %s %s: HTTP %d, a redirect to %s: not followed (nothing was sent there)", method, path, resp.StatusCode, loc)
	}
	if resp.StatusCode >= 300 {
		return ex, fmt.Errorf("control surface %s %s: HTTP %d: %s", method, path, resp.StatusCode, strings.TrimSpace(string(data)))
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return ex, fmt.Errorf("control surface %s %s: %w", method, path, err)
		}
	}
	return ex, nil
}
