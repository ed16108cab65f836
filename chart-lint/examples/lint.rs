//! `cargo run -p chart-lint --example lint -- [--json|--sarif] CHART [VALUES…]`: lint a chart and
//! print findings (rustc-style, one JSON object per line with `--json`, or a SARIF 2.1.0 log with
//! paths relative to the current directory with `--sarif`).
fn main() {
    let mut json = false;
    let mut sarif = false;
    let mut rest = Vec::new();
    for a in std::env::args().skip(1) {
        if a == "--json" {
            json = true;
        } else if a == "--sarif" {
            sarif = true;
        } else {
            rest.push(a);
        }
    }
    let mut args = rest.into_iter();
    let Some(chart) = args.next() else {
        eprintln!("usage: lint [--json|--sarif] CHART [VALUES…]");
        std::process::exit(2);
    };
    let opts = chart_lint::lint::LintOptions {
        values_files: args.map(Into::into).collect(),
        ..Default::default()
    };
    let report = chart_lint::lint::lint_chart(std::path::Path::new(&chart), &opts);
    if sarif {
        // Finding paths start with the chart's name; make them relative to the current directory.
        let parent = std::path::Path::new(&chart)
            .parent()
            .map(|p| p.to_path_buf())
            .unwrap_or_default();
        let log = chart_lint::lint::output::sarif(&report.findings, &|f| {
            parent.join(&f.file).display().to_string()
        });
        println!("{}", serde_json::to_string_pretty(&log).unwrap_or_default());
        std::process::exit(i32::from(report.has_errors()));
    }
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
