//! Go objects of the render context: `.Capabilities` (with `KubeVersion`, `APIVersions.Has`,
//! `HelmVersion`) and `.Files` (helm's `pkg/chart/common/capabilities.go`,
//! `pkg/engine/files.go`).

use std::collections::BTreeMap;
use std::rc::Rc;

use gotemplate::{ElemTy, List, Map, Object, Value};

/// Kubernetes API versions helm 4.1.4 reports with no cluster (client-go v0.35's scheme, in
/// its priority order; measured with `{{ .Capabilities.APIVersions | toJson }}`).
pub const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha1",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// The Kubernetes version helm 4.1.4 assumes without a cluster.
pub const DEFAULT_KUBE_VERSION: &str = "v1.35.0";

/// `.Capabilities.KubeVersion`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubeVersion {
    /// As given, with a `v` prefix (`GitVersion`, `.Version`).
    pub version: String,
    /// Numeric components only (what `String()` and the `kubeVersion` check use).
    pub normalized: String,
    /// Major component.
    pub major: String,
    /// Minor component.
    pub minor: String,
}

impl Default for KubeVersion {
    fn default() -> Self {
        KubeVersion {
            version: DEFAULT_KUBE_VERSION.into(),
            normalized: DEFAULT_KUBE_VERSION.into(),
            major: "1".into(),
            minor: "35".into(),
        }
    }
}

impl KubeVersion {
    /// helm's `ParseKubeVersion` (k8s.io `version.ParseGeneric`: two or more numeric
    /// components, optional `v`, trailing text kept in `Version` only).
    ///
    /// # Errors
    /// k8s.io's messages (`could not parse "x" as version`, `illegal version string "1"`).
    pub fn parse(s: &str) -> Result<KubeVersion, String> {
        let t = s.trim_start();
        let t = t.strip_prefix('v').unwrap_or(t);
        let num_end = t
            .char_indices()
            .scan(true, |prev_dot, (i, c)| {
                let ok = c.is_ascii_digit() || (c == '.' && !*prev_dot);
                *prev_dot = c == '.';
                ok.then_some(i + c.len_utf8())
            })
            .last()
            .unwrap_or(0);
        let mut nums = &t[..num_end];
        if nums.ends_with('.') {
            nums = &nums[..nums.len() - 1];
        }
        if nums.is_empty() {
            return Err(format!("could not parse {s:?} as version"));
        }
        let comps: Vec<&str> = nums.split('.').collect();
        if comps.len() < 2 {
            return Err(format!("illegal version string {s:?}"));
        }
        for c in &comps {
            if c.len() > 1 && c.starts_with('0') {
                return Err(format!(
                    "illegal zero-prefixed version component {c:?} in {s:?}"
                ));
            }
        }
        let norm: Vec<String> = comps
            .iter()
            .map(|c| c.parse::<u64>().unwrap_or(0).to_string())
            .collect();
        let version = if s.starts_with('v') {
            s.to_string()
        } else {
            format!("v{s}")
        };
        Ok(KubeVersion {
            version,
            normalized: format!("v{}", norm.join(".")),
            major: norm[0].clone(),
            minor: norm[1].clone(),
        })
    }
}

/// `.Capabilities`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capabilities {
    /// `KubeVersion`
    pub kube_version: KubeVersion,
    /// `APIVersions`
    pub api_versions: Vec<String>,
}

impl Default for Capabilities {
    fn default() -> Self {
        Capabilities {
            kube_version: KubeVersion::default(),
            api_versions: DEFAULT_API_VERSIONS.iter().map(|s| s.to_string()).collect(),
        }
    }
}

#[derive(Debug)]
struct CapsObj(Capabilities);
#[derive(Debug)]
struct KubeVersionObj(KubeVersion);
#[derive(Debug)]
struct VersionSetObj(Vec<String>);
#[derive(Debug)]
struct HelmVersionObj;

const HELM_VERSION: [(&str, &str, &str); 5] = [
    ("Version", "version", "v4.1.4"),
    (
        "GitCommit",
        "git_commit",
        "05fa37973dc9e42b76e1d2883494c87174b6074f",
    ),
    ("GitTreeState", "git_tree_state", "clean"),
    ("GoVersion", "go_version", "go1.25.9"),
    ("KubeClientVersion", "kube_client_version", "v1.35"),
];

