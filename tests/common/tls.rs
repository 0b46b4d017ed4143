//! A throwaway certificate authority made by the test, as a company CA is:
//! the public roots do not know it, so its certificates are refused until it
//! is passed with `--ca-cert`. It issues the mock's server certificates, valid
//! or expired, for the names asked.

use anthropic_mock::ServerIdentity;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
    date_time_ymd,
};
use std::path::{Path, PathBuf};
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

/// How long a server certificate is valid.
#[derive(Clone, Copy)]
pub enum Validity {
    /// From a year ago to ten years from now.
    Current,
    /// Through 2020 only.
    Expired,
}

impl TestCa {
    pub fn new() -> Self {
        let mut params = CertificateParams::default();
        params
            .distinguished_name
            .push(DnType::CommonName, "Example Corp TLS Inspection CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().expect("a CA key");
        Self {
            issuer: CertifiedIssuer::self_signed(params, key).expect("the CA certificate"),
        }
    }

    /// The CA's certificate as a PEM file in `dir`, as `--ca-cert` takes it.
    pub fn write_pem(&self, dir: &Path) -> PathBuf {
        let path = dir.join("company-ca.pem");
        std::fs::write(&path, self.issuer.pem()).unwrap();
        path
    }

    /// A server certificate for `names` (DNS names or IP addresses), issued
    /// by this CA, with its key.
    pub fn identity(&self, names: &[&str], validity: Validity) -> ServerIdentity {
        let (cert, key) = self.issue(names, validity);
        ServerIdentity {
            chain: vec![cert.der().clone()],
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        }
    }

    /// [`identity`](Self::identity) as PEM text (certificate, key), as a
    /// server configured by files (PostgreSQL) takes it.
    pub fn identity_pem(&self, names: &[&str]) -> (String, String) {
        let (cert, key) = self.issue(names, Validity::Current);
        (cert.pem(), key.serialize_pem())
    }

    fn issue(&self, names: &[&str], validity: Validity) -> (rcgen::Certificate, KeyPair) {
        let mut params =
            CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
                .expect("valid names");
        params.distinguished_name.push(DnType::CommonName, names[0]);
        // Midnight UTC `days` days from today (the type is the `time` crate's,
        // which rcgen does not re-export: a closure need not name it).
        let from_today = |days: i64| {
            use chrono::Datelike;
            let day = chrono::Utc::now().date_naive() + chrono::Duration::days(days);
            let month = u8::try_from(day.month()).expect("a month");
            let day_of_month = u8::try_from(day.day()).expect("a day");
            date_time_ymd(day.year(), month, day_of_month)
        };
        let (not_before, not_after) = match validity {
            Validity::Current => (from_today(-365), from_today(3650)),
            Validity::Expired => (date_time_ymd(2020, 1, 1), date_time_ymd(2020, 12, 31)),
        };
        params.not_before = not_before;
        params.not_after = not_after;
        let key = KeyPair::generate().expect("a server key");
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("a server certificate");
        (cert, key)
    }
}
