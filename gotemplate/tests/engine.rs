//! Engine API behaviour: options, objects with methods, context functions, error structure.

mod common;

use std::collections::BTreeMap;
use std::rc::Rc;

use common::funcs;
use gotemplate::{
    Error, ExecErrorKind, FuncError, FuncMap, MissingKey, Object, Signature, TemplateSet, Ty, Value,
};

fn vals(pairs: &[(&str, Value)]) -> Value {
    Value::map(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect::<BTreeMap<_, _>>(),
    )
}

fn render(text: &str, data: &Value) -> Result<String, String> {
    let mut set = TemplateSet::new(funcs()).with_name("gotpl");
    set.parse("t", text).map_err(|e| e.to_string())?;
    set.execute("t", data).map_err(|e| e.to_string())
}

#[test]
fn missingkey_modes() {
    let data = vals(&[("a", vals(&[("b", Value::int(1))]))]);
    let mut set = TemplateSet::new(FuncMap::new());
    set.parse("t", "{{ .a.x }}").unwrap();
    assert_eq!(set.execute("t", &data).unwrap(), "<no value>");
    set.set_missing_key(MissingKey::Error);
    assert_eq!(
        set.execute("t", &data).unwrap_err().to_string(),
        "template: t:1:5: executing \"t\" at <.a.x>: map has no entry for key \"x\""
    );
    set.set_missing_key(MissingKey::Invalid);
    assert_eq!(set.execute("t", &data).unwrap(), "<no value>");
    // A missing value's field: an error only under missingkey=zero (a nil interface).
    set.parse("u", "{{ .a.x.y }}").unwrap();
    assert_eq!(set.execute("u", &data).unwrap(), "<no value>");
    set.set_missing_key(MissingKey::Zero);
    assert_eq!(
        set.execute("u", &data).unwrap_err().to_string(),
        "template: u:1:5: executing \"u\" at <.a.x.y>: nil pointer evaluating interface {}.y"
    );
}

#[derive(Debug)]
struct Versions(Vec<&'static str>);

impl Object for Versions {
    fn type_name(&self) -> String {
        "common.VersionSet".into()
    }
    fn kind_name(&self) -> &'static str {
        "slice"
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn has_method(&self, name: &str) -> bool {
        name == "Has"
    }
    fn method_signature(&self, name: &str) -> Option<Signature> {
        (name == "Has").then(|| Signature::fixed(&[Ty::String]))
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        (name == "Has").then(|| {
            Ok(Value::Bool(
                self.0.contains(&args[0].as_str().unwrap_or("")),
            ))
        })
    }
}

#[derive(Debug)]
struct Caps;

impl Object for Caps {
    fn type_name(&self) -> String {
        "*common.Capabilities".into()
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "APIVersions" => Some(Value::Object(Rc::new(Versions(vec!["v1", "apps/v1"])))),
            "Name" => Some(Value::str("caps")),
            _ => None,
        }
    }
    fn has_method(&self, name: &str) -> bool {
        name == "Fail"
    }
    fn call_method(&self, _name: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        Some(Err("nope".into()))
    }
}

#[test]
fn object_fields_and_methods() {
    let data = vals(&[("Capabilities", Value::Object(Rc::new(Caps)))]);
    assert_eq!(
        render(
            "{{ .Capabilities.APIVersions.Has \"v1\" }} {{ .Capabilities.APIVersions.Has \"x\" }} {{ .Capabilities.Name }} {{ \"apps/v1\" | .Capabilities.APIVersions.Has }}",
            &data
        )
        .unwrap(),
        "true false caps true"
    );
    assert_eq!(
        render("{{ .Capabilities.APIVersions.Has }}", &data).unwrap_err(),
        "template: t:1:16: executing \"t\" at <.Capabilities.APIVersions.Has>: wrong number of args for Has: want 1 got 0"
    );
    assert_eq!(
        render("{{ .Capabilities.Nope }}", &data).unwrap_err(),
        "template: t:1:16: executing \"t\" at <.Capabilities.Nope>: can't evaluate field Nope in type interface {}"
    );
    assert_eq!(
        render("{{ .Capabilities.Name 1 }}", &data).unwrap_err(),
        "template: t:1:16: executing \"t\" at <.Capabilities.Name>: Name has arguments but cannot be invoked as function"
    );
    assert_eq!(
        render("{{ .Capabilities.Fail }}", &data).unwrap_err(),
        "template: t:1:16: executing \"t\" at <.Capabilities.Fail>: error calling Fail: nope"
    );
    // Fields on parenthesised results.
    assert_eq!(render("{{ (.Capabilities).Name }}", &data).unwrap(), "caps");
}

