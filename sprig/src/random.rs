//! Random strings and numbers (sprig `randAlphaNum` & co., goutils `CryptoRandom`).

use gotemplate::FuncMap;

pub(crate) fn register(_m: &mut FuncMap) {}

/// A uniform random number in `0..n` (`n > 0`) from the OS generator.
pub(crate) fn uniform(n: u64) -> u64 {
    let zone = u64::MAX - (u64::MAX % n);
    loop {
        let mut b = [0u8; 8];
        if getrandom::getrandom(&mut b).is_err() {
            return 0;
        }
        let v = u64::from_le_bytes(b);
        if v < zone {
            return v % n;
        }
    }
}
