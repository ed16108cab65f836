//! Reader behaviour that the helm golden vectors cannot show: positions, strict mode,
//! pointers, streaming, typed values.

use goyaml::{ErrorKind, ParseOptions, Value};

fn strict() -> ParseOptions {
    ParseOptions {
        strict: true,
        ..ParseOptions::default()
    }
}

#[test]
fn typed_values() {
    let n =
        goyaml::parse("a: 0777\nb: 1.0\nc: 18446744073709551615\nd: yes\ne: ~\nf: 2024-01-01\n")
            .unwrap();
    assert_eq!(n.get("a").unwrap().value, Value::Int(511));
    assert_eq!(n.get("b").unwrap().value, Value::Float(1.0));
    assert_eq!(n.get("c").unwrap().value, Value::Uint(u64::MAX));
    assert_eq!(n.get("d").unwrap().value, Value::Bool(true));
    assert_eq!(n.get("e").unwrap().value, Value::Null);
    assert_eq!(n.get("f").unwrap().value, Value::Str("2024-01-01".into()));
}

#[test]
fn spans_are_one_based_with_byte_offsets() {
    let src = "a: 1\nlist:\n  - x\n  - é: ü\n    k: v\n";
    let n = goyaml::parse(src).unwrap();
    let x = n.pointer("/list/0").unwrap();
    assert_eq!((x.span.line, x.span.column), (3, 5));
    assert_eq!(&src[x.span.offset..x.span.offset + 1], "x");
    let k = n.pointer("/list/1/k").unwrap();
    assert_eq!((k.span.line, k.span.column), (5, 8));
    assert_eq!(&src[k.span.offset..k.span.offset + 1], "v");
    let u = n.pointer("/list/1/é").unwrap();
    assert_eq!((u.span.line, u.span.column), (4, 8));
    assert_eq!(&src[u.span.offset..u.span.offset + 2], "ü");
    assert!(n.pointer("/list/2").is_none());
    assert!(n.pointer("/list/01").is_none());
    assert_eq!(n.pointer_nearest("/list/1/missing").span.line, 4);
}

#[test]
fn pointer_uses_json_keys() {
    let n = goyaml::parse("yes: 1\n1: 2\na/b: 3\nt~x: 4\n").unwrap();
    assert_eq!(n.pointer("/true").unwrap().value, Value::Int(1));
    assert_eq!(n.pointer("/1").unwrap().value, Value::Int(2));
    assert_eq!(n.pointer("/a~1b").unwrap().value, Value::Int(3));
    assert_eq!(n.pointer("/t~0x").unwrap().value, Value::Int(4));
    assert_eq!(goyaml::escape_pointer_token("a/b~c"), "a~1b~0c");
}

#[test]
fn bom_is_skipped_but_offsets_index_the_input() {
    let src = "\u{feff}a: b\n";
    let n = goyaml::parse(src).unwrap();
    let b = n.get("a").unwrap();
    assert_eq!(&src[b.span.offset..b.span.offset + 1], "b");
    assert_eq!((b.span.line, b.span.column), (1, 4));
}

#[test]
fn duplicate_keys_last_wins_or_strict_error() {
    let src = "a: 1\nb: 2\na: 3\n";
    let n = goyaml::parse(src).unwrap();
    assert_eq!(n.get("a").unwrap().value, Value::Int(3));
    let Value::Map(entries) = &n.value else {
        panic!()
    };
    assert_eq!(entries.len(), 2);
    let e = goyaml::parse_with(src, &strict()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Strict);
    assert_eq!(
        e.to_string(),
        "yaml: unmarshal errors:\n  line 3: key \"a\" already set in map"
    );
    assert_eq!(e.line(), Some(3));
    // Many keys (hash index path).
    let mut big = String::new();
    for i in 0..50 {
        big.push_str(&format!("k{i}: {i}\n"));
    }
    big.push_str("k7: dup\n");
    assert_eq!(
        goyaml::parse(&big).unwrap().get("k7").unwrap().value,
        Value::Str("dup".into())
    );
    assert!(goyaml::parse_with(&big, &strict()).is_err());
    // 1 and "1" are different YAML keys.
    assert!(goyaml::parse_with("1: a\n'1': b\n", &strict()).is_ok());
}

