//! Masterminds/semver v3.4.0 (the version linked into helm 4.1.4): loose version parsing
//! (`v1`, `1.2`, `1.2.3-rc.1+build`) and constraints (`>=1.21-0`, `^1.2`, `~1.2.x`,
//! `1.2 - 1.4`, `>=1, <2 || 3.x`). Used by `semver`/`semverCompare` and by the chart layer for
//! dependency versions and `kubeVersion`.

use std::cmp::Ordering;
use std::fmt;
use std::rc::Rc;
use std::sync::OnceLock;

use gotemplate::{FuncError, FuncMap, IntTy, Object, Ty, Value};
use regex::Regex;

use crate::{arg_str, ok, reg};

pub(crate) fn register(m: &mut FuncMap) {
    reg(m, "semverCompare", &[Ty::String, Ty::String], |a| {
        let c = Constraints::parse(&arg_str(a, 0)).map_err(|e| FuncError::Call(e.0))?;
        let v = Version::parse(&arg_str(a, 1)).map_err(|e| FuncError::Call(e.0))?;
        ok(c.matches(&v))
    });
    reg(m, "semver", &[Ty::String], |a| {
        let v = Version::parse(&arg_str(a, 0)).map_err(|e| FuncError::Call(e.0))?;
        Ok(Value::Object(Rc::new(VersionObject { v, ptr: true })))
    });
}

/// A semver parse error, with Masterminds' message (`invalid semantic version`,
/// `improper constraint: foo`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SemverError(pub String);

impl fmt::Display for SemverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SemverError {}

fn err(s: &str) -> SemverError {
    SemverError(s.to_string())
}

/// A semantic version as Masterminds/semver's `NewVersion` parses it (coercing `1.2` to
/// `1.2.0`; a leading `v` is allowed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// Major number.
    pub major: u64,
    /// Minor number.
    pub minor: u64,
    /// Patch number.
    pub patch: u64,
    /// Pre-release (after `-`), empty when absent.
    pub pre: String,
    /// Build metadata (after `+`), empty when absent.
    pub metadata: String,
    /// The text it was parsed from.
    pub original: String,
}

const NUM: &str = "0123456789";

fn contains_only(s: &str, allowed: &str) -> bool {
    s.chars().all(|c| allowed.contains(c))
}

fn is_allowed(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn validate_prerelease(p: &str) -> Result<(), SemverError> {
    for part in p.split('.') {
        if part.is_empty() {
            return Err(err("invalid prerelease string"));
        } else if contains_only(part, NUM) {
            if part.len() > 1 && part.starts_with('0') {
                return Err(err("version segment starts with 0"));
            }
        } else if !is_allowed(part) {
            return Err(err("invalid prerelease string"));
        }
    }
    Ok(())
}

fn validate_metadata(m: &str) -> Result<(), SemverError> {
    for part in m.split('.') {
        if part.is_empty() || !is_allowed(part) {
            return Err(err("invalid metadata string"));
        }
    }
    Ok(())
}

fn loose_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(concat!(
            r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?",
            r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?",
            r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$"
        ))
        .expect("static regex")
    })
}

fn parse_seg(s: &str) -> Result<u64, SemverError> {
    s.parse::<u64>().map_err(|_| {
        SemverError(format!(
            "error parsing version segment: strconv.ParseUint: parsing {}: value out of range",
            crate::fmt::quote(s)
        ))
    })
}

impl Version {
    /// Masterminds' `NewVersion` (with `CoerceNewVersion`, the default).
    pub fn parse(v: &str) -> Result<Version, SemverError> {
        let m = loose_re()
            .captures(v)
            .ok_or_else(|| err("invalid semantic version"))?;
        let g = |i: usize| m.get(i).map(|x| x.as_str()).unwrap_or("");
        let mut out = Version {
            major: parse_seg(g(1))?,
            minor: 0,
            patch: 0,
            pre: g(5).to_string(),
            metadata: g(8).to_string(),
            original: v.to_string(),
        };
        if !g(2).is_empty() {
            out.minor = parse_seg(&g(2)[1..])?;
        }
        if !g(3).is_empty() {
            out.patch = parse_seg(&g(3)[1..])?;
        }
        if !out.pre.is_empty() {
            validate_prerelease(&out.pre)?;
        }
        if !out.metadata.is_empty() {
            validate_metadata(&out.metadata)?;
        }
        Ok(out)
    }

