//! Helm's template functions (`pkg/engine/funcs.go`, `engine.go`): Sprig minus `env`/
//! `expandenv`, plus `include`, `tpl`, `required`, `fail`, `lookup`, `getHostByName` and the
//! YAML/JSON/TOML conversions.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use gotemplate::{ElemTy, FuncError, FuncMap, List, Map, Signature, Ty, Value};

/// helm's per-name `include` recursion limit.
pub const RECURSION_MAX: usize = 1000;

/// helm's `toYaml`: YAML text without the trailing newline; `""` when the value cannot be
/// marshalled.
pub fn to_yaml(v: &Value) -> String {
    match crate::yaml::marshal(v) {
        Ok(s) => s.strip_suffix('\n').map(str::to_string).unwrap_or(s),
        Err(_) => String::new(),
    }
}

fn from_yaml(s: &str) -> Value {
    match crate::yaml::unmarshal_map(s) {
        Ok(m) => Value::Map(m),
        Err(e) => {
            let m = Map::new();
            m.insert("Error", Value::str(e));
            Value::Map(m)
        }
    }
}

fn from_yaml_array(s: &str) -> Value {
    match crate::yaml::unmarshal_str(s) {
        Ok(Value::List(l)) => Value::List(l),
        Ok(Value::Nil) => Value::list(Vec::new()),
        Ok(other) => Value::list(vec![Value::str(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type []interface {{}}",
            match other {
                Value::Map(_) => "object",
                Value::String(_) => "string",
                Value::Bool(_) => "bool",
                _ => "number",
            }
        ))]),
        Err(e) => Value::list(vec![Value::str(e)]),
    }
}

fn json_unmarshal(s: &str) -> Result<Value, String> {
    sprig::json::unmarshal(s).map_err(|e| e.to_string())
}

fn from_json(s: &str) -> Value {
    match json_unmarshal(s) {
        Ok(Value::Map(m)) => Value::Map(m),
        Ok(Value::Nil) => Value::Map(Map::new()),
        Ok(_) => {
            let m = Map::new();
            m.insert("Error", Value::str("json: cannot unmarshal non-object into Go value of type map[string]interface {}"));
            Value::Map(m)
        }
        Err(e) => {
            let m = Map::new();
            m.insert("Error", Value::str(e));
            Value::Map(m)
        }
    }
}

fn from_json_array(s: &str) -> Value {
    match json_unmarshal(s) {
        Ok(Value::List(l)) => Value::List(l),
        Ok(Value::Nil) => Value::list(Vec::new()),
        Ok(_) => Value::list(vec![Value::str(
            "json: cannot unmarshal non-array into Go value of type []interface {}",
        )]),
        Err(e) => Value::list(vec![Value::str(e)]),
    }
}

