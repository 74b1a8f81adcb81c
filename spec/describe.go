package spec

import "strconv"

// Description is a plain, JSON-friendly summary of a model, for printing.
type Description struct {
	Title      string                `json:"title"`
	Version    string                `json:"version"`
	SHA256     string                `json:"sha256"`
	Source     string                `json:"source"`
	Service    Service               `json:"service"`
	Provenance map[string]string     `json:"provenance"`
	Operations []OperationDesc       `json:"operations"`
	Shapes     []ShapeDesc           `json:"shapes"`
	Unions     []UnionDesc           `json:"unions"`
	ValueSets  []ValueSetDescription `json:"valueSets"`
}

// OperationDesc summarises an operation.
type OperationDesc struct {
	Name   string   `json:"name"`
	Target string   `json:"target"`
	Family string   `json:"family,omitempty"`
	Role   string   `json:"role,omitempty"`
	Input  string   `json:"input"`
	Output string   `json:"output"`
	Faults []string `json:"faults"`
}

// ShapeDesc summarises a named shape.
type ShapeDesc struct {
	Name    string       `json:"name"`
	Type    string       `json:"type"`
	Union   bool         `json:"union,omitempty"`
	Fault   string       `json:"fault,omitempty"` // "client 400"
	Members []MemberDesc `json:"members,omitempty"`
}

// MemberDesc summarises a member.
type MemberDesc struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Required bool   `json:"required,omitempty"`
	Values   string `json:"values,omitempty"` // name of the documented value set
}

// UnionDesc summarises a union.
type UnionDesc struct {
	Name    string   `json:"name"`
	Members []string `json:"members"`
	Open    bool     `json:"open"`
}

// ValueSetDescription summarises a documented value set.
type ValueSetDescription struct {
	Name    string   `json:"name"`
	Values  []string `json:"values"`
	Open    bool     `json:"open"`
	Ordered bool     `json:"ordered,omitempty"`
}

// Describe summarises the model.
func Describe(m *Model) Description {
	d := Description{Title: m.Title, Version: m.Version, SHA256: m.SHA256, Source: m.Source, Service: m.Service, Provenance: m.Provenance}
	for _, op := range m.Operations {
		od := OperationDesc{Name: op.Name, Target: op.Target, Family: op.Family, Role: op.Role, Faults: []string{}}
		if op.Input != nil {
			od.Input = op.Input.Name
		}
		if op.Output != nil {
			od.Output = op.Output.Name
		}
		for _, f := range op.Faults {
			od.Faults = append(od.Faults, f.Name)
		}
		d.Operations = append(d.Operations, od)
	}
	for _, name := range m.SortedShapeNames() {
		sh := m.Shapes[name]
		sd := ShapeDesc{Name: name, Type: sh.Type, Union: sh.Union != nil}
		if sh.Fault != nil {
			sd.Fault = sh.Fault.Side + " " + strconv.Itoa(sh.Fault.HTTPStatus)
		}
		for _, mb := range sh.Members {
			md := MemberDesc{Name: mb.Name, Type: mb.Shape.TypeLabel(), Required: mb.Required}
			if mb.Shape != nil && mb.Shape.Values != nil {
				md.Values = mb.Shape.Values.Name
			}
			sd.Members = append(sd.Members, md)
		}
		d.Shapes = append(d.Shapes, sd)
		if sh.Union != nil {
			d.Unions = append(d.Unions, UnionDesc{Name: name, Members: sh.Union.Members, Open: sh.Union.Open})
		}
	}
	for _, name := range m.SortedValueSetNames() {
		vs := m.ValueSets[name]
		d.ValueSets = append(d.ValueSets, ValueSetDescription{Name: name, Values: vs.Strings(), Open: vs.Open, Ordered: vs.Ordered})
	}
	return d
}
