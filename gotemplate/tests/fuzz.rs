//! Property tests: lexer, parser and executor never panic, overflow the stack or run away,
//! whatever the input.

mod common;

use std::collections::BTreeMap;

use gotemplate::{TemplateSet, Value};
use proptest::prelude::*;

fn data() -> Value {
    common::data_for(
        r#"{"a": {"b": "x", "n": 2}, "l": [1, "s", null, {"k": "v"}], "n": 3, "f": 1.5, "s": "str", "t": true}"#,
    )
}

fn run(text: &str) {
    let mut set = TemplateSet::new(common::funcs()).with_name("gotpl");
    {
        let o = set.options_mut();
        o.max_depth = 30;
        o.max_output = 20_000;
        o.max_steps = 20_000;
    }
    if set.parse("f", text).is_ok() {
        let r = set.execute("f", &data());
        if let Err(e) = r {
            // Rendering the error must work too.
            let _ = e.to_string();
        }
    }
    let _ = set.execute("nonexistent", &Value::Nil);
    let _: BTreeMap<String, Value> = BTreeMap::new();
}

const TOKENS: &[&str] = &[
    "{{",
    "}}",
    "{{- ",
    " -}}",
    "{{/*",
    "*/}}",
    " ",
    "\n",
    ".",
    ".a",
    ".a.b",
    ".l",
    ".Values",
    "$",
    "$x",
    "$y",
    ":=",
    "=",
    "|",
    "(",
    ")",
    ",",
    "if",
    "else",
    "end",
    "range",
    "with",
    "define \"d\"",
    "template \"d\"",
    "block \"b\" .",
    "break",
    "continue",
    "printf",
    "\"%d %v %s\"",
    "\"x\"",
    "`raw`",
    "1",
    "-2",
    "2.5",
    "1e6",
    "0x1F",
    "'a'",
    "nil",
    "true",
    "len",
    "index",
    "slice",
    "eq",
    "ne",
    "lt",
    "and",
    "or",
    "not",
    "print",
    "println",
    "html",
    "js",
    "urlquery",
    "call",
    "include \"d\" .",
    "tpl \"{{ .a }}\" .",
    "trunc",
    "upper",
    "quote",
    "required \"r\"",
    "x",
    "é",
    "}",
    "{",
    "-",
    "#",
    "\"",
    "'",
    "`",
];

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..60).prop_map(|v| v.concat())
}

fn operand() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        ".",
        ".a",
        ".a.b",
        ".a.n",
        ".l",
        ".n",
        ".f",
        ".s",
        ".t",
        ".missing",
        ".missing.x",
        "$",
        "$.a",
        "1",
        "0",
        "2.5",
        "\"str\"",
        "true",
        "nil",
        "'c'",
    ])
    .prop_map(str::to_string)
}

fn pipeline() -> impl Strategy<Value = String> {
    let func = prop::sample::select(vec![
        "len",
        "index",
        "eq",
        "ne",
        "lt",
        "le",
        "gt",
        "ge",
        "and",
        "or",
        "not",
        "print",
        "printf \"%v-%d\"",
        "html",
        "js",
        "urlquery",
        "upper",
        "quote",
        "trunc 2",
        "slice",
        "include \"d\"",
        "tpl \"{{ . }}\"",
    ]);
    (
        operand(),
        prop::collection::vec((func, prop::collection::vec(operand(), 0..3)), 0..3),
    )
        .prop_map(|(first, stages)| {
            let mut s = first;
            for (f, args) in stages {
                s = format!("{s} | {f} {}", args.join(" "));
            }
            s
        })
}

fn body() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        "[a-z \n]{0,5}".prop_map(|s| s),
        pipeline().prop_map(|p| format!("{{{{ {p} }}}}")),
        pipeline().prop_map(|p| format!("{{{{- $v := {p} -}}}}{{{{ $v }}}}")),
        Just("{{ template \"d\" .a }}".to_string()),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            (pipeline(), inner.clone(), inner.clone()).prop_map(|(p, a, b)| format!("{{{{ if {p} }}}}{a}{{{{ else }}}}{b}{{{{ end }}}}")),
            (pipeline(), inner.clone()).prop_map(|(p, a)| format!("{{{{ with {p} }}}}{a}{{{{ end }}}}")),
            (pipeline(), inner.clone()).prop_map(|(p, a)| format!("{{{{ range $i, $e := {p} }}}}{{{{ $i }}}}{a}{{{{ if $e }}}}{{{{ break }}}}{{{{ end }}}}{{{{ end }}}}")),
            prop::collection::vec(inner, 1..4).prop_map(|v| v.concat()),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        run(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn token_soup(s in soup()) {
        run(&s);
    }

    #[test]
    fn structured_templates(b in body(), d in body()) {
        run(&format!("{{{{ define \"d\" }}}}{d}{{{{ end }}}}{b}"));
    }
}

#[test]
fn deep_nesting_is_an_error() {
    let deep_if = "{{ if 1 }}".repeat(3000) + &"{{ end }}".repeat(3000);
    let deep_paren = format!("{{{{ {}1{} }}}}", "(".repeat(3000), ")".repeat(3000));
    let handle = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || {
            let set = TemplateSet::new(common::funcs());
            (
                set.check("a", &deep_if).map(|_| ()).map_err(|e| e.message),
                set.check("b", &deep_paren)
                    .map(|_| ())
                    .map_err(|e| e.message),
            )
        })
        .unwrap();
    let (a, b) = handle.join().unwrap();
    assert_eq!(a, Err("max expression depth exceeded".to_string()));
    assert_eq!(b, Err("max expression depth exceeded".to_string()));
}
