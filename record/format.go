// Package record records the exchanges of a dmsconform run, normalised and redacted,
// serves a recording back as a replay target, and measures how closely another target
// answers like the recording (parity).
//
// A recording is a folder (fixtures/recorded/README.md documents it):
//
//	recording.json        metadata: format, tool, model, target, placeholders, checks
//	_setup.json           exchanges made outside any check (reachability probe, clean-up)
//	<check-id>.json       one file per check: its exchanges in order and its outcome
//
// Everything is JSON with sorted keys and two-space indentation, so recordings diff well.
package record

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Format identifies the recording format. Bump it on any incompatible change.
const Format = "dmsconform.recording/v1"

// File names inside a recording folder.
const (
	MetaFile  = "recording.json"
	SetupFile = "_setup.json"
	// SetupCheck is the check ID of exchanges made outside any check.
	SetupCheck = ""
)

// Meta is recording.json. Struct fields are in alphabetical order of their JSON names
// so every object of a recording has sorted keys.
type Meta struct {
	// Checks lists the check files, in ID order, with their exchange counts.
	Checks  []CheckIndex `json:"checks"`
	Created string       `json:"created"` // RFC 3339, when the recorded run started
	// DeniedPrincipal says the recorded run had a principal denied the cancel
	// operations (its AccessDeniedFault checks ran); a replay offers one only then.
	DeniedPrincipal bool     `json:"deniedPrincipal,omitempty"`
	Format          string   `json:"format"`
	LabelFilter     string   `json:"labelFilter,omitempty"`
	Model           ModelRef `json:"model"`
	// Placeholders describes every placeholder the recording uses: its kind and the
	// shape of the value it replaced, so a replay can invent a valid stand-in.
	Placeholders map[string]Placeholder `json:"placeholders,omitempty"`
	Target       TargetRef              `json:"target"`
	Tool         ToolRef                `json:"tool"`
	// VolatileMembers are the JSON member names whose values normalisation keeps but
	// parity does not compare (they depend on timing, not on the target's behaviour).
	VolatileMembers []string `json:"volatileMembers"`
}

// CheckIndex is one line of Meta.Checks.
type CheckIndex struct {
	Exchanges int    `json:"exchanges"`
	File      string `json:"file"`
	ID        string `json:"id"`
	Outcome   string `json:"outcome,omitempty"`
}

// ModelRef identifies the model the checks came from.
type ModelRef struct {
	SHA256  string `json:"sha256"`
	Version string `json:"version"`
}

// TargetRef describes the recorded target (no endpoint: hosts and ports are not
// evidence, and an endpoint may name an account).
type TargetRef struct {
	Kind    string `json:"kind"`
	Project string `json:"project"` // normalised: an ARN keeps its shape, its account is a placeholder
	Region  string `json:"region"`
}

