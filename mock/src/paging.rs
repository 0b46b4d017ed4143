//! The API's two pagination schemes, served exactly: limit validation with the
//! API's messages, id cursors (`after_id` / `before_id`), and opaque page tokens.

use super::api_error::ApiError;
use serde_json::{Value, json};

/// Query parameters of one request, in order (`name[]` kept as written).
#[derive(Debug, Clone, Default)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn parse(query: Option<&str>) -> Self {
        Self(
            url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The single value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated parameter (`user_ids[]`; the bare name too).
    pub fn all(&self, name: &str) -> Vec<&str> {
        let bare = name.trim_end_matches("[]");
        self.0
            .iter()
            .filter(|(k, _)| k == name || k == bare)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// `limit`, checked against the endpoint's range.
    pub fn limit(&self, default: usize, max: usize) -> Result<usize, ApiError> {
        let Some(raw) = self.get("limit") else {
            return Ok(default);
        };
        match raw.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(ApiError::invalid_request(format!(
                "The limit parameter must be between 1 and {max}, inclusive. Got {raw}."
            ))),
        }
    }
}

/// One id-cursor page of `items` (already in list order), keyed by `id_field`.
pub fn id_cursor_page(
    items: &[Value],
    id_field: &str,
    params: &Params,
    default_limit: usize,
    max_limit: usize,
) -> Result<Value, ApiError> {
    let limit = params.limit(default_limit, max_limit)?;
    let position = |cursor: &str, name: &str| {
        items
            .iter()
            .position(|item| item[id_field].as_str() == Some(cursor))
            .ok_or_else(|| {
                ApiError::invalid_request(format!(
                    "Invalid `{name}`. No object found for `{name}` \"{cursor}\""
                ))
            })
    };
    let (start, end) = match (params.get("after_id"), params.get("before_id")) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid_request(
                "Only one of `after_id` and `before_id` may be given.",
            ));
        }
        (Some(after), None) => {
            let start = position(after, "after_id")? + 1;
            (start, (start + limit).min(items.len()))
        }
        (None, Some(before)) => {
            let end = position(before, "before_id")?;
            (end.saturating_sub(limit), end)
        }
        (None, None) => (0, limit.min(items.len())),
    };
    let page = &items[start..end];
    let id_at = |item: Option<&Value>| {
        item.and_then(|i| i.get(id_field))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let has_more = if params.get("before_id").is_some() {
        start > 0
    } else {
        end < items.len()
    };
    Ok(json!({
        "data": page,
        "has_more": has_more,
        "first_id": id_at(page.first()),
        "last_id": id_at(page.last()),
    }))
}

/// One page-token page of `items`. Tokens are opaque to clients (a scrambled offset).
pub fn page_token_page(
    items: &[Value],
    params: &Params,
    default_limit: usize,
    max_limit: usize,
) -> Result<Value, ApiError> {
    let limit = params.limit(default_limit, max_limit)?;
    let start = match params.get("page") {
        None => 0,
        Some(token) => decode_token(token)
            .filter(|offset| *offset <= items.len())
            .ok_or_else(|| ApiError::invalid_request(format!("Invalid page token \"{token}\".")))?,
    };
    let end = (start + limit).min(items.len());
    let has_more = end < items.len();
    Ok(json!({
        "data": &items[start..end],
        "has_more": has_more,
        "next_page": if has_more { Value::String(encode_token(end)) } else { Value::Null },
    }))
}

const TOKEN_KEY: u64 = 0x5DEE_CE66_D1CE_F00D;

fn encode_token(offset: usize) -> String {
    format!("page_{:016x}", offset as u64 ^ TOKEN_KEY)
}

fn decode_token(token: &str) -> Option<usize> {
    let hex = token.strip_prefix("page_")?;
    u64::from_str_radix(hex, 16)
        .ok()
        .map(|v| (v ^ TOKEN_KEY) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(n: usize) -> Vec<Value> {
        (0..n).map(|i| json!({"id": format!("i{i}")})).collect()
    }

    #[test]
    fn id_cursor_walks_forward_and_back() {
        let all = items(5);
        let p = |q: &str| id_cursor_page(&all, "id", &Params::parse(Some(q)), 20, 1000).unwrap();
        let first = p("limit=2");
        assert_eq!(
            (first["last_id"].as_str(), first["has_more"].as_bool()),
            (Some("i1"), Some(true))
        );
        let last = p("limit=2&after_id=i3");
        assert_eq!(
            (
                last["data"].as_array().unwrap().len(),
                last["has_more"].as_bool()
            ),
            (1, Some(false))
        );
        let back = p("limit=2&before_id=i2");
        assert_eq!(
            (back["first_id"].as_str(), back["has_more"].as_bool()),
            (Some("i0"), Some(false))
        );
    }

    #[test]
    fn bad_limit_and_unknown_cursor_are_400() {
        let all = items(3);
        let err =
            id_cursor_page(&all, "id", &Params::parse(Some("limit=1001")), 20, 1000).unwrap_err();
        assert_eq!(
            err.message,
            "The limit parameter must be between 1 and 1000, inclusive. Got 1001."
        );
        assert_eq!(
            id_cursor_page(&all, "id", &Params::parse(Some("after_id=zz")), 20, 1000)
                .unwrap_err()
                .status,
            400
        );
        assert_eq!(
            page_token_page(&all, &Params::parse(Some("page=bogus")), 20, 100)
                .unwrap_err()
                .status,
            400
        );
    }

    #[test]
    fn page_tokens_cover_every_item_once() {
        let all = items(7);
        let mut seen = Vec::new();
        let mut query = "limit=3".to_owned();
        loop {
            let page = page_token_page(&all, &Params::parse(Some(&query)), 20, 100).unwrap();
            seen.extend(page["data"].as_array().unwrap().iter().cloned());
            match page["next_page"].as_str() {
                Some(token) => query = format!("limit=3&page={token}"),
                None => break,
            }
        }
        assert_eq!(seen, all);
    }
}
