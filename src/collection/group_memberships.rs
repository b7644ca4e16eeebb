//! `GroupMemberships`: `ListGroupMemberships` items of every group, with
//! the group's and the user's names joined on.

use aws_sdk_identitystore::types as ids;
use serde_json::Value as Json;

use super::model::Obj;

/// The fields of one item, for completion.
pub(super) const SHAPE: &str = "IdentityStoreId MembershipId MembershipArn GroupId \
     MemberId{UserId} CreatedAt UpdatedAt CreatedBy UpdatedBy GroupName UserName";

/// A `ListGroupMemberships` item (before the names are added).
pub(crate) fn item(m: &ids::GroupMembership) -> Json {
    let member = m.member_id().map(|member| match member {
        ids::MemberId::UserId(id) => serde_json::json!({ "UserId": id }),
        _ => serde_json::json!({}),
    });
    Obj::default()
        .str("IdentityStoreId", Some(m.identity_store_id()))
        .str("MembershipId", Some(m.membership_id()))
        .str("MembershipArn", Some(m.membership_arn()))
        .str("GroupId", m.group_id())
        .val("MemberId", member)
        .time("CreatedAt", m.created_at())
        .time("UpdatedAt", m.updated_at())
        .str("CreatedBy", m.created_by())
        .str("UpdatedBy", m.updated_by())
        .build()
}
