//! Lex/parse/render timings for a Helm-like workload (no external harness: prints µs per op).
//! Run: `cargo bench -p gotemplate --bench render`.

use std::collections::BTreeMap;
use std::time::Instant;

use gotemplate::{FuncMap, Signature, TemplateSet, Ty, Value};

const HELPERS: &str = r#"
{{- define "app.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "app.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}
{{- define "app.labels" -}}
app.kubernetes.io/name: {{ include "app.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- range $k, $v := .Values.labels }}
{{ $k }}: {{ $v | quote }}
{{- end }}
{{- end }}
"#;

const DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "app.fullname" . }}
  labels:
    {{- include "app.labels" . | nindent 4 }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  template:
    spec:
      containers:
        {{- range $i, $c := .Values.containers }}
        - name: {{ $c.name }}
          image: "{{ $c.image.repository }}:{{ $c.image.tag | default $.Chart.AppVersion }}"
          {{- with $c.env }}
          env:
            {{- range $k, $v := . }}
            - name: {{ $k | upper }}
              value: {{ $v | quote }}
            {{- end }}
          {{- end }}
          ports:
            {{- range $c.ports }}
            - containerPort: {{ .port }}
              name: {{ printf "%s-%d" .name (int .port) }}
            {{- end }}
        {{- end }}
"#;

fn funcs() -> FuncMap {
    let mut f = FuncMap::new();
    f.pure("default", Signature::variadic(&[Ty::Any], Ty::Any), |a| {
        Ok(if a.len() > 1 && a[1].is_true() {
            a[1].clone()
        } else {
            a[0].clone()
        })
    });
    f.pure("trunc", Signature::fixed(&[Ty::Int, Ty::String]), |a| {
        let n = if let Value::Int(n, _) = a[0] {
            n as usize
        } else {
            0
        };
        Ok(Value::str(
            a[1].as_str()
                .unwrap_or("")
                .chars()
                .take(n)
                .collect::<String>(),
        ))
    });
    f.pure(
        "trimSuffix",
        Signature::fixed(&[Ty::String, Ty::String]),
        |a| {
            let (s, x) = (a[1].as_str().unwrap_or(""), a[0].as_str().unwrap_or(""));
            Ok(Value::str(s.strip_suffix(x).unwrap_or(s)))
        },
    );
    f.pure(
        "contains",
        Signature::fixed(&[Ty::String, Ty::String]),
        |a| {
            Ok(Value::Bool(
                a[1].as_str()
                    .unwrap_or("")
                    .contains(a[0].as_str().unwrap_or("")),
            ))
        },
    );
    f.pure("quote", Signature::variadic(&[], Ty::Any), |a| {
        Ok(Value::str(
            a.iter()
                .map(|v| gotemplate::gofmt::quote(&gotemplate::gofmt::format_v(v)))
                .collect::<Vec<_>>()
                .join(" "),
        ))
    });
    f.pure("upper", Signature::fixed(&[Ty::String]), |a| {
        Ok(Value::str(a[0].as_str().unwrap_or("").to_uppercase()))
    });
    f.pure("int", Signature::fixed(&[Ty::Any]), |a| {
        Ok(Value::int(match a[0] {
            Value::Float(f) => f as i64,
            Value::Int(i, _) => i,
            _ => 0,
        }))
    });
    f.pure("nindent", Signature::fixed(&[Ty::Int, Ty::String]), |a| {
        let n = if let Value::Int(n, _) = a[0] {
            n as usize
        } else {
            0
        };
        let pad = " ".repeat(n);
        let s = a[1].as_str().unwrap_or("");
        Ok(Value::from(format!(
            "\n{pad}{}",
            s.replace('\n', &format!("\n{pad}"))
        )))
    });
    f.ctx(
        "include",
        Signature::fixed(&[Ty::String, Ty::Any]),
        |ctx, a| {
            ctx.execute_template(a[0].as_str().unwrap_or(""), a[1].clone())
                .map(Value::from)
        },
    );
    f
}

fn m(pairs: Vec<(&str, Value)>) -> Value {
    Value::map(
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<BTreeMap<_, _>>(),
    )
}

fn data() -> Value {
    let containers = (0..5)
        .map(|i| {
            m(vec![
                ("name", Value::str(format!("c{i}"))),
                (
                    "image",
                    m(vec![
                        ("repository", Value::str("nginx")),
                        ("tag", Value::Nil),
                    ]),
                ),
                (
                    "env",
                    m((0..10)
                        .map(|k| {
                            (
                                ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"][k],
                                Value::str("v"),
                            )
                        })
                        .collect()),
                ),
                (
                    "ports",
                    Value::list(
                        (0..3)
                            .map(|p| {
                                m(vec![
                                    ("name", Value::str("http")),
                                    ("port", Value::Float(8080.0 + p as f64)),
                                ])
                            })
                            .collect(),
                    ),
                ),
            ])
        })
        .collect();
    m(vec![
        (
            "Values",
            m(vec![
                ("replicaCount", Value::Float(3.0)),
                ("autoscaling", m(vec![("enabled", Value::Bool(false))])),
                (
                    "labels",
                    m(vec![("team", Value::str("x")), ("tier", Value::str("web"))]),
                ),
                ("containers", Value::list(containers)),
            ]),
        ),
        ("Release", m(vec![("Name", Value::str("rel"))])),
        (
            "Chart",
            m(vec![
                ("Name", Value::str("app")),
                ("AppVersion", Value::str("1.0")),
            ]),
        ),
    ])
}

fn time<R>(label: &str, iters: u32, mut f: impl FnMut() -> R) {
    let iters = std::env::var("BENCH_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(iters);
    let t = Instant::now();
    for _ in 0..iters {
        std::hint::black_box(f());
    }
    let per = t.elapsed().as_secs_f64() * 1e6 / f64::from(iters);
    println!("{label:<28} {per:>10.2} µs/op");
}

fn main() {
    let fm = funcs();
    let d = data();
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    if only != "render" {
        time("lex+parse (2 files)", 2000, || {
            let mut s = TemplateSet::new(fm.clone());
            s.parse("_helpers.tpl", HELPERS).unwrap();
            s.parse("deployment.yaml", DEPLOYMENT).unwrap();
            s
        });
    }
    if only == "parse" {
        return;
    }
    let mut set = TemplateSet::new(fm.clone());
    set.parse("_helpers.tpl", HELPERS).unwrap();
    set.parse("deployment.yaml", DEPLOYMENT).unwrap();
    let out = set.execute("deployment.yaml", &d).unwrap();
    println!("output: {} bytes", out.len());
    time("render deployment", 2000, || {
        set.execute("deployment.yaml", &d).unwrap()
    });
}
