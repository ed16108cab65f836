//! `values.schema.json` enforcement (helm's `pkg/chart/common/util/jsonschema.go`), with
//! messages in the words of santhosh-tekuri/jsonschema v6, which helm uses.
//!
//! Remote `$ref`s are never fetched (the `jsonschema` crate is built without its HTTP and file
//! resolvers): such a schema fails to compile with an error naming the reference.

use gotemplate::{Map, Value};
use jsonschema::error::{TypeKind, ValidationErrorKind};

use crate::chart::Chart;

/// Validates the coalesced values of `chart` and its subcharts against their schemas.
///
/// # Errors
/// helm's text, one section per failing chart: `<chart>:\n- at '/port': got string, want integer\n`.
pub fn validate_chart(chart: &Chart, values: &Map) -> Result<(), String> {
    SchemaJob::new(chart, values).run()
}

/// The schema checks of a chart tree, taken out of the render's values (which are not
/// `Send`), so that they can run on another thread while the templates render.
pub struct SchemaJob {
    /// In helm's order: a chart's own schema, then its subcharts'.
    steps: Vec<Step>,
}

enum Step {
    /// `(chart name, schema bytes, values as JSON)`.
    Check(String, Vec<u8>, serde_json::Value),
    /// A finding known without a schema (a subchart's values that are not a map).
    Fixed(String),
}

impl SchemaJob {
    /// Collects the checks of `chart` and its subcharts against the coalesced `values`.
    pub fn new(chart: &Chart, values: &Map) -> SchemaJob {
        let mut steps = Vec::new();
        collect(chart, values, &mut steps);
        SchemaJob { steps }
    }

    /// Whether there is nothing to check (no chart in the tree has a schema, all values fit).
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Runs the checks.
    ///
    /// # Errors
    /// As [`validate_chart`].
    pub fn run(self) -> Result<(), String> {
        let mut sb = String::new();
        for step in self.steps {
            match step {
                Step::Check(name, schema, instance) => {
                    if let Err(e) = validate_json(&instance, &schema) {
                        sb.push_str(&format!("{name}:\n{e}"));
                    }
                }
                Step::Fixed(text) => sb.push_str(&text),
            }
        }
        if sb.is_empty() { Ok(()) } else { Err(sb) }
    }

    /// Runs the checks on a new thread (the current one goes on rendering); the result comes
    /// from [`SchemaRun::finish`]. Runs them here when there is nothing to check or no
    /// thread can be started.
    pub fn spawn(self) -> SchemaRun {
        if self.steps.is_empty() {
            return SchemaRun::Done(Ok(()));
        }
        // Shared so that the job is not lost if the thread cannot start.
        let job = std::sync::Arc::new(std::sync::Mutex::new(Some(self)));
        let theirs = job.clone();
        let spawned = std::thread::Builder::new()
            .name("values-schema".into())
            .spawn(move || {
                let taken = theirs.lock().ok().and_then(|mut g| g.take());
                taken.map(SchemaJob::run)
            });
        match spawned {
            Ok(handle) => SchemaRun::Thread(handle),
            Err(_) => {
                let taken = job.lock().ok().and_then(|mut g| g.take());
                SchemaRun::Done(taken.map_or(Ok(()), SchemaJob::run))
            }
        }
    }
}

/// A schema check under way ([`SchemaJob::spawn`]).
pub enum SchemaRun {
    /// Finished already.
    Done(Result<(), String>),
    /// Running on a thread.
    Thread(std::thread::JoinHandle<Option<Result<(), String>>>),
}

impl SchemaRun {
    /// Waits for the checks.
    ///
    /// # Errors
    /// As [`validate_chart`]; a check that panicked is reported as an error, not re-raised.
    pub fn finish(self) -> Result<(), String> {
        match self {
            SchemaRun::Done(r) => r,
            SchemaRun::Thread(handle) => match handle.join() {
                Ok(r) => r.unwrap_or(Ok(())),
                Err(_) => Err("values.schema.json validation failed unexpectedly".into()),
            },
        }
    }
}

