//! Fails `cargo build` when the example chart is broken: renders `charts/demo` with its default
//! values and with each profile's values file, validates the manifests against the Kubernetes
//! schemas and runs the lint rules (`chart_lint::build`).
fn main() {
    chart_lint::build::Lint::new()
        .chart("../charts/demo")
        .values("../values/e2e.yaml")
        .values("../values/sim.yaml")
        .run_or_exit();
}
