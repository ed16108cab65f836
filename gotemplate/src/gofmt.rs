//! Go's `fmt` for template values: `print`, `printf`, `println` and `%v`.
//!
//! Follows `fmt/print.go` and `fmt/format.go`: verbs `%v %d %s %q %t %T %f %F %e %E %g %G %x %X
//! %o %O %b %c %U %%`, flags `+ - # 0 space`, width and precision (also `*`), explicit argument
//! indexes `%[n]d`, and Go's error forms `%!d(float64=3)`, `%!d(MISSING)`, `%!(EXTRA string=b)`,
//! `%!(NOVERB)`, `%!(BADWIDTH)`, `%!(BADPREC)`, `%!v(BADINDEX)`, `%#v` Go syntax. Not supported:
//! `%p` and complex numbers.

use std::fmt::Write;

use crate::value::{Value, format_float_g};

/// `fmt.Sprint(args...)`: spaces between operands when neither side is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    let mut prev_string = false;
    for (i, a) in args.iter().enumerate() {
        let is_string = matches!(a, Value::String(_));
        if i > 0 && !is_string && !prev_string {
            out.push(' ');
        }
        print_arg(&mut out, a, 'v', &Spec::default());
        prev_string = is_string;
    }
    out
}

/// `fmt.Sprintln(args...)`: spaces between all operands and a final newline.
pub fn sprintln(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        print_arg(&mut out, a, 'v', &Spec::default());
    }
    out.push('\n');
    out
}

/// `%v` of one value (`fmt.Sprint(v)`).
pub fn format_v(v: &Value) -> String {
    let mut out = String::new();
    print_arg(&mut out, v, 'v', &Spec::default());
    out
}

/// Appends `%v` of `v` to `out`.
pub fn write_v(out: &mut String, v: &Value) {
    print_arg(out, v, 'v', &Spec::default());
}

#[derive(Clone, Default, Debug)]
struct Spec {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    plus_v: bool,
    sharp_v: bool,
    wid: Option<usize>,
    prec: Option<usize>,
}

/// `fmt.Sprintf(format, args...)`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let b = format.as_bytes();
    let end = b.len();
    let mut arg_num = 0usize;
    let mut reordered = false;
    let mut i = 0;
    while i < end {
        let mut good_arg_num = true;
        let last = i;
        while i < end && b[i] != b'%' {
            i += 1;
        }
        if i > last {
            out.push_str(&format[last..i]);
        }
        if i >= end {
            break;
        }
        i += 1;
        let mut s = Spec::default();
        while i < end {
            match b[i] {
                b'#' => s.sharp = true,
                b'0' => s.zero = !s.minus,
                b'+' => s.plus = true,
                b'-' => {
                    s.minus = true;
                    s.zero = false;
                }
                b' ' => s.space = true,
                _ => break,
            }
            i += 1;
        }
        // argument index
        let mut after_index;
        (arg_num, i, after_index) = arg_number(
            arg_num,
            format,
            i,
            args.len(),
            &mut good_arg_num,
            &mut reordered,
        );
        // width
        if i < end && b[i] == b'*' {
            i += 1;
            let (w, ok, n) = int_from_arg(args, arg_num);
            arg_num = n;
            if !ok {
                out.push_str("%!(BADWIDTH)");
                s.wid = None;
            } else if w < 0 {
                s.wid = Some(w.unsigned_abs() as usize);
                s.minus = true;
                s.zero = false;
            } else {
                s.wid = Some(w as usize);
            }
            after_index = false;
        } else {
            let (w, ni) = parse_num(b, i);
            i = ni;
            s.wid = w;
            if after_index && w.is_some() {
                good_arg_num = false;
            }
        }
        // precision
        if i + 1 < end && b[i] == b'.' {
            i += 1;
            if after_index {
                good_arg_num = false;
            }
            (arg_num, i, after_index) = arg_number(
                arg_num,
                format,
                i,
                args.len(),
                &mut good_arg_num,
                &mut reordered,
            );
            if i < end && b[i] == b'*' {
                i += 1;
                let (p, ok, n) = int_from_arg(args, arg_num);
                arg_num = n;
                if p < 0 || !ok {
                    s.prec = None;
                    if !ok {
                        out.push_str("%!(BADPREC)");
                    }
                } else {
                    s.prec = Some(p as usize);
                }
                after_index = false;
            } else {
                let (p, ni) = parse_num(b, i);
                i = ni;
                s.prec = Some(p.unwrap_or(0));
            }
        }
        if !after_index {
            (arg_num, i, _) = arg_number(
                arg_num,
                format,
                i,
                args.len(),
                &mut good_arg_num,
                &mut reordered,
            );
        }
        if i >= end {
            out.push_str("%!(NOVERB)");
            break;
        }
        let verb = format[i..].chars().next().unwrap_or('?');
        i += verb.len_utf8();
        if verb == '%' {
            out.push('%');
        } else if !good_arg_num {
            let _ = write!(out, "%!{verb}(BADINDEX)");
        } else if arg_num >= args.len() {
            let _ = write!(out, "%!{verb}(MISSING)");
        } else {
            if verb == 'v' {
                s.sharp_v = s.sharp;
                s.sharp = false;
                s.plus_v = s.plus;
                s.plus = false;
            }
            print_arg(&mut out, &args[arg_num], verb, &s);
            arg_num += 1;
        }
    }
    if !reordered && arg_num < args.len() {
        out.push_str("%!(EXTRA ");
        for (k, a) in args[arg_num..].iter().enumerate() {
            if k > 0 {
                out.push_str(", ");
            }
            if a.is_nil() {
                out.push_str("<nil>");
            } else {
                out.push_str(&a.go_type());
                out.push('=');
                print_arg(&mut out, a, 'v', &Spec::default());
            }
        }
        out.push(')');
    }
    out
}