#[test]
fn merge_precedence_is_goyaml_v2() {
    // Entries apply in order; a later merge overwrites an earlier explicit key (v2).
    let n = goyaml::parse("b: &b {x: 2}\nm:\n  x: 1\n  <<: *b\n").unwrap();
    assert_eq!(n.pointer("/m/x").unwrap().value, Value::Int(2));
    let n = goyaml::parse("b: &b {x: 2}\nm:\n  <<: *b\n  x: 1\n").unwrap();
    assert_eq!(n.pointer("/m/x").unwrap().value, Value::Int(1));
    // In a list, earlier maps win.
    let n = goyaml::parse("a: &a {x: 1}\nb: &b {x: 2}\nm:\n  <<: [*a, *b]\n").unwrap();
    assert_eq!(n.pointer("/m/x").unwrap().value, Value::Int(1));
}

#[test]
fn documents_stream_one_at_a_time() {
    let src = "a: 1\n---\n---\nb: [1\n";
    let mut docs = goyaml::Documents::new(src);
    assert_eq!(
        docs.next().unwrap().unwrap().get("a").unwrap().value,
        Value::Int(1)
    );
    assert_eq!(docs.next().unwrap().unwrap().value, Value::Null);
    assert!(docs.next().unwrap().is_err());
    assert!(docs.next().is_none());
    assert_eq!(goyaml::parse_all("").unwrap().len(), 0);
    // Anchors do not cross documents.
    let e = goyaml::parse_all("a: &x 1\n---\nb: *x\n").unwrap_err();
    assert_eq!(e.to_string(), "yaml: unknown anchor 'x' referenced");
}

#[test]
fn kube_docs_parse_with_stream_positions() {
    let src = "a: 1\n---\nkind: X\nspec:\n  m: [1, 2]\n---\nbad: [\n";
    let docs: Vec<_> = goyaml::KubeDocs::new(src).map(Result::unwrap).collect();
    let n = docs[1].parse(&ParseOptions::default()).unwrap();
    let two = n.pointer("/spec/m/1").unwrap();
    assert_eq!((two.span.line, two.span.column), (5, 10));
    assert_eq!(&src[two.span.offset..two.span.offset + 1], "2");
    let e = docs[2].parse(&ParseOptions::default()).unwrap_err();
    assert_eq!(e.line(), Some(8));
}

#[test]
fn errors_carry_positions_and_go_text() {
    let e = goyaml::parse("a: 1\nb: 2\nc: 3\nd: 4\ne: 5\nf: g: h\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "yaml: line 6: mapping values are not allowed in this context"
    );
    assert_eq!(e.kind, ErrorKind::Syntax);
    assert_eq!(e.line(), Some(6));
    assert!(e.column().is_some());
    let e = goyaml::parse_bytes(b"a: caf\xe9!!\n").unwrap_err();
    assert_eq!(e.to_string(), "yaml: invalid trailing UTF-8 octet");
    assert_eq!(e.span.unwrap().offset, 6);
    let e = goyaml::parse("a: !!int 1.5\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "yaml: cannot decode !!float `1.5` as a !!int"
    );
    assert_eq!(e.line(), Some(1));
}

#[test]
fn json_view() {
    let n = goyaml::parse("b: 1.0\na: [yes, 0x10, 1e3, 2.5]\n1.5: x\ntrue: z\n").unwrap();
    assert_eq!(
        goyaml::to_json_text(&n).unwrap(),
        r#"{"1.5":"x","a":[true,16,1000,2.5],"b":1,"true":"z"}"#
    );
    let j = goyaml::to_json(&n).unwrap();
    assert!(j["b"].is_i64());
    assert!(j["a"][3].is_f64());
    let keys: Vec<&String> = j.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["1.5", "a", "b", "true"]);
    let e = goyaml::yaml_to_json("a: .inf\n").unwrap_err();
    assert_eq!(e.to_string(), "json: unsupported value: +Inf");
    assert_eq!(e.kind, ErrorKind::Json);
    let e = goyaml::yaml_to_json("~: 1\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "unsupported map key of type: %!s(<nil>), key: <nil>, value: 1"
    );
    assert_eq!(
        goyaml::to_json_text(&goyaml::parse("s: \"<a & b>\"\n").unwrap()).unwrap(),
        r#"{"s":"\u003ca \u0026 b\u003e"}"#
    );
}

#[test]
fn alias_budget_allows_normal_reuse() {
    let mut s = String::from("base: &b\n  k1: v\n  k2: v\n  k3: v\nitems:\n");
    for _ in 0..200 {
        s.push_str("  - <<: *b\n    extra: 1\n");
    }
    let n = goyaml::parse(&s).unwrap();
    assert_eq!(
        n.pointer("/items/199/k3").unwrap().value,
        Value::Str("v".into())
    );
}

