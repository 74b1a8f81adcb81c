package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// knownFile is one entry as written in a known-deviations file.
type knownFile struct {
	Check   string `json:"check" yaml:"check"`
	Target  string `json:"target" yaml:"target"`
	Reason  string `json:"reason" yaml:"reason"`
	Expires string `json:"expires" yaml:"expires"`
}

const knownExample = `- check: CancelMetadataModelConversion.union.single-member
  target: embedded        # target kind or SDK name, "*" for any
  reason: emulator returns two members, tracked in #123
  expires: 2026-09-30     # YYYY-MM-DD (valid through that day, UTC) or RFC 3339`

// LoadKnownDeviations reads a known-deviations file: a YAML (or JSON, by the .json
// extension) list of entries {check, target, reason, expires}. check is a check ID or a
// glob over IDs (path.Match syntax, e.g. "CancelMetadataModelConversion.enum.*"); target
// is a target kind or SDK name, or "*"; reason is required; expires is required, either
// YYYY-MM-DD (the entry holds through that day, UTC) or an RFC 3339 time. An empty file
// is an empty list. Errors name the entry (1-based) and the field and say how to fix it.
func LoadKnownDeviations(file string) ([]KnownDeviation, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("known deviations: %s does not exist: pass the path of a YAML list of entries like\n%s", file, knownExample)
		}
		return nil, fmt.Errorf("known deviations: %w", err)
	}
	return ParseKnownDeviations(file, data)
}

// ParseKnownDeviations parses known-deviations data; name (a file name) picks JSON for
// a .json extension and YAML otherwise, and is used in messages.
func ParseKnownDeviations(name string, data []byte) ([]KnownDeviation, error) {
	var raw []knownFile
	if len(bytes.TrimSpace(data)) == 0 {
		return []KnownDeviation{}, nil
	}
	if strings.EqualFold(filepath.Ext(name), ".json") {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("known deviations %s: %v: the file must be a JSON list of objects with the fields check, target, reason, expires", name, err)
		}
	} else {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&raw); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("known deviations %s: %v: the file must be a YAML list of entries with the fields check, target, reason, expires, like\n%s", name, err, knownExample)
		}
	}
	out := make([]KnownDeviation, 0, len(raw))
	var errs []error
	seen := map[[2]string]int{}
	for i, e := range raw {
		n := i + 1
		bad := func(field, format string, args ...any) {
			errs = append(errs, fmt.Errorf("known deviations %s: entry %d, field %s: %s", name, n, field, fmt.Sprintf(format, args...)))
		}
		e.Check, e.Target, e.Reason, e.Expires = strings.TrimSpace(e.Check), strings.TrimSpace(e.Target), strings.TrimSpace(e.Reason), strings.TrimSpace(e.Expires)
		ok := true
		if e.Check == "" {
			bad("check", "missing: set it to the check ID from report.json (e.g. CancelMetadataModelConversion.union.single-member) or a glob such as CancelMetadataModelConversion.enum.*")
			ok = false
		} else if _, err := path.Match(e.Check, ""); err != nil {
			bad("check", "%q is not a valid pattern (%v): use a plain check ID or * and ? wildcards", e.Check, err)
			ok = false
		}
		if e.Target == "" {
			bad("target", `missing: set it to the target kind (embedded, endpoint, aws) or SDK name the deviation is known for, or "*" for any target`)
			ok = false
		}
		if e.Reason == "" {
			bad("reason", "missing: say why the failure is expected (and where it is tracked), so the entry can be revisited")
			ok = false
		}
		var exp time.Time
		if e.Expires == "" {
			bad("expires", "missing: set a date (YYYY-MM-DD) after which the failure counts again; known deviations must be revisited")
			ok = false
		} else if t, err := parseExpires(e.Expires); err != nil {
			bad("expires", "%q is neither YYYY-MM-DD nor RFC 3339 (e.g. 2026-09-30 or 2026-09-30T12:00:00Z)", e.Expires)
			ok = false
		} else {
			exp = t
		}
		if !ok {
			continue
		}
		key := [2]string{e.Check, e.Target}
		if prev, dup := seen[key]; dup {
			bad("check", "duplicates entry %d (same check and target): merge the two entries", prev)
			continue
		}
		seen[key] = n
		out = append(out, KnownDeviation{CheckID: e.Check, Target: e.Target, Reason: e.Reason, Expires: exp})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// parseExpires reads YYYY-MM-DD (the end of that day, UTC) or RFC 3339.
func parseExpires(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.Add(24*time.Hour - time.Second), nil
	}
	return time.Parse(time.RFC3339, s)
}