fn parse_num(b: &[u8], mut i: usize) -> (Option<usize>, usize) {
    let start = i;
    let mut n: usize = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        if n > 1_000_000 {
            return (None, b.len());
        }
        n = n * 10 + (b[i] - b'0') as usize;
        i += 1;
    }
    if i == start { (None, i) } else { (Some(n), i) }
}

fn arg_number(
    arg_num: usize,
    format: &str,
    i: usize,
    num_args: usize,
    good: &mut bool,
    reordered: &mut bool,
) -> (usize, usize, bool) {
    let b = format.as_bytes();
    if b.len() <= i || b[i] != b'[' {
        return (arg_num, i, false);
    }
    *reordered = true;
    // parseArgNumber
    let rest = &b[i..];
    if rest.len() < 3 {
        *good = false;
        return (arg_num, i + 1, false);
    }
    for k in 1..rest.len() {
        if rest[k] == b']' {
            let (w, ni) = parse_num(rest, 1);
            if w.is_none() || ni != k {
                *good = false;
                return (arg_num, i + k + 1, false);
            }
            let idx = w.unwrap_or(0);
            if idx >= 1 && idx - 1 < num_args {
                return (idx - 1, i + k + 1, true);
            }
            *good = false;
            return (arg_num, i + k + 1, true);
        }
    }
    *good = false;
    (arg_num, i + 1, false)
}

fn int_from_arg(args: &[Value], n: usize) -> (i64, bool, usize) {
    if n < args.len() {
        let v = match &args[n] {
            Value::Int(i, _) => Some(*i),
            _ => None,
        };
        match v {
            Some(v) if v.unsigned_abs() <= 1_000_000 => (v, true, n + 1),
            _ => (0, false, n + 1),
        }
    } else {
        (0, false, n)
    }
}

fn bad_verb(out: &mut String, v: &Value, verb: char, s: &Spec) {
    let _ = write!(out, "%!{verb}(");
    if v.is_nil() {
        out.push_str("<nil>");
    } else {
        out.push_str(&v.go_type());
        out.push('=');
        print_value(out, v, 'v', s, 0);
    }
    out.push(')');
}

fn print_arg(out: &mut String, v: &Value, verb: char, s: &Spec) {
    if v.is_nil() {
        match verb {
            'T' | 'v' => pad(out, "<nil>", s),
            _ => bad_verb(out, v, verb, s),
        }
        return;
    }
    if verb == 'T' {
        fmt_s(out, &v.go_type(), s);
        return;
    }
    print_value(out, v, verb, s, 0);
}

