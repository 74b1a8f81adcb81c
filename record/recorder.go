package record

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/dmsconform/dmsconform/internal/jsonv"
	"github.com/dmsconform/dmsconform/reports"
)

// Script is one evidence script's evidence as the engine gives it: JSON in which every
// sample holds its attempts inline (an "attempts" array of reports.Exchange objects).
type Script struct {
	Key      string          // family/script
	Evidence json.RawMessage // the evidence ("" when there is none)
	Cause    json.RawMessage // the cause that ended the script ("" when none)
}

// Build normalises a run's evidence into a recording: every exchange is normalised
// (placeholders that keep identity, secrets redacted) and moved into its script's
// exchange list in the order the calls were made; the samples keep their attempts as
// exchange numbers; every other string of the evidence is normalised the same way.
// Placeholders are numbered in the order they first appear in the files as written.
func Build(meta Meta, scripts []Script, setup []reports.Exchange, n *Normaliser) (*Recording, error) {
	rec := &Recording{Meta: meta, Scripts: map[string]*ScriptFile{}}
	rec.Meta.Target.Project = n.Text(meta.Target.Project)
	rec.Meta.FailingProject = n.Text(meta.FailingProject)
	if len(meta.Facts) > 0 {
		v, err := jsonv.Decode(meta.Facts)
		if err != nil {
			return nil, fmt.Errorf("the run's facts: %w", err)
		}
		if rec.Meta.Facts, err = jsonv.CompactBytes(normaliseStrings(v, "", n)); err != nil {
			return nil, err
		}
	}
	for _, sc := range scripts {
		sf, err := buildScript(sc, n)
		if err != nil {
			return nil, fmt.Errorf("the evidence of %s: %w", sc.Key, err)
		}
		rec.Scripts[sc.Key] = sf
		rec.Meta.Scripts = append(rec.Meta.Scripts, ScriptIndex{Key: sc.Key, File: FileName(sc.Key)})
	}
	sf := &ScriptFile{Key: SetupScript, Exchanges: []Exchange{}}
	for i, ex := range setup {
		sf.Exchanges = append(sf.Exchanges, n.Exchange(i+1, ex))
	}
	rec.Scripts[SetupScript] = sf
	rec.Meta.Scripts = append(rec.Meta.Scripts, ScriptIndex{Key: SetupScript, File: SetupFile})
	rec.Meta.Placeholders = n.Placeholders()
	rec.Meta.VolatileMembers = append([]string(nil), VolatileMembers...)
	sort.Strings(rec.Meta.VolatileMembers)
	return rec, nil
}

// located exchange of a sample: where in the tree its attempts array is.
type attemptRef struct {
	list  []any // the attempts array (replaced in place by numbers)
	index int
	ex    reports.Exchange
}

func buildScript(sc Script, n *Normaliser) (*ScriptFile, error) {
	sf := &ScriptFile{Key: sc.Key, Exchanges: []Exchange{}}
	var refs []*attemptRef
	trees := []*any{}
	var evidence, cause any
	for _, part := range []struct {
		raw json.RawMessage
		dst *any
	}{{sc.Evidence, &evidence}, {sc.Cause, &cause}} {
		if len(part.raw) == 0 {
			continue
		}
		v, err := jsonv.Decode(part.raw)
		if err != nil {
			return nil, err
		}
		*part.dst = v
		trees = append(trees, part.dst)
		if err := collectAttempts(v, &refs); err != nil {
			return nil, err
		}
	}
	// The exchanges in the order the calls were made: by stream, call, attempt.
	sort.SliceStable(refs, func(i, j int) bool {
		a, b := refs[i].ex, refs[j].ex
		if a.Script != b.Script {
			return a.Script < b.Script
		}
		if a.Call != b.Call {
			return a.Call < b.Call
		}
		return a.Attempt < b.Attempt
	})
	for i, r := range refs {
		sf.Exchanges = append(sf.Exchanges, n.Exchange(i+1, r.ex))
		r.list[r.index] = json.Number(fmt.Sprint(i + 1))
	}
	for _, t := range trees {
		*t = normaliseStrings(*t, "", n)
	}
	var err error
	if evidence != nil {
		if sf.Evidence, err = jsonv.CompactBytes(evidence); err != nil {
			return nil, err
		}
	}
	if cause != nil {
		if sf.Cause, err = jsonv.CompactBytes(cause); err != nil {
			return nil, err
		}
	}
	return sf, nil
}

// collectAttempts finds every sample's attempts (an "attempts" array of exchange
// objects) in a JSON tree, in sorted-key order.
func collectAttempts(v any, refs *[]*attemptRef) error {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if list, ok := x[k].([]any); ok && k == "attempts" {
				for i, item := range list {
					raw, err := json.Marshal(item)
					if err != nil {
						return err
					}
					var ex reports.Exchange
					if err := json.Unmarshal(raw, &ex); err != nil {
						return fmt.Errorf("an attempt is not an exchange: %w", err)
					}
					*refs = append(*refs, &attemptRef{list: list, index: i, ex: ex})
				}
				continue
			}
			if err := collectAttempts(x[k], refs); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range x {
			if err := collectAttempts(e, refs); err != nil {
				return err
			}
		}
	}
	return nil
}