// Matches reports whether the deviation covers check id on target t: the check
// pattern matches the ID (exactly or as a path.Match glob) and the deviation's target
// is "*", the target kind or the target name.
func (k KnownDeviation) Matches(id string, t Target) bool {
	if !k.matchesTarget(t) {
		return false
	}
	if k.CheckID == id {
		return true
	}
	ok, err := path.Match(k.CheckID, id)
	return err == nil && ok
}

func (k KnownDeviation) matchesTarget(t Target) bool {
	return k.Target == "*" || (k.Target != "" && (k.Target == t.TargetKind || k.Target == t.Name))
}

// Expired reports whether the deviation no longer applies at now. A zero Expires never
// expires (LoadKnownDeviations does not produce one).
func (k KnownDeviation) Expired(now time.Time) bool {
	return !k.Expires.IsZero() && now.After(k.Expires)
}

// ApplyKnown marks the failing checks of run that an unexpired known deviation covers
// (Check.Known set; Known cleared on every other check) and returns warnings: expired
// entries that apply to this run's target (their failures count again), entries whose
// checks all pass (no longer needed) and entries that match no check of the run (a
// typo, or filtered out). The warnings are also appended to
// run.Warnings (without duplicates). Only outcome fail is ever covered: an error,
// skip or drift needs no deviation.
func ApplyKnown(run *Run, known []KnownDeviation, now time.Time) []string {
	if run == nil {
		return nil
	}
	var warnings []string
	used := make([]bool, len(known))
	for i := range run.Checks {
		c := &run.Checks[i]
		c.Known = nil
		if c.Outcome != Fail {
			continue
		}
		for j, k := range known {
			if k.Expired(now) || !k.Matches(c.ID, run.Target) {
				continue
			}
			k := k
			c.Known = &k
			used[j] = true
			break
		}
	}
	for j, k := range known {
		if !k.matchesTarget(run.Target) {
			continue
		}
		switch {
		case k.Expired(now):
			warnings = append(warnings, fmt.Sprintf("known deviation for %s (target %s) expired on %s: its failures count again; fix the target or renew the entry with a new expires and reason (%s)",
				k.CheckID, k.Target, k.Expires.UTC().Format(time.DateOnly), k.Reason))
		case used[j]:
		case matchesAny(k, run):
			warnings = append(warnings, fmt.Sprintf("known deviation for %s (target %s) matched no failing check in this run: remove it if the deviation is fixed", k.CheckID, k.Target))
		default:
			warnings = append(warnings, fmt.Sprintf("known deviation for %s (target %s) matches no check of this run: check the ID against report.json (or the label filter left the check out)", k.CheckID, k.Target))
		}
	}
	run.Warnings = appendUnique(run.Warnings, warnings...)
	return warnings
}

func matchesAny(k KnownDeviation, run *Run) bool {
	for _, c := range run.Checks {
		if k.Matches(c.ID, run.Target) {
			return true
		}
	}
	return false
}

// ConformanceExitFailures counts the failing checks not covered by a known deviation
// that count (MUST checks; SHOULD checks too when the run is strict, see should.go):
// non-zero means the run does not conform.
func ConformanceExitFailures(run *Run) int {
	if run == nil {
		return 0
	}
	n := 0
	for _, c := range run.Checks {
		if counts(c, run.Strict) {
			n++
		}
	}
	return n
}

func appendUnique(list []string, add ...string) []string {
	for _, a := range add {
		dup := false
		for _, l := range list {
			if l == a {
				dup = true
				break
			}
		}
		if !dup {
			list = append(list, a)
		}
	}
	return list
}