/// `%#v`: Go-syntax representation.
fn go_syntax(out: &mut String, v: &Value, depth: usize) {
    match v {
        Value::Nil => out.push_str(if depth == 0 {
            "<nil>"
        } else {
            "interface {}(nil)"
        }),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i, t) if t.is_unsigned() => {
            let _ = write!(out, "0x{:x}", *i as u64);
        }
        Value::Int(i, _) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => out.push_str(&format_float(*f, 'g', -1)),
        Value::String(st) => out.push_str(&quote(st)),
        Value::Bytes(b) => {
            out.push_str("[]byte{");
            for (k, c) in b.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "0x{c:x}");
            }
            out.push('}');
        }
        Value::List(l) => {
            out.push_str(&l.go_type());
            out.push('{');
            for (k, item) in l.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                go_syntax(out, item, depth + 1);
            }
            out.push('}');
        }
        Value::Map(m) => {
            out.push_str(&m.go_type());
            out.push('{');
            m.with(|t| {
                for (k, (key, val)) in t.iter().enumerate() {
                    if k > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&quote(key));
                    out.push(':');
                    go_syntax(out, val, depth + 1);
                }
            });
            out.push('}');
        }
        Value::Object(_) => print_value(out, v, 'v', &Spec::default(), depth),
    }
}

