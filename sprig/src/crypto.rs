//! Crypto functions (sprig `crypto.go`): `genPrivateKey`, `genCA`, `genSelfSignedCert`,
//! `genSignedCert` (and their `WithKey` forms), `buildCustomCert`, `htpasswd`, `bcrypt`,
//! `derivePassword`, `encryptAES`, `decryptAES`.
//!
//! Certificates are built as Go's `x509.CreateCertificate` builds them from Sprig's template
//! (v3, 128-bit random serial, CN-only subject, key usages, extended key usages server+client
//! auth, basic constraints, subject key id for CAs, authority key id, SANs), DER-encoded here
//! and signed with RSA PKCS#1 v1.5 SHA-256 or ECDSA P-256 SHA-256. Generated RSA keys are 2048
//! bits (4096 for `genPrivateKey`), as in Sprig.
//!
//! Without the `crypto` feature the functions are registered but fail when called.

use std::rc::Rc;

use gotemplate::{FuncError, FuncMap, FuncResult, Object, Ty, Value};

use crate::{arg, arg_int, arg_list, arg_str, ok, reg};

pub(crate) fn register(m: &mut FuncMap) {
    use Ty::{Any, Int, List as L, String as S};
    reg(m, "genPrivateKey", &[S], |a| {
        imp::gen_private_key(&arg_str(a, 0))
    });
    reg(m, "genCA", &[S, Int], |a| {
        imp::gen_ca(&arg_str(a, 0), arg_int(a, 1), None)
    });
    reg(m, "genCAWithKey", &[S, Int, S], |a| {
        imp::gen_ca(&arg_str(a, 0), arg_int(a, 1), Some(&arg_str(a, 2)))
    });
    reg(m, "genSelfSignedCert", &[S, L, L, Int], |a| {
        imp::gen_self_signed(
            &arg_str(a, 0),
            &arg_list(a, 1),
            &arg_list(a, 2),
            arg_int(a, 3),
            None,
        )
    });
    reg(m, "genSelfSignedCertWithKey", &[S, L, L, Int, S], |a| {
        imp::gen_self_signed(
            &arg_str(a, 0),
            &arg_list(a, 1),
            &arg_list(a, 2),
            arg_int(a, 3),
            Some(&arg_str(a, 4)),
        )
    });
    reg(m, "genSignedCert", &[S, L, L, Int, Any], |a| {
        let ca = certificate_arg(&arg(a, 4))?;
        imp::gen_signed(
            &arg_str(a, 0),
            &arg_list(a, 1),
            &arg_list(a, 2),
            arg_int(a, 3),
            &ca,
            None,
        )
    });
    reg(m, "genSignedCertWithKey", &[S, L, L, Int, Any, S], |a| {
        let ca = certificate_arg(&arg(a, 4))?;
        imp::gen_signed(
            &arg_str(a, 0),
            &arg_list(a, 1),
            &arg_list(a, 2),
            arg_int(a, 3),
            &ca,
            Some(&arg_str(a, 5)),
        )
    });
    reg(m, "buildCustomCert", &[S, S], |a| {
        imp::build_custom_cert(&arg_str(a, 0), &arg_str(a, 1))
    });
    reg(m, "bcrypt", &[S], |a| ok(imp::bcrypt(&arg_str(a, 0))));
    reg(m, "htpasswd", &[S, S], |a| {
        let user = arg_str(a, 0);
        if user.contains(':') {
            return ok(format!("invalid username: {user}"));
        }
        ok(format!("{user}:{}", imp::bcrypt(&arg_str(a, 1))))
    });
    reg(m, "derivePassword", &[Int, S, S, S, S], |a| {
        ok(imp::derive_password(
            arg_int(a, 0) as u32,
            &arg_str(a, 1),
            &arg_str(a, 2),
            &arg_str(a, 3),
            &arg_str(a, 4),
        ))
    });
    reg(m, "encryptAES", &[S, S], |a| {
        imp::encrypt_aes(&arg_str(a, 0), &arg_str(a, 1))
    });
    reg(m, "decryptAES", &[S, S], |a| {
        imp::decrypt_aes(&arg_str(a, 0), &arg_str(a, 1))
    });
}

/// Sprig's `certificate` struct: `.Cert` and `.Key`, PEM text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// PEM `CERTIFICATE` block.
    pub cert: String,
    /// PEM private key block.
    pub key: String,
}

impl Object for Certificate {
    fn type_name(&self) -> String {
        "sprig.certificate".into()
    }

