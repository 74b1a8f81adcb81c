package conformance

import (
	"fmt"
	"net/http"

	"github.com/dmsconform/dmsconform/spec"
)

func init() {
	registerKind("member-type", checkMemberType)
	registerKind("undeclared-members", checkUndeclared)
	registerKind("sdk-decodes", checkSDKDecodes)
	registerKind("sdk-matches-wire", checkSDKMatchesWire)
}

// op returns the check's operation from the model.
func (c *C) op() *spec.Operation {
	op := c.S.Model.Operation(c.Check.Operation)
	if op == nil {
		c.Errorf("the model has no operation %s: regenerate the suites (make generate)", c.Check.Operation)
	}
	return op
}

// observe returns the family's observations or ends the check with the right outcome.
func (c *C) observe() *Observations {
	o, err := c.S.Observe(c.Ctx, c.Check.Family)
	if err != nil {
		c.Fatal(fmt.Errorf("observing the %s lifecycle: %w", c.Check.Family, err))
	}
	return o
}

func (c *C) needCancels(o *Observations) {
	if len(o.Cancels) == 0 {
		c.Skipf("no successful %s response was observed", c.Check.Operation)
	}
}

// checkMemberType: the member has its modeled JSON type wherever it appears.
func checkMemberType(c *C) {
	op, o := c.op(), c.observe()
	path := c.Param("path")
	sh := shapeAt(op.Output, path)
	if sh == nil {
		c.Errorf("path %s is not in %s: regenerate the suites", path, op.Output.Name)
	}
	vals := gather(op.Output, o.Cancels, path)
	via := op.Name
	if len(vals) == 0 {
		vals = gather(op.Output, o.Describes, path)
		via = c.S.Model.FamilyOperation(c.Check.Family, spec.RoleDescribe).Name + " (which returns the same shape)"
	}
	if len(vals) == 0 {
		c.Skipf("%s never appeared in %d %s and %d describe responses: nothing to check (a target that never sends it conforms)", path, len(o.Cancels), op.Name, len(o.Describes))
	}
	var problems []string
	attached := map[*Sample]bool{}
	for _, l := range vals {
		if l.Value == nil {
			c.Driftf("%s is null in %q: awsJson 1.1 omits unset members", l.Pointer, l.Sample.Name)
			continue
		}
		for _, f := range spec.Validate(sh, l.Value) {
			if f.Pointer != "" || f.Severity != spec.Violation {
				continue // nested members have their own checks
			}
			switch f.Rule {
			case spec.RuleType, spec.RuleInteger, spec.RuleMaxLength:
			case spec.RuleRange:
				if sh.Minimum != nil || sh.Maximum != nil {
					continue // the range check reports documented bounds
				}
			default:
				continue
			}
			problems = append(problems, fmt.Sprintf("%s in %q (via %s): expected %s, got %s", l.Pointer, l.Sample.Name, via, f.Expected, f.Got))
			if !attached[l.Sample] {
				attached[l.Sample] = true
				c.Attach(l.Sample.Wire.Exchange)
			}
		}
	}
	if len(attached) == 0 {
		c.Attach(vals[0].Sample.Wire.Exchange)
	}
	c.FailIf(problems, fmt.Sprintf("%s is not %s in %d of %d observed values", path, sh.TypeLabel(), len(problems), len(vals)))
}

// checkUndeclared: members the model does not declare are drift.
func checkUndeclared(c *C) {
	op, o := c.op(), c.observe()
	c.needCancels(o)
	for _, smp := range o.Cancels {
		for _, f := range spec.ValidateJSON(op.Output, smp.Wire.Body) {
			if f.Rule == spec.RuleUndeclared {
				c.Driftf("%s in %q: %s", f.Pointer, smp.Name, f.Got)
				c.Attach(smp.Wire.Exchange)
			}
		}
	}
	if len(c.exchanges) == 0 {
		c.Attach(o.Cancels[0].Wire.Exchange)
	}
}

// checkSDKDecodes: every successful response decodes through the SDK.
func checkSDKDecodes(c *C) {
	_, o := c.op(), c.observe()
	c.needCancels(o)
	var problems []string
	for _, smp := range o.Cancels {
		switch {
		case smp.SDKErr != nil:
			problems = append(problems, fmt.Sprintf("%q: HTTP %d decoded to an error: %v", smp.Name, smp.Wire.Status, smp.SDKErr))
			c.Attach(smp.Wire.Exchange)
		case smp.SDKOut == nil:
			problems = append(problems, fmt.Sprintf("%q: the SDK returned neither output nor error", smp.Name))
		case smp.Wire.Status != http.StatusOK:
			problems = append(problems, fmt.Sprintf("%q: HTTP %d was taken as success", smp.Name, smp.Wire.Status))
		}
	}
	if len(c.exchanges) == 0 {
		c.Attach(o.Cancels[0].Wire.Exchange)
	}
	c.FailIf(problems, "aws-sdk-go-v2 could not decode responses")
}

// checkSDKMatchesWire: the typed SDK result equals the wire value, member by member.
func checkSDKMatchesWire(c *C) {
	op, o := c.op(), c.observe()
	c.needCancels(o)
	var problems []string
	for _, smp := range o.Cancels {
		canon, ok := sdkCanon(smp)
		if !ok {
			continue // sdk-decodes reports it
		}
		for _, d := range Diff(op.Output, smp.Wire.Decoded, canon, "") {
			problems = append(problems, fmt.Sprintf("%q %s", smp.Name, d))
			c.Attach(smp.Wire.Exchange)
		}
	}
	if len(c.exchanges) == 0 {
		c.Attach(o.Cancels[0].Wire.Exchange)
	}
	c.FailIf(problems, "the SDK's typed result differs from the wire")
}
