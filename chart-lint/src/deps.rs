//! Dependency processing (helm's `pkg/chart/v2/util/dependencies.go` and
//! `action.CheckDependencies`).
//!
//! * Subcharts are matched to `dependencies:` entries by name *and* version constraint; a
//!   subchart whose version does not satisfy the constraint is dropped silently (helm does).
//! * `alias` copies the subchart under a new name.
//! * `tags` (any true → on, only false → off), then `condition` (the first path that resolves
//!   to a bool wins) enable or remove subcharts, recursively.
//! * `import-values` (`child`/`parent` maps or `exports.<name>` strings) merge child values into
//!   the parent's defaults; the parent's own values win.

use gotemplate::{Map, Value};

use crate::chart::Chart;
use crate::values::{self, Warn};

/// helm's `CheckDependencies`: every `dependencies:` entry of the root chart must be present in
/// `charts/` (enabled or not).
///
/// # Errors
/// `found in Chart.yaml, but missing in charts/ directory: a, b`.
pub fn check_dependencies(chart: &Chart) -> Result<(), String> {
    let missing: Vec<&str> = chart
        .metadata
        .dependencies
        .iter()
        .filter(|r| !chart.dependencies.iter().any(|d| d.name() == r.name))
        .map(|r| r.name.as_str())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "found in Chart.yaml, but missing in charts/ directory: {}",
            missing.join(", ")
        ))
    }
}

/// helm's `ProcessDependencies(chart, userValues)`: enabled-ness, aliases, import-values.
/// Mutates the chart (as helm does).
///
/// # Errors
/// Coalescing errors (a subchart's values given as a non-table).
pub fn process_dependencies(chart: &mut Chart, vals: &Map, warn: Warn<'_>) -> Result<(), String> {
    process_enabled(chart, vals, "", warn)?;
    process_import_values(chart, warn)
}

fn compatible(constraint: &str, version: &str) -> bool {
    crate::semver::is_compatible_range(constraint, version)
}

fn process_enabled(c: &mut Chart, v: &Map, path: &str, warn: Warn<'_>) -> Result<(), String> {
    if c.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let existing = std::mem::take(&mut c.dependencies);
    let mut chart_deps: Vec<Chart> = existing
        .iter()
        .filter(|e| {
            !c.metadata
                .dependencies
                .iter()
                .any(|r| e.name() == r.name && compatible(&r.version, &e.metadata.version))
        })
        .cloned()
        .collect();
    for req in &mut c.metadata.dependencies {
        if let Some(found) = existing
            .iter()
            .find(|e| e.name() == req.name && compatible(&req.version, &e.metadata.version))
        {
            let mut out = found.clone();
            if !req.alias.is_empty() {
                out.metadata.name = req.alias.clone();
            }
            chart_deps.push(out);
        }
        if !req.alias.is_empty() {
            req.name = req.alias.clone();
        }
    }
    c.dependencies = chart_deps;
    for r in &mut c.metadata.dependencies {
        r.enabled = true;
    }
    let cvals = values::coalesce_values(c, v, warn)?;
    // tags
    if let Some(vt) = values::table(&cvals, "tags") {
        for r in &mut c.metadata.dependencies {
            let (mut has_true, mut has_false) = (false, false);
            for k in &r.tags {
                match vt.get(k) {
                    Some(Value::Bool(true)) => has_true = true,
                    Some(Value::Bool(false)) => has_false = true,
                    Some(_) => warn(format!("returned non-bool value tag={k} chart={}", r.name)),
                    None => {}
                }
            }
            r.enabled = has_true || !has_false;
        }
    }
    // conditions
    for r in &mut c.metadata.dependencies {
        for cond in r.condition.trim().split(',') {
            if cond.is_empty() {
                continue;
            }
            if let Some(vv) = values::path_value(&cvals, &format!("{path}{cond}")) {
                if let Value::Bool(b) = vv {
                    r.enabled = b;
                    break;
                }
                warn(format!(
                    "returned non-bool value path={cond} chart={}",
                    r.name
                ));
            }
        }
    }
    let removed: Vec<String> = c
        .metadata
        .dependencies
        .iter()
        .filter(|r| !r.enabled)
        .map(|r| r.name.clone())
        .collect();
    c.dependencies
        .retain(|d| !removed.iter().any(|n| n == d.name()));
    c.metadata
        .dependencies
        .retain(|r| !removed.contains(&r.name));
    for t in &mut c.dependencies {
        let sub = format!("{path}{}.", t.name());
        process_enabled(t, &cvals, &sub, warn)?;
    }
    Ok(())
}

fn path_to_map(path: &str, data: Map) -> Map {
    if path == "." {
        return data;
    }
    let mut cur = data;
    for part in path.split('.').rev() {
        let m = Map::new();
        m.insert(part, Value::Map(cur));
        cur = m;
    }
    cur
}

fn process_import_values(c: &mut Chart, warn: Warn<'_>) -> Result<(), String> {
    for d in &mut c.dependencies {
        process_import_values(d, warn)?;
    }
    if c.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let cvals = values::merge_values(c, &Map::new(), warn)?;
    let b = Map::new();
    for r in &mut c.metadata.dependencies {
        let mut out = Vec::new();
        for iv in &r.import_values {
            let (child, parent) = match iv {
                Value::Map(m) => (
                    crate::convert::go_v(&m.get("child").unwrap_or(Value::Nil)),
                    crate::convert::go_v(&m.get("parent").unwrap_or(Value::Nil)),
                ),
                Value::String(s) => (format!("exports.{s}"), ".".to_string()),
                _ => continue,
            };
            let pair = Map::with_elem(Default::default(), gotemplate::ElemTy::String);
            pair.insert("child", Value::str(&child));
            pair.insert("parent", Value::str(&parent));
            out.push(Value::Map(pair));
            let Some(vv) = values::table(&cvals, &format!("{}.{child}", r.name)) else {
                warn(format!(
                    "ImportValues missing table from chart {}: {child}",
                    r.name
                ));
                continue;
            };
            let src = if matches!(iv, Value::String(_)) {
                vv
            } else {
                path_to_map(&parent, vv)
            };
            values::merge_tables_into(&b, &src);
        }
        r.import_values = out;
    }
    let merged = values::deep_copy_map(&cvals);
    values::merge_tables_into(&merged, &b);
    c.values = merged;
    Ok(())
}

#[cfg(test)]
mod tests;