impl Capabilities {
    /// Capabilities of a cluster running `kube_version` (for profiles), the way `helm install`
    /// sees a real cluster: the API versions that version serves according to the embedded
    /// schema data ([`crate::schema::api_versions`]: `group/version` and
    /// `group/version/Kind`), instead of helm's client-only default list.
    ///
    /// # Errors
    /// An unparsable version, or one the schema data does not cover.
    pub fn for_kube_version(kube_version: &str) -> Result<Capabilities, String> {
        let kv = KubeVersion::parse(kube_version)?;
        let apis = crate::schema::api_versions(kube_version).map_err(|e| e.to_string())?;
        Ok(Capabilities {
            kube_version: kv,
            api_versions: apis,
        })
    }

    /// The template value (`*common.Capabilities`).
    pub fn to_value(&self) -> Value {
        Value::Object(Rc::new(CapsObj(self.clone())))
    }
}

impl Object for CapsObj {
    fn type_name(&self) -> String {
        "*common.Capabilities".into()
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "KubeVersion" => Some(Value::Object(Rc::new(KubeVersionObj(
                self.0.kube_version.clone(),
            )))),
            "APIVersions" => Some(Value::Object(Rc::new(VersionSetObj(
                self.0.api_versions.clone(),
            )))),
            "HelmVersion" => Some(Value::Object(Rc::new(HelmVersionObj))),
            _ => None,
        }
    }
    fn to_value(&self) -> Option<Value> {
        let m = Map::new();
        for k in ["KubeVersion", "APIVersions", "HelmVersion"] {
            if let Some(Value::Object(o)) = self.field(k) {
                m.insert(k, o.to_value().unwrap_or(Value::Nil));
            }
        }
        Some(Value::Map(m))
    }
    fn format_v(&self) -> Option<String> {
        let kv = &self.0.kube_version;
        Some(format!(
            "&{{{{{} {} {} {}}} [{}] {{{}}}}}",
            kv.version,
            kv.normalized,
            kv.major,
            kv.minor,
            self.0.api_versions.join(" "),
            HELM_VERSION
                .iter()
                .map(|h| h.2)
                .collect::<Vec<_>>()
                .join(" ")
        ))
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

impl Object for KubeVersionObj {
    fn type_name(&self) -> String {
        "common.KubeVersion".into()
    }
    fn kind_name(&self) -> &'static str {
        "struct"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Version" => Some(Value::str(&self.0.version)),
            "Major" => Some(Value::str(&self.0.major)),
            "Minor" => Some(Value::str(&self.0.minor)),
            _ => None,
        }
    }
    fn has_method(&self, name: &str) -> bool {
        matches!(name, "String" | "GitVersion")
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let r = match name {
            "String" => Value::str(&self.0.normalized),
            "GitVersion" => Value::str(&self.0.version),
            _ => return None,
        };
        if !args.is_empty() {
            return Some(Err(format!(
                "wrong number of args for {name}: want 0 got {}",
                args.len()
            )));
        }
        Some(Ok(r))
    }
    fn to_value(&self) -> Option<Value> {
        let m = Map::new();
        m.insert("Version", Value::str(&self.0.version));
        m.insert("Major", Value::str(&self.0.major));
        m.insert("Minor", Value::str(&self.0.minor));
        Some(Value::Map(m))
    }
    fn format_v(&self) -> Option<String> {
        // `%v` of the struct (helm 4.1.4: `{{ printf "%v" .Capabilities.KubeVersion }}` is
        // `{v1.35.0 v1.35.0 1 35}`: Version, the normalized version, Major, Minor).
        Some(format!(
            "{{{} {} {} {}}}",
            self.0.version, self.0.normalized, self.0.major, self.0.minor
        ))
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

impl Object for VersionSetObj {
    fn type_name(&self) -> String {
        "common.VersionSet".into()
    }
    fn kind_name(&self) -> &'static str {
        "slice"
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn has_method(&self, name: &str) -> bool {
        name == "Has"
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        if name != "Has" {
            return None;
        }
        Some(match args {
            [Value::String(s)] => Ok(Value::Bool(self.0.iter().any(|v| **v == **s))),
            [other] => Err(format!(
                "wrong type for value; expected string; got {}",
                other.go_type()
            )),
            _ => Err(format!(
                "wrong number of args for Has: want 1 got {}",
                args.len()
            )),
        })
    }
    fn to_value(&self) -> Option<Value> {
        Some(Value::List(List::with_elem(
            self.0.iter().map(Value::str).collect(),
            ElemTy::String,
        )))
    }
    fn format_v(&self) -> Option<String> {
        Some(format!("[{}]", self.0.join(" ")))
    }
}

impl Object for HelmVersionObj {
    fn type_name(&self) -> String {
        "version.BuildInfo".into()
    }
    fn kind_name(&self) -> &'static str {
        "struct"
    }
    fn field(&self, name: &str) -> Option<Value> {
        HELM_VERSION
            .iter()
            .find(|h| h.0 == name)
            .map(|h| Value::str(h.2))
    }
    fn to_value(&self) -> Option<Value> {
        let m = Map::new();
        for (_, json, v) in HELM_VERSION {
            m.insert(json, Value::str(v));
        }
        Some(Value::Map(m))
    }
    fn format_v(&self) -> Option<String> {
        Some(format!(
            "{{{}}}",
            HELM_VERSION
                .iter()
                .map(|h| h.2)
                .collect::<Vec<_>>()
                .join(" ")
        ))
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

/// `.Files` (helm's `engine.files`, a `map[string][]byte`).
#[derive(Debug, Clone, Default)]
pub struct Files {
    files: BTreeMap<String, Rc<[u8]>>,
}

impl Files {
    /// From `(name, bytes)` pairs (`Vec<u8>` or shared `Rc<[u8]>`, which is not copied).
    pub fn new<B: Into<Rc<[u8]>>>(files: impl IntoIterator<Item = (String, B)>) -> Files {
        Files {
            files: files.into_iter().map(|(k, v)| (k, v.into())).collect(),
        }
    }

    /// The template value.
    pub fn to_value(&self) -> Value {
        Value::Object(Rc::new(self.clone()))
    }

    fn as_config_map(&self, base64: bool) -> Value {
        let m = Map::with_elem(Default::default(), ElemTy::String);
        for (k, v) in &self.files {
            let base = k.rsplit('/').next().unwrap_or(k);
            let s = if base64 {
                crate::convert::base64_std(v)
            } else {
                String::from_utf8_lossy(v).into_owned()
            };
            m.insert(base, Value::str(s));
        }
        Value::Map(m)
    }
}

fn one_string(name: &str, args: &[Value]) -> Result<String, String> {
    match args {
        [Value::String(s)] => Ok(s.to_string()),
        [other] => Err(format!(
            "wrong type for value; expected string; got {}",
            other.go_type()
        )),
        _ => Err(format!(
            "wrong number of args for {name}: want 1 got {}",
            args.len()
        )),
    }
}

impl Object for Files {
    fn type_name(&self) -> String {
        "engine.files".into()
    }
    fn kind_name(&self) -> &'static str {
        "map"
    }
    fn field(&self, name: &str) -> Option<Value> {
        Some(match self.files.get(name) {
            Some(b) => Value::Bytes(b.clone()),
            None => Value::Nil,
        })
    }
    fn has_method(&self, name: &str) -> bool {
        matches!(
            name,
            "Get" | "GetBytes" | "Glob" | "AsConfig" | "AsSecrets" | "Lines"
        )
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let no_args = |r: Value| {
            if args.is_empty() {
                Ok(r)
            } else {
                Err(format!(
                    "wrong number of args for {name}: want 0 got {}",
                    args.len()
                ))
            }
        };
        Some(match name {
            "Get" => one_string(name, args).map(|n| {
                Value::str(
                    self.files
                        .get(&n)
                        .map(|b| String::from_utf8_lossy(b).into_owned())
                        .unwrap_or_default(),
                )
            }),
            "GetBytes" => one_string(name, args).map(|n| {
                Value::Bytes(
                    self.files
                        .get(&n)
                        .cloned()
                        .unwrap_or_else(|| Rc::from(Vec::new())),
                )
            }),
            "Glob" => one_string(name, args).map(|p| {
                let g = crate::glob::Glob::new(&p).or_else(|| crate::glob::Glob::new("**"));
                let files = self
                    .files
                    .iter()
                    .filter(|(k, _)| g.as_ref().is_some_and(|g| g.matches(k)))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                Value::Object(Rc::new(Files { files }))
            }),
            "AsConfig" => no_args(Value::str(crate::helmfuncs::to_yaml(
                &self.as_config_map(false),
            ))),
            "AsSecrets" => no_args(Value::str(crate::helmfuncs::to_yaml(
                &self.as_config_map(true),
            ))),
            "Lines" => one_string(name, args).map(|p| match self.files.get(&p) {
                None => Value::List(List::with_elem(Vec::new(), ElemTy::String)),
                Some(b) => {
                    let s = String::from_utf8_lossy(b);
                    let s = s.strip_suffix('\n').unwrap_or(&s);
                    Value::string_list(s.split('\n'))
                }
            }),
            _ => return None,
        })
    }
    fn to_value(&self) -> Option<Value> {
        let m = Map::new();
        for (k, v) in &self.files {
            m.insert(k.clone(), Value::Bytes(v.clone()));
        }
        Some(Value::Map(m))
    }
    fn format_v(&self) -> Option<String> {
        Some(format!(
            "map[{}]",
            self.files
                .iter()
                .map(|(k, v)| format!(
                    "{k}:[{}]",
                    v.iter().map(u8::to_string).collect::<Vec<_>>().join(" ")
                ))
                .collect::<Vec<_>>()
                .join(" ")
        ))
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

/// `toJson` of the `.Capabilities` objects as Go's `encoding/json` writes them: struct fields
/// in declaration order (`{"Version":…,"Major":…,"Minor":…}`), where a map's keys would come
/// out sorted. `None` for any other value.
pub fn go_struct_json(v: &Value) -> Option<String> {
    let Value::Object(o) = v else {
        return None;
    };
    let any = o.as_any()?;
    if let Some(c) = any.downcast_ref::<CapsObj>() {
        let c = &c.0;
        let apis = serde_json::to_string(&c.api_versions).unwrap_or_else(|_| "[]".into());
        return Some(format!(
            "{{\"KubeVersion\":{},\"APIVersions\":{apis},\"HelmVersion\":{}}}",
            kube_version_json(&c.kube_version),
            helm_version_json()
        ));
    }
    if let Some(k) = any.downcast_ref::<KubeVersionObj>() {
        return Some(kube_version_json(&k.0));
    }
    if any.is::<HelmVersionObj>() {
        return Some(helm_version_json());
    }
    None
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn kube_version_json(k: &KubeVersion) -> String {
    format!(
        "{{\"Version\":{},\"Major\":{},\"Minor\":{}}}",
        json_str(&k.version),
        json_str(&k.major),
        json_str(&k.minor)
    )
}

fn helm_version_json() -> String {
    let fields: Vec<String> = HELM_VERSION
        .iter()
        .map(|(_, key, v)| format!("{}:{}", json_str(key), json_str(v)))
        .collect();
    format!("{{{}}}", fields.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kube_versions_like_helm() {
        let k = KubeVersion::parse("1.30.2-gke.1").unwrap();
        assert_eq!(
            (k.version.as_str(), k.normalized.as_str()),
            ("v1.30.2-gke.1", "v1.30.2")
        );
        assert_eq!((k.major.as_str(), k.minor.as_str()), ("1", "30"));
        assert_eq!(KubeVersion::parse("1.30x").unwrap().normalized, "v1.30");
        assert_eq!(
            KubeVersion::parse("1").unwrap_err(),
            "illegal version string \"1\""
        );
        assert_eq!(
            KubeVersion::parse("x1.2").unwrap_err(),
            "could not parse \"x1.2\" as version"
        );
        assert!(
            KubeVersion::parse("01.2")
                .unwrap_err()
                .starts_with("illegal zero-prefixed")
        );
        assert_eq!(DEFAULT_API_VERSIONS.len(), 57);
        let c = Capabilities::for_kube_version("1.30.2").unwrap();
        assert_eq!(c.kube_version.normalized, "v1.30.2");
        assert!(c.api_versions.iter().any(|v| v == "apps/v1/Deployment"));
    }

    #[test]
    fn files_methods() {
        let f = Files::new([
            ("files/a.txt".to_string(), b"one\ntwo\n".to_vec()),
            ("files/sub/b.txt".to_string(), b"b".to_vec()),
            ("README.md".to_string(), b"r".to_vec()),
        ]);
        let call = |o: &Files, m: &str, a: &[Value]| o.call_method(m, a).unwrap().unwrap();
        assert_eq!(
            call(&f, "Get", &[Value::str("README.md")]).as_str(),
            Some("r")
        );
        let Value::List(l) = call(&f, "Lines", &[Value::str("files/a.txt")]) else {
            panic!()
        };
        assert_eq!(l.len(), 2);
        let Value::Object(g) = call(&f, "Glob", &[Value::str("files/*")]) else {
            panic!()
        };
        let g = g.as_any().and_then(|a| a.downcast_ref::<Files>()).unwrap();
        assert_eq!(g.files.keys().collect::<Vec<_>>(), ["files/a.txt"]);
    }
}
