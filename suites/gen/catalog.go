package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/conformance"
)

// Group names, in the order the suites run them.
var groups = []string{"shape", "union", "enum", "fault", "input", "protocol", "lifecycle"}

// family is one generated suite package: the checks of a lifecycle family's cancel
// operation.
type family struct {
	Name   string
	Op     *spec.Operation
	Checks []conformance.Check
}

// catalog derives every check from the model. It refuses duplicate IDs and kinds the
// conformance package does not implement.
func catalog(m *spec.Model) ([]family, error) {
	var fams []family
	seen := map[string]string{}
	known := map[string]bool{}
	for _, k := range conformance.Kinds() {
		known[k] = true
	}
	for _, name := range m.Families() {
		op := m.FamilyOperation(name, spec.RoleCancel)
		if op == nil {
			return nil, fmt.Errorf("family %s has no cancel operation", name)
		}
		b := &builder{m: m, op: op, family: name}
		b.build()
		for _, c := range b.checks {
			if prev, dup := seen[c.ID]; dup {
				return nil, fmt.Errorf("duplicate check ID %s (from %s and %s): make the model names distinct", c.ID, prev, c.Pointer)
			}
			seen[c.ID] = c.Pointer
			if !known[c.Kind] {
				return nil, fmt.Errorf("check %s has kind %q, which suites/conformance does not implement", c.ID, c.Kind)
			}
		}
		fams = append(fams, family{Name: name, Op: op, Checks: b.checks})
	}
	return fams, nil
}

type builder struct {
	m      *spec.Model
	op     *spec.Operation
	family string
	checks []conformance.Check
}

func (b *builder) add(group, name, level, kind, pointer, title, description string, labels []string, params map[string]string) {
	b.checks = append(b.checks, conformance.Check{
		ID:          b.op.Name + "." + group + "." + name,
		Title:       title,
		Description: description,
		Level:       level,
		Labels:      labels,
		Pointer:     pointer,
		Operation:   b.op.Name,
		Family:      b.family,
		Kind:        kind,
		Params:      params,
	})
}

// Group returns a check's group (the second part of its ID).
func group(c conformance.Check) string {
	parts := strings.SplitN(strings.TrimPrefix(c.ID, c.Operation+"."), ".", 2)
	return parts[0]
}

type memberPath struct {
	path   string // /Request/Progress/TotalObjects
	dotted string // Request.Progress.TotalObjects
	member *spec.Member
}

// walk lists the member paths of a shape, depth first, in document order; it does not
// descend into a shape already on the path.
func walk(sh *spec.Shape, prefix, dotted string, onPath map[*spec.Shape]bool, out *[]memberPath) {
	if sh == nil || onPath[sh] {
		return
	}
	onPath[sh] = true
	defer delete(onPath, sh)
	for _, mb := range sh.Members {
		p, d := prefix+"/"+mb.Name, strings.TrimPrefix(dotted+"."+mb.Name, ".")
		*out = append(*out, memberPath{path: p, dotted: d, member: mb})
		child := mb.Shape
		if child != nil && child.Type == spec.TypeArray {
			p, d, child = p+"/*", d+"[]", child.Items
		}
		walk(child, p, d, onPath, out)
	}
}