#[test]
fn include_chain_is_structured() {
    let mut set = TemplateSet::new(funcs()).with_name("gotpl");
    set.parse("h.tpl", "{{ define \"inner\" }}{{ .x.y }}{{ end }}{{ define \"outer\" }}{{ include \"inner\" . }}{{ end }}")
        .unwrap();
    set.parse("t.yaml", "a\n  {{ include \"outer\" . }}")
        .unwrap();
    let e = set
        .execute("t.yaml", &vals(&[("x", Value::str("s"))]))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "template: t.yaml:2:5: executing \"t.yaml\" at <include \"outer\" .>: error calling include: \
         template: h.tpl:1:62: executing \"outer\" at <include \"inner\" .>: error calling include: \
         template: h.tpl:1:25: executing \"inner\" at <.x.y>: can't evaluate field y in type interface {}"
    );
    assert!(matches!(&e.kind, ExecErrorKind::Call { func, .. } if func == "include"));
    let frames: Vec<&str> = e.frames().iter().map(|f| f.template.as_str()).collect();
    assert_eq!(frames, ["t.yaml", "outer", "inner"]);
    let chain = e.chain();
    assert_eq!(chain.len(), 2);
    match chain[1] {
        Error::Exec(inner) => {
            assert_eq!(inner.template, "inner");
            assert_eq!(inner.message, "can't evaluate field y in type interface {}");
            let loc = inner.location.as_ref().unwrap();
            assert_eq!(
                (
                    loc.parse_name.as_str(),
                    loc.line,
                    loc.col,
                    loc.node.as_str()
                ),
                ("h.tpl", 1, 25, ".x.y")
            );
            assert_eq!(
                &"{{ define \"inner\" }}{{ .x.y }}"[loc.span.start as usize..loc.span.end as usize],
                ".x.y"
            );
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn abort_surfaces() {
    let mut set = TemplateSet::new(funcs());
    set.parse(
        "h",
        "{{ define \"r\" }}{{ required \"need x\" .x }}{{ end }}",
    )
    .unwrap();
    set.parse("t", "{{ include \"r\" . }}").unwrap();
    let e = set.execute("t", &vals(&[])).unwrap_err();
    let (inner, msg) = e.abort().unwrap();
    assert_eq!(msg, "need x");
    assert_eq!(inner.template, "r");
    assert!(e.to_string().ends_with("error calling required: need x"));
}

#[test]
fn tpl_defines_do_not_leak_and_clone_is_independent() {
    let mut set = TemplateSet::new(funcs());
    set.parse(
        "t",
        "{{ tpl \"{{ define \\\"d\\\" }}D{{ end }}{{ template \\\"d\\\" }}\" . }}",
    )
    .unwrap();
    assert_eq!(set.execute("t", &Value::Nil).unwrap(), "D");
    assert!(!set.contains("d"));
    let mut clone = set.clone();
    clone.parse("extra", "x").unwrap();
    assert!(clone.contains("extra") && !set.contains("extra"));
}

/// A nested `tpl` of an empty text renders nothing (measured with helm 4.1.4: a values
/// string `k: {{ .Values.z }}{{ tpl .Values.x . }}` with `x: ""` renders `k: 1`); it must
/// not run the enclosing `tpl` text again (which recursed without end).
#[test]
fn nested_tpl_of_empty_text_renders_nothing() {
    let mut set = TemplateSet::new(funcs());
    set.parse("t", "[{{ tpl .outer . }}]").unwrap();
    let data = vals(&[
        (
            "outer",
            Value::str("k: {{ .z }}{{ tpl .empty . }}|{{ tpl \"{{/* c */}}\" . }}"),
        ),
        ("empty", Value::str("")),
        ("z", Value::int64(1)),
    ]);
    assert_eq!(set.execute("t", &data).unwrap(), "[k: 1|]");
}

#[test]
fn redefinition_rules() {
    let mut set = TemplateSet::new(FuncMap::new());
    set.parse("a", "{{ define \"x\" }}A{{ end }}").unwrap();
    set.parse("b", "{{ define \"x\" }} {{/* empty */}} {{ end }}")
        .unwrap();
    set.parse("t", "{{ template \"x\" }}").unwrap();
    assert_eq!(set.execute("t", &Value::Nil).unwrap(), "A");
    set.parse("c", "{{ define \"x\" }}C{{ end }}").unwrap();
    assert_eq!(set.execute("t", &Value::Nil).unwrap(), "C");
}

#[test]
fn limits() {
    let mut set = TemplateSet::new(FuncMap::new());
    set.parse(
        "t",
        "{{ define \"r\" }}x{{ template \"r\" }}{{ end }}{{ template \"r\" }}",
    )
    .unwrap();
    set.options_mut().max_depth = 50;
    let e = set.execute("t", &Value::Nil).unwrap_err();
    assert_eq!(e.kind, ExecErrorKind::Limit);
    assert!(
        e.to_string()
            .ends_with("exceeded maximum template depth (50)"),
        "{e}"
    );
    set.options_mut().max_depth = 100_000;
    set.options_mut().max_output = 1000;
    let e = set.execute("t", &Value::Nil).unwrap_err();
    assert_eq!(e.kind, ExecErrorKind::Limit);
    // Deep parse nesting is an error, not a crash.
    let deep = format!(
        "{}1{}",
        "{{ (".to_string() + &"(".repeat(5000),
        ")".repeat(5001) + " }}"
    );
    let err = set.parse("deep", &deep).unwrap_err();
    assert_eq!(err.message, "max expression depth exceeded");
}

#[test]
fn deep_recursion_through_include_does_not_overflow() {
    let r = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let mut set = TemplateSet::new(funcs());
            set.parse(
                "t",
                "{{ define \"r\" }}{{ include \"r\" . }}{{ end }}{{ include \"r\" . }}",
            )
            .unwrap();
            set.options_mut().max_depth = 1_000;
            set.execute("t", &Value::Nil)
                .map_err(|e| e.innermost().map(|i| i.to_string()))
        })
        .unwrap()
        .join()
        .unwrap();
    let inner = r.unwrap_err().unwrap();
    assert!(
        inner.ends_with("exceeded maximum template depth (1000)"),
        "{inner}"
    );
}

