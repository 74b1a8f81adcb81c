package conformance

import (
	"net/http"
	"sync"
	"sync/atomic"
)

// CheckHeader carries the running check's ID on every request to a replay target, so
// a recording can be served back by check and sequence.
const CheckHeader = "X-Dmsconform-Check"

// ExchangeObserver receives every exchange the harness makes (SDK, raw wire and
// control surface), tagged with the ID of the check that was running ("" outside a
// check) and its sequence number within that check, starting at 1.
type ExchangeObserver func(checkID string, seq int, ex Exchange)

var (
	obsMu    sync.Mutex
	observer ExchangeObserver
	running  string
	seqs     = map[string]int{}
)

// SetExchangeObserver installs an observer (nil removes it). The recorder of
// `dmsconform run --record` is one.
func SetExchangeObserver(f ExchangeObserver) {
	obsMu.Lock()
	defer obsMu.Unlock()
	observer = f
}

// CurrentCheck returns the ID of the check that is running ("" between checks).
func CurrentCheck() string {
	obsMu.Lock()
	defer obsMu.Unlock()
	return running
}

func setRunning(id string) {
	obsMu.Lock()
	defer obsMu.Unlock()
	running = id
}

var apiExchanges atomic.Int64

// ExchangeCount returns how many exchanges with the target's API surface (SDK and raw
// wire; control-surface calls excluded) this process has made.
func ExchangeCount() int64 { return apiExchanges.Load() }

// observe counts an exchange and hands it to the observer.
func observe(ex Exchange) {
	if ex.View != "control" {
		apiExchanges.Add(1)
	}
	obsMu.Lock()
	f, id := observer, running
	var seq int
	if f != nil {
		seqs[id]++
		seq = seqs[id]
	}
	obsMu.Unlock()
	if f != nil {
		f(id, seq, ex)
	}
}

// tagCheck sets CheckHeader on a request to a replay target.
func tagCheck(h http.Header, kind string) {
	if kind == TargetReplay {
		h.Set(CheckHeader, CurrentCheck())
	}
}

// ReplayServer serves a recording back; the record package provides it (see
// SetReplayStarter), which keeps this package free of the recording format.
type ReplayServer struct {
	URL     string // the AWS surface
	Control string // the control surface URL, "" if the recording has none
	Project string // the project the recording used
	Region  string
	Denied  bool // the recording had a denied principal: offer one
	Close   func() error
}

var replayStarter func(dir string) (*ReplayServer, error)

// SetReplayStarter registers how a replay target is started from a recording folder.
func SetReplayStarter(f func(dir string) (*ReplayServer, error)) { replayStarter = f }
