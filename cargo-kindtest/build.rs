//! Link options of the `cargo-kindtest` binary.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=KINDTEST_PIE");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    // A position-dependent executable on Linux/glibc: `cargo kindtest template` is a short
    // process run many times (pre-commit, build.rs loops, benchmarks), and as a PIE the
    // dynamic loader applied 33 000 relocations at every start, writing 140 pages of
    // `.data.rel.ro` (about a third of `--version`'s page faults). The linker resolves them
    // instead. The price is no address randomisation of the executable itself (libraries and
    // heap are still randomised); `KINDTEST_PIE=1` at build time keeps the default.
    if os == "linux" && env == "gnu" && std::env::var_os("KINDTEST_PIE").is_none() {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