#[test]
fn piped_value_is_last_argument_and_untyped_constants_take_param_types() {
    let mut f = funcs();
    f.pure(
        "cat3",
        Signature::fixed(&[Ty::String, Ty::Int, Ty::Any]),
        |a| {
            Ok(Value::str(format!(
                "{}|{}|{}",
                a[0].go_type(),
                a[1].go_type(),
                a[2].go_type()
            )))
        },
    );
    f.pure("vari", Signature::variadic(&[Ty::Int], Ty::Int64), |a| {
        Ok(Value::str(
            a.iter().map(|v| v.go_type()).collect::<Vec<_>>().join(","),
        ))
    });
    let mut set = TemplateSet::new(f);
    set.parse(
        "t",
        "{{ 2.5 | cat3 \"a\" 1 }} {{ vari 1 2 3 }} {{ vari 1 }}",
    )
    .unwrap();
    assert_eq!(
        set.execute("t", &Value::Nil).unwrap(),
        "string|int|float64 int,int64,int64 int"
    );
    // A piped constant is already an `int`: not assignable to `int64` (Go: same error).
    set.parse("p", "{{ 4 | vari 1 }}").unwrap();
    assert_eq!(
        set.execute("p", &Value::Nil).unwrap_err().to_string(),
        "template: p:1:12: executing \"p\" at <1>: wrong type for value; expected int64; got int"
    );
    set.parse("u", "{{ vari }}").unwrap();
    assert_eq!(
        set.execute("u", &Value::Nil).unwrap_err().to_string(),
        "template: u:1:3: executing \"u\" at <vari>: wrong number of args for vari: want at least 1 got 0"
    );
}

#[test]
fn func_errors() {
    let mut f = FuncMap::new();
    f.pure("boom", Signature::fixed(&[]), |_| {
        Err(FuncError::Call("bad thing".into()))
    });
    let mut set = TemplateSet::new(f);
    set.parse("t", "x{{ boom }}").unwrap();
    let e = set.execute("t", &Value::Nil).unwrap_err();
    assert_eq!(
        e.to_string(),
        "template: t:1:4: executing \"t\" at <boom>: error calling boom: bad thing"
    );
    assert_eq!(
        set.check("z", "{{ nosuch }}").unwrap_err().to_string(),
        "template: z:1: function \"nosuch\" not defined"
    );
}

#[test]
fn shared_maps_are_mutable_through_functions() {
    let mut f = FuncMap::new();
    f.pure(
        "set",
        Signature::fixed(&[Ty::Map, Ty::String, Ty::Any]),
        |a| {
            if let Value::Map(m) = &a[0] {
                m.insert(a[1].as_str().unwrap_or(""), a[2].clone());
            }
            Ok(a[0].clone())
        },
    );
    let mut set = TemplateSet::new(f);
    set.parse("t", "{{ $_ := set .m \"k\" 1 }}{{ .m.k }}")
        .unwrap();
    assert_eq!(set.execute("t", &vals(&[("m", vals(&[]))])).unwrap(), "1");
}

#[derive(Debug)]
struct Files;

impl Object for Files {
    fn type_name(&self) -> String {
        "files.Files".into()
    }
    fn kind_name(&self) -> &'static str {
        "map"
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn to_value(&self) -> Option<Value> {
        Some(vals(&[
            ("a.txt", Value::str("A")),
            ("b.txt", Value::str("B")),
        ]))
    }
    fn has_method(&self, name: &str) -> bool {
        name == "Get"
    }
    fn call_method(&self, _name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        Some(Ok(Value::str(format!(
            "content of {}",
            args[0].as_str().unwrap_or("")
        ))))
    }
}

#[test]
fn map_kinded_objects_range_and_index() {
    let data = vals(&[("Files", Value::Object(Rc::new(Files)))]);
    assert_eq!(
        render("{{ range $k, $v := .Files }}{{ $k }}={{ $v }};{{ end }}{{ len .Files }} {{ index .Files \"b.txt\" }} {{ .Files.Get \"x\" }}", &data).unwrap(),
        "a.txt=A;b.txt=B;2 B content of x"
    );
    // Keys of a map-kinded object read like map keys.
    assert_eq!(render("{{ (.Files).nope }}", &data).unwrap(), "<no value>");
}
