//! HTTPS for `listen --tls`: a self-signed certificate made on the fly, or the user's.

use anyhow::{Context, Result};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::Digest;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub struct Tls {
    pub acceptor: tokio_rustls::TlsAcceptor,
    /// SHA-256 of the certificate, `AB:CD:…`.
    pub fingerprint: String,
    /// Where the certificate's PEM is, for clients to trust (`curl --cacert`).
    pub cert_path: PathBuf,
}

fn acceptor(
    certs: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<tokio_rustls::TlsAcceptor> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("could not set up TLS")?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context("the certificate and key do not fit together")?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

fn fingerprint(der: &[u8]) -> String {
    sha2::Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// A fresh self-signed certificate for localhost, 127.0.0.1 and ::1, its PEM written
/// to `cert_path`.
pub fn self_signed(cert_path: &Path) -> Result<Tls> {
    let made = rcgen::generate_simple_self_signed(vec![
        "localhost".into(),
        "127.0.0.1".into(),
        "::1".into(),
    ])
    .context("could not make a self-signed certificate")?;
    std::fs::write(cert_path, made.cert.pem()).with_context(|| {
        format!(
            "could not write the certificate to `{}`",
            cert_path.display()
        )
    })?;
    let der = made.cert.der().clone();
    let key = PrivateKeyDer::try_from(made.signing_key.serialize_der())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Tls {
        fingerprint: fingerprint(&der),
        acceptor: acceptor(vec![der], key)?,
        cert_path: cert_path.to_path_buf(),
    })
}

/// The user's certificate chain and key (PEM files).
pub fn from_files(cert: &Path, key: &Path) -> Result<Tls> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .with_context(|| format!("could not read the certificate `{}`", cert.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("`{}` is not a PEM certificate", cert.display()))?;
    let first = certs
        .first()
        .with_context(|| format!("`{}` holds no certificate", cert.display()))?
        .clone();
    let key = PrivateKeyDer::from_pem_file(key)
        .with_context(|| format!("could not read the private key `{}`", key.display()))?;
    Ok(Tls {
        fingerprint: fingerprint(&first),
        acceptor: acceptor(certs, key)?,
        cert_path: cert.to_path_buf(),
    })
}
