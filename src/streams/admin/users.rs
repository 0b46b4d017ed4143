//! `admin_users`: `GET /v1/organizations/users`, id-cursor pages, records as the API gives them.

use crate::error::Result;
use crate::http::Query;
use crate::model::{KeyKind, Page, ReadRequest};
use crate::pagination::Scheme;
use crate::streams::ReadContext;
use crate::streams::list::{self, ListEndpoint};

const ENDPOINT: ListEndpoint<'static> = ListEndpoint {
    key: KeyKind::Admin,
    path: "/v1/organizations/users",
    scheme: Scheme::IdCursor,
    max_limit: 1000,
};

pub fn read(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    list::read_page(
        ctx,
        &ENDPOINT,
        Query::new(),
        request.page_cursor.as_deref(),
        |user| user,
    )
}
