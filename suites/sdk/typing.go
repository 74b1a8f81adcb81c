package sdk

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/dmsconform/dmsconform/spec"
)

// Fault typing: which error codes an SDK returns as its typed errors, per operation.
// The model lists the faults of each operation; SDKs differ in whether they type only
// those (per operation) or every error of the service on every operation. The version
// matrix measures it for every SDK version, which is what tells the drift test which
// versions its per-operation assertion applies to.

// FaultTyping is what one SDK did with a 400 answer of each probed code, per operation.
type FaultTyping struct {
	Codes []string            // the codes probed (the service's error types), sorted
	Typed map[string][]string // per operation: the codes it returned as typed errors, sorted
	// Service: the codes this SDK has error types for (a Go version's types/errors.go;
	// else the codes typed on at least one operation), sorted.
	Service []string
	// Rule is what was observed: TypingPerOperation, TypingServiceWide, or "mixed".
	Rule string
	// Expected is the rule the drift test asserts for this SDK version ("" when it
	// asserts none); Deviations lists where the observation departs from Rule's
	// definition when Rule is "mixed".
	Expected   string
	Deviations []string
}

// Holds reports whether the observed rule is the expected one (true when none is).
func (f *FaultTyping) Holds() bool { return f.Expected == "" || f.Rule == f.Expected }

// Summary says the rule in a few words, with the count per operation.
func (f *FaultTyping) Summary(m *spec.Model) string {
	var parts []string
	for _, op := range m.Operations {
		parts = append(parts, fmt.Sprintf("%s %d", op.Name, len(f.Typed[op.Name])))
	}
	return fmt.Sprintf("%s (typed per operation: %s; %d error types)", f.Rule, strings.Join(parts, ", "), len(f.Service))
}

// TypingRuleMixed is a typing that is neither per operation nor service-wide.
const TypingRuleMixed = "mixed"

// ProbeFaultTyping replays, for every operation of the model and every code, a 400
// answer {"__type": code, "message": "m"} to sdk and records which codes came back
// typed. service lists the codes the SDK has error types for (nil: the ones it typed
// somewhere).
func ProbeFaultTyping(ctx context.Context, sdk SDK, m *spec.Model, codes, service []string) (*FaultTyping, error) {
	if reason := sdk.Unavailable(); reason != "" {
		return nil, fmt.Errorf("%s: %s", sdk.Info().Name, reason)
	}
	srv, err := NewServer()
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	type probe struct{ op, code string }
	var jobs []Job
	var probes []probe
	for _, op := range m.Operations {
		for _, code := range codes {
			fx := &Fixture{ID: "typing-" + strings.ToLower(code), Operation: op.Name,
				Response: Response{Status: 400, Body: fmt.Sprintf(`{"__type":%q,"message":"m"}`, code)}}
			endpoint, key := srv.Route(fx)
			jobs = append(jobs, Job{Key: key, Endpoint: endpoint, Region: Region, Operation: op.Name, Input: DefaultInput(op)})
			probes = append(probes, probe{op.Name, code})
		}
	}
	obs, err := sdk.Run(ctx, m, jobs)
	if err != nil {
		return nil, err
	}
	ft := &FaultTyping{Codes: slices.Sorted(slices.Values(codes)), Typed: map[string][]string{}}
	everywhere := map[string]bool{}
	for i, p := range probes {
		if e := obs[i].Err; e != nil && e.Layer == LayerAPI && e.Typed && e.Code == p.code {
			ft.Typed[p.op] = append(ft.Typed[p.op], p.code)
			everywhere[p.code] = true
		}
	}
	for op := range ft.Typed {
		sort.Strings(ft.Typed[op])
	}
	ft.Service = service
	if ft.Service == nil {
		for c := range everywhere {
			ft.Service = append(ft.Service, c)
		}
	}
	ft.Service = slices.Sorted(slices.Values(ft.Service))
	ft.Rule, ft.Deviations = classifyTyping(m, ft)
	return ft, nil
}

// classifyTyping names the rule the typing follows, or lists how it departs from
// per-operation typing when it follows neither rule.
func classifyTyping(m *spec.Model, ft *FaultTyping) (string, []string) {
	probed := map[string]bool{}
	for _, c := range ft.Codes {
		probed[c] = true
	}
	var service []string
	for _, c := range ft.Service {
		if probed[c] {
			service = append(service, c)
		}
	}
	perOp, wide := true, true
	var dev []string
	for _, op := range m.Operations {
		var modelled []string
		for _, f := range op.Faults {
			if slices.Contains(service, f.Code) {
				modelled = append(modelled, f.Code)
			}
		}
		sort.Strings(modelled)
		typed := ft.Typed[op.Name]
		if !slices.Equal(typed, modelled) {
			perOp = false
			for _, c := range modelled {
				if !slices.Contains(typed, c) {
					dev = append(dev, fmt.Sprintf("%s: modelled fault %s is not typed", op.Name, c))
				}
			}
			var extra []string
			for _, c := range typed {
				if !slices.Contains(modelled, c) {
					extra = append(extra, c)
				}
			}
			if len(extra) > 0 {
				dev = append(dev, fmt.Sprintf("%s: %d faults the operation does not model are typed (%s)", op.Name, len(extra), strings.Join(extra, ", ")))
			}
		}
		if !slices.Equal(typed, service) {
			wide = false
		}
	}
	switch {
	case perOp:
		return TypingPerOperation, nil
	case wide:
		return TypingServiceWide, nil
	}
	return TypingRuleMixed, dev
}
