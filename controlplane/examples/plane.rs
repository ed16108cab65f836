//! Starts a control plane, prints how to reach it, and stops it on Enter (or Ctrl-C).
//!
//! `cargo run -p controlplane --example plane -- [NODES] [GPUS_PER_NODE]`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let nodes: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(1);
    let gpus = args.next();
    let mut b = controlplane::ControlPlane::builder().nodes(nodes);
    if let Some(g) = gpus {
        b = b.node_resource("nvidia.com/gpu", g);
    }
    let plane = b.start()?;
    println!("export KUBECONFIG={}", plane.kubeconfig_path().display());
    println!("pids: {:?}", plane.pids());
    println!("press Enter to stop");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    plane.stop()?;
    Ok(())
}
