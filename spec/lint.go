package spec

import (
	"fmt"
	"strings"
)

var knownRoles = map[string]bool{RoleStart: true, RoleDescribe: true, RoleCancel: true}

// Lint checks a built model for what the OpenAPI schema does not forbid but the
// harness cannot use, and returns every problem found: operations without
// a target or shapes, duplicate operations or targets, faults without a code or status,
// unions without members or with members that are not properties, value sets without
// values, and lifecycle families that lack a role.
func Lint(m *Model) []Problem {
	var probs []Problem
	add := func(ptr, format string, args ...any) {
		probs = append(probs, Problem{Pointer: ptr, Message: fmt.Sprintf(format, args...)})
	}
	// Lint owns the lookups: rebuild them, so that Lint works on a hand-built Model
	// (nil maps used to panic) and a second Lint of a loaded model does not report
	// every operation as a duplicate of itself.
	m.byName = map[string]*Operation{}
	m.byTarget = map[string]*Operation{}
	svc := m.Service
	if svc.TargetPrefix == "" || svc.SigningName == "" || svc.Protocol == "" {
		add("#/x-dms-service", "x-dms-service needs targetPrefix, signingName and protocol (have %+v)", svc)
	}
	if svc.Protocol != "" && svc.Protocol != "awsJson1_1" {
		add("#/x-dms-service", "protocol %q is not supported: dmsconform speaks awsJson1_1", svc.Protocol)
	}
	for _, op := range m.Operations {
		if prev := m.byName[op.Name]; prev != nil {
			add(op.Pointer, "duplicate operation %s (also at %s)", op.Name, prev.Pointer)
			continue
		}
		m.byName[op.Name] = op
		switch {
		case op.Target == "":
			add(op.Pointer, "operation %s has no x-dms-target (want %s.%s)", op.Name, svc.TargetPrefix, op.Name)
		case op.Target != svc.TargetPrefix+"."+op.Name:
			add(op.Pointer, "operation %s has x-dms-target %q, want %q", op.Name, op.Target, svc.TargetPrefix+"."+op.Name)
		case m.byTarget[op.Target] != nil:
			add(op.Pointer, "duplicate target %s (also operation %s)", op.Target, m.byTarget[op.Target].Name)
		default:
			m.byTarget[op.Target] = op
		}
		if op.Path != "/"+op.Name {
			add(op.Pointer, "operation %s must have the literal path /%s, has %s", op.Name, op.Name, op.Path)
		}
		if op.Input == nil {
			add(op.Pointer, "operation %s has no request body schema", op.Name)
		}
		if op.Output == nil {
			add(op.Pointer, "operation %s has no 200 response schema", op.Name)
		}
		if op.Family != "" && !knownRoles[op.Role] {
			add(op.Pointer, "operation %s has x-dms-role %q, want one of start, describe, cancel", op.Name, op.Role)
		}
	}
	for _, fam := range m.Families() {
		for _, role := range []string{RoleStart, RoleDescribe, RoleCancel} {
			n := 0
			for _, op := range m.Operations {
				if op.Family == fam && op.Role == role {
					n++
				}
			}
			if n != 1 {
				add("#/paths", "family %s has %d operation(s) with role %s, want exactly 1", fam, n, role)
			}
		}
	}
	for _, name := range m.SortedShapeNames() {
		lintShape(m.Shapes[name], add)
	}
	for _, name := range m.SortedValueSetNames() {
		vs := m.ValueSets[name]
		if len(vs.Values) == 0 {
			add(vs.Pointer, "documented value set %s has no values", name)
		}
		seen := map[string]bool{}
		for _, v := range vs.Values {
			if seen[v.Value] {
				add(vs.Pointer, "documented value set %s lists %s twice", name, v.Value)
			}
			seen[v.Value] = true
		}
	}
	return probs
}

func lintShape(sh *Shape, add func(ptr, format string, args ...any)) {
	if sh == nil {
		return
	}
	if f := sh.Fault; f != nil {
		if f.Code == "" || f.HTTPStatus == 0 {
			add(sh.Pointer, "fault %s needs x-dms-fault code and httpStatus", sh.Name)
		}
		if f.Code != "" && f.Code != sh.Name {
			add(sh.Pointer, "fault %s has code %s: the code must be the shape name", sh.Name, f.Code)
		}
		if f.HTTPStatus != 0 && (f.HTTPStatus < 400 || f.HTTPStatus > 599) {
			add(sh.Pointer, "fault %s has HTTP status %d, want 4xx or 5xx", sh.Name, f.HTTPStatus)
		}
		if f.Side != "client" && f.Side != "server" {
			add(sh.Pointer, "fault %s has fault kind %q, want client or server", sh.Name, f.Side)
		}
	}
	if u := sh.Union; u != nil {
		if len(u.Members) == 0 {
			add(sh.Pointer, "union %s has no members", sh.Name)
		}
		if sh.Type != TypeObject {
			add(sh.Pointer, "union %s must be an object, is %s", sh.Name, sh.Type)
		}
		for _, name := range u.Members {
			if sh.Member(name) == nil {
				add(sh.Pointer, "union %s lists member %s that is not a property", sh.Name, name)
			}
		}
		for _, mb := range sh.Members {
			if !contains(u.Members, mb.Name) {
				add(mb.Pointer, "property %s of union %s is not listed in x-dms-union members", mb.Name, sh.Name)
			}
			if mb.Required {
				add(mb.Pointer, "union member %s of %s cannot be required", mb.Name, sh.Name)
			}
		}
	}
	if sh.Values != nil && sh.Type != TypeString {
		add(sh.Pointer, "documented values on %s, which is %s, not a string", sh.Name, sh.Type)
	}
	if sh.Type == TypeArray && sh.Items == nil {
		add(sh.Pointer, "array %s has no items schema", sh.Name)
	}
	for _, mb := range sh.Members {
		if mb.Shape == nil {
			continue // the $ref problem was already reported
		}
		if strings.Contains(mb.Shape.Name, ".") || strings.HasSuffix(mb.Shape.Name, "[]") {
			lintShape(mb.Shape, add) // inline schemas are not in Model.Shapes
		}
	}
	if sh.Items != nil && strings.HasSuffix(sh.Items.Name, "[]") {
		lintShape(sh.Items, add)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