fn arg_str(args: &[Value], i: usize) -> String {
    args.get(i)
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Shared per-render state of `include` (recursion counts per template name).
#[derive(Default, Clone)]
pub struct IncludeState {
    counts: Rc<RefCell<HashMap<String, usize>>>,
    failed_tpl: Rc<RefCell<Vec<String>>>,
}

impl IncludeState {
    /// The text of the innermost `tpl` call that failed, if any (shown in error reports,
    /// where Go names it `gotpl`).
    pub fn failed_tpl_text(&self) -> Option<String> {
        self.failed_tpl.borrow().first().cloned()
    }
}

/// Strings that go through `<no value>` removal (`tpl` results).
fn strip_no_value(s: &str) -> String {
    s.replace("<no value>", "")
}

/// The full function table of a render: Sprig, then Helm's functions on top.
pub fn funcs(state: &IncludeState) -> FuncMap {
    let mut f = sprig::funcs();
    f.remove("env");
    f.remove("expandenv");
    add_helm_funcs(&mut f, state);
    f
}

fn add_helm_funcs(f: &mut FuncMap, state: &IncludeState) {
    f.pure("toYaml", Signature::fixed(&[Ty::Any]), |a| {
        Ok(Value::str(to_yaml(&a[0])))
    });
    f.pure("mustToYaml", Signature::fixed(&[Ty::Any]), |a| {
        let s = crate::yaml::marshal(&a[0]).map_err(FuncError::Call)?;
        Ok(Value::str(s.strip_suffix('\n').unwrap_or(&s)))
    });
    f.pure("toYamlPretty", Signature::fixed(&[Ty::Any]), |a| {
        Ok(Value::str(to_yaml_pretty(&a[0])))
    });
    f.pure("fromYaml", Signature::fixed(&[Ty::String]), |a| {
        Ok(from_yaml(&arg_str(a, 0)))
    });
    f.pure("fromYamlArray", Signature::fixed(&[Ty::String]), |a| {
        Ok(from_yaml_array(&arg_str(a, 0)))
    });
    f.pure("toJson", Signature::fixed(&[Ty::Any]), |a| {
        if let Some(s) = crate::render::objects::go_struct_json(&a[0]) {
            return Ok(Value::str(s));
        }
        Ok(Value::str(crate::yaml::to_json(&a[0]).unwrap_or_default()))
    });
    f.pure("mustToJson", Signature::fixed(&[Ty::Any]), |a| {
        if let Some(s) = crate::render::objects::go_struct_json(&a[0]) {
            return Ok(Value::str(s));
        }
        crate::yaml::to_json(&a[0])
            .map(Value::str)
            .map_err(FuncError::Call)
    });
    f.pure("fromJson", Signature::fixed(&[Ty::String]), |a| {
        Ok(from_json(&arg_str(a, 0)))
    });
    f.pure("fromJsonArray", Signature::fixed(&[Ty::String]), |a| {
        Ok(from_json_array(&arg_str(a, 0)))
    });
    f.pure("toToml", Signature::fixed(&[Ty::Any]), |a| {
        Ok(Value::str(to_toml(&a[0])))
    });
    f.pure("fromToml", Signature::fixed(&[Ty::String]), |a| {
        Ok(from_toml(&arg_str(a, 0)))
    });
    f.pure("required", Signature::fixed(&[Ty::String, Ty::Any]), |a| {
        let warn = arg_str(a, 0);
        match &a[1] {
            Value::Nil => Err(FuncError::Abort(warn)),
            Value::String(s) if s.is_empty() => Err(FuncError::Abort(warn)),
            v => Ok(v.clone()),
        }
    });
    f.pure("fail", Signature::fixed(&[Ty::String]), |a| {
        Err(FuncError::Abort(arg_str(a, 0)))
    });
    f.pure(
        "lookup",
        Signature::fixed(&[Ty::String, Ty::String, Ty::String, Ty::String]),
        |_| Ok(Value::Map(Map::new())),
    );
    f.pure("getHostByName", Signature::fixed(&[Ty::String]), |_| {
        Ok(Value::str(""))
    });
    let st = state.clone();
    f.ctx("include", Signature::fixed(&[Ty::String, Ty::Any]), move |ctx, a| {
        let name = arg_str(a, 0);
        {
            let mut counts = st.counts.borrow_mut();
            let c = counts.entry(name.clone()).or_insert(0);
            if *c > RECURSION_MAX {
                return Err(FuncError::Call(format!(
                    "rendering template has a nested reference name: {name}: unable to execute template"
                )));
            }
            *c += 1;
        }
        let r = ctx.execute_template(&name, a[1].clone());
        if let Some(c) = st.counts.borrow_mut().get_mut(&name) {
            *c = c.saturating_sub(1);
        }
        r.map(Value::str)
    });
    let st = state.clone();
    f.ctx(
        "tpl",
        Signature::fixed(&[Ty::String, Ty::Any]),
        move |ctx, a| {
            let text = arg_str(a, 0);
            // Text without an action delimiter parses to one text node and executes to
            // itself: skip the parser (bitnami's `common.tplvalues.render` sends most values,
            // rendered with `toYaml`, through `tpl`).
            if !text.contains("{{") {
                return Ok(Value::str(strip_no_value(&text)));
            }
            let r = ctx.execute_text("gotpl", &text, a[1].clone());
            if r.is_err() {
                st.failed_tpl.borrow_mut().push(text.clone());
            }
            match r {
                Ok(s) => Ok(Value::str(strip_no_value(&s))),
                Err(FuncError::Call(m)) => {
                    let q = gotemplate::gofmt::quote(&text);
                    // Go's parse errors read `template: NAME:LINE: MSG` (no column, no `executing`).
                    let is_exec =
                        m.contains(": executing \"") || m.starts_with("template: no template ");
                    if is_exec {
                        Err(FuncError::Call(format!(
                            "error during tpl function execution for {q}: {m}"
                        )))
                    } else {
                        Err(FuncError::Call(format!("cannot parse template {q}: {m}")))
                    }
                }
                Err(other) => Err(other),
            }
        },
    );
}

/// The Go value as goyaml sees it (no JSON round trip), for goyaml.v3's encoder.
fn to_yaml_tree(v: &Value) -> goyaml::Yaml {
    use goyaml::Yaml;
    match v {
        Value::Nil => Yaml::Null,
        Value::Bool(b) => Yaml::Bool(*b),
        Value::Int(i, t) if t.is_unsigned() => Yaml::Uint(*i as u64),
        Value::Int(i, _) => Yaml::Int(*i),
        Value::Float(f) => Yaml::Float(*f),
        Value::String(s) => Yaml::Str(s.to_string()),
        Value::Bytes(b) => Yaml::Str(String::from_utf8_lossy(b).into_owned()),
        Value::List(l) => Yaml::Seq(l.iter().map(to_yaml_tree).collect()),
        Value::Map(m) => Yaml::Map(
            m.entries()
                .iter()
                .map(|(k, v)| (Yaml::Str(k.clone()), to_yaml_tree(v)))
                .collect(),
        ),
        Value::Object(o) => o
            .to_value()
            .map(|v| to_yaml_tree(&v))
            .unwrap_or(Yaml::Map(Vec::new())),
    }
}

/// `toYamlPretty`: goyaml.v3's encoder with indent 2 (sequences indented, no folding).
fn to_yaml_pretty(v: &Value) -> String {
    let s = goyaml::to_yaml_v3(&to_yaml_tree(v));
    s.strip_suffix('\n').map(str::to_string).unwrap_or(s)
}

fn toml_to_value(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::str(s),
        toml::Value::Integer(i) => Value::int64(*i),
        toml::Value::Float(f) => Value::Float(*f),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::str(d.to_string()),
        toml::Value::Array(a) => Value::list(a.iter().map(toml_to_value).collect()),
        toml::Value::Table(t) => {
            let m = Map::new();
            for (k, v) in t {
                m.insert(k.clone(), toml_to_value(v));
            }
            Value::Map(m)
        }
    }
}

