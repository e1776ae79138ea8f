//! Certificates generated at startup and the rustls server configurations
//! built from them.

use std::io;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::ServerConfig;

/// The only name the leaf of the wrong-name listener is valid for.
pub(crate) const WRONG_NAME: &str = "wrong.invalid";

/// A freshly generated test CA able to sign leaf certificates.
pub(crate) struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    der: CertificateDer<'static>,
    pem: String,
}

impl TestCa {
    /// Generates a new self-signed CA.
    pub(crate) fn generate() -> io::Result<Self> {
        let mut params = CertificateParams::new(Vec::new()).map_err(other)?;
        params
            .distinguished_name
            .push(DnType::CommonName, "Sigil Test CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = KeyPair::generate().map_err(other)?;
        let cert = params.self_signed(&key).map_err(other)?;
        Ok(TestCa {
            issuer: Issuer::new(params, key),
            der: cert.der().clone(),
            pem: cert.pem(),
        })
    }

    /// The CA certificate in PEM form, for clients to trust.
    pub(crate) fn pem(&self) -> &str {
        &self.pem
    }

    /// A server configuration whose leaf, valid for `names`, this CA signs.
    pub(crate) fn server_config(&self, names: &[String]) -> io::Result<Arc<ServerConfig>> {
        let (params, key) = leaf_params(names)?;
        let leaf = params.signed_by(&key, &self.issuer).map_err(other)?;
        config(vec![leaf.der().clone(), self.der.clone()], &key)
    }
}

/// A server configuration with a self-signed leaf for `names` that no test
/// CA vouches for.
pub(crate) fn untrusted_config(names: &[String]) -> io::Result<Arc<ServerConfig>> {
    let (params, key) = leaf_params(names)?;
    let leaf = params.self_signed(&key).map_err(other)?;
    config(vec![leaf.der().clone()], &key)
}

/// Parameters and key for a server leaf certificate valid for `names`
/// (IP addresses become IP subject alternative names).
fn leaf_params(names: &[String]) -> io::Result<(CertificateParams, KeyPair)> {
    let mut params = CertificateParams::new(names.to_vec()).map_err(other)?;
    if let Some(first) = names.first() {
        params
            .distinguished_name
            .push(DnType::CommonName, first.as_str());
    }
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate().map_err(other)?;
    Ok((params, key))
}

/// Builds a rustls server configuration (ring provider) serving `chain`.
fn config(chain: Vec<CertificateDer<'static>>, key: &KeyPair) -> io::Result<Arc<ServerConfig>> {
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(other)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(other)?;
    Ok(Arc::new(config))
}

/// Converts a certificate or TLS error into an I/O error.
fn other(e: impl std::error::Error + Send + Sync + 'static) -> io::Error {
    io::Error::other(e)
}