#[test]
fn helm_float64_view() {
    let n = goyaml::parse("a: 1\nb: [2, 0x10]\nc: {d: 9223372036854775807}\n").unwrap();
    let j = goyaml::to_json_f64(&n).unwrap();
    assert!(j["a"].is_f64());
    assert_eq!(j["b"][1].as_f64(), Some(16.0));
    assert_eq!(j["c"]["d"].as_f64(), Some(9.223372036854776e18));
    assert_eq!(n.get("b").unwrap().value.as_seq().unwrap().len(), 2);
    assert_eq!(n.value.as_map().unwrap().len(), 3);
    assert_eq!(n.get("a").unwrap().value.as_f64(), Some(1.0));
}

/// Accept/reject verdicts of helm 4.1.4 (`fromYaml`) on alias-heavy documents: `l<L>_w<W>_e<E>`
/// is L levels of anchors, each a list of W aliases to the previous one (level 0: ten
/// scalars), plus E ordinary keys. Captured with a probe chart; see tests/gen_golden.py
/// for the method.
#[test]
fn alias_budget_matches_goyaml() {
    let verdicts = include_str!("fixtures/alias_verdicts.txt");
    let mut n = 0;
    for line in verdicts.lines() {
        let (name, verdict) = line.split_once(' ').unwrap();
        let nums: Vec<usize> = name.split('_').map(|p| p[1..].parse().unwrap()).collect();
        let (levels, width, extra) = (nums[0], nums[1], nums[2]);
        let mut s = format!("a0: &a0 [{}]\n", ["x"; 10].join(", "));
        for i in 1..levels {
            let refs = vec![format!("*a{}", i - 1); width].join(", ");
            s.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        for j in 0..extra {
            s.push_str(&format!("pad{j}: {j}\n"));
        }
        let got = match goyaml::parse(&s) {
            Ok(_) => "OK".to_string(),
            Err(e) => e.to_string(),
        };
        assert_eq!(got, verdict, "{name}");
        n += 1;
    }
    assert_eq!(n, 72);
}

#[test]
fn tab_after_colon_is_accepted_like_libyaml() {
    let n = goyaml::parse("a:\tb\nc:\t\td\ne: \"x\ty\"\n").unwrap();
    assert_eq!(n.get("a").unwrap().value, Value::Str("b".into()));
    assert_eq!(n.get("c").unwrap().value, Value::Str("d".into()));
    assert_eq!(n.get("e").unwrap().value, Value::Str("x\ty".into()));
    assert_eq!(n.get("c").unwrap().span.column, 5);
}

#[test]
fn collection_spans_start_at_their_content() {
    let src = "a:\n  b: 1\nl:\n- x\nf: {c: 1}\ng: [1]\n";
    let n = goyaml::parse(src).unwrap();
    let a = n.pointer("/a").unwrap().span;
    assert_eq!((a.line, a.column), (2, 3));
    let l = n.pointer("/l").unwrap().span;
    assert_eq!((l.line, l.column), (4, 1));
    let f = n.pointer("/f").unwrap().span;
    assert_eq!((f.line, f.column), (5, 4));
    let g = n.pointer("/g").unwrap().span;
    assert_eq!((g.line, g.column), (6, 4));
    let key = n.get_key("g").unwrap().span;
    assert_eq!((key.line, key.column), (6, 1));
}

#[test]
fn underindented_quoted_continuation_is_accepted_like_libyaml() {
    // controller-gen CRDs: continuation lines at the key's indentation.
    let src = "a:\n  d: 'x y\n  of it'\n  e: \"p\n  q\"\n  next: z\n";
    let n = goyaml::parse(src).unwrap();
    assert_eq!(
        n.pointer("/a/d").unwrap().value,
        Value::Str("x y of it".into())
    );
    assert_eq!(n.pointer("/a/e").unwrap().value, Value::Str("p q".into()));
    let z = n.pointer("/a/next").unwrap().span;
    assert_eq!(&src[z.offset..z.offset + 1], "z");
    assert_eq!((z.line, z.column), (6, 9));
    let e = goyaml::parse("a:\n  d: 'x\n  y'\n  f: [\n").unwrap_err();
    assert_eq!(e.span.unwrap().offset, 23, "{e:?}");
}

#[test]
fn trailing_text_after_flow_collection_is_a_syntax_error() {
    let e = goyaml::parse("a: 1\nimage: {{reg}}/app:1\n").unwrap_err();
    assert_eq!(e.to_string(), "yaml: line 1: did not find expected key");
    let e = goyaml::parse("a: {{ .Values.x }}\n").unwrap_err();
    assert!(e.to_string().starts_with("yaml: invalid map key"), "{e}");
    assert!(goyaml::parse("a: [1] # c\nb: {x: [2]}\n").is_ok());
}

/// Expected texts from sigs.k8s.io/yaml `YAMLToJSONStrict` (goyaml.v2 `UnmarshalStrict`),
/// run through tests/oracle with ORACLE_STRICT=1.
#[test]
fn strict_errors_match_goyaml() {
    let cases: &[(&str, &str)] = &[
        ("a: 1\nb: 2\na: 3\n", "line 3: key \"a\" already set in map"),
        (
            "m:\n  x: 1\n  x: {y: 2}\n",
            "line 3: key \"x\" already set in map",
        ),
        (
            "base: &b {k: 1}\nm:\n  <<: *b\n  k: 2\n",
            "line 4: key \"k\" already set in map",
        ),
        (
            "base: &b {k: 1}\nm:\n  k: 2\n  <<: *b\n",
            "line 1: key \"k\" already set in map",
        ),
        (
            "a: &a {x: 1}\nb: &b {x: 2}\nm:\n  <<: [*a, *b]\n",
            "line 1: key \"x\" already set in map",
        ),
        (
            "a: 1\na: 2\na: 3\nb: 1\nb: 1\n",
            "line 2: key \"a\" already set in map\n  line 3: key \"a\" already set in map\n  line 5: key \"b\" already set in map",
        ),
        ("yes: a\ntrue: b\n", "line 2: key true already set in map"),
        (
            "- a: 1\n  a: 2\n- b: [1]\n  b: x\n",
            "line 2: key \"a\" already set in map\n  line 4: key \"b\" already set in map",
        ),
    ];
    for (src, want) in cases {
        let e = goyaml::parse_with(src, &strict()).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("yaml: unmarshal errors:\n  {want}"),
            "{src}"
        );
    }
    assert!(goyaml::parse_with("1: a\n\"1\": b\n", &strict()).is_ok());
}

