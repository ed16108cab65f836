//! The plane's PKI, generated in-process: one CA, the apiserver's serving certificate (also
//! used by kwok's small "kubelet" server), an admin client certificate in `system:masters`,
//! and the service-account signing key.
//!
//! Mirrors what `kubeadm init phase certs` would write, reduced to what a single loopback
//! apiserver needs. Keys are ECDSA P-256 in PKCS#8 PEM, which every component parses
//! (`--service-account-key-file` accepts a private key and derives the public half).

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};

use crate::Error;

/// The first address of the default service range (`10.96.0.0/16`): the `kubernetes` Service.
pub(crate) const KUBERNETES_SERVICE_IP: Ipv4Addr = Ipv4Addr::new(10, 96, 0, 1);

/// Paths of the files [`generate`] wrote.
#[derive(Debug, Clone)]
pub struct Pki {
    /// CA certificate (PEM); clients trust it, the apiserver verifies client certificates with it.
    pub ca_crt: PathBuf,
    /// CA private key (PEM); the controller-manager signs CSRs with it.
    pub ca_key: PathBuf,
    /// Serving certificate of the apiserver (and of kwok's kubelet endpoint).
    pub serving_crt: PathBuf,
    /// Its key.
    pub serving_key: PathBuf,
    /// Admin client certificate (CN `kindtest-admin`, O `system:masters`).
    pub admin_crt: PathBuf,
    /// Its key.
    pub admin_key: PathBuf,
    /// Service-account signing key (private; the apiserver derives the public key from it).
    pub sa_key: PathBuf,
    /// Its public key (`PUBLIC KEY` PEM; the apiserver does not accept PKCS#8 private keys there).
    pub sa_pub: PathBuf,
}

/// PEM text of the certificates and keys, before they are written.
pub(crate) struct PkiPem {
    pub ca_crt: String,
    pub ca_key: String,
    pub serving_crt: String,
    pub serving_key: String,
    pub admin_crt: String,
    pub admin_key: String,
    pub sa_key: String,
    pub sa_pub: String,
}

fn pki_err(what: &str, e: rcgen::Error) -> Error {
    Error::Pki(format!("{what}: {e}"))
}

fn dn(cn: &str, org: Option<&str>) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    if let Some(o) = org {
        dn.push(DnType::OrganizationName, o);
    }
    dn.push(DnType::CommonName, cn);
    dn
}

/// Generates the PEM text of a fresh PKI.
pub(crate) fn generate_pem() -> Result<PkiPem, Error> {
    let ca_key = KeyPair::generate().map_err(|e| pki_err("CA key", e))?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(|e| pki_err("CA", e))?;
    ca.distinguished_name = dn("kindtest-ca", None);
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca.self_signed(&ca_key).map_err(|e| pki_err("CA", e))?;
    let ca_crt = ca_cert.pem();
    let ca_key_pem = ca_key.serialize_pem();
    let issuer = Issuer::new(ca, ca_key);

    let serving_key = KeyPair::generate().map_err(|e| pki_err("serving key", e))?;
    let mut serving = CertificateParams::new(
        [
            "localhost",
            "kubernetes",
            "kubernetes.default",
            "kubernetes.default.svc",
            "kubernetes.default.svc.cluster.local",
        ]
        .map(String::from)
        .to_vec(),
    )
    .map_err(|e| pki_err("serving certificate", e))?;
    serving
        .subject_alt_names
        .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    serving
        .subject_alt_names
        .push(SanType::IpAddress(IpAddr::V4(KUBERNETES_SERVICE_IP)));
    serving.distinguished_name = dn("kube-apiserver", None);
    serving.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    serving.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let serving_crt = serving
        .signed_by(&serving_key, &issuer)
        .map_err(|e| pki_err("serving certificate", e))?
        .pem();

    let admin_key = KeyPair::generate().map_err(|e| pki_err("admin key", e))?;
    let mut admin =
        CertificateParams::new(Vec::<String>::new()).map_err(|e| pki_err("admin", e))?;
    admin.distinguished_name = dn("kindtest-admin", Some("system:masters"));
    admin.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    admin.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let admin_crt = admin
        .signed_by(&admin_key, &issuer)
        .map_err(|e| pki_err("admin certificate", e))?
        .pem();

    let sa_key = KeyPair::generate().map_err(|e| pki_err("service-account key", e))?;

    Ok(PkiPem {
        ca_crt,
        ca_key: ca_key_pem,
        serving_crt,
        serving_key: serving_key.serialize_pem(),
        admin_crt,
        admin_key: admin_key.serialize_pem(),
        sa_key: sa_key.serialize_pem(),
        sa_pub: sa_key.public_key_pem(),
    })
}

