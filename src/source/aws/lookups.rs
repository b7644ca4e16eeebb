//! Questions about one thing by its name or attributes: `GetGroupId` and
//! `GetUserId` by a unique attribute, and one permission set's details
//! with its policies.

use aws_sdk_identitystore::types::{AlternateIdentifier, UniqueAttribute};
use aws_smithy_types::Document;
use serde_json::{Value as Json, json};

use super::{AwsError, AwsSource};

/// A unique attribute as the API spells its path: `DisplayName` →
/// `displayName`, `Emails.Value` → `emails.value`.
fn attribute_path(attribute: &str) -> String {
    attribute
        .split('.')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn unique(attribute: &str, value: &str) -> Result<AlternateIdentifier, AwsError> {
    let attribute = UniqueAttribute::builder()
        .attribute_path(attribute_path(attribute))
        .attribute_value(Document::String(value.to_owned()))
        .build()
        .map_err(|err| AwsError::Other {
            operation: "GetUserId",
            detail: err.to_string(),
        })?;
    Ok(AlternateIdentifier::UniqueAttribute(attribute))
}

impl AwsSource {
    /// `GetGroupId` by a unique attribute.
    pub(crate) async fn get_group_id(
        &self,
        attribute: &str,
        value: &str,
    ) -> Result<Json, AwsError> {
        let d = self.directory().await?;
        let identifier = unique(attribute, value)?;
        let out = self
            .request("GetGroupId", || {
                d.clients
                    .ids
                    .get_group_id()
                    .identity_store_id(&d.store_id)
                    .alternate_identifier(identifier.clone())
                    .send()
            })
            .await?;
        Ok(json!({"GroupId": out.group_id(), "IdentityStoreId": out.identity_store_id()}))
    }

    /// `GetUserId` by a unique attribute.
    pub(crate) async fn get_user_id(&self, attribute: &str, value: &str) -> Result<Json, AwsError> {
        let d = self.directory().await?;
        let identifier = unique(attribute, value)?;
        let out = self
            .request("GetUserId", || {
                d.clients
                    .ids
                    .get_user_id()
                    .identity_store_id(&d.store_id)
                    .alternate_identifier(identifier.clone())
                    .send()
            })
            .await?;
        Ok(json!({"UserId": out.user_id(), "IdentityStoreId": out.identity_store_id()}))
    }

    /// A permission set's details with its managed policies, customer
    /// managed policy references and inline policy.
    pub(crate) async fn describe_permission_set(&self, arn: &str) -> Result<Json, AwsError> {
        let d = self.directory().await?;
        let instance = d.instance_arn.clone().ok_or(AwsError::NoInstanceArn {
            operation: "DescribePermissionSet",
        })?;
        let sso = &d.clients.sso;
        let described = self
            .request("DescribePermissionSet", || {
                sso.describe_permission_set()
                    .instance_arn(&instance)
                    .permission_set_arn(arn)
                    .send()
            })
            .await?;
        let managed = self
            .paginate("ListManagedPoliciesInPermissionSet", |token| {
                let (sso, instance) = (sso.clone(), instance.clone());
                async move {
                    let out = sso
                        .list_managed_policies_in_permission_set()
                        .instance_arn(instance)
                        .permission_set_arn(arn)
                        .set_next_token(token)
                        .send()
                        .await?;
                    let items = out
                        .attached_managed_policies()
                        .iter()
                        .map(|p| json!({"Name": p.name(), "Arn": p.arn()}))
                        .collect();
                    Ok((items, out.next_token().map(str::to_owned)))
                }
            })
            .await?;
        let customer = self
            .paginate(
                "ListCustomerManagedPolicyReferencesInPermissionSet",
                |token| {
                    let (sso, instance) = (sso.clone(), instance.clone());
                    async move {
                        let out = sso
                            .list_customer_managed_policy_references_in_permission_set()
                            .instance_arn(instance)
                            .permission_set_arn(arn)
                            .set_next_token(token)
                            .send()
                            .await?;
                        let items = out
                            .customer_managed_policy_references()
                            .iter()
                            .map(|p| json!({"Name": p.name(), "Path": p.path()}))
                            .collect();
                        Ok((items, out.next_token().map(str::to_owned)))
                    }
                },
            )
            .await?;
        let inline = self
            .request("GetInlinePolicyForPermissionSet", || {
                sso.get_inline_policy_for_permission_set()
                    .instance_arn(&instance)
                    .permission_set_arn(arn)
                    .send()
            })
            .await?;
        let mut value = described
            .permission_set()
            .map_or(Json::Null, crate::collection::permission_set);
        if let Some(object) = value.as_object_mut() {
            object.insert("AttachedManagedPolicies".into(), Json::Array(managed));
            object.insert(
                "CustomerManagedPolicyReferences".into(),
                Json::Array(customer),
            );
            let policy = inline.inline_policy().filter(|p| !p.is_empty());
            // The inline policy is a JSON document in a string; show it as JSON.
            let policy = policy.map(|p| serde_json::from_str(p).unwrap_or_else(|_| Json::from(p)));
            object.insert("InlinePolicy".into(), policy.unwrap_or(Json::Null));
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_paths_are_camel_case() {
        assert_eq!(attribute_path("DisplayName"), "displayName");
        assert_eq!(attribute_path("UserName"), "userName");
        assert_eq!(attribute_path("Emails.Value"), "emails.value");
        assert_eq!(attribute_path("userName"), "userName");
    }
}
