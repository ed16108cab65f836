//! `Chart.yaml` (helm's `chart.Metadata`), decoded the way sigs.k8s.io/yaml decodes it: YAML
//! converted to JSON, then `encoding/json` into the struct (field names match
//! case-insensitively; scalars aimed at string fields become strings; other type mismatches
//! are errors naming the Go field).

use gotemplate::value::format_float_v;
use gotemplate::{List, Map, Value};

/// A maintainer entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Maintainer {
    /// `name`
    pub name: String,
    /// `email`
    pub email: String,
    /// `url`
    pub url: String,
}

/// A `dependencies:` entry (helm's `chart.Dependency`).
#[derive(Clone, Debug, Default)]
pub struct Dependency {
    /// `name` (replaced by the alias during dependency processing, as helm does)
    pub name: String,
    /// `version` constraint
    pub version: String,
    /// `repository`
    pub repository: String,
    /// `condition`: comma-separated value paths
    pub condition: String,
    /// `tags`
    pub tags: Vec<String>,
    /// `enabled` (set by dependency processing)
    pub enabled: bool,
    /// `import-values`: strings or `{child, parent}` maps
    pub import_values: Vec<Value>,
    /// `alias`
    pub alias: String,
}

/// `Chart.yaml`.
#[derive(Clone, Debug, Default)]
pub struct Metadata {
    /// `name`
    pub name: String,
    /// `home`
    pub home: String,
    /// `sources`
    pub sources: Vec<String>,
    /// `version`
    pub version: String,
    /// `description`
    pub description: String,
    /// `keywords`
    pub keywords: Vec<String>,
    /// `maintainers`
    pub maintainers: Vec<Maintainer>,
    /// `icon`
    pub icon: String,
    /// `apiVersion` (`v1` when missing)
    pub api_version: String,
    /// `condition`
    pub condition: String,
    /// `tags`
    pub tags: String,
    /// `appVersion`
    pub app_version: String,
    /// `deprecated`
    pub deprecated: bool,
    /// `annotations` (`None` when absent: `.Chart.Annotations` is then `nil`)
    pub annotations: Option<Vec<(String, String)>>,
    /// `kubeVersion` constraint
    pub kube_version: String,
    /// `dependencies`
    pub dependencies: Vec<Dependency>,
    /// `type`: `""`, `application` or `library`
    pub chart_type: String,
}

/// A decoding error in helm's words (`json: cannot unmarshal …`).
pub(crate) type DecodeError = String;

fn type_word(v: &Value) -> &'static str {
    match v {
        Value::Nil => "null",
        Value::Bool(_) => "bool",
        Value::Int(..) | Value::Float(_) => "number",
        Value::String(_) | Value::Bytes(_) => "string",
        Value::List(_) => "array",
        Value::Map(_) | Value::Object(_) => "object",
    }
}

fn mismatch(v: &Value, field: &str, go_ty: &str) -> DecodeError {
    format!(
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field {field} of type {go_ty}",
        type_word(v)
    )
}

/// Field lookup with encoding/json's case-insensitive fallback.
fn field(m: &Map, name: &str) -> Option<Value> {
    if let Some(v) = m.get(name) {
        return Some(v);
    }
    m.entries()
        .into_iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Int(i, _) => Some(i.to_string()),
        Value::Float(f) => Some(format_float_v(*f)),
        _ => None,
    }
}

fn get_string(m: &Map, key: &str, go_field: &str) -> Result<String, DecodeError> {
    match field(m, key) {
        None | Some(Value::Nil) => Ok(String::new()),
        Some(v) => scalar_string(&v).ok_or_else(|| mismatch(&v, go_field, "string")),
    }
}

fn get_bool(m: &Map, key: &str, go_field: &str) -> Result<bool, DecodeError> {
    match field(m, key) {
        None | Some(Value::Nil) => Ok(false),
        Some(Value::Bool(b)) => Ok(b),
        Some(v) => Err(mismatch(&v, go_field, "bool")),
    }
}

fn get_list(m: &Map, key: &str, go_field: &str, go_ty: &str) -> Result<Option<List>, DecodeError> {
    match field(m, key) {
        None | Some(Value::Nil) => Ok(None),
        Some(Value::List(l)) => Ok(Some(l)),
        Some(v) => Err(mismatch(&v, go_field, go_ty)),
    }
}

fn get_strings(m: &Map, key: &str, go_field: &str) -> Result<Vec<String>, DecodeError> {
    let Some(l) = get_list(m, key, go_field, "[]string")? else {
        return Ok(Vec::new());
    };
    l.iter()
        .map(|v| match v {
            Value::Nil => Ok(String::new()),
            v => scalar_string(v).ok_or_else(|| mismatch(v, go_field, "string")),
        })
        .collect()
}

fn sanitize(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if c.is_control() {
                None
            } else {
                Some(c)
            }
        })
        .collect()
}

