// Package motoserver starts moto's server (moto_server, from moto[server] with the
// machine's Python) on a free loopback port for a test: as a target that implements
// nothing of the metadata-model operations, and as the STS a rehearsal of the nightly
// asks for the account guard and for web-identity credentials.
package motoserver

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dmsconform/dmsconform/internal/require"
)

// Start starts moto_server on 127.0.0.1 and returns its URL; it stops with the test.
// Where moto is not installed the test is skipped with the reason (or fails, when
// DMSCONFORM_REQUIRE names moto).
func Start(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		require.Missing(t, require.Moto, "moto_server is not on PATH: install moto (python3 -m pip install 'moto[server]==5.2.1') to run this test")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	var log lockedBuffer
	cmd.Stdout, cmd.Stderr = &log, &log
	// A process the server left behind may hold its output pipe open: Wait gives up
	// on the pipe after this long instead of never returning.
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		require.Missing(t, require.Moto, fmt.Sprintf("moto_server does not start: %v", err))
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return fmt.Sprintf("http://127.0.0.1:%d", port)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("moto_server did not listen within 30s:\n%s", log.String())
	return ""
}

// lockedBuffer is the server's output, written by exec's copying goroutine and read
// by the test when the server does not start.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
