package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"text/template"
)

func main() {
	var cases [][]string
	b, _ := os.ReadFile("cases.json")
	json.Unmarshal(b, &cases)
	var data map[string]interface{}
	json.Unmarshal([]byte(`{"a": {"b": "x", "n": 2}, "l": [1, "s", null, {"k": "v"}], "n": 3, "f": 1.5, "s": "str", "t": true, "e": "", "z": 0}`), &data)
	vals := data
	data["i64"] = int64(5)
	data["strs"] = []string{"a", "b"}
	data["smap"] = map[string]string{"k": "v"}
	data["ints"] = []int{1, 2}
	data["bytes"] = []byte("hi")
	data["u8"] = uint8(7)
	data["m2"] = map[string]interface{}{"x": 1.0, "y": []interface{}{"p", "q", "r"}, "z": nil}
	type res struct {
		Ok  *string `json:"ok,omitempty"`
		Err *string `json:"err,omitempty"`
	}
	var out []res
	depth := 0
	for _, c := range cases {
		var t *template.Template
		f := template.FuncMap{
			"upper": strings.ToUpper,
			"trunc": func(c int, s string) string {
				if len(s) > c {
					return s[:c]
				}
				return s
			},
			"quote": func(str ...interface{}) string {
				out := make([]string, 0, len(str))
				for _, s := range str {
					if s != nil {
						out = append(out, strings.ReplaceAll(strings.ReplaceAll(template.JSEscapeString("x"), "x", ""), "", "")+quoteIt(s))
					}
				}
				return strings.Join(out, " ")
			},
			"hasKey": func(d map[string]interface{}, k string) bool { _, ok := d[k]; return ok },
			"include": func(name string, data interface{}) (string, error) {
				depth++
				defer func() { depth-- }()
				if depth > 100 {
					return "", errors.New("include depth exceeded")
				}
				var buf bytes.Buffer
				if err := t.ExecuteTemplate(&buf, name, data); err != nil {
					return "", err
				}
				return buf.String(), nil
			},
		}
		t = template.New("gotpl").Funcs(f).Option("missingkey=" + c[2])
		var r res
		if _, err := t.New("d.tpl").Parse(c[0]); err != nil {
			s := err.Error()
			r.Err = &s
			out = append(out, r)
			continue
		}
		if _, err := t.New("main").Parse(c[1]); err != nil {
			s := err.Error()
			r.Err = &s
			out = append(out, r)
			continue
		}
		var buf bytes.Buffer
		err := t.ExecuteTemplate(&buf, "main", data)
		if err != nil {
			var ee template.ExecError
			s := err.Error()
			_ = errors.As(err, &ee)
			r.Err = &s
		} else {
			s := buf.String()
			r.Ok = &s
		}
		out = append(out, r)
		_ = vals
	}
	j, _ := json.Marshal(out)
	os.Stdout.Write(j)
}
