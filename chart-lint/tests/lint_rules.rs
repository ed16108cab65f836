//! Each lint rule with a chart that trips it and one that does not.

use std::path::{Path, PathBuf};

use chart_lint::lint::{Finding, LintOptions, lint_chart};

const CHART_YAML: &str = "apiVersion: v2\nname: c\nversion: 1.0.0\n";

/// A good Deployment + Service that passes every rule.
const GOOD_DEPLOY: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
  labels:
    app: web
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
      containers:
      - name: web
        image: "{{ .Values.image }}"
        ports:
        - name: http
          containerPort: 8080
        readinessProbe:
          httpGet: {path: /healthz, port: http}
        securityContext:
          allowPrivilegeEscalation: false
        resources:
          requests: {cpu: 10m, memory: 32Mi}
          limits: {memory: 64Mi}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-web
spec:
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: http
"#;
const GOOD_VALUES: &str = "replicas: 1\nimage: nginx:1.27.2\n";

struct Case {
    name: &'static str,
    files: Vec<(&'static str, String)>,
}

fn write_chart(case: &Case) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!(
            "kindtest-lint-{}-{}",
            std::process::id(),
            case.name
        ))
        .join("c");
    let _ = std::fs::remove_dir_all(&dir);
    for (p, text) in &case.files {
        let path = dir.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn lint(case: &Case) -> Vec<Finding> {
    let dir = write_chart(case);
    let r = lint_chart(&dir, &LintOptions::default());
    let _ = std::fs::remove_dir_all(dir.parent().unwrap());
    r.findings
}

fn chart(name: &'static str, files: &[(&'static str, &str)]) -> Case {
    let mut all: Vec<(&'static str, String)> = vec![
        ("Chart.yaml", CHART_YAML.into()),
        ("values.yaml", GOOD_VALUES.into()),
        ("templates/app.yaml", GOOD_DEPLOY.into()),
    ];
    for (p, t) in files {
        all.retain(|(q, _)| q != p);
        all.push((p, t.to_string()));
    }
    Case { name, files: all }
}

fn codes(f: &[Finding]) -> Vec<&'static str> {
    f.iter().map(|f| f.code).collect()
}

fn assert_has(f: &[Finding], code: &str) -> Finding {
    f.iter()
        .find(|x| x.code == code)
        .cloned()
        .unwrap_or_else(|| panic!("expected {code}, got {:#?}", f))
}