// requestIDKeys are evidence members holding request ids.
var requestIDKeys = map[string]bool{"requestId": true, "RequestIdentifier": true}

// normaliseStrings normalises every string of an evidence tree (the exchanges are
// numbers by now).
func normaliseStrings(v any, key string, n *Normaliser) any {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			x[k] = normaliseStrings(x[k], k, n)
		}
		return x
	case []any:
		for i := range x {
			x[i] = normaliseStrings(x[i], key, n)
		}
		return x
	case string:
		n.mu.Lock()
		defer n.mu.Unlock()
		hint := ""
		if requestIDKeys[key] {
			hint = CategoryRequestID
		}
		return n.text(reEndpoint.ReplaceAllString(x, Endpoint), hint)
	}
	return v
}

// MetaFor builds the metadata of a recording.
func MetaFor(toolVersion string, model ModelRef, target TargetRef, labelFilter string, started time.Time) Meta {
	return Meta{
		Tool:        ToolRef{Name: "dmsconform", Version: toolVersion},
		Model:       model,
		Target:      target,
		LabelFilter: labelFilter,
		Created:     started.UTC().Format(time.RFC3339),
	}
}

// Evidence returns the recording's evidence the way the engine gave it: each sample's
// attempts inline again, as reports.Exchange objects rebuilt from the normalised
// exchanges. Placeholders stay (a request id is <request-id:3> in every place, so
// identity holds); a judge sees what the recording holds.
func (r *Recording) Evidence() ([]Script, error) {
	var out []Script
	for _, key := range r.Keys() {
		if key == SetupScript {
			continue
		}
		sf := r.Scripts[key]
		sc := Script{Key: key}
		for _, part := range []struct {
			raw json.RawMessage
			dst *json.RawMessage
		}{{sf.Evidence, &sc.Evidence}, {sf.Cause, &sc.Cause}} {
			if len(part.raw) == 0 {
				continue
			}
			v, err := jsonv.Decode(part.raw)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", FileName(key), err)
			}
			if err := inlineAttempts(v, sf.Exchanges); err != nil {
				return nil, fmt.Errorf("%s: %w", FileName(key), err)
			}
			if *part.dst, err = jsonv.CompactBytes(v); err != nil {
				return nil, err
			}
		}
		out = append(out, sc)
	}
	return out, nil
}

func inlineAttempts(v any, exs []Exchange) error {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if list, ok := e.([]any); ok && k == "attempts" {
				for i, item := range list {
					num, ok := item.(json.Number)
					n, err := num.Int64()
					if !ok || err != nil || n < 1 || int(n) > len(exs) {
						return fmt.Errorf("an attempt refers to exchange %v, which the file does not have", item)
					}
					list[i] = exs[n-1].Denormalised()
				}
				continue
			}
			if err := inlineAttempts(e, exs); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range x {
			if err := inlineAttempts(e, exs); err != nil {
				return err
			}
		}
	}
	return nil
}

// Denormalised rebuilds a reports.Exchange from a recorded one: the body as recorded
// (JSON re-encoded compactly, or the text), headers as recorded, the X-Amz-Target
// header back in place. Placeholders are kept.
func (e Exchange) Denormalised() reports.Exchange {
	out := reports.Exchange{Name: e.Name, View: e.View, Error: e.Error, Attempt: e.Attempt, Retried: e.Retried, Script: e.Stream}
	msg := func(m Message, request bool) reports.HTTPMessage {
		h := map[string][]string{}
		for k, v := range m.Headers {
			h[k] = []string{v}
		}
		if request && m.Target != "" {
			h["X-Amz-Target"] = []string{m.Target}
		}
		body := m.BodyText
		if m.Body != nil {
			if b, err := jsonv.CompactBytes(m.Body); err == nil {
				body = string(b)
			}
		}
		hm := reports.HTTPMessage{Method: m.Method, Status: m.Status, Body: body}
		if len(h) > 0 {
			hm.Headers = h
		}
		if request && m.Path != "" {
			hm.URL = Endpoint + m.Path
		}
		return hm
	}
	out.Request = msg(e.Request, true)
	if e.Error == "" || e.Response.Status != 0 {
		out.Response = msg(e.Response, false)
	}
	return out
}

// exchangesOf lists a recording's exchanges of one script (nil when absent).
func (r *Recording) exchangesOf(key string) []Exchange {
	if sf := r.Scripts[key]; sf != nil {
		return sf.Exchanges
	}
	return nil
}

// keyLabel names a script key for people.
func keyLabel(key string) string {
	if key == SetupScript {
		return "(outside the evidence scripts: preflight and clean-up)"
	}
	return strings.ReplaceAll(key, "/", " ")
}
