//! The API's two pagination schemes, served exactly: limit validation with the
//! API's messages, id cursors (`after_id` / `before_id`), and opaque page tokens.

use super::api_error::ApiError;
use super::records::Records;
use serde_json::Value;

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

/// A JSON body, as the bytes sent.
pub type Json = Vec<u8>;

/// A list as its id cursors walk it: an order over stored records, some of
/// which the request's filters leave out.
pub trait CursorList {
    /// The records the order is over.
    fn records(&self) -> &Records;
    /// How many records the order has, left-out ones included.
    fn ranks(&self) -> usize;
    /// The position (in [`Self::records`]) of the record at `rank` in the order.
    fn position(&self, rank: usize) -> usize;
    /// The rank in the order of the record at `position`, when the order has it.
    fn rank(&self, position: usize) -> Option<usize>;
    /// Whether the request's filters keep the record at `position`.
    fn keeps(&self, position: usize) -> bool;
}

/// Records in list order, optionally filtered by a test on each (decoded) record.
pub struct InListOrder<'a, F> {
    records: &'a Records,
    keep: Option<F>,
}

impl<'a, F: Fn(&Value) -> bool> InListOrder<'a, F> {
    /// Every record, or those `keep` accepts. A filter decodes each record it
    /// looks at, so only filtered requests pay for it.
    pub fn new(records: &'a Records, keep: Option<F>) -> Self {
        Self { records, keep }
    }
}

impl InListOrder<'_, fn(&Value) -> bool> {
    /// Every record of `records`, in list order.
    pub fn all(records: &Records) -> InListOrder<'_, fn(&Value) -> bool> {
        InListOrder {
            records,
            keep: None,
        }
    }
}

impl<F: Fn(&Value) -> bool> CursorList for InListOrder<'_, F> {
    fn records(&self) -> &Records {
        self.records
    }
    fn ranks(&self) -> usize {
        self.records.len()
    }
    fn position(&self, rank: usize) -> usize {
        rank
    }
    fn rank(&self, position: usize) -> Option<usize> {
        Some(position)
    }
    fn keeps(&self, position: usize) -> bool {
        self.keep.as_ref().is_none_or(|keep| {
            self.records
                .get(position)
                .is_some_and(|record| keep(&record))
        })
    }
}

/// Some records of a list, in list order: positions found through an index.
pub struct Subset<'a> {
    records: &'a Records,
    /// Ascending, without repeats.
    positions: Vec<usize>,
}

impl<'a> Subset<'a> {
    /// The records of `records` at `positions` (in any order, repeats allowed).
    pub fn new(records: &'a Records, mut positions: Vec<usize>) -> Self {
        positions.sort_unstable();
        positions.dedup();
        Self { records, positions }
    }
}

impl CursorList for Subset<'_> {
    fn records(&self) -> &Records {
        self.records
    }
    fn ranks(&self) -> usize {
        self.positions.len()
    }
    fn position(&self, rank: usize) -> usize {
        self.positions[rank]
    }
    fn rank(&self, position: usize) -> Option<usize> {
        self.positions.binary_search(&position).ok()
    }
    fn keeps(&self, _: usize) -> bool {
        true
    }
}