func (b *builder) build() {
	op, out := b.op, b.op.Output
	var paths []memberPath
	walk(out, "", "", map[*spec.Shape]bool{}, &paths)
	resp := op.Name + " response"

	// shape
	for _, mp := range paths {
		sh := mp.member.Shape
		b.add("shape", mp.dotted, "MUST", "member-type", mp.member.Pointer,
			fmt.Sprintf("%s is %s", mp.dotted, article(sh.TypeLabel())),
			fmt.Sprintf("%s MUST be %s wherever it appears in a %s.", mp.dotted, jsonTypeWords(sh), resp),
			[]string{"shape", "wire"}, map[string]string{"path": mp.path})
	}
	b.add("shape", "undeclared-members", "SHOULD", "undeclared-members", out.Pointer,
		"no undeclared members",
		fmt.Sprintf("A %s SHOULD carry only the members %s declares; an undeclared member is drift.", resp, out.Name),
		[]string{"shape", "wire"}, nil)
	b.add("shape", "sdk-decodes", "MUST", "sdk-decodes", out.Pointer,
		"aws-sdk-go-v2 decodes the response",
		fmt.Sprintf("Every successful %s MUST decode through aws-sdk-go-v2 without error.", resp),
		[]string{"shape", "sdk"}, nil)
	b.add("shape", "sdk-matches-wire", "MUST", "sdk-matches-wire", out.Pointer,
		"the SDK's typed result equals the wire",
		fmt.Sprintf("The typed aws-sdk-go-v2 result of a %s MUST equal the wire value member by member.", resp),
		[]string{"shape", "sdk", "wire"}, nil)

	// union
	for _, mp := range paths {
		u := mp.member.Shape
		if u == nil || u.Union == nil {
			continue
		}
		params := map[string]string{"path": mp.path}
		b.add("union", u.Name+".single-member", "MUST", "union-single-member", u.Pointer,
			u.Name+" carries exactly one member",
			fmt.Sprintf("%s (%s) MUST carry exactly one member when present: not {}, not several.", mp.dotted, u.Name),
			[]string{"union", "wire"}, params)
		for _, name := range u.Union.Members {
			mb := u.Member(name)
			b.add("union", u.Name+"."+name+".decodes", "MUST", "union-known-member", mb.Pointer,
				fmt.Sprintf("%s.%s decodes to the SDK's typed member", u.Name, name),
				fmt.Sprintf("A %s carrying %s MUST decode to the SDK's typed member %sMember%s with the same value.", u.Name, name, u.Name, upperFirst(name)),
				[]string{"union", "sdk"}, map[string]string{"path": mp.path, "member": name})
		}
		b.add("union", u.Name+".unknown-member", "MUST", "union-unknown-member", u.Pointer,
			"an unknown "+u.Name+" member surfaces as unknown",
			fmt.Sprintf("An unknown member of %s MUST surface as the SDK's unknown-member type with its tag; a target sending one unasked is drift.", u.Name),
			[]string{"union", "sdk"}, params)
		b.add("union", u.Name+".type-key-ignored", "MUST", "union-type-key", u.Pointer,
			"__type inside "+u.Name+" is ignored",
			fmt.Sprintf("A __type key inside %s MUST be ignored by clients (awsJson 1.1); a target sending it is drift.", u.Name),
			[]string{"union", "sdk"}, params)
	}

	// enum: documented value sets and documented ranges
	type setInfo struct {
		vs    *spec.ValueSet
		paths []string
	}
	var sets []*setInfo
	index := map[string]*setInfo{}
	statusSet := ""
	for _, mp := range paths {
		if vs := mp.member.Shape.Values; vs != nil {
			si := index[vs.Name]
			if si == nil {
				si = &setInfo{vs: vs}
				index[vs.Name] = si
				sets = append(sets, si)
			}
			si.paths = append(si.paths, mp.path)
			if mp.member.Name == "Status" && statusSet == "" {
				statusSet = vs.Name
			}
		}
	}
	for _, si := range sets {
		vs := si.vs
		params := map[string]string{"set": vs.Name, "paths": strings.Join(si.paths, ",")}
		b.add("enum", vs.Name+".documented", "SHOULD", "enum-documented", vs.Pointer,
			vs.Name+" values are documented",
			fmt.Sprintf("%s values SHOULD be one of the documented %s (an open set: another value is drift).", vs.Name, strings.Join(vs.Strings(), ", ")),
			[]string{"enum", "wire"}, params)
		b.add("enum", vs.Name+".sdk-passthrough", "MUST", "enum-passthrough", vs.Pointer,
			"an undocumented "+vs.Name+" passes through the SDK",
			fmt.Sprintf("An undocumented %s value MUST reach the SDK's typed result unchanged (the model types it as a plain string).", vs.Name),
			[]string{"enum", "sdk"}, params)
		if vs.Ordered {
			b.add("enum", vs.Name+".order", "MUST", "enum-order", vs.Pointer,
				vs.Name+" never goes backwards",
				fmt.Sprintf("Within one request, %s MUST NOT go back to an earlier documented value (%s).", vs.Name, strings.Join(vs.Strings(), " < ")),
				[]string{"enum", "lifecycle"}, map[string]string{"set": vs.Name})
		}
	}
	for _, mp := range paths {
		sh := mp.member.Shape
		if sh.Minimum == nil && sh.Maximum == nil {
			continue
		}
		b.add("enum", mp.dotted+".range", "MUST", "range", mp.member.Pointer,
			fmt.Sprintf("%s is within %s", mp.dotted, rangeWords(sh)),
			fmt.Sprintf("%s MUST be within %s.", mp.dotted, rangeWords(sh)),
			[]string{"enum", "wire"}, map[string]string{"path": mp.path})
	}

	// fault
	for _, f := range op.Faults {
		params := map[string]string{"fault": f.Name}
		b.add("fault", f.Name+".wire", "MUST", "fault-wire", f.Pointer,
			f.Name+" on the wire",
			fmt.Sprintf("%s MUST be answered with HTTP %d, a JSON body whose __type sanitises to %s with a message, a matching X-Amzn-ErrorType if present, Content-Type %s and a request id.", f.Name, f.HTTPStatus, f.Name, b.m.Service.ContentType),
			[]string{"fault", "wire"}, params)
		b.add("fault", f.Name+".sdk", "MUST", "fault-sdk", f.Pointer,
			f.Name+" through the SDK",
			fmt.Sprintf("aws-sdk-go-v2 MUST surface %s from %s as its typed error (errors.As) with the wire's message.", f.Name, op.Name),
			[]string{"fault", "sdk"}, params)
	}

	// input
	for _, mb := range op.Input.Members {
		params := map[string]string{"member": mb.Name}
		if mb.Required {
			b.add("input", mb.Name+".missing.wire", "MUST", "input-missing-wire", mb.Pointer,
				"a request without "+mb.Name+" is rejected",
				fmt.Sprintf("A %s request without the required %s MUST be rejected with a 4xx client error.", op.Name, mb.Name),
				[]string{"input", "wire"}, params)
			b.add("input", mb.Name+".missing.sdk", "MUST", "input-missing-sdk", mb.Pointer,
				"the SDK refuses to send without "+mb.Name,
				fmt.Sprintf("aws-sdk-go-v2 MUST refuse to send %s without %s (smithy.InvalidParamsError naming it).", op.Name, mb.Name),
				[]string{"input", "sdk"}, params)
		}
		if mb.Shape.Type == spec.TypeString {
			b.add("input", mb.Name+".wrong-type.wire", "MUST", "input-wrong-type-wire", mb.Pointer,
				"a non-string "+mb.Name+" is rejected",
				fmt.Sprintf("A %s request whose %s is not a string MUST be rejected with a 4xx client error.", op.Name, mb.Name),
				[]string{"input", "wire"}, map[string]string{"member": mb.Name, "type": "string"})
		}
		if mb.Shape.MaxLength != nil {
			b.add("input", mb.Name+".max-length.wire", "MUST", "input-max-length-wire", mb.Pointer,
				fmt.Sprintf("a %s over %d characters is rejected", mb.Name, *mb.Shape.MaxLength),
				fmt.Sprintf("A %s request whose %s is longer than %d characters MUST be rejected with a 4xx client error.", op.Name, mb.Name, *mb.Shape.MaxLength),
				[]string{"input", "wire"}, map[string]string{"member": mb.Name, "max": fmt.Sprint(*mb.Shape.MaxLength)})
		}
	}

	// protocol
	proto := func(name, level, kind, title, desc string) {
		b.add("protocol", name, level, kind, op.Pointer, title, desc, []string{"wire"}, nil)
	}
	proto("unknown-target", "MUST", "protocol-unknown-target", "an unknown X-Amz-Target is refused",
		"A request whose X-Amz-Target names no operation MUST be refused with a 4xx error and MUST NOT run "+op.Name+"; it SHOULD be UnknownOperationException.")
	proto("unsigned-rejected", "MUST", "protocol-unsigned", "an unsigned request is refused",
		"An unsigned "+op.Name+" request MUST be refused with a 4xx error before it runs; it SHOULD be MissingAuthenticationTokenException.")
	proto("bad-signature-rejected", "MUST", "protocol-bad-signature", "a bad signature is refused",
		"A "+op.Name+" request whose SigV4 signature does not verify MUST be refused with a 4xx error before it runs; it SHOULD be InvalidSignatureException.")
	proto("content-type", "MUST", "protocol-content-type", "responses carry "+b.m.Service.ContentType,
		"Every response, success or fault, MUST carry Content-Type "+b.m.Service.ContentType+".")
	proto("request-id", "MUST", "protocol-request-id", "responses carry a request id",
		"Every response, success or fault, MUST carry an x-amzn-RequestId header.")

	// lifecycle (runs Ordered: each check builds on the one before)
	describe := b.m.FamilyOperation(b.family, spec.RoleDescribe)
	start := b.m.FamilyOperation(b.family, spec.RoleStart)
	lc := func(name, kind, title, desc string, labels ...string) {
		b.add("lifecycle", name, "MUST", kind, op.Pointer, title, desc, append([]string{"lifecycle"}, labels...), nil)
	}
	lc("start", "lifecycle-start", "a request starts", start.Name+" MUST return the RequestIdentifier of a new request.", "wire")
	lc("progress", "lifecycle-progress", "the running request shows progress",
		describe.Name+" filtered by request-id MUST return exactly that request, and while IN_PROGRESS it MUST carry a ProgressStep.", "sdk")
	lc("cancel", "lifecycle-cancel", "cancelling a running request answers CANCELING",
		op.Name+" of a RECEIVED or IN_PROGRESS request MUST succeed with Request.Status CANCELING (or CANCELED).", "sdk")
	lc("echo-request-identifier", "lifecycle-echo-request-identifier", "the cancel response names the cancelled request",
		"The "+op.Name+" response's Request.RequestIdentifier MUST be the identifier that was cancelled.", "wire")
	lc("project-arn", "lifecycle-project-arn", "the cancel response names the project's ARN",
		"The "+op.Name+" response's Request.MigrationProjectArn MUST be the ARN of the request's migration project.", "wire")
	lc("canceled", "lifecycle-canceled", "the request reaches CANCELED",
		"A cancelled request MUST reach Status CANCELED, as the SDK's cancelled waiter on "+describe.Name+" expects.", "sdk")
	lc("second-cancel", "lifecycle-second-cancel", "cancelling a CANCELED request is refused",
		op.Name+" of a request that is already CANCELED MUST fail with InvalidResourceStateFault.", "fault", "sdk")
	if statusSet != "" {
		b.add("lifecycle", "status-transitions", "MUST", "lifecycle-status-transitions", b.m.ValueSets[statusSet].Pointer,
			"status changes follow the documented lifecycle",
			"Status MUST move only RECEIVED -> IN_PROGRESS -> SUCCESS | FAILED, or through a cancel to CANCELING -> CANCELED.",
			[]string{"lifecycle", "enum"}, map[string]string{"set": statusSet})
	}

	sort.SliceStable(b.checks, func(i, j int) bool {
		return groupIndex(group(b.checks[i])) < groupIndex(group(b.checks[j]))
	})
}

