package runner

import (
	"strings"
	"testing"
	"time"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// TestAStepThatGoesBackBetweenTwoPollsIsCaught: a real-time emulator whose ProgressStep
// goes back (step-backwards: LOADING_METADATA again where CONVERTING belongs) for one
// step only, 800-1000 ms after the start. A poll that only backs off (50 ms doubling
// to 800 ms: describes at 0, 50, 150, 350, 750, 1550 ms) never samples that step; the
// watch looks again soon after every change, and never waits longer than half a step
// once it has seen two, so it samples every step and the order check fails.
func TestAStepThatGoesBackBetweenTwoPollsIsCaught(t *testing.T) {
	if testing.Short() {
		t.Skip("a real-time run")
	}
	srv := wallEmulator(t, 200*time.Millisecond, func(c *emulator.Config) { c.Defects = []string{emulator.DefectStepBackwards} })
	cfg := engine.Config{Target: engine.TargetEndpoint, Endpoint: srv.URL, Project: emulator.DefaultProject,
		MinDelay: 50 * time.Millisecond, MaxDelay: 800 * time.Millisecond}
	const id = "CancelMetadataModelConversion.enum.ProgressStep.order"
	res, err := run(t, Options{Config: cfg, LabelFilter: "conversion && enum && inferred"})
	if err != nil {
		t.Fatal(err)
	}
	c := byID(res.Run)[id]
	if c.Outcome != reports.Fail || !strings.Contains(c.Message, "ANALYZING") || !strings.Contains(c.Message, "LOADING_METADATA") {
		t.Fatalf("%s: %s %s, want the step that went back caught", id, c.Outcome, c.Message)
	}
}

// TestAnUndocumentedStatusIsSaidAtOnce: a walk waiting on CANCELLED (double L, a Status
// the documentation does not list) says so at once in the progress lines of a CI log,
// naming the request and what it waits for, not only when --lifecycle-timeout ends.
func TestAnUndocumentedStatusIsSaidAtOnce(t *testing.T) {
	var out strings.Builder
	res, err := run(t, Options{Stdout: &out, Stderr: &out, Progress: "lines", LabelFilter: "conversion && lifecycle",
		Config: engine.Config{Defects: []string{emulator.DefectStatusDoubleL}}})
	if err != nil {
		t.Fatal(err)
	}
	console := out.String()
	note := strings.Index(console, "note: conversion/walk: request ")
	if note < 0 || !strings.Contains(console[note:], `which the documentation does not list (RECEIVED, IN_PROGRESS, SUCCESS, FAILED, CANCELING, CANCELED): waiting for a documented end until --lifecycle-timeout`) {
		t.Fatalf("no note of the undocumented Status:\n%s", console)
	}
	if verdict := strings.Index(console, "verdict:"); verdict < note {
		t.Errorf("the note came after the verdict:\n%s", console)
	}
	if c := byID(res.Run)["CancelMetadataModelConversion.lifecycle.canceled"]; !strings.Contains(c.Message, "undocumented Status") {
		t.Errorf("lifecycle.canceled: %s %s", c.Outcome, c.Message)
	}
}
