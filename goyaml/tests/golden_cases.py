"""Inputs for gen_golden.py: (kind, name, yaml text or bytes)."""
import json


def q(s):
    """A YAML double-quoted scalar holding exactly s (JSON escapes are YAML escapes)."""
    return json.dumps(s, ensure_ascii=False)


def reader_cases():
    r = []
    add = lambda name, text: r.append(("reader", name, text))
    # booleans in all spellings, as values and keys
    for w in ["y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON",
              "off", "Off", "OFF", "true", "True", "TRUE", "false", "False", "FALSE",
              "yEs", "tRue", "oN", "nO", "Off!"]:
        add("word " + w, "v: %s\n%s: key\n" % (w, w))
    for s in ["0777", "0o17", "0O17", "0x1F", "0X1f", "-0x1F", "0b101", "-0b101", "0B11", "1_000",
              "+12", "-0", "0", "00", "08", "0999", "1e6", "1E6", "1e+6", "-1.5e-3", ".5", "-.5",
              "+.5", "1.", "3.0", "1e400", "0x", "1_0.5", "._5", "9223372036854775807",
              "9223372036854775808", "18446744073709551615", "18446744073709551616",
              "-9223372036854775808", "-9223372036854775809", "123456789012345678",
              "1:20", "190:20:30.15", "0.1", "1e21", "1e-7", "100000000000000000000",
              "12e", "1.2.3", "0x_1F", "1__0", "_1", "-_1", "+", "-", ".", "+.inf", "-.Inf", ".INF",
              ".nan", ".NaN", "~", "null", "Null", "NULL", "nULL", "", "2024-01-01", "2024-1-1",
              "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10", "2023-02-29",
              "20240-01-01", "<<", "=", "0.0", "-0.0", "1e-400"]:
        add("scalar " + s, "v: %s\n" % s)
    add("quoted scalars", "a: 'yes'\nb: \"0777\"\nc: '~'\nd: \"\"\ne: ''\n")
    add("tags", "a: !!str 123\nb: !!int \"12\"\nc: !!float 1\nd: !!bool yes\ne: !!null ~\n"
        "f: !!binary aGVsbG8=\ng: !custom x\nh: ! 12\ni: !!timestamp 2024-01-01\n"
        "j: !!str yes\nk: !!float \"1.5\"\n")
    add("tag int bad", "a: !!int 1.5\n")
    add("tag null bad", "a: !!null abc\n")
    add("tag binary bad", "a: !!binary '%%%'\n")
    add("merge single", "base: &b {k: 1, j: 2}\nm:\n  <<: *b\n  j: 3\n")
    add("merge after", "base: &b {k: 1, j: 2}\nm:\n  j: 3\n  <<: *b\n")
    add("merge list", "a: &a {x: 1, y: 1}\nb: &b {x: 2, z: 2}\nm:\n  <<: [*a, *b]\n  w: 0\n")
    add("merge inline", "m:\n  <<: {p: 1}\n  q: 2\n")
    add("merge bad", "a: &a [1]\nm:\n  <<: *a\n")
    add("merge scalar", "m:\n  <<: 1\n")
    add("merge quoted", "m:\n  '<<': {a: 1}\n")
    add("dup keys", "a: 1\nb: 2\na: 3\n")
    add("dup keys nested", "m:\n  x: 1\n  x: {y: 2}\n")
    add("key types", "1: a\n1.5: b\ntrue: c\n~: d\n")
    add("null key", "? \n: x\n")
    add("float keys", "0.1: a\n1e6: b\n123456789.0: c\n.inf: d\n-.inf: e\n")
    add("uint key", "18446744073709551615: a\n")
    add("int keys", "-5: a\n0x10: b\n0777: c\n")
    add("inf value", "a: .inf\n")
    add("nan value", "a: .nan\n")
    add("nested nulls", "a:\nb: ~\nc: [~, null, ]\nd: {x: }\n")
    add("anchors", "a: &x hello\nb: *x\nc: &l [1, 2]\nd: *l\n")
    add("unknown anchor", "a: *nope\n")
    add("anchor self", "a: &x [1, *x]\n")
    add("multi doc", "a: 1\n---\nb: 2\n")
    add("comment only", "# nothing\n")
    add("empty", "")
    add("flow", "a: {b: [1, 2, {c: d}], e: 'f'}\n")
    add("block scalars", "a: |\n  x\n  y\nb: >\n  folded\n  text\n\n  para\nc: |-\n  z\nd: |+\n  k\n\ne: x\n")
    add("multiline plain", "a: this is\n  continued\n\n  with break\n")
    add("quoted multiline", "a: \"x\n  y\"\nb: 'p\n\n  q'\n")
    add("escapes", "a: \"\\t\\u00e9\\x41\\n\\\\ \\\"\"\nb: 'it''s'\n")
    add("unicode", "a: é日本\nb: \U0001F600\n")
    add("long string", "a: %s\n" % (" ".join(["word"] * 30)))
    add("err mapping values", "a: 1\nb: c: d\n")
    add("err did not find key", "a:\n  - b\n c: d\n")
    add("err flow seq", "a: [1, 2\nb: 3\n")
    add("err flow map", "a: {x: 1\nb: 3\n")
    add("err tab", "a:\n\tb: 1\n")
    add("err block seq", "a: b\n- c\n")
    add("err template left", "a: {{ .Values.x }}\n")
    add("err unclosed quote", "a: \"abc\n")
    add("err unclosed single", "a: 'abc\n")
    add("err bad indent", "a:\n    b: 1\n  c: 2\n")
    add("err key after seq", "- a\nb: c\n")
    add("err line 6", "a: 1\nb: 2\nc: 3\nd: 4\ne: 5\nf: g: h\n")
    add("err alias undefined in flow", "a: [*b]\n")
    add("err control char", "a: \x01\n")
    add("err latin1", b"a: caf\xe9\n")
    add("err nul", "a: b\x00c\n")
    add("err dash no space", "a:\n-b\n- c\n")
    add("err question", "a: 1\n? b\n")
    add("err bad escape", "a: \"\\q\"\n")
    add("err colon in flow", "a: [b: c: d]\n")
    add("not a map", "- 1\n- 2\n")
    # errors seen in broken templates
    add("err2 indent list under key", "spec:\n  containers:\n  - name: a\n     image: b\n")
    add("err2 unindented value", "metadata:\n  name: x\n labels:\n    a: b\n")
    add("err2 nindent wrong", "spec:\n  template:\n    spec:\n      containers:\n        - name: x\n      env:\n        - name: y\n       value: z\n")
    add("err2 tab indent deep", "a:\n  b:\n\t  c: 1\n")
    add("err2 undefined tag handle", "a: !x!y z\n")
    add("err2 anchor no name", "a: & x\n")
    add("err2 alias no name", "a: *\n")
    add("err2 flow in block key", "a: b\n{c: d}\n")
    add("err2 unclosed flow eof", "a: [1, 2")
    add("err2 unclosed map eof", "a: {b: 1")
    add("err2 bad block scalar indicator", "a: |x\n  b\n")
    add("err2 block scalar less indented", "a:\n  b: |\n    x\n   y\n  c: 1\n")
    add("err2 text after quote", "a: \"x\" y\n")
    add("err2 text after single quote", "a: 'x' y\n")
    add("err2 dash after value", "a: b\n  - c\n")
    add("err2 colon no space key", "a:b: c\nd: e\n")
    add("err2 document end garbage", "a: 1\n... x\n")
    add("err2 directive bad", "%FOO bar\n---\na: 1\n")
    add("err2 yaml directive twice", "%YAML 1.1\n%YAML 1.1\n---\na: 1\n")
    add("err2 key with braces", "{{ include \"x\" . }}\n")
    add("err2 value template", "a: {{ .Values.x | quote }}\n")
    add("err2 at sign", "a: @x\n")
    add("err2 backtick", "a: `x`\n")
    add("err2 seq in flow map", "a: {- b}\n")
    add("err2 line 10", "a: 1\n" * 9 + "b c: d: e\n")
    add("err2 mapping in seq bad", "- a: 1\n  b: 2\n - c: 3\n")
    add("err2 tab after colon ok", "a:\tb\n")
    add("err2 trailing tab", "a: b\t\n")
    add("err2 complex key multi", "? a\n? b\n: c\n")
    add("err2 empty key", ": a\n")
    add("scalar doc", "hello\n")
    add("crlf", "a: 1\r\nb: 2\r\n")
    add("deep", "a: " + "[" * 50 + "]" * 50 + "\n")
    add("special keys", "'a b': 1\n\"c:d\": 2\n? complex\n: 3\n")
    add("indentless seq", "a:\n- 1\n- b: 2\n  c: 3\n")
    add("doc start", "--- \na: 1\n...\n")
    add("directive", "%YAML 1.1\n---\na: 1\n")
    add("tab in value", "a: x\ty\n")
    add("trailing spaces", "a: x   \n")
    add("hash in value", "a: x#y\nb: x #y\nc: 'x #y'\n")
    add("seq of maps", "a:\n  - name: x\n    v: 1\n  - name: y\n")
    add("str keys numbers", "'1': a\n'01': b\n")
    add("merge override order", "a: &a {x: 1}\nb: &b {x: 2}\nm:\n  x: 0\n  <<: *a\n  <<: *b\n")
    add("merge nested alias", "a: &a {x: &y [1, 2]}\nm:\n  <<: *a\n  z: *y\n")
    add("merge list scalar", "a: &a {x: 1}\nm:\n  <<: [*a, 1]\n")
    add("anchor redefined", "a: &x 1\nb: &x 2\nc: *x\n")
    add("alias key", "a: &k key\n*k : v\n")
    add("bool keys mixed", "yes: 1\n'yes': 2\nno: 3\n")
    add("dup after stringify", "1: a\n'1': b\n")
    add("long key plain", "%s: v\n" % ("k" * 200))
    add("seq null items", "a:\n-\n- ~\n-\n")
    add("folded keep", "a: >+\n  x\n\nb: 1\n")
    add("literal indent indicator", "a: |2\n   x\n  y\n")
    add("plain with colons", "a: http://x:80/y\nb: a:b\n")
    add("json style", '{"a": 1, "b": [true, null], "c": {"d": "e"}}')
    add("windows path", "a: C:\\\\x\\y\n")
    add("empty flow", "a: []\nb: {}\n")
    add("big json", json.dumps({"a": [1, 2.5, "x", None, True, {"b": "c"}], "d": "<&>"}))
    return r


