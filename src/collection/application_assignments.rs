//! `ApplicationAssignments`: who is assigned to each application
//! (`ListApplicationAssignments` of every application), with the
//! application's and principal's names joined on.

use aws_sdk_ssoadmin::types as sso;
use serde_json::Value as Json;

use super::model::Obj;

/// The fields of one item, for completion.
pub(super) const SHAPE: &str =
    "ApplicationArn PrincipalType PrincipalId ApplicationName PrincipalName";

/// A `ListApplicationAssignments` item (before the names are added).
pub(crate) fn item(a: &sso::ApplicationAssignment) -> Json {
    Obj::default()
        .str("ApplicationArn", Some(a.application_arn()))
        .str("PrincipalType", Some(a.principal_type().as_str()))
        .str("PrincipalId", Some(a.principal_id()))
        .build()
}
