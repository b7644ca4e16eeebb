//! Questions about one thing by its name or attributes: `GetGroupId` and
//! `GetUserId` by a unique attribute, and what one permission set grants.

use aws_sdk_identitystore::types::{AlternateIdentifier, UniqueAttribute};
use aws_sdk_ssoadmin::types::ProvisioningStatus;
use aws_smithy_types::Document;
use serde_json::{Value as Json, json};

use super::{AwsError, AwsSource};
use crate::collection;

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

    /// An instance's encryption (`DescribeInstance`) and ABAC attributes
    /// (`DescribeInstanceAccessControlAttributeConfiguration`, "not found"
    /// where ABAC was never configured).
    pub(crate) async fn instance_facts(
        &self,
        sso: &aws_sdk_ssoadmin::Client,
        arn: &str,
    ) -> Result<collection::InstanceFacts, AwsError> {
        let described = self.request("DescribeInstance", || {
            sso.describe_instance().instance_arn(arn).send()
        });
        let attributes = self.request(
            "DescribeInstanceAccessControlAttributeConfiguration",
            || {
                sso.describe_instance_access_control_attribute_configuration()
                    .instance_arn(arn)
                    .send()
            },
        );
        let (described, attributes) = tokio::join!(described, attributes);
        let attributes = match attributes {
            Ok(out) => Some((
                out.status().map_or("", |s| s.as_str()).to_owned(),
                out.instance_access_control_attribute_configuration()
                    .map(|c| c.access_control_attributes().to_vec())
                    .unwrap_or_default(),
            )),
            Err(AwsError::Service { code, .. }) if code == "ResourceNotFoundException" => None,
            Err(err) => return Err(err),
        };
        Ok(collection::InstanceFacts {
            encryption: described?.encryption_configuration_details().cloned(),
            attributes,
        })
    }

    /// What one permission set grants and where it is out of date: the six
    /// calls after `DescribePermissionSet` (managed policies, customer
    /// managed policy references, inline policy, permissions boundary,
    /// tags, and the accounts its latest version is not provisioned to).
    pub(crate) async fn permission_set_contents(
        &self,
        arn: &str,
    ) -> Result<collection::PermissionSetContents, AwsError> {
        let d = self.directory().await?;
        let instance = d.instance_arn.clone().ok_or(AwsError::NoInstanceArn {
            operation: "ListManagedPoliciesInPermissionSet",
        })?;
        let sso = &d.clients.sso;
        let managed = self.paginate("ListManagedPoliciesInPermissionSet", |token| {
            let (sso, instance) = (sso.clone(), instance.clone());
            async move {
                let out = sso
                    .list_managed_policies_in_permission_set()
                    .instance_arn(instance)
                    .permission_set_arn(arn)
                    .set_next_token(token)
                    .send()
                    .await?;
                Ok((
                    out.attached_managed_policies().to_vec(),
                    out.next_token().map(str::to_owned),
                ))
            }
        });
        let customer_managed = self.paginate(
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
                    Ok((
                        out.customer_managed_policy_references().to_vec(),
                        out.next_token().map(str::to_owned),
                    ))
                }
            },
        );
        let inline = self.request("GetInlinePolicyForPermissionSet", || {
            sso.get_inline_policy_for_permission_set()
                .instance_arn(&instance)
                .permission_set_arn(arn)
                .send()
        });
        let boundary = self.request("GetPermissionsBoundaryForPermissionSet", || {
            sso.get_permissions_boundary_for_permission_set()
                .instance_arn(&instance)
                .permission_set_arn(arn)
                .send()
        });
        let tags = self.paginate("ListTagsForResource", |token| {
            let (sso, instance) = (sso.clone(), instance.clone());
            async move {
                let out = sso
                    .list_tags_for_resource()
                    .instance_arn(instance)
                    .resource_arn(arn)
                    .set_next_token(token)
                    .send()
                    .await?;
                Ok((out.tags().to_vec(), out.next_token().map(str::to_owned)))
            }
        });
        let not_provisioned = self.paginate("ListAccountsForProvisionedPermissionSet", |token| {
            let (sso, instance) = (sso.clone(), instance.clone());
            async move {
                let out = sso
                    .list_accounts_for_provisioned_permission_set()
                    .instance_arn(instance)
                    .permission_set_arn(arn)
                    .provisioning_status(ProvisioningStatus::LatestPermissionSetNotProvisioned)
                    .max_results(100)
                    .set_next_token(token)
                    .send()
                    .await?;
                Ok((
                    out.account_ids().to_vec(),
                    out.next_token().map(str::to_owned),
                ))
            }
        });
        let (managed, customer_managed, inline, boundary, tags, not_provisioned) = tokio::join!(
            managed,
            customer_managed,
            inline,
            boundary,
            tags,
            not_provisioned
        );
        // A set with no boundary answers ResourceNotFoundException.
        let boundary = match boundary {
            Ok(out) => out.permissions_boundary().cloned(),
            Err(AwsError::Service { code, .. }) if code == "ResourceNotFoundException" => None,
            Err(err) => return Err(err),
        };
        Ok(collection::PermissionSetContents {
            managed: managed?,
            customer_managed: customer_managed?,
            inline: inline?.inline_policy().map(str::to_owned),
            boundary,
            tags: tags?,
            not_provisioned_to: not_provisioned?,
        })
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
