//! Content hashes: cluster keys, image tags, release fingerprints.

use sha2::{Digest, Sha256};

/// An incremental SHA-256 that length-prefixes every field, so `("ab","c")` and `("a","bc")`
/// hash differently.
#[derive(Default, Clone)]
pub struct Hasher(Sha256);

impl Hasher {
    /// A new hasher.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds one field.
    pub fn field(&mut self, bytes: impl AsRef<[u8]>) -> &mut Self {
        let b = bytes.as_ref();
        self.0.update((b.len() as u64).to_le_bytes());
        self.0.update(b);
        self
    }
    /// The full digest as lowercase hex.
    pub fn hex(&self) -> String {
        let d = self.0.clone().finalize();
        d.iter().map(|b| format!("{b:02x}")).collect()
    }
    /// The first `n` hex characters of the digest.
    pub fn short(&self, n: usize) -> String {
        let mut h = self.hex();
        h.truncate(n);
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_delimited() {
        let a = Hasher::new().field("ab").field("c").hex();
        let b = Hasher::new().field("a").field("bc").hex();
        assert_ne!(a, b);
        assert_eq!(Hasher::new().field("x").short(8).len(), 8);
    }
}
