//! `AccountAssignments`: `ListAccountAssignments` items of every account and
//! permission set, with the account's, set's and principal's names joined on.

use aws_sdk_ssoadmin::types as sso;
use serde_json::Value as Json;

use super::model::Obj;

/// The fields of one item, for completion.
pub(super) const SHAPE: &str = "AccountId PermissionSetArn PrincipalType PrincipalId \
     AccountName PermissionSetName PrincipalName";

/// A `ListAccountAssignments` item (before the names are added).
pub(crate) fn item(a: &sso::AccountAssignment) -> Json {
    Obj::default()
        .str("AccountId", a.account_id())
        .str("PermissionSetArn", a.permission_set_arn())
        .str("PrincipalType", a.principal_type().map(|s| s.as_str()))
        .str("PrincipalId", a.principal_id())
        .build()
}
