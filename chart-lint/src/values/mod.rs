//! Values: user-supplied values (`-f`, `--set*`), coalescing with chart defaults and globals
//! (helm's `pkg/chart/common/util/coalesce.go`, `pkg/cli/values/options.go`).
//!
//! Values are `gotemplate` maps (shared, mutable, like Go maps). Functions that helm runs on
//! copies deep-copy first.

pub mod strvals;

use gotemplate::{List, Map, Value};

use crate::chart::Chart;

/// Deep copy of a value tree (helm's `copystructure.Copy`): maps and lists are new.
pub fn deep_copy(v: &Value) -> Value {
    match v {
        Value::Map(m) => {
            let out = Map::with_elem(Default::default(), m.elem());
            for (k, v) in m.entries() {
                out.insert(k, deep_copy(&v));
            }
            Value::Map(out)
        }
        Value::List(l) => Value::List(List::with_elem(l.iter().map(deep_copy).collect(), l.elem())),
        other => other.clone(),
    }
}

/// Deep copy of a map.
pub fn deep_copy_map(m: &Map) -> Map {
    match deep_copy(&Value::Map(m.clone())) {
        Value::Map(m) => m,
        _ => Map::new(),
    }
}

fn as_table(v: &Value) -> Option<Map> {
    match v {
        Value::Map(m) => Some(m.clone()),
        _ => None,
    }
}

/// helm's `loader.MergeMaps`: `b` over `a`, maps merged recursively; returns a new top map.
pub fn merge_maps(a: &Map, b: &Map) -> Map {
    let out = a.shallow_clone();
    for (k, v) in b.entries() {
        if let Value::Map(vm) = &v
            && let Some(Value::Map(bv)) = out.get(&k)
        {
            out.insert(k, Value::Map(merge_maps(&bv, vm)));
            continue;
        }
        out.insert(k, v);
    }
    out
}

/// Where coalescing warnings go (helm prints them with `log.Printf`).
pub type Warn<'a> = &'a mut dyn FnMut(String);

