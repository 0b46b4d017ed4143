//! Property tests (bounded fuzzing) of everything that reads untrusted input:
//! the request functions' path check, both pagination schemes, and HTTP
//! response parsing. (The records' equivalence with what a tree of values
//! gives is checked next to each reader, with the same [`config`].) Each property runs proptest's default 256 generated cases
//! so the suite stays fast; `PROPTEST_CASES=100000 cargo test -p
//! anthropic-connector --lib properties` searches longer. A failure prints the
//! shrunk input, which then becomes a plain regression test next to the code
//! it broke.

use crate::functions::path::{COMPLIANCE_PREFIX, check_path};
use crate::host::HttpResponse;
use crate::http::parse_response;
use crate::list_body::ListBody;
use crate::pagination::Scheme;
use proptest::prelude::*;
use serde_json::{Map, Value};

/// proptest's defaults (cases from `PROPTEST_CASES`), without writing
/// regression files into the source tree.
pub(crate) fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Paths assembled from the pieces attacks are made of, plus arbitrary text.
fn hostile_path() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "/",
        "//",
        ".",
        "..",
        "%2e",
        "%2E",
        "%2f",
        "%2F",
        "%252e",
        "%5c",
        "%00",
        "%",
        "%zz",
        "\\",
        "?",
        "#",
        "@",
        ":",
        " ",
        "\n",
        "\t",
        "ä",
        "∕",
        "．",
        "http://",
        "v1",
        "compliance",
        "organizations",
        "activities",
        "a",
        "-",
        "_",
        "~",
        ";",
    ]);
    prop_oneof![
        prop::collection::vec(pieces, 0..14).prop_map(|p| p.concat()),
        any::<String>(),
    ]
}

/// A segment of unreserved characters that is not a dot segment.
fn plain_segment() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,11}"
        .prop_filter("not a dot segment", |s| s != "." && s != "..")
}

/// JSON shaped like a list response, with every field possibly wrong.
fn list_body() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[a-z_0-9]{0,8}".prop_map(Value::String),
    ];
    let item = leaf.clone().prop_recursive(2, 8, 4, |inner| {
        prop::collection::vec(inner, 0..4).prop_map(Value::Array)
    });
    let field = |name: &'static str, value: BoxedStrategy<Value>| {
        prop::option::of(value).prop_map(move |v| (name, v))
    };
    (
        field(
            "data",
            prop_oneof![
                prop::collection::vec(item.clone(), 0..4).prop_map(Value::Array),
                item,
            ]
            .boxed(),
        ),
        field("has_more", leaf.clone().boxed()),
        field("last_id", leaf.clone().boxed()),
        field("first_id", leaf.clone().boxed()),
        field("next_page", leaf.boxed()),
    )
        .prop_map(|fields| {
            let fields = [fields.0, fields.1, fields.2, fields.3, fields.4];
            let map: Map<String, Value> = fields
                .into_iter()
                .filter_map(|(name, value)| value.map(|v| (name.to_owned(), v)))
                .collect();
            Value::Object(map)
        })
}

proptest! {
    #![proptest_config(config())]

    /// Whatever comes in, an accepted path is a plain path under its prefix:
    /// unreserved characters and `/` only, no empty, `.` or `..` segment.
    #[test]
    fn an_accepted_path_cannot_leave_its_prefix(path in hostile_path(), compliance in any::<bool>()) {
        let prefix = if compliance { COMPLIANCE_PREFIX } else { "/" };
        if let Ok(safe) = check_path(&path, prefix) {
            let safe = safe.as_str();
            prop_assert!(safe.starts_with(prefix), "{safe}");
            prop_assert!(
                safe.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~/".contains(&b)),
                "{safe}"
            );
            let segments: Vec<&str> = safe[1..].split('/').collect();
            for (i, segment) in segments.iter().enumerate() {
                prop_assert!(*segment != "." && *segment != "..", "{safe}");
                prop_assert!(!segment.is_empty() || i + 1 == segments.len(), "{safe}");
            }
        }
    }

    /// A plain path is accepted unchanged.
    #[test]
    fn a_plain_path_is_kept_as_it_is(segments in prop::collection::vec(plain_segment(), 1..5)) {
        let path = format!("{COMPLIANCE_PREFIX}{}", segments.join("/"));
        let safe = check_path(&path, COMPLIANCE_PREFIX).unwrap();
        prop_assert_eq!(safe.as_str(), path.as_str());
    }

    /// Both schemes read any body without panicking, and never end a walk
    /// early: a page that says more follows always carries the next cursor.
    #[test]
    fn a_page_that_says_more_follows_always_has_a_cursor(body in list_body()) {
        for scheme in [Scheme::IdCursor, Scheme::PageToken] {
            let more = body.get("has_more") == Some(&Value::Bool(true));
            let text = body.to_string();
            let read = ListBody::read(text.as_bytes()).expect("written JSON reads");
            if let Ok(page) = scheme.page(read) {
                prop_assert!(body.get("data").is_some_and(Value::is_array));
                if more {
                    prop_assert!(page.next.as_deref().is_some_and(|c| !c.is_empty()));
                }
                if body.get("has_more") == Some(&Value::Bool(false)) {
                    prop_assert_eq!(page.next, None);
                }
            }
        }
    }

    /// Any status and body is read without panicking: success is valid JSON,
    /// anything else an error that keeps its status and says something.
    #[test]
    fn any_response_is_read_into_data_or_a_described_error(
        status in 100u16..600,
        body in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..64),
            "\\{\"(type|error)\":\\{\"(type|message)\":\"[a-z ]{0,10}\"\\}\\}".prop_map(String::into_bytes),
        ],
        retry_after in prop::option::of("[0-9a-zA-Z ,:.-]{0,30}"),
    ) {
        let mut headers = vec![("request-id".to_owned(), "req_1".to_owned())];
        if let Some(value) = retry_after {
            headers.push(("retry-after".to_owned(), value));
        }
        let response = HttpResponse { status, headers, body: body.clone() };
        match parse_response(&response) {
            Ok(value) => {
                prop_assert!((200..300).contains(&status));
                prop_assert_eq!(Some(value), serde_json::from_slice::<Value>(&body).ok());
            }
            Err(error) => {
                prop_assert_eq!(error.status, Some(status));
                prop_assert!(!error.describe().trim().is_empty());
            }
        }
    }
}