fn print_value(out: &mut String, v: &Value, verb: char, s: &Spec, depth: usize) {
    if verb == 'v' && s.sharp_v {
        let mut t = String::new();
        go_syntax(&mut t, v, depth);
        if depth == 0 {
            pad(out, &t, s);
        } else {
            out.push_str(&t);
        }
        return;
    }
    match v {
        Value::Nil => {
            if depth == 0 {
                pad(out, "<nil>", s)
            } else {
                // A nil element of a slice or map: Go writes it without padding.
                out.push_str("<nil>")
            }
        }
        Value::Bool(b) => match verb {
            't' | 'v' => pad(out, if *b { "true" } else { "false" }, s),
            _ => bad_verb(out, v, verb, s),
        },
        Value::Int(i, t) => {
            let signed = !t.is_unsigned();
            fmt_integer_verb(out, *i, signed, verb, s, v)
        }
        Value::Float(f) => fmt_float_verb(out, *f, verb, s, v),
        Value::String(st) => fmt_string(out, st, verb, s, v),
        Value::Bytes(bs) => match verb {
            's' => fmt_s(out, &String::from_utf8_lossy(bs), s),
            'q' => fmt_q(out, &String::from_utf8_lossy(bs), s),
            'x' | 'X' => fmt_hex_bytes(out, bs, verb == 'X', s),
            _ => {
                out.push('[');
                for (k, b) in bs.iter().enumerate() {
                    if k > 0 {
                        out.push(' ');
                    }
                    fmt_integer_verb(
                        out,
                        *b as i64,
                        false,
                        verb,
                        s,
                        &Value::Int(*b as i64, crate::value::IntTy::Uint8),
                    );
                }
                out.push(']');
            }
        },
        Value::List(l) => {
            out.push('[');
            for (k, item) in l.iter().enumerate() {
                if k > 0 {
                    out.push(' ');
                }
                print_value(out, item, verb, s, depth + 1);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push_str("map[");
            m.with(|t| {
                for (k, (key, val)) in t.iter().enumerate() {
                    if k > 0 {
                        out.push(' ');
                    }
                    fmt_string(out, key, verb, s, &Value::str(key));
                    out.push(':');
                    print_value(out, val, verb, s, depth + 1);
                }
            });
            out.push(']');
        }
        Value::Object(o) => {
            if let Some(text) = o.format_v() {
                fmt_s(out, &text, s);
            } else if let Some(inner) = o.to_value() {
                if depth == 0 && o.kind_name() == "ptr" {
                    out.push('&');
                }
                print_value(out, &inner, verb, s, depth + 1);
            } else {
                out.push_str("{}");
            }
        }
    }
}

fn fmt_string(out: &mut String, st: &str, verb: char, s: &Spec, v: &Value) {
    match verb {
        'v' => {
            if s.sharp_v {
                fmt_q(out, st, s)
            } else {
                fmt_s(out, st, s)
            }
        }
        's' => fmt_s(out, st, s),
        'x' | 'X' => fmt_hex_bytes(out, st.as_bytes(), verb == 'X', s),
        'q' => fmt_q(out, st, s),
        _ => bad_verb(out, v, verb, s),
    }
}

fn fmt_hex_bytes(out: &mut String, b: &[u8], upper: bool, s: &Spec) {
    let digits: &[u8] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let n = match s.prec {
        Some(p) if p < b.len() => p,
        _ => b.len(),
    };
    let mut buf = String::new();
    for (k, c) in b[..n].iter().enumerate() {
        if s.space && k > 0 {
            buf.push(' ');
        }
        if s.sharp && (s.space || k == 0) {
            buf.push('0');
            buf.push(if upper { 'X' } else { 'x' });
        }
        buf.push(digits[(c >> 4) as usize] as char);
        buf.push(digits[(c & 15) as usize] as char);
    }
    pad(out, &buf, s);
}

fn fmt_s(out: &mut String, st: &str, s: &Spec) {
    match s.prec {
        Some(p) => {
            let t: String = st.chars().take(p).collect();
            pad(out, &t, s);
        }
        None => pad(out, st, s),
    }
}

fn fmt_q(out: &mut String, st: &str, s: &Spec) {
    let st: String = match s.prec {
        Some(p) => st.chars().take(p).collect(),
        None => st.to_string(),
    };
    if s.sharp && can_backquote(&st) {
        pad(out, &format!("`{st}`"), s);
    } else if s.plus {
        pad(out, &quote_ascii(&st), s);
    } else {
        pad(out, &quote(&st), s);
    }
}

fn can_backquote(s: &str) -> bool {
    s.chars()
        .all(|c| c != '`' && c != '\u{FEFF}' && (c == '\t' || !(c < ' ' || c == '\x7f')))
}

fn pad(out: &mut String, st: &str, s: &Spec) {
    let Some(w) = s.wid else {
        out.push_str(st);
        return;
    };
    let n = st.chars().count();
    if n >= w {
        out.push_str(st);
        return;
    }
    let fill = w - n;
    if s.minus {
        out.push_str(st);
        out.extend(std::iter::repeat_n(' ', fill));
    } else {
        let c = if s.zero { '0' } else { ' ' };
        out.extend(std::iter::repeat_n(c, fill));
        out.push_str(st);
    }
}

fn fmt_integer_verb(out: &mut String, i: i64, signed: bool, verb: char, s: &Spec, v: &Value) {
    let u = i as u64;
    match verb {
        'v' | 'd' => fmt_integer(out, u, signed, 10, verb, s, false),
        'b' => fmt_integer(out, u, signed, 2, verb, s, false),
        'o' | 'O' => fmt_integer(out, u, signed, 8, verb, s, false),
        'x' => fmt_integer(out, u, signed, 16, verb, s, false),
        'X' => fmt_integer(out, u, signed, 16, verb, s, true),
        'c' => {
            let c = char::from_u32(u as u32)
                .filter(|_| u <= 0x10FFFF)
                .unwrap_or('\u{FFFD}');
            pad(out, &c.to_string(), s)
        }
        'q' => {
            let c = char::from_u32(u as u32)
                .filter(|_| u <= 0x10FFFF)
                .unwrap_or('\u{FFFD}');
            let q = if s.plus {
                let mut t = String::from("'");
                push_escaped(&mut t, c, '\'', true);
                t.push('\'');
                t
            } else {
                quote_rune(c)
            };
            pad(out, &q, s)
        }
        'U' => {
            let mut t = format!("U+{:04X}", u);
            if s.sharp
                && let Some(c) = char::from_u32(u as u32)
                && is_print(c)
            {
                t.push_str(&format!(" '{c}'"));
            }
            pad(out, &t, s)
        }
        _ => bad_verb(out, v, verb, s),
    }
}

fn fmt_integer(
    out: &mut String,
    u: u64,
    signed: bool,
    base: u64,
    verb: char,
    s: &Spec,
    upper: bool,
) {
    let negative = signed && (u as i64) < 0;
    let mut u = if negative {
        (u as i64).unsigned_abs()
    } else {
        u
    };
    let mut prec = 0usize;
    if let Some(p) = s.prec {
        prec = p;
        if p == 0 && u == 0 {
            let mut s2 = s.clone();
            s2.zero = false;
            pad(out, "", &s2);
            return;
        }
    } else if s.zero && !s.minus && s.wid.is_some() {
        prec = s.wid.unwrap_or(0);
        if negative || s.plus || s.space {
            prec = prec.saturating_sub(1);
        }
    }
    let digits: &[u8] = if upper {
        b"0123456789ABCDEFX"
    } else {
        b"0123456789abcdefx"
    };
    let mut buf: Vec<u8> = Vec::new();
    loop {
        buf.push(digits[(u % base) as usize]);
        u /= base;
        if u == 0 {
            break;
        }
    }
    while buf.len() < prec {
        buf.push(b'0');
    }
    if s.sharp {
        match base {
            2 => {
                buf.push(b'b');
                buf.push(b'0');
            }
            8 if buf.last() != Some(&b'0') => buf.push(b'0'),
            16 => {
                buf.push(digits[16]);
                buf.push(b'0');
            }
            _ => {}
        }
    }
    if verb == 'O' {
        buf.push(b'o');
        buf.push(b'0');
    }
    if negative {
        buf.push(b'-');
    } else if s.plus {
        buf.push(b'+');
    } else if s.space {
        buf.push(b' ');
    }
    buf.reverse();
    let t = String::from_utf8(buf).unwrap_or_default();
    let mut s2 = s.clone();
    s2.zero = false;
    pad(out, &t, &s2);
}

fn fmt_float_verb(out: &mut String, f: f64, verb: char, s: &Spec, v: &Value) {
    let (fv, prec) = match verb {
        'v' => ('g', s.prec.map(|p| p as i32).unwrap_or(-1)),
        'b' | 'g' | 'G' | 'x' | 'X' => (verb, s.prec.map(|p| p as i32).unwrap_or(-1)),
        'f' | 'e' | 'E' | 'F' => (verb, s.prec.map(|p| p as i32).unwrap_or(6)),
        _ => return bad_verb(out, v, verb, s),
    };
    let mut num = format_float(f, fv, prec);
    if s.sharp && fv != 'b' {
        num = sharp_float(&num, fv, prec);
    }
    let (sign, body) = if let Some(r) = num.strip_prefix('-') {
        ('-', r.to_string())
    } else if let Some(r) = num.strip_prefix('+') {
        ('+', r.to_string())
    } else {
        ('+', num.clone())
    };
    let sign = if s.space && sign == '+' && !s.plus {
        ' '
    } else {
        sign
    };
    if body.starts_with('I') || body.starts_with('N') {
        let mut s2 = s.clone();
        s2.zero = false;
        let t = if body.starts_with('N') && !s.space && !s.plus {
            body
        } else {
            format!("{sign}{body}")
        };
        pad(out, &t, &s2);
        return;
    }
    if s.plus || sign != '+' {
        let full = format!("{sign}{body}");
        if s.zero && !s.minus && s.wid.is_some_and(|w| w > full.len()) {
            out.push(sign);
            let w = s.wid.unwrap_or(0);
            out.extend(std::iter::repeat_n('0', w - full.len()));
            out.push_str(&body);
            return;
        }
        pad(out, &full, s);
        return;
    }
    pad(out, &body, s);
}

/// `strconv.FormatFloat(f, verb, prec, 64)` for `e E f F g G` (others fall back to `g`).
pub fn format_float(f: f64, verb: char, prec: i32) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    match verb {
        'f' | 'F' => {
            let p = prec.max(0) as usize;
            format!("{:.*}", p, f)
        }
        'e' | 'E' => {
            let t = if prec < 0 {
                format!("{:e}", f)
            } else {
                format!("{:.*e}", prec as usize, f)
            };
            let t = fix_exp(&t);
            if verb == 'E' { t.to_uppercase() } else { t }
        }
        'G' => format_float(f, 'g', prec).to_uppercase(),
        'x' => hex_float(f, prec),
        'b' => binary_float(f),
        'X' => hex_float(f, prec).to_uppercase(),
        _ => {
            if prec < 0 {
                return format_float_g(f, 6);
            }
            let p = if prec == 0 { 1 } else { prec as usize };
            // Round to p significant digits.
            let sci = format!("{:.*e}", p - 1, f);
            let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
            let exp: i32 = exp.parse().unwrap_or(0);
            let neg = mant.starts_with('-');
            let mut digits: Vec<u8> = mant.bytes().filter(|c| c.is_ascii_digit()).collect();
            while digits.len() > 1 && digits.last() == Some(&b'0') {
                digits.pop();
            }
            if digits == b"0" {
                return if neg { "-0".into() } else { "0".into() };
            }
            let nd = digits.len() as i32;
            let dp = exp + 1;
            let mut eprec = p as i32;
            if eprec > nd && nd >= dp {
                eprec = nd;
            }
            let x = dp - 1;
            let mut out = String::new();
            if neg {
                out.push('-');
            }
            if x < -4 || x >= eprec {
                out.push(digits[0] as char);
                if nd > 1 {
                    out.push('.');
                    out.push_str(std::str::from_utf8(&digits[1..]).unwrap_or(""));
                }
                out.push('e');
                out.push(if x < 0 { '-' } else { '+' });
                let _ = write!(out, "{:02}", x.abs());
                return out;
            }
            // %f with max(nd - dp, 0) decimals
            let dec = (nd - dp).max(0) as usize;
            if dp <= 0 {
                out.push_str("0.");
                for _ in 0..(-dp) {
                    out.push('0');
                }
                out.push_str(std::str::from_utf8(&digits).unwrap_or(""));
            } else {
                for k in 0..dp as usize {
                    out.push(if k < digits.len() {
                        digits[k] as char
                    } else {
                        '0'
                    });
                }
                if dec > 0 {
                    out.push('.');
                    out.push_str(std::str::from_utf8(&digits[dp as usize..]).unwrap_or(""));
                }
            }
            out
        }
    }
}