/// helm's `fromToml` (BurntSushi/toml into `map[string]interface{}`: integers as `int64`).
/// Parse errors go into an `Error` key; their wording is the `toml` crate's, not Go's.
fn from_toml(s: &str) -> Value {
    match s.parse::<toml::Table>() {
        Ok(t) => toml_to_value(&toml::Value::Table(t)),
        Err(e) => {
            let m = Map::new();
            m.insert("Error", Value::str(e.to_string().trim_end()));
            Value::Map(m)
        }
    }
}

/// BurntSushi/toml `Encode` of a map (helm's `toToml`): scalars first, then tables.
fn to_toml(v: &Value) -> String {
    let Value::Map(m) = v else {
        return "toml: top-level values must be Go maps or structs".into();
    };
    let mut out = String::new();
    toml_table(&mut out, m, &[], 0);
    out
}

fn toml_key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        toml_string(k)
    }
}

fn toml_string(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\t' => o.push_str("\\t"),
            '\r' => o.push_str("\\r"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04X}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn toml_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    // strconv.FormatFloat(f, 'g', -1, 64), plus ".0" when neither a point nor an exponent
    let s = gotemplate::value::format_float_g(f, 6);
    if s.contains(['.', 'e']) {
        s
    } else {
        format!("{s}.0")
    }
}

fn is_table(v: &Value) -> bool {
    matches!(v, Value::Map(_))
}

fn is_table_array(v: &Value) -> bool {
    matches!(v, Value::List(l) if !l.is_empty() && l.iter().all(is_table))
}

/// A value written inline (`key = VALUE`), tables as `{k = v}`.
fn toml_inline(v: &Value) -> Option<String> {
    Some(match v {
        Value::Nil => return None,
        Value::Bool(b) => b.to_string(),
        Value::Int(i, _) => i.to_string(),
        Value::Float(f) => toml_float(*f),
        Value::String(s) => toml_string(s),
        Value::List(l) => {
            let items: Vec<String> = l.iter().filter_map(toml_inline).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Map(m) => {
            let items: Vec<String> = m
                .entries()
                .iter()
                .filter_map(|(k, v)| toml_inline(v).map(|s| format!("{} = {s}", toml_key(k))))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        other => toml_string(&crate::convert::go_v(other)),
    })
}

/// BurntSushi/toml's map encoding: plain keys first, then sub-tables and arrays of tables,
/// each sorted; nested tables indented two spaces per level.
fn toml_table(out: &mut String, m: &Map, path: &[String], depth: usize) {
    let ind = "  ".repeat(depth);
    let entries = m.entries();
    for (k, v) in &entries {
        if is_table(v) || is_table_array(v) {
            continue;
        }
        if let Some(s) = toml_inline(v) {
            out.push_str(&format!("{ind}{} = {s}\n", toml_key(k)));
        }
    }
    for (k, v) in &entries {
        let mut p = path.to_vec();
        p.push(toml_key(k));
        match v {
            Value::Map(sub) => {
                // a blank line between top-level tables (not before the first output)
                if depth == 0 && !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&format!("{ind}[{}]\n", p.join(".")));
                toml_table(out, sub, &p, depth + 1);
            }
            Value::List(l) if is_table_array(v) => {
                for item in l.iter() {
                    if let Value::Map(sub) = item {
                        if !out.is_empty() {
                            out.push('\n');
                        }
                        out.push_str(&format!("{ind}[[{}]]\n", p.join(".")));
                        toml_table(out, sub, &p, depth + 1);
                    }
                }
            }
            _ => {}
        }
    }
}

/// A `[]string` value (for callers building Go string slices).
pub fn string_list(items: &[String]) -> Value {
    Value::List(List::with_elem(
        items.iter().map(Value::str).collect(),
        ElemTy::String,
    ))
}
