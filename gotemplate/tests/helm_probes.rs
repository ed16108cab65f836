//! Differential cases measured with real helm v4.1.4: each case's text, values and expected
//! output or Go error text come from `helm template` on a probe chart (see `common/cases.rs`).

mod common;

use common::{Case, data_for, funcs};
use gotemplate::TemplateSet;

/// Cases that use a Sprig function shadowing a Go builtin (Helm's `slice`) or a function the
/// probe chart did not have.
const SKIP: &[&str] = &["slice_builtin", "fn_tofloat", "fn_tofloat_int"];

/// Helm's `cleanupParseError`: `parse error at (LOCATION): LAST-PART`.
fn helm_parse_error(e: &gotemplate::ParseError) -> String {
    let s = e.to_string();
    let tokens: Vec<&str> = s.split(": ").collect();
    format!(
        "parse error at ({}): {}",
        tokens[1],
        tokens[tokens.len() - 1]
    )
}

fn run(c: &Case) -> Result<String, String> {
    let mut set = TemplateSet::new(funcs()).with_name("gotpl");
    set.parse("c/templates/_p.tpl", c.text)
        .map_err(|e| helm_parse_error(&e))?;
    if !c.defs.is_empty() {
        set.parse("c/templates/_d.tpl", c.defs)
            .map_err(|e| helm_parse_error(&e))?;
    }
    set.execute("p", &data_for(c.values))
        .map_err(|e| match e.abort() {
            Some((_, msg)) => format!("ABORT: {msg}"),
            None => e.to_string(),
        })
}

#[test]
fn helm_probe_cases() {
    let mut failures = Vec::new();
    for c in common::cases::CASES {
        if SKIP.contains(&c.name) {
            continue;
        }
        let got = run(c);
        let want = c.expected.map(str::to_string).map_err(str::to_string);
        if got != want {
            failures.push(format!("{}:\n   got {:?}\n  want {:?}", c.name, got, want));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        common::cases::CASES.len(),
        failures.join("\n")
    );
}
