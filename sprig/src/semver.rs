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

/// The parts of a version as Masterminds' loose pattern captures them:
/// `^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-(IDENT(\.IDENT)*))?(\+(IDENT(\.IDENT)*))?$` with
/// `IDENT = [0-9A-Za-z-]+`. A hand-written scan of that pattern: compiling the regex cost about
/// a millisecond in every process that calls `semverCompare`.
#[derive(Debug, PartialEq, Eq)]
struct LooseParts<'a> {
    major: &'a str,
    /// Without the dot; empty when absent.
    minor: &'a str,
    /// Without the dot; empty when absent.
    patch: &'a str,
    /// Without the `-`; empty when absent.
    pre: &'a str,
    /// Without the `+`; empty when absent.
    metadata: &'a str,
}

/// Bytes `[0-9]` from `i`; returns the end.
fn digits_end(b: &[u8], i: usize) -> usize {
    let mut j = i;
    while j < b.len() && b[j].is_ascii_digit() {
        j += 1;
    }
    j
}

/// `IDENT(\.IDENT)*` from `i` (`IDENT = [0-9A-Za-z-]+`); returns the end, or `None` when
/// no identifier starts at `i`. A trailing `.` is not part of the match.
fn dotted_idents_end(b: &[u8], i: usize) -> Option<usize> {
    let ident = |b: &[u8], i: usize| {
        let mut j = i;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'-') {
            j += 1;
        }
        (j > i).then_some(j)
    };
    let mut end = ident(b, i)?;
    while end < b.len() && b[end] == b'.' {
        match ident(b, end + 1) {
            Some(e) => end = e,
            None => break,
        }
    }
    Some(end)
}