/// The `#` flag on floats (fmt's `fmtFloat`): keep a decimal point and, for `%g`/`%v`/`%x`,
/// trailing zeros up to the precision (6 by default).
fn sharp_float(num: &str, verb: char, prec: i32) -> String {
    let mut digits: i32 = match verb {
        'v' | 'g' | 'G' | 'x' | 'X' => {
            if prec == -1 {
                6
            } else {
                prec
            }
        }
        _ => 0,
    };
    let (sign, body) = match num.strip_prefix(['-', '+']) {
        Some(b) => (&num[..1], b),
        None => ("", num),
    };
    let mut mant = String::new();
    let mut tail = String::new();
    let mut has_point = false;
    let mut saw_nonzero = false;
    let hex = matches!(verb, 'x' | 'X');
    for (i, c) in body.char_indices() {
        match c {
            '.' => {
                has_point = true;
                mant.push(c);
                continue;
            }
            'p' | 'P' => {
                tail = body[i..].to_string();
                break;
            }
            'e' | 'E' if !hex => {
                tail = body[i..].to_string();
                break;
            }
            _ => {
                if c != '0' {
                    saw_nonzero = true;
                }
                if saw_nonzero {
                    digits -= 1;
                }
                mant.push(c);
            }
        }
    }
    if !has_point {
        if mant == "0" {
            digits -= 1;
        }
        mant.push('.');
    }
    while digits > 0 {
        mant.push('0');
        digits -= 1;
    }
    format!("{sign}{mant}{tail}")
}

