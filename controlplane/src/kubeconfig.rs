//! The admin kubeconfig: self-contained (certificates embedded as `*-data`), so it can be
//! copied or read by any client (kubectl, helm, kube-rs) without the PKI directory.

use crate::pki::PkiPem;

/// Default name of the cluster, user and context in generated kubeconfigs.
pub const CONTEXT_NAME: &str = "kindtest-kwok";

/// Renders a kubeconfig for `server` (e.g. `https://127.0.0.1:6443`) authenticating with the
/// admin client certificate and trusting the plane's CA; `name` names cluster, user and context.
pub(crate) fn render(server: &str, pem: &PkiPem, name: &str) -> String {
    render_with(
        server,
        Some(&pem.ca_crt),
        &pem.admin_crt,
        &pem.admin_key,
        name,
    )
}

/// Like [`render`] but skips TLS verification (`ca == None`); used only to probe the
/// self-signed health endpoints of the controller-manager and scheduler on loopback.
pub(crate) fn render_with(
    server: &str,
    ca: Option<&str>,
    cert: &str,
    key: &str,
    name: &str,
) -> String {
    let trust = match ca {
        Some(ca) => format!("certificate-authority-data: {}", base64(ca.as_bytes())),
        None => "insecure-skip-tls-verify: true".to_string(),
    };
    format!(
        "apiVersion: v1
kind: Config
clusters:
- name: {name}
  cluster:
    server: {server}
    {trust}
users:
- name: {name}
  user:
    client-certificate-data: {cert}
    client-key-data: {key}
contexts:
- name: {name}
  context:
    cluster: {name}
    user: {name}
current-context: {name}
preferences: {{}}
",
        cert = base64(cert.as_bytes()),
        key = base64(key.as_bytes()),
    )
}

/// Standard base64 with padding (RFC 4648 §4), as kubeconfig `*-data` fields expect.
pub(crate) fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (input, want) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), want, "{input:?}");
        }
        assert_eq!(base64(&[0xff, 0xfe, 0xfd]), "//79");
    }

    #[test]
    fn kubeconfig_embeds_ca_and_client_cert() {
        let text = render_with("https://127.0.0.1:1234", Some("CA"), "CERT", "KEY", "x");
        assert!(text.contains("server: https://127.0.0.1:1234\n"));
        assert!(text.contains(&format!("certificate-authority-data: {}\n", base64(b"CA"))));
        assert!(text.contains(&format!("client-certificate-data: {}\n", base64(b"CERT"))));
        assert!(text.contains(&format!("client-key-data: {}\n", base64(b"KEY"))));
        assert!(text.contains("current-context: x\n"));
        let insecure = render_with("https://127.0.0.1:1", None, "C", "K", "y");
        assert!(insecure.contains("insecure-skip-tls-verify: true\n"));
        assert!(!insecure.contains("certificate-authority"));
    }
}
