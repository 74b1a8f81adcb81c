package reports

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// A body longer than 64 KiB (the README says so) is written as its first 64 KiB with
// its size and sha256, once per exchange however many checks show it; report.html
// says what it left out.
func TestReportFilesCutLongBodies(t *testing.T) {
	run := sampleRun()
	body := `{"Requests":[` + strings.Repeat(`{"RequestIdentifier":"x"},`, 8000) + `{}]}`
	ex := Exchange{Name: "describe", Response: HTTPMessage{Status: 200, Body: body}}
	for i := range run.Checks {
		run.Checks[i].Exchanges = append(run.Checks[i].Exchanges, ex)
	}
	dir := writeSample(t, run)
	var got Run
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(dir, FileJSON))), &got); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(body))
	for _, c := range got.Checks {
		m := c.Exchanges[len(c.Exchanges)-1].Response
		if len(m.Body) != 64<<10 || m.BodySize != int64(len(body)) || m.BodySHA256 != hex.EncodeToString(sum[:]) || !strings.HasPrefix(body, m.Body) {
			t.Fatalf("%s: body %d bytes, size %d, sha %s", c.ID, len(m.Body), m.BodySize, m.BodySHA256)
		}
	}
	if html := readFile(t, filepath.Join(dir, FileHTML)); !strings.Contains(html, fmt.Sprintf("[body cut: the first 65536 bytes shown of %d bytes; sha256 %x]", len(body), sum)) {
		t.Error("report.html does not say what it left out")
	}
	if len(run.Checks[0].Exchanges[len(run.Checks[0].Exchanges)-1].Response.Body) != len(body) {
		t.Error("WriteAll cut the caller's run")
	}
}