fn collect(chart: &Chart, values: &Map, steps: &mut Vec<Step>) {
    if let Some(schema) = &chart.schema {
        steps.push(Step::Check(
            chart.name().to_string(),
            schema.to_vec(),
            crate::convert::value_to_json(&Value::Map(values.clone())),
        ));
    }
    for sub in &chart.dependencies {
        match values.get(sub.name()) {
            None | Some(Value::Nil) => {}
            Some(Value::Map(m)) => collect(sub, &m, steps),
            Some(other) => steps.push(Step::Fixed(format!(
                "{}:\ninvalid type for values: expected object (map), got {}\n",
                sub.name(),
                other.go_type()
            ))),
        }
    }
}

fn quote_json(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => format!("'{s}'"),
        other => other.to_string(),
    }
}

fn type_word(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

fn message(kind: &ValidationErrorKind, instance: &serde_json::Value) -> String {
    let num = |v: &serde_json::Value| v.to_string();
    let list = |names: &[String]| {
        names
            .iter()
            .map(|n| format!("'{n}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match kind {
        ValidationErrorKind::Type { kind } => {
            let want = match kind {
                TypeKind::Single(t) => t.to_string(),
                TypeKind::Multiple(set) => {
                    let mut v: Vec<String> = set.iter().map(|t| t.to_string()).collect();
                    v.sort();
                    v.join(" or ")
                }
            };
            format!("got {}, want {want}", type_word(instance))
        }
        ValidationErrorKind::Required { property } => match property {
            serde_json::Value::String(s) => format!("missing property '{s}'"),
            p => format!("missing property {p}"),
        },
        ValidationErrorKind::Constant { expected_value } => {
            format!("value must be {}", quote_json(expected_value))
        }
        ValidationErrorKind::Enum { options } => match options.as_ref() {
            serde_json::Value::Array(a) => {
                format!(
                    "value must be one of {}",
                    a.iter().map(quote_json).collect::<Vec<_>>().join(", ")
                )
            }
            o => format!("value must be one of {}", quote_json(o)),
        },
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            format!("additional properties {} not allowed", list(unexpected))
        }
        ValidationErrorKind::Minimum { limit } => {
            format!("minimum: got {}, want {}", num(instance), num(limit))
        }
        ValidationErrorKind::Maximum { limit } => {
            format!("maximum: got {}, want {}", num(instance), num(limit))
        }
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            format!(
                "exclusiveMinimum: got {}, want {}",
                num(instance),
                num(limit)
            )
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            format!(
                "exclusiveMaximum: got {}, want {}",
                num(instance),
                num(limit)
            )
        }
        ValidationErrorKind::MinLength { limit } => {
            format!(
                "minLength: got {}, want {limit}",
                instance.as_str().map(|s| s.chars().count()).unwrap_or(0)
            )
        }
        ValidationErrorKind::MaxLength { limit } => {
            format!(
                "maxLength: got {}, want {limit}",
                instance.as_str().map(|s| s.chars().count()).unwrap_or(0)
            )
        }
        ValidationErrorKind::MinItems { limit } => {
            format!(
                "minItems: got {}, want {limit}",
                instance.as_array().map(Vec::len).unwrap_or(0)
            )
        }
        ValidationErrorKind::MaxItems { limit } => {
            format!(
                "maxItems: got {}, want {limit}",
                instance.as_array().map(Vec::len).unwrap_or(0)
            )
        }
        ValidationErrorKind::MinProperties { limit } => {
            format!(
                "minProperties: got {}, want {limit}",
                instance.as_object().map(|o| o.len()).unwrap_or(0)
            )
        }
        ValidationErrorKind::MaxProperties { limit } => {
            format!(
                "maxProperties: got {}, want {limit}",
                instance.as_object().map(|o| o.len()).unwrap_or(0)
            )
        }
        ValidationErrorKind::Pattern { pattern } => {
            format!(
                "{} does not match pattern '{pattern}'",
                quote_json(instance)
            )
        }
        ValidationErrorKind::Format { format } => {
            format!("{} is not valid {format}", quote_json(instance))
        }
        ValidationErrorKind::FalseSchema => "false schema".into(),
        ValidationErrorKind::UniqueItems => "items are not unique".into(),
        ValidationErrorKind::MultipleOf { .. } => {
            let want = kind_limit_text(kind);
            format!("multipleOf: got {}, want {want}", num(instance))
        }
        ValidationErrorKind::OneOfNotValid { .. } | ValidationErrorKind::AnyOf { .. } => {
            let k = if matches!(kind, ValidationErrorKind::AnyOf { .. }) {
                "anyOf"
            } else {
                "oneOf"
            };
            format!("{k} failed, none matched")
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            "oneOf failed, more than one matched".into()
        }
        ValidationErrorKind::Not { .. } => "not failed".into(),
        other => format!("{other:?}"),
    }
}

fn kind_limit_text(kind: &ValidationErrorKind) -> String {
    // `MultipleOf`'s field differs with the `arbitrary-precision` feature; use Debug text.
    let dbg = format!("{kind:?}");
    dbg.split(':')
        .nth(1)
        .map(|s| s.trim().trim_end_matches('}').trim().to_string())
        .unwrap_or_default()
}

/// One chart's schema against its values; the error text as helm prints it (after the
/// `jsonschema validation failed with 'file:///values.schema.json#'` line).
pub fn validate_single(values: &Map, schema: &[u8]) -> Result<(), String> {
    validate_json(
        &crate::convert::value_to_json(&Value::Map(values.clone())),
        schema,
    )
}

/// [`validate_single`] on values already converted to JSON.
fn validate_json(instance: &serde_json::Value, schema: &[u8]) -> Result<(), String> {
    let schema_json: serde_json::Value = serde_json::from_slice(schema)
        .map_err(|e| format!("failed to parse values.schema.json: {e}"))?;
    let validator = jsonschema::options()
        .build(&schema_json)
        .map_err(|e| format!("failed to compile values.schema.json: {e}"))?;
    // Group by the first path segment, as santhosh's nested output reads.
    let mut groups: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let mut required: Vec<String> = Vec::new();
    for e in validator.iter_errors(instance) {
        let path = e.instance_path().to_string();
        if let ValidationErrorKind::Required {
            property: serde_json::Value::String(p),
        } = e.kind()
            && path.is_empty()
        {
            required.push(p.clone());
            continue;
        }
        let msg = message(e.kind(), e.instance());
        let top = path.split('/').take(2).collect::<Vec<_>>().join("/");
        match groups.iter_mut().find(|g| g.0 == top) {
            Some(g) => g.1.push((path, msg)),
            None => groups.push((top, vec![(path, msg)])),
        }
    }
    let mut out = String::new();
    if !required.is_empty() {
        let props = required
            .iter()
            .map(|p| format!("'{p}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let word = if required.len() == 1 {
            "property"
        } else {
            "properties"
        };
        out.push_str(&format!("- at '': missing {word} {props}\n"));
    }
    for (top, errs) in groups {
        if errs.len() == 1 {
            out.push_str(&format!("- at '{}': {}\n", errs[0].0, errs[0].1));
        } else {
            out.push_str(&format!("- at '{top}': validation failed\n"));
            for (p, m) in errs {
                out.push_str(&format!("  - at '{p}': {m}\n"));
            }
        }
    }
    if out.is_empty() { Ok(()) } else { Err(out) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_like_helm() {
        let schema = br#"{"type":"object","required":["name"],"properties":{"port":{"type":"integer"},"mode":{"enum":["a","b"]}}}"#;
        let vals = crate::testutil::map(r#"{"name":"x","port":"5"}"#);
        assert_eq!(
            validate_single(&vals, schema).unwrap_err(),
            "- at '/port': got string, want integer\n"
        );
        let vals = crate::testutil::map(r#"{"port":80,"mode":"c"}"#);
        assert_eq!(
            validate_single(&vals, schema).unwrap_err(),
            "- at '': missing property 'name'\n- at '/mode': value must be one of 'a', 'b'\n"
        );
        let vals = crate::testutil::map(r#"{"name":"x","port":80}"#);
        assert!(validate_single(&vals, schema).is_ok());
    }
}