// ToolRef names the harness that recorded.
type ToolRef struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Placeholder describes one placeholder: its kind (account, uuid, request-id,
// timestamp) and the shape of the replaced value (account, uuid, opaque, rfc3339,
// http-date, amz-date).
type Placeholder struct {
	Kind  string `json:"kind"`
	Shape string `json:"shape"`
}

// CheckFile is <check-id>.json (and _setup.json).
type CheckFile struct {
	Check     string     `json:"check"`
	Exchanges []Exchange `json:"exchanges"`
	Message   string     `json:"message,omitempty"` // the recorded outcome's message, normalised
	Outcome   string     `json:"outcome,omitempty"` // the recorded outcome (pass, fail, drift, ...)
}

// Exchange is one normalised request/response pair.
type Exchange struct {
	Error    string  `json:"error,omitempty"` // transport error: there was no response
	Name     string  `json:"name,omitempty"`
	Request  Message `json:"request"`
	Response Message `json:"response"`
	Seq      int     `json:"seq"`
	View     string  `json:"view"` // sdk, wire or control
	// Volatile lists the JSON pointers (into this exchange: /request/..., /response/...)
	// whose values parity does not compare: normalisation replaced them by
	// placeholders, or they are volatile members (Meta.VolatileMembers).
	Volatile []string `json:"volatile,omitempty"`
}

// Message is one side of an exchange. Body holds a JSON body as a JSON value (keys
// sorted, numbers verbatim); BodyText holds a body that is not JSON, as text.
type Message struct {
	Body     any               `json:"body,omitempty"`
	BodyText string            `json:"bodyText,omitempty"`
	Headers  map[string]string `json:"headers,omitempty"`
	Method   string            `json:"method,omitempty"`
	Path     string            `json:"path,omitempty"` // URL path and query; no scheme or host
	Status   int               `json:"status,omitempty"`
	Target   string            `json:"target,omitempty"` // X-Amz-Target
}

// Operation names what an exchange called: the X-Amz-Target operation (the part after
// the dot), "control <METHOD> <path>" for the emulator control surface, or the method
// and path otherwise.
func (e *Exchange) Operation() string {
	return operationOf(e.View, e.Request.Target, e.Request.Method, e.Request.Path)
}

func operationOf(view, target, method, path string) string {
	if target != "" {
		if i := strings.LastIndexByte(target, '.'); i >= 0 {
			return target[i+1:]
		}
		return target
	}
	if view == "control" || strings.Contains(path, controlMarker) {
		return "control " + method + " " + controlPath(path)
	}
	return method + " " + path
}

// controlMarker is the emulator control surface's path prefix.
const controlMarker = "/_dmsconform/v1/"

// controlPath returns the path below the control surface's base.
func controlPath(p string) string {
	if i := strings.Index(p, controlMarker); i >= 0 {
		return p[i+len(controlMarker):]
	}
	return strings.TrimPrefix(p, "/")
}

// Recording is a loaded recording folder.
type Recording struct {
	Dir    string
	Meta   Meta
	Checks map[string]*CheckFile // by check ID; SetupCheck for _setup.json
}

// CheckFileName returns the file of a check inside a recording folder.
func CheckFileName(id string) string {
	if id == SetupCheck {
		return SetupFile
	}
	// Check IDs are <operation>.<area>.<name>; keep them readable, but never let one
	// escape the folder.
	r := strings.NewReplacer("/", "_", `\`, "_", "..", "_", ":", "_")
	return r.Replace(id) + ".json"
}

// IDs returns the check IDs of the recording, sorted, setup first.
func (r *Recording) IDs() []string {
	ids := make([]string, 0, len(r.Checks))
	for id := range r.Checks {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// HasControl reports whether the recording holds control-surface exchanges.
func (r *Recording) HasControl() bool {
	for _, cf := range r.Checks {
		for _, ex := range cf.Exchanges {
			if ex.View == "control" {
				return true
			}
		}
	}
	return false
}

// Load reads a recording folder.
func Load(dir string) (*Recording, error) {
	data, err := os.ReadFile(filepath.Join(dir, MetaFile))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s is not a recording: it has no %s (record one with dmsconform run --record %s)", dir, MetaFile, dir)
		}
		return nil, fmt.Errorf("reading the recording: %w", err)
	}
	rec := &Recording{Dir: dir, Checks: map[string]*CheckFile{}}
	if err := decodeStrict(data, &rec.Meta); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, MetaFile), err)
	}
	if rec.Meta.Format != Format {
		return nil, fmt.Errorf("%s: format %q, this build reads %q: re-record with this version of dmsconform", filepath.Join(dir, MetaFile), rec.Meta.Format, Format)
	}
	for _, ci := range rec.Meta.Checks {
		p := filepath.Join(dir, ci.File)
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("recording %s lists %s, which cannot be read: %w", dir, ci.File, err)
		}
		var cf CheckFile
		if err := decodeStrict(data, &cf); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if cf.Check != ci.ID {
			return nil, fmt.Errorf("%s: holds check %q, but %s lists it as %q", p, cf.Check, MetaFile, ci.ID)
		}
		for i, ex := range cf.Exchanges {
			if ex.Seq != i+1 {
				return nil, fmt.Errorf("%s: exchange %d has seq %d; sequence numbers must run 1, 2, 3 ... in order", p, i+1, ex.Seq)
			}
		}
		rec.Checks[cf.Check] = &cf
	}
	return rec, nil
}

// decodeStrict decodes JSON keeping numbers verbatim and refusing unknown fields.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("not a valid recording file: %w", err)
	}
	return nil
}

// marshal writes v as indented JSON with sorted keys, without HTML escaping (so
// placeholders read <uuid:1>, not \u003cuuid:1\u003e), ending in a newline.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Write writes a recording to dir, replacing an earlier recording there. A folder
// that holds anything but a recording is refused, so --record never deletes files it
// did not write.
func (r *Recording) Write(dir string) error {
	if err := PrepareDir(dir); err != nil {
		return err
	}
	ids := r.IDs()
	r.Meta.Checks = r.Meta.Checks[:0]
	for _, id := range ids {
		cf := r.Checks[id]
		name := CheckFileName(id)
		data, err := marshal(cf)
		if err != nil {
			return fmt.Errorf("encoding %s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return fmt.Errorf("writing the recording: %w", err)
		}
		r.Meta.Checks = append(r.Meta.Checks, CheckIndex{ID: id, File: name, Exchanges: len(cf.Exchanges), Outcome: cf.Outcome})
	}
	r.Meta.Format = Format
	data, err := marshal(r.Meta)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", MetaFile, err)
	}
	if err := os.WriteFile(filepath.Join(dir, MetaFile), data, 0o644); err != nil {
		return fmt.Errorf("writing the recording: %w", err)
	}
	r.Dir = dir
	return nil
}

// PrepareDir makes dir ready for a recording: it creates it, or empties an earlier
// recording in it (its .json files). It refuses a folder holding other things.
func PrepareDir(dir string) error {
	if dir == "" {
		return errors.New("no recording folder: pass --record DIR")
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("creating the recording folder: %w", err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("--record %s: %w", dir, err)
	}
	if len(entries) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, MetaFile)); err != nil {
		return fmt.Errorf("--record %s: the folder is not empty and holds no earlier recording (%s): pass an empty or new folder, so recording never overwrites other files", dir, MetaFile)
	}
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("removing the earlier recording's %s: %w", e.Name(), err)
			}
		}
	}
	return nil
}
