package runner

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/dmsconform/dmsconform/spec"
)

// WriteModel prints the model (the embedded one, or the file at path): its
// operations, shapes, unions and documented value sets, as text or as JSON
// (spec.Describe). A model that does not load is a UsageError.
func WriteModel(w io.Writer, path string, asJSON bool) error {
	var m *spec.Model
	var err error
	if path != "" {
		m, err = spec.LoadFile(path)
	} else {
		m, err = spec.Load()
	}
	if err != nil {
		return &UsageError{Err: err}
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(spec.Describe(m)); err != nil {
			return &HarnessError{Err: err}
		}
		return nil
	}
	writeModelText(w, m)
	return nil
}

func writeModelText(w io.Writer, m *spec.Model) {
	d := spec.Describe(m)
	fmt.Fprintf(w, "%s\nversion %s  sha256 %s  (%s)\n", d.Title, d.Version, d.SHA256[:12], d.Source)
	fmt.Fprintf(w, "service %s: protocol %s, target prefix %s, signing name %s, API version %s\n",
		d.Service.ServiceID, d.Service.Protocol, d.Service.TargetPrefix, d.Service.SigningName, d.Service.APIVersion)
	fmt.Fprintln(w, "\nOperations:")
	for _, op := range d.Operations {
		fmt.Fprintf(w, "  %-34s %-9s %-8s %s -> %s\n", op.Name, op.Family, op.Role, op.Input, op.Output)
		fmt.Fprintf(w, "  %-34s target %s; faults: %s\n", "", op.Target, strings.Join(op.Faults, ", "))
	}
	fmt.Fprintln(w, "\nShapes:")
	for _, sh := range d.Shapes {
		kind := sh.Type
		if sh.Union {
			kind = "union"
		}
		if sh.Fault != "" {
			kind = "fault " + sh.Fault
		}
		fmt.Fprintf(w, "  %s (%s)\n", sh.Name, kind)
		for _, mb := range sh.Members {
			req := ""
			if mb.Required {
				req = " required"
			}
			extra := ""
			if mb.Values != "" {
				extra = " values:" + mb.Values
			}
			fmt.Fprintf(w, "    %-28s %s%s%s\n", mb.Name, mb.Type, req, extra)
		}
	}
	fmt.Fprintln(w, "\nUnions:")
	for _, u := range d.Unions {
		open := "closed"
		if u.Open {
			open = "open to unknown members"
		}
		fmt.Fprintf(w, "  %-28s members: %s (%s)\n", u.Name, strings.Join(u.Members, ", "), open)
	}
	fmt.Fprintln(w, "\nDocumented value sets:")
	for _, vs := range d.ValueSets {
		open := "closed"
		if vs.Open {
			open = "open"
		}
		if vs.Ordered {
			open += ", ordered"
		}
		fmt.Fprintf(w, "  %-14s %s (%s)\n", vs.Name, strings.Join(vs.Values, ", "), open)
	}
}