    /// Masterminds' `Compare`: numbers, then pre-release (a release sorts after its
    /// pre-releases); metadata is ignored.
    pub fn compare(&self, o: &Version) -> Ordering {
        self.major
            .cmp(&o.major)
            .then(self.minor.cmp(&o.minor))
            .then(self.patch.cmp(&o.patch))
            .then_with(|| match (self.pre.is_empty(), o.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_prerelease(&self.pre, &o.pre),
            })
    }

    fn v_prefix(&self) -> &str {
        if self.original.starts_with('v') {
            "v"
        } else {
            ""
        }
    }

    fn with_original(mut self, prefix: &str) -> Version {
        self.original = format!("{prefix}{self}");
        self
    }
}

impl std::str::FromStr for Version {
    type Err = SemverError;
    fn from_str(s: &str) -> Result<Version, SemverError> {
        Version::parse(s)
    }
}

impl std::str::FromStr for Constraints {
    type Err = SemverError;
    fn from_str(s: &str) -> Result<Constraints, SemverError> {
        Constraints::parse(s)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let sa: Vec<&str> = a.split('.').collect();
    let sb: Vec<&str> = b.split('.').collect();
    for i in 0..sa.len().max(sb.len()) {
        let x = sa.get(i).copied().unwrap_or("");
        let y = sb.get(i).copied().unwrap_or("");
        let d = compare_pre_part(x, y);
        if d != Ordering::Equal {
            return d;
        }
    }
    Ordering::Equal
}

fn compare_pre_part(s: &str, o: &str) -> Ordering {
    if s == o {
        return Ordering::Equal;
    }
    if s.is_empty() {
        return Ordering::Less;
    }
    if o.is_empty() {
        return Ordering::Greater;
    }
    match (s.parse::<u64>(), o.parse::<u64>()) {
        (Err(_), Err(_)) => {
            if s > o {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Ok(x), Ok(y)) => {
            if x > y {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    TildeOrEqual,
    NotEqual,
    Gt,
    Lt,
    Ge,
    Le,
    Tilde,
    Caret,
}

#[derive(Debug, Clone)]
struct Constraint {
    con: Version,
    orig: String,
    op: Op,
    minor_dirty: bool,
    patch_dirty: bool,
    dirty: bool,
}

/// A parsed constraint set: `||`-separated groups of comma/space-separated constraints.
#[derive(Debug, Clone)]
pub struct Constraints {
    groups: Vec<Vec<Constraint>>,
    contains_pre: Vec<bool>,
    /// Let pre-release versions match even when the constraint names none.
    pub include_prerelease: bool,
}

const OPS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";
const CV: &str = concat!(
    r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?",
    r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?",
    r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
);
const SP: &str = r"[\t\n\f\r ]";

struct Res {
    constraint: Regex,
    range: Regex,
    find: Regex,
    valid: Regex,
}

fn res() -> &'static Res {
    static R: OnceLock<Res> = OnceLock::new();
    R.get_or_init(|| Res {
        constraint: Regex::new(&format!(r"^{SP}*({OPS}){SP}*({CV}){SP}*$")).expect("static regex"),
        range: Regex::new(&format!(r"{SP}*({CV}){SP}+-{SP}+({CV}){SP}*")).expect("static regex"),
        find: Regex::new(&format!(r"({OPS}){SP}*({CV})")).expect("static regex"),
        valid: Regex::new(&format!(
            r"^({SP}*({OPS}){SP}*({CV}){SP}*)((?:{SP}+|,{SP}*)({OPS}){SP}*({CV}){SP}*)*$"
        ))
        .expect("static regex"),
    })
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "*" | "X")
}

fn rewrite_range(i: &str) -> String {
    let r = &res().range;
    let mut o = i.to_string();
    for c in r.captures_iter(i) {
        let whole = c.get(0).map(|m| m.as_str()).unwrap_or("");
        let t = format!(
            ">= {}, <= {} ",
            c.get(1).map(|m| m.as_str()).unwrap_or(""),
            c.get(11).map(|m| m.as_str()).unwrap_or("")
        );
        o = o.replacen(whole, &t, 1);
    }
    o
}

fn parse_constraint(c: &str) -> Result<Constraint, SemverError> {
    if c.is_empty() {
        return Ok(Constraint {
            con: Version::parse("0.0.0")?,
            orig: String::new(),
            op: Op::TildeOrEqual,
            minor_dirty: false,
            patch_dirty: false,
            dirty: true,
        });
    }
    let m = res()
        .constraint
        .captures(c)
        .ok_or_else(|| SemverError(format!("improper constraint: {c}")))?;
    let g = |i: usize| m.get(i).map(|x| x.as_str()).unwrap_or("");
    let op = match g(1) {
        "" | "=" => Op::TildeOrEqual,
        "!=" => Op::NotEqual,
        ">" => Op::Gt,
        "<" => Op::Lt,
        ">=" | "=>" => Op::Ge,
        "<=" | "=<" => Op::Le,
        "~" | "~>" => Op::Tilde,
        _ => Op::Caret,
    };
    let (mut minor_dirty, mut patch_dirty, mut dirty) = (false, false, false);
    let mut ver = g(2).to_string();
    if is_x(g(3)) || g(3).is_empty() {
        ver = format!("0.0.0{}", g(6));
        dirty = true;
    } else if is_x(g(4).trim_start_matches('.')) || g(4).is_empty() {
        minor_dirty = true;
        dirty = true;
        ver = format!("{}.0.0{}", g(3), g(6));
    } else if is_x(g(5).trim_start_matches('.')) || g(5).is_empty() {
        dirty = true;
        patch_dirty = true;
        ver = format!("{}{}.0{}", g(3), g(4), g(6));
    }
    let con = Version::parse(&ver).map_err(|_| err("constraint parser error"))?;
    Ok(Constraint {
        con,
        orig: g(2).to_string(),
        op,
        minor_dirty,
        patch_dirty,
        dirty,
    })
}

impl Constraints {
    /// Masterminds' `NewConstraint`.
    pub fn parse(c: &str) -> Result<Constraints, SemverError> {
        let c = rewrite_range(c);
        let mut groups = Vec::new();
        let mut contains_pre = Vec::new();
        for part in c.split("||") {
            if !res().valid.is_match(part) {
                return Err(SemverError(format!("improper constraint: {part}")));
            }
            let mut cs: Vec<&str> = res().find.find_iter(part).map(|m| m.as_str()).collect();
            if cs.is_empty() {
                cs.push(part);
            }
            let mut group = Vec::new();
            let mut pre = false;
            for s in cs {
                let pc = parse_constraint(s)?;
                if !pc.con.pre.is_empty() {
                    pre = true;
                }
                group.push(pc);
            }
            groups.push(group);
            contains_pre.push(pre);
        }
        Ok(Constraints {
            groups,
            contains_pre,
            include_prerelease: false,
        })
    }

    /// Masterminds' `Check`: whether any `||` group is satisfied entirely.
    pub fn matches(&self, v: &Version) -> bool {
        self.groups.iter().enumerate().any(|(i, g)| {
            let pre = self.include_prerelease || self.contains_pre[i];
            g.iter().all(|c| check(c, v, pre))
        })
    }
}

impl fmt::Display for Constraints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let groups: Vec<String> = self
            .groups
            .iter()
            .map(|g| {
                g.iter()
                    .map(|c| format!("{}{}", op_str(c.op), c.orig))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        f.write_str(&groups.join(" || "))
    }
}

fn op_str(op: Op) -> &'static str {
    match op {
        Op::TildeOrEqual => "",
        Op::NotEqual => "!=",
        Op::Gt => ">",
        Op::Lt => "<",
        Op::Ge => ">=",
        Op::Le => "<=",
        Op::Tilde => "~",
        Op::Caret => "^",
    }
}

fn check(c: &Constraint, v: &Version, include_pre: bool) -> bool {
    if !v.pre.is_empty() && !include_pre {
        return false;
    }
    let cmp = v.compare(&c.con);
    match c.op {
        Op::NotEqual => {
            if c.dirty {
                if c.con.major != v.major {
                    return true;
                }
                if c.con.minor != v.minor && !c.minor_dirty {
                    return true;
                } else if c.minor_dirty {
                    return false;
                } else if c.con.patch != v.patch && !c.patch_dirty {
                    return true;
                } else if c.patch_dirty {
                    if !v.pre.is_empty() || !c.con.pre.is_empty() {
                        return compare_prerelease(&v.pre, &c.con.pre) != Ordering::Equal;
                    }
                    return false;
                }
            }
            cmp != Ordering::Equal
        }
        Op::Gt => {
            if !c.dirty {
                return cmp == Ordering::Greater;
            }
            if v.major > c.con.major {
                true
            } else if v.major < c.con.major || c.minor_dirty {
                false
            } else if c.patch_dirty {
                v.minor > c.con.minor
            } else {
                cmp == Ordering::Greater
            }
        }
        Op::Lt => cmp == Ordering::Less,
        Op::Ge => cmp != Ordering::Less,
        Op::Le => {
            if !c.dirty {
                return cmp != Ordering::Greater;
            }
            if v.major > c.con.major {
                return false;
            }
            !(v.major == c.con.major && v.minor > c.con.minor && !c.minor_dirty)
        }
        Op::Tilde => tilde(c, v, cmp),
        Op::TildeOrEqual => {
            if c.dirty {
                tilde(c, v, cmp)
            } else {
                cmp == Ordering::Equal
            }
        }
        Op::Caret => {
            if cmp == Ordering::Less {
                return false;
            }
            if c.con.major > 0 || c.minor_dirty {
                return v.major == c.con.major;
            }
            if c.con.major == 0 && v.major > 0 {
                return false;
            }
            if c.con.minor > 0 || c.patch_dirty {
                return v.minor == c.con.minor;
            }
            if c.con.minor == 0 && v.minor > 0 {
                return false;
            }
            c.con.patch == v.patch
        }
    }
}

fn tilde(c: &Constraint, v: &Version, cmp: Ordering) -> bool {
    if cmp == Ordering::Less {
        return false;
    }
    if c.con.major == 0 && c.con.minor == 0 && c.con.patch == 0 && !c.minor_dirty && !c.patch_dirty
    {
        return true;
    }
    if v.major != c.con.major {
        return false;
    }
    v.minor == c.con.minor || c.minor_dirty
}

/// `*semver.Version` (from `semver`) or `semver.Version` (from `IncMajor` & co.) as a
/// template object.
#[derive(Debug)]
struct VersionObject {
    v: Version,
    ptr: bool,
}

fn other_version(args: &[Value]) -> Result<Version, String> {
    match args.first() {
        Some(Value::Object(o)) => {
            if let Some(vo) = o.as_any().and_then(|a| a.downcast_ref::<VersionObject>()) {
                return Ok(vo.v.clone());
            }
            Err(format!(
                "wrong type for value; expected *semver.Version; got {}",
                o.type_name()
            ))
        }
        Some(v) => Err(format!(
            "wrong type for value; expected *semver.Version; got {}",
            v.go_type()
        )),
        None => Err("wrong number of args: want 1 got 0".into()),
    }
}

impl Object for VersionObject {
    fn type_name(&self) -> String {
        if self.ptr {
            "*semver.Version".into()
        } else {
            "semver.Version".into()
        }
    }

    fn kind_name(&self) -> &'static str {
        if self.ptr { "ptr" } else { "struct" }
    }

    fn field(&self, _name: &str) -> Option<Value> {
        None
    }

    fn has_method(&self, name: &str) -> bool {
        matches!(
            name,
            "Major"
                | "Minor"
                | "Patch"
                | "Prerelease"
                | "Metadata"
                | "Original"
                | "String"
                | "IncMajor"
                | "IncMinor"
                | "IncPatch"
                | "Compare"
                | "LessThan"
                | "LessThanEqual"
                | "GreaterThan"
                | "GreaterThanEqual"
                | "Equal"
        )
    }

    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let v = &self.v;
        let wrap = |n: Version| Value::Object(Rc::new(VersionObject { v: n, ptr: false }));
        Some(Ok(match name {
            "Major" => Value::Int(v.major as i64, IntTy::Uint64),
            "Minor" => Value::Int(v.minor as i64, IntTy::Uint64),
            "Patch" => Value::Int(v.patch as i64, IntTy::Uint64),
            "Prerelease" => Value::str(&v.pre),
            "Metadata" => Value::str(&v.metadata),
            "Original" => Value::str(&v.original),
            "String" => Value::str(v.to_string()),
            "IncMajor" => {
                let n = Version {
                    major: v.major + 1,
                    minor: 0,
                    patch: 0,
                    pre: String::new(),
                    metadata: String::new(),
                    original: String::new(),
                };
                wrap(n.with_original(v.v_prefix()))
            }
            "IncMinor" => {
                let n = Version {
                    minor: v.minor + 1,
                    patch: 0,
                    pre: String::new(),
                    metadata: String::new(),
                    ..v.clone()
                };
                wrap(n.with_original(v.v_prefix()))
            }
            "IncPatch" => {
                let patch = if v.pre.is_empty() {
                    v.patch + 1
                } else {
                    v.patch
                };
                let n = Version {
                    patch,
                    pre: String::new(),
                    metadata: String::new(),
                    ..v.clone()
                };
                wrap(n.with_original(v.v_prefix()))
            }
            "Compare" | "LessThan" | "LessThanEqual" | "GreaterThan" | "GreaterThanEqual"
            | "Equal" => {
                let o = match other_version(args) {
                    Ok(o) => o,
                    Err(e) => return Some(Err(e)),
                };
                let c = v.compare(&o);
                match name {
                    "Compare" => Value::int(c as i64),
                    "LessThan" => Value::Bool(c == Ordering::Less),
                    "LessThanEqual" => Value::Bool(c != Ordering::Greater),
                    "GreaterThan" => Value::Bool(c == Ordering::Greater),
                    "GreaterThanEqual" => Value::Bool(c != Ordering::Less),
                    _ => Value::Bool(c == Ordering::Equal),
                }
            }
            _ => return None,
        }))
    }

