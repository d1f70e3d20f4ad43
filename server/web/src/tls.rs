//! Built-in TLS: a certificate chain and its private key (PEM files) made into a rustls
//! server configuration, for a hall (or a collector) that serves HTTPS itself, with no
//! reverse proxy in front.
//!
//! rustls with the `ring` provider: no system TLS library on the box, and the same
//! backend as the uplink's client. HTTP/1.1 only (ALPN), as the servers speak.

use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use std::sync::Arc;

/// Which file a TLS setting could not be used for, and why (the caller names its setting).
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("the certificate {path}: {reason}")]
    Certificate { path: String, reason: String },
    #[error("the private key {path}: {reason}")]
    Key { path: String, reason: String },
}

/// The server's TLS acceptor, made once at start-up.
#[derive(Clone)]
pub struct Tls(pub(crate) tokio_rustls::TlsAcceptor);

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tls")
    }
}

impl Tls {
    /// Read the certificate chain (the server's certificate first, then any intermediates)
    /// and its private key (PKCS#8, PKCS#1 or SEC1), both PEM.
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<Tls, TlsError> {
        let cert_error = |reason: String| TlsError::Certificate {
            path: cert.display().to_string(),
            reason,
        };
        let key_error = |reason: String| TlsError::Key {
            path: key.display().to_string(),
            reason,
        };
        let chain = CertificateDer::pem_file_iter(cert)
            .map_err(|e| cert_error(e.to_string()))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| cert_error(e.to_string()))?;
        if chain.is_empty() {
            return Err(cert_error("holds no PEM certificate".into()));
        }
        let private = PrivateKeyDer::from_pem_file(key).map_err(|e| key_error(e.to_string()))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| cert_error(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(chain, private)
            .map_err(|e| key_error(format!("does not fit the certificate: {e}")))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Tls(tokio_rustls::TlsAcceptor::from(Arc::new(config))))
    }
}
