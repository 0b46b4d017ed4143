//! A base URL in plain `http://` sends the keys in clear text unless it stays
//! on this machine: the harness warns on stderr and goes on.

use crate::common::*;

fn streams_stderr(base_url: &str) -> (Option<i32>, String) {
    let output = harness(&["streams"], Some(base_url), ADMIN_ONLY);
    let err = stderr(&output);
    assert_no_secret("streams errors", &err);
    (output.status.code(), err)
}

#[test]
fn plain_http_beyond_loopback_is_warned_about_on_stderr() {
    let (code, err) = streams_stderr("http://api.example.com");
    assert_eq!(code, Some(0), "a warning, not a refusal: {err}");
    assert_eq!(
        err,
        "warning: http://api.example.com:80 is plain HTTP to another machine: the API keys \
         would cross the network in clear text; use https://\n"
    );
    for quiet in [
        "https://api.example.com",
        "http://127.0.0.1:8787",
        "http://localhost:8787",
        "http://[::1]:8787",
    ] {
        assert_eq!(streams_stderr(quiet), (Some(0), String::new()), "{quiet}");
    }
}
