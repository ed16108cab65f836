//! Random strings and numbers: `randAlphaNum`, `randAlpha`, `randNumeric`, `randAscii`,
//! `randBytes`, `shuffle`, `uuidv4` (goutils `CryptoRandom*`, xstrings `Shuffle`,
//! google/uuid `New`). All draw from the operating system's generator.

use gotemplate::{FuncError, FuncMap, Ty};

use crate::{arg_int, arg_str, ok, reg};

pub(crate) fn register(m: &mut FuncMap) {
    use Ty::{Int, String as S};
    reg(m, "randAlphaNum", &[Int], |a| {
        ok(crypto_random(arg_int(a, 0), true, true))
    });
    reg(m, "randAlpha", &[Int], |a| {
        ok(crypto_random(arg_int(a, 0), true, false))
    });
    reg(m, "randNumeric", &[Int], |a| {
        ok(crypto_random(arg_int(a, 0), false, true))
    });
    reg(m, "randAscii", &[Int], |a| {
        let n = arg_int(a, 0).min(crate::numeric::MAX_LEN);
        if n <= 0 {
            return ok("");
        }
        ok((0..n)
            .map(|_| (32 + uniform(95) as u8) as char)
            .collect::<String>())
    });
    reg(m, "randBytes", &[Int], |a| {
        let n = arg_int(a, 0);
        if n < 0 {
            return Err(FuncError::Call(
                "runtime error: makeslice: len out of range".into(),
            ));
        }
        let mut b = vec![0u8; n as usize];
        fill(&mut b);
        ok(crate::encoding::b64encode(&b))
    });
    reg(m, "shuffle", &[S], |a| {
        let mut r: Vec<char> = arg_str(a, 0).chars().collect();
        for i in (1..r.len()).rev() {
            let j = uniform(i as u64 + 1) as usize;
            r.swap(i, j);
        }
        ok(r.into_iter().collect::<String>())
    });
    reg(m, "uuidv4", &[], |_| ok(uuidv4()));
}

/// Fills `b` from the OS generator.
pub(crate) fn fill(b: &mut [u8]) {
    if getrandom::getrandom(b).is_err() {
        // No entropy source: fall back to a time-seeded xorshift (never expected on the
        // platforms we support).
        let mut x = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9e37_79b9_7f4a_7c15)
            | 1;
        for v in b.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *v = x as u8;
        }
    }
}

/// A uniform random number in `0..n` (`n > 0`).
pub(crate) fn uniform(n: u64) -> u64 {
    if n <= 1 {
        return 0;
    }
    let zone = u64::MAX - (u64::MAX % n);
    loop {
        let mut b = [0u8; 8];
        fill(&mut b);
        let v = u64::from_le_bytes(b);
        if v < zone {
            return v % n;
        }
    }
}

/// goutils `CryptoRandom(count, 0, 0, letters, numbers)`: characters drawn from `' '..='z'`
/// and kept when they are ASCII letters (if `letters`) or digits (if `numbers`).
fn crypto_random(count: i64, letters: bool, numbers: bool) -> String {
    if count <= 0 {
        return String::new();
    }
    let count = count.min(crate::numeric::MAX_LEN);
    let mut out = String::with_capacity(count as usize);
    while (out.len() as i64) < count {
        let c = (b' ' + uniform((b'z' - b' ' + 1) as u64) as u8) as char;
        if (letters && c.is_ascii_alphabetic()) || (numbers && c.is_ascii_digit()) {
            out.push(c);
        }
    }
    out
}

/// A random (version 4, variant 10) UUID in its canonical form.
pub(crate) fn uuidv4() -> String {
    let mut b = [0u8; 16];
    fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = crate::encoding::hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let s = crypto_random(200, true, true);
        assert_eq!(s.len(), 200);
        assert!(s.chars().all(|c| c.is_ascii_alphanumeric()));
        assert!(
            crypto_random(50, false, true)
                .chars()
                .all(|c| c.is_ascii_digit())
        );
        assert!(
            crypto_random(50, true, false)
                .chars()
                .all(|c| c.is_ascii_alphabetic())
        );
        let u = uuidv4();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
    }
}
