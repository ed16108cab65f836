//! Throughput check: `cargo run --release -p goyaml --example bench [N_DOCS]`.
//! Builds a Helm-like multi-document stream, then splits (kubectl style), parses and
//! converts every document to JSON, and re-emits one with the goyaml.v2 emitter.
use std::time::Instant;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(3000);
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!(
            "---\n# Source: chart/templates/deploy-{i}.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  labels:\n    app.kubernetes.io/name: app\n    app.kubernetes.io/instance: \"rel-{i}\"\n  annotations:\n    checksum/config: 0123456789abcdef0123456789abcdef\nspec:\n  replicas: {r}\n  selector:\n    matchLabels: {{app: app-{i}}}\n  template:\n    metadata:\n      labels:\n        app: app-{i}\n    spec:\n      containers:\n        - name: main\n          image: \"registry.example.com/app:1.{i}\"\n          imagePullPolicy: IfNotPresent\n          args: [\"--port=8080\", \"--verbose\", yes]\n          env:\n            - name: A\n              value: \"1\"\n            - name: B\n              value: |\n                multi\n                line\n          ports:\n            - containerPort: 8080\n              protocol: TCP\n          resources:\n            limits: {{cpu: 500m, memory: 128Mi}}\n            requests: {{cpu: 0.1, memory: 64Mi}}\n",
            r = i % 5
        ));
    }
    let mb = s.len() as f64 / 1e6;
    let t = Instant::now();
    let mut docs = 0;
    let mut last = None;
    for d in goyaml::KubeDocs::new(&s) {
        let d = d.expect("separator");
        let node = goyaml::parse(d.text).expect("parse");
        let json = goyaml::to_json(&node).expect("json");
        docs += 1;
        last = Some((node, json));
    }
    let dt = t.elapsed().as_secs_f64();
    println!(
        "{docs} docs, {mb:.2} MB: split+parse+json {:.3} s = {:.1} MB/s, {:.0} docs/s",
        dt,
        mb / dt,
        docs as f64 / dt
    );
    let t = Instant::now();
    let ev = raw_events(&s);
    println!(
        "saphyr events only: {ev} events in {:.3} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let pieces = goyaml::split_helm_manifest(&s);
    println!(
        "helm split: {} pieces in {:.3} s",
        pieces.len(),
        t.elapsed().as_secs_f64()
    );
    if let Some((node, _)) = last {
        let y = node.to_yaml();
        let t = Instant::now();
        let mut total = 0;
        for _ in 0..1000 {
            total += goyaml::to_yaml_v2(&y).len();
        }
        println!(
            "emit: 1000 documents ({} bytes) in {:.3} s",
            total,
            t.elapsed().as_secs_f64()
        );
    }
}

fn raw_events(s: &str) -> usize {
    let mut n = 0;
    for ev in saphyr_parser::Parser::new_from_str(s) {
        if ev.is_err() {
            break;
        }
        n += 1;
    }
    n
}
