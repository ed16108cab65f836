//! Math and conversions (sprig `numeric.go` and the arithmetic entries of `functions.go`).

use gotemplate::{ElemTy, FuncError, FuncMap, List, Ty, Value};

use crate::cast::{atoi, to_float64, to_int, to_int64};
use crate::{arg, arg_int, arg_str, ok, reg, regv};

pub(crate) fn register(m: &mut FuncMap) {
    use Ty::{Any, Float64, Int, String as S};
    reg(m, "atoi", &[S], |a| ok(Value::int(atoi(&arg_str(a, 0)))));
    reg(m, "int64", &[Any], |a| {
        ok(Value::int64(to_int64(&arg(a, 0))))
    });
    reg(m, "int", &[Any], |a| ok(Value::int(to_int(&arg(a, 0)))));
    reg(m, "float64", &[Any], |a| {
        ok(Value::Float(to_float64(&arg(a, 0))))
    });
    regv(m, "seq", &[], Int, |a| {
        ok(seq(&a
            .iter()
            .map(|v| arg_int(std::slice::from_ref(v), 0))
            .collect::<Vec<_>>()))
    });
    reg(m, "toDecimal", &[Any], |a| {
        let s = crate::fmt::format_v(&arg(a, 0));
        ok(Value::int64(parse_octal(&s).unwrap_or(0)))
    });
    reg(m, "until", &[Int], |a| {
        let n = arg_int(a, 0);
        ok(int_list(until_step(0, n, if n < 0 { -1 } else { 1 })))
    });
    reg(m, "untilStep", &[Int, Int, Int], |a| {
        ok(int_list(until_step(
            arg_int(a, 0),
            arg_int(a, 1),
            arg_int(a, 2),
        )))
    });
    reg(m, "add1", &[Any], |a| {
        ok(Value::int64(to_int64(&arg(a, 0)).wrapping_add(1)))
    });
    regv(m, "add", &[], Any, |a| {
        ok(Value::int64(
            a.iter().fold(0i64, |s, v| s.wrapping_add(to_int64(v))),
        ))
    });
    reg(m, "sub", &[Any, Any], |a| {
        ok(Value::int64(
            to_int64(&arg(a, 0)).wrapping_sub(to_int64(&arg(a, 1))),
        ))
    });
    reg(m, "div", &[Any, Any], |a| {
        let (x, y) = (to_int64(&arg(a, 0)), to_int64(&arg(a, 1)));
        if y == 0 {
            return Err(FuncError::Call(
                "runtime error: integer divide by zero".into(),
            ));
        }
        ok(Value::int64(x.wrapping_div(y)))
    });
    reg(m, "mod", &[Any, Any], |a| {
        let (x, y) = (to_int64(&arg(a, 0)), to_int64(&arg(a, 1)));
        if y == 0 {
            return Err(FuncError::Call(
                "runtime error: integer divide by zero".into(),
            ));
        }
        ok(Value::int64(x.wrapping_rem(y)))
    });
    regv(m, "mul", &[Any], Any, |a| {
        ok(Value::int64(
            a[1..]
                .iter()
                .fold(to_int64(&arg(a, 0)), |s, v| s.wrapping_mul(to_int64(v))),
        ))
    });
    reg(m, "randInt", &[Int, Int], |a| {
        let (lo, hi) = (arg_int(a, 0), arg_int(a, 1));
        if hi - lo <= 0 {
            return Err(FuncError::Call("invalid argument to Intn".into()));
        }
        ok(Value::int(
            crate::random::uniform((hi - lo) as u64) as i64 + lo,
        ))
    });
    reg(m, "add1f", &[Any], |a| {
        decimal_op(&arg(a, 0), &[Value::int(1)], Op::Add)
    });
    regv(m, "addf", &[], Any, |a| {
        decimal_op(&Value::Float(0.0), a, Op::Add)
    });
    regv(m, "subf", &[Any], Any, |a| {
        decimal_op(&arg(a, 0), &a[1..], Op::Sub)
    });
    regv(m, "divf", &[Any], Any, |a| {
        decimal_op(&arg(a, 0), &a[1..], Op::Div)
    });
    regv(m, "mulf", &[Any], Any, |a| {
        decimal_op(&arg(a, 0), &a[1..], Op::Mul)
    });
    for name in ["biggest", "max"] {
        regv(m, name, &[Any], Any, |a| {
            ok(Value::int64(
                a[1..]
                    .iter()
                    .map(to_int64)
                    .fold(to_int64(&arg(a, 0)), i64::max),
            ))
        });
    }
    regv(m, "min", &[Any], Any, |a| {
        ok(Value::int64(
            a[1..]
                .iter()
                .map(to_int64)
                .fold(to_int64(&arg(a, 0)), i64::min),
        ))
    });
    regv(m, "maxf", &[Any], Any, |a| {
        ok(Value::Float(
            a[1..]
                .iter()
                .map(to_float64)
                .fold(to_float64(&arg(a, 0)), go_max),
        ))
    });
    regv(m, "minf", &[Any], Any, |a| {
        ok(Value::Float(
            a[1..]
                .iter()
                .map(to_float64)
                .fold(to_float64(&arg(a, 0)), go_min),
        ))
    });
    reg(m, "ceil", &[Any], |a| {
        ok(Value::Float(to_float64(&arg(a, 0)).ceil()))
    });
    reg(m, "floor", &[Any], |a| {
        ok(Value::Float(to_float64(&arg(a, 0)).floor()))
    });
    regv(m, "round", &[Any, Int], Float64, |a| {
        let round_on = match a.get(2) {
            Some(Value::Float(f)) => *f,
            Some(v) => to_float64(v),
            None => 0.5,
        };
        ok(Value::Float(round(
            to_float64(&arg(a, 0)),
            arg_int(a, 1),
            round_on,
        )))
    });
}

fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == 0.0 && b == 0.0 {
        if a.is_sign_negative() { b } else { a }
    } else {
        a.max(b)
    }
}

fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == 0.0 && b == 0.0 {
        if a.is_sign_negative() { a } else { b }
    } else {
        a.min(b)
    }
}

fn int_list(v: Vec<i64>) -> Value {
    Value::List(List::with_elem(
        v.into_iter().map(Value::int).collect(),
        ElemTy::Int,
    ))
}

/// Longest list `until`/`untilStep`/`seq` build (Go would try to allocate any size; a
/// template asking for more is a mistake, and failing beats exhausting memory).
pub(crate) const MAX_LEN: i64 = 1 << 26;

pub(crate) fn until_step(start: i64, stop: i64, step: i64) -> Vec<i64> {
    let mut v = Vec::new();
    if step != 0 && ((stop as i128 - start as i128) / step as i128) > MAX_LEN as i128 {
        return v;
    }
    if stop < start {
        if step >= 0 {
            return v;
        }
        let mut i = start;
        while i > stop {
            v.push(i);
            i += step;
        }
        return v;
    }
    if step <= 0 {
        return v;
    }
    let mut i = start;
    while i < stop {
        v.push(i);
        i += step;
    }
    v
}

fn seq(p: &[i64]) -> String {
    let join = |v: Vec<i64>| {
        v.iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    match p.len() {
        1 => {
            let (start, end) = (1, p[0]);
            let inc = if end < start { -1 } else { 1 };
            join(until_step(start, end + inc, inc))
        }
        2 => {
            let (start, end) = (p[0], p[1]);
            let step = if end < start { -1 } else { 1 };
            join(until_step(start, end + step, step))
        }
        3 => {
            let (start, step, end) = (p[0], p[1], p[2]);
            let mut inc = 1;
            if end < start {
                inc = -1;
                if step > 0 {
                    return String::new();
                }
            }
            join(until_step(start, end + inc, step))
        }
        _ => String::new(),
    }
}

fn parse_octal(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let v = i64::from_str_radix(body, 8).ok()?;
    if body.is_empty() || body.starts_with(['+', '-']) {
        return None;
    }
    Some(if neg { -v } else { v })
}

fn round(val: f64, places: i64, round_on: f64) -> f64 {
    let pow = 10f64.powf(places as f64);
    let digit = pow * val;
    let div = digit - digit.trunc();
    let r = if div >= round_on {
        digit.ceil()
    } else {
        digit.floor()
    };
    r / pow
}

#[derive(Clone, Copy)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// shopspring/decimal arithmetic as Sprig's `addf`…`divf` use it: each operand goes through
/// `decimal.NewFromFloat` (its shortest decimal form), the operation is exact (division to 16
/// fractional digits), and the result converts back with `Float64()`.
fn decimal_op(first: &Value, rest: &[Value], op: Op) -> gotemplate::FuncResult {
    let dec = |v: &Value| -> Result<Dec, FuncError> {
        let f = to_float64(v);
        if !f.is_finite() {
            return Err(FuncError::Call(format!(
                "Cannot create a Decimal from {}",
                gotemplate::value::format_float_v(f)
            )));
        }
        Ok(Dec::from_f64(f))
    };
    let mut acc = dec(first)?;
    for x in rest {
        let d = dec(x)?;
        acc = match op {
            Op::Add => acc.add(&d),
            Op::Sub => acc.add(&d.neg()),
            Op::Mul => acc.mul(&d),
            Op::Div => {
                if d.is_zero() {
                    return Err(FuncError::Call("decimal division by 0".into()));
                }
                acc.div(&d)
            }
        };
    }
    Ok(Value::Float(acc.to_f64()))
}

/// A small arbitrary-precision decimal: `mant * 10^exp` with a signed big integer mantissa
/// kept as decimal digits.
#[derive(Clone, Debug)]
struct Dec {
    neg: bool,
    digits: Vec<u8>, // most significant first, no leading zeros (empty = 0)
    exp: i64,
}

impl Dec {
    fn from_f64(f: f64) -> Dec {
        if f == 0.0 || !f.is_finite() {
            return Dec {
                neg: false,
                digits: Vec::new(),
                exp: 0,
            };
        }
        let s = format!("{:e}", f.abs());
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let e: i64 = e.parse().unwrap_or(0);
        let frac_len = m
            .split_once('.')
            .map(|(_, fr)| fr.len() as i64)
            .unwrap_or(0);
        let digits: Vec<u8> = m
            .bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| b - b'0')
            .collect();
        Dec {
            neg: f < 0.0,
            digits,
            exp: e - frac_len,
        }
        .norm()
    }

    fn norm(mut self) -> Dec {
        let lead = self.digits.iter().take_while(|&&d| d == 0).count();
        self.digits.drain(..lead);
        if self.digits.is_empty() {
            self.neg = false;
            self.exp = 0;
        }
        self
    }

    fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    fn neg(&self) -> Dec {
        let mut d = self.clone();
        if !d.is_zero() {
            d.neg = !d.neg;
        }
        d
    }

    /// Mantissa digits scaled to exponent `e` (≤ self.exp).
    fn scaled(&self, e: i64) -> Vec<u8> {
        let mut v = self.digits.clone();
        v.extend(std::iter::repeat_n(0, (self.exp - e) as usize));
        v
    }

    fn add(&self, o: &Dec) -> Dec {
        if self.is_zero() {
            return o.clone();
        }
        if o.is_zero() {
            return self.clone();
        }
        let e = self.exp.min(o.exp);
        let (a, b) = (self.scaled(e), o.scaled(e));
        if self.neg == o.neg {
            return Dec {
                neg: self.neg,
                digits: add_mag(&a, &b),
                exp: e,
            }
            .norm();
        }
        match cmp_mag(&a, &b) {
            std::cmp::Ordering::Equal => Dec {
                neg: false,
                digits: Vec::new(),
                exp: 0,
            },
            std::cmp::Ordering::Greater => Dec {
                neg: self.neg,
                digits: sub_mag(&a, &b),
                exp: e,
            }
            .norm(),
            std::cmp::Ordering::Less => Dec {
                neg: o.neg,
                digits: sub_mag(&b, &a),
                exp: e,
            }
            .norm(),
        }
    }

    fn mul(&self, o: &Dec) -> Dec {
        if self.is_zero() || o.is_zero() {
            return Dec {
                neg: false,
                digits: Vec::new(),
                exp: 0,
            };
        }
        let mut r = vec![0u32; self.digits.len() + o.digits.len()];
        for (i, &x) in self.digits.iter().rev().enumerate() {
            for (j, &y) in o.digits.iter().rev().enumerate() {
                r[i + j] += x as u32 * y as u32;
            }
        }
        let mut carry = 0;
        for d in r.iter_mut() {
            let t = *d + carry;
            *d = t % 10;
            carry = t / 10;
        }
        let digits: Vec<u8> = r.iter().rev().map(|&d| d as u8).collect();
        Dec {
            neg: self.neg != o.neg,
            digits,
            exp: self.exp + o.exp,
        }
        .norm()
    }

    /// shopspring `Div`: `DivRound(d2, 16)` (half away from zero at 16 fractional digits).
    fn div(&self, o: &Dec) -> Dec {
        const PREC: i64 = 16;
        // q = self / o, computed as integer division of scaled mantissas.
        // self = a*10^ea, o = b*10^eb; want digits of a/b * 10^(ea-eb) at exponent -(PREC+1).
        let target = -(PREC + 1);
        let shift = self.exp - o.exp - target; // a * 10^shift / b
        let mut a = self.digits.clone();
        let mut b = o.digits.clone();
        if shift >= 0 {
            a.extend(std::iter::repeat_n(0, shift as usize));
        } else {
            b.extend(std::iter::repeat_n(0, (-shift) as usize));
        }
        let q = div_mag(&a, &b);
        // round half away from zero on the last digit
        let mut q = Dec {
            neg: false,
            digits: q,
            exp: target,
        }
        .norm();
        if q.is_zero() {
            return q;
        }
        let last = *q.digits.last().unwrap_or(&0);
        q.digits.pop();
        q.exp += 1;
        if last >= 5 {
            q = q.add(&Dec {
                neg: false,
                digits: vec![1],
                exp: q.exp,
            });
        }
        q.neg = self.neg != o.neg;
        q.norm()
    }

    fn to_f64(&self) -> f64 {
        if self.is_zero() {
            return 0.0;
        }
        let s: String = self.digits.iter().map(|d| (b'0' + d) as char).collect();
        let v: f64 = format!("{}{}e{}", if self.neg { "-" } else { "" }, s, self.exp)
            .parse()
            .unwrap_or(0.0);
        v
    }
}

