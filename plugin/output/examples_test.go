package output

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/siemloader/siemloader/conf"
)

// Fluent Bit passes a Go plugin only the keys it asks for, so a misspelt
// key in a configuration is silently ignored. The examples are checked
// here instead: every key of their siem outputs is one the plugin reads,
// and their values load.

// fluentBitKeys are the keys Fluent Bit itself reads in an [OUTPUT].
var fluentBitKeys = map[string]bool{"name": true, "match": true, "match_regex": true, "retry_limit": true, "workers": true, "alias": true}

func checkExampleKeys(t *testing.T, where string, keys map[string]string) {
	t.Helper()
	known := map[string]bool{}
	for _, k := range Keys {
		known[strings.ToLower(k.Name)] = true
	}
	plugin := MapConfig{}
	for k, v := range keys {
		switch {
		case fluentBitKeys[strings.ToLower(k)]:
		case !known[strings.ToLower(k)]:
			t.Errorf("%s: key %s is not one the plugin reads", where, k)
		default:
			plugin[k] = v
		}
	}
	if _, err := LoadConfig(plugin); err != nil {
		t.Errorf("%s: %v", where, err)
	}
}

// classicOutputs are the siem [OUTPUT] sections of a classic config.
func classicOutputs(t *testing.T, path string) []map[string]string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]string
	var cur map[string]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			cur = nil
			if strings.EqualFold(line, "[OUTPUT]") {
				cur = map[string]string{}
				out = append(out, cur)
			}
		case cur != nil:
			k, v, _ := strings.Cut(line, " ")
			cur[k] = strings.TrimSpace(v)
		}
	}
	return out
}

func TestExampleConfigurations(t *testing.T) {
	for _, p := range []string{"../../examples/ec2/fluent-bit.conf", "../../examples/firelens/siem-extra.conf", "../../examples/fluentbit-image/fluent-bit.conf", "../../examples/demo/fluent-bit.conf"} {
		siem := 0
		for _, o := range classicOutputs(t, p) {
			// the demo's config also forwards to the collector: Fluent
			// Bit's own outputs are not the plugin's to check
			if !strings.EqualFold(o["Name"], "siem") {
				continue
			}
			siem++
			checkExampleKeys(t, p, o)
		}
		if siem == 0 {
			t.Fatalf("%s: no siem [OUTPUT]", p)
		}
	}
	// the YAML example: the keys under outputs
	data, err := os.ReadFile("../../examples/ec2/fluent-bit.yaml")
	if err != nil {
		t.Fatal(err)
	}
	yamlKeys := map[string]string{}
	in := false
	for _, l := range strings.Split(string(data), "\n") {
		tl := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "- "))
		if strings.HasPrefix(strings.TrimSpace(l), "outputs:") {
			in = true
			continue
		}
		if in && tl != "" {
			k, v, _ := strings.Cut(tl, ":")
			yamlKeys[k] = strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	checkExampleKeys(t, "fluent-bit.yaml", yamlKeys)

	var td struct {
		ContainerDefinitions []struct {
			LogConfiguration struct {
				LogDriver string
				Options   map[string]string
			}
		}
	}
	data, _ = os.ReadFile("../../examples/firelens/task-definition.json")
	if err := json.Unmarshal(data, &td); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range td.ContainerDefinitions {
		if c.LogConfiguration.LogDriver == "awsfirelens" {
			n++
			checkExampleKeys(t, "task-definition.json", c.LogConfiguration.Options)
		}
	}
	if n == 0 {
		t.Fatal("no awsfirelens container in the task definition")
	}

	inis, _ := filepath.Glob("../../examples/*/siem-user.ini")
	if len(inis) < 2 {
		t.Fatalf("user.ini examples: %v", inis)
	}
	for _, ini := range inis {
		if _, err := conf.Load(ini); err != nil {
			t.Errorf("%s: %v", ini, err)
		}
	}
}
