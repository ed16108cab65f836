//! Differential check against a Go oracle over a corpus of YAML files.
//!
//! The oracle (a few lines of Go over sigs.k8s.io/yaml v1.6.0 and go.yaml.in/yaml/v3; not
//! part of this crate) prints, per input path, tab-separated: `path`, `OK`/`ERR`, base64 of
//! `YAMLToJSON` (or of the error), base64 of `yaml.Marshal` of the decoded value (Helm's
//! `toYaml`), base64 of the goyaml.v3 `SetIndent(2)` encoding (`toYamlPretty`).
//! Usage: `find … -name '*.yaml' | oracle > out.tsv; cargo run -p goyaml --example corpus out.tsv`
use std::collections::BTreeMap;

fn b64(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u32, 0);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        buf = (buf << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    out
}

/// `n.value` as Go's float64 after `json.Unmarshal` (`-0` keeps its sign there).
fn f64_of(n: &goyaml::Node, src: &str) -> f64 {
    let f = n.value.as_f64().unwrap_or(f64::NAN);
    if f == 0.0 && src.get(n.span.offset..).is_some_and(|t| t.starts_with('-')) {
        -0.0
    } else {
        f
    }
}

fn go_float_json(n: &goyaml::Node, src: &str, out: &mut String) {
    use goyaml::Value as V;
    match &n.value {
        V::Null => out.push_str("null"),
        V::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        V::Int(_) | V::Uint(_) | V::Float(_) => {
            out.push_str(&goyaml::format_float_json(f64_of(n, src)));
        }
        V::Str(s) => goyaml::write_json_string(s, out),
        V::Seq(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_float_json(x, src, out);
            }
            out.push(']');
        }
        V::Map(entries) => {
            let mut es: Vec<(String, &goyaml::Node)> = entries
                .iter()
                .map(|(k, v)| (goyaml::json_key(&k.value).unwrap_or_default(), v))
                .collect();
            es.sort_by(|a, b| a.0.cmp(&b.0));
            out.push('{');
            for (i, (k, v)) in es.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                goyaml::write_json_string(k, out);
                out.push(':');
                go_float_json(v, src, out);
            }
            out.push('}');
        }
    }
}

