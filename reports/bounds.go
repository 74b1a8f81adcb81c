package reports

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"unicode/utf8"
)

// MaxReportBody is the most of one request or response body a report file shows. A
// run attaches the same exchange to every check judged on it, so report.json and
// report.html would repeat a large body many times: longer bodies are cut to their
// beginning, with their size and sha256 (HTTPMessage.BodySize, BodySHA256). The
// recording (--record) keeps the evidence the checks were judged on.
const MaxReportBody = 64 << 10

// boundBodies cuts every body of run's transcripts to MaxReportBody, in place.
func boundBodies(run *Run) {
	for i := range run.Checks {
		boundExchanges(run.Checks[i].Exchanges)
	}
	for i := range run.Causes {
		boundExchanges(run.Causes[i].Exchanges)
	}
}

func boundExchanges(es []Exchange) {
	for i := range es {
		boundMessage(&es[i].Request)
		boundMessage(&es[i].Response)
	}
}

func boundMessage(m *HTTPMessage) {
	if len(m.Body) <= MaxReportBody {
		return
	}
	if m.BodySize == 0 {
		sum := sha256.Sum256([]byte(m.Body))
		m.BodySize, m.BodySHA256 = int64(len(m.Body)), hex.EncodeToString(sum[:])
	}
	cut := MaxReportBody
	for cut > 0 && !utf8.RuneStart(m.Body[cut]) {
		cut--
	}
	m.Body = m.Body[:cut]
}

// bodyNote says what a cut body left out ("" for a whole body).
func bodyNote(m HTTPMessage) string {
	if m.BodySize == 0 {
		return ""
	}
	size := fmt.Sprintf("%d bytes", m.BodySize)
	if m.BodyUnended {
		size = fmt.Sprintf("more than %d bytes (the body had not ended when reading stopped)", m.BodySize)
	}
	return fmt.Sprintf("[body cut: the first %d bytes shown of %s; sha256 %s]", len(m.Body), size, m.BodySHA256)
}
