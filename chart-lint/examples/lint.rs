//! `cargo run -p chart-lint --example lint -- [--json] CHART [VALUES…]`: lint a chart and print
//! findings (rustc-style, or one JSON object per line with `--json`).
fn main() {
    let mut json = false;
    let mut rest = Vec::new();
    for a in std::env::args().skip(1) {
        if a == "--json" {
            json = true;
        } else {
            rest.push(a);
        }
    }
    let mut args = rest.into_iter();
    let Some(chart) = args.next() else {
        eprintln!("usage: lint [--json] CHART [VALUES…]");
        std::process::exit(2);
    };
    let opts = chart_lint::lint::LintOptions {
        values_files: args.map(Into::into).collect(),
        ..Default::default()
    };
    let report = chart_lint::lint::lint_chart(std::path::Path::new(&chart), &opts);
    for f in &report.findings {
        if json {
            println!("{}", chart_lint::lint::output::json(f));
        } else {
            println!("{}", chart_lint::lint::output::human(f));
        }
    }
    if !json {
        println!(
            "{}",
            chart_lint::lint::output::summary(&report.findings, 1, report.documents)
        );
    }
    std::process::exit(i32::from(report.has_errors()));
}
