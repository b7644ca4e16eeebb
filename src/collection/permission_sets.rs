//! `PermissionSets`: `DescribePermissionSet` of each set `ListPermissionSets`
//! names; and, when an expression names them, what each set grants and where it is out of date
//! (its contents: six more calls per set, so never fetched unless asked).

use aws_sdk_ssoadmin::types as sso;
use serde_json::Value as Json;

use super::model::Obj;
use super::{Collection, Identity};
use crate::doc::Doc;

/// The fields of one item, for completion.
pub(super) const SHAPE: &str = "Name PermissionSetArn Description CreatedDate SessionDuration RelayState \
     AttachedManagedPolicies[]{Name Arn} CustomerManagedPolicyReferences[]{Name Path} InlinePolicy \
     PermissionsBoundary{ManagedPolicyArn CustomerManagedPolicyReference{Name Path}} Tags[]{Key Value} \
     NotProvisionedTo[]";

/// The fields that hold what a set grants and where it is out of date,
/// fetched only when an expression names one:
/// `ListManagedPoliciesInPermissionSet`,
/// `ListCustomerManagedPolicyReferencesInPermissionSet`,
/// `GetInlinePolicyForPermissionSet`, `GetPermissionsBoundaryForPermissionSet`,
/// `ListTagsForResource`, and `ListAccountsForProvisionedPermissionSet`
/// filtered to `LATEST_PERMISSION_SET_NOT_PROVISIONED` (the accounts where
/// the set was edited and not provisioned again), in that order.
pub(crate) const CONTENT_FIELDS: [&str; 6] = [
    "AttachedManagedPolicies",
    "CustomerManagedPolicyReferences",
    "InlinePolicy",
    "PermissionsBoundary",
    "Tags",
    "NotProvisionedTo",
];

/// The content fields that say what a set grants (those a review compares).
pub(crate) const POLICY_FIELDS: [&str; 5] = [
    "AttachedManagedPolicies",
    "CustomerManagedPolicyReferences",
    "InlinePolicy",
    "PermissionsBoundary",
    "Tags",
];

/// Named by Name or PermissionSetArn.
pub(crate) const IDENTITY: Identity = Identity {
    what: "permission set",
    name_field: "Name",
    id_field: "PermissionSetArn",
    also_by: &[],
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

/// What one permission set grants, as the six calls answer it.
#[derive(Debug, Default, Clone)]
pub(crate) struct Contents {
    pub managed: Vec<sso::AttachedManagedPolicy>,
    pub customer_managed: Vec<sso::CustomerManagedPolicyReference>,
    /// The inline policy document as AWS holds it (a JSON string).
    pub inline: Option<String>,
    pub boundary: Option<sso::PermissionsBoundary>,
    pub tags: Vec<sso::Tag>,
    /// Accounts where the latest version of the set is not provisioned.
    pub not_provisioned_to: Vec<String>,
}

fn reference(r: &sso::CustomerManagedPolicyReference) -> Json {
    Obj::default()
        .str("Name", Some(r.name()))
        .str("Path", r.path())
        .build()
}

/// `set` (an [`item`]) with its contents after its own fields: every
/// content field present, empty or null where the set has none, so that
/// `[?InlinePolicy == null]` reads as it says.
pub(crate) fn with_contents(set: &Json, contents: &Contents) -> Json {
    let mut object = set.as_object().cloned().unwrap_or_default();
    let managed = contents
        .managed
        .iter()
        .map(|p| {
            Obj::default()
                .str("Name", p.name())
                .str("Arn", p.arn())
                .build()
        })
        .collect();
    let customer = contents.customer_managed.iter().map(reference).collect();
    // The inline policy is a JSON document in a string: held as JSON, so
    // that `InlinePolicy.Statement[?Action == '*']` works; a string that
    // is not JSON stays a string.
    let inline = contents
        .inline
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .map_or(Json::Null, |p| {
            serde_json::from_str(p).unwrap_or_else(|_| Json::from(p))
        });
    let boundary = contents.boundary.as_ref().map_or(Json::Null, |b| {
        Obj::default()
            .str("ManagedPolicyArn", b.managed_policy_arn())
            .val(
                "CustomerManagedPolicyReference",
                b.customer_managed_policy_reference().map(reference),
            )
            .build()
    });
    let tags = contents
        .tags
        .iter()
        .map(|t| {
            Obj::default()
                .str("Key", Some(t.key()))
                .val("Value", Some(Json::from(t.value())))
                .build()
        })
        .collect();
    let values = [
        Json::Array(managed),
        Json::Array(customer),
        inline,
        boundary,
        Json::Array(tags),
        Json::from(contents.not_provisioned_to.clone()),
    ];
    for (field, value) in CONTENT_FIELDS.into_iter().zip(values) {
        object.insert(field.to_owned(), value);
    }
    Json::Object(object)
}

/// Whether every set in `sets` carries its contents (an empty collection
/// does: there is nothing to fetch).
pub(crate) fn has_contents(sets: &Doc) -> bool {
    sets.as_array().is_some_and(|items| {
        items
            .iter()
            .all(|item| CONTENT_FIELDS.iter().all(|f| item.get(f).is_some()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contents_follow_the_sets_own_fields_and_the_inline_policy_is_json() {
        let set = item(
            &sso::PermissionSet::builder()
                .name("Admin")
                .permission_set_arn("arn:ps-1")
                .build(),
        );
        let contents = Contents {
            managed: vec![
                sso::AttachedManagedPolicy::builder()
                    .name("AdministratorAccess")
                    .arn("arn:aws:iam::aws:policy/AdministratorAccess")
                    .build(),
            ],
            inline: Some(r#"{"Statement":[{"Effect":"Allow","Action":"*"}]}"#.into()),
            ..Contents::default()
        };
        let full = with_contents(&set, &contents);
        let keys: Vec<&String> = full.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "Name",
                "PermissionSetArn",
                "AttachedManagedPolicies",
                "CustomerManagedPolicyReferences",
                "InlinePolicy",
                "PermissionsBoundary",
                "Tags",
                "NotProvisionedTo"
            ]
        );
        assert_eq!(full["InlinePolicy"]["Statement"][0]["Action"], "*");
        assert_eq!(full["PermissionsBoundary"], Json::Null);
        assert!(has_contents(&Doc::from(Json::Array(vec![full.clone()]))));
        assert!(!has_contents(&Doc::from(Json::Array(vec![set.clone()]))));
    }
}