impl Metadata {
    /// Decodes `Chart.yaml` contents already parsed into a value (or merges
    /// `requirements.yaml` into `self` when `base` is given).
    pub(crate) fn decode_into(&mut self, v: &Value) -> Result<(), DecodeError> {
        let m = match v {
            Value::Map(m) => m.clone(),
            Value::Nil => return Ok(()),
            other => {
                return Err(format!(
                    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type v2.Metadata",
                    type_word(other)
                ));
            }
        };
        let set_s = |dst: &mut String, key: &str, go: &str| -> Result<(), DecodeError> {
            if field(&m, key).is_some() {
                *dst = get_string(&m, key, go)?;
            }
            Ok(())
        };
        set_s(&mut self.name, "name", "Metadata.name")?;
        set_s(&mut self.home, "home", "Metadata.home")?;
        if field(&m, "sources").is_some() {
            self.sources = get_strings(&m, "sources", "Metadata.sources")?;
        }
        set_s(&mut self.version, "version", "Metadata.version")?;
        set_s(&mut self.description, "description", "Metadata.description")?;
        if field(&m, "keywords").is_some() {
            self.keywords = get_strings(&m, "keywords", "Metadata.keywords")?;
        }
        if let Some(l) = get_list(
            &m,
            "maintainers",
            "Metadata.maintainers",
            "[]*v2.Maintainer",
        )? {
            self.maintainers = l
                .iter()
                .map(|v| match v {
                    Value::Map(mm) => Ok(Maintainer {
                        name: get_string(mm, "name", "Maintainer.name")?,
                        email: get_string(mm, "email", "Maintainer.email")?,
                        url: get_string(mm, "url", "Maintainer.url")?,
                    }),
                    Value::Nil => {
                        Err("validation: maintainers must not contain empty or null nodes".into())
                    }
                    v => Err(mismatch(v, "Metadata.maintainers", "v2.Maintainer")),
                })
                .collect::<Result<_, _>>()?;
        }
        set_s(&mut self.icon, "icon", "Metadata.icon")?;
        set_s(&mut self.api_version, "apiVersion", "Metadata.apiVersion")?;
        set_s(&mut self.condition, "condition", "Metadata.condition")?;
        set_s(&mut self.tags, "tags", "Metadata.tags")?;
        set_s(&mut self.app_version, "appVersion", "Metadata.appVersion")?;
        if field(&m, "deprecated").is_some() {
            self.deprecated = get_bool(&m, "deprecated", "Metadata.deprecated")?;
        }
        match field(&m, "annotations") {
            None | Some(Value::Nil) => {}
            Some(Value::Map(a)) => {
                let mut out = Vec::new();
                for (k, v) in a.entries() {
                    let s = match &v {
                        Value::Nil => String::new(),
                        v => scalar_string(v)
                            .ok_or_else(|| mismatch(v, "Metadata.annotations", "string"))?,
                    };
                    out.push((k, s));
                }
                self.annotations = Some(out);
            }
            Some(v) => return Err(mismatch(&v, "Metadata.annotations", "map[string]string")),
        }
        set_s(
            &mut self.kube_version,
            "kubeVersion",
            "Metadata.kubeVersion",
        )?;
        if let Some(l) = get_list(
            &m,
            "dependencies",
            "Metadata.dependencies",
            "[]*v2.Dependency",
        )? {
            self.dependencies = l
                .iter()
                .map(|v| match v {
                    Value::Map(d) => decode_dependency(d),
                    Value::Nil => {
                        Err("validation: dependencies must not contain empty or null nodes".into())
                    }
                    v => Err(mismatch(v, "Metadata.dependencies", "v2.Dependency")),
                })
                .collect::<Result<_, _>>()?;
        }
        set_s(&mut self.chart_type, "type", "Metadata.type")?;
        Ok(())
    }

