package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// nightlyDefects is a month of a target that changes: clean nights, a fault mapping
// broken for two nights and fixed, a drift that comes and goes (flaky), a content
// type broken from night 20 on, and lower-case statuses for the last three nights.
func nightlyDefects(nights int) [][]string {
	out := make([][]string, nights)
	for i := range out {
		var d []string
		if i == 5 || i == 6 {
			d = append(d, "fault-status-500")
		}
		if i == 12 || i == 14 || i == 25 {
			d = append(d, "undocumented-status")
		}
		if i >= 20 {
			d = append(d, "wrong-content-type")
		}
		if i >= 27 {
			d = append(d, "status-lowercase")
		}
		out[i] = d
	}
	return out
}

// BenchmarkMergeAndHistory30 measures dmsconform merge and dmsconform history on 30
// reports: runs of the embedded emulator with different defect modes on 30 different
// days (made once, outside the timing). Set DMSCONFORM_PAGES_OUT to a folder to keep
// the reports and both pages there (to look at them in a browser).
func BenchmarkMergeAndHistory30(b *testing.B) {
	root := os.Getenv("DMSCONFORM_PAGES_OUT")
	if root == "" {
		root = b.TempDir()
	}
	dirs := nights(b, filepath.Join(root, "nights"), nightlyDefects(30))
	var merge, history time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		m, err := Merge(MergeOptions{Reports: dirs, Out: filepath.Join(root, fmt.Sprintf("merge-%d", i))})
		if err != nil {
			b.Fatal(err)
		}
		merge += time.Since(start)
		start = time.Now()
		h, err := History(HistoryOptions{Reports: []string{filepath.Join(root, "nights")}, Out: filepath.Join(root, fmt.Sprintf("history-%d", i))})
		if err != nil {
			b.Fatal(err)
		}
		history += time.Since(start)
		if len(m.Merge.Columns) != 30 || len(h.History.Runs) != 30 || h.History.Failing == 0 || h.History.Flaky == 0 {
			b.Fatalf("merge %d columns, history %d runs, %d failing, %d flaky", len(m.Merge.Columns), len(h.History.Runs), h.History.Failing, h.History.Flaky)
		}
	}
	b.ReportMetric(float64(merge.Milliseconds())/float64(b.N), "merge-ms/op")
	b.ReportMetric(float64(history.Milliseconds())/float64(b.N), "history-ms/op")
}
