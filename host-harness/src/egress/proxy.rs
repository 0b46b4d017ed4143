//! Which of the plugin's requests go through a company proxy, and which proxy.
//!
//! The proxies come from `HTTPS_PROXY` / `HTTP_PROXY` (upper case first, then
//! lower case, as curl and hyper-util read them), or from one URL given for
//! both (`--proxy`, a connection's `proxy`); `NO_PROXY` lists the hosts that
//! are reached directly. The matching itself is hyper-util's [`Matcher`]
//! (curl's `NO_PROXY` rules: domains with their subdomains, IP addresses and
//! networks, `*`). On top of it, this machine's own addresses (`localhost`,
//! 127.0.0.0/8, `::1`) are always reached directly, as Go's HTTP client does:
//! a proxy elsewhere cannot reach this machine's loopback, so a local test
//! server (`--mock`, `harness mock`) would otherwise be unreachable whenever a
//! proxy is set.
//!
//! Only plain-HTTP proxies that tunnel with `CONNECT` are used: TLS still runs
//! end to end between the host and the API (or the proxy's inspecting CA, see
//! `--ca-cert`). A proxy URL's `user:password` becomes a `Proxy-Authorization`
//! header on the `CONNECT` request only, and is a secret: never shown (every
//! message names the proxy as `http://host:port`) and redacted from anything
//! printed, logged or stored ([`ProxySettings::credentials`]).

use super::Origin;
use http::{HeaderValue, Uri};
use hyper_util::client::proxy::matcher::Matcher;
use std::fmt;
use std::sync::Arc;

/// The proxies of one connection; none by default.
#[derive(Clone, Default)]
pub struct ProxySettings {
    /// Shared: the matcher is not `Clone`, and every clone of a connection's
    /// client settings uses the same one.
    matcher: Option<Arc<Matcher>>,
    credentials: Vec<String>,
}

/// Where one proxy URL came from, for messages: `HTTPS_PROXY`, `--proxy`, ...
pub type ProxySource = String;

/// The proxy URLs asked for, and by whom.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyChoice {
    /// For `https://` destinations.
    pub https: Option<(String, ProxySource)>,
    /// For `http://` destinations.
    pub http: Option<(String, ProxySource)>,
    /// Hosts reached directly (`NO_PROXY`'s syntax).
    pub no_proxy: Option<String>,
}

impl ProxyChoice {
    /// What the environment asks for, read through `lookup`: `HTTPS_PROXY`,
    /// `HTTP_PROXY` and `NO_PROXY`, each in upper case first, then lower case.
    /// Empty values count as unset. (`ALL_PROXY` is not read: it usually names
    /// a SOCKS proxy for other tools.)
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let first = |names: [&str; 2]| {
            names.into_iter().find_map(|name| {
                lookup(name)
                    .filter(|v| !v.trim().is_empty())
                    .map(|v| (v.trim().to_owned(), name.to_owned()))
            })
        };
        Self {
            https: first(["HTTPS_PROXY", "https_proxy"]),
            http: first(["HTTP_PROXY", "http_proxy"]),
            no_proxy: first(["NO_PROXY", "no_proxy"]).map(|(v, _)| v),
        }
    }

    /// The environment's choice.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// One proxy for every destination, whatever the environment says, from
    /// `source` (`--proxy`, a connections file); `NO_PROXY` still applies.
    pub fn everything_through(&mut self, url: &str, source: &str) {
        let chosen = Some((url.trim().to_owned(), source.to_owned()));
        self.https = chosen.clone();
        self.http = chosen;
    }
}

/// A proxy URL that cannot be used; the message never shows its credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}: {problem}")]
pub struct ProxyError {
    source_name: String,
    problem: String,
}

/// How a request reaches its destination through a proxy.
#[derive(Clone)]
pub struct ProxyRoute {
    /// The proxy, `http://host:port/`, without credentials.
    pub proxy: Uri,
    /// `Basic …`, for the `CONNECT` request, when the URL had credentials.
    pub authorization: Option<HeaderValue>,
}

impl ProxySettings {
    /// The proxies of `choice`, each URL checked: an `http://` proxy with a
    /// host (no scheme means `http://`, as curl reads it).
    pub fn new(choice: &ProxyChoice) -> Result<Self, ProxyError> {
        if choice.https.is_none() && choice.http.is_none() {
            return Ok(Self::default());
        }
        let mut builder = Matcher::builder();
        let mut credentials = Vec::new();
        if let Some((url, source)) = &choice.https {
            builder = builder.https(checked(url, source, &mut credentials)?);
        }
        if let Some((url, source)) = &choice.http {
            builder = builder.http(checked(url, source, &mut credentials)?);
        }
        if let Some(no_proxy) = &choice.no_proxy {
            builder = builder.no(no_proxy.clone());
        }
        credentials.sort();
        credentials.dedup();
        Ok(Self {
            matcher: Some(Arc::new(builder.build())),
            credentials,
        })
    }