/// `strconv.FormatFloat(f, 'b', -1, 64)`: `4503599627370496p-52`.
fn binary_float(f: f64) -> String {
    let bits = f.to_bits();
    let neg = bits >> 63 != 0;
    let exp = ((bits >> 52) & 0x7ff) as i64;
    let mut mant = bits & ((1u64 << 52) - 1);
    let e = if exp == 0 {
        -1074
    } else {
        mant |= 1u64 << 52;
        exp - 1075
    };
    format!(
        "{}{}p{}{}",
        if neg { "-" } else { "" },
        mant,
        if e < 0 { "-" } else { "+" },
        e.abs()
    )
}

/// `strconv.FormatFloat(f, 'x', prec, 64)`: `0x1.8p+01`.
fn hex_float(f: f64, prec: i32) -> String {
    let neg = f.is_sign_negative();
    let sign = if neg { "-" } else { "" };
    if f == 0.0 {
        let frac = if prec > 0 {
            format!(".{}", "0".repeat(prec as usize))
        } else {
            String::new()
        };
        return format!("{sign}0x0{frac}p+00");
    }
    let bits = f.abs().to_bits();
    let mut exp = ((bits >> 52) & 0x7ff) as i32;
    let mut mant = bits & ((1u64 << 52) - 1);
    if exp == 0 {
        // Subnormal: normalise so the leading 1 is implicit.
        exp = -1022;
        while mant & (1u64 << 52) == 0 {
            mant <<= 1;
            exp -= 1;
        }
        mant &= (1u64 << 52) - 1;
    } else {
        exp -= 1023;
    }
    let mut lead = 1u64;
    let mut digits = format!("{:013x}", mant);
    if prec >= 0 {
        let p = prec as usize;
        if p < 13 {
            // Round half to even on the dropped hex digits.
            let shift = 4 * (13 - p) as u32;
            let full = (1u64 << 52) | mant;
            let keep = full >> shift;
            let rem = full & ((1u64 << shift) - 1);
            let half = 1u64 << (shift - 1);
            let mut k = keep;
            if rem > half || (rem == half && keep & 1 == 1) {
                k += 1;
            }
            if k >> (4 * p as u32) > 1 {
                k >>= 1;
                exp += 1;
            }
            lead = k >> (4 * p as u32);
            let fracbits = k & ((1u64 << (4 * p as u32)) - 1);
            digits = if p == 0 {
                String::new()
            } else {
                format!("{:0width$x}", fracbits, width = p)
            };
        } else {
            digits.push_str(&"0".repeat(p - 13));
        }
    } else {
        while digits.ends_with('0') {
            digits.pop();
        }
    }
    let frac = if digits.is_empty() {
        String::new()
    } else {
        format!(".{digits}")
    };
    let es = if exp < 0 { '-' } else { '+' };
    format!("{sign}0x{lead}{frac}p{es}{:02}", exp.abs())
}