/// One id-cursor page of `list`: its records after `after_id`, before
/// `before_id` or from the start, and the cursors of its ends. The cursor is
/// found through the list's id index and the page is walked from it, so the
/// cost is the page's (plus the records a filter skips), not the list's.
pub fn id_cursor_page(
    list: &impl CursorList,
    params: &Params,
    default_limit: usize,
    max_limit: usize,
) -> Result<Json, ApiError> {
    let limit = params.limit(default_limit, max_limit)?;
    let rank_of = |cursor: &str, name: &str| {
        list.records()
            .position_of_id(cursor)
            .filter(|position| list.keeps(*position))
            .and_then(|position| list.rank(position))
            .ok_or_else(|| {
                ApiError::invalid_request(format!(
                    "Invalid `{name}`. No object found for `{name}` \"{cursor}\""
                ))
            })
    };
    let (page, has_more) = match (params.get("after_id"), params.get("before_id")) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid_request(
                "Only one of `after_id` and `before_id` may be given.",
            ));
        }
        (Some(after), None) => kept(list, rank_of(after, "after_id")? + 1..list.ranks(), limit),
        (None, Some(before)) => {
            let (mut page, more) = kept(list, (0..rank_of(before, "before_id")?).rev(), limit);
            page.reverse();
            (page, more)
        }
        (None, None) => kept(list, 0..list.ranks(), limit),
    };
    let records = list.records();
    let id_at = |position: Option<&usize>| {
        position
            .and_then(|p| records.id(*p))
            .map_or(Value::Null, Value::from)
    };
    let fields = [
        ("has_more", Value::Bool(has_more)),
        ("first_id", id_at(page.first())),
        ("last_id", id_at(page.last())),
    ];
    Ok(page_body(records, page, &fields))
}

/// The positions of the first `limit` kept records at `ranks`, and whether
/// another kept record follows them.
fn kept(
    list: &impl CursorList,
    ranks: impl Iterator<Item = usize>,
    limit: usize,
) -> (Vec<usize>, bool) {
    let mut page = Vec::with_capacity(limit.min(list.ranks()));
    for rank in ranks {
        let position = list.position(rank);
        if !list.keeps(position) {
            continue;
        }
        if page.len() == limit {
            return (page, true);
        }
        page.push(position);
    }
    (page, false)
}

/// One page-token page of `records`. Tokens are opaque to clients (a scrambled offset).
pub fn page_token_page(
    records: &Records,
    params: &Params,
    default_limit: usize,
    max_limit: usize,
) -> Result<Json, ApiError> {
    let page = page_token_range(records.len(), params, default_limit, max_limit)?;
    let fields = [
        ("has_more", Value::Bool(page.next.is_some())),
        ("next_page", page.next.map_or(Value::Null, Value::String)),
    ];
    Ok(page_body(records, page.positions, &fields))
}

/// Where a page-token page of a list of `len` records lies, and the token of the next one.
pub struct TokenPage {
    pub positions: std::ops::Range<usize>,
    pub next: Option<String>,
}

/// The page a request's `page` token and `limit` select in a list of `len` records.
pub fn page_token_range(
    len: usize,
    params: &Params,
    default_limit: usize,
    max_limit: usize,
) -> Result<TokenPage, ApiError> {
    let limit = params.limit(default_limit, max_limit)?;
    let start = match params.get("page") {
        None => 0,
        Some(token) => decode_token(token)
            .filter(|offset| *offset <= len)
            .ok_or_else(|| ApiError::invalid_request(format!("Invalid page token \"{token}\".")))?,
    };
    let end = start.saturating_add(limit).min(len);
    Ok(TokenPage {
        positions: start..end,
        next: (end < len).then(|| encode_token(end)),
    })
}