impl<'a> LooseParts<'a> {
    fn scan(v: &'a str) -> Option<LooseParts<'a>> {
        let b = v.as_bytes();
        let mut i = usize::from(b.first() == Some(&b'v'));
        let start = i;
        i = digits_end(b, i);
        if i == start {
            return None;
        }
        let major = &v[start..i];
        let mut dotted = [""; 2];
        for slot in &mut dotted {
            if i < b.len() && b[i] == b'.' {
                let e = digits_end(b, i + 1);
                if e > i + 1 {
                    *slot = &v[i + 1..e];
                    i = e;
                    continue;
                }
            }
            break;
        }
        let mut pre = "";
        if i < b.len() && b[i] == b'-' {
            let e = dotted_idents_end(b, i + 1)?;
            pre = &v[i + 1..e];
            i = e;
        }
        let mut metadata = "";
        if i < b.len() && b[i] == b'+' {
            let e = dotted_idents_end(b, i + 1)?;
            metadata = &v[i + 1..e];
            i = e;
        }
        (i == b.len()).then_some(LooseParts {
            major,
            minor: dotted[0],
            patch: dotted[1],
            pre,
            metadata,
        })
    }
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
        let m = LooseParts::scan(v).ok_or_else(|| err("invalid semantic version"))?;
        let mut out = Version {
            major: parse_seg(m.major)?,
            minor: 0,
            patch: 0,
            pre: m.pre.to_string(),
            metadata: m.metadata.to_string(),
            original: v.to_string(),
        };
        if !m.minor.is_empty() {
            out.minor = parse_seg(m.minor)?;
        }
        if !m.patch.is_empty() {
            out.patch = parse_seg(m.patch)?;
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
    constraint_from_parts(g(1), g(2), g(3), g(4), g(5), g(6))
}

/// A constraint from the captures of Masterminds' constraint pattern: the operator, the
/// whole version text, its major part, `.minor` and `.patch` (dot included) and `-pre` (dash
/// included), each empty when absent.
fn constraint_from_parts(
    op: &str,
    cv: &str,
    major: &str,
    minor: &str,
    patch: &str,
    pre: &str,
) -> Result<Constraint, SemverError> {
    let g = |i: usize| match i {
        1 => op,
        2 => cv,
        3 => major,
        4 => minor,
        5 => patch,
        _ => pre,
    };
    let op = match op {
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

/// The operators of Masterminds' pattern, two-character ones first.
const OPERATORS: [&str; 11] = ["!=", ">=", "=>", "<=", "=<", "~>", ">", "<", "=", "~", "^"];

fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0c | b'\r' | b' ')
}

/// A version part of a constraint: `[0-9]+` or one of `x`, `X`, `*`; returns the end.
fn cv_number_end(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i) {
        Some(b'x' | b'X' | b'*') => Some(i + 1),
        Some(c) if c.is_ascii_digit() => Some(digits_end(b, i)),
        _ => None,
    }
}

/// One constraint of a well-formed group starting at `i` (`OP? SP* VERSION`), parsed as the
/// regular-expression path would; returns it and its end.
fn simple_item(s: &str, i: usize) -> Option<(Constraint, usize)> {
    let b = s.as_bytes();
    let op = OPERATORS
        .iter()
        .find(|o| s[i..].starts_with(**o))
        .map_or("", |o| *o);
    let mut j = i + op.len();
    while j < b.len() && is_space(b[j]) {
        j += 1;
    }
    let cv_start = j;
    if b.get(j) == Some(&b'v') {
        j += 1;
    }
    let major_start = j;
    j = cv_number_end(b, j)?;
    let major = &s[major_start..j];
    let mut dotted = [""; 2];
    for slot in &mut dotted {
        if b.get(j) == Some(&b'.') {
            let e = cv_number_end(b, j + 1)?;
            *slot = &s[j..e];
            j = e;
        } else {
            break;
        }
    }
    let mut pre = "";
    if b.get(j) == Some(&b'-') {
        let e = dotted_idents_end(b, j + 1)?;
        pre = &s[j..e];
        j = e;
    }
    if b.get(j) == Some(&b'+') {
        j = dotted_idents_end(b, j + 1)?;
    }
    // The version must end at a separator (or the end), else the text is not well formed.
    if j < b.len() && !(is_space(b[j]) || b[j] == b',') {
        return None;
    }
    let c = constraint_from_parts(op, &s[cv_start..j], major, dotted[0], dotted[1], pre).ok()?;
    Some((c, j))
}

/// The common, well-formed constraint strings (`>=1.21-0`, `^1.2.x, <2 || 3.x`) parsed
/// without regular expressions: `None` for anything else (ranges with ` - `, odd spacing or
/// characters, errors), which then takes the regular-expression path. Both paths give the same
/// result on what this accepts; compiling the patterns cost about a millisecond per process.
fn parse_simple(c: &str) -> Option<Constraints> {
    if c.contains('|') && c.split("||").any(|p| p.contains('|')) {
        return None;
    }
    let mut groups = Vec::new();
    let mut contains_pre = Vec::new();
    for part in c.split("||") {
        let b = part.as_bytes();
        let mut i = 0;
        let mut group = Vec::new();
        let mut pre = false;
        loop {
            while i < b.len() && is_space(b[i]) {
                i += 1;
            }
            if i == b.len() {
                break;
            }
            if !group.is_empty() {
                // After a comma a constraint must follow (`1.2,` is improper).
                // Between two constraints: spaces, or a comma with optional spaces around it.
                let sep_start = i;
                if b[i] == b',' {
                    i += 1;
                    while i < b.len() && is_space(b[i]) {
                        i += 1;
                    }
                    if i == b.len() {
                        return None;
                    }
                } else if !is_space(b[sep_start - 1]) {
                    return None;
                }
            }
            // A `-` after a space is range syntax (`1 - 2`): leave it to the full parser.
            if b.get(i) == Some(&b'-') {
                return None;
            }
            let (item, end) = simple_item(part, i)?;
            if !item.con.pre.is_empty() {
                pre = true;
            }
            group.push(item);
            i = end;
        }
        if group.is_empty() {
            return None;
        }
        groups.push(group);
        contains_pre.push(pre);
    }
    Some(Constraints {
        groups,
        contains_pre,
        include_prerelease: false,
    })
}

impl Constraints {
    /// Masterminds' `NewConstraint`.
    pub fn parse(c: &str) -> Result<Constraints, SemverError> {
        if let Some(simple) = parse_simple(c) {
            return Ok(simple);
        }
        Constraints::parse_full(c)
    }