#[test]
fn many_underindented_quoted_scalars_are_fixed_in_one_pass() {
    let mut src = String::from("spec:\n");
    for i in 0..2000 {
        src.push_str(&format!(
            "  f{i}:\n    description: 'line one {i}\n    continues here'\n    type: string\n"
        ));
    }
    src.push_str("  lit:\n    text: |\n      key: 'not closed\n      x\n    after: \"a\n    b\"\n");
    let t = std::time::Instant::now();
    let n = goyaml::parse(&src).unwrap();
    assert!(t.elapsed().as_secs_f64() < 5.0, "took {:?}", t.elapsed());
    assert_eq!(
        n.pointer("/spec/f1999/description").unwrap().value,
        Value::Str("line one 1999 continues here".into())
    );
    assert_eq!(
        n.pointer("/spec/lit/text").unwrap().value,
        Value::Str("key: 'not closed\nx\n".into())
    );
    assert_eq!(
        n.pointer("/spec/lit/after").unwrap().value,
        Value::Str("a b".into())
    );
    let ty = n.pointer("/spec/f1999/type").unwrap().span;
    assert_eq!(&src[ty.offset..ty.offset + 6], "string");
}

#[test]
fn unindented_json_blob_in_block_value_is_read_like_libyaml() {
    let mut src = String::from("a:\n  config: {\n");
    for i in 0..3000 {
        src.push_str(&format!("\"k{i}\": [{i}, \"v\"],\n"));
    }
    src.push_str("\"end\": 1\n}\n  b: 1\n");
    let t = std::time::Instant::now();
    let n = goyaml::parse(&src).unwrap();
    assert!(t.elapsed().as_secs_f64() < 5.0, "took {:?}", t.elapsed());
    assert_eq!(
        n.pointer("/a/config/k2999/0").unwrap().value,
        Value::Int(2999)
    );
    let b = n.pointer("/a/b").unwrap().span;
    assert_eq!(&src[b.offset..b.offset + 1], "1");
    assert_eq!(b.column, 6);
}
