package reports

import (
	"bytes"
	"io"
	"strings"
	"sync"
)

// Console is the boundary for what the tool prints: every complete line written to it
// passes through the run's Redactor (the same one its report files use, so account
// placeholders agree) and is made Printable before it reaches w, so text a target sent
// (a request id, a message) can neither leak a secret nor drive the terminal: an
// escape sequence, a carriage return or a NUL in it is shown escaped (\x1b, \r,
// \x00). Lines end at "\n" only. The one line a run redraws in place (its progress)
// goes through Redraw. Call Flush to write a last line without a newline. It is safe
// for concurrent use.
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

// Write buffers p and writes every complete line, redacted and printable.
func (c *Console) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(p)
	for {
		data := c.buf.Bytes()
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		line := string(data[:i])
		c.buf.Next(i + 1)
		if _, err := io.WriteString(c.w, c.line(line)+"\n"); err != nil {
			return len(p), err
		}
	}
	return len(p), nil
}

func (c *Console) line(s string) string { return Printable(c.r.String(s)) } // s holds no "\n": lines are split there

// Redraw draws line in place of the last one drawn (a progress line on a terminal):
// it clears the line, writes line (redacted, printable) and returns the cursor to its
// start. Redraw("") clears it.
func (c *Console) Redraw(line string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := io.WriteString(c.w, "\x1b[K"+c.line(strings.TrimRight(line, "\r\n"))+"\r")
	return err
}

// Flush writes what is buffered (a line without its newline), redacted and printable.
func (c *Console) Flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.buf.Len() == 0 {
		return nil
	}
	s := c.buf.String()
	c.buf.Reset()
	_, err := io.WriteString(c.w, c.line(s))
	return err
}

// Redactor returns the redactor the console uses.
func (c *Console) Redactor() *Redactor { return c.r }
