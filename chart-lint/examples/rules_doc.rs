//! `cargo run -p chart-lint --example rules_doc > docs/lint-rules.md`: the lint rules page.
fn main() {
    print!("{}", chart_lint::lint::rules_markdown());
}
