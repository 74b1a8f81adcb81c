package reports

import (
	"bytes"
	"io"
	"sync"
)

// Console is the redaction boundary for what the tool prints: every complete line
// written to it passes through the run's Redactor (the same one its report files use,
// so account placeholders agree) before it reaches w. Call Flush to write a last line
// without a newline. It is safe for concurrent use.
type Console struct {
	mu  sync.Mutex
	w   io.Writer
	r   *Redactor
	buf bytes.Buffer
}

// NewConsole wraps w; r nil means a fresh Redactor.
func NewConsole(w io.Writer, r *Redactor) *Console {
	if r == nil {
		r = NewRedactor()
	}
	return &Console{w: w, r: r}
}

// Write buffers p and writes every complete line, redacted. A carriage return ends a
// line too (a progress line that redraws itself).
func (c *Console) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(p)
	for {
		data := c.buf.Bytes()
		i := bytes.IndexAny(data, "\n\r")
		if i < 0 {
			break
		}
		line := string(data[:i+1])
		c.buf.Next(i + 1)
		if _, err := io.WriteString(c.w, c.r.String(line)); err != nil {
			return len(p), err
		}
	}
	return len(p), nil
}

// Flush writes what is buffered (a line without its newline), redacted.
func (c *Console) Flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.buf.Len() == 0 {
		return nil
	}
	s := c.buf.String()
	c.buf.Reset()
	_, err := io.WriteString(c.w, c.r.String(s))
	return err
}

// Redactor returns the redactor the console uses.
func (c *Console) Redactor() *Redactor { return c.r }
