package sdk

import (
	"fmt"
	"sort"
	"strings"
)

// Option is a setting an SDK's constructor reads; the CLI offers each as a flag
// --<Flag> (options with the same Flag are one flag, shared by the SDKs that read it).
type Option struct {
	Flag  string // flag name without dashes, e.g. "node"
	Usage string // flag usage; a `word` in backquotes names the value
}

// Entry registers one SDK: adding an SDK is an adapter (a type implementing SDK)
// plus one Entry in Registry. Nothing else names SDKs: the CLI takes the names, the
// help text, the flags and the report folders from here.
type Entry struct {
	Name        string   // what --sdk takes, and the report folder <out>/<Name>/
	Aliases     []string // other names --sdk accepts
	Target      string   // the SDK's report name (Info().Name; what known deviations match)
	Description string   // one line for --help
	Options     []Option
	// New builds the SDK from the option values (keyed by Option.Flag; "" = default).
	// It never fails: what is missing becomes the SDK's Unavailable reason.
	New func(opts map[string]string) SDK
}

// Registry lists the SDKs dmsconform sdk replays the fixtures to, in report order.
var Registry = []Entry{
	{
		Name:        "go",
		Aliases:     []string{"aws-sdk-go-v2", "golang"},
		Target:      "aws-sdk-go-v2",
		Description: "aws-sdk-go-v2 (" + GoModule + "), in process",
		New:         func(map[string]string) SDK { return GoSDK{} },
	},
	{
		Name:        "js",
		Aliases:     []string{JSName, "javascript", "node"},
		Target:      JSName,
		Description: "aws-sdk-js-v3 (" + JSPackage + ") through suites/sdk/js/adapter.mjs; needs Node.js 20+ and make js-setup",
		Options: []Option{
			{Flag: "js-adapter", Usage: "the Node adapter folder `DIR` (default: suites/sdk/js found from the working directory, or $" + AdapterEnv + ")"},
			{Flag: "node", Usage: "the node executable `PATH` (default: node on PATH)"},
		},
		New: func(o map[string]string) SDK { return NewJSSDK(o["js-adapter"], o["node"]) },
	},
	{
		Name:        "botocore",
		Aliases:     []string{"boto3", "python"},
		Target:      BotocoreName,
		Description: "botocore (the SDK under boto3) through suites/sdk/botocore/adapter.py; needs python3 with botocore",
		Options: []Option{
			{Flag: "botocore-adapter", Usage: "the Python adapter folder `DIR` (default: suites/sdk/botocore found from the working directory, or $" + BotocoreAdapterEnv + ")"},
			{Flag: "python", Usage: "the Python interpreter `PATH` that has botocore (default: $" + BotocorePythonEnv + ", else python3 on PATH)"},
		},
		New: func(o map[string]string) SDK { return NewBotocoreSDK(o["botocore-adapter"], o["python"]) },
	},
}

// LookupSDK finds a registered SDK by name or alias (case-insensitive).
func LookupSDK(name string) (Entry, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, e := range Registry {
		if e.Name == n || e.Target == n {
			return e, true
		}
		for _, a := range e.Aliases {
			if strings.ToLower(a) == n {
				return e, true
			}
		}
	}
	return Entry{}, false
}

// SelectSDKs reads an --sdk value: "all", or one or more names or aliases separated
// by commas. The result is in Registry order without duplicates.
func SelectSDKs(value string) ([]Entry, error) {
	if strings.TrimSpace(value) == "" || strings.EqualFold(strings.TrimSpace(value), "all") {
		return append([]Entry(nil), Registry...), nil
	}
	want := map[string]bool{}
	for _, part := range strings.Split(value, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		e, ok := LookupSDK(part)
		if !ok {
			return nil, fmt.Errorf("unknown SDK %q: use %s or all", strings.TrimSpace(part), strings.Join(SDKNames(), ", "))
		}
		want[e.Name] = true
	}
	var out []Entry
	for _, e := range Registry {
		if want[e.Name] {
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no SDK named in %q: use %s or all", value, strings.Join(SDKNames(), ", "))
	}
	return out, nil
}

// SDKNames lists the registered names in Registry order.
func SDKNames() []string {
	out := make([]string, len(Registry))
	for i, e := range Registry {
		out[i] = e.Name
	}
	return out
}

// SDKOptions lists every option of the registered SDKs once, sorted by flag.
func SDKOptions() []Option {
	seen := map[string]bool{}
	var out []Option
	for _, e := range Registry {
		for _, o := range e.Options {
			if !seen[o.Flag] {
				seen[o.Flag] = true
				out = append(out, o)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Flag < out[j].Flag })
	return out
}
