//! `Instances`: the Identity Center instances `ListInstances` names.

use aws_sdk_ssoadmin::types as sso;
use serde_json::Value as Json;

use super::model::Obj;

/// The fields of one item, for completion.
pub(super) const SHAPE: &str = "InstanceArn IdentityStoreId IdentityStoreArn OwnerAccountId Name CreatedDate Status \
     StatusReason PrimaryRegion Regions[]{RegionName Status AddedDate IsPrimaryRegion} \
     EncryptionConfigurationDetails{KeyType KmsKeyArn EncryptionStatus EncryptionStatusReason} \
     AccessControlAttributesStatus AccessControlAttributes[]{Key Value{Source[]}}";

/// A `ListInstances` item.
pub(crate) fn item(i: &sso::InstanceMetadata) -> Json {
    Obj::default()
        .str("InstanceArn", i.instance_arn())
        .str("IdentityStoreId", i.identity_store_id())
        .str("IdentityStoreArn", i.identity_store_arn())
        .str("OwnerAccountId", i.owner_account_id())
        .str("Name", i.name())
        .time("CreatedDate", i.created_date())
        .str("Status", i.status().map(|s| s.as_str()))
        .str("StatusReason", i.status_reason())
        .str("PrimaryRegion", i.primary_region())
        .list("Regions", i.regions(), |r| {
            Obj::default()
                .str("RegionName", r.region_name())
                .str("Status", r.status().map(|s| s.as_str()))
                .time("AddedDate", r.added_date())
                .bool("IsPrimaryRegion", r.is_primary_region())
                .build()
        })
        .build()
}

/// What `DescribeInstance` and
/// `DescribeInstanceAccessControlAttributeConfiguration` add to a listed
/// instance: how its data is encrypted, and the attributes it passes to
/// permission sets for attribute-based access control (ABAC).
#[derive(Debug, Default, Clone)]
pub(crate) struct Facts {
    pub encryption: Option<sso::EncryptionConfigurationDetails>,
    /// `None`: ABAC was never configured (AWS answers "not found").
    pub attributes: Option<(String, Vec<sso::AccessControlAttribute>)>,
}

/// `instance` (an [`item`]) with its facts after its own fields.
pub(crate) fn with_facts(instance: &Json, facts: &Facts) -> Json {
    let mut object = instance.as_object().cloned().unwrap_or_default();
    let encryption = facts.encryption.as_ref().map(|e| {
        Obj::default()
            .str("KeyType", e.key_type().map(|k| k.as_str()))
            .str("KmsKeyArn", e.kms_key_arn())
            .str(
                "EncryptionStatus",
                e.encryption_status().map(|s| s.as_str()),
            )
            .str("EncryptionStatusReason", e.encryption_status_reason())
            .build()
    });
    object.insert(
        "EncryptionConfigurationDetails".into(),
        encryption.unwrap_or(Json::Null),
    );
    let (status, attributes) = match &facts.attributes {
        Some((status, attributes)) => (
            Json::from(status.as_str()),
            Json::Array(
                attributes
                    .iter()
                    .map(|a| {
                        Obj::default()
                            .str("Key", Some(a.key()))
                            .val(
                                "Value",
                                a.value().map(|v| serde_json::json!({"Source": v.source()})),
                            )
                            .build()
                    })
                    .collect(),
            ),
        ),
        None => (Json::Null, Json::Array(Vec::new())),
    };
    object.insert("AccessControlAttributesStatus".into(), status);
    object.insert("AccessControlAttributes".into(), attributes);
    Json::Object(object)
}
