package reports

import (
	"sort"
)

// Finalize puts a run into the shape every writer expects: it sets SchemaVersion,
// sorts the checks by ID, replaces nil slices by empty ones (so report.json always has
// the same keys), computes Totals with every outcome present (zero counts included),
// and, for mutation runs, sorts the kill matrix and computes its kill rate.
// Finalize is idempotent; WriteAll calls it, callers may call it earlier to read Totals.
func Finalize(run *Run) {
	if run == nil {
		return
	}
	if run.SchemaVersion == "" {
		run.SchemaVersion = SchemaVersion
	}
	if run.Checks == nil {
		run.Checks = []Check{}
	}
	sort.SliceStable(run.Checks, func(i, j int) bool { return run.Checks[i].ID < run.Checks[j].ID })
	for i := range run.Checks {
		if run.Checks[i].Labels == nil {
			run.Checks[i].Labels = []string{}
		}
	}
	run.Totals = ComputeTotals(run.Checks)
	run.NotApplicable = coverageOf(run)
	run.ShouldUnmet = nil
	for _, c := range UnmetShoulds(run) {
		run.ShouldUnmet = append(run.ShouldUnmet, c.ID)
	}
	if run.Baseline != nil {
		sort.SliceStable(run.Baseline.Entries, func(i, j int) bool { return run.Baseline.Entries[i].ID < run.Baseline.Entries[j].ID })
	}
	if m := run.Matrix; m != nil {
		finalizeMatrix(m)
	}
}

// ComputeTotals counts checks by outcome. Every outcome of Outcomes is present, with
// zero when no check has it; an outcome outside Outcomes is counted under its own key
// (so nothing is silently dropped).
func ComputeTotals(checks []Check) Totals {
	t := Totals{}
	for _, o := range Outcomes {
		t[o] = 0
	}
	for _, c := range checks {
		t[c.Outcome]++
	}
	return t
}

func finalizeMatrix(m *KillMatrix) {
	if m.Modes == nil {
		m.Modes = []string{}
	}
	if m.Killed == nil {
		m.Killed = map[string][]string{}
	}
	if m.FalsePositives == nil {
		m.FalsePositives = []string{}
	}
	for mode, ids := range m.Killed {
		m.Killed[mode] = sortedUnique(ids)
	}
	m.FalsePositives = sortedUnique(m.FalsePositives)
	m.KillRate = KillRate(m)
	if m.Proofs == nil {
		m.Proofs = []CheckProof{}
	}
	m.Kinds, m.Coverage = []ProofCoverage{}, ProofCoverage{}
	at := map[string]int{}
	for i := range m.Proofs {
		p := &m.Proofs[i]
		if p.KilledBy == nil {
			p.KilledBy = []string{}
		}
		p.KilledBy = sortedUnique(p.KilledBy)
		k, ok := at[p.Kind]
		if !ok {
			k = len(m.Kinds)
			at[p.Kind] = k
			m.Kinds = append(m.Kinds, ProofCoverage{Kind: p.Kind})
		}
		m.Kinds[k].add(*p)
		m.Coverage.add(*p)
	}
	m.Coverage.Reason = ""
}

// KillRate is the share of modes killed by at least one check (0 when there are no
// modes).
func KillRate(m *KillMatrix) float64 {
	if m == nil || len(m.Modes) == 0 {
		return 0
	}
	killed := 0
	for _, mode := range m.Modes {
		if len(m.Killed[mode]) > 0 {
			killed++
		}
	}
	return float64(killed) / float64(len(m.Modes))
}

func sortedUnique(in []string) []string {
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