    /// [`Constraints::parse`] through Masterminds' regular expressions (every input).
    fn parse_full(c: &str) -> Result<Constraints, SemverError> {
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

    /// A small deterministic generator (xorshift), so the comparison below needs no crate.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
            xs[(self.next() % xs.len() as u64) as usize]
        }
    }

    fn random_text(r: &mut Rng, pieces: &[&str]) -> String {
        let n = 1 + r.next() % 9;
        (0..n).map(|_| r.pick(pieces)).collect()
    }

    /// The hand-written version scanner accepts exactly what Masterminds' loose pattern
    /// matches, with the same captures.
    #[test]
    fn version_scan_equals_the_pattern() {
        let re = Regex::new(concat!(
            r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?",
            r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?",
            r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$"
        ))
        .unwrap();
        let pieces = [
            "v", "1", "0", "12", ".", "-", "+", "a", "rc", "x", "-0", ".3", " ", "V", "é", "_",
        ];
        let mut r = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..60_000 {
            let t = random_text(&mut r, &pieces);
            let want = re.captures(&t).map(|m| {
                let g = |i: usize| m.get(i).map(|x| x.as_str()).unwrap_or("");
                (
                    g(1).to_string(),
                    g(2).trim_start_matches('.').to_string(),
                    g(3).trim_start_matches('.').to_string(),
                    g(5).to_string(),
                    g(8).to_string(),
                )
            });
            let got = LooseParts::scan(&t).map(|p| {
                (
                    p.major.to_string(),
                    p.minor.to_string(),
                    p.patch.to_string(),
                    p.pre.to_string(),
                    p.metadata.to_string(),
                )
            });
            assert_eq!(got, want, "{t:?}");
        }
    }

    /// Whatever the regex-free constraint parser accepts, it parses exactly as the
    /// regular-expression path does.
    #[test]
    fn simple_constraints_equal_the_full_parser() {
        let pieces = [
            ">=", "<", ">", "=", "!=", "~", "^", "=>", "~>", "1", "2", "0", "10", ".", "x", "*",
            "-0", "-rc.1", "+b", " ", "  ", ",", ", ", "||", " || ", "v", " - ", "-", "\t", "|",
            "a",
        ];
        let versions: Vec<Version> = [
            "0.0.0",
            "1.0.0",
            "1.2.3",
            "1.2.0-rc.1",
            "2.0.0",
            "10.1.0",
            "0.1.0",
            "1.21.0-gke.1",
        ]
        .iter()
        .map(|v| Version::parse(v).unwrap())
        .collect();
        let mut r = Rng(0x2545_f491_4f6c_dd1d);
        let mut accepted = 0;
        for _ in 0..60_000 {
            let t = random_text(&mut r, &pieces);
            let Some(simple) = parse_simple(&t) else {
                continue;
            };
            accepted += 1;
            let full = Constraints::parse_full(&t)
                .unwrap_or_else(|e| panic!("{t:?}: simple accepted, full rejected: {e}"));
            assert_eq!(format!("{simple:?}"), format!("{full:?}"), "{t:?}");
            for v in &versions {
                assert_eq!(simple.matches(v), full.matches(v), "{t:?} on {v}");
            }
        }
        assert!(accepted > 1_000, "only {accepted} accepted");
        for t in [
            ">=1.21-0",
            "<1.19-0",
            ">=1.4-0, <1.16-0",
            "^1.2.x || 3",
            "> 1.2",
            "1.2.3",
        ] {
            assert!(parse_simple(t).is_some(), "{t:?} should take the fast path");
        }
    }
}
