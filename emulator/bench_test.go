package emulator

import (
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	dms "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"
)

// bareNsPerOp is the ns/op of the last BenchmarkCancel/bare run, so that
// BenchmarkCancel/emulator can report its throughput relative to it.
var bareNsPerOp atomic.Int64

// BenchmarkCancel measures CancelMetadataModelConversion through the real
// aws-sdk-go-v2 client over loopback HTTP, with parallel clients (b.RunParallel, one
// SDK client per goroutine), in two sub-benchmarks run in this order:
//
//   - bare: a minimal net/http handler that answers every call with a fixed, valid
//     CancelMetadataModelConversionResponse. It is the ceiling: SDK marshalling,
//     signing, loopback HTTP and response decoding, with no emulator work.
//   - emulator: the emulator, each call cancelling a distinct RECEIVED request
//     (seeded before the timer starts), so every call takes the full path: body
//     read, SigV4 re-sign and compare, routing, model validation, access policy,
//     state change under the lock and JSON rendering.
//
// How to read it: run both in one go,
//
//	go test -run '^$' -bench BenchmarkCancel -benchtime 2s ./emulator
//
// and look at the "emu/bare" metric on the emulator line: the emulator's throughput
// as a fraction of the bare handler's (bare ns/op ÷ emulator ns/op). 1.0 means the
// emulator costs nothing on top of the SDK round trip; the goal is ≥ 0.5. Absolute
// ns/op depend on the machine; the ratio is what to compare between commits. When
// only the emulator sub-benchmark is selected, the ratio is not reported. With
// -count N the testing package runs every bare round before every emulator round,
// so each ratio pairs with the last bare round: on a busy machine prefer several
// separate -count 1 runs (the client and both servers share the same CPUs, so load
// from other processes moves the ratio by ±0.3).
func BenchmarkCancel(b *testing.B) {
	b.Run("bare", func(b *testing.B) {
		fixed := []byte(`{"Request":{"Status":"CANCELING","RequestIdentifier":"6f0b8a36-3f5e-4d8e-9a4e-5c1b7a0e2d11","MigrationProjectArn":"arn:aws:dms:us-east-1:123456789012:migration-project:ABCDEFGHIJKLMNOPQRSTUVWXYZ"}}`)
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = r.Body.Read(make([]byte, 512))
			w.Header().Set("Content-Type", contentTypeJSON11)
			w.Header().Set("x-amzn-RequestId", "00000000-0000-4000-8000-000000000000")
			_, _ = w.Write(fixed)
		})
		url := serveLoopback(b, h)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			c := benchClient(url)
			for pb.Next() {
				if _, err := c.CancelMetadataModelConversion(ctx, &dms.CancelMetadataModelConversionInput{
					MigrationProjectIdentifier: aws.String(DefaultProject), RequestIdentifier: aws.String("6f0b8a36-3f5e-4d8e-9a4e-5c1b7a0e2d11")}); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.StopTimer()
		bareNsPerOp.Store(b.Elapsed().Nanoseconds() / int64(b.N))
	})
	b.Run("emulator", func(b *testing.B) {
		e, vc := newTestEmulator(b, func(c *Config) { c.Control = false })
		p := e.lookupProject(DefaultProject)
		ids := make([]string, b.N)
		e.mu.Lock()
		for i := range ids {
			ids[i] = e.newRequest(p, FamilyConversion, "{}", vc.Now()).id
		}
		e.mu.Unlock()
		url := serveLoopback(b, e)
		var next atomic.Int64
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			c := benchClient(url)
			for pb.Next() {
				id := ids[next.Add(1)-1]
				out, err := c.CancelMetadataModelConversion(ctx, &dms.CancelMetadataModelConversionInput{
					MigrationProjectIdentifier: aws.String(DefaultProject), RequestIdentifier: aws.String(id)})
				if err != nil || aws.ToString(out.Request.Status) != StatusCanceling {
					b.Errorf("cancel %s: %v", id, err)
					return
				}
			}
		})
		b.StopTimer()
		emu := b.Elapsed().Nanoseconds() / int64(b.N)
		if bare := bareNsPerOp.Load(); bare > 0 && emu > 0 {
			b.ReportMetric(float64(bare)/float64(emu), "emu/bare")
		}
	})
}

func benchClient(url string) *dms.Client {
	return sdkClient(&Server{URL: url, Region: DefaultRegion}, DefaultAccessKeyID, DefaultSecretAccessKey)
}

// serveLoopback serves h on 127.0.0.1 until the benchmark ends.
func serveLoopback(b *testing.B, h http.Handler) string {
	b.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	b.Cleanup(func() { _ = srv.Close() })
	return "http://" + l.Addr().String()
}
