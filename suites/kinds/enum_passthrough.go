package kinds

import (
	"fmt"
	"strconv"

	"github.com/dmsconform/dmsconform/suites/engine"
)

// EnumPassthrough: an undocumented value (solicited through a control surface)
// reaches the SDK's typed result unchanged: the model types these as plain strings.
type EnumPassthrough struct {
	Set   string   // the value set, e.g. ProgressStep
	Paths []string // the cancel output's members that carry it
}

func init() {
	register(func(x *Expansion) {
		for _, s := range valueSets(x) {
			x.Add("enum", s.vs.Name+".sdk-passthrough", "MUST", fromModel(s.paths[0]+" is a plain string, not an enum: the documented values are an open set"), s.vs.Pointer, "an undocumented "+s.vs.Name+" passes through the SDK",
				fmt.Sprintf("An undocumented %s value MUST reach the SDK's typed result unchanged (the model types it as a plain string).", s.vs.Name),
				[]string{"enum", "sdk"}, EnumPassthrough{Set: s.vs.Name, Paths: s.paths})
		}
	})
}

// Needs implements engine.Kind: only a control surface can ask a conforming target for
// an undocumented value.
func (EnumPassthrough) Needs() engine.Needs {
	return engine.Needs{Evidence: []engine.Script{engine.Scenarios}, Control: true, SDK: true}
}

// Judge implements engine.Kind.
func (k EnumPassthrough) Judge(ev *engine.Evidence) engine.Verdict {
	vs, vals := enumValues(ev, k.Set, k.Paths)
	if vs == nil {
		return engine.Errorf("the model has no value set %s: regenerate the suites", k.Set)
	}
	var j engine.Judgement
	n := 0
	for _, l := range vals {
		s := l.Value.(string)
		if vs.Contains(s) || !l.Sample.Solicits(s) {
			continue
		}
		n++
		j.Show(l.Sample)
		got, problem := sdkAt(ev, l)
		if problem != "" {
			j.Problem(l.Sample, "%s (want %s passed through)", problem, strconv.Quote(s))
			continue
		}
		if got != s {
			j.Problem(l.Sample, "%s = %q in %q: the SDK has %s", l.Pointer, s, l.Sample.Name, show(got))
		}
	}
	if n == 0 {
		return engine.Skipf(nil, "the target sent no undocumented %s value, though the scenario runs asked for one", vs.Name)
	}
	return j.Verdict("an undocumented " + vs.Name + " value was not passed through unchanged")
}