fn concat_prefix(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

/// helm's `CoalesceValues(chart, vals)`: user values over the chart's defaults, recursively
/// into subcharts with globals copied down. `vals` is copied first.
pub fn coalesce_values(chart: &Chart, vals: &Map, warn: Warn<'_>) -> Result<Map, String> {
    let dest = deep_copy_map(vals);
    coalesce(chart, &dest, "", false, warn)?;
    Ok(dest)
}

/// helm's `MergeValues` (coalescing that keeps `null`s, used for import-values).
pub fn merge_values(chart: &Chart, vals: &Map, warn: Warn<'_>) -> Result<Map, String> {
    let dest = deep_copy_map(vals);
    coalesce(chart, &dest, "", true, warn)?;
    Ok(dest)
}

fn coalesce(
    ch: &Chart,
    dest: &Map,
    prefix: &str,
    merge: bool,
    warn: Warn<'_>,
) -> Result<(), String> {
    coalesce_chart_values(ch, dest, prefix, merge, warn);
    coalesce_deps(ch, dest, prefix, merge, warn)
}

fn coalesce_deps(
    ch: &Chart,
    dest: &Map,
    prefix: &str,
    merge: bool,
    warn: Warn<'_>,
) -> Result<(), String> {
    for sub in &ch.dependencies {
        let name = sub.name();
        let dv = match dest.get(name) {
            None => {
                let m = Map::new();
                dest.insert(name, Value::Map(m.clone()));
                m
            }
            Some(Value::Map(m)) => m,
            Some(other) => {
                return Err(format!(
                    "type mismatch on {name}: %!t({}={})",
                    other.go_type(),
                    crate::convert::go_v(&other)
                ));
            }
        };
        let sub_prefix = concat_prefix(prefix, ch.name());
        coalesce_globals(&dv, dest, &sub_prefix, warn);
        coalesce(sub, &dv, &sub_prefix, merge, warn)?;
    }
    Ok(())
}

const GLOBAL: &str = "global";

fn coalesce_globals(dest: &Map, src: &Map, prefix: &str, warn: Warn<'_>) {
    let dg = match dest.get(GLOBAL) {
        None => Map::new(),
        Some(Value::Map(m)) => m,
        Some(_) => {
            warn("warning: skipping globals because destination global is not a table.".into());
            return;
        }
    };
    let sg = match src.get(GLOBAL) {
        None => Map::new(),
        Some(Value::Map(m)) => m,
        Some(_) => {
            warn("warning: skipping globals because source global is not a table.".into());
            return;
        }
    };
    for (key, val) in sg.entries() {
        if let Value::Map(vm) = &val {
            let vv = vm.shallow_clone();
            match dg.get(&key) {
                None => {
                    dg.insert(key, Value::Map(vv));
                }
                Some(Value::Map(destv)) => {
                    let sub_prefix = concat_prefix(prefix, &key);
                    coalesce_tables(&vv, &destv, &sub_prefix, true, warn);
                    dg.insert(key, Value::Map(vv));
                }
                Some(_) => warn(format!(
                    "Conflict: cannot merge map onto non-map for {key:?}. Skipping."
                )),
            }
        } else if matches!(dg.get(&key), Some(Value::Map(_))) {
            warn(format!("key {key} is table. Skipping"));
        } else {
            dg.insert(key, val);
        }
    }
    dest.insert(GLOBAL, Value::Map(dg));
}

fn coalesce_chart_values(ch: &Chart, v: &Map, prefix: &str, merge: bool, warn: Warn<'_>) {
    let sub_prefix = concat_prefix(prefix, ch.name());
    let vc = deep_copy_map(&ch.values);
    for (key, val) in vc.entries() {
        match v.get(&key) {
            Some(value) => {
                if value.is_nil() && !merge {
                    v.remove(&key);
                } else if let Value::Map(dest) = &value {
                    match &val {
                        Value::Map(src) => {
                            let merge = merge || ch.dependencies.iter().any(|d| d.name() == key);
                            coalesce_tables(
                                dest,
                                src,
                                &concat_prefix(&sub_prefix, &key),
                                merge,
                                warn,
                            );
                        }
                        Value::Nil => {}
                        _ => warn(format!(
                            "warning: skipped value for {sub_prefix}.{key}: Not a table."
                        )),
                    }
                }
            }
            None => {
                v.insert(key, val);
            }
        }
    }
}

/// helm's `CoalesceTables(dst, src)`: `src` fills what `dst` lacks; `dst` wins.
pub fn coalesce_tables_into(dst: &Map, src: &Map) {
    coalesce_tables(dst, src, "", false, &mut |_| {});
}

/// helm's `MergeTables(dst, src)` (keeps `null`s).
pub fn merge_tables_into(dst: &Map, src: &Map) {
    coalesce_tables(dst, src, "", true, &mut |_| {});
}

fn coalesce_tables(dst: &Map, src: &Map, prefix: &str, merge: bool, warn: Warn<'_>) {
    let src_non_nil: std::collections::HashSet<String> = src
        .entries()
        .into_iter()
        .filter(|(_, v)| !v.is_nil())
        .map(|(k, _)| k)
        .collect();
    for (key, val) in dst.entries() {
        if val.is_nil() {
            src.insert(key, Value::Nil);
        }
    }
    for (key, val) in src.entries() {
        let full = concat_prefix(prefix, &key);
        let dv = dst.get(&key);
        match dv {
            Some(Value::Nil) if !merge && src_non_nil.contains(&key) => {
                dst.remove(&key);
            }
            None => {
                dst.insert(key, val);
            }
            Some(dv) => {
                if let Value::Map(sv) = &val {
                    if let Value::Map(dm) = &dv {
                        coalesce_tables(dm, sv, &full, merge, warn);
                    } else {
                        warn(format!(
                            "warning: cannot overwrite table with non table for {full} ({})",
                            crate::convert::go_v(&val)
                        ));
                    }
                } else if as_table(&dv).is_some() && !val.is_nil() {
                    warn(format!(
                        "warning: destination for {full} is a table. Ignoring non-table value ({})",
                        crate::convert::go_v(&val)
                    ));
                }
            }
        }
    }
}

/// helm's `Values.Table("a.b")`: the map at a dotted path.
pub fn table(m: &Map, path: &str) -> Option<Map> {
    let mut cur = m.clone();
    for part in path.split('.') {
        match cur.get(part) {
            Some(Value::Map(next)) => cur = next,
            _ => return None,
        }
    }
    Some(cur)
}

/// helm's `Values.PathValue("a.b")`: a non-table value at a dotted path (`None` when missing).
pub fn path_value(m: &Map, path: &str) -> Option<Value> {
    let parts: Vec<&str> = path.split('.').collect();
    let (last, init) = parts.split_last()?;
    let t = if init.is_empty() {
        m.clone()
    } else {
        table(m, &init.join("."))?
    };
    match t.get(last) {
        Some(Value::Map(_)) | None => None,
        Some(v) => Some(v),
    }
}

/// The user's values as given on the command line (helm's `values.Options`).
#[derive(Clone, Debug, Default)]
pub struct ValueOptions {
    /// `-f/--values` files, in order.
    pub value_files: Vec<std::path::PathBuf>,
    /// `--set-json`
    pub json_values: Vec<String>,
    /// `--set`
    pub values: Vec<String>,
    /// `--set-string`
    pub string_values: Vec<String>,
    /// `--set-file`
    pub file_values: Vec<String>,
    /// `--set-literal`
    pub literal_values: Vec<String>,
}

impl ValueOptions {
    /// Merges everything in helm's order: files, `--set-json`, `--set`, `--set-string`,
    /// `--set-file`, `--set-literal`.
    ///
    /// # Errors
    /// helm's messages (`failed parsing --set data: …`, `failed to parse FILE: …`).
    pub fn merge(&self) -> Result<Map, String> {
        let mut base = Map::new();
        for path in &self.value_files {
            let raw = read_value_file(&path.to_string_lossy())?;
            let cur = crate::yaml::load_values(&raw)
                .map_err(|e| format!("failed to parse {}: {e}", path.display()))?;
            base = merge_maps(&base, &cur);
        }
        for value in &self.json_values {
            let t = value.trim();
            if t.starts_with('{') {
                let j: serde_json::Value = serde_json::from_str(t)
                    .map_err(|_| format!("failed parsing --set-json data JSON: {value}"))?;
                let Value::Map(jm) = crate::convert::json_to_value(&j) else {
                    return Err(format!("failed parsing --set-json data JSON: {value}"));
                };
                base = merge_maps(&base, &jm);
            } else {
                strvals::parse_json_into(value, &base)
                    .map_err(|_| format!("failed parsing --set-json data {value}"))?;
            }
        }
        for value in &self.values {
            strvals::parse_into(value, &base)
                .map_err(|e| format!("failed parsing --set data: {e}"))?;
        }
        for value in &self.string_values {
            strvals::parse_into_string(value, &base)
                .map_err(|e| format!("failed parsing --set-string data: {e}"))?;
        }
        for value in &self.file_values {
            strvals::parse_into_file(value, &base, &|p| {
                read_value_file(p).map(|b| Value::str(String::from_utf8_lossy(&b)))
            })
            .map_err(|e| format!("failed parsing --set-file data: {e}"))?;
        }
        for value in &self.literal_values {
            strvals::parse_literal_into(value, &base)
                .map_err(|e| format!("failed parsing --set-literal data: {e}"))?;
        }
        Ok(base)
    }
}

fn read_value_file(path: &str) -> Result<Vec<u8>, String> {
    if path.trim() == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).map_err(|e| e.to_string())?;
        return Ok(buf);
    }
    std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("open {path}: no such file or directory"),
        _ => format!("open {path}: {e}"),
    })
}

#[cfg(test)]
mod tests;
