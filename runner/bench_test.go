package runner

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	dms "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/suites/conformance"
)

// BenchmarkFullRun measures the main job: one full run of every check against the
// embedded emulator (in a child process, as the CLI's isolated runs do), reporting its
// wall time, the number of checks and of API exchanges, and the wall time per
// exchange. In the same iteration it makes the same number of bare SDK calls
// (DescribeMetadataModelConversions) to an emulator in this process; the figure is
// run-per-exchange / bare-per-call, the harness's overhead per exchange over the
// cheapest way to make that many calls (process start, Ginkgo, validation, capture and
// reports included). Read the ratio, not the absolute times: both halves share the
// machine's load.
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

	var runWall, bareWall time.Duration
	var exchanges, checks int64
	for i := 0; i < b.N; i++ {
		start := time.Now()
		res, err := RunIsolated(context.Background(), Options{Config: conformance.Config{Target: conformance.TargetEmbedded}, Out: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		if res.ExitCode != ExitOK {
			b.Fatalf("the embedded run must conform, exit %d", res.ExitCode)
		}
		runWall += time.Since(start)
		exchanges += res.Run.ExchangeCount
		checks += int64(len(res.Run.Checks))

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
	b.ReportMetric(float64(exchanges)/n, "exchanges/run")
	b.ReportMetric(float64(runWall.Milliseconds())/n, "run-ms")
	b.ReportMetric(float64(runWall.Nanoseconds())/float64(exchanges), "run-ns/exchange")
	b.ReportMetric(float64(bareWall.Nanoseconds())/float64(exchanges), "bare-ns/call")
	b.ReportMetric(float64(runWall)/float64(bareWall), "run/bare")
}
