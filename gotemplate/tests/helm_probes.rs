//! Differential cases measured with real helm v4.1.4: each case's text, values and expected
//! output or Go error text come from `helm template` on a probe chart (see `common/cases.rs`).

mod common;

use common::{Case, data_for, funcs};
use gotemplate::TemplateSet;

/// Cases that use a Sprig function shadowing a Go builtin (Helm's `slice`).
const SPRIG_ONLY: &[&str] = &["slice_builtin"];

fn run(c: &Case) -> Result<String, String> {
    let mut set = TemplateSet::new(funcs());
    set.parse("c/templates/_p.tpl", c.text)
        .map_err(|e| e.to_string())?;
    set.execute("p", &data_for(c.values))
        .map_err(|e| e.to_string())
}

#[test]
fn helm_probe_cases() {
    let mut failures = Vec::new();
    for c in common::cases::CASES {
        if SPRIG_ONLY.contains(&c.name) {
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
