package runner

import "testing"

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{"dmsconform-project": "dmsconform-project", "http://127.0.0.1:4566/": "http://127.0.0.1:4566/",
		"my project": "'my project'", "it's": `'it'\''s'`, "": "''"} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
