// Package record records the evidence of a dmsconform run, normalised and redacted,
// serves a recording back as a replay target, re-judges it offline (through the
// engine), and measures how closely another target answers like the recording
// (parity).
//
// A recording is a folder (fixtures/recorded/README.md documents it):
//
//	recording.json                 metadata: format, tool, model, target, capabilities,
//	                               facts, placeholders, and the index of evidence files
//	evidence/<family>.<script>.json one evidence script's evidence: its exchanges in
//	                               order, and the engine's evidence with every sample's
//	                               attempts given as exchange numbers
//	_setup.json                    the calls made outside any script (preflight, clean-up)
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
const Format = "dmsconform.recording/v2"

// File names inside a recording folder.
const (
	MetaFile    = "recording.json"
	SetupFile   = "_setup.json"
	EvidenceDir = "evidence"
	// SetupScript is the key of the calls made outside any evidence script.
	SetupScript = "setup"
)

// Meta is recording.json. Struct fields are in alphabetical order of their JSON names
// so every object of a recording has sorted keys.
type Meta struct {
	// Control says the recorded run had an emulator control surface.
	Control bool   `json:"control,omitempty"`
	Created string `json:"created"` // RFC 3339, when the recorded run started
	// DeniedPrincipal says the recorded run had a principal denied the cancel
	// operations (its AccessDeniedFault checks ran); a replay offers one only then.
	DeniedPrincipal bool `json:"deniedPrincipal,omitempty"`
	// Facts are what the run learnt about the target outside any script (the engine's
	// Facts), for offline re-judging.
	Facts json.RawMessage `json:"facts,omitempty"`
	// FailingProject is the project whose requests fail the recorded run had
	// (normalised like Target.Project); a replay offers it only then.
	FailingProject string   `json:"failingProject,omitempty"`
	Format         string   `json:"format"`
	LabelFilter    string   `json:"labelFilter,omitempty"`
	Model          ModelRef `json:"model"`
	// Placeholders describes every placeholder the recording uses: its kind and the
	// shape of the value it replaced, so a replay can invent a valid stand-in.
	Placeholders map[string]Placeholder `json:"placeholders,omitempty"`
	// Scripts lists the evidence files, in gathering order, with their exchange counts.
	Scripts []ScriptIndex `json:"scripts"`
	// StartInputs says the recorded run's Start requests sent --start-inputs.
	StartInputs bool      `json:"startInputs,omitempty"`
	Target      TargetRef `json:"target"`
	Tool        ToolRef   `json:"tool"`
	// VolatileMembers are the JSON member names whose values normalisation keeps but
	// parity does not compare (they depend on timing, not on the target's behaviour).
	VolatileMembers []string `json:"volatileMembers"`
}

// ScriptIndex is one line of Meta.Scripts.
type ScriptIndex struct {
	Cause     string `json:"cause,omitempty"` // the cause that ended the script, if any
	Exchanges int    `json:"exchanges"`
	File      string `json:"file"`
	Key       string `json:"key"` // family/script, or "setup"
}

// ModelRef identifies the model the checks came from.
type ModelRef struct {
	SHA256  string `json:"sha256"`
	Version string `json:"version"`
}

// TargetRef describes the recorded target (no endpoint: hosts and ports are not
// evidence, and an endpoint may name an account).
type TargetRef struct {
	TargetKind string `json:"kind"`    // engine.Target.TargetKind: embedded, endpoint, aws, replay
	Project    string `json:"project"` // normalised: an ARN keeps its shape, its account is a placeholder
	Region     string `json:"region"`
}