    fn to_value(&self) -> Option<Value> {
        Some(Value::str(self.v.to_string()))
    }

    fn format_v(&self) -> Option<String> {
        Some(self.v.to_string())
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sc(c: &str, v: &str) -> bool {
        Constraints::parse(c)
            .unwrap()
            .matches(&Version::parse(v).unwrap())
    }

    #[test]
    fn constraints() {
        assert!(sc(">=1.21-0", "1.30.0"));
        assert!(sc(">=1.21-0", "1.21.0-gke.100"));
        assert!(!sc(">=1.21", "1.21.0-gke.100"));
        assert!(sc(">=1.21-0", "v1.35.0"));
        assert!(!sc("<1.19-0", "1.35.0"));
        assert!(sc("^1.2.3", "1.9.0"));
        assert!(!sc("^1.2.3", "2.0.0"));
        assert!(sc("~1.2.3", "1.2.9"));
        assert!(!sc("~1.2.3", "1.3.0"));
        assert!(sc("1.2.x", "1.2.7"));
        assert!(sc("1.2 - 1.4", "1.3.5"));
        assert!(!sc("1.2 - 1.4", "1.5.0"));
        assert!(sc(">=1, <2 || 3.x", "3.1.0"));
        assert!(sc("*", "3.1.0"));
        assert!(Constraints::parse("").is_err());
        assert!(sc("!=1.2.3", "1.2.4"));
        assert!(sc("^0.2.3", "0.2.5"));
        assert!(!sc("^0.2.3", "0.3.0"));
        assert!(sc("> 1.2", "1.3.0"));
        assert!(!sc("> 1.2", "1.2.5"));
        assert!(sc("<= 1.2", "1.2.5"));
    }

    #[test]
    fn parse_errors() {
        assert_eq!(
            Version::parse("x").unwrap_err().0,
            "invalid semantic version"
        );
        assert_eq!(
            Constraints::parse("foo").unwrap_err().0,
            "improper constraint: foo"
        );
        assert_eq!(Version::parse("1.2").unwrap().to_string(), "1.2.0");
        assert_eq!(
            Version::parse("v1.2.3-01").unwrap_err().0,
            "version segment starts with 0"
        );
    }
}
