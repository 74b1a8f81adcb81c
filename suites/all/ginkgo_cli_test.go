package all_test

import (
	"context"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/runner"
	"github.com/dmsconform/dmsconform/suites/all"
	"github.com/dmsconform/dmsconform/suites/engine"
	"github.com/dmsconform/dmsconform/targets"
)

// The Ginkgo face and the CLI are two ways into the same engine: this suite builds the
// Ginkgo tree of every family (as go test ./suites/<family>/ does), runs it against
// the embedded emulator, and compares each spec's outcome with dmsconform run's.

var (
	session *engine.Session
	ginkgo  = map[string]engine.OutcomeEntry{}
	states  = map[string]types.SpecState{}
)

var _ = BeforeSuite(func(ctx SpecContext) {
	s, err := engine.OpenSuite(ctx, targets.New, all.Families...)
	Expect(err).NotTo(HaveOccurred())
	session = s
})

var _ = AfterSuite(func(ctx SpecContext) {
	Expect(session.Close(ctx)).To(Succeed())
})

var _ = ReportAfterSuite("collect the outcomes", func(r Report) {
	for _, sr := range r.SpecReports {
		if sr.LeafNodeType != types.NodeTypeIt {
			continue
		}
		states[sr.LeafNodeText] = sr.State
		for _, e := range sr.ReportEntries {
			if v, ok := e.Value.GetRawValue().(engine.OutcomeEntry); ok && e.Name == engine.EntryOutcome {
				ginkgo[sr.LeafNodeText] = v
			}
		}
	}
})

var _ = func() bool {
	for _, f := range all.Families {
		engine.Suite(f, func() *engine.Session { return session })
	}
	return true
}()

func TestGinkgoAndTheCLIJudgeAlike(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "dmsconform: Ginkgo against the CLI")

	res, err := runner.Run(context.Background(), runner.Options{Out: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(ginkgo) != len(res.Run.Checks) {
		t.Errorf("Ginkgo judged %d checks, the CLI %d", len(ginkgo), len(res.Run.Checks))
	}
	for _, c := range res.Run.Checks {
		g, ok := ginkgo[c.ID]
		switch {
		case !ok:
			t.Errorf("%s: no Ginkgo spec", c.ID)
		case g.Outcome != c.Outcome || g.Message != c.Message:
			t.Errorf("%s: the CLI says %s %q, Ginkgo %s %q", c.ID, c.Outcome, c.Message, g.Outcome, g.Message)
		}
		// Ginkgo's own state agrees with the outcome.
		want := map[reports.Outcome]types.SpecState{reports.Pass: types.SpecStatePassed, reports.Drift: types.SpecStatePassed,
			reports.Skipped: types.SpecStateSkipped, reports.Unimplemented: types.SpecStateSkipped,
			reports.Fail: types.SpecStateFailed, reports.Error: types.SpecStateFailed}[c.Outcome]
		if st := states[c.ID]; st != want {
			t.Errorf("%s: outcome %s, but the Ginkgo spec %s", c.ID, c.Outcome, st)
		}
	}
}
