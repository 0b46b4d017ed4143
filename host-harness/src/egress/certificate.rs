//! A server certificate the client did not accept, told so a person can act
//! on it: what was wrong (unknown issuer, expired, another host's name...),
//! for which host, and what to do. rustls says `invalid peer certificate:
//! UnknownIssuer`; behind a company proxy that inspects TLS, what the user
//! needs to hear is "pass your company CA with --ca-cert".
//!
//! `wasi:http` has no error code that carries a certificate problem in words:
//! `tls-certificate-error` has no payload. The one TLS code with a payload is
//! `tls-alert-received`, and a client that rejects a certificate does send an
//! alert (`unknown_ca`, `certificate_expired`, `bad_certificate`...), so the
//! host hands the plugin that alert's number with this description as its
//! message, as DNS failures carry theirs in `dns-error`'s `rcode`.

use chrono::DateTime;
use tokio_rustls::rustls::pki_types::UnixTime;
use tokio_rustls::rustls::{AlertDescription, CertificateError};

/// A rejected server certificate, described.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedCertificate {
    /// The TLS alert the client sent on rejecting it.
    pub alert: u8,
    /// What was wrong and what to do, naming the host.
    pub description: String,
}

impl RejectedCertificate {
    /// `error`, met checking the certificate of `host` (`name:port`);
    /// `extra_roots` says whether `--ca-cert` added any authority.
    pub fn describe(error: &CertificateError, host: &str, extra_roots: bool) -> Self {
        use CertificateError as E;
        let description = match error {
            E::UnknownIssuer => {
                let what_to_do = if extra_roots {
                    "none of the public authorities nor those of --ca-cert issued it: pass the CA \
                     that did (your company's, or your TLS-inspecting proxy's) with --ca-cert FILE"
                } else {
                    "behind a company proxy that inspects TLS, or for a server with a company \
                     certificate, pass your company CA (PEM) with --ca-cert FILE"
                };
                format!(
                    "the TLS certificate of {host} is issued by an unknown authority (unknown \
                     issuer); {what_to_do}"
                )
            }
            E::Expired | E::ExpiredContext { .. } => format!(
                "the TLS certificate of {host} has expired{}; check this machine's clock, \
                 and have the server's certificate renewed",
                match error {
                    E::ExpiredContext { time, not_after } => format!(
                        " (valid until {}, and it is now {})",
                        instant(*not_after),
                        instant(*time)
                    ),
                    _ => String::new(),
                }
            ),
            E::NotValidYet | E::NotValidYetContext { .. } => format!(
                "the TLS certificate of {host} is not valid yet{}; check this machine's clock",
                match error {
                    E::NotValidYetContext { time, not_before } => format!(
                        " (valid from {}, and it is now {})",
                        instant(*not_before),
                        instant(*time)
                    ),
                    _ => String::new(),
                }
            ),
            E::NotValidForName | E::NotValidForNameContext { .. } => format!(
                "the TLS certificate presented by {host} is for another host name (wrong host \
                 name{}); check the host of the base URL, and whether a proxy answers in its \
                 place (--proxy, HTTPS_PROXY, NO_PROXY)",
                match error {
                    E::NotValidForNameContext { presented, .. } if !presented.is_empty() => {
                        format!(": it names {}", presented.join(", "))
                    }
                    _ => String::new(),
                }
            ),
            E::Revoked => format!(
                "the TLS certificate of {host} has been revoked; the server must get a new one"
            ),
            E::BadSignature => format!(
                "the TLS certificate of {host} has a signature that does not verify (bad \
                 signature); something between here and the server may be tampering with the \
                 connection"
            ),
            other => format!("the TLS certificate of {host} was not accepted ({other:?})"),
        };
        Self {
            alert: u8::from(AlertDescription::from(error.clone())),
            description,
        }
    }
}

/// A certificate's instant, as RFC 3339 in UTC.
fn instant(time: UnixTime) -> String {
    i64::try_from(time.as_secs())
        .ok()
        .and_then(|secs| DateTime::from_timestamp(secs, 0))
        .map_or_else(
            || format!("{} s after 1970", time.as_secs()),
            |t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio_rustls::rustls::pki_types::ServerName;

    fn at(secs: u64) -> UnixTime {
        UnixTime::since_unix_epoch(Duration::from_secs(secs))
    }

    #[test]
    fn each_problem_says_what_failed_for_which_host_and_what_to_do() {
        let unknown = RejectedCertificate::describe(
            &CertificateError::UnknownIssuer,
            "api.example.com:443",
            false,
        );
        assert_eq!(unknown.alert, 48, "unknown_ca");
        assert_eq!(
            unknown.description,
            "the TLS certificate of api.example.com:443 is issued by an unknown authority \
             (unknown issuer); behind a company proxy that inspects TLS, or for a server with a \
             company certificate, pass your company CA (PEM) with --ca-cert FILE"
        );
        let still_unknown =
            RejectedCertificate::describe(&CertificateError::UnknownIssuer, "h:1", true);
        assert!(
            still_unknown
                .description
                .contains("none of the public authorities nor those of --ca-cert")
        );

        let expired = RejectedCertificate::describe(
            &CertificateError::ExpiredContext {
                time: at(1_767_225_600),
                not_after: at(1_735_689_600),
            },
            "api.example.com:443",
            false,
        );
        assert_eq!(expired.alert, 45, "certificate_expired");
        assert_eq!(
            expired.description,
            "the TLS certificate of api.example.com:443 has expired (valid until \
             2025-01-01T00:00:00Z, and it is now 2026-01-01T00:00:00Z); check this machine's \
             clock, and have the server's certificate renewed"
        );

        let wrong_name = RejectedCertificate::describe(
            &CertificateError::NotValidForNameContext {
                expected: ServerName::try_from("127.0.0.1").unwrap().to_owned(),
                presented: vec!["DnsName(\"api.example.test\")".into()],
            },
            "127.0.0.1:8443",
            false,
        );
        assert_eq!(wrong_name.alert, 42, "bad_certificate");
        assert!(
            wrong_name.description.starts_with(
                "the TLS certificate presented by 127.0.0.1:8443 is for another host name (wrong \
                 host name: it names DnsName(\"api.example.test\"))"
            ),
            "{}",
            wrong_name.description
        );
    }
}
