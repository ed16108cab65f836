//! Semantic versions and constraints (Masterminds/semver v3), for chart versions,
//! dependency constraints and `kubeVersion`.

/// Whether `v` parses as a (lenient) Masterminds semver version.
pub fn is_valid_version(v: &str) -> bool {
    parse_version(v).is_some()
}

/// `(major, minor, patch, prerelease)` of a lenient version (`v1.2`, `1`, `1.2.3-rc.1+b`).
pub fn parse_version(v: &str) -> Option<(u64, u64, u64, String)> {
    let v = v.strip_prefix('v').unwrap_or(v);
    let (core, _build) = v.split_once('+').unwrap_or((v, ""));
    let (core, pre) = core.split_once('-').unwrap_or((core, ""));
    let mut parts = core.split('.');
    let mut num = |req: bool| -> Option<u64> {
        match parts.next() {
            None if !req => Some(0),
            None => None,
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => p.parse().ok(),
            Some(_) => None,
        }
    };
    let major = num(true)?;
    let minor = num(false)?;
    let patch = num(false)?;
    if parts.next().is_some() {
        return None;
    }
    Some((major, minor, patch, pre.to_string()))
}

/// helm's `IsCompatibleRange(constraint, version)`: false when either fails to parse.
pub fn is_compatible_range(constraint: &str, version: &str) -> bool {
    sprig_check(constraint, version).unwrap_or(false)
}

type Ver = (u64, u64, u64, String);

fn cmp_pre(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Equal,
        (true, false) => return Greater,
        (false, true) => return Less,
        _ => {}
    }
    let (mut x, mut y) = (a.split('.'), b.split('.'));
    loop {
        match (x.next(), y.next()) {
            (None, None) => return Equal,
            (None, Some(_)) => return Less,
            (Some(_), None) => return Greater,
            (Some(p), Some(q)) => {
                let o = match (p.parse::<u64>(), q.parse::<u64>()) {
                    (Ok(i), Ok(j)) => i.cmp(&j),
                    (Ok(_), Err(_)) => Less,
                    (Err(_), Ok(_)) => Greater,
                    _ => p.cmp(q),
                };
                if o != Equal {
                    return o;
                }
            }
        }
    }
}

fn cmp(a: &Ver, b: &Ver) -> std::cmp::Ordering {
    (a.0, a.1, a.2)
        .cmp(&(b.0, b.1, b.2))
        .then_with(|| cmp_pre(&a.3, &b.3))
}

/// One constraint term: operator and a version with wildcard depth (3 = exact).
fn term_ok(term: &str, v: &Ver) -> Option<bool> {
    use std::cmp::Ordering::*;
    let t = term.trim();
    let ops = ["!=", ">=", "<=", "=>", "=<", ">", "<", "=", "~>", "~", "^"];
    let (op, rest) = ops
        .iter()
        .find_map(|o| t.strip_prefix(o).map(|r| (*o, r.trim())))
        .unwrap_or(("", t));
    let rest = rest.strip_prefix('v').unwrap_or(rest);
    let (core, _) = rest.split_once('+').unwrap_or((rest, ""));
    let (core, pre) = core.split_once('-').unwrap_or((core, ""));
    let mut nums = Vec::new();
    let mut depth = 0;
    for p in core.split('.') {
        if p == "x" || p == "X" || p == "*" {
            break;
        }
        nums.push(p.parse::<u64>().ok()?);
        depth += 1;
    }
    if nums.len() > 3 {
        return None;
    }
    let c: Ver = (
        *nums.first().unwrap_or(&0),
        *nums.get(1).unwrap_or(&0),
        *nums.get(2).unwrap_or(&0),
        pre.to_string(),
    );
    // A prerelease version only satisfies constraints that carry a prerelease.
    if !v.3.is_empty() && c.3.is_empty() {
        return Some(false);
    }
    let o = cmp(v, &c);
    let base = (v.0, v.1, v.2);
    Some(match op {
        "" | "=" => match depth {
            0 => true,
            1 => v.0 == c.0,
            2 => v.0 == c.0 && v.1 == c.1,
            _ => o == Equal,
        },
        "!=" => match depth {
            0 => false,
            1 => v.0 != c.0,
            2 => !(v.0 == c.0 && v.1 == c.1),
            _ => o != Equal,
        },
        ">" => match depth {
            0 => false,
            1 => v.0 > c.0,
            2 => (v.0, v.1) > (c.0, c.1),
            _ => o == Greater,
        },
        ">=" | "=>" => o != Less,
        "<" => o == Less,
        "<=" | "=<" => match depth {
            0 => true,
            1 => v.0 <= c.0,
            2 => (v.0, v.1) <= (c.0, c.1),
            _ => o != Greater,
        },
        "~" | "~>" => {
            o != Less
                && match depth {
                    0 => true,
                    1 => v.0 == c.0,
                    _ => v.0 == c.0 && v.1 == c.1,
                }
        }
        _ => {
            // ^
            o != Less
                && if c.0 > 0 || depth == 1 {
                    v.0 == c.0
                } else if c.1 > 0 || depth == 2 {
                    base.0 == 0 && v.1 == c.1
                } else {
                    base == (0, 0, c.2)
                }
        }
    })
}

fn sprig_check(constraint: &str, version: &str) -> Option<bool> {
    let v = parse_version(version)?;
    let mut any = false;
    for alt in constraint.split("||") {
        let mut all = true;
        let mut terms = 0;
        // terms separated by commas or spaces (a space after an operator joins it)
        let norm = alt.replace(',', " ");
        let mut toks: Vec<String> = Vec::new();
        for tok in norm.split_whitespace() {
            if let Some(last) = toks.last_mut()
                && ["=", "!=", ">", "<", ">=", "<=", "~", "^", "~>", "=>", "=<"]
                    .contains(&last.as_str())
            {
                last.push_str(tok);
                continue;
            }
            toks.push(tok.to_string());
        }
        // hyphen ranges: "1.2 - 1.4"
        let mut i = 0;
        let mut exprs = Vec::new();
        while i < toks.len() {
            if i + 2 < toks.len() && toks[i + 1] == "-" {
                exprs.push(format!(">={}", toks[i]));
                exprs.push(format!("<={}", toks[i + 2]));
                i += 3;
            } else {
                exprs.push(toks[i].clone());
                i += 1;
            }
        }
        for e in exprs {
            terms += 1;
            if !term_ok(&e, &v)? {
                all = false;
            }
        }
        if terms == 0 {
            return None;
        }
        any |= all;
    }
    Some(any)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints() {
        assert!(is_compatible_range(">=1.20.0-0", "v1.35.0"));
        assert!(!is_compatible_range("<1.20.0", "v1.35.0"));
        assert!(is_compatible_range("~1.2.0", "1.2.9"));
        assert!(!is_compatible_range("~1.2.0", "1.3.0"));
        assert!(is_compatible_range("^1.2.0", "1.9.0"));
        assert!(is_compatible_range("1.x", "1.9.0"));
        assert!(is_compatible_range(">=0.1.0", "0.2.0"));
        assert!(!is_compatible_range(">=0.1.0", "0.2.0-rc1"));
        assert!(is_compatible_range(">= 1.0, < 2.0 || 3.x", "3.1.0"));
        assert!(!is_compatible_range("", "1.0.0"));
        assert!(is_valid_version("v1.2"));
        assert!(!is_valid_version("one"));
    }
}
