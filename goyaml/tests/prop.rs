//! Property tests: the reader never panics or hangs on arbitrary input, and what the
//! emitter writes reads back to the same values.

use goyaml::{Value, Yaml};
use proptest::prelude::*;

fn scalar_string() -> impl Strategy<Value = String> {
    let chars = prop_oneof![
        8 => proptest::char::range('a', 'z'),
        2 => proptest::char::range(' ', '~'),
        2 => Just(' '),
        1 => prop::sample::select(vec![
            '\t', '\n', '\r', 'é', '日', '😀', '\u{85}', '\u{a0}', '\u{feff}', '\0',
            '\u{1}', '\u{7f}', ':', '#', '-', '\'', '"', '\\', '|', '>', '&', '*', '!', '%',
        ]),
    ];
    prop_oneof![
        4 => proptest::collection::vec(chars, 0..30).prop_map(|v| v.into_iter().collect()),
        1 => proptest::collection::vec(proptest::char::range('a', 'e'), 60..200)
            .prop_map(|v| v.into_iter().enumerate().map(|(i, c)| if i % 7 == 3 { ' ' } else { c }).collect()),
        1 => prop::sample::select(vec![
            "yes", "no", "on", "off", "y", "n", "true", "null", "~", "", "0777", "0x1F", "1e6",
            "1.5", "-0", ".inf", ".nan", "2024-01-01", "1:20", "<<", "---", "...", "- x", "a: b",
        ]).prop_map(String::from),
    ]
}

