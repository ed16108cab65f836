//! The schema module's public API: versions, API status, Capabilities, CRDs, rendered
//! streams, and a cross-check against `k8s-openapi` (1.36) types.

use chart_lint::schema::{
    self, ApiStatus, CrdSet, Input, ManifestValidator, Options, Severity, api_status, api_versions,
};
use k8s_openapi::Resource;
use serde_json::json;

fn validator(kube: &str) -> ManifestValidator {
    ManifestValidator::new(Options {
        kube_version: kube.into(),
        threads: 1,
        ..Options::default()
    })
    .unwrap()
}

fn check_json(v: &ManifestValidator, doc: &serde_json::Value) -> Vec<schema::Finding> {
    let text = serde_json::to_string(doc).unwrap();
    let mut out = Vec::new();
    v.validate_stream("x.json", text.as_bytes(), &mut |f| out.push(f));
    out
}

#[test]
fn every_supported_version_loads() {
    let minors = schema::supported_minors();
    assert!(minors.contains(&30) && minors.contains(&36), "{minors:?}");
    for m in minors {
        let v = validator(&format!("1.{m}"));
        assert!(v.kube_version().starts_with(&format!("1.{m}.")));
        let gvs = api_versions(&format!("1.{m}")).unwrap();
        for must in [
            "v1",
            "apps/v1",
            "batch/v1",
            "networking.k8s.io/v1",
            "apps/v1/Deployment",
            "v1/ConfigMap",
        ] {
            assert!(gvs.iter().any(|g| g == must), "1.{m} lacks {must}");
        }
        // Alpha APIs are never in a default server's discovery.
        assert!(!gvs.iter().any(|g| g.contains("alpha")), "1.{m}: {gvs:?}");
    }
}

#[test]
fn version_selection() {
    assert!(
        ManifestValidator::new(Options {
            kube_version: "1.99".into(),
            ..Options::default()
        })
        .is_err()
    );
    assert!(
        ManifestValidator::new(Options {
            kube_version: "1.20".into(),
            ..Options::default()
        })
        .is_err()
    );
    assert!(
        ManifestValidator::new(Options {
            kube_version: "banana".into(),
            ..Options::default()
        })
        .is_err()
    );
    let v = validator("v1.35.2");
    assert_eq!(v.kube_version(), "1.35.0");
    assert!(v.notes().is_empty());
}

#[test]
fn capabilities_follow_the_version() {
    // flowcontrol v1beta3 was served (legacy beta) until 1.31 and removed in 1.32.
    assert!(
        api_versions("1.30")
            .unwrap()
            .contains(&"flowcontrol.apiserver.k8s.io/v1beta3".to_string())
    );
    assert!(
        !api_versions("1.32")
            .unwrap()
            .contains(&"flowcontrol.apiserver.k8s.io/v1beta3".to_string())
    );
    // resource.k8s.io/v1 (DRA) went GA in 1.34.
    assert!(
        !api_versions("1.33")
            .unwrap()
            .contains(&"resource.k8s.io/v1".to_string())
    );
    assert!(
        api_versions("1.34")
            .unwrap()
            .contains(&"resource.k8s.io/v1".to_string())
    );
}

#[test]
fn api_status_answers() {
    assert_eq!(
        api_status("1.36", "apps/v1", "Deployment").unwrap(),
        ApiStatus::Served
    );
    assert_eq!(
        api_status("1.36", "extensions/v1beta1", "Ingress").unwrap(),
        ApiStatus::Removed {
            since: "1.22".into(),
            replacement: Some("networking.k8s.io/v1".into())
        }
    );
    assert_eq!(
        api_status("1.33", "flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema").unwrap(),
        ApiStatus::Removed {
            since: "1.32".into(),
            replacement: Some("flowcontrol.apiserver.k8s.io/v1".into())
        }
    );
    assert_eq!(
        api_status("1.30", "flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema").unwrap(),
        ApiStatus::Deprecated {
            replacement: "flowcontrol.apiserver.k8s.io/v1".into()
        }
    );
    assert_eq!(
        api_status("1.36", "example.com/v1", "Widget").unwrap(),
        ApiStatus::Unknown
    );
    assert_eq!(
        api_status("1.33", "networking.k8s.io/v1beta1", "IPAddress").unwrap(),
        ApiStatus::NotServedByDefault
    );
}