    fn kind_name(&self) -> &'static str {
        "struct"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Cert" => Some(Value::str(&self.cert)),
            "Key" => Some(Value::str(&self.key)),
            _ => None,
        }
    }

    fn to_value(&self) -> Option<Value> {
        let m = gotemplate::Map::new();
        m.insert("Cert", Value::str(&self.cert));
        m.insert("Key", Value::str(&self.key));
        Some(Value::Map(m))
    }

    fn format_v(&self) -> Option<String> {
        Some(format!("{{{} {}}}", self.cert, self.key))
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

#[cfg_attr(not(feature = "crypto"), allow(dead_code))]
fn cert_value(c: Certificate) -> FuncResult {
    Ok(Value::Object(Rc::new(c)))
}

fn certificate_arg(v: &Value) -> Result<Certificate, FuncError> {
    if let Value::Object(o) = v
        && o.type_name() == "sprig.certificate"
    {
        let get = |f: &str| {
            o.field(f)
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        };
        return Ok(Certificate {
            cert: get("Cert"),
            key: get("Key"),
        });
    }
    let got = match v {
        Value::Object(o) => o.type_name(),
        other => other.go_type(),
    };
    Err(FuncError::Call(format!(
        "wrong type for value; expected sprig.certificate; got {got}"
    )))
}

#[cfg(not(feature = "crypto"))]
mod imp {
    use super::*;

    fn off() -> FuncResult {
        Err(FuncError::Call(
            "crypto functions are not compiled in (sprig feature `crypto`)".into(),
        ))
    }
    pub(super) fn gen_private_key(_: &str) -> FuncResult {
        off()
    }
    pub(super) fn gen_ca(_: &str, _: i64, _: Option<&str>) -> FuncResult {
        off()
    }
    pub(super) fn gen_self_signed(
        _: &str,
        _: &gotemplate::List,
        _: &gotemplate::List,
        _: i64,
        _: Option<&str>,
    ) -> FuncResult {
        off()
    }
    pub(super) fn gen_signed(
        _: &str,
        _: &gotemplate::List,
        _: &gotemplate::List,
        _: i64,
        _: &Certificate,
        _: Option<&str>,
    ) -> FuncResult {
        off()
    }
    pub(super) fn build_custom_cert(_: &str, _: &str) -> FuncResult {
        off()
    }
    pub(super) fn bcrypt(_: &str) -> String {
        "failed to encrypt string with bcrypt: not compiled in".into()
    }
    pub(super) fn derive_password(_: u32, _: &str, _: &str, _: &str, _: &str) -> String {
        "failed to derive password: not compiled in".into()
    }
    pub(super) fn encrypt_aes(_: &str, _: &str) -> FuncResult {
        off()
    }
    pub(super) fn decrypt_aes(_: &str, _: &str) -> FuncResult {
        off()
    }
}

#[cfg(feature = "crypto")]
mod imp {
    use super::*;
    use crate::encoding::{b64decode, b64encode};
    use crate::random::fill;
    use der::*;
    use sha2::Digest;

    // ---- keys ----

    pub(super) enum Key {
        Rsa(Box<rsa::RsaPrivateKey>),
        Ec(p256::SecretKey),
        Ed25519([u8; 32]),
    }

    struct Rng;
    impl rand_core::RngCore for Rng {
        fn next_u32(&mut self) -> u32 {
            let mut b = [0u8; 4];
            fill(&mut b);
            u32::from_le_bytes(b)
        }
        fn next_u64(&mut self) -> u64 {
            let mut b = [0u8; 8];
            fill(&mut b);
            u64::from_le_bytes(b)
        }
        fn fill_bytes(&mut self, d: &mut [u8]) {
            fill(d)
        }
        fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core::Error> {
            fill(d);
            Ok(())
        }
    }
    impl rand_core::CryptoRng for Rng {}

    /// An RSA key with public exponent 65537 from two `bits/2`-bit primes (top two bits set, so
    /// the modulus has exactly `bits` bits). Faster than `RsaPrivateKey::new`: candidates are
    /// sieved by every prime below 2^16 over a window before any modular exponentiation.
    pub(super) fn rsa_key(bits: usize) -> Result<Key, String> {
        use num_bigint_dig::BigUint;
        let e = BigUint::from(65_537u32);
        loop {
            let p = gen_prime(bits / 2);
            let q = gen_prime(bits - bits / 2);
            if p == q {
                continue;
            }
            if let Ok(k) = rsa::RsaPrivateKey::from_p_q(p, q, e.clone()) {
                use rsa::traits::PublicKeyParts;
                if k.n().bits() == bits {
                    return Ok(Key::Rsa(Box::new(k)));
                }
            }
        }
    }

    fn small_primes() -> &'static [u32] {
        static P: std::sync::OnceLock<Vec<u32>> = std::sync::OnceLock::new();
        P.get_or_init(|| {
            const N: usize = 1 << 16;
            let mut comp = vec![false; N];
            let mut out = Vec::new();
            for i in 2..N {
                if !comp[i] {
                    out.push(i as u32);
                    let mut j = i * i;
                    while j < N {
                        comp[j] = true;
                        j += i;
                    }
                }
            }
            out
        })
    }

    /// A random probable prime of exactly `bits` bits with its two top bits set and
    /// `p mod 65537 != 1` (so 65537 is invertible modulo p-1).
    pub(super) fn gen_prime(bits: usize) -> num_bigint_dig::BigUint {
        use num_bigint_dig::BigUint;
        use num_traits::ToPrimitive;
        const WINDOW: usize = 1 << 14;
        let primes = small_primes();
        loop {
            let mut bytes = vec![0u8; bits.div_ceil(8)];
            fill(&mut bytes);
            let extra = bytes.len() * 8 - bits;
            bytes[0] &= 0xff >> extra;
            bytes[0] |= 0xc0 >> extra;
            if extra == 7 {
                bytes[1] |= 0x80;
            }
            let last = bytes.len() - 1;
            bytes[last] |= 1;
            let base = BigUint::from_bytes_be(&bytes);
            // sieve odd offsets base + 2k, k < WINDOW
            let mut composite = vec![false; WINDOW];
            for &sp in &primes[1..] {
                let r = (&base % sp).to_u32().unwrap_or(0) as u64;
                let sp64 = sp as u64;
                // smallest k with (r + 2k) % sp == 0: 2k ≡ -r (mod sp)
                let inv2 = sp64.div_ceil(2); // 2 * inv2 ≡ 1 (mod sp) for odd sp
                let mut k = ((sp64 - r % sp64) % sp64 * inv2 % sp64) as usize;
                while k < WINDOW {
                    composite[k] = true;
                    k += sp as usize;
                }
                if sp == 65_537 {
                    break;
                }
            }
            let r_e = (&base % 65_537u32).to_u32().unwrap_or(0) as u64;
            for (k, &c) in composite.iter().enumerate() {
                if c || (r_e + 2 * k as u64) % 65_537 == 1 {
                    continue;
                }
                let cand = &base + BigUint::from(2 * k as u64);
                if cand.bits() != bits {
                    break;
                }
                if miller_rabin(&cand, 1, true) && miller_rabin(&cand, 7, false) {
                    return cand;
                }
            }
        }
    }

    /// Miller–Rabin with base 2 (`fixed_two`) or `rounds` random bases.
    fn miller_rabin(n: &num_bigint_dig::BigUint, rounds: usize, fixed_two: bool) -> bool {
        use num_bigint_dig::{BigUint, RandBigInt};
        let one = BigUint::from(1u32);
        let two = BigUint::from(2u32);
        let nm1 = n - &one;
        let s = nm1.trailing_zeros().unwrap_or(0);
        let d = &nm1 >> s;
        let mut rng = rand_core::OsRng;
        'round: for _ in 0..rounds {
            let a = if fixed_two {
                two.clone()
            } else {
                rng.gen_biguint_range(&two, &nm1)
            };
            let mut x = a.modpow(&d, n);
            if x == one || x == nm1 {
                continue;
            }
            for _ in 1..s {
                x = x.modpow(&two, n);
                if x == nm1 {
                    continue 'round;
                }
                if x == one {
                    return false;
                }
            }
            return false;
        }
        true
    }

    pub(super) fn pem(kind: &str, der: &[u8]) -> String {
        let b = b64encode(der);
        let mut out = format!("-----BEGIN {kind}-----\n");
        for chunk in b.as_bytes().chunks(64) {
            out.push_str(std::str::from_utf8(chunk).unwrap_or(""));
            out.push('\n');
        }
        out.push_str(&format!("-----END {kind}-----\n"));
        out
    }

    /// Go's `pem.Decode` (first block; headers are not supported).
    fn pem_decode(s: &str) -> Option<(String, Vec<u8>)> {
        let start = s.find("-----BEGIN ")?;
        let rest = &s[start + 11..];
        let end_type = rest.find("-----")?;
        let kind = rest[..end_type].to_string();
        let body_start = rest[end_type + 5..].trim_start_matches(['\r', '\n']);
        let end_marker = format!("-----END {kind}-----");
        let body_end = body_start.find(&end_marker)?;
        let body: String = body_start[..body_end]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let der = b64decode(&body).ok()?;
        Some((kind, der))
    }

    fn key_pem(k: &Key) -> Result<String, String> {
        match k {
            Key::Rsa(k) => {
                use rsa::pkcs1::EncodeRsaPrivateKey;
                let der = k.to_pkcs1_der().map_err(|e| e.to_string())?;
                Ok(pem("RSA PRIVATE KEY", der.as_bytes()))
            }
            Key::Ec(k) => Ok(pem("EC PRIVATE KEY", &ec_private_der(k))),
            Key::Ed25519(seed) => {
                let der = seq(&[
                    integer_u(&[0]),
                    seq(&[oid(&[1, 3, 101, 112])]),
                    octet(&octet(seed)),
                ]);
                Ok(pem("PRIVATE KEY", &der))
            }
        }
    }

    /// Go's `x509.MarshalECPrivateKey` (SEC 1, with the curve OID and public key).
    fn ec_private_der(k: &p256::SecretKey) -> Vec<u8> {
        use p256::elliptic_curve::sec1::ToEncodedPoint;
        let pubk = k.public_key().to_encoded_point(false);
        seq(&[
            integer_u(&[1]),
            octet(&k.to_bytes()),
            tagged(0xa0, &oid(OID_P256)),
            tagged(0xa1, &bit_string(pubk.as_bytes())),
        ])
    }

    fn parse_private_key_pem(s: &str) -> Result<Key, String> {
        let (kind, der) = pem_decode(s).ok_or("no PEM data in input")?;
        if kind == "PRIVATE KEY" {
            return parse_pkcs8(&der).map_err(|e| format!("decoding PEM as PKCS#8: {e}"));
        }
        let Some(t) = kind.strip_suffix(" PRIVATE KEY") else {
            return Err(format!("no private key data in PEM block of type {kind}"));
        };
        match t {
            "RSA" => {
                use rsa::pkcs1::DecodeRsaPrivateKey;
                rsa::RsaPrivateKey::from_pkcs1_der(&der)
                    .map(|k| Key::Rsa(Box::new(k)))
                    .map_err(|e| format!("parsing RSA private key from PEM: {e}"))
            }
            "EC" => p256::SecretKey::from_sec1_der(&der)
                .map(Key::Ec)
                .map_err(|e| format!("parsing EC private key from PEM: {e}")),
            _ => Err(format!("invalid private key type {kind}")),
        }
    }

    fn parse_pkcs8(der: &[u8]) -> Result<Key, String> {
        use p256::pkcs8::DecodePrivateKey;
        if let Ok(k) = rsa::RsaPrivateKey::from_pkcs8_der(der) {
            return Ok(Key::Rsa(Box::new(k)));
        }
        if let Ok(k) = p256::SecretKey::from_pkcs8_der(der) {
            return Ok(Key::Ec(k));
        }
        // Ed25519: SEQUENCE { 0, SEQUENCE { 1.3.101.112 }, OCTET STRING { OCTET STRING seed } }
        let ed_prefix = [
            0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
            0x04, 0x20,
        ];
        if der.len() == 48 && der[..16] == ed_prefix {
            let mut seed = [0u8; 32];
            seed.copy_from_slice(&der[16..]);
            return Ok(Key::Ed25519(seed));
        }
        Err("x509: failed to parse private key".into())
    }

    /// DER `SubjectPublicKeyInfo` of the key's public half.
    fn spki(k: &Key) -> Result<Vec<u8>, String> {
        match k {
            Key::Rsa(k) => {
                use rsa::traits::PublicKeyParts;
                let n = k.n().to_bytes_be();
                let e = k.e().to_bytes_be();
                let rsapub = seq(&[integer_u(&n), integer_u(&e)]);
                Ok(seq(&[seq(&[oid(OID_RSA), null()]), bit_string(&rsapub)]))
            }
            Key::Ec(k) => {
                use p256::elliptic_curve::sec1::ToEncodedPoint;
                let p = k.public_key().to_encoded_point(false);
                Ok(seq(&[
                    seq(&[oid(OID_EC), oid(OID_P256)]),
                    bit_string(p.as_bytes()),
                ]))
            }
            Key::Ed25519(_) => {
                Err("x509: ed25519 signing keys are not supported by this implementation".into())
            }
        }
    }

    fn public_key_bits(spki_der: &[u8]) -> Vec<u8> {
        // the BIT STRING content of the SubjectPublicKeyInfo (minus the unused-bits byte)
        let mut r = Reader::new(spki_der);
        let Some((_, body)) = r.read() else {
            return Vec::new();
        };
        let mut r = Reader::new(body);
        let _ = r.read();
        match r.read() {
            Some((0x03, bits)) if !bits.is_empty() => bits[1..].to_vec(),
            _ => Vec::new(),
        }
    }

    fn sign(k: &Key, tbs: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
        match k {
            Key::Rsa(k) => {
                let digest = sha2::Sha256::digest(tbs);
                let sig = k
                    .sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &digest)
                    .map_err(|e| e.to_string())?;
                Ok((seq(&[oid(OID_SHA256_RSA), null()]), sig))
            }
            Key::Ec(k) => {
                use p256::ecdsa::signature::Signer;
                let sk = p256::ecdsa::SigningKey::from(k);
                let sig: p256::ecdsa::Signature = sk.sign(tbs);
                Ok((
                    seq(&[oid(OID_ECDSA_SHA256)]),
                    sig.to_der().as_bytes().to_vec(),
                ))
            }
            Key::Ed25519(_) => {
                Err("x509: ed25519 signing keys are not supported by this implementation".into())
            }
        }
    }

    pub(super) fn gen_private_key(typ: &str) -> FuncResult {
        let key = match typ {
            "" | "rsa" => rsa_key(4096),
            "ecdsa" => Ok(Key::Ec(p256::SecretKey::random(&mut Rng))),
            "ed25519" => {
                let mut seed = [0u8; 32];
                fill(&mut seed);
                Ok(Key::Ed25519(seed))
            }
            "dsa" => {
                return ok("failed to generate dsa params: DSA key generation is not implemented");
            }
            other => return ok(format!("Unknown type {other}")),
        };
        match key.and_then(|k| key_pem(&k)) {
            Ok(p) => ok(p),
            Err(e) => ok(format!("failed to generate private key: {e}")),
        }
    }

    struct Template {
        cn: String,
        ips: Vec<std::net::IpAddr>,
        dns: Vec<String>,
        days: i64,
        is_ca: bool,
    }

    fn base_template(
        cn: &str,
        ips: &gotemplate::List,
        dns: &gotemplate::List,
        days: i64,
    ) -> Result<Template, String> {
        let mut out_ips = Vec::new();
        for ip in ips.iter() {
            let Some(s) = ip.as_str() else {
                return Err(format!(
                    "error parsing ip: {} is not a string",
                    crate::fmt::format_v(ip)
                ));
            };
            let parsed = s
                .parse::<std::net::IpAddr>()
                .map_err(|_| format!("error parsing ip: {s}"))?;
            out_ips.push(parsed);
        }
        let mut out_dns = Vec::new();
        for d in dns.iter() {
            let Some(s) = d.as_str() else {
                return Err(format!(
                    "error processing alternate dns name: {} is not a string",
                    crate::fmt::format_v(d)
                ));
            };
            out_dns.push(s.to_string());
        }
        Ok(Template {
            cn: cn.to_string(),
            ips: out_ips,
            dns: out_dns,
            days,
            is_ca: false,
        })
    }

    fn name_cn(cn: &str) -> Vec<u8> {
        if cn.is_empty() {
            return seq(&[]);
        }
        seq(&[set(&[seq(&[oid(&[2, 5, 4, 3]), utf8_or_printable(cn)])])])
    }

    fn now_unix() -> (i64, u32) {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        (d.as_secs() as i64, d.subsec_nanos())
    }

    /// Issuer of a signed certificate: the parent's raw subject and subject key id.
    struct Parent {
        subject: Vec<u8>,
        ski: Option<Vec<u8>>,
    }

    fn create_certificate(
        t: &Template,
        key: &Key,
        parent: Option<&Parent>,
        signer: &Key,
    ) -> Result<String, String> {
        let subject = name_cn(&t.cn);
        let pub_der = spki(key)?;
        let mut serial = [0u8; 16];
        fill(&mut serial);
        let (now, _) = now_unix();
        let not_after = now + 86400 * t.days;
        let mut exts = Vec::new();
        // key usage: digitalSignature | keyEncipherment (| certSign for CAs)
        let ku_bits: u16 = if t.is_ca { 0b1010_0100 } else { 0b1010_0000 };
        exts.push(ext(OID_KEY_USAGE, true, &key_usage_bits(ku_bits)));
        exts.push(ext(
            OID_EXT_KEY_USAGE,
            false,
            &seq(&[oid(OID_SERVER_AUTH), oid(OID_CLIENT_AUTH)]),
        ));
        let bc = if t.is_ca {
            seq(&[boolean(true)])
        } else {
            seq(&[])
        };
        exts.push(ext(OID_BASIC_CONSTRAINTS, true, &bc));
        if t.is_ca {
            let h = sha1::Sha1::digest(public_key_bits(&pub_der));
            exts.push(ext(OID_SKI, false, &octet(&h)));
        }
        let issuer = match parent {
            Some(p) => p.subject.clone(),
            None => subject.clone(),
        };
        let aki = match parent {
            Some(p) if p.subject != subject => p.ski.clone(),
            _ => None,
        };
        if let Some(aki) = aki {
            exts.push(ext(OID_AKI, false, &seq(&[tagged(0x80, &aki)])));
        }
        if !t.ips.is_empty() || !t.dns.is_empty() {
            let mut names = Vec::new();
            for d in &t.dns {
                names.push(tagged(0x82, d.as_bytes()));
            }
            for ip in &t.ips {
                let b = match ip {
                    std::net::IpAddr::V4(v) => v.octets().to_vec(),
                    std::net::IpAddr::V6(v) => match v.to_ipv4_mapped() {
                        Some(v4) => v4.octets().to_vec(),
                        None => v.octets().to_vec(),
                    },
                };
                names.push(tagged(0x87, &b));
            }
            exts.push(ext(OID_SAN, t.cn.is_empty(), &seq(&names)));
        }
        let (alg, _) = sign(signer, b"")?;
        let tbs = seq(&[
            tagged(0xa0, &integer_u(&[2])),
            integer_u(&serial),
            alg.clone(),
            issuer,
            seq(&[time(now), time(not_after)]),
            subject,
            pub_der,
            tagged(0xa3, &seq(&exts)),
        ]);
        let (alg, sig) = sign(signer, &tbs)?;
        let cert = seq(&[tbs, alg, bit_string(&sig)]);
        Ok(pem("CERTIFICATE", &cert))
    }

    fn finish(t: Template, key: Key, parent: Option<(&Parent, &Key)>) -> FuncResult {
        let cert = match parent {
            Some((p, signer)) => create_certificate(&t, &key, Some(p), signer),
            None => create_certificate(&t, &key, None, &key),
        }
        .map_err(|e| FuncError::Call(format!("error creating certificate: {e}")))?;
        let key_pem =
            key_pem(&key).map_err(|e| FuncError::Call(format!("error pem-encoding key: {e}")))?;
        cert_value(Certificate { cert, key: key_pem })
    }

    fn key_or_new(pem_key: Option<&str>) -> Result<Key, FuncError> {
        match pem_key {
            Some(p) => parse_private_key_pem(p)
                .map_err(|e| FuncError::Call(format!("parsing private key: {e}"))),
            None => {
                rsa_key(2048).map_err(|e| FuncError::Call(format!("error generating rsa key: {e}")))
            }
        }
    }

    pub(super) fn gen_ca(cn: &str, days: i64, key: Option<&str>) -> FuncResult {
        let key = key_or_new(key)?;
        let mut t = base_template(
            cn,
            &gotemplate::List::new(vec![]),
            &gotemplate::List::new(vec![]),
            days,
        )
        .map_err(FuncError::Call)?;
        t.is_ca = true;
        finish(t, key, None)
    }

    pub(super) fn gen_self_signed(
        cn: &str,
        ips: &gotemplate::List,
        dns: &gotemplate::List,
        days: i64,
        key: Option<&str>,
    ) -> FuncResult {
        let key = key_or_new(key)?;
        let t = base_template(cn, ips, dns, days).map_err(FuncError::Call)?;
        finish(t, key, None)
    }

    pub(super) fn gen_signed(
        cn: &str,
        ips: &gotemplate::List,
        dns: &gotemplate::List,
        days: i64,
        ca: &Certificate,
        key: Option<&str>,
    ) -> FuncResult {
        let key = key_or_new(key)?;
        let (kind, der) = pem_decode(&ca.cert)
            .ok_or_else(|| FuncError::Call("unable to decode certificate".into()))?;
        let _ = kind;
        let parent = parse_parent(&der).map_err(|e| {
            FuncError::Call(format!(
                "error parsing certificate: decodedSignerCert.Bytes: {e}"
            ))
        })?;
        let signer = parse_private_key_pem(&ca.key)
            .map_err(|e| FuncError::Call(format!("error parsing private key: {e}")))?;
        let t = base_template(cn, ips, dns, days).map_err(FuncError::Call)?;
        finish(t, key, Some((&parent, &signer)))
    }

    /// Reads the subject and subject key id of a DER certificate.
    fn parse_parent(der: &[u8]) -> Result<Parent, String> {
        let bad = || "x509: malformed certificate".to_string();
        let mut r = Reader::new(der);
        let (_, cert) = r.read().ok_or_else(bad)?;
        let mut r = Reader::new(cert);
        let (_, tbs) = r.read().ok_or_else(bad)?;
        let mut r = Reader::new(tbs);
        let mut first = r.read().ok_or_else(bad)?;
        if first.0 == 0xa0 {
            first = r.read().ok_or_else(bad)?; // serial
        }
        let _ = first;
        r.read().ok_or_else(bad)?; // signature algorithm
        r.read().ok_or_else(bad)?; // issuer
        r.read().ok_or_else(bad)?; // validity
        let subject_start = r.pos;
        r.read().ok_or_else(bad)?;
        let subject = tbs[subject_start..r.pos].to_vec();
        r.read().ok_or_else(bad)?; // spki
        let mut ski = None;
        while let Some((tag, body)) = r.read() {
            if tag != 0xa3 {
                continue;
            }
            let mut er = Reader::new(body);
            let Some((_, exts)) = er.read() else { break };
            let mut er = Reader::new(exts);
            while let Some((_, e)) = er.read() {
                let mut x = Reader::new(e);
                let Some((_, id)) = x.read() else { continue };
                if id == encode_oid_body(OID_SKI).as_slice() {
                    let mut val = x.read();
                    if let Some((0x01, _)) = val {
                        val = x.read();
                    }
                    if let Some((0x04, inner)) = val
                        && let Some((0x04, k)) = Reader::new(inner).read()
                    {
                        ski = Some(k.to_vec());
                    }
                }
            }
        }
        Ok(Parent { subject, ski })
    }

    pub(super) fn build_custom_cert(b64cert: &str, b64key: &str) -> FuncResult {
        let cert = b64decode(b64cert)
            .map_err(|_| FuncError::Call("unable to decode base64 certificate".into()))?;
        let key = b64decode(b64key)
            .map_err(|_| FuncError::Call("unable to decode base64 private key".into()))?;
        let cert = String::from_utf8_lossy(&cert).into_owned();
        let key = String::from_utf8_lossy(&key).into_owned();
        let (_, der) = pem_decode(&cert)
            .ok_or_else(|| FuncError::Call("unable to decode certificate".into()))?;
        parse_parent(&der).map_err(|e| {
            FuncError::Call(format!("error parsing certificate: decodedCert.Bytes: {e}"))
        })?;
        parse_private_key_pem(&key)
            .map_err(|e| FuncError::Call(format!("error parsing private key: {e}")))?;
        cert_value(Certificate { cert, key })
    }

    pub(super) fn bcrypt(input: &str) -> String {
        if input.len() > 72 {
            return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes".into();
        }
        let mut salt = [0u8; 16];
        fill(&mut salt);
        bcrypt_hash(input.as_bytes(), 10, &salt)
    }

    /// `$2a$` bcrypt (Go's `bcrypt.GenerateFromPassword` with a given salt).
    pub(super) fn bcrypt_hash(password: &[u8], cost: u32, salt: &[u8; 16]) -> String {
        use blowfish::Blowfish;
        let mut key = password.to_vec();
        key.push(0);
        key.truncate(72);
        let mut state: Blowfish<byteorder::BE> = Blowfish::bc_init_state();
        state.salted_expand_key(salt, &key);
        for _ in 0..1u64 << cost {
            state.bc_expand_key(&key);
            state.bc_expand_key(salt);
        }
        let magic = b"OrpheanBeholderScryDoubt";
        let mut words = [0u32; 6];
        for (i, w) in words.iter_mut().enumerate() {
            *w = u32::from_be_bytes([
                magic[4 * i],
                magic[4 * i + 1],
                magic[4 * i + 2],
                magic[4 * i + 3],
            ]);
        }
        for _ in 0..64 {
            for i in (0..6).step_by(2) {
                let [l, r] = state.bc_encrypt([words[i], words[i + 1]]);
                words[i] = l;
                words[i + 1] = r;
            }
        }
        let mut out = Vec::with_capacity(24);
        for w in words {
            out.extend_from_slice(&w.to_be_bytes());
        }
        out.truncate(23);
        format!("$2a${cost:02}${}{}", bcrypt_b64(salt), bcrypt_b64(&out))
    }

    /// bcrypt's base64: `./A-Za-z0-9`, no padding.
    fn bcrypt_b64(b: &[u8]) -> String {
        const A: &[u8; 64] = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut out = String::new();
        for c in b.chunks(3) {
            let v = (c[0] as u32) << 16
                | (*c.get(1).unwrap_or(&0) as u32) << 8
                | *c.get(2).unwrap_or(&0) as u32;
            let n = c.len() + 1;
            for i in 0..n {
                out.push(A[((v >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }

    fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
        let mut k = [0u8; 64];
        if key.len() > 64 {
            k[..32].copy_from_slice(&sha2::Sha256::digest(key));
        } else {
            k[..key.len()].copy_from_slice(key);
        }
        let mut inner = sha2::Sha256::new();
        inner.update(k.iter().map(|b| b ^ 0x36).collect::<Vec<_>>());
        inner.update(msg);
        let ih = inner.finalize();
        let mut outer = sha2::Sha256::new();
        outer.update(k.iter().map(|b| b ^ 0x5c).collect::<Vec<_>>());
        outer.update(ih);
        outer.finalize().to_vec()
    }

    pub(super) fn derive_password(
        counter: u32,
        typ: &str,
        password: &str,
        user: &str,
        site: &str,
    ) -> String {
        let templates: &[&str] = match typ {
            "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
            "long" => &[
                "CvcvnoCvcvCvcv",
                "CvcvCvcvnoCvcv",
                "CvcvCvcvCvcvno",
                "CvccnoCvcvCvcv",
                "CvccCvcvnoCvcv",
                "CvccCvcvCvcvno",
                "CvcvnoCvccCvcv",
                "CvcvCvccnoCvcv",
                "CvcvCvccCvcvno",
                "CvcvnoCvcvCvcc",
                "CvcvCvcvnoCvcc",
                "CvcvCvcvCvccno",
                "CvccnoCvccCvcv",
                "CvccCvccnoCvcv",
                "CvccCvccCvcvno",
                "CvcvnoCvccCvcc",
                "CvcvCvccnoCvcc",
                "CvcvCvccCvccno",
                "CvccnoCvcvCvcc",
                "CvccCvcvnoCvcc",
                "CvccCvcvCvccno",
            ],
            "medium" => &["CvcnoCvc", "CvcCvcno"],
            "short" => &["Cvcn"],
            "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
            "pin" => &["nnnn"],
            _ => return format!("cannot find password template {typ}"),
        };
        let chars = |c: u8| -> &'static str {
            match c {
                b'V' => "AEIOU",
                b'C' => "BCDFGHJKLMNPQRSTVWXYZ",
                b'v' => "aeiou",
                b'c' => "bcdfghjklmnpqrstvwxyz",
                b'A' => "AEIOUBCDFGHJKLMNPQRSTVWXYZ",
                b'a' => "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
                b'n' => "0123456789",
                b'o' => "@&%?,=[]_:-+*$#!'^~;()/.",
                _ => "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
            }
        };
        let seed_str = b"com.lyndir.masterpassword";
        let mut salt = seed_str.to_vec();
        salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
        salt.extend_from_slice(user.as_bytes());
        let mut key = [0u8; 64];
        let Ok(params) = scrypt::Params::new(15, 8, 2, 64) else {
            return "failed to derive password: bad scrypt parameters".into();
        };
        if let Err(e) = scrypt::scrypt(password.as_bytes(), &salt, &params, &mut key) {
            return format!("failed to derive password: {e}");
        }
        let mut msg = seed_str.to_vec();
        msg.extend_from_slice(&(site.len() as u32).to_be_bytes());
        msg.extend_from_slice(site.as_bytes());
        msg.extend_from_slice(&counter.to_be_bytes());
        let seed = hmac_sha256(&key, &msg);
        let temp = templates[seed[0] as usize % templates.len()].as_bytes();
        temp.iter()
            .enumerate()
            .map(|(i, &c)| {
                let pc = chars(c).as_bytes();
                pc[seed[i + 1] as usize % pc.len()] as char
            })
            .collect()
    }

    fn aes_key(password: &str) -> [u8; 32] {
        let mut key = [0u8; 32];
        let p = password.as_bytes();
        let n = p.len().min(32);
        key[..n].copy_from_slice(&p[..n]);
        key
    }

    pub(super) fn encrypt_aes(password: &str, plaintext: &str) -> FuncResult {
        use aes::cipher::{BlockEncrypt, KeyInit};
        if plaintext.is_empty() {
            return ok("");
        }
        let cipher = aes::Aes256::new(&aes_key(password).into());
        let mut content = plaintext.as_bytes().to_vec();
        let pad = 16 - content.len() % 16;
        content.extend(std::iter::repeat_n(pad as u8, pad));
        let mut iv = [0u8; 16];
        fill(&mut iv);
        let mut out = iv.to_vec();
        let mut prev = iv;
        for block in content.chunks(16) {
            let mut b = [0u8; 16];
            for i in 0..16 {
                b[i] = block[i] ^ prev[i];
            }
            let mut ga = aes::Block::from(b);
            cipher.encrypt_block(&mut ga);
            prev.copy_from_slice(&ga);
            out.extend_from_slice(&ga);
        }
        ok(b64encode(&out))
    }

    pub(super) fn decrypt_aes(password: &str, crypt64: &str) -> FuncResult {
        use aes::cipher::{BlockDecrypt, KeyInit};
        if crypt64.is_empty() {
            return ok("");
        }
        let crypt = b64decode(crypt64)
            .map_err(|p| FuncError::Call(format!("illegal base64 data at input byte {p}")))?;
        if crypt.len() < 16 {
            return Err(FuncError::Call(format!(
                "runtime error: slice bounds out of range [:16] with capacity {}",
                crypt.len()
            )));
        }
        let cipher = aes::Aes256::new(&aes_key(password).into());
        let (iv, body) = crypt.split_at(16);
        if body.len() % 16 != 0 {
            return Err(FuncError::Call(
                "crypto/cipher: input not full blocks".into(),
            ));
        }
        let mut prev = [0u8; 16];
        prev.copy_from_slice(iv);
        let mut out = Vec::with_capacity(body.len());
        for block in body.chunks(16) {
            let mut ga = aes::Block::clone_from_slice(block);
            cipher.decrypt_block(&mut ga);
            for i in 0..16 {
                out.push(ga[i] ^ prev[i]);
            }
            prev.copy_from_slice(block);
        }
        let Some(&last) = out.last() else {
            return Err(FuncError::Call(
                "runtime error: index out of range [-1]".into(),
            ));
        };
        let keep = out.len() as i64 - last as i64;
        if keep < 0 {
            return Err(FuncError::Call(format!(
                "runtime error: slice bounds out of range [:{keep}]"
            )));
        }
        out.truncate(keep as usize);
        ok(crate::strings::lossy_per_byte(&out))
    }

    /// Minimal DER encoding and reading.
    mod der {
        pub(crate) const OID_RSA: &[u64] = &[1, 2, 840, 113549, 1, 1, 1];
        pub(crate) const OID_SHA256_RSA: &[u64] = &[1, 2, 840, 113549, 1, 1, 11];
        pub(crate) const OID_EC: &[u64] = &[1, 2, 840, 10045, 2, 1];
        pub(crate) const OID_P256: &[u64] = &[1, 2, 840, 10045, 3, 1, 7];
        pub(crate) const OID_ECDSA_SHA256: &[u64] = &[1, 2, 840, 10045, 4, 3, 2];
        pub(crate) const OID_KEY_USAGE: &[u64] = &[2, 5, 29, 15];
        pub(crate) const OID_EXT_KEY_USAGE: &[u64] = &[2, 5, 29, 37];
        pub(crate) const OID_BASIC_CONSTRAINTS: &[u64] = &[2, 5, 29, 19];
        pub(crate) const OID_SKI: &[u64] = &[2, 5, 29, 14];
        pub(crate) const OID_AKI: &[u64] = &[2, 5, 29, 35];
        pub(crate) const OID_SAN: &[u64] = &[2, 5, 29, 17];
        pub(crate) const OID_SERVER_AUTH: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 1];
        pub(crate) const OID_CLIENT_AUTH: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 2];

        pub(crate) fn tagged(tag: u8, body: &[u8]) -> Vec<u8> {
            let mut out = vec![tag];
            let n = body.len();
            if n < 128 {
                out.push(n as u8);
            } else {
                let bytes: Vec<u8> = n
                    .to_be_bytes()
                    .iter()
                    .copied()
                    .skip_while(|&b| b == 0)
                    .collect();
                out.push(0x80 | bytes.len() as u8);
                out.extend(bytes);
            }
            out.extend_from_slice(body);
            out
        }

        pub(crate) fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
            tagged(0x30, &parts.concat())
        }

        pub(crate) fn set(parts: &[Vec<u8>]) -> Vec<u8> {
            tagged(0x31, &parts.concat())
        }

        /// A non-negative INTEGER from big-endian magnitude bytes.
        pub(crate) fn integer_u(b: &[u8]) -> Vec<u8> {
            let mut v: Vec<u8> = b.iter().copied().skip_while(|&x| x == 0).collect();
            if v.is_empty() {
                v.push(0);
            }
            if v[0] & 0x80 != 0 {
                v.insert(0, 0);
            }
            tagged(0x02, &v)
        }

        pub(crate) fn encode_oid_body(arcs: &[u64]) -> Vec<u8> {
            let mut out = vec![(arcs[0] * 40 + arcs[1]) as u8];
            for &a in &arcs[2..] {
                let mut tmp = vec![(a & 0x7f) as u8];
                let mut x = a >> 7;
                while x > 0 {
                    tmp.push(0x80 | (x & 0x7f) as u8);
                    x >>= 7;
                }
                tmp.reverse();
                out.extend(tmp);
            }
            out
        }

        pub(crate) fn oid(arcs: &[u64]) -> Vec<u8> {
            tagged(0x06, &encode_oid_body(arcs))
        }

        pub(crate) fn null() -> Vec<u8> {
            vec![0x05, 0x00]
        }

        pub(crate) fn boolean(b: bool) -> Vec<u8> {
            vec![0x01, 0x01, if b { 0xff } else { 0 }]
        }

        pub(crate) fn octet(b: &[u8]) -> Vec<u8> {
            tagged(0x04, b)
        }

        pub(crate) fn bit_string(b: &[u8]) -> Vec<u8> {
            let mut v = vec![0u8];
            v.extend_from_slice(b);
            tagged(0x03, &v)
        }

        /// Key usage bits (bit 0 = digitalSignature is the MSB of the first byte), trailing
        /// zero bits trimmed as Go's `asn1.BitString` does.
        pub(crate) fn key_usage_bits(bits: u16) -> Vec<u8> {
            // bits given MSB-first in a byte: 0b1010_0000 = digitalSignature + keyEncipherment
            let b = bits as u8;
            let unused = b.trailing_zeros().min(7) as u8;
            tagged(0x03, &[unused, b])
        }

        pub(crate) fn utf8_or_printable(s: &str) -> Vec<u8> {
            let printable = s
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || b" '()+,-./:=?".contains(&c));
            // Go encodes PrintableString when possible (and '*' too, for wildcard names)
            if printable
                || (s
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b" '()+,-./:=?*".contains(&c)))
            {
                tagged(0x13, s.as_bytes())
            } else {
                tagged(0x0c, s.as_bytes())
            }
        }

        pub(crate) fn ext(id: &[u64], critical: bool, value: &[u8]) -> Vec<u8> {
            if critical {
                seq(&[oid(id), boolean(true), octet(value)])
            } else {
                seq(&[oid(id), octet(value)])
            }
        }

        /// UTCTime for years 1950–2049, GeneralizedTime otherwise (as Go does).
        pub(crate) fn time(unix: i64) -> Vec<u8> {
            let (y, mo, d, h, mi, s) = civil(unix);
            if (1950..2050).contains(&y) {
                tagged(
                    0x17,
                    format!("{:02}{:02}{:02}{:02}{:02}{:02}Z", y % 100, mo, d, h, mi, s).as_bytes(),
                )
            } else {
                tagged(
                    0x18,
                    format!("{:04}{:02}{:02}{:02}{:02}{:02}Z", y, mo, d, h, mi, s).as_bytes(),
                )
            }
        }

        pub(crate) fn civil(unix: i64) -> (i64, u32, u32, u32, u32, u32) {
            let days = unix.div_euclid(86400);
            let secs = unix.rem_euclid(86400);
            let (y, m, d) = crate::date::civil_from_days(days);
            (
                y,
                m,
                d,
                (secs / 3600) as u32,
                (secs % 3600 / 60) as u32,
                (secs % 60) as u32,
            )
        }

        pub(crate) struct Reader<'a> {
            b: &'a [u8],
            pub(crate) pos: usize,
        }

        impl<'a> Reader<'a> {
            pub(crate) fn new(b: &'a [u8]) -> Reader<'a> {
                Reader { b, pos: 0 }
            }

            /// Reads one TLV: (tag, contents).
            pub(crate) fn read(&mut self) -> Option<(u8, &'a [u8])> {
                let tag = *self.b.get(self.pos)?;
                let l0 = *self.b.get(self.pos + 1)? as usize;
                let mut p = self.pos + 2;
                let len = if l0 < 0x80 {
                    l0
                } else {
                    let n = l0 & 0x7f;
                    if n == 0 || n > 4 {
                        return None;
                    }
                    let mut l = 0usize;
                    for _ in 0..n {
                        l = l << 8 | *self.b.get(p)? as usize;
                        p += 1;
                    }
                    l
                };
                let body = self.b.get(p..p + len)?;
                self.pos = p + len;
                Some((tag, body))
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn ca_and_signed_cert_have_expected_shape() {
            let ca = match gen_ca("my-ca", 365, None).unwrap() {
                Value::Object(o) => certificate_arg(&Value::Object(o)).unwrap(),
                _ => panic!(),
            };
            assert!(ca.cert.starts_with("-----BEGIN CERTIFICATE-----\n"));
            assert!(ca.key.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
            let ips = gotemplate::List::new(vec![Value::str("10.0.0.1")]);
            let dns = gotemplate::List::new(vec![Value::str("svc.ns.svc")]);
            let leaf = gen_signed("leaf", &ips, &dns, 30, &ca, None).unwrap();
            let Value::Object(o) = leaf else { panic!() };
            let leaf = certificate_arg(&Value::Object(o)).unwrap();
            let (_, der) = pem_decode(&leaf.cert).unwrap();
            let p = parse_parent(&der).unwrap();
            assert_eq!(p.subject, name_cn("leaf"));
            let der_ca = pem_decode(&ca.cert).unwrap().1;
            assert!(parse_parent(&der_ca).unwrap().ski.is_some());
            // the SAN bytes are present
            assert!(der.windows(10).any(|w| w == b"svc.ns.svc"));
            assert!(der.windows(4).any(|w| w == [10, 0, 0, 1]));
        }

        #[test]
        fn ecdsa_and_ed25519_keys() {
            let Value::String(k) = gen_private_key("ecdsa").unwrap() else {
                panic!()
            };
            assert!(k.starts_with("-----BEGIN EC PRIVATE KEY-----"));
            assert!(matches!(parse_private_key_pem(&k), Ok(Key::Ec(_))));
            let Value::String(k) = gen_private_key("ed25519").unwrap() else {
                panic!()
            };
            assert!(k.starts_with("-----BEGIN PRIVATE KEY-----"));
            assert!(matches!(parse_private_key_pem(&k), Ok(Key::Ed25519(_))));
            let Value::Object(c) = gen_self_signed(
                "x",
                &gotemplate::List::new(vec![]),
                &gotemplate::List::new(vec![]),
                1,
                Some(gen_private_key("ecdsa").unwrap().as_str().unwrap()),
            )
            .unwrap() else {
                panic!()
            };
            assert!(
                c.field("Cert")
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .contains("BEGIN CERTIFICATE")
            );
        }

        #[test]
        fn aes_roundtrip_and_known_values() {
            let Value::String(c) = encrypt_aes("secretkey", "plaintext").unwrap() else {
                panic!()
            };
            assert_eq!(
                decrypt_aes("secretkey", &c).unwrap().as_str(),
                Some("plaintext")
            );
            let h = bcrypt("pw");
            assert!(h.starts_with("$2a$10$") && h.len() == 60, "{h}");
            // verified with Go's bcrypt.CompareHashAndPassword
            assert_eq!(
                bcrypt_hash(b"password", 4, b"0123456789abcdef"),
                "$2a$04$KBCwKxOzLha2MUDgW0PjXehyC7kcbJmICs4eWpZZOlh/QJzfSPPHe"
            );
        }
    }
}

#[cfg(all(test, feature = "crypto"))]
mod dump {
    use super::*;

    fn cert(v: FuncResult) -> Certificate {
        certificate_arg(&v.unwrap()).unwrap()
    }

    /// Writes a CA, a signed leaf, a self-signed certificate and keys to `$SPRIG_DUMP_CERTS`
    /// so they can be checked with `openssl verify` / `openssl x509 -text`.
    #[test]
    #[ignore = "developer tool: writes PEM files for openssl"]
    fn dump_for_openssl() {
        let dir = std::env::var("SPRIG_DUMP_CERTS").unwrap_or_else(|_| "/tmp".into());
        let l = |v: &[&str]| gotemplate::List::new(v.iter().map(Value::str).collect());
        let ca = cert(imp::gen_ca("my-ca", 365, None));
        let leaf = cert(imp::gen_signed(
            "leaf.example",
            &l(&["10.1.2.3", "::1"]),
            &l(&["a.example", "b.example"]),
            30,
            &ca,
            None,
        ));
        let ss = cert(imp::gen_self_signed(
            "self",
            &l(&[]),
            &l(&["s.example"]),
            10,
            None,
        ));
        let eckey = imp::gen_private_key("ecdsa").unwrap();
        let ecca = cert(imp::gen_ca("ec-ca", 10, Some(eckey.as_str().unwrap())));
        let ecleaf = cert(imp::gen_signed(
            "ec-leaf",
            &l(&[]),
            &l(&["e.example"]),
            10,
            &ecca,
            Some(eckey.as_str().unwrap()),
        ));
        let rsa4096 = imp::gen_private_key("rsa").unwrap();
        for (name, text) in [
            ("ca.crt", &ca.cert),
            ("ca.key", &ca.key),
            ("leaf.crt", &leaf.cert),
            ("leaf.key", &leaf.key),
            ("ss.crt", &ss.cert),
            ("ecca.crt", &ecca.cert),
            ("ecleaf.crt", &ecleaf.cert),
            ("ec.key", &eckey.as_str().unwrap().to_string()),
            ("rsa4096.key", &rsa4096.as_str().unwrap().to_string()),
        ] {
            std::fs::write(format!("{dir}/{name}"), text).unwrap();
        }
    }
}

#[cfg(all(test, feature = "crypto"))]
mod timing {
    /// Prints RSA key generation times (`cargo test -p sprig rsa_keygen_time -- --ignored --nocapture`).
    #[test]
    #[ignore = "developer tool: prints key generation times"]
    fn rsa_keygen_time() {
        for bits in [2048usize, 2048, 2048, 2048, 2048, 4096, 4096, 4096] {
            let t = std::time::Instant::now();
            let _ = super::imp::rsa_key(bits).unwrap();
            eprintln!("rsa {bits}: {:?}", t.elapsed());
        }
    }
}

#[cfg(all(test, feature = "crypto"))]
mod modpow_timing {
    #[test]
    #[ignore = "developer tool: prints modular exponentiation time"]
    fn modpow_1024() {
        use num_bigint_dig::{BigUint, RandBigInt};
        let mut rng = rand_core::OsRng;
        let m: BigUint = rng.gen_biguint(1024) | BigUint::from(1u32);
        let b: BigUint = rng.gen_biguint(1000);
        let e: BigUint = m.clone() - BigUint::from(1u32);
        let t = std::time::Instant::now();
        for _ in 0..20 {
            let _ = b.modpow(&e, &m);
        }
        eprintln!("modpow 1024: {:?} each", t.elapsed() / 20);
    }
}

#[cfg(all(test, feature = "crypto"))]
mod bcrypt_dump {
    /// Prints `password<TAB>hash` lines for checking with Go's `bcrypt.CompareHashAndPassword`.
    #[test]
    #[ignore = "developer tool: prints hashes to check with Go's bcrypt"]
    fn dump_bcrypt() {
        for pw in [
            "",
            "pw",
            "password",
            "p@ss wörd",
            &"x".repeat(71),
            &"y".repeat(72),
        ] {
            println!("{pw}\t{}", super::imp::bcrypt(pw));
        }
        println!(
            "password\t{}",
            super::imp::bcrypt_hash(b"password", 4, b"0123456789abcdef")
        );
    }
}
