//! SDK types mapped into JSON with AWS's own field names and order.
//!
//! The SDK's types do not implement `Serialize`, so this module is the one
//! place that knows each item's shape. The live source and the demo both go
//! through it, which keeps their shapes the same. Unset optionals are left
//! out (as AWS leaves them out); required strings the SDK filled in as ""
//! because an emulator omitted them are left out too.

use aws_sdk_identitystore::types as ids;
use aws_sdk_organizations::types as org;
use aws_sdk_ssoadmin::types as sso;
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use serde_json::{Map, Value as Json};

/// Builds one JSON object field by field, skipping what AWS would omit.
#[derive(Default)]
struct Obj(Map<String, Json>);

impl Obj {
    fn str(mut self, key: &str, value: Option<&str>) -> Self {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            self.0.insert(key.to_owned(), Json::from(value));
        }
        self
    }

    fn val(mut self, key: &str, value: Option<Json>) -> Self {
        if let Some(value) = value {
            self.0.insert(key.to_owned(), value);
        }
        self
    }

    fn bool(mut self, key: &str, value: bool) -> Self {
        self.0.insert(key.to_owned(), Json::Bool(value));
        self
    }

    fn time(self, key: &str, value: Option<&DateTime>) -> Self {
        let formatted = value.and_then(timestamp);
        self.str(key, formatted.as_deref())
    }

    fn list<T>(self, key: &str, items: &[T], each: impl Fn(&T) -> Json) -> Self {
        if items.is_empty() {
            return self;
        }
        self.val(key, Some(Json::Array(items.iter().map(each).collect())))
    }

    fn build(self) -> Json {
        Json::Object(self.0)
    }
}

/// An AWS timestamp as an RFC 3339 string.
pub(crate) fn timestamp(time: &DateTime) -> Option<String> {
    // The SDK reads AWS's epoch seconds (`1796395019.209554`) through an
    // f64, which lands a few hundred nanoseconds off; AWS's timestamps
    // carry at most microseconds, so the nearest microsecond is the one
    // on the wire. Then written as the AWS CLI v2 writes it (Python's
    // isoformat: six digits of fraction when there is one, `+00:00`).
    let mut seconds = time.secs();
    let mut micros = (u64::from(time.subsec_nanos()) + 500) / 1000;
    if micros == 1_000_000 {
        seconds += 1;
        micros = 0;
    }
    let whole = DateTime::from_secs(seconds).fmt(Format::DateTime).ok()?;
    let whole = whole.strip_suffix('Z')?;
    Some(if micros == 0 {
        format!("{whole}+00:00")
    } else {
        format!("{whole}.{micros:06}+00:00")
    })
}

/// A `ListInstances` item.
pub(crate) fn instance(i: &sso::InstanceMetadata) -> Json {
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

fn external_id(e: &ids::ExternalId) -> Json {
    Obj::default()
        .str("Issuer", Some(e.issuer()))
        .str("Id", Some(e.id()))
        .build()
}

/// A `ListUsers` item.
pub(crate) fn user(u: &ids::User) -> Json {
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

/// A `ListGroups` item.
pub(crate) fn group(g: &ids::Group) -> Json {
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

/// A `ListGroupMemberships` item (before the names are added).
pub(crate) fn membership(m: &ids::GroupMembership) -> Json {
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

/// A `DescribePermissionSet` result.
pub(crate) fn permission_set(p: &sso::PermissionSet) -> Json {
    Obj::default()
        .str("Name", p.name())
        .str("PermissionSetArn", p.permission_set_arn())
        .str("Description", p.description())
        .time("CreatedDate", p.created_date())
        .str("SessionDuration", p.session_duration())
        .str("RelayState", p.relay_state())
        .build()
}

/// An organizations `ListAccounts` item.
pub(crate) fn account(a: &org::Account) -> Json {
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

/// A `ListAccountAssignments` item (before the names are added).
pub(crate) fn assignment(a: &sso::AccountAssignment) -> Json {
    Obj::default()
        .str("AccountId", a.account_id())
        .str("PermissionSetArn", a.permission_set_arn())
        .str("PrincipalType", a.principal_type().map(|s| s.as_str()))
        .str("PrincipalId", a.principal_id())
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_required_strings_and_unset_optionals_are_left_out() {
        let user = ids::User::builder()
            .identity_store_id("d-1234567890")
            .user_id("u-1")
            .user_arn("")
            .revision("")
            .user_name("alice")
            .build()
            .unwrap();
        let json = super::user(&user);
        let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["IdentityStoreId", "UserId", "UserName"]);
    }

    #[test]
    fn timestamps_are_exact_to_the_microsecond_as_the_aws_cli_writes_them() {
        let time = DateTime::from_secs(1_700_000_000);
        assert_eq!(timestamp(&time).unwrap(), "2023-11-14T22:13:20+00:00");
        // As the SDK reads `1796395019.209554` off the wire: through f64.
        let wire = DateTime::from_secs_f64(1_796_395_019.209_554);
        assert_eq!(
            timestamp(&wire).unwrap(),
            "2026-12-04T14:36:59.209554+00:00"
        );
        // Every microsecond of a second survives the f64 reading.
        for micros in (0..1_000_000u32).step_by(7919) {
            let text = format!("1796395019.{micros:06}");
            let read = DateTime::from_secs_f64(text.parse().unwrap());
            let shown = timestamp(&read).unwrap();
            let expected = if micros == 0 {
                "2026-12-04T14:36:59+00:00".to_owned()
            } else {
                format!("2026-12-04T14:36:59.{micros:06}+00:00")
            };
            assert_eq!(shown, expected, "{text}");
        }
    }
}