#[test]
fn the_good_chart_is_clean() {
    let f = lint(&chart("good", &[]));
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn chart_unreadable() {
    let dir = std::env::temp_dir().join(format!("kindtest-lint-{}-empty", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let r = lint_chart(&dir, &LintOptions::default());
    assert_eq!(codes(&r.findings), ["KT0001"]);
    assert!(
        r.findings[0].message.contains("Chart.yaml"),
        "{:?}",
        r.findings[0]
    );
}

#[test]
fn chart_metadata_and_api_version() {
    let f = lint(&chart(
        "meta",
        &[("Chart.yaml", "apiVersion: v2\nname: c\nversion: one\n")],
    ));
    let m = assert_has(&f, "KT0002");
    assert_eq!(m.line, Some(3));
    assert!(m.message.contains("version"), "{m:?}");
    let f = lint(&chart(
        "apiv1",
        &[("Chart.yaml", "apiVersion: v1\nname: c\nversion: 1.0.0\n")],
    ));
    assert_eq!(assert_has(&f, "KT0003").line, Some(1));
}

#[test]
fn dependencies_missing_and_mismatched() {
    let f = lint(&chart(
        "deps",
        &[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: c\nversion: 1.0.0\ndependencies:\n- name: sub\n  version: ~1.2.0\n- name: gone\n  version: 1.0.0\n",
            ),
            (
                "charts/sub/Chart.yaml",
                "apiVersion: v2\nname: sub\nversion: 2.0.0\n",
            ),
        ],
    ));
    let v = assert_has(&f, "KT0005");
    assert_eq!(v.line, Some(5));
    assert!(v.message.contains("ignores the entry"), "{v:?}");
    assert_eq!(assert_has(&f, "KT0004").line, Some(7));
    let ok = lint(&chart(
        "deps-ok",
        &[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: c\nversion: 1.0.0\ndependencies:\n- name: sub\n  version: ~1.2.0\n",
            ),
            (
                "charts/sub/Chart.yaml",
                "apiVersion: v2\nname: sub\nversion: 1.2.7\n",
            ),
        ],
    ));
    assert!(
        !codes(&ok).iter().any(|c| *c == "KT0004" || *c == "KT0005"),
        "{ok:#?}"
    );
}

#[test]
fn values_schema_violated_and_invalid() {
    let schema = r#"{"type":"object","properties":{"replicas":{"type":"integer"}}}"#;
    let f = lint(&chart(
        "schema-bad",
        &[
            ("values.schema.json", schema),
            ("values.yaml", "replicas: \"1\"\nimage: nginx:1.2\n"),
        ],
    ));
    assert!(
        assert_has(&f, "KT0006").message.contains("/replicas"),
        "{f:#?}"
    );
    let f = lint(&chart(
        "schema-json",
        &[("values.schema.json", "{\"type\": ")],
    ));
    assert_has(&f, "KT0006");
    let ok = lint(&chart("schema-ok", &[("values.schema.json", schema)]));
    assert!(!codes(&ok).contains(&"KT0006"), "{ok:#?}");
}

#[test]
fn template_parse_error_has_position() {
    let f = lint(&chart(
        "parse",
        &[("templates/bad.yaml", "a: 1\nb: {{ if }}{{ end }}\n")],
    ));
    let p = assert_has(&f, "KT0007");
    assert_eq!(p.file, "c/templates/bad.yaml");
    assert_eq!(p.line, Some(2));
}

#[test]
fn template_render_error_names_file_and_line() {
    let f = lint(&chart(
        "render",
        &[(
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: {{ required \"a is required\" .Values.a }}\n",
        )],
    ));
    let r = assert_has(&f, "KT0008");
    assert!(r.message.contains("a is required"), "{r:?}");
    assert_eq!((r.file.as_str(), r.line), ("c/templates/cm.yaml", Some(6)));
}

#[test]
fn undefined_template() {
    let f = lint(&chart(
        "undef-tpl",
        &[
            (
                "templates/_helpers.tpl",
                "{{- define \"c.labels\" -}}app: web{{- end }}\n",
            ),
            (
                "templates/cm.yaml",
                "{{- if .Values.never }}\nx: {{ include \"c.lables\" . }}\n{{- end }}\n",
            ),
        ],
    ));
    let u = assert_has(&f, "KT0009");
    assert_eq!(u.line, Some(2));
    assert!(
        u.help.as_deref().unwrap_or("").contains("c.labels"),
        "{u:?}"
    );
}

#[test]
fn undefined_value() {
    let f = lint(&chart(
        "undef-val",
        &[("templates/cm.yaml", "{{- $tag := .Values.imgae }}\n")],
    ));
    let u = assert_has(&f, "KT0010");
    assert!(u.message.contains(".Values.imgae"), "{u:?}");
    assert_eq!(u.line, Some(1), "{u:?}");
    assert!(u.column.is_some(), "{u:?}");
    // Optional values read on purpose: conditions, default/hasKey/dig, children of a tested
    // path, keys documented as comments in values.yaml, and .Values.global.
    let ok = lint(&chart(
        "undef-val-ok",
        &[
            (
                "templates/cm.yaml",
                concat!(
                    "{{- if .Values.image }}{{ end }}\n",
                    "{{- with .Values.podAnnotations }}{{ toYaml . }}{{ end }}\n",
                    "{{- if .Values.extra }}{{ $e := .Values.extra.env }}{{ end }}\n",
                    "{{- $a := .Values.tolerations | default list }}\n",
                    "{{- $b := dig \"x\" \"y\" \"\" .Values.nested }}\n",
                    "{{- $c := .Values.statsd }}{{ $g := .Values.global.registry }}\n",
                ),
            ),
            (
                "values.yaml",
                "replicas: 1\nimage: nginx:1.27.2\n# statsd:\n#   address: x\n",
            ),
        ],
    ));
    assert!(!codes(&ok).contains(&"KT0010"), "{ok:#?}");

    // `.Values.<subchart>.x` is defined by the subchart's values.yaml (helm coalesces it).
    let sub = lint(&chart(
        "undef-val-sub",
        &[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: c\nversion: 1.0.0\ndependencies:\n- name: redis\n  version: 1.x.x\n",
            ),
            (
                "charts/redis/Chart.yaml",
                "apiVersion: v2\nname: redis\nversion: 1.2.3\n",
            ),
            ("charts/redis/values.yaml", "master:\n  port: 6379\n"),
            (
                "templates/cm.yaml",
                "{{- $p := .Values.redis.master.port }}{{ $q := .Values.redis.mastr }}\n",
            ),
        ],
    ));
    let u: Vec<_> = sub.iter().filter(|f| f.code == "KT0010").collect();
    assert_eq!(u.len(), 1, "{sub:#?}");
    assert!(u[0].message.contains(".Values.redis.mastr "), "{u:?}");
}

#[test]
fn values_yaml11() {
    let f = lint(&chart(
        "yaml11",
        &[(
            "values.yaml",
            "replicas: 1\nimage: nginx:1.2\nenabled: yes\nmode: 0644\n",
        )],
    ));
    assert_eq!(f.iter().filter(|x| x.code == "KT0011").count(), 2, "{f:#?}");
}

#[test]
fn services_for_pods_outside_the_release_are_not_reported() {
    // A Service in kube-system selecting a system component, and one selecting the pods an
    // operator creates for a custom resource of the release: no KT0103.
    let svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: dns-metrics\n  namespace: kube-system\nspec:\n  selector:\n    k8s-app: kube-dns\n  ports:\n  - port: 9153\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: prom\nspec:\n  selector:\n    prometheus: c-prom\n  ports:\n  - port: 9090\n";
    let crd = "apiVersion: example.com/v1\nkind: Prometheus\nmetadata:\n  name: c-prom\nspec: {}\n";
    let f = lint(&chart(
        "svc-outside",
        &[("templates/svc.yaml", svc), ("templates/cr.yaml", crd)],
    ));
    assert!(!codes(&f).contains(&"KT0103"), "{f:#?}");
    // Without the custom resource, the second Service selects nothing.
    let f = lint(&chart("svc-outside-bad", &[("templates/svc.yaml", svc)]));
    let n = assert_has(&f, "KT0103");
    assert!(n.message.contains("prometheus=c-prom"), "{n:?}");
}

#[test]
fn custom_resources_validate_against_the_charts_crds() {
    let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  names:\n    kind: Widget\n    plural: widgets\n    singular: widget\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec:\n            type: object\n            properties:\n              size:\n                type: integer\n";
    let cr = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: {{ .Values.size }}\n";
    let ok = lint(&chart(
        "crd-ok",
        &[
            ("crds/widget.yaml", crd),
            ("templates/w.yaml", cr),
            ("values.yaml", "replicas: 1\nimage: nginx:1.27.2\nsize: 3\n"),
        ],
    ));
    assert!(!codes(&ok).contains(&"KT0301"), "{ok:#?}");
    let bad = lint(&chart(
        "crd-bad",
        &[
            ("crds/widget.yaml", crd),
            ("templates/w.yaml", cr),
            (
                "values.yaml",
                "replicas: 1\nimage: nginx:1.27.2\nsize: big\n",
            ),
        ],
    ));
    let f = assert_has(&bad, "KT0301");
    assert_eq!(f.pointer.as_deref(), Some("/spec/size"), "{f:?}");
    // Without the CRD the kind is unknown: helm install fails ("no matches for kind").
    let none = lint(&chart(
        "crd-none",
        &[
            ("templates/w.yaml", cr),
            ("values.yaml", "replicas: 1\nimage: nginx:1.27.2\nsize: 3\n"),
        ],
    ));
    assert!(
        assert_has(&none, "KT0301")
            .message
            .contains("could not find schema"),
        "{none:#?}"
    );
}

#[test]
fn paths_use_the_chart_directory_when_it_is_named_otherwise() {
    let dir = std::env::temp_dir()
        .join(format!("kindtest-lint-{}-dirname", std::process::id()))
        .join("webdir");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(dir.join("Chart.yaml"), CHART_YAML).unwrap();
    std::fs::write(dir.join("values.yaml"), "replicas: 1\nimage: nginx\n").unwrap();
    std::fs::write(dir.join("templates/app.yaml"), GOOD_DEPLOY).unwrap();
    let r = lint_chart(&dir, &LintOptions::default());
    let f = assert_has(&r.findings, "KT0201");
    assert_eq!(f.file, "webdir/templates/app.yaml", "{f:?}");
    assert!(dir.parent().unwrap().join(&f.file).is_file());
    let _ = std::fs::remove_dir_all(dir.parent().unwrap());
}

#[test]
fn duplicate_resource() {
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: same\ndata: {}\n";
    let f = lint(&chart(
        "dup",
        &[("templates/a.yaml", cm), ("templates/b.yaml", cm)],
    ));
    assert!(assert_has(&f, "KT0101").message.contains("also defined in"));
}

#[test]
fn selector_mismatch_and_service_selects_nothing() {
    let bad = GOOD_DEPLOY
        .replacen(
            "      app: web\n  template",
            "      app: api\n  template",
            1,
        )
        .replace(
            "  selector:\n    app: web\n  ports",
            "  selector:\n    app: nope\n  ports",
        );
    let f = lint(&chart("selectors", &[("templates/app.yaml", &bad)]));
    assert_has(&f, "KT0102");
    assert_has(&f, "KT0103");
}

#[test]
fn dangling_reference() {
    let bad = GOOD_DEPLOY.replace("      containers:\n", "      serviceAccountName: missing-sa\n      containers:\n").replace(
        "        ports:\n        - name: http\n",
        "        envFrom:\n        - configMapRef: {name: nope}\n        ports:\n        - name: http\n",
    );
    let f = lint(&chart("dangling", &[("templates/app.yaml", &bad)]));
    assert_eq!(f.iter().filter(|x| x.code == "KT0104").count(), 2, "{f:#?}");
}

#[test]
fn names_with_long_release_name() {
    let bad = GOOD_DEPLOY.replace(
        "name: {{ .Release.Name }}-web\n  labels",
        "name: {{ .Release.Name }}-web-frontend-deployment\n  labels",
    );
    let f = lint(&chart("longname", &[("templates/app.yaml", &bad)]));
    // Fine with today's release name: only the long-release-name warning.
    assert!(!codes(&f).contains(&"KT0105"), "{f:#?}");
    let n = assert_has(&f, "KT0109");
    assert_eq!(n.severity, chart_lint::lint::Severity::Warning);
    assert!(n.message.contains("53-character release name"), "{n:?}");
    // `<53>-web-frontend-deployment` is 77 characters, 14 over: 39-character names work.
    assert!(
        n.message.contains("release names up to 39 characters work"),
        "{n:?}"
    );
    assert_eq!(n.line, Some(4));
    let ok = lint(&chart("longname-ok", &[]));
    assert!(!codes(&ok).contains(&"KT0109"), "{ok:#?}");

    // Too long already with the release name in use: an error.
    let bad = GOOD_DEPLOY.replace(
        "name: {{ .Release.Name }}-web\n  labels",
        &format!("name: {}\n  labels", "x".repeat(64)),
    );
    let f = lint(&chart("longname-now", &[("templates/app.yaml", &bad)]));
    assert_eq!(
        assert_has(&f, "KT0105").severity,
        chart_lint::lint::Severity::Error
    );
}

#[test]
fn service_port_names_are_dns_labels_container_port_names_iana() {
    // A 16-character Service port name is valid (DNS-1123 label); the same as a container
    // port name is not (IANA_SVC_NAME, 15 characters).
    let ok = GOOD_DEPLOY.replace(
        "  - name: http\n    port: 80",
        "  - name: http-for-clients\n    port: 80",
    );
    let f = lint(&chart("svcport", &[("templates/app.yaml", &ok)]));
    assert!(!codes(&f).contains(&"KT0106"), "{f:#?}");
    let bad = GOOD_DEPLOY.replace(
        "  - name: http\n    port: 80",
        "  - name: Http_Port\n    port: 80",
    );
    let f = lint(&chart("svcport-bad", &[("templates/app.yaml", &bad)]));
    assert!(
        assert_has(&f, "KT0106").message.contains("DNS-1123"),
        "{f:#?}"
    );
}

#[test]
fn the_rules_page_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/lint-rules.md");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text == chart_lint::lint::rules_markdown(),
        "docs/lint-rules.md is stale: cargo run -p chart-lint --example rules_doc > docs/lint-rules.md"
    );
}