LONG_WORDS = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua."


def emit_cases():
    r = []
    add = lambda name, v: r.append(("emit", name, "v: %s\n" % q(v)))
    addy = lambda name, text: r.append(("emit", name, text))
    for s in ["true", "false", "yes", "no", "on", "off", "y", "n", "Y", "N", "null", "~", "", "12",
              "0123", "1.5", "1e6", "0x1F", "0o17", "0b101", "1_000", "+12", "-0", ".inf", ".nan",
              "2024-01-01", "2024-01-01T10:00:00Z", "1:20", "<<", "=", "a: b # c", "- x", " x",
              "x ", "*x", "&x", "!x", "%x", "@x", "`x", "|x", ">x", "'x", "\"x", "#x", "x#y",
              "x #y", "x: y", "x:y", "? x", "?x", ":x", ": x", "-x", "-", "--", "---", "--- x", "...",
              "{x}", "[x]", "x,y", "x[y]", "a\tb", "a\r\nb", "a\rb", "\x01", "\x7f", "é", "日本語",
              "\U0001F600", "a\u00a0b", "\u2028", "\ufeffx", "a\\b", "it's", "say \"hi\"", "a  b",
              "0.1", "-1", "1.", ".5", "1e400", "0999", "08", "9223372036854775808", "True", "NULL",
              "x\n", "x\ny", "x\ny\n", "x\n\n", "\n", "\nx", " x\ny", "x \ny", "x\n y", "\tx\ny",
              "x\ny ", "a\r\nb\n", "x\n\ny\n\n\n", "line1\nline2\\n", "é\nü\n", "\U0001F600\nx\n",
              "#x\ny", "key: value\nother: thing\n", "  indented\n  lines\n"]:
        add("str " + repr(s), s)
    # long strings: folding at 80 columns
    for n in [70, 75, 78, 79, 80, 81, 82, 85, 90, 100, 120, 160, 200, 400]:
        add("long words %d" % n, (LONG_WORDS * 5)[:n])
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
    long = " ".join(words * 8)
    add("long plain", long)
    add("long leading space", " " + long)
    add("long trailing space", long + " ")
    add("long double spaces", long.replace(" ", "  "))
    add("long triple spaces", long.replace(" ", "   "))
    add("long colon", long.replace("gamma", "key: gamma"))
    add("long hash", long.replace("zeta", "# zeta"))
    add("long quote indicator", "'" + long)
    add("long tab", long.replace("delta", "de\tlta"))
    add("long unicode", long.replace("a", "é"))
    add("long cjk", "日本語 " * 40)
    add("long emoji", ("smile \U0001F600 " * 20).strip())
    add("long no spaces", "x" * 200)
    add("long url", "https://example.com/" + "a" * 100 + "?q=1 and more words here " * 3)
    add("long with newline", long + "\n" + long + "\n")
    add("long with newline nochomp", long + "\n" + long)
    add("long trailing space ml", long + " \nnext")
    add("long true", "true " + long)
    add("long number start", "12 " + long)
    add("long quoted start", "\"" + long)
    add("long space before fold", "a" * 79 + " " + "b" * 10 + " c")
    add("long two spaces at fold", "a" * 81 + "  b c")
    add("long single at fold", "'" + "a" * 79 + " b" * 5)
    add("long double at fold", "\t" + "a" * 79 + " b" * 5)
    add("long double spaces at fold", "\t" + "a" * 81 + "   b c")
    add("base64 cert", "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t" * 4)
    addy("nested", "v:\n  b:\n    c: [1, 2, {d: e}]\n  a: []\n  e: {}\n  f: null\n  g: [[1, 2], [], [{}]]\n")
    addy("key order", "v:\n  b: 1\n  a: 2\n  '10': x\n  '9': x\n  '1': x\n  A: x\n  a2: x\n  a10: x\n  é: x\n  _x: x\n  -x: x\n  Z: x\n  aB: x\n  ab: x\n  a01: x\n  a1: x\n  a001: x\n  x0: x\n  x00: x\n  '': x\n  ' ': x\n  '~': x\n")
    addy("numbers", "v:\n  i: 1\n  f: 1.5\n  big: 1000000\n  huge: 1e21\n  neg: -3\n  small: 0.00001\n  u: 18446744073709551615\n  i64: 9223372036854775807\n  z: 0\n  nz: -0.0\n  e: 1e-7\n  g: 123456789\n")
    addy("bools nulls", "v:\n  t: true\n  f: false\n  n: null\n  y: yes\n")
    addy("seq in seq", "v:\n- - a\n  - b\n- - - c\n")
    addy("map in seq", "v:\n- a: 1\n  b:\n    c: 2\n- {}\n- []\n")
    addy("multiline in seq", "v:\n- \"x\\ny\\n\"\n- \"p\\nq\"\n- {k: \"m\\nn\"}\n")
    addy("multiline key", "v:\n  \"a\\nb\": 1\n")
    addy("long key", "v:\n  %s: 1\n" % ("k" * 130))
    addy("long key 128", "v:\n  %s: 1\n" % ("k" * 128))
    addy("special key", "v:\n  'a: b': 1\n  'true': 2\n  '12': 3\n  '- x': 4\n  '': 5\n")
    addy("deep nest long", "v:\n  a:\n    b:\n      c:\n        d: %s\n" % q(long))
    addy("seq long", "v:\n- %s\n- - %s\n" % (q(long), q(long)))
    addy("literal in nested", "v:\n  a:\n    b: \"line1\\nline2\\n\"\n    c: \" lead\\nx\\n\"\n")
    addy("empty strings", "v:\n  a: ''\n  b: ' '\n  c: [\"\", ' ']\n")
    for s in ["\ufeffxy z", "a\ufeffb", "\ufeff", "x\ufeff", "\ufeff\ufeff", "\ufeff\u00e9\n"]:
        add("bom " + repr(s), s)
    # more folding: widths around the limit with different first-line offsets
    for n in range(76, 90):
        add("fold %d" % n, ("ab " * 60)[:n] + " tail words here")
    for n in [79, 80, 81, 82]:
        add("fold single %d" % n, ("'q " * 40)[:n] + " end")
        add("fold double %d" % n, ("\tq " * 40)[:n] + " end")
    add("fold many lines", " ".join("w%d" % i for i in range(200)))
    add("fold long word mid", "short " + "L" * 90 + " short again and again " + "M" * 85 + " end")
    add("fold spaces at boundary", "a" * 78 + "   " + "b" * 20 + "  c")
    add("fold unicode width", "é" * 70 + " " + "ü" * 20 + " x")
    add("fold colon space", ("k: v " * 30).strip())
    add("fold hash", ("x #y " * 30).strip())
    add("literal long lines", ("word " * 30 + "\n") * 3)
    add("literal trailing spaces line", "a  \nb\n")
    add("literal tab", "a\tb\nc\n")
    add("literal leading newline", "\n\nx\n")
    add("literal cr", "a\rb\nc")
    add("literal only newlines", "\n\n\n")
    add("literal indent 2", "  x\n  y")
    add("literal unicode", "日本\n語\n")
    add("literal emoji", "\U0001F600\nb")
    add("literal nel", "a\u0085b\nc")
    add("literal ls", "a\u2028b\nc")
    add("ls only", "a\u2028b")
    add("ls space", "a \u2028b")
    for name, text in [
        ("nested deep long", "v:\n  a:\n  - b:\n    - c: %s\n" % q(" ".join(["deep"] * 40))),
        ("seq of literal", "v:\n- \"a\\nb\"\n- - \"c\\nd\\n\"\n"),
        ("map of empty", "v:\n  a: {}\n  b: []\n  c: ''\n  d: null\n"),
        ("int like keys", "v:\n  '1': a\n  '2': b\n  '10': c\n  '1.5': d\n  'true': e\n  'null': f\n"),
        ("keys with spaces", "v:\n  'a b': 1\n  ' lead': 2\n  'trail ': 3\n  'x: y': 4\n  '#c': 5\n"),
        ("floats", "v: [0.5, 1.5e300, 2.5e-300, 123456.789, 1234567.891, 0.000123, 100, 1e15, 1e16, 123456789012]\n"),
        ("ints large", "v: [9007199254740993, 12345678901234567890, -9223372036854775808]\n"),
    ]:
        r.append(("emit", name, text))
    words2 = " ".join(["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing"] * 6)
    for depth in range(1, 6):
        text = "v:\n"
        ind = "  "
        for d in range(depth):
            text += ind * (d + 1) + "k%d:\n" % d
        text += ind * (depth + 1) + "s: %s\n" % q(words2)
        r.append(("emit", "nested fold depth %d" % depth, text))
    for depth in range(1, 4):
        text = "v:\n" + "  " + "- " * depth + q(words2) + "\n"
        r.append(("emit", "seq fold depth %d" % depth, text))
        text = "v:\n" + "  " + "- " * depth + "key: " + q(words2) + "\n"
        r.append(("emit", "seq map fold depth %d" % depth, text))
    for klen in [10, 40, 60, 75, 79, 80, 81, 100, 127]:
        r.append(("emit", "key len %d" % klen, "v:\n  %s: %s\n" % ("k" * klen, q(words2))))
    r.append(("emit", "fold in literal nested", "v:\n  a:\n  - b: %s\n" % q((words2 + "\n") * 2)))
    r.append(("emit", "fold single nested", "v:\n  a:\n    b: %s\n" % q("'" + words2)))
    r.append(("emit", "fold double nested", "v:\n  a:\n    b: %s\n" % q("\t" + words2)))
    r.append(("emit", "cert", "v:\n  tls.crt: %s\n" % q("-----BEGIN CERTIFICATE-----\n" + ("MIIDazCCAlOgAwIBAgIUd" * 3 + "\n") * 4 + "-----END CERTIFICATE-----\n")))
    r.append(("emit", "json string", "v:\n  cfg: %s\n" % q(json.dumps({"a": [1, 2, 3], "b": {"c": "d" * 50, "e": "f g h " * 10}}))))
    r.append(("emit", "resources", "v:\n  resources:\n    limits: {cpu: 500m, memory: 128Mi}\n    requests: {cpu: 100m, memory: 64Mi}\n  nodeSelector: {}\n  tolerations: []\n  affinity: {}\n  podAnnotations: {prometheus.io/scrape: 'true', prometheus.io/port: '9090'}\n"))
    r.append(("emit", "env list", "v:\n- name: A\n  value: '1'\n- name: B\n  valueFrom:\n    secretKeyRef: {name: s, key: k}\n- name: C\n  value: 'yes'\n- name: D\n  value: ''\n"))
    r.append(("emit", "script", "v:\n  command: [sh, -c]\n  args:\n  - %s\n" % q("set -e\nif [ -f /x ]; then\n  echo \"found: $X\" # comment\nfi\n\texit 0\n")))
    r.append(("emit", "ingress hosts", "v:\n  hosts:\n  - host: chart-example.local\n    paths:\n    - path: /\n      pathType: ImplementationSpecific\n  tls: []\n"))
    r.append(("emit", "special chars keys", "v:\n  'a.b/c': 1\n  'x-y_z': 2\n  '@at': 3\n  '*star': 4\n  '&amp': 5\n  '!bang': 6\n  '%pct': 7\n  '[br]': 8\n  '{cb}': 9\n  '|pipe': 10\n  '>gt': 11\n  '?q': 12\n  ':c': 13\n  ',comma': 14\n  '#hash': 15\n"))
    return r


