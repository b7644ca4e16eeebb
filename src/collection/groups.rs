//! `Groups`: `ListGroups` items.

use aws_sdk_identitystore::types as ids;
use serde_json::Value as Json;

use super::model::{Obj, external_id};
use super::{Collection, Identity};

/// The fields of one item, for completion.
pub(super) const SHAPE: &str = "IdentityStoreId GroupId GroupArn Revision DisplayName ExternalIds[]{Issuer Id} \
     Description CreatedAt UpdatedAt CreatedBy UpdatedBy";

/// Named by DisplayName or GroupId.
pub(crate) const IDENTITY: Identity = Identity {
    what: "group",
    name_field: "DisplayName",
    id_field: "GroupId",
    also_by: &[],
    collection: Collection::Groups,
};

/// A `ListGroups` item.
pub(crate) fn item(g: &ids::Group) -> Json {
    Obj::default()
        .str("IdentityStoreId", Some(g.identity_store_id()))
        .str("GroupId", Some(g.group_id()))
        .str("GroupArn", Some(g.group_arn()))
        .str("Revision", Some(g.revision()))
        .str("DisplayName", g.display_name())
        .list("ExternalIds", g.external_ids(), external_id)
        .str("Description", g.description())
        .time("CreatedAt", g.created_at())
        .time("UpdatedAt", g.updated_at())
        .str("CreatedBy", g.created_by())
        .str("UpdatedBy", g.updated_by())
        .build()
}
