package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"

	yamlv3 "go.yaml.in/yaml/v3"
	"sigs.k8s.io/yaml"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func main() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		path := sc.Text()
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		convert := yaml.YAMLToJSON
		if os.Getenv("ORACLE_STRICT") != "" {
			convert = yaml.YAMLToJSONStrict
		}
		j, err := convert(data)
		if err != nil {
			fmt.Printf("%s\tERR\t%s\t-\t-\n", path, b64(err.Error()))
			continue
		}
		// Helm's toYaml of the decoded value: json.Unmarshal (float64) → Marshal.
		var v interface{}
		_ = json.Unmarshal(j, &v)
		y, err := yaml.Marshal(v)
		ys := "-"
		if err == nil {
			ys = b64(string(y))
		}
		var buf bytes.Buffer
		enc := yamlv3.NewEncoder(&buf)
		enc.SetIndent(2)
		ps := "-"
		if enc.Encode(v) == nil {
			ps = b64(buf.String())
		}
		fmt.Printf("%s\tOK\t%s\t%s\t%s\n", path, b64(string(j)), ys, ps)
	}
}