fn cmp_mag(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let a = &a[a.iter().take_while(|&&d| d == 0).count()..];
    let b = &b[b.iter().take_while(|&&d| d == 0).count()..];
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn add_mag(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut r = Vec::new();
    let (mut i, mut j, mut c) = (a.len(), b.len(), 0u8);
    while i > 0 || j > 0 || c > 0 {
        let x = if i > 0 {
            i -= 1;
            a[i]
        } else {
            0
        };
        let y = if j > 0 {
            j -= 1;
            b[j]
        } else {
            0
        };
        let t = x + y + c;
        r.push(t % 10);
        c = t / 10;
    }
    r.reverse();
    r
}

fn sub_mag(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut r = Vec::new();
    let (mut i, mut j, mut borrow) = (a.len(), b.len(), 0i8);
    while i > 0 {
        i -= 1;
        let x = a[i] as i8;
        let y = if j > 0 {
            j -= 1;
            b[j] as i8
        } else {
            0
        };
        let mut t = x - y - borrow;
        if t < 0 {
            t += 10;
            borrow = 1;
        } else {
            borrow = 0;
        }
        r.push(t as u8);
    }
    r.reverse();
    r
}

fn div_mag(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut q = Vec::with_capacity(a.len());
    let mut rem: Vec<u8> = Vec::new();
    for &d in a {
        rem.push(d);
        let lead = rem.iter().take_while(|&&x| x == 0).count();
        rem.drain(..lead);
        let mut c = 0;
        while cmp_mag(&rem, b) != std::cmp::Ordering::Less {
            rem = sub_mag(&rem, b);
            let lead = rem.iter().take_while(|&&x| x == 0).count();
            rem.drain(..lead);
            c += 1;
        }
        q.push(c);
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(v: gotemplate::FuncResult) -> f64 {
        match v {
            Ok(Value::Float(f)) => f,
            _ => panic!(),
        }
    }

    #[test]
    fn decimal_ops() {
        assert_eq!(
            f(decimal_op(
                &Value::Float(0.1),
                &[Value::Float(0.2)],
                Op::Add
            )),
            0.3
        );
        assert_eq!(
            f(decimal_op(&Value::Float(1.5), &[Value::int(3)], Op::Mul)),
            4.5
        );
        assert_eq!(
            f(decimal_op(&Value::Float(10.0), &[Value::int(3)], Op::Div)),
            3.3333333333333335
        );
        assert_eq!(
            f(decimal_op(
                &Value::Float(1.0),
                &[Value::Float(0.9)],
                Op::Sub
            )),
            0.1
        );
    }
}
