//! `PermissionSets`: `DescribePermissionSet` of each set `ListPermissionSets` names.

use aws_sdk_ssoadmin::types as sso;
use serde_json::Value as Json;

use super::model::Obj;
use super::{Collection, Identity};

/// The fields of one item, for completion.
pub(super) const SHAPE: &str =
    "Name PermissionSetArn Description CreatedDate SessionDuration RelayState";

/// Named by Name or PermissionSetArn.
pub(crate) const IDENTITY: Identity = Identity {
    what: "permission set",
    name_field: "Name",
    id_field: "PermissionSetArn",
    collection: Collection::PermissionSets,
};

/// A `DescribePermissionSet` result.
pub(crate) fn item(p: &sso::PermissionSet) -> Json {
    Obj::default()
        .str("Name", p.name())
        .str("PermissionSetArn", p.permission_set_arn())
        .str("Description", p.description())
        .time("CreatedDate", p.created_date())
        .str("SessionDuration", p.session_duration())
        .str("RelayState", p.relay_state())
        .build()
}
