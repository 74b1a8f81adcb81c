// Package spectest builds models for tests: the embedded model with one family more,
// whose operations no SDK has.
package spectest

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dmsconform/dmsconform/spec"
)

// WithTwinFamily returns the embedded model with one family more: the conversion
// family's three operations renamed MetadataModelConversion to MetadataModel<name>
// (StartMetadataModel<name>, DescribeMetadataModel<name>s, CancelMetadataModel<name>),
// family strings.ToLower(name), sharing the conversion family's input and output
// shapes. aws-sdk-go-v2 has none of its operations.
func WithTwinFamily(name string) (*spec.Model, error) {
	doc := string(spec.Document)
	i := strings.Index(doc, "  /CancelMetadataModelConversion:")
	j := strings.Index(doc, "  /CancelMetadataModelCreation:")
	if i < 0 || j < i {
		return nil, errors.New("spectest: the model no longer has the path layout this helper expects (the conversion paths, then the creation paths)")
	}
	clone := strings.NewReplacer("MetadataModelConversion", "MetadataModel"+name, "family: conversion", "family: "+strings.ToLower(name)).Replace(doc[i:j])
	// The conversion family's input and output schemas: same shapes, new operations.
	for _, suffix := range []string{"Message", "sMessage", "Response", "sResponse"} {
		clone = strings.ReplaceAll(clone, "MetadataModel"+name+suffix, "MetadataModelConversion"+suffix)
	}
	m, err := spec.Parse([]byte(doc[:j] + clone + doc[j:]))
	if err != nil {
		return nil, fmt.Errorf("spectest: the model with the %s family does not load: %w", name, err)
	}
	return m, nil
}
