package emulator

import (
	"sync"
	"time"
)

// Clock is where the emulator reads the time. Request state is computed lazily from
// it on every read, so a virtual clock moves the whole lifecycle without timers.
type Clock interface{ Now() time.Time }

// WallClock is the real time; it is the default when Config.Clock is nil.
type WallClock struct{}

// Now returns time.Now().
func (WallClock) Now() time.Time { return time.Now() }

// VirtualClock is a clock that only moves when told to (Advance). It is safe for
// concurrent use.
type VirtualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewVirtualClock returns a virtual clock standing at start (the zero time means
// 2026-01-01T00:00:00Z, so ARNs and timestamps stay readable).
func NewVirtualClock(start time.Time) *VirtualClock {
	if start.IsZero() {
		start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return &VirtualClock{now: start}
}

// Now returns the virtual time.
func (c *VirtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d (a negative d is ignored: time never goes
// backwards).
func (c *VirtualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
	}
}
