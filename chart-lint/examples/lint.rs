//! `cargo run -p chart-lint --example lint -- CHART [VALUES…]`: lint a chart and print findings.
fn main() {
    let mut args = std::env::args().skip(1);
    let Some(chart) = args.next() else {
        eprintln!("usage: lint CHART [VALUES…]");
        std::process::exit(2);
    };
    let opts = chart_lint::lint::LintOptions {
        values_files: args.map(Into::into).collect(),
        ..Default::default()
    };
    let report = chart_lint::lint::lint_chart(std::path::Path::new(&chart), &opts);
    for f in &report.findings {
        println!("{}", chart_lint::lint::output::human(f));
    }
    println!(
        "{}",
        chart_lint::lint::output::summary(&report.findings, 1, report.documents)
    );
    std::process::exit(i32::from(report.has_errors()));
}