// ToolRef names the harness that recorded.
type ToolRef struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Placeholder describes one placeholder: its category (account, uuid, request-id,
// timestamp: what the replaced value was) and the shape of the replaced value (account, uuid, opaque, rfc3339,
// http-date, amz-date).
type Placeholder struct {
	Category string `json:"kind"`
	Shape    string `json:"shape"`
}

// ScriptFile is evidence/<family>.<script>.json (and _setup.json).
type ScriptFile struct {
	// Cause is the engine's cause record when the script could not finish.
	Cause json.RawMessage `json:"cause,omitempty"`
	// Evidence is the engine's evidence, normalised, with each sample's "attempts"
	// given as the numbers (Seq) of its exchanges.
	Evidence  json.RawMessage `json:"evidence,omitempty"`
	Exchanges []Exchange      `json:"exchanges"`
	Key       string          `json:"key"`
}

// Exchange is one normalised request/response pair.
type Exchange struct {
	Attempt  int     `json:"attempt,omitempty"` // its call's attempt number
	Error    string  `json:"error,omitempty"`   // transport error: there was no response
	Name     string  `json:"name,omitempty"`
	Request  Message `json:"request"`
	Response Message `json:"response"`
	Retried  string  `json:"retried,omitempty"` // why this attempt was retried
	Seq      int     `json:"seq"`
	// Stream is the script (and run) whose call it was: a replay serves each stream its
	// exchanges in order.
	Stream string `json:"stream,omitempty"`
	View   string `json:"view"` // sdk, wire or control
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
	Dir     string
	Meta    Meta
	Scripts map[string]*ScriptFile // by key; SetupScript for _setup.json
}

// FileName returns the file of a script key inside a recording folder.
func FileName(key string) string {
	if key == SetupScript {
		return SetupFile
	}
	// Keys are <family>/<script>; keep them readable, but never let one escape the folder.
	r := strings.NewReplacer("/", ".", `\`, "_", "..", "_", ":", "_")
	return filepath.Join(EvidenceDir, r.Replace(key)+".json")
}

// Keys returns the script keys of the recording in file order: the index's order,
// setup last.
func (r *Recording) Keys() []string {
	var keys []string
	for _, si := range r.Meta.Scripts {
		keys = append(keys, si.Key)
	}
	if len(keys) == 0 {
		for k := range r.Scripts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
	}
	if i := indexOf(keys, SetupScript); i >= 0 {
		keys = append(append(keys[:i:i], keys[i+1:]...), SetupScript)
	}
	return keys
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// HasControl reports whether the recording had a control surface.
func (r *Recording) HasControl() bool { return r.Meta.Control }

// Load reads a recording folder.
func Load(dir string) (*Recording, error) {
	data, err := os.ReadFile(filepath.Join(dir, MetaFile))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s is not a recording: it has no %s (record one with dmsconform run --record %s)", dir, MetaFile, dir)
		}
		return nil, fmt.Errorf("reading the recording: %w", err)
	}
	rec := &Recording{Dir: dir, Scripts: map[string]*ScriptFile{}}
	var probe struct {
		Format string `json:"format"`
	}
	_ = json.Unmarshal(data, &probe)
	if probe.Format != Format {
		return nil, fmt.Errorf("%s: format %q, this build reads %q: re-record with this version of dmsconform (make record-fixtures for the shipped fixture)", filepath.Join(dir, MetaFile), probe.Format, Format)
	}
	if err := decodeStrict(data, &rec.Meta); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, MetaFile), err)
	}
	for _, si := range rec.Meta.Scripts {
		p := filepath.Join(dir, si.File)
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("recording %s lists %s, which cannot be read: %w", dir, si.File, err)
		}
		var sf ScriptFile
		if err := decodeStrict(data, &sf); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if sf.Key != si.Key {
			return nil, fmt.Errorf("%s: holds script %q, but %s lists it as %q", p, sf.Key, MetaFile, si.Key)
		}
		for i, ex := range sf.Exchanges {
			if ex.Seq != i+1 {
				return nil, fmt.Errorf("%s: exchange %d has seq %d; sequence numbers must run 1, 2, 3 ... in order", p, i+1, ex.Seq)
			}
		}
		rec.Scripts[sf.Key] = &sf
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
	if err := os.MkdirAll(filepath.Join(dir, EvidenceDir), 0o755); err != nil {
		return fmt.Errorf("writing the recording: %w", err)
	}
	r.Meta.Scripts = r.Meta.Scripts[:0]
	for _, key := range r.Keys() {
		sf := r.Scripts[key]
		name := FileName(key)
		data, err := marshal(sf)
		if err != nil {
			return fmt.Errorf("encoding %s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return fmt.Errorf("writing the recording: %w", err)
		}
		si := ScriptIndex{Key: key, File: filepath.ToSlash(name), Exchanges: len(sf.Exchanges)}
		if len(sf.Cause) > 0 {
			var c struct {
				ID string `json:"id"`
			}
			_ = json.Unmarshal(sf.Cause, &c)
			si.Cause = c.ID
		}
		r.Meta.Scripts = append(r.Meta.Scripts, si)
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
// recording in it. It refuses a folder holding other things, and a path whose parent
// does not exist.
func PrepareDir(dir string) error {
	if dir == "" {
		return errors.New("no recording folder: pass --record DIR")
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		parent := filepath.Dir(filepath.Clean(dir))
		if st, perr := os.Stat(parent); perr != nil || !st.IsDir() {
			return fmt.Errorf("--record %s: its parent folder %s does not exist: create it first", dir, parent)
		}
		if err := os.Mkdir(dir, 0o755); err != nil {
			return fmt.Errorf("--record %s: creating the recording folder: %w", dir, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("--record %s: %w", dir, err)
	}
	if len(entries) == 0 {
		return probeWritable(dir)
	}
	if _, err := os.Stat(filepath.Join(dir, MetaFile)); err != nil {
		return fmt.Errorf("--record %s: the folder is not empty and holds no earlier recording (%s): pass an empty or new folder, so recording never overwrites other files", dir, MetaFile)
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		switch {
		case !e.IsDir() && strings.HasSuffix(e.Name(), ".json"):
			if err := os.Remove(p); err != nil {
				return fmt.Errorf("removing the earlier recording's %s: %w", e.Name(), err)
			}
		case e.IsDir() && e.Name() == EvidenceDir:
			if err := os.RemoveAll(p); err != nil {
				return fmt.Errorf("removing the earlier recording's %s: %w", e.Name(), err)
			}
		}
	}
	return probeWritable(dir)
}

func probeWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".dmsconform-write-test-*")
	if err != nil {
		return fmt.Errorf("--record %s: the folder is not writable: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
