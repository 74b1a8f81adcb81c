package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// The files WriteAll writes.
const (
	FileJSON     = "report.json"
	FileJUnit    = "junit.xml"
	FileHTML     = "report.html"
	FileMarkdown = "summary.md"
)

// WriteOption configures WriteAll.
type WriteOption func(*writeConfig)

type writeConfig struct {
	secrets  []string
	redactor *Redactor
	owned    bool
}

// Owned says the caller is done with the run's raw transcripts: WriteAll redacts the
// run in place instead of a deep copy (a run's last use, e.g. the CLI's).
func Owned() WriteOption {
	return func(c *writeConfig) { c.owned = true }
}

// WithSecrets adds secret strings (access key ids, secret keys, session tokens,
// passwords) that must not appear in any report file.
func WithSecrets(secrets ...string) WriteOption {
	return func(c *writeConfig) { c.secrets = append(c.secrets, secrets...) }
}

// WithRedactor uses r (e.g. one shared with a transcript recorder, so account
// placeholders agree) instead of a fresh Redactor. Secrets from WithSecrets are added
// to it.
func WithRedactor(r *Redactor) WriteOption {
	return func(c *writeConfig) { c.redactor = r }
}

// WriteAll writes report.json, junit.xml, report.html and summary.md into dir
// (created if missing). It finalizes run in place (sorted checks, totals, schema
// version, kill rate) and writes a redacted deep copy, so no caller can forget
// redaction and the caller's run keeps its raw transcripts. Each file is written to a
// temporary name and renamed, so a reader never sees half a report.
func WriteAll(dir string, run *Run, opts ...WriteOption) error {
	if run == nil {
		return fmt.Errorf("write reports to %s: no run (nil): the runner must pass the run it collected", dir)
	}
	cfg := writeConfig{}
	for _, o := range opts {
		o(&cfg)
	}
	r := cfg.redactor
	if r == nil {
		r = NewRedactor()
	}
	r.AddSecrets(cfg.secrets...)

	Finalize(run)
	clean := run
	if !cfg.owned {
		var err error
		if clean, err = deepCopy(run); err != nil {
			return fmt.Errorf("write reports to %s: %w", dir, err)
		}
	}
	boundBodies(clean)
	r.Run(clean)
	Finalize(clean) // redaction may rename IDs holding account ids; keep the order

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write reports: create folder: %w (pass a writable --out folder)", err)
	}
	writers := []struct {
		name  string
		write func(io.Writer, *Run) error
	}{
		{FileJSON, EncodeJSON},
		{FileJUnit, WriteJUnit},
		{FileHTML, WriteHTML},
		{FileMarkdown, WriteMarkdown},
	}
	for _, w := range writers {
		var buf bytes.Buffer
		if err := w.write(&buf, clean); err != nil {
			return fmt.Errorf("write reports: %s: %w", w.name, err)
		}
		if err := writeFileAtomic(filepath.Join(dir, w.name), buf.Bytes()); err != nil {
			return fmt.Errorf("write reports: %w (pass a writable --out folder)", err)
		}
	}
	return nil
}

// Redact returns a redacted deep copy of run (for callers that write it elsewhere).
func Redact(run *Run, r *Redactor) (*Run, error) {
	clean, err := deepCopy(run)
	if err != nil {
		return nil, err
	}
	if r == nil {
		r = NewRedactor()
	}
	r.Run(clean)
	return clean, nil
}

func deepCopy(run *Run) (*Run, error) {
	data, err := json.Marshal(run)
	if err != nil {
		return nil, fmt.Errorf("copy run: %w", err)
	}
	var out Run
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("copy run: %w", err)
	}
	return &out, nil
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(name)
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return err
	}
	if err := os.Chmod(name, 0o644); err != nil {
		os.Remove(name)
		return err
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return err
	}
	return nil
}