fn fix_exp(t: &str) -> String {
    let Some((m, e)) = t.split_once('e') else {
        return t.to_string();
    };
    let (sign, digits) = match e.strip_prefix('-') {
        Some(d) => ('-', d),
        None => ('+', e),
    };
    let digits = if digits.len() < 2 {
        format!("0{digits}")
    } else {
        digits.to_string()
    };
    format!("{m}e{sign}{digits}")
}

/// Go's `unicode.IsPrint` (approximated for format characters and unassigned code points).
pub fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let u = c as u32;
    !matches!(u,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F | 0x2028..=0x202E
        | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF
        | 0xFFFE | 0xFFFF | 0xD800..=0xDFFF)
}

fn push_escaped(out: &mut String, c: char, q: char, ascii_only: bool) {
    match c {
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0b' => out.push_str("\\v"),
        '\\' => out.push_str("\\\\"),
        c if c == q => {
            out.push('\\');
            out.push(c);
        }
        c if (c as u32) < 0x80 && is_print(c) => out.push(c),
        c if !ascii_only && is_print(c) => out.push(c),
        c if (c as u32) < 0x20 || c == '\x7f' => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if (c as u32) < 0x10000 => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\U{:08x}", c as u32);
        }
    }
}

/// `strconv.Quote`.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_escaped(&mut out, c, '"', false);
    }
    out.push('"');
    out
}

/// `strconv.QuoteToASCII`.
pub fn quote_ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_escaped(&mut out, c, '"', true);
    }
    out.push('"');
    out
}

/// `strconv.QuoteRune`.
pub fn quote_rune(c: char) -> String {
    let mut out = String::from("'");
    push_escaped(&mut out, c, '\'', false);
    out.push('\'');
    out
}