func groupIndex(g string) int {
	for i, x := range groups {
		if x == g {
			return i
		}
	}
	return len(groups)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func article(s string) string {
	if s != "" && strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

func jsonTypeWords(sh *spec.Shape) string {
	switch {
	case sh.Union != nil:
		return "a JSON object (the union " + sh.Name + ")"
	case sh.Type == spec.TypeObject:
		return "a JSON object (" + sh.Name + ")"
	case sh.Type == spec.TypeArray:
		return "a JSON array"
	case sh.Type == spec.TypeInteger:
		return "a JSON integer (" + sh.Format + ", no fraction or exponent)"
	case sh.Type == spec.TypeNumber:
		return "a JSON number (" + sh.Format + `; "NaN", "Infinity", "-Infinity" as strings)`
	case sh.MaxLength != nil:
		return fmt.Sprintf("a JSON string of at most %d characters", *sh.MaxLength)
	}
	return "a JSON " + sh.Type
}

func rangeWords(sh *spec.Shape) string {
	lo, hi := "-inf", "+inf"
	if sh.Minimum != nil {
		lo = fmt.Sprint(*sh.Minimum)
	}
	if sh.Maximum != nil {
		hi = fmt.Sprint(*sh.Maximum)
	}
	return lo + ".." + hi
}