#[test]
fn port_name() {
    let bad = GOOD_DEPLOY.replace(
        "        - name: http\n",
        "        - name: http-metrics-exporter\n",
    );
    let f = lint(&chart("portname", &[("templates/app.yaml", &bad)]));
    assert_has(&f, "KT0106");
}

#[test]
fn removed_and_deprecated_api() {
    let pdb = "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: p\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels: {app: web}\n";
    let f = lint(&chart("removed", &[("templates/pdb.yaml", pdb)]));
    assert!(assert_has(&f, "KT0108").message.contains("policy/v1beta1"));
    let ok = lint(&chart(
        "removed-ok",
        &[("templates/pdb.yaml", &pdb.replace("v1beta1", "v1"))],
    ));
    assert!(!codes(&ok).contains(&"KT0108"), "{ok:#?}");
}

#[test]
fn workload_hygiene() {
    let bad = GOOD_DEPLOY
        .replace("      securityContext:\n        runAsNonRoot: true\n        runAsUser: 10001\n", "      hostNetwork: true\n")
        .replace("        readinessProbe:\n          httpGet: {path: /healthz, port: http}\n", "")
        .replace("          allowPrivilegeEscalation: false\n", "          privileged: true\n")
        .replace("        resources:\n          requests: {cpu: 10m, memory: 32Mi}\n          limits: {memory: 64Mi}\n", "");
    let f = lint(&chart(
        "hygiene",
        &[
            ("templates/app.yaml", &bad),
            ("values.yaml", "replicas: 1\nimage: nginx\n"),
        ],
    ));
    for code in ["KT0201", "KT0202", "KT0203", "KT0204", "KT0205", "KT0206"] {
        assert_has(&f, code);
    }
    let img = assert_has(&f, "KT0201");
    assert_eq!(img.line, Some(20), "{img:?}");
    assert_eq!(img.file, "c/templates/app.yaml");
}

