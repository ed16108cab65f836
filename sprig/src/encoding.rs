//! Encodings and digests: `b64enc`, `b64dec`, `b32enc`, `b32dec`, `sha1sum`, `sha256sum`,
//! `sha512sum`, `adler32sum` (sprig `strings.go`, `crypto.go`; Go `encoding/base64`,
//! `encoding/base32`).

use gotemplate::{FuncMap, Ty};
use sha1::Digest;

use crate::{arg_str, ok, reg};

pub(crate) fn register(m: &mut FuncMap) {
    use Ty::String as S;
    reg(m, "b64enc", &[S], |a| {
        ok(b64encode(arg_str(a, 0).as_bytes()))
    });
    reg(m, "b64dec", &[S], |a| {
        ok(match b64decode(&arg_str(a, 0)) {
            Ok(b) => crate::strings::lossy_per_byte(&b),
            Err(pos) => format!("illegal base64 data at input byte {pos}"),
        })
    });
    reg(m, "b32enc", &[S], |a| {
        ok(b32encode(arg_str(a, 0).as_bytes()))
    });
    reg(m, "b32dec", &[S], |a| {
        ok(match b32decode(&arg_str(a, 0)) {
            Ok(b) => crate::strings::lossy_per_byte(&b),
            Err(pos) => format!("illegal base32 data at input byte {pos}"),
        })
    });
    reg(m, "sha1sum", &[S], |a| {
        ok(hex(&sha1::Sha1::digest(arg_str(a, 0).as_bytes())))
    });
    reg(m, "sha256sum", &[S], |a| {
        ok(hex(&sha2::Sha256::digest(arg_str(a, 0).as_bytes())))
    });
    reg(m, "sha512sum", &[S], |a| {
        ok(hex(&sha2::Sha512::digest(arg_str(a, 0).as_bytes())))
    });
    reg(m, "adler32sum", &[S], |a| {
        ok(adler32(arg_str(a, 0).as_bytes()).to_string())
    });
}

pub(crate) fn hex(b: &[u8]) -> String {
    const H: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(b.len() * 2);
    for &x in b {
        s.push(H[(x >> 4) as usize] as char);
        s.push(H[(x & 15) as usize] as char);
    }
    s
}

fn adler32(b: &[u8]) -> u32 {
    let (mut a, mut s) = (1u32, 0u32);
    for &x in b {
        a = (a + x as u32) % 65521;
        s = (s + a) % 65521;
    }
    (s << 16) | a
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `base64.StdEncoding.EncodeToString`.
pub(crate) fn b64encode(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
    for c in b.chunks(3) {
        let v = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        out.push(B64[(v >> 18) as usize & 63] as char);
        out.push(B64[(v >> 12) as usize & 63] as char);
        out.push(if c.len() > 1 {
            B64[(v >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if c.len() > 2 {
            B64[v as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// `base64.StdEncoding.DecodeString`; the error is Go's `CorruptInputError` offset.
pub(crate) fn b64decode(s: &str) -> Result<Vec<u8>, usize> {
    let map = |c: u8| B64.iter().position(|&x| x == c).map(|p| p as u8);
    decode_quanta(s.as_bytes(), 4, 6, &map)
}

const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// `base32.StdEncoding.EncodeToString`.
pub(crate) fn b32encode(b: &[u8]) -> String {
    let mut out = String::new();
    for c in b.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..c.len()].copy_from_slice(c);
        let v = buf.iter().fold(0u64, |acc, &x| acc << 8 | x as u64);
        let nchars = (c.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < nchars {
                out.push(B32[((v >> (35 - 5 * i)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `base32.StdEncoding.DecodeString` (approximate error offsets).
pub(crate) fn b32decode(s: &str) -> Result<Vec<u8>, usize> {
    let map = |c: u8| B32.iter().position(|&x| x == c).map(|p| p as u8);
    decode_quanta(s.as_bytes(), 8, 5, &map)
}

/// Go's padded decoder loop (`decodeQuantum`): quanta of `q` symbols of `bits` bits each,
/// `\r`/`\n` ignored, `=` padding required.
fn decode_quanta(
    src: &[u8],
    q: usize,
    bits: u32,
    map: &dyn Fn(u8) -> Option<u8>,
) -> Result<Vec<u8>, usize> {
    let mut out = Vec::new();
    let mut si = 0usize;
    loop {
        let mut dbuf = vec![0u8; q];
        let mut dlen = q;
        let mut j = 0usize;
        let mut trailing_err = None;
        while j < q {
            if si == src.len() {
                if j == 0 {
                    return Ok(out);
                }
                return Err(si - j);
            }
            let c = src[si];
            si += 1;
            if let Some(v) = map(c) {
                dbuf[j] = v;
                j += 1;
                continue;
            }
            if c == b'\n' || c == b'\r' {
                continue;
            }
            if c != b'=' {
                return Err(si - 1);
            }
            // padding: the rest of the quantum must be '='
            if j < 2 {
                return Err(si - 1);
            }
            let mut need = q - j - 1;
            while need > 0 {
                while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                    si += 1;
                }
                if si == src.len() {
                    return Err(src.len());
                }
                if src[si] != b'=' {
                    return Err(si.saturating_sub(1));
                }
                si += 1;
                need -= 1;
            }
            while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                si += 1;
            }
            if si < src.len() {
                trailing_err = Some(si);
            }
            dlen = j;
            break;
        }
        let mut acc: u64 = 0;
        for &d in &dbuf {
            acc = acc << bits | d as u64;
        }
        let total_bytes = q * bits as usize / 8;
        let nbytes = dlen * bits as usize / 8;
        for i in 0..nbytes {
            out.push((acc >> (8 * (total_bytes - 1 - i))) as u8);
        }
        if let Some(e) = trailing_err {
            return Err(e);
        }
        if dlen < q {
            return Ok(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrips() {
        assert_eq!(b64encode(b"hello"), "aGVsbG8=");
        assert_eq!(b64decode("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(b64decode("aGVsbG8"), Err(4));
        assert_eq!(b64decode("a!"), Err(1));
        assert_eq!(b32encode(b"hello"), "NBSWY3DP");
        assert_eq!(b32encode(b"hi"), "NBUQ====");
        assert_eq!(b32decode("NBUQ====").unwrap(), b"hi");
        assert_eq!(adler32(b"hello"), 103547413);
    }
}
