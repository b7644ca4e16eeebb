//! `Accounts`: Organizations `ListAccounts` items.

use aws_sdk_organizations::types as org;
use serde_json::Value as Json;

use super::model::Obj;
use super::{Collection, Identity};

/// The fields of one item, for completion.
pub(super) const SHAPE: &str = "Id Arn Email Name Status State Paths JoinedMethod JoinedTimestamp";

/// Named by Name or Id.
pub(crate) const IDENTITY: Identity = Identity {
    what: "account",
    name_field: "Name",
    id_field: "Id",
    also_by: &[],
    collection: Collection::Accounts,
};

/// An organizations `ListAccounts` item.
pub(crate) fn item(a: &org::Account) -> Json {
    Obj::default()
        .str("Id", a.id())
        .str("Arn", a.arn())
        .str("Email", a.email())
        .str("Name", a.name())
        .str("Status", a.status().map(|s| s.as_str()))
        .str("State", a.state().map(|s| s.as_str()))
        .val(
            "Paths",
            (!a.paths().is_empty()).then(|| Json::from(a.paths().to_vec())),
        )
        .str("JoinedMethod", a.joined_method().map(|s| s.as_str()))
        .time("JoinedTimestamp", a.joined_timestamp())
        .build()
}