    /// Whether any proxy is set.
    pub fn is_set(&self) -> bool {
        self.matcher.is_some()
    }

    /// The proxy a request to `destination` goes through; none to go direct.
    pub fn route(&self, destination: &Uri) -> Option<ProxyRoute> {
        let matcher = self.matcher.as_ref()?;
        if Origin::of(destination).is_none_or(|origin| origin.is_loopback()) {
            return None;
        }
        let intercept = matcher.intercept(destination)?;
        Some(ProxyRoute {
            proxy: intercept.uri().clone(),
            authorization: intercept.basic_auth().cloned(),
        })
    }

    /// Every form the proxy credentials could be shown in (the password, the
    /// `user:password` pair as typed and decoded, the header's Base64): the
    /// connection redacts them all, as it redacts its keys.
    pub fn credentials(&self) -> &[String] {
        &self.credentials
    }
}

impl fmt::Debug for ProxySettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The matcher's own Debug shows the proxy URIs without credentials.
        f.debug_struct("ProxySettings")
            .field("matcher", &self.matcher)
            .finish_non_exhaustive()
    }
}

/// `url` made explicit (`http://` when it has no scheme) once it is known to
/// be a usable proxy; its credentials, in every form, go into `credentials`.
fn checked(url: &str, source: &str, credentials: &mut Vec<String>) -> Result<String, ProxyError> {
    let refuse = |problem: String| ProxyError {
        source_name: source.to_owned(),
        problem,
    };
    let explicit = if url.contains("://") {
        url.to_owned()
    } else {
        format!("http://{url}")
    };
    let parsed = url::Url::parse(&explicit).map_err(|e| {
        refuse(format!(
            "the proxy URL is not a URL ({e}){}; expected http://host:port",
            hidden_note(url)
        ))
    })?;
    let shown = shown(&parsed);
    if parsed.password().is_some() || !parsed.username().is_empty() {
        remember_credentials(&parsed, credentials);
    }
    if parsed.scheme() != "http" {
        return Err(refuse(format!(
            "`{shown}` is not a proxy this tool can use: only http:// proxies that tunnel with \
             CONNECT are supported (TLS to the API then runs through the tunnel, end to end); \
             give the proxy as http://host:port"
        )));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(refuse(format!(
            "the proxy URL `{shown}` has no host; expected http://host:port"
        )));
    }
    if !matches!(parsed.path(), "" | "/") || parsed.query().is_some() {
        return Err(refuse(format!(
            "the proxy URL `{shown}` has a path or query; a proxy is only http://host:port"
        )));
    }
    Ok(explicit)
}

/// Records the credentials of `url` in every form they may take.
fn remember_credentials(url: &url::Url, credentials: &mut Vec<String>) {
    let decode = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    let (user, password) = (url.username(), url.password().unwrap_or_default());
    for form in [
        password.to_owned(),
        decode(password),
        format!("{user}:{password}"),
        format!("{}:{}", decode(user), decode(password)),
    ] {
        credentials.push(form);
    }
    // The header value hyper-util sends: `Basic base64(user:password)`.
    if let Some(header) = Matcher::builder()
        .https(url.as_str())
        .build()
        .intercept(&Uri::from_static("https://example.com"))
        .and_then(|i| i.basic_auth().cloned())
        && let Ok(text) = header.to_str()
    {
        credentials.push(text.trim_start_matches("Basic ").to_owned());
    }
    credentials.retain(|c| !c.is_empty() && c != ":");
}

/// The URL as it can be shown: scheme, host and port, never credentials.
fn shown(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    }
}

