//! The tree the reader produces: values with source positions.

use std::fmt;

/// A position in the source text.
///
/// `offset` is a byte offset into the input (after a leading UTF-8 BOM, if any, which counts
/// as three bytes: offsets always index the original input). `line` and `column` are 1-based;
/// the column counts characters (Unicode scalar values), not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    /// Byte offset into the input.
    pub offset: usize,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A resolved YAML node and where it starts in the source.
///
/// Aliases are expanded (the copy keeps the anchored node's spans) and merge keys (`<<`) are
/// applied, so the tree is what goyaml.v2 would hand to Go code as `interface{}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where the node starts (for a block mapping or sequence: its first key or `-`).
    pub span: Span,
}

/// A resolved YAML value, typed by goyaml.v2's YAML 1.1 rules.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~`, empty.
    Null,
    /// `true`, `yes`, `on`, `y`, … (and the `false` forms).
    Bool(bool),
    /// An integer fitting `i64` (Go `int`).
    Int(i64),
    /// An integer above `i64::MAX` (Go `uint64`).
    Uint(u64),
    /// A float, including infinities and NaN.
    Float(f64),
    /// A string (timestamps stay strings, as with goyaml.v2 into `interface{}`).
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping in document order; duplicate keys were resolved (last value wins, at the
    /// position of the first occurrence) unless strict mode rejected them.
    Map(Vec<(Node, Node)>),
}

impl Value {
    /// Go-ish type name for messages (`string`, `int`, `float64`, `bool`, `<nil>`,
    /// `[]interface {}`, `map[interface {}]interface {}`).
    pub fn go_type_name(&self) -> &'static str {
        match self {
            Value::Null => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Uint(_) => "uint64",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::Seq(_) => "[]interface {}",
            Value::Map(_) => "map[interface {}]interface {}",
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// `true` for [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The items, if this is a sequence.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match self {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The entries, if this is a mapping.
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match self {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The number as Go's `float64`, for ints, uints and floats (what Helm holds after its
    /// JSON round trip).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Uint(u) => Some(*u as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }
}

impl Node {
    /// A node with a default (zero) span.
    pub fn new(value: Value) -> Node {
        Node {
            value,
            span: Span::default(),
        }
    }

    /// Looks a key up in a mapping by its JSON key string (see [`crate::json_key`]): `"true"`
    /// finds a `yes:` key, `"1"` finds `1:`. Returns the last matching entry.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .rev()
                .find(|(k, _)| crate::json::json_key(&k.value).ok().as_deref() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The key node (not the value) of a mapping entry, by JSON key string.
    pub fn get_key(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .rev()
                .find(|(k, _)| crate::json::json_key(&k.value).ok().as_deref() == Some(key))
                .map(|(k, _)| k),
            _ => None,
        }
    }

    /// Walks an RFC 6901 JSON pointer (`/spec/containers/0/image`, `~1` = `/`, `~0` = `~`)
    /// through the tree as its JSON view would be walked, and returns the node found.
    /// `""` is the node itself. Use the returned node's [`Node::span`] for line/column.
    pub fn pointer(&self, pointer: &str) -> Option<&Node> {
        if pointer.is_empty() {
            return Some(self);
        }
        let rest = pointer.strip_prefix('/')?;
        let mut cur = self;
        for raw in rest.split('/') {
            let token = unescape_pointer_token(raw);
            cur = match &cur.value {
                Value::Map(_) => cur.get(&token)?,
                Value::Seq(items) => {
                    if token.is_empty()
                        || (token.len() > 1 && token.starts_with('0'))
                        || !token.bytes().all(|b| b.is_ascii_digit())
                    {
                        return None;
                    }
                    items.get(token.parse::<usize>().ok()?)?
                }
                _ => return None,
            };
        }
        Some(cur)
    }

    /// Like [`Node::pointer`], but when the pointer does not resolve completely, returns the
    /// deepest node reached (useful to place "missing property" errors on the parent).
    pub fn pointer_nearest(&self, pointer: &str) -> &Node {
        let Some(rest) = pointer.strip_prefix('/') else {
            return self;
        };
        let mut cur = self;
        for raw in rest.split('/') {
            let token = unescape_pointer_token(raw);
            let next = match &cur.value {
                Value::Map(_) => cur.get(&token),
                Value::Seq(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            };
            match next {
                Some(n) => cur = n,
                None => break,
            }
        }
        cur
    }

    /// Converts to the span-less [`crate::Yaml`] tree the emitter takes.
    pub fn to_yaml(&self) -> crate::Yaml {
        use crate::Yaml;
        match &self.value {
            Value::Null => Yaml::Null,
            Value::Bool(b) => Yaml::Bool(*b),
            Value::Int(i) => Yaml::Int(*i),
            Value::Uint(u) => Yaml::Uint(*u),
            Value::Float(f) => Yaml::Float(*f),
            Value::Str(s) => Yaml::Str(s.clone()),
            Value::Seq(items) => Yaml::Seq(items.iter().map(Node::to_yaml).collect()),
            Value::Map(entries) => Yaml::Map(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_yaml(), v.to_yaml()))
                    .collect(),
            ),
        }
    }
}

fn unescape_pointer_token(raw: &str) -> String {
    if raw.contains('~') {
        raw.replace("~1", "/").replace("~0", "~")
    } else {
        raw.to_string()
    }
}

/// Escapes one JSON-pointer reference token (`~` → `~0`, `/` → `~1`).
pub fn escape_pointer_token(token: &str) -> String {
    if token.contains(['~', '/']) {
        token.replace('~', "~0").replace('/', "~1")
    } else {
        token.to_string()
    }
}