#[test]
fn schema_findings_map_to_template_lines() {
    let bad = GOOD_DEPLOY.replace(
        "          containerPort: 8080\n",
        "          containerPort: 8080\n          protocl: TCP\n",
    );
    let f = lint(&chart("schema", &[("templates/app.yaml", &bad)]));
    let s = assert_has(&f, "KT0301");
    assert!(s.message.contains("protocl"), "{s:?}");
    assert_eq!(s.line, Some(26), "{s:?}");
}

#[test]
fn inline_allow_annotation_and_config() {
    let bad = GOOD_DEPLOY.replace(
        "  labels:\n    app: web\nspec:\n  replicas",
        "  labels:\n    app: web\n  annotations:\n    lint.kindtest.dev/allow: \"host-access\"\nspec:\n  replicas",
    );
    let bad = bad.replace(
        "      containers:\n",
        "      hostPID: true\n      containers:\n",
    );
    let f = lint(&chart("allow", &[("templates/app.yaml", &bad)]));
    assert!(!codes(&f).contains(&"KT0206"), "{f:#?}");

    let dir = write_chart(&chart(
        "cfg",
        &[("values.yaml", "replicas: 1\nimage: nginx\n")],
    ));
    let cfg = chart_lint::lint::LintConfig::from_json(&serde_json::json!({"image-tag": "error"}))
        .unwrap();
    let r = lint_chart(
        &dir,
        &LintOptions {
            config: cfg,
            ..LintOptions::default()
        },
    );
    assert_eq!(
        assert_has(&r.findings, "KT0201").severity,
        chart_lint::lint::Severity::Error
    );
    let _ = std::fs::remove_dir_all(Path::new(&dir).parent().unwrap());
}