fn go_value(v: &serde_json::Value) -> goyaml::Yaml {
    use goyaml::Yaml;
    use serde_json::Value as J;
    match v {
        J::Null => Yaml::Null,
        J::Bool(b) => Yaml::Bool(*b),
        J::Number(n) => Yaml::Float(n.as_f64().unwrap_or(f64::NAN)),
        J::String(s) => Yaml::Str(s.clone()),
        J::Array(a) => Yaml::Seq(a.iter().map(go_value).collect()),
        J::Object(m) => Yaml::Map(
            m.iter()
                .map(|(k, v)| (Yaml::Str(k.clone()), go_value(v)))
                .collect(),
        ),
    }
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: corpus ORACLE.tsv");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let mut stats: BTreeMap<&str, usize> = BTreeMap::new();
    let mut shown: BTreeMap<&str, usize> = BTreeMap::new();
    let show = |kind: &'static str, msg: String, shown: &mut BTreeMap<&str, usize>| {
        let n = shown.entry(kind).or_default();
        *n += 1;
        if *n
            <= std::env::var("CORPUS_SHOW")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(8)
        {
            println!("[{kind}] {msg}");
        }
    };
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 5 {
            continue;
        }
        let Ok(data) = std::fs::read(f[0]) else {
            continue;
        };
        *stats.entry("files").or_default() += 1;
        let go_out = String::from_utf8_lossy(&b64(f[2])).into_owned();
        let ours = goyaml::check_utf8(&data)
            .and_then(goyaml::parse)
            .and_then(|n| goyaml::to_json_text(&n));
        match (f[1], &ours) {
            ("OK", Ok(j)) if *j == go_out => *stats.entry("read ok").or_default() += 1,
            ("ERR", Err(e)) if e.to_string() == go_out => {
                *stats.entry("read err same").or_default() += 1
            }
            ("ERR", Err(e)) => {
                *stats.entry("read err differs").or_default() += 1;
                show(
                    "err text",
                    format!("{}\n   go:   {go_out}\n   ours: {e}", f[0]),
                    &mut shown,
                );
            }
            ("OK", Err(e)) => {
                *stats.entry("read: we reject, go accepts").or_default() += 1;
                show("we reject", format!("{}: {e}", f[0]), &mut shown);
            }
            ("ERR", Ok(_)) => {
                *stats.entry("read: we accept, go rejects").or_default() += 1;
                show(
                    "we accept",
                    format!("{}: go says {go_out}", f[0]),
                    &mut shown,
                );
            }
            _ => {
                *stats.entry("read: json differs").or_default() += 1;
                let o = ours.as_ref().map(String::as_str).unwrap_or("");
                let at = go_out
                    .bytes()
                    .zip(o.bytes())
                    .position(|(a, b)| a != b)
                    .unwrap_or(0);
                let lo = at.saturating_sub(60);
                show(
                    "json",
                    format!(
                        "{}\n   go:   …{}\n   ours: …{}",
                        f[0],
                        go_out.get(lo..(at + 60).min(go_out.len())).unwrap_or(""),
                        o.get(lo..(at + 60).min(o.len())).unwrap_or("")
                    ),
                    &mut shown,
                );
            }
        }
        if f[1] != "OK" {
            continue;
        }
        let Ok(json) = goyaml::parse(&go_out) else {
            continue;
        };
        if f[3] != "-" {
            let want = String::from_utf8_lossy(&b64(f[3])).into_owned();
            let mut jt = String::new();
            go_float_json(&json, &go_out, &mut jt);
            match goyaml::json_to_yaml(&jt) {
                Ok(got) if got == want => *stats.entry("toYaml same").or_default() += 1,
                other => {
                    *stats.entry("toYaml differs").or_default() += 1;
                    let got = other.unwrap_or_else(|e| format!("ERROR {e}"));
                    if let Ok(dir) = std::env::var("CORPUS_DUMP") {
                        let _ = std::fs::write(format!("{dir}/want.yaml"), &want);
                        let _ = std::fs::write(format!("{dir}/got.yaml"), &got);
                        let _ = std::fs::write(format!("{dir}/input.json"), &jt);
                    }
                    let at = want
                        .bytes()
                        .zip(got.bytes())
                        .position(|(a, b)| a != b)
                        .unwrap_or(want.len().min(got.len()));
                    let lo = at.saturating_sub(100);
                    show(
                        "toYaml",
                        format!(
                            "{}\n--- go:\n{}\n--- ours:\n{}",
                            f[0],
                            want.get(lo..(at + 100).min(want.len())).unwrap_or(""),
                            got.get(lo..(at + 100).min(got.len())).unwrap_or("")
                        ),
                        &mut shown,
                    );
                }
            }
        }
        if f[4] != "-" {
            let want = String::from_utf8_lossy(&b64(f[4])).into_owned();
            let got = goyaml::to_yaml_v3(&go_value(
                &serde_json::from_str(&go_out).unwrap_or_default(),
            ));
            if got == want {
                *stats.entry("toYamlPretty same").or_default() += 1;
            } else {
                *stats.entry("toYamlPretty differs").or_default() += 1;
                let at = want
                    .bytes()
                    .zip(got.bytes())
                    .position(|(a, b)| a != b)
                    .unwrap_or(want.len().min(got.len()));
                let lo = at.saturating_sub(100);
                show(
                    "pretty",
                    format!(
                        "{}\n--- go:\n{}\n--- ours:\n{}",
                        f[0],
                        want.get(lo..(at + 100).min(want.len())).unwrap_or(""),
                        got.get(lo..(at + 100).min(got.len())).unwrap_or("")
                    ),
                    &mut shown,
                );
            }
        }
    }
    for (k, v) in stats {
        println!("{k}: {v}");
    }
}
