//! The Compliance API's directory: organisations, their users and roles,
//! groups and their members. Page tokens throughout (`page` / `next_page`).
//! Children get their parent's id from the parent record the host passes, and
//! carry it as a column where the API leaves it out; a parent deleted since it
//! was listed (a 404 on its children) is skipped with a warning.

use crate::error::Result;
use crate::http::Query;
use crate::json::{self, Canonical, Fields};
use crate::model::{KeyKind, Page, ReadRequest};
use crate::pagination::Scheme;
use crate::streams::ReadContext;
use crate::streams::list::{self, ChildrenOf, ListEndpoint};
use crate::streams::parent::{parent_field, segment, with_field};

const fn endpoint(path: &str, max_limit: u32) -> ListEndpoint<'_> {
    ListEndpoint {
        key: KeyKind::Compliance,
        path,
        scheme: Scheme::PageToken,
        max_limit,
    }
}

/// `organizations`: `GET /v1/compliance/organizations`. Older revisions answer
/// one unpaginated `{"data": [...]}`, which reads as a single last page.
pub fn organizations(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    let endpoint = endpoint("/v1/compliance/organizations", 1000);
    list::read_page(
        ctx,
        &endpoint,
        Query::new(),
        request.page_cursor.as_deref(),
        |item| item.into_string(),
    )
}

/// An organisation user: its organisation added, and `email` taken from
/// `email_address` where the API gave only that.
fn organization_user(mut user: Canonical<'_>, organization_uuid: &str) -> String {
    let Some(object) = user.object() else {
        return user.into_string();
    };
    let email_address = object.get("email_address");
    let has_email = object.get("email").is_some();
    let mut fields = Fields::from(object);
    fields.insert("organization_uuid", json::string(organization_uuid));
    if let (false, Some(email)) = (has_email, email_address) {
        fields.insert("email", email);
    }
    fields.to_canonical().into_string()
}

/// `organization_users`: `GET /v1/compliance/organizations/{uuid}/users`; the
/// same user appears in several organisations, so `organization_uuid` is added
/// and is part of the key. `email_address` is accepted for `email` (the API varied).
pub fn organization_users(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    let (_, uuid) = parent_field(request, "uuid")?;
    let path = format!("/v1/compliance/organizations/{}/users", segment(&uuid));
    list::read_child_page(
        ctx,
        &endpoint(&path, 1000),
        &ChildrenOf {
            kind: "organization",
            id: &uuid,
            children: "users",
        },
        Query::new(),
        request.page_cursor.as_deref(),
        |user| organization_user(user, &uuid),
    )
}

/// `organization_roles`: `GET /v1/compliance/organizations/{uuid}/roles`.
pub fn organization_roles(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    let (_, uuid) = parent_field(request, "uuid")?;
    let path = format!("/v1/compliance/organizations/{}/roles", segment(&uuid));
    list::read_child_page(
        ctx,
        &endpoint(&path, 1000),
        &ChildrenOf {
            kind: "organization",
            id: &uuid,
            children: "roles",
        },
        Query::new(),
        request.page_cursor.as_deref(),
        |role| with_field(role, "organization_uuid", &uuid),
    )
}

/// `groups`: `GET /v1/compliance/groups` (parent-level, no organisation field).
pub fn groups(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    let endpoint = endpoint("/v1/compliance/groups", 1000);
    list::read_page(
        ctx,
        &endpoint,
        Query::new(),
        request.page_cursor.as_deref(),
        |item| item.into_string(),
    )
}

/// `group_members`: `GET /v1/compliance/groups/{id}/members`; the group id is added.
pub fn group_members(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    let (_, group_id) = parent_field(request, "id")?;
    let path = format!("/v1/compliance/groups/{}/members", segment(&group_id));
    list::read_child_page(
        ctx,
        &endpoint(&path, 1000),
        &ChildrenOf {
            kind: "group",
            id: &group_id,
            children: "members",
        },
        Query::new(),
        request.page_cursor.as_deref(),
        |member| with_field(member, "group_id", &group_id),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::testing::{item, parsed};
    use serde_json::Value;

    /// A record as the tree-of-values code added the field.
    fn with_field_as_values(mut record: Value, name: &str, value: &str) -> Value {
        if let Value::Object(map) = &mut record {
            map.insert(name.to_owned(), Value::String(value.to_owned()));
        }
        record
    }

    const KEYS: &[&str] = &[
        "id",
        "email",
        "email_address",
        "organization_uuid",
        "group_id",
        "name",
        "x",
    ];

    proptest::proptest! {

        #![proptest_config(crate::properties::config())]

        /// Byte for byte the records the tree-of-values code wrote, whatever
        /// form the item came in.
        #[test]
        fn records_are_what_the_tree_of_values_wrote(text in item(KEYS), parent in "[a-z\"é-]{0,6}") {
            if let Some(value) = parsed(&text) {
                let record = with_field(Canonical::of(&text).unwrap(), "group_id", &parent);
                let expected = with_field_as_values(value.clone(), "group_id", &parent);
                proptest::prop_assert_eq!(record, expected.to_string());

                let user = organization_user(Canonical::of(&text).unwrap(), &parent);
                let mut expected = with_field_as_values(value, "organization_uuid", &parent);
                if expected.get("email").is_none()
                    && let Some(email) = expected.get("email_address").cloned()
                {
                    expected["email"] = email;
                }
                proptest::prop_assert_eq!(user, expected.to_string());
            }
        }
    }
}