/// Generates a fresh PKI and writes it into `dir` (created if missing; keys are mode 0600).
pub fn generate(dir: &Path) -> Result<Pki, Error> {
    let pem = generate_pem()?;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let pki = Pki {
        ca_crt: dir.join("ca.crt"),
        ca_key: dir.join("ca.key"),
        serving_crt: dir.join("apiserver.crt"),
        serving_key: dir.join("apiserver.key"),
        admin_crt: dir.join("admin.crt"),
        admin_key: dir.join("admin.key"),
        sa_key: dir.join("sa.key"),
        sa_pub: dir.join("sa.pub"),
    };
    for (path, text, secret) in [
        (&pki.ca_crt, &pem.ca_crt, false),
        (&pki.ca_key, &pem.ca_key, true),
        (&pki.serving_crt, &pem.serving_crt, false),
        (&pki.serving_key, &pem.serving_key, true),
        (&pki.admin_crt, &pem.admin_crt, false),
        (&pki.admin_key, &pem.admin_key, true),
        (&pki.sa_key, &pem.sa_key, true),
        (&pki.sa_pub, &pem.sa_pub, false),
    ] {
        write_file(path, text.as_bytes(), secret)?;
    }
    Ok(pki)
}

pub(crate) fn write_file(path: &Path, data: &[u8], secret: bool) -> Result<(), Error> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    if secret {
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| Error::io(path, e))?;
    f.write_all(data).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_all_files_as_pem() {
        let dir = crate::testutil::tempdir("pki");
        let pki = generate(&dir).unwrap();
        for (p, header) in [
            (&pki.ca_crt, "-----BEGIN CERTIFICATE-----"),
            (&pki.serving_crt, "-----BEGIN CERTIFICATE-----"),
            (&pki.admin_crt, "-----BEGIN CERTIFICATE-----"),
            (&pki.ca_key, "-----BEGIN PRIVATE KEY-----"),
            (&pki.admin_key, "-----BEGIN PRIVATE KEY-----"),
            (&pki.sa_key, "-----BEGIN PRIVATE KEY-----"),
            (&pki.sa_pub, "-----BEGIN PUBLIC KEY-----"),
        ] {
            let text = std::fs::read_to_string(p).unwrap();
            assert!(text.starts_with(header), "{}: {text}", p.display());
        }
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&pki.admin_key)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "key readable by others: {mode:o}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn certificates_verify_against_the_ca_with_openssl() {
        // openssl is a test-only oracle; skip the cross-check (not the test) when it is absent.
        let dir = crate::testutil::tempdir("pki-openssl");
        let pki = generate(&dir).unwrap();
        let Ok(out) = std::process::Command::new("openssl")
            .arg("verify")
            .arg("-CAfile")
            .arg(&pki.ca_crt)
            .arg(&pki.serving_crt)
            .arg(&pki.admin_crt)
            .output()
        else {
            eprintln!("openssl not found; PEM shape checked in writes_all_files_as_pem");
            return;
        };
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::process::Command::new("openssl")
            .args(["x509", "-noout", "-text", "-in"])
            .arg(&pki.serving_crt)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(text.contains("IP Address:127.0.0.1"), "{text}");
        assert!(text.contains("DNS:localhost"), "{text}");
        assert!(text.contains("TLS Web Server Authentication"), "{text}");
        let admin = std::process::Command::new("openssl")
            .args(["x509", "-noout", "-subject", "-in"])
            .arg(&pki.admin_crt)
            .output()
            .unwrap();
        let subject = String::from_utf8_lossy(&admin.stdout);
        assert!(subject.contains("O = system:masters"), "{subject}");
        assert!(subject.contains("CN = kindtest-admin"), "{subject}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
