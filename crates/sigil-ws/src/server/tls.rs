//! The TLS side of a `wss://` server: a rustls server configuration from PEM files.

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;

use crate::error::WsError;

/// A rustls server configuration (ring, TLS 1.2 and 1.3, no client certificates) for
/// the certificate chain in `cert_pem` (leaf first) and the private key in `key_pem`
/// (PKCS #8, PKCS #1 or SEC1). Errors name `source`, where the PEM came from.
pub fn server_config(
    cert_pem: &[u8],
    key_pem: &[u8],
    source: &str,
) -> Result<Arc<ServerConfig>, WsError> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| WsError::Tls(format!("cannot parse the certificates of {source}: {e}")))?;
    if certs.is_empty() {
        return Err(WsError::Tls(format!("no certificate in {source}")));
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem)
        .map_err(|e| WsError::Tls(format!("cannot read the private key of {source}: {e}")))?;
    let config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(WsError::from)?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| WsError::Tls(format!("{source}: {e}")))?;
    Ok(Arc::new(config))
}

/// [`server_config`] from the PEM files at `cert_path` and `key_path`.
pub fn server_config_from_files(
    cert_path: &str,
    key_path: &str,
) -> Result<Arc<ServerConfig>, WsError> {
    let read = |path: &str| {
        std::fs::read(path).map_err(|e| WsError::Tls(format!("cannot read {path}: {e}")))
    };
    server_config(
        &read(cert_path)?,
        &read(key_path)?,
        &format!("{cert_path} and {key_path}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configurations_from_pem() {
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        let (cert_pem, key_pem) = (cert.cert.pem(), cert.signing_key.serialize_pem());
        assert!(server_config(cert_pem.as_bytes(), key_pem.as_bytes(), "test").is_ok());
        let e = server_config(b"", key_pem.as_bytes(), "x.pem").unwrap_err();
        assert!(e.to_string().contains("no certificate in x.pem"), "{e}");
        let e = server_config(cert_pem.as_bytes(), b"nonsense", "x.pem").unwrap_err();
        assert!(e.to_string().contains("private key of x.pem"), "{e}");
        let e = server_config_from_files("/nonexistent.pem", "k").unwrap_err();
        assert!(
            e.to_string().contains("cannot read /nonexistent.pem"),
            "{e}"
        );
    }
}
