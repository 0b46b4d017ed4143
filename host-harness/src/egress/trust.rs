//! Which certificate authorities the client trusts: Mozilla's roots (the
//! public CAs, `webpki-roots`), plus those of `--ca-cert FILE` (a company CA,
//! or the CA of a proxy that inspects TLS). A file is read and every
//! certificate in it checked when the connection is set up, so a file that
//! cannot be used is refused before any request, saying why.

use std::path::{Path, PathBuf};
use tokio_rustls::rustls::RootCertStore;
use tokio_rustls::rustls::pki_types::CertificateDer;
use tokio_rustls::rustls::pki_types::pem::{self, PemObject};

/// Certificate authorities trusted on top of the public roots.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtraRoots {
    certificates: Vec<CertificateDer<'static>>,
}

/// Why a CA file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("CA certificate file {path}: {problem}")]
pub struct CaCertError {
    path: String,
    problem: String,
}

impl ExtraRoots {
    /// Every certificate of the PEM files at `paths` (one or several
    /// certificates each).
    pub fn load(paths: &[PathBuf]) -> Result<Self, CaCertError> {
        let mut certificates = Vec::new();
        for path in paths {
            certificates.extend(read_pem(path)?);
        }
        Ok(Self { certificates })
    }

    pub fn is_empty(&self) -> bool {
        self.certificates.is_empty()
    }

    /// The public roots with these added.
    pub fn root_store(&self) -> RootCertStore {
        let mut roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.into(),
        };
        // Each was checked by `read_pem`, so none is left out here.
        let (_added, _ignored) = roots.add_parsable_certificates(self.certificates.iter().cloned());
        roots
    }
}

/// The certificates of one PEM file, each checked to be usable as a root.
fn read_pem(path: &Path) -> Result<Vec<CertificateDer<'static>>, CaCertError> {
    let refuse = |problem: String| CaCertError {
        path: path.display().to_string(),
        problem,
    };
    let bytes = std::fs::read(path).map_err(|e| refuse(format!("cannot read it ({e})")))?;
    let certificates = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, pem::Error>>()
        .map_err(|e| refuse(format!("it is not valid PEM ({e})")))?;
    if certificates.is_empty() {
        return Err(refuse(
            "it holds no PEM certificate (a `-----BEGIN CERTIFICATE-----` block). Export the CA \
             as PEM; a DER file converts with `openssl x509 -inform der -in CA.der -out CA.pem`"
                .into(),
        ));
    }
    for (index, certificate) in certificates.iter().enumerate() {
        let mut probe = RootCertStore::empty();
        probe.add(certificate.clone()).map_err(|e| {
            refuse(format!(
                "certificate {} of {} cannot be used as a certificate authority ({e})",
                index + 1,
                certificates.len()
            ))
        })?;
    }
    Ok(certificates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unusable_files_are_refused_saying_why() {
        let dir = tempfile::tempdir().unwrap();
        let refused = |name: &str, content: Option<&[u8]>| {
            let path = dir.path().join(name);
            if let Some(content) = content {
                std::fs::write(&path, content).unwrap();
            }
            let error = ExtraRoots::load(std::slice::from_ref(&path))
                .unwrap_err()
                .to_string();
            let prefix = format!("CA certificate file {}: ", path.display());
            assert!(error.starts_with(&prefix), "{error}");
            error[prefix.len()..].to_owned()
        };
        assert!(
            refused("missing.pem", None).starts_with("cannot read it (No such file"),
            "missing"
        );
        assert!(
            refused("empty.pem", Some(b"just text\n")).starts_with("it holds no PEM certificate")
        );
        assert!(
            refused("cut.pem", Some(b"-----BEGIN CERTIFICATE-----\nMIIB\n"))
                .starts_with("it is not valid PEM (")
        );
        assert_eq!(
            refused(
                "garbage.pem",
                Some(b"-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n")
            ),
            "certificate 1 of 1 cannot be used as a certificate authority (invalid peer \
             certificate: BadEncoding)"
        );
    }

    #[test]
    fn no_file_trusts_the_public_roots_only() {
        let roots = ExtraRoots::load(&[]).unwrap();
        assert!(roots.is_empty());
        assert_eq!(
            roots.root_store().len(),
            webpki_roots::TLS_SERVER_ROOTS.len()
        );
    }
}