/// `fmt.Sprintf("%#U", c)`: `U+0023 '#'`.
pub fn char_u(c: char) -> String {
    if is_print(c) {
        format!("U+{:04X} '{}'", c as u32, c)
    } else {
        format!("U+{:04X}", c as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{List, Map};

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    #[test]
    fn print_spacing() {
        assert_eq!(
            sprint(&[
                s("a"),
                Value::int(1),
                Value::int(2),
                s("b"),
                s("c"),
                Value::Float(3.5)
            ]),
            "a1 2bc3.5"
        );
        assert_eq!(sprintln(&[s("a"), Value::int(1)]), "a 1\n");
        assert_eq!(sprint(&[Value::Nil]), "<nil>");
    }

    #[test]
    fn printf_verbs() {
        assert_eq!(sprintf("%d", &[Value::Float(3.0)]), "%!d(float64=3)");
        assert_eq!(sprintf("%s", &[Value::int(5)]), "%!s(int=5)");
        assert_eq!(sprintf("%d %d", &[Value::int(1)]), "1 %!d(MISSING)");
        assert_eq!(sprintf("%s", &[s("a"), s("b")]), "a%!(EXTRA string=b)");
        assert_eq!(sprintf("abc%", &[]), "abc%!(NOVERB)");
        assert_eq!(
            sprintf(
                "%5.2f|%-5d|%05d|%x|%X|%o|%q|%v|%t",
                &[
                    Value::Float(3.14158),
                    Value::int(42),
                    Value::int(-42),
                    Value::int(255),
                    s("hi"),
                    Value::int(8),
                    s("a\"b"),
                    Value::Float(1e6),
                    Value::Bool(true)
                ]
            ),
            " 3.14|42   |-0042|ff|6869|10|\"a\\\"b\"|1e+06|true"
        );
        assert_eq!(
            sprintf(
                "%e %E %g %.3g %G",
                &[
                    Value::Float(1234.5678),
                    Value::Float(0.000012),
                    Value::Float(1e21),
                    Value::Float(3.14158),
                    Value::Float(1e-7)
                ]
            ),
            "1.234568e+03 1.200000E-05 1e+21 3.14 1E-07"
        );
        assert_eq!(
            sprintf(
                "%c %U %#U %q",
                &[
                    Value::int(65),
                    Value::int(0x1F600),
                    Value::int(65),
                    Value::int(97)
                ]
            ),
            "A U+1F600 U+0041 'A' 'a'"
        );
        assert_eq!(
            sprintf(
                "%T %T %T %T",
                &[Value::Nil, Value::int(1), s("x"), Value::list(vec![])]
            ),
            "<nil> int string []interface {}"
        );
        assert_eq!(sprintf("%[2]s %[1]s", &[s("a"), s("b")]), "b a");
        assert_eq!(
            sprintf(
                "%*d|%-*d|%.*f",
                &[
                    Value::int(4),
                    Value::int(7),
                    Value::int(3),
                    Value::int(7),
                    Value::int(1),
                    Value::Float(2.25)
                ]
            ),
            "   7|7  |2.2"
        );
        assert_eq!(sprintf("%s", &[Value::Nil]), "%!s(<nil>)");
        assert_eq!(sprintf("%v", &[Value::Nil]), "<nil>");
        assert_eq!(
            sprintf(
                "%+d % d %+.1f",
                &[Value::int(5), Value::int(5), Value::Float(2.0)]
            ),
            "+5  5 +2.0"
        );
        assert_eq!(
            sprintf(
                "%06.2f|%-8.3s|%8s",
                &[Value::Float(-3.14158), s("abcdef"), s("x")]
            ),
            "-03.14|abc     |       x"
        );
        assert_eq!(
            sprintf(
                "%#x %#o %b",
                &[Value::int(255), Value::int(8), Value::int(5)]
            ),
            "0xff 010 101"
        );
    }

    #[test]
    fn go_syntax_v() {
        let m = Map::new();
        m.insert("b", Value::Float(1.0));
        m.insert("a", Value::list(vec![]));
        let l = Value::list(vec![
            Value::int(1),
            s("a"),
            Value::Nil,
            Value::Float(1.5),
            Value::Bool(true),
            Value::Map(Map::new()),
        ]);
        assert_eq!(
            sprintf(
                "%#v|%#v|%#v|%#v|%#v",
                &[
                    l,
                    Value::Map(m),
                    Value::string_list(["a"]),
                    Value::Bytes(std::rc::Rc::from(&b"hi"[..])),
                    Value::Int(97, crate::value::IntTy::Uint8)
                ]
            ),
            "[]interface {}{1, \"a\", interface {}(nil), 1.5, true, map[string]interface {}{}}|map[string]interface {}{\"a\":[]interface {}{}, \"b\":1}|[]string{\"a\"}|[]byte{0x68, 0x69}|0x61"
        );
        assert_eq!(
            sprintf(
                "%#v|%#v|%#v|%#v|%#v",
                &[
                    Value::Float(1e21),
                    Value::int64(3),
                    s("q\""),
                    Value::Nil,
                    Value::List(crate::value::List::with_elem(
                        vec![Value::int(1)],
                        crate::value::ElemTy::Int
                    ))
                ]
            ),
            "1e+21|3|\"q\\\"\"|<nil>|[]int{1}"
        );
    }

    #[test]
    fn hex_floats() {
        let f = |x: f64| Value::Float(x);
        assert_eq!(
            sprintf(
                "%x %x %X %.1x %x %.0x",
                &[f(1.0), f(3.5), f(-0.1), f(3.5), f(5e-324), f(1.5)]
            ),
            "0x1p+00 0x1.cp+01 -0X1.999999999999AP-04 0x1.cp+01 0x1p-1074 0x1p+01"
        );
    }

    #[test]
    fn composite_values() {
        let m = Map::new();
        m.insert("zeta", Value::int(1));
        m.insert("alpha", s("two"));
        m.insert("mid", Value::list(vec![Value::int(1), Value::int(2)]));
        assert_eq!(format_v(&Value::Map(m)), "map[alpha:two mid:[1 2] zeta:1]");
        let l = Value::List(List::new(vec![s("c"), Value::Nil, Value::Float(1e6)]));
        assert_eq!(format_v(&l), "[c <nil> 1e+06]");
        assert_eq!(
            sprintf("%d", &[Value::list(vec![s("a"), Value::int(1)])]),
            "[%!d(string=a) 1]"
        );
        assert_eq!(sprintf("%s", &[Value::list(vec![s("a"), s("b")])]), "[a b]");
    }

    #[test]
    fn quoting() {
        assert_eq!(quote("a\tb\u{1}é\u{a0}"), "\"a\\tb\\x01é\\u00a0\"");
        assert_eq!(char_u('#'), "U+0023 '#'");
    }
}
