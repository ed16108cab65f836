//! Path and URL functions: `base`, `dir`, `clean`, `ext`, `isAbs` (Go `path`), their `os*`
//! forms (Go `path/filepath`, which is the same on Unix), `urlParse`, `urlJoin` (Go `net/url`).

use std::collections::BTreeMap;

use gotemplate::{FuncError, FuncMap, Ty, Value};

use crate::{arg_map, arg_str, ok, reg};

pub(crate) fn register(m: &mut FuncMap) {
    use Ty::String as S;
    for (name, os) in [
        ("base", "osBase"),
        ("dir", "osDir"),
        ("clean", "osClean"),
        ("ext", "osExt"),
        ("isAbs", "osIsAbs"),
    ] {
        for n in [name, os] {
            let f = name;
            reg(m, n, &[S], move |a| {
                let p = arg_str(a, 0);
                Ok(match f {
                    "base" => Value::str(base(&p)),
                    "dir" => Value::str(dir(&p)),
                    "clean" => Value::str(clean(&p)),
                    "ext" => Value::str(ext(&p)),
                    _ => Value::Bool(p.starts_with('/')),
                })
            });
        }
    }
    reg(m, "urlParse", &[S], |a| url_parse(&arg_str(a, 0)));
    reg(m, "urlJoin", &[Ty::Map], |a| url_join(&arg_map(a, 0)));
}

/// Go's `path.Clean`.
pub(crate) fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

/// Go's `path.Base`.
pub(crate) fn base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return "/".into();
    }
    t.rsplit('/').next().unwrap_or(t).to_string()
}

/// Go's `path.Dir`.
pub(crate) fn dir(p: &str) -> String {
    let cut = p.rfind('/').map(|i| i + 1).unwrap_or(0);
    clean(&p[..cut])
}

/// Go's `path.Ext`.
pub(crate) fn ext(p: &str) -> String {
    for (i, c) in p.char_indices().rev() {
        if c == '/' {
            break;
        }
        if c == '.' {
            return p[i..].to_string();
        }
    }
    String::new()
}

fn unhex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Go's `url.PathUnescape`-style decoding (`%XX`); errors like Go's `invalid URL escape`.
fn unescape(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let (h, l) = (
                b.get(i + 1).and_then(|&c| unhex(c)),
                b.get(i + 2).and_then(|&c| unhex(c)),
            );
            match (h, l) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
                _ => {
                    let end = (i + 3).min(b.len());
                    return Err(format!(
                        "invalid URL escape {}",
                        crate::fmt::quote(&s[i..end])
                    ));
                }
            }
        }
        out.push(b[i]);
        i += 1;
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn url_parse(raw: &str) -> gotemplate::FuncResult {
    let fail = |e: String| {
        FuncError::Call(format!(
            "unable to parse url: parse {}: {e}",
            crate::fmt::quote(raw)
        ))
    };
    let (rest, fragment) = match raw.split_once('#') {
        Some((r, f)) => (r, unescape(f).map_err(fail)?),
        None => (raw, String::new()),
    };
    let mut scheme = String::new();
    let mut rest = rest;
    if let Some(i) = rest.find(':') {
        let cand = &rest[..i];
        let valid = cand.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && cand
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        if i == 0 {
            return Err(fail("missing protocol scheme".into()));
        }
        if valid {
            scheme = cand.to_ascii_lowercase();
            rest = &rest[i + 1..];
        }
    }
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, q.to_string()),
        None => (rest, String::new()),
    };
    let mut opaque = String::new();
    let mut host = String::new();
    let mut userinfo = String::new();
    let mut path = String::new();
    if !rest.starts_with('/') && !scheme.is_empty() {
        opaque = rest.to_string();
    } else {
        let mut r = rest;
        if (!scheme.is_empty() || !r.starts_with("///")) && r.starts_with("//") {
            let auth_end = r[2..].find('/').map(|i| i + 2).unwrap_or(r.len());
            let auth = &r[2..auth_end];
            r = &r[auth_end..];
            match auth.rfind('@') {
                Some(i) => {
                    userinfo = auth[..i].to_string();
                    host = auth[i + 1..].to_string();
                }
                None => host = auth.to_string(),
            }
        }
        path = unescape(r).map_err(fail)?;
    }
    let hostname = if let Some(h) = host.strip_prefix('[') {
        h.split(']').next().unwrap_or("").to_string()
    } else {
        host.rsplit_once(':')
            .map(|(h, _)| h.to_string())
            .unwrap_or_else(|| host.clone())
    };
    let mut m = BTreeMap::new();
    m.insert("scheme".to_string(), Value::str(scheme));
    m.insert("host".to_string(), Value::str(&host));
    m.insert("hostname".to_string(), Value::str(hostname));
    m.insert("path".to_string(), Value::str(path));
    m.insert("query".to_string(), Value::str(query));
    m.insert("opaque".to_string(), Value::str(opaque));
    m.insert("fragment".to_string(), Value::str(fragment));
    m.insert("userinfo".to_string(), Value::str(userinfo));
    ok(Value::map(m))
}

fn escape_path(p: &str) -> String {
    let mut out = String::new();
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~$&+,/:;=@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn url_join(d: &gotemplate::Map) -> gotemplate::FuncResult {
    let get = |k: &str| -> Result<String, FuncError> {
        match d.get(k) {
            None => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.to_string()),
            Some(v) => Err(FuncError::Call(format!(
                "unable to parse {k} key, must be of type string, but {} found",
                v.go_kind()
            ))),
        }
    };
    let (scheme, host, path, query, opaque, fragment) = (
        get("scheme")?,
        get("host")?,
        get("path")?,
        get("query")?,
        get("opaque")?,
        get("fragment")?,
    );
    let userinfo = get("userinfo")?;
    let mut out = String::new();
    if !scheme.is_empty() {
        out.push_str(&scheme);
        out.push(':');
    }
    if !opaque.is_empty() {
        out.push_str(&opaque);
    } else {
        if !scheme.is_empty() || !host.is_empty() || !userinfo.is_empty() {
            if !host.is_empty() || !path.is_empty() || !userinfo.is_empty() {
                out.push_str("//");
            }
            if !userinfo.is_empty() {
                out.push_str(&userinfo);
                out.push('@');
            }
            out.push_str(&host);
        }
        let ep = escape_path(&path);
        if !ep.is_empty() && !ep.starts_with('/') && !host.is_empty() {
            out.push('/');
        }
        if out.is_empty() && ep.split('/').next().is_some_and(|s| s.contains(':')) {
            out.push_str("./");
        }
        out.push_str(&ep);
    }
    if !query.is_empty() {
        out.push('?');
        out.push_str(&query);
    }
    if !fragment.is_empty() {
        out.push('#');
        out.push_str(&escape_path(&fragment));
    }
    ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(clean("a//b/../c/."), "a/c");
        assert_eq!(clean("/../a"), "/a");
        assert_eq!(clean("../../a"), "../../a");
        assert_eq!(base("/a/b/"), "b");
        assert_eq!(base("/"), "/");
        assert_eq!(dir("a/b/c.txt"), "a/b");
        assert_eq!(dir("c.txt"), ".");
        assert_eq!(ext("a.b/c"), "");
        assert_eq!(ext("c.tar.gz"), ".gz");
    }
}