/// A note that a URL that could not be parsed is not shown, when it may hold
/// credentials.
fn hidden_note(url: &str) -> &'static str {
    if url.contains('@') {
        "; it is not shown, as it may hold a password"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(vars: &[(&str, &str)]) -> ProxySettings {
        ProxySettings::new(&ProxyChoice::from_lookup(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }))
        .unwrap()
    }

    fn via(settings: &ProxySettings, url: &str) -> Option<String> {
        settings
            .route(&url.parse().unwrap())
            .map(|r| r.proxy.to_string())
    }

    #[test]
    fn https_and_http_destinations_take_their_own_proxy_and_no_proxy_goes_direct() {
        let s = settings(&[
            ("HTTPS_PROXY", "http://proxy.corp:3128"),
            ("http_proxy", "proxy.corp:8080"),
            ("NO_PROXY", "internal.corp, 10.0.0.0/8"),
        ]);
        assert_eq!(
            via(&s, "https://api.anthropic.com/v1").as_deref(),
            Some("http://proxy.corp:3128/")
        );
        assert_eq!(
            via(&s, "http://api.example.com/v1").as_deref(),
            Some("http://proxy.corp:8080/")
        );
        assert_eq!(via(&s, "https://api.internal.corp/v1"), None);
        assert_eq!(via(&s, "https://10.1.2.3/v1"), None);
        assert!(via(&s, "https://notinternal.corp/v1").is_some());
    }

    #[test]
    fn this_machine_is_always_reached_directly() {
        let s = settings(&[("HTTPS_PROXY", "http://proxy.corp:3128")]);
        let s2 = settings(&[("HTTP_PROXY", "http://proxy.corp:3128")]);
        for local in [
            "https://127.0.0.1:8443",
            "https://localhost/v1",
            "https://[::1]:1",
        ] {
            assert_eq!(via(&s, local), None, "{local}");
        }
        assert_eq!(via(&s2, "http://127.0.0.1:8787/v1"), None);
    }

    #[test]
    fn nothing_set_is_no_proxy_and_an_explicit_proxy_overrides_the_environment() {
        let none = settings(&[("NO_PROXY", "*")]);
        assert!(!none.is_set());
        assert_eq!(via(&none, "https://api.anthropic.com"), None);

        let mut choice = ProxyChoice::from_lookup(|name| {
            (name == "HTTPS_PROXY").then(|| "http://env-proxy:1".to_owned())
        });
        choice.everything_through("http://flag-proxy:3128", "--proxy");
        let s = ProxySettings::new(&choice).unwrap();
        assert_eq!(
            via(&s, "https://api.anthropic.com").as_deref(),
            Some("http://flag-proxy:3128/")
        );
        assert_eq!(
            via(&s, "http://api.example.com").as_deref(),
            Some("http://flag-proxy:3128/")
        );
    }

    #[test]
    fn credentials_become_a_basic_header_and_are_listed_for_redaction() {
        let s = settings(&[("HTTPS_PROXY", "http://sync%40corp:pa%3Ass@proxy.corp:3128")]);
        let route = s
            .route(&"https://api.anthropic.com".parse().unwrap())
            .unwrap();
        // base64("sync@corp:pa:ss")
        assert_eq!(
            route.authorization.unwrap().to_str().unwrap(),
            "Basic c3luY0Bjb3JwOnBhOnNz"
        );
        assert_eq!(route.proxy.to_string(), "http://proxy.corp:3128/");
        for form in [
            "pa%3Ass",
            "pa:ss",
            "sync%40corp:pa%3Ass",
            "sync@corp:pa:ss",
            "c3luY0Bjb3JwOnBhOnNz",
        ] {
            assert!(
                s.credentials().iter().any(|c| c == form),
                "{form}: {:?}",
                s.credentials()
            );
        }
        assert!(!format!("{s:?}").contains("pa"), "{s:?}");
    }

    #[test]
    fn unusable_proxies_are_refused_naming_their_source_but_not_their_password() {
        let refused = |url: &str| {
            let mut choice = ProxyChoice::default();
            choice.everything_through(url, "HTTPS_PROXY");
            ProxySettings::new(&choice).unwrap_err().to_string()
        };
        assert_eq!(
            refused("socks5://user:hunter22@proxy.corp:1080"),
            "HTTPS_PROXY: `socks5://proxy.corp:1080` is not a proxy this tool can use: only \
             http:// proxies that tunnel with CONNECT are supported (TLS to the API then runs \
             through the tunnel, end to end); give the proxy as http://host:port"
        );
        assert!(
            refused("https://proxy.corp:8443").contains("`https://proxy.corp:8443` is not a proxy")
        );
        assert_eq!(
            refused("http://proxy.corp:3128/path"),
            "HTTPS_PROXY: the proxy URL `http://proxy.corp:3128` has a path or query; a proxy is \
             only http://host:port"
        );
        let unparsable = refused("http://user:hunter22@proxy corp:3128");
        assert!(!unparsable.contains("hunter22"), "{unparsable}");
        assert!(
            unparsable.contains("it is not shown, as it may hold a password"),
            "{unparsable}"
        );
    }
}
