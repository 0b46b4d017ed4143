//! `organizations`: `GET /v1/compliance/organizations`. Page-token paginated in
//! the current API; older revisions answer one unpaginated `{"data": [...]}`,
//! which the page-token parser reads as a single last page.

use crate::error::Result;
use crate::http::Query;
use crate::model::{KeyKind, Page, ReadRequest};
use crate::pagination::Scheme;
use crate::streams::ReadContext;
use crate::streams::list::{self, ListEndpoint};

const ENDPOINT: ListEndpoint<'static> = ListEndpoint {
    key: KeyKind::Compliance,
    path: "/v1/compliance/organizations",
    scheme: Scheme::PageToken,
    max_limit: 1000,
};

pub fn read(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    list::read_page(
        ctx,
        &ENDPOINT,
        Query::new(),
        request.page_cursor.as_deref(),
        |org| org,
    )
}