    /// helm's `Metadata.Validate` (sanitises strings, checks required fields).
    pub(crate) fn validate(&mut self) -> Result<(), String> {
        for s in [
            &mut self.name,
            &mut self.description,
            &mut self.home,
            &mut self.icon,
            &mut self.condition,
            &mut self.tags,
            &mut self.app_version,
            &mut self.kube_version,
        ] {
            *s = sanitize(s);
        }
        for s in self.sources.iter_mut().chain(self.keywords.iter_mut()) {
            *s = sanitize(s);
        }
        if self.api_version.is_empty() {
            return Err("validation: chart.metadata.apiVersion is required".into());
        }
        if self.name.is_empty() {
            return Err("validation: chart.metadata.name is required".into());
        }
        if self.name == "." || self.name == ".." {
            return Err(format!(
                "validation: chart.metadata.name {:?} is not allowed",
                self.name
            ));
        }
        if self.name.contains('/') {
            return Err(format!(
                "validation: chart.metadata.name {:?} is invalid",
                self.name
            ));
        }
        if self.version.is_empty() {
            return Err("validation: chart.metadata.version is required".into());
        }
        if !crate::semver::is_valid_version(&self.version) {
            return Err(format!(
                "validation: chart.metadata.version {:?} is invalid",
                self.version
            ));
        }
        if !matches!(self.chart_type.as_str(), "" | "application" | "library") {
            return Err("validation: chart.metadata.type must be application or library".into());
        }
        for m in &mut self.maintainers {
            m.name = sanitize(&m.name);
            m.email = sanitize(&m.email);
            m.url = sanitize(&m.url);
        }
        let mut seen = std::collections::HashSet::new();
        for d in &mut self.dependencies {
            d.name = sanitize(&d.name);
            d.version = sanitize(&d.version);
            d.repository = sanitize(&d.repository);
            d.condition = sanitize(&d.condition);
            for t in &mut d.tags {
                *t = sanitize(t);
            }
            if !d.alias.is_empty()
                && !d
                    .alias
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(format!(
                    "validation: dependency {:?} has disallowed characters in the alias",
                    d.name
                ));
            }
            let key = if d.alias.is_empty() {
                d.name.clone()
            } else {
                d.alias.clone()
            };
            if !seen.insert(key.clone()) {
                return Err(format!(
                    "validation: more than one dependency with name or alias {key:?}"
                ));
            }
        }
        Ok(())
    }

    /// `.Chart` as helm v4 exposes it: a map with the Go field names and every field.
    pub fn to_value(&self, is_root: bool) -> Value {
        let s = |x: &str| Value::str(x);
        let strs = |v: &[String]| Value::list(v.iter().map(Value::str).collect());
        let m = Map::new();
        m.insert("APIVersion", s(&self.api_version));
        m.insert(
            "Annotations",
            match &self.annotations {
                None => Value::Nil,
                Some(a) => Value::Map(Map::with_elem(
                    a.iter().map(|(k, v)| (k.clone(), Value::str(v))).collect(),
                    gotemplate::ElemTy::String,
                )),
            },
        );
        m.insert("AppVersion", s(&self.app_version));
        m.insert("Condition", s(&self.condition));
        m.insert(
            "Dependencies",
            Value::list(self.dependencies.iter().map(Dependency::to_value).collect()),
        );
        m.insert("Deprecated", Value::Bool(self.deprecated));
        m.insert("Description", s(&self.description));
        m.insert("Home", s(&self.home));
        m.insert("Icon", s(&self.icon));
        m.insert("IsRoot", Value::Bool(is_root));
        m.insert("Keywords", strs(&self.keywords));
        m.insert("KubeVersion", s(&self.kube_version));
        m.insert(
            "Maintainers",
            Value::list(
                self.maintainers
                    .iter()
                    .map(|mt| {
                        let mm = Map::new();
                        mm.insert("Email", s(&mt.email));
                        mm.insert("Name", s(&mt.name));
                        mm.insert("URL", s(&mt.url));
                        Value::Map(mm)
                    })
                    .collect(),
            ),
        );
        m.insert("Name", s(&self.name));
        m.insert("Sources", strs(&self.sources));
        m.insert("Tags", s(&self.tags));
        m.insert("Type", s(&self.chart_type));
        m.insert("Version", s(&self.version));
        Value::Map(m)
    }
}

fn decode_dependency(d: &Map) -> Result<Dependency, DecodeError> {
    let import_values = match get_list(
        d,
        "import-values",
        "Dependency.import-values",
        "[]interface {}",
    )? {
        Some(l) => l.items().to_vec(),
        None => Vec::new(),
    };
    Ok(Dependency {
        name: get_string(d, "name", "Dependency.name")?,
        version: get_string(d, "version", "Dependency.version")?,
        repository: get_string(d, "repository", "Dependency.repository")?,
        condition: get_string(d, "condition", "Dependency.condition")?,
        tags: get_strings(d, "tags", "Dependency.tags")?,
        enabled: get_bool(d, "enabled", "Dependency.enabled")?,
        import_values,
        alias: get_string(d, "alias", "Dependency.alias")?,
    })
}

impl Dependency {
    /// The map form used inside `.Chart.Dependencies`.
    pub fn to_value(&self) -> Value {
        let m = Map::new();
        m.insert("Alias", Value::str(&self.alias));
        m.insert("Condition", Value::str(&self.condition));
        m.insert("Enabled", Value::Bool(self.enabled));
        m.insert("ImportValues", Value::list(self.import_values.clone()));
        m.insert("Name", Value::str(&self.name));
        m.insert("Repository", Value::str(&self.repository));
        m.insert(
            "Tags",
            Value::list(self.tags.iter().map(Value::str).collect()),
        );
        m.insert("Version", Value::str(&self.version));
        Value::Map(m)
    }
}