def random_cases(n=int(__import__("os").environ.get("GOLDEN_RANDOM_N", "200")), seed=int(__import__("os").environ.get("GOLDEN_RANDOM_SEED", "20261122"))):
    """Seeded random value trees (strings from a tricky alphabet, long folded text, nesting)."""
    import random
    rnd = random.Random(seed)
    alphabet = list("abcdefghijklmnopqrstuvwxyz      ") + list("ABC0123456789") + \
        list(":#-'\"!&*?|>%@`,[]{}\\/._=~+") + ["\t", "\n", "\r", "é", "日", "\u00a0", "\U0001F600", "\x01"]
    words = ["yes", "no", "on", "true", "null", "~", "0777", "1e3", "0x1F", "1.5", "2024-01-01", "-", "---", "a: b", "#x", "<<"]

    def rstr():
        k = rnd.random()
        if k < 0.15:
            return rnd.choice(words)
        if k < 0.35:
            return " ".join(rnd.choice(["lorem", "ipsum", "x", "dolor", "sit", "amet:", "#", "-", "é"]) for _ in range(rnd.randint(10, 40)))
        return "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 25)))

    def rval(depth):
        k = rnd.random()
        if depth > 3 or k < 0.5:
            c = rnd.random()
            if c < 0.6:
                return rstr()
            if c < 0.75:
                return rnd.choice([0, 1, -1, 42, 10**6, 10**21, 2**53 + 1, 0.5, -2.25, 1e-7, 123456.789])
            if c < 0.9:
                return rnd.choice([True, False])
            return None
        if k < 0.75:
            return [rval(depth + 1) for _ in range(rnd.randint(0, 4))]
        return {rstr() or "k": rval(depth + 1) for _ in range(rnd.randint(0, 5))}

    out = []
    for i in range(n):
        out.append(("emit", "random %d" % i, "v: %s\n" % json.dumps(rval(0), ensure_ascii=False)))
    return out


def cases():
    return reader_cases() + emit_cases() + random_cases()