/// The official SARIF 2.1.0 schema (OASIS `sarif-schema-2.1.0.json`), obtained by
/// `scripts/fetch-sarif-schema.sh` (run here when it is not cached yet). Missing is a failure.
fn sarif_schema() -> serde_json::Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let path = match std::env::var_os("KINDTEST_SARIF_SCHEMA") {
        Some(p) => PathBuf::from(p),
        None => {
            let out = std::process::Command::new("bash")
                .arg(root.join("scripts/fetch-sarif-schema.sh"))
                .output()
                .expect("run scripts/fetch-sarif-schema.sh");
            assert!(
                out.status.success(),
                "scripts/fetch-sarif-schema.sh failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let stdout = String::from_utf8_lossy(&out.stdout);
            PathBuf::from(stdout.lines().last().unwrap_or("").trim())
        }
    };
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("SARIF schema {}: {e}", path.display()));
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(
        schema["$id"]
            .as_str()
            .unwrap()
            .ends_with("/sarif-schema-2.1.0.json"),
        "not the SARIF 2.1.0 schema: {}",
        path.display()
    );
    schema
}

#[test]
fn sarif_output_validates_against_the_sarif_2_1_0_schema() {
    let mut schema = sarif_schema();
    // The 2.1.0 schema's `language` patterns (of `run` and `toolComponent`) have a stray `]`
    // (`…[a-zA-Z]{2}]?$`) that this regex engine rejects when it checks the schema itself;
    // they are replaced by the intended pattern. They only constrain `language`, which we
    // never write (asserted below). Nothing else in the schema is changed.
    fn fix_language_patterns(v: &mut serde_json::Value, n: &mut usize) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m.iter_mut() {
                    if k == "pattern"
                        && x.as_str() == Some("^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$")
                    {
                        *x = serde_json::json!("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
                        *n += 1;
                    } else {
                        fix_language_patterns(x, n);
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(|x| fix_language_patterns(x, n)),
            _ => {}
        }
    }
    let mut fixed = 0;
    fix_language_patterns(&mut schema, &mut fixed);
    assert_eq!(fixed, 2, "the schema changed: review this workaround");
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&schema)
        .expect("compile the SARIF schema");

    // Real findings: workload hygiene (template lines and columns, snippets, resources), a
    // schema violation (JSON pointer), a Chart.yaml finding and a file-level finding.
    let bad = GOOD_DEPLOY
        .replace(
            "          containerPort: 8080\n",
            "          containerPort: 8080\n          protocl: TCP\n",
        )
        .replace(
            "          allowPrivilegeEscalation: false\n",
            "          privileged: true\n",
        );
    let mut findings = lint(&chart(
        "sarif",
        &[
            ("templates/app.yaml", &bad),
            ("values.yaml", "replicas: 1\nimage: nginx\n"),
            ("Chart.yaml", "apiVersion: v1\nname: c\nversion: 1.0.0\n"),
        ],
    ));
    let templated = findings
        .iter()
        .filter(|f| f.file == "c/templates/app.yaml" && f.line.is_some() && f.column.is_some())
        .count();
    assert!(templated >= 3, "{findings:#?}");
    assert_has(&findings, "KT0301");
    findings.push(Finding::new(
        chart_lint::lint::CHART_UNREADABLE,
        "c d",
        "c d/Chart.yaml",
        "a path with a space, no line",
    ));
    let log = chart_lint::lint::output::sarif(&findings, &|f| format!("charts/{}", f.file));
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema violations:\n{}",
        errors.join("\n")
    );

    // What GitHub code scanning reads: ruleId, a repository-relative URI, startLine/startColumn.
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), findings.len());
    for (r, f) in results.iter().zip(&findings) {
        assert_eq!(r["ruleId"], f.code);
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.starts_with("charts/c"), "{uri}");
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        if let (Some(l), Some(c)) = (f.line, f.column) {
            assert_eq!(loc["region"]["startLine"], l);
            assert_eq!(loc["region"]["startColumn"], c);
        }
    }
    assert!(results.iter().any(
        |r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            == "charts/c%20d/Chart.yaml"
    ));

    assert!(log["runs"][0].get("language").is_none());
    assert!(log["runs"][0]["tool"]["driver"].get("language").is_none());

    // The check is real: a broken log fails it.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        serde_json::json!(0);
    assert!(!validator.is_valid(&broken));
}