fn yaml_value() -> impl Strategy<Value = Yaml> {
    let leaf = prop_oneof![
        Just(Yaml::Null),
        any::<bool>().prop_map(Yaml::Bool),
        any::<i64>().prop_map(Yaml::Int),
        (i64::MAX as u64 + 1..=u64::MAX).prop_map(Yaml::Uint),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Yaml::Float),
        scalar_string().prop_map(Yaml::Str),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Yaml::Seq),
            // `<<` as a key is emitted plain by goyaml too and reads back as a merge key.
            proptest::collection::btree_map(
                scalar_string().prop_filter("merge key", |k| k != "<<"),
                inner,
                0..6
            )
            .prop_map(|m| Yaml::Map(m.into_iter().map(|(k, v)| (Yaml::Str(k), v)).collect())),
        ]
    })
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Uint(u) => Some(*u as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// Compares what was emitted with what was read back (Go semantics: a whole float comes
/// back as an int; map order is the emitter's sorted order).
fn same(want: &Yaml, got: &goyaml::Node) -> Result<(), String> {
    let g = &got.value;
    let ok = match (want, g) {
        (Yaml::Null, Value::Null) => true,
        (Yaml::Bool(a), Value::Bool(b)) => a == b,
        (Yaml::Int(a), Value::Int(b)) => a == b,
        (Yaml::Uint(a), Value::Uint(b)) => a == b,
        (Yaml::Float(a), _) => {
            num(g) == Some(*a) || (a.is_nan() && num(g).is_some_and(f64::is_nan))
        }
        (Yaml::Str(a), Value::Str(b)) => a == b,
        (Yaml::Seq(a), Value::Seq(b)) => {
            if a.len() != b.len() {
                return Err(format!("seq len {} vs {}", a.len(), b.len()));
            }
            for (x, y) in a.iter().zip(b) {
                same(x, y)?;
            }
            true
        }
        (Yaml::Map(a), Value::Map(b)) => {
            if a.len() != b.len() {
                return Err(format!("map len {} vs {}", a.len(), b.len()));
            }
            for (k, v) in a {
                let Yaml::Str(k) = k else {
                    return Err("non-string key".into());
                };
                let found = b
                    .iter()
                    .find(|(bk, _)| bk.value.as_str() == Some(k.as_str()));
                match found {
                    Some((_, bv)) => same(v, bv)?,
                    None => return Err(format!("missing key {k:?}")),
                }
            }
            true
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{want:?} read back as {g:?}"))
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn reader_survives_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(text) = goyaml::check_utf8(&bytes) {
            for node in goyaml::Documents::new(text).flatten() {
                {
                    let _ = goyaml::to_json(&node);
                    let _ = goyaml::to_yaml_v2(&node.to_yaml());
                }
            }
        }
    }

    #[test]
    fn reader_survives_yamlish_text(
        parts in proptest::collection::vec(prop::sample::select(vec![
            "a", "b", "yes", "1", "0777", ": ", ":", "- ", "-", "\n", "\n  ", "  ", "\t", "[", "]",
            "{", "}", ",", "#", "&x ", "*x", "&y ", "*y", "<<: ", "!!str ", "!!int ", "|", ">",
            "'", "\"", "\\", "? ", "---\n", "...\n", "~", "é", "%YAML 1.1\n",
        ]), 0..60)
    ) {
        let text: String = parts.concat();
        for node in goyaml::Documents::new(&text).flatten() {
            {
                let _ = goyaml::to_json_text(&node);
                let _ = goyaml::to_yaml_v2(&node.to_yaml());
                let _ = node.pointer("/a/0/b");
            }
        }
        let _ = goyaml::split_helm_manifest(&text);
        for d in goyaml::KubeDocs::new(&text) { let _ = d; }
    }

    #[test]
    fn emitter_output_reads_back(v in yaml_value()) {
        let text = goyaml::to_yaml_v2(&v);
        let node = goyaml::parse(&text).map_err(|e| TestCaseError::fail(format!("{e}\n---\n{text}")))?;
        same(&v, &node).map_err(|e| TestCaseError::fail(format!("{e}\n---\n{text}")))?;
    }

    #[test]
    fn pretty_emitter_output_reads_back(v in yaml_value()) {
        let text = goyaml::to_yaml_v3(&v);
        let node = goyaml::parse(&text).map_err(|e| TestCaseError::fail(format!("{e}\n---\n{text}")))?;
        same(&v, &node).map_err(|e| TestCaseError::fail(format!("{e}\n---\n{text}")))?;
    }

    /// `read_json` (toYaml's fast path) builds the tree the YAML parser builds from the
    /// same JSON text.
    #[test]
    fn json_reads_as_the_yaml_parser_reads_it(v in yaml_value()) {
        let text = goyaml::to_yaml_v2(&v);
        let node = goyaml::parse(&text).map_err(|e| TestCaseError::fail(format!("{e}\n---\n{text}")))?;
        if let Ok(json) = goyaml::to_json_text(&node) {
            // Where the parser fails, the reader must refuse too (its callers then fall back
            // to the parser and its error); where the reader gives a tree, it is the parser's.
            // The reader may refuse more (characters YAML reads differently, negative zero,
            // numbers beyond f64), never other JSON.
            match (goyaml::parse(&json), goyaml::read_json(&json)) {
                (Ok(want), Ok(got)) => prop_assert_eq!(got, want.to_yaml(), "{}", json),
                (Err(e), Ok(_)) => return Err(TestCaseError::fail(format!("parser: {e}, reader accepted {json}"))),
                (_, Err(e)) => prop_assert!(
                    json.bytes().any(|b| b >= 0x7f) || e.contains("negative zero") || e.contains("out of range"),
                    "reader refused {}: {}", json, e
                ),
            }
        }
    }

    #[test]
    fn json_numbers_resolve_as_the_yaml_parser_resolves_them(
        neg in any::<bool>(),
        // JSON numbers (no leading zeros), the shapes Go's encoder writes and more.
        int in "0|[1-9][0-9]{0,24}",
        frac in proptest::option::of("[0-9]{1,8}"),
        exp in proptest::option::of(("[eE]", "[-+]?", "[0-9]{1,3}")),
    ) {
        let mut n = String::new();
        if neg { n.push('-'); }
        n.push_str(&int);
        if let Some(f) = frac { n.push('.'); n.push_str(&f); }
        if let Some((e, s, d)) = exp { n.push_str(&e); n.push_str(&s); n.push_str(&d); }
        let json = format!("[{n}, {{\"k\": {n}}}]");
        let want = goyaml::parse(&json).map_err(|e| TestCaseError::fail(format!("{e}\n---\n{json}")))?.to_yaml();
        match goyaml::read_json(&json) {
            Ok(got) => prop_assert_eq!(got, want, "{}", json),
            // Refused, the parser's tree is used: only where serde_json and goyaml disagree.
            Err(e) => prop_assert!(
                e.contains("negative zero") || e.contains("out of range"),
                "reader refused {}: {}", json, e
            ),
        }
    }

    #[test]
    fn keyed_order_is_total(a in scalar_string(), b in scalar_string()) {
        let (x, y) = (Yaml::Str(a), Yaml::Str(b));
        prop_assert!(!(goyaml::natural_less(&x, &y) && goyaml::natural_less(&y, &x)));
    }
}

#[test]
fn alias_bomb_is_an_error() {
    let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        s.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let e = goyaml::parse(&s).unwrap_err();
    assert_eq!(e.to_string(), "yaml: document contains excessive aliasing");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let s = "[".repeat(100_000);
    assert!(goyaml::parse(&s).is_err());
    let s = format!("a: {}{}", "[".repeat(250), "]".repeat(250));
    assert!(goyaml::parse(&s).is_ok());
    let s = format!("a: {}{}", "[".repeat(300), "]".repeat(300));
    assert!(
        goyaml::parse(&s)
            .unwrap_err()
            .to_string()
            .contains("max depth")
    );
    let mut block = String::new();
    for i in 0..3000 {
        block.push_str(&" ".repeat(i));
        block.push_str("k:\n");
    }
    let e = goyaml::parse(&block).unwrap_err();
    assert!(e.to_string().contains("exceeded max depth"), "{e}");
}
