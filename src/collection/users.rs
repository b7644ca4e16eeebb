//! `Users`: `ListUsers` items.

use aws_sdk_identitystore::types as ids;
use serde_json::Value as Json;

use super::model::{Obj, external_id};
use super::{Collection, Identity};

/// The fields of one item, for completion.
pub(super) const SHAPE: &str = "IdentityStoreId UserId UserArn Revision UserName ExternalIds[]{Issuer Id} \
     Name{Formatted FamilyName GivenName MiddleName HonorificPrefix HonorificSuffix} \
     DisplayName NickName ProfileUrl Emails[]{Value Type Primary} \
     Addresses[]{StreetAddress Locality Region PostalCode Country Formatted Type Primary} \
     PhoneNumbers[]{Value Type Primary} UserType Title PreferredLanguage Locale Timezone \
     UserStatus Photos[]{Value Type Display Primary} Website Birthdate \
     Roles[]{Value Type Primary} CreatedAt CreatedBy UpdatedAt UpdatedBy";

/// Named by UserName or UserId.
pub(crate) const IDENTITY: Identity = Identity {
    what: "user",
    name_field: "UserName",
    id_field: "UserId",
    also_by: &["DisplayName"],
    collection: Collection::Users,
};

/// A `ListUsers` item.
pub(crate) fn item(u: &ids::User) -> Json {
    Obj::default()
        .str("IdentityStoreId", Some(u.identity_store_id()))
        .str("UserId", Some(u.user_id()))
        .str("UserArn", Some(u.user_arn()))
        .str("Revision", Some(u.revision()))
        .str("UserName", u.user_name())
        .list("ExternalIds", u.external_ids(), external_id)
        .val(
            "Name",
            u.name().map(|n| {
                Obj::default()
                    .str("Formatted", n.formatted())
                    .str("FamilyName", n.family_name())
                    .str("GivenName", n.given_name())
                    .str("MiddleName", n.middle_name())
                    .str("HonorificPrefix", n.honorific_prefix())
                    .str("HonorificSuffix", n.honorific_suffix())
                    .build()
            }),
        )
        .str("DisplayName", u.display_name())
        .str("NickName", u.nick_name())
        .str("ProfileUrl", u.profile_url())
        .list("Emails", u.emails(), |e| {
            Obj::default()
                .str("Value", e.value())
                .str("Type", e.r#type())
                .bool("Primary", e.primary())
                .build()
        })
        .list("Addresses", u.addresses(), |a| {
            Obj::default()
                .str("StreetAddress", a.street_address())
                .str("Locality", a.locality())
                .str("Region", a.region())
                .str("PostalCode", a.postal_code())
                .str("Country", a.country())
                .str("Formatted", a.formatted())
                .str("Type", a.r#type())
                .bool("Primary", a.primary())
                .build()
        })
        .list("PhoneNumbers", u.phone_numbers(), |p| {
            Obj::default()
                .str("Value", p.value())
                .str("Type", p.r#type())
                .bool("Primary", p.primary())
                .build()
        })
        .str("UserType", u.user_type())
        .str("Title", u.title())
        .str("PreferredLanguage", u.preferred_language())
        .str("Locale", u.locale())
        .str("Timezone", u.timezone())
        .str("UserStatus", u.user_status().map(|s| s.as_str()))
        .list("Photos", u.photos(), |p| {
            Obj::default()
                .str("Value", Some(p.value()))
                .str("Type", p.r#type())
                .str("Display", p.display())
                .bool("Primary", p.primary())
                .build()
        })
        .str("Website", u.website())
        .str("Birthdate", u.birthdate())
        .list("Roles", u.roles(), |r| {
            Obj::default()
                .str("Value", r.value())
                .str("Type", r.r#type())
                .bool("Primary", r.primary())
                .build()
        })
        .time("CreatedAt", u.created_at())
        .str("CreatedBy", u.created_by())
        .time("UpdatedAt", u.updated_at())
        .str("UpdatedBy", u.updated_by())
        .build()
}
