package runner

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/dmsconform/dmsconform/internal/text"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// progress shows a long run's state: one line redrawn in place on a terminal, or a
// plain line at most every interval in a log (CI).
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	mode    string
	every   time.Duration
	started time.Time
	last    time.Time
	shown   bool
	notes   int // notes printed
	state   engine.Progress
	stop    chan struct{}
}

// newProgress starts the progress display: mode "terminal" redraws one line on every
// change and every second, "lines" prints a line every interval; "" shows nothing.
func newProgress(w io.Writer, mode string, every time.Duration) *progress {
	p := &progress{w: w, mode: mode, every: every, started: time.Now(), stop: make(chan struct{})}
	tick := every
	if mode == "terminal" {
		tick = time.Second
	}
	if mode != "" {
		go func() {
			t := time.NewTicker(tick)
			defer t.Stop()
			for {
				select {
				case <-p.stop:
					return
				case <-t.C:
					p.mu.Lock()
					p.show()
					p.mu.Unlock()
				}
			}
		}()
	}
	return p
}

func (p *progress) line() string {
	s := p.state
	running := "none"
	if len(s.Running) > 0 {
		running = strings.Join(s.Running, ", ")
	}
	return fmt.Sprintf("[%s] evidence %d/%d done, %d API calls; running: %s",
		time.Since(p.started).Round(time.Second), s.Done, s.Total, s.Calls, running)
}

// update is the engine's progress callback. A new note (a poll waiting on a Status the
// documentation does not list) is printed at once, on a line of its own.
func (p *progress) update(s engine.Progress) {
	if p == nil || p.mode == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.state = s
	for ; p.notes < len(s.Notes); p.notes++ {
		if p.mode == "terminal" && p.shown {
			p.redraw("")
		}
		fmt.Fprintf(p.w, "note: %s\n", s.Notes[p.notes])
	}
	if p.mode == "terminal" {
		p.show()
	}
}

// show draws the state (p.mu held).
func (p *progress) show() {
	switch p.mode {
	case "terminal":
		line := p.line()
		line = text.Truncate(line, 150)
		p.redraw(line)
		p.shown = true
	case "lines":
		p.last = time.Now()
		fmt.Fprintf(p.w, "progress: %s\n", p.line())
	}
}

// done ends the progress line.
func (p *progress) done() {
	if p == nil {
		return
	}
	if p.mode != "" {
		close(p.stop)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mode == "terminal" && p.shown {
		p.redraw("")
	}
}

// redraw draws line in place: through the console's Redraw (which keeps target text
// from driving the terminal), or with the same codes on a plain writer.
func (p *progress) redraw(line string) {
	if r, ok := p.w.(interface{ Redraw(string) error }); ok {
		_ = r.Redraw(line)
		return
	}
	fmt.Fprintf(p.w, "\x1b[K%s\r", line)
}
