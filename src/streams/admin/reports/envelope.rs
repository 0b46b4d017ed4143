//! What a report page says besides its rows, the same for every report:
//! where the walk goes on (`has_more`, `next_page`), and whether the page is
//! the Admin API's error envelope (`{"type":"error","error":{…}}`) instead.

use crate::error::Result;
use crate::pagination::next_page_token;
use serde::Deserialize;
use serde_json::Value;

/// A report page's fields other than `data`; read with `#[serde(flatten)]`
/// beside the page's rows.
#[derive(Deserialize)]
pub struct Envelope {
    #[serde(default)]
    has_more: Option<bool>,
    #[serde(default)]
    next_page: Option<String>,
    /// `type` and `error`: what tells the Admin API's error envelope.
    #[serde(default, rename = "type")]
    kind: Option<Value>,
    #[serde(default)]
    error: Option<Value>,
}

impl Envelope {
    /// Whether the page is `{"type":"error","error":{…}}` (with `data` too:
    /// without, it is no page).
    pub fn is_error_envelope(&self) -> bool {
        self.kind.as_ref().and_then(Value::as_str) == Some("error")
            && self.error.as_ref().is_some_and(Value::is_object)
    }

    /// The token of the next page of the same query, if any.
    pub fn next_page(&self) -> Result<Option<String>> {
        next_page_token(self.has_more, self.next_page.clone())
    }
}
