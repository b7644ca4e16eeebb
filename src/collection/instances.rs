//! `Instances`: the Identity Center instances `ListInstances` names.

use aws_sdk_ssoadmin::types as sso;
use serde_json::Value as Json;

use super::model::Obj;

/// The fields of one item, for completion.
pub(super) const SHAPE: &str = "InstanceArn IdentityStoreId IdentityStoreArn OwnerAccountId Name CreatedDate Status \
     StatusReason PrimaryRegion Regions[]{RegionName Status AddedDate IsPrimaryRegion}";

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
