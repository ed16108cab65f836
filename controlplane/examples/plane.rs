//! Starts a control plane and prints how to reach it; stops it on Enter or Ctrl-C.
//! With `--once` it stops at once and prints the start-up and stop times (the benchmark in
//! `scripts/bench-control-plane.sh` uses this).
//!
//! `cargo run -p controlplane --example plane -- [--once] [NODES] [GPUS_PER_NODE]`

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut once = false;
    let mut rest = Vec::new();
    for a in std::env::args().skip(1) {
        if a == "--once" {
            once = true;
        } else {
            rest.push(a);
        }
    }
    let nodes: usize = rest.first().map(|a| a.parse()).transpose()?.unwrap_or(1);
    let mut b = controlplane::ControlPlane::builder().nodes(nodes);
    if let Some(g) = rest.get(1) {
        b = b.node_resource("nvidia.com/gpu", g.as_str());
    }
    let plane = b.start()?;
    if once {
        println!(
            "control plane ready in {:.2}s",
            plane.startup_time().as_secs_f64()
        );
        let t = Instant::now();
        plane.stop()?;
        println!("control plane stopped in {:.2}s", t.elapsed().as_secs_f64());
        return Ok(());
    }
    println!("export KUBECONFIG={}", plane.kubeconfig_path().display());
    println!("pids: {:?}", plane.pids());
    println!("press Enter to stop");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    plane.stop()?;
    Ok(())
}
