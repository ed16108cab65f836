import random, json, sys
random.seed(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
OPS = [".m2", ".m2.x", "$.m2.y", "0o17", "1_000", "'\\n'", "\"\\u00e9\\t\"", "1e-7", "-0.0", "0x1p-2", "123456789.0", "1e21", ".i64", ".strs", ".smap", ".smap.k", ".smap.nope", ".ints", ".bytes", ".u8", "(index .strs 0)", "(index .smap \"k\")", ".strs.x", ".smap.k.x", "(index .ints 1)", ".", ".a", ".a.b", ".a.n", ".l", ".n", ".f", ".s", ".t", ".e", ".z", ".missing", ".missing.x", "$", "$.a", "$.l", "1", "0", "-2", "2.5", "1e3", "0x10", "\"str\"", "\"\"", "`raw`", "true", "false", "nil", "'c'", ".a.b.c", ".l.x", "(index .l 0)", "(index .l 2)", "(index .l 3).k", "(len .l)", "$v", "$i"]
FUNCS = ["printf \"%x|%X|%o|%e|%g\"", "printf \"%q %v %T\"", "printf \"%-6s|%06.2f|%+d\"", "print", "len", "index", "eq", "ne", "lt", "le", "gt", "ge", "and", "or", "not", "print", "println", "printf \"%v-%d\"", "printf \"%s|%q\"", "printf \"%5.2f\"", "html", "js", "urlquery", "upper", "quote", "trunc 2", "slice", "include \"d\"", "hasKey", "index .", "call"]
def operand(vars):
    o = random.choice(OPS)
    while o in ("$v", "$i") and o not in vars:
        o = random.choice(OPS)
    return o
def pipeline(vars):
    s = operand(vars)
    if random.random() < 0.5:
        f = random.choice(FUNCS)
        args = " ".join(operand(vars) for _ in range(random.randint(0, 2)))
        s = f + " " + args + (" " + s if random.random() < 0.5 else "")
    for _ in range(random.randint(0, 2)):
        f = random.choice(FUNCS)
        args = " ".join(operand(vars) for _ in range(random.randint(0, 2)))
        s = "%s | %s %s" % (s, f, args)
    return s
def body(depth, vars):
    n = random.randint(1, 3)
    out = []
    for _ in range(n):
        r = random.random()
        if depth <= 0 or r < 0.35:
            k = random.random()
            if k < 0.2:
                out.append(random.choice(["x", " ", "\n", "ab\n  "]))
            elif k < 0.8:
                out.append("{{ %s }}" % pipeline(vars))
            elif k < 0.9 and "$v" not in vars:
                out.append("{{- $v := %s -}}{{ $v }}" % pipeline(vars)); vars = vars | {"$v"}
            elif k < 0.95:
                out.append("{{ template \"d\" %s }}" % operand(vars))
            else:
                out.append(random.choice(["{{- /* c */ -}}", "{{/* x */}}", "  {{- \"t\" -}}  ", "{{ $w := 1 }}{{ $w = %s }}{{ $w }}" % pipeline(vars)]))
        elif r < 0.55:
            out.append("{{ if %s }}%s{{ else if %s }}%s{{ else }}%s{{ end }}" % (pipeline(vars), body(depth-1, vars), pipeline(vars), body(depth-1, vars), body(depth-1, vars)))
        elif r < 0.7:
            out.append("{{ with %s }}%s{{ else with %s }}%s{{ else }}%s{{ end }}" % (pipeline(vars), body(depth-1, vars), pipeline(vars), body(depth-1, vars), body(depth-1, vars)))
        else:
            v2 = vars | {"$i", "$v"}
            src = random.choice([pipeline(vars), ".m2", ".l", ".strs", ".smap", "3", ".ints", ".n", "0", ".bytes", "(len .l)"])
            k = random.random()
            if k < 0.3:
                out.append("{{ range $i, $v := %s }}{{ $i }}:%s{{ if eq (print $i) \"1\" }}{{ continue }}{{ end }}{{ if eq (print $i) \"2\" }}{{ break }}{{ end }}{{ else }}E{{ end }}" % (src, body(depth-1, v2)))
            elif k < 0.5:
                out.append("{{ range %s }}[{{ . }}]%s{{ end }}" % (src, body(depth-1, vars)))
            elif k < 0.7:
                out.append("{{ $i := 0 }}{{ $v := 0 }}{{ range $i, $v = %s }}%s{{ end }}{{ $i }}/{{ $v }}" % (src, body(depth-1, v2)))
            else:
                out.append("{{ range $v := %s }}{{ $v }}%s{{ end }}" % (src, body(depth-1, vars | {"$v"})))
    return "".join(out)
cases = []
for i in range(int(sys.argv[1])):
    d = body(1, frozenset())
    m = body(3, frozenset())
    cases.append(["{{ define \"d\" }}" + d + "{{ end }}", m, random.choice(["zero", "error", "default"])])
json.dump(cases, open("cases.json", "w"))