/// `{"data":[…],…fields}`: the records at `positions`, copied as stored, then
/// `fields` in order. The same bytes serialising the page as a value gives.
pub fn page_body(
    records: &Records,
    positions: impl IntoIterator<Item = usize>,
    fields: &[(&str, Value)],
) -> Json {
    let mut body = b"{\"data\":[".to_vec();
    for (n, position) in positions.into_iter().enumerate() {
        if n > 0 {
            body.push(b',');
        }
        body.extend_from_slice(records.json(position));
    }
    body.push(b']');
    for (name, value) in fields {
        body.push(b',');
        serde_json::to_writer(&mut body, name).expect("a name serialises");
        body.push(b':');
        serde_json::to_writer(&mut body, value).expect("a value serialises");
    }
    body.push(b'}');
    body
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
    use serde_json::json;

    fn items(n: usize) -> Records {
        (0..n).map(|i| json!({"id": format!("i{i}")})).collect()
    }

    fn parsed(body: Result<Json, ApiError>) -> Value {
        serde_json::from_slice(&body.unwrap()).unwrap()
    }

    #[test]
    fn id_cursor_walks_forward_and_back() {
        let all = items(5);
        let p = |q: &str| {
            parsed(id_cursor_page(
                &InListOrder::all(&all),
                &Params::parse(Some(q)),
                20,
                1000,
            ))
        };
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
        let middle = p("limit=2&before_id=i4");
        assert_eq!(
            (
                middle["first_id"].as_str(),
                middle["last_id"].as_str(),
                middle["has_more"].as_bool()
            ),
            (Some("i2"), Some("i3"), Some(true))
        );
    }

    #[test]
    fn a_page_is_the_bytes_serialising_it_as_a_value_gives() {
        let all: Records = vec![
            json!({"id": "a", "x": [1, {"y": null}]}),
            json!({"id": "b"}),
        ]
        .into();
        let body = id_cursor_page(&InListOrder::all(&all), &Params::parse(None), 20, 1000).unwrap();
        let expected = json!({"data": [{"id": "a", "x": [1, {"y": null}]}, {"id": "b"}],
                              "has_more": false, "first_id": "a", "last_id": "b"});
        assert_eq!(body, serde_json::to_vec(&expected).unwrap());
        let empty = page_token_page(&Records::new(), &Params::parse(None), 20, 100).unwrap();
        assert_eq!(empty, br#"{"data":[],"has_more":false,"next_page":null}"#);
    }

    #[test]
    fn filters_and_subsets_page_over_what_they_keep() {
        let all = items(10);
        let even = InListOrder::new(
            &all,
            Some(|v: &Value| v["id"].as_str().unwrap()[1..].parse::<u32>().unwrap() % 2 == 0),
        );
        let page = parsed(id_cursor_page(
            &even,
            &Params::parse(Some("limit=2&after_id=i2")),
            20,
            1000,
        ));
        assert_eq!(page["data"], json!([{"id": "i4"}, {"id": "i6"}]));
        assert_eq!(page["has_more"], true);
        let err = id_cursor_page(&even, &Params::parse(Some("after_id=i3")), 20, 1000).unwrap_err();
        assert_eq!(
            err.message,
            "Invalid `after_id`. No object found for `after_id` \"i3\""
        );
        let subset = Subset::new(&all, vec![7, 1, 7, 4]);
        let page = parsed(id_cursor_page(
            &subset,
            &Params::parse(Some("before_id=i7")),
            20,
            1000,
        ));
        assert_eq!(page["data"], json!([{"id": "i1"}, {"id": "i4"}]));
        assert_eq!(page["has_more"], false);
        let last = parsed(id_cursor_page(
            &subset,
            &Params::parse(Some("after_id=i7")),
            20,
            1000,
        ));
        assert_eq!(
            (last["data"].clone(), last["first_id"].clone()),
            (json!([]), Value::Null)
        );
    }

    #[test]
    fn bad_limit_and_unknown_cursor_are_400() {
        let all = items(3);
        let list = InListOrder::all(&all);
        let err = id_cursor_page(&list, &Params::parse(Some("limit=1001")), 20, 1000).unwrap_err();
        assert_eq!(
            err.message,
            "The limit parameter must be between 1 and 1000, inclusive. Got 1001."
        );
        let err = id_cursor_page(&list, &Params::parse(Some("after_id=zz")), 20, 1000).unwrap_err();
        assert_eq!(
            (err.status, err.message.as_str()),
            (
                400,
                "Invalid `after_id`. No object found for `after_id` \"zz\""
            )
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
            let page = parsed(page_token_page(&all, &Params::parse(Some(&query)), 20, 100));
            seen.extend(page["data"].as_array().unwrap().iter().cloned());
            match page["next_page"].as_str() {
                Some(token) => query = format!("limit=3&page={token}"),
                None => break,
            }
        }
        assert_eq!(seen, all.to_vec());
    }
}
