package emulator

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// TestCloseDropsConnectionsThatNeverSentARequest: a client's spare connection (dialed,
// never used) does not hold Close for http.Server.Shutdown's 5 s rule, while a call in
// flight is still answered before the server goes.
func TestCloseDropsConnectionsThatNeverSentARequest(t *testing.T) {
	const latency = 200 * time.Millisecond
	s := startServer(t, func(c *Config) { c.Weather = Weather{Latency: latency} })
	addr := strings.TrimPrefix(s.URL, "http://")
	spare, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer spare.Close()

	// A call in flight: its answer must arrive although Close starts meanwhile.
	answered := make(chan string, 1)
	go func() {
		c := sdkClient(s, s.AccessKeyID, s.SecretAccessKey)
		id, err := startIn(c, ctx, "{}")
		if err != nil {
			answered <- "error: " + err.Error()
			return
		}
		answered <- id
	}()
	deadline := time.Now().Add(5 * time.Second)
	for s.Emulator.weather.Load().calls.Load() == 0 && time.Now().Before(deadline) { // the call has arrived
		time.Sleep(5 * time.Millisecond)
	}

	t0 := time.Now()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	// Shutdown's own rule would wait 5 s for the spare connection, then fail with a
	// deadline; well under that means the spare connection was closed at once.
	if el := time.Since(t0); el >= 4*time.Second {
		t.Errorf("Close took %v: it waited for a connection that never sent a request", el)
	}
	if got := <-answered; strings.HasPrefix(got, "error") || got == "" {
		t.Errorf("the call in flight during Close was not answered: %s", got)
	}
	spare.SetReadDeadline(time.Now().Add(time.Second))
	if _, err := spare.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("the spare connection is still open after Close (read: %v)", err)
	}
}
