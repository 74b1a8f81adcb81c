package require

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestCIPinsThisMachinesPython: .ci/requirements.txt (what CI installs) pins botocore,
// boto3 and moto at the versions this machine has, the versions the project is
// tested with here.
func TestCIPinsThisMachinesPython(t *testing.T) {
	data, err := os.ReadFile("../../.ci/requirements.txt")
	if err != nil {
		t.Fatal(err)
	}
	pins := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^([a-z0-9]+)(?:\[[a-z]+\])?==(\S+)`).FindAllStringSubmatch(string(data), -1) {
		pins[m[1]] = m[2]
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		Missing(t, Botocore, "python3 is not on PATH")
	}
	out, err := exec.Command(py, "-c", "import botocore, boto3, moto; print(botocore.__version__, boto3.__version__, moto.__version__)").CombinedOutput()
	if err != nil {
		Missing(t, Moto, "botocore, boto3 or moto is not importable: "+strings.TrimSpace(string(out)))
	}
	have := strings.Fields(string(out))
	for i, name := range []string{"botocore", "boto3", "moto"} {
		if pins[name] != have[i] {
			t.Errorf(".ci/requirements.txt pins %s %q, this machine has %s", name, pins[name], have[i])
		}
	}
}
