//! `Applications`: the SAML, OAuth and AWS managed applications of the
//! instance, as `ListApplications` names them. Access is more than
//! accounts: who may open each is in `ApplicationAssignments`.

use aws_sdk_ssoadmin::types as sso;
use serde_json::Value as Json;

use super::model::Obj;

/// The fields of one item, for completion.
pub(super) const SHAPE: &str = "ApplicationArn ApplicationProviderArn Name ApplicationAccount \
     InstanceArn IdentityStoreArn Status PortalOptions{SignInOptions{Origin ApplicationUrl} Visibility} \
     Description CreatedDate CreatedFrom";

/// A `ListApplications` item.
pub(crate) fn item(a: &sso::Application) -> Json {
    let portal = a.portal_options().map(|p| {
        Obj::default()
            .val(
                "SignInOptions",
                p.sign_in_options().map(|s| {
                    Obj::default()
                        .str("Origin", Some(s.origin().as_str()))
                        .str("ApplicationUrl", s.application_url())
                        .build()
                }),
            )
            .str("Visibility", Some(p.visibility().as_str()))
            .build()
    });
    Obj::default()
        .str("ApplicationArn", a.application_arn())
        .str("ApplicationProviderArn", a.application_provider_arn())
        .str("Name", a.name())
        .str("ApplicationAccount", a.application_account())
        .str("InstanceArn", a.instance_arn())
        .str("IdentityStoreArn", a.identity_store_arn())
        .str("Status", a.status().map(|s| s.as_str()))
        .val("PortalOptions", portal)
        .str("Description", a.description())
        .time("CreatedDate", a.created_date())
        .str("CreatedFrom", a.created_from())
        .build()
}