/// Objects built with k8s-openapi types and serialized by serde must pass our strict schemas,
/// and every kind k8s-openapi knows for 1.36 must be in our 1.36 index.
#[test]
fn cross_check_with_k8s_openapi() {
    use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
    use k8s_openapi::api::core::v1::{
        Container, ContainerPort, PodSpec, PodTemplateSpec, ResourceRequirements, Service,
        ServicePort, ServiceSpec,
    };
    use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    use std::collections::BTreeMap;

    let v = validator("1.36");
    let labels: BTreeMap<String, String> = [("app".to_string(), "web".to_string())].into();
    let dep = Deployment {
        metadata: ObjectMeta {
            name: Some("web".into()),
            labels: Some(labels.clone()),
            ..Default::default()
        },
        spec: Some(DeploymentSpec {
            replicas: Some(3),
            selector: LabelSelector {
                match_labels: Some(labels.clone()),
                ..Default::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels.clone()),
                    ..Default::default()
                }),
                spec: Some(PodSpec {
                    containers: vec![Container {
                        name: "web".into(),
                        image: Some("nginx".into()),
                        ports: Some(vec![ContainerPort {
                            container_port: 80,
                            ..Default::default()
                        }]),
                        resources: Some(ResourceRequirements {
                            limits: Some([("memory".to_string(), Quantity("256Mi".into()))].into()),
                            ..Default::default()
                        }),
                        ..Default::default()
                    }],
                    ..Default::default()
                }),
            },
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut dj = serde_json::to_value(&dep).unwrap();
    dj["apiVersion"] = json!(Deployment::API_VERSION);
    dj["kind"] = json!(Deployment::KIND);
    let f = check_json(&v, &dj);
    assert!(f.is_empty(), "{f:?}");

    let svc = Service {
        metadata: ObjectMeta {
            name: Some("web".into()),
            ..Default::default()
        },
        spec: Some(ServiceSpec {
            ports: Some(vec![ServicePort {
                port: 80,
                target_port: Some(IntOrString::String("http".into())),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut sj = serde_json::to_value(&svc).unwrap();
    sj["apiVersion"] = json!(Service::API_VERSION);
    sj["kind"] = json!(Service::KIND);
    assert!(check_json(&v, &sj).is_empty());

    let idx = schema::data::index(36).unwrap();
    macro_rules! known {
        ($($t:ty),*) => {$(
            assert!(idx.has_kind(<$t>::API_VERSION, <$t>::KIND), "{} {} missing", <$t>::API_VERSION, <$t>::KIND);
        )*};
    }
    known!(
        k8s_openapi::api::apps::v1::Deployment, k8s_openapi::api::apps::v1::StatefulSet, k8s_openapi::api::apps::v1::DaemonSet,
        k8s_openapi::api::batch::v1::Job, k8s_openapi::api::batch::v1::CronJob, k8s_openapi::api::core::v1::ConfigMap,
        k8s_openapi::api::core::v1::Secret, k8s_openapi::api::core::v1::Namespace, k8s_openapi::api::networking::v1::Ingress,
        k8s_openapi::api::networking::v1::NetworkPolicy, k8s_openapi::api::policy::v1::PodDisruptionBudget,
        k8s_openapi::api::rbac::v1::ClusterRole, k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler,
        k8s_openapi::api::storage::v1::StorageClass, k8s_openapi::api::scheduling::v1::PriorityClass,
        k8s_openapi::api::admissionregistration::v1::ValidatingWebhookConfiguration,
        k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition,
        k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::APIService
    );
}

#[test]
fn crds_from_files_and_rendered_streams() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/manifests/crds");
    let mut crds = CrdSet::new();
    // widgets: v1 served; gadgets: v1 (storage) and v1beta1 (served, not storage).
    assert_eq!(crds.add_path(&dir).unwrap(), 3);
    assert!(crds.get("example.com/v1", "Widget").is_some());
    assert!(crds.get("example.com/v1beta1", "Gadget").is_some());
    assert!(crds.get("example.com/v1alpha1", "Gadget").is_none());
    assert!(
        crds.get("example.com/v1alpha1", "Widget").is_none(),
        "unserved versions are not used"
    );

    // validate_rendered: a CRD in the stream, a CR in another template; lines per template.
    let crd = std::fs::read_to_string(dir.join("widgets.yaml")).unwrap();
    let rendered = format!(
        "---\n# Source: app/crds/widgets.yaml\n{crd}---\n# Source: app/templates/widget.yaml\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: tiny\n"
    );
    let r = schema::validate_rendered(&rendered, Options::default()).unwrap();
    assert_eq!(r.summary.resources, 2);
    assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
    let f = &r.findings[0];
    assert_eq!(
        (f.file.as_str(), f.line, f.document),
        ("app/templates/widget.yaml", Some(6), 1)
    );
    assert_eq!(f.pointer, "/spec/size");
    assert_eq!(
        (f.kind.as_deref(), f.name.as_deref()),
        (Some("Widget"), Some("w"))
    );

    // validate_templates: per-template text as the renderer produces it.
    let r = schema::validate_templates(
        [(
            "app/templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  on: yes\n",
        )],
        Options::default(),
    )
    .unwrap();
    assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
    assert_eq!(
        (r.findings[0].file.as_str(), r.findings[0].line),
        ("app/templates/cm.yaml", Some(6))
    );
    assert!(
        r.findings[0]
            .hint
            .as_deref()
            .unwrap_or("")
            .contains("unquoted `yes`")
    );
}

#[test]
fn many_documents_in_parallel_keep_order_and_counts() {
    let mut text = String::new();
    for i in 0..500 {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\ndata:\n  n: {}\n",
            if i % 100 == 7 { "1" } else { "\"1\"" }
        ));
    }
    let dir = std::env::temp_dir().join(format!("kindtest-schema-par-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("many.yaml");
    std::fs::write(&file, &text).unwrap();
    let mut v = ManifestValidator::new(Options {
        threads: 4,
        ..Options::default()
    })
    .unwrap();
    let mut found = Vec::new();
    let sum = v.validate_inputs(&[Input::Path(file)], &mut |f| found.push(f));
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!((sum.resources, sum.invalid, sum.valid), (500, 5, 495));
    let docs: Vec<usize> = found.iter().map(|f| f.document).collect();
    assert_eq!(docs, vec![7, 107, 207, 307, 407]);
    assert!(
        found
            .iter()
            .all(|f| f.severity == Severity::Error && f.line == Some(f.document * 7 + 7))
    );
}
