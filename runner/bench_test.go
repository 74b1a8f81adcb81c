package runner

import (
	"context"
	"fmt"
	"io"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	dms "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/internal/hostile"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// BenchmarkFullRun measures the main job: one full run of every check against the
// embedded emulator (preflight, evidence, judging and the four report files), and in
// the same iteration as many bare SDK calls (DescribeMetadataModelConversions) to an
// emulator in this process as the run made. run/bare is the harness's cost per call
// over the cheapest way to make that many calls; gather/judge/write split the run's
// time. Read the ratios, not the absolute times: both halves share the machine's load.
func BenchmarkFullRun(b *testing.B) {
	srv, err := emulator.Start(emulator.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	client := dms.New(dms.Options{Region: srv.Region, BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider(srv.AccessKeyID, srv.SecretAccessKey, ""),
		Retryer:     retry.AddWithMaxAttempts(retry.NewStandard(), 1)})
	in := &dms.DescribeMetadataModelConversionsInput{MigrationProjectIdentifier: aws.String(emulator.DefaultProject), MaxRecords: aws.Int32(1)}

	var runWall, bareWall, gather, judge, write time.Duration
	var calls, checks int64
	for i := 0; i < b.N; i++ {
		start := time.Now()
		res, err := Run(context.Background(), Options{Out: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		if res.ExitCode != reports.ExitOK {
			b.Fatalf("the embedded run must conform, exit %d", res.ExitCode)
		}
		runWall += time.Since(start)
		calls += res.Run.ExchangeCount
		checks += int64(len(res.Run.Checks))
		gather += res.Run.Phases["gather"]
		judge += res.Run.Phases["judge"]
		write += res.Run.Phases["write"]

		start = time.Now()
		for j := int64(0); j < res.Run.ExchangeCount; j++ {
			if _, err := client.DescribeMetadataModelConversions(context.Background(), in); err != nil {
				b.Fatal(err)
			}
		}
		bareWall += time.Since(start)
	}
	n := float64(b.N)
	b.ReportMetric(float64(checks)/n, "checks/run")
	b.ReportMetric(float64(calls)/n, "calls/run")
	b.ReportMetric(float64(runWall.Microseconds())/n/1000, "run-ms")
	b.ReportMetric(float64(runWall)/float64(bareWall), "run/bare")
	b.ReportMetric(float64(gather)/float64(runWall), "gather/run")
	b.ReportMetric(float64(judge)/float64(runWall), "judge/run")
	b.ReportMetric(float64(write)/float64(runWall), "write/run")
}

// BenchmarkRealTime runs every check against the standalone emulator in real time
// (wall clock, control surface) at fast and slow lifecycle steps and reports the run's
// wall time over one lifecycle (a request runs five steps to its end): how close the
// harness comes to the target's own pace, with the families and the requests within a
// family watched side by side.
func BenchmarkRealTime(b *testing.B) {
	for _, step := range []time.Duration{150 * time.Millisecond, 1500 * time.Millisecond} {
		b.Run(fmt.Sprintf("step=%s", step), func(b *testing.B) {
			srv, err := emulator.Start(emulator.Config{StepDuration: step, Control: true})
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			lifecycle := 5 * step
			var wall time.Duration
			var calls int64
			for i := 0; i < b.N; i++ {
				start := time.Now()
				res, err := Run(context.Background(), Options{Out: b.TempDir(), Stdout: io.Discard, Config: engine.Config{
					Target: engine.TargetEndpoint, Endpoint: srv.URL, Project: emulator.DefaultProject,
					Control:           srv.URL + emulator.ControlPrefix,
					DeniedAccessKeyID: emulator.DeniedAccessKeyID, DeniedSecretAccessKey: emulator.DeniedSecretAccessKey}})
				if err != nil {
					b.Fatal(err)
				}
				if res.ExitCode != reports.ExitOK {
					b.Fatalf("the real-time emulator must conform, exit %d: %v", res.ExitCode, res.Run.Totals)
				}
				wall += time.Since(start)
				calls += res.Run.ExchangeCount
			}
			b.ReportMetric(float64(wall)/float64(b.N)/float64(lifecycle), "wall/lifecycle")
			b.ReportMetric(float64(calls)/float64(b.N), "calls/run")
			b.ReportMetric(float64(calls)/wall.Seconds(), "calls/s")
		})
	}
}

// BenchmarkHugeAnswer runs every check against the standalone emulator behind a proxy
// that makes the ProcessedObject.Name of every Describe answer after the preflight
// 200 MB long (issue 22, item 8), and reports the peak heap of the process (harness,
// proxy and emulator: the proxy streams, the emulator never sees the padding). The
// goal: a run keeps a bounded part of what a target sends, so the peak stays near a
// clean run's whatever the answer's size (it was 3.6 GB of resident memory before).
func BenchmarkHugeAnswer(b *testing.B) {
	srv, err := emulator.Start(emulator.Config{StepDuration: 50 * time.Millisecond, Control: true})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	var wall time.Duration
	for i := 0; i < b.N; i++ {
		p, err := hostile.Start(srv.URL, hostile.From(4, hostile.Inflate("Name", 200<<20, 'x')))
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		res, err := Run(context.Background(), Options{Out: b.TempDir(), Stdout: io.Discard, Config: engine.Config{
			Target: engine.TargetEndpoint, Endpoint: p.URL, Project: emulator.DefaultProject, Control: p.URL + emulator.ControlPrefix}})
		p.Close()
		if err != nil {
			b.Fatal(err)
		}
		if res.ExitCode != reports.ExitHarnessFail || len(res.Run.Causes) == 0 {
			b.Fatalf("a 200 MB answer is too large to judge (exit 3), got exit %d, causes %v", res.ExitCode, res.Run.Causes)
		}
		wall += time.Since(start)
	}
	close(stop)
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(wall.Milliseconds())/float64(b.N), "run-ms")
}
