//! The few calls that change or look up one thing: memberships, unique
//! attribute lookups, one permission set's policies.
//!
//! A membership write is sent once, never retried by the SDK: after an
//! ambiguous failure (a timeout, a 5xx) the membership is looked up and the
//! user is told whether the write took effect, instead of a silent second
//! write.

use aws_sdk_identitystore::types::{AlternateIdentifier, MemberId, UniqueAttribute};
use aws_smithy_types::Document;
use aws_smithy_types::retry::RetryConfig;
use serde_json::{Value as Json, json};

use super::{AwsError, AwsSource};

/// What a membership write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WriteOutcome {
    Done {
        membership_id: Option<String>,
    },
    AlreadyMember {
        membership_id: String,
    },
    NotMember,
    /// The call failed ambiguously, and the check afterwards found this.
    Unclear {
        took_effect: bool,
        error: String,
    },
}

/// A unique attribute as the API spells its path: `DisplayName` →
/// `displayName`, `Emails.Value` → `emails.value`.
pub(crate) fn attribute_path(attribute: &str) -> String {
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

/// A write is attempted once: after an ambiguous failure the caller checks
/// what happened rather than letting the SDK send it again.
fn sent_once() -> aws_sdk_identitystore::config::Builder {
    aws_sdk_identitystore::config::Builder::default()
        .retry_config(RetryConfig::standard().with_max_attempts(1))
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
            .map_or(Json::Null, crate::source::model::permission_set);
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

    /// The membership of `user_id` in `group_id`, if any.
    pub(crate) async fn membership_id(
        &self,
        group_id: &str,
        user_id: &str,
    ) -> Result<Option<String>, AwsError> {
        let d = self.directory().await?;
        let out = self
            .request("GetGroupMembershipId", || {
                d.clients
                    .ids
                    .get_group_membership_id()
                    .identity_store_id(&d.store_id)
                    .group_id(group_id)
                    .member_id(MemberId::UserId(user_id.to_owned()))
                    .send()
            })
            .await;
        match out {
            Ok(out) => Ok(Some(out.membership_id().to_owned()).filter(|m| !m.is_empty())),
            Err(err) => match err {
                AwsError::Service { code, .. } if code == "ResourceNotFoundException" => Ok(None),
                other => Err(other),
            },
        }
    }

    /// `CreateGroupMembership`, once, checked afterwards.
    pub(crate) async fn add_member(
        &self,
        group_id: &str,
        user_id: &str,
    ) -> Result<WriteOutcome, AwsError> {
        if let Some(membership_id) = self.membership_id(group_id, user_id).await? {
            return Ok(WriteOutcome::AlreadyMember { membership_id });
        }
        let d = self.directory().await?;
        let sent = self
            .request("CreateGroupMembership", || {
                d.clients
                    .ids
                    .create_group_membership()
                    .identity_store_id(&d.store_id)
                    .group_id(group_id)
                    .member_id(MemberId::UserId(user_id.to_owned()))
                    .customize()
                    .config_override(sent_once())
                    .send()
            })
            .await;
        match sent {
            Ok(_) => Ok(WriteOutcome::Done {
                membership_id: self.membership_id(group_id, user_id).await?,
            }),
            Err(AwsError::Service { code, .. }) if code == "ConflictException" => {
                let membership_id = self
                    .membership_id(group_id, user_id)
                    .await?
                    .unwrap_or_default();
                Ok(WriteOutcome::AlreadyMember { membership_id })
            }
            Err(err) if !err.is_ambiguous() => Err(err),
            Err(err) => Ok(WriteOutcome::Unclear {
                took_effect: self.membership_id(group_id, user_id).await?.is_some(),
                error: err.to_string(),
            }),
        }
    }

    /// `DeleteGroupMembership`, once, checked afterwards.
    pub(crate) async fn remove_member(
        &self,
        group_id: &str,
        user_id: &str,
    ) -> Result<WriteOutcome, AwsError> {
        let Some(membership_id) = self.membership_id(group_id, user_id).await? else {
            return Ok(WriteOutcome::NotMember);
        };
        let d = self.directory().await?;
        let sent = self
            .request("DeleteGroupMembership", || {
                d.clients
                    .ids
                    .delete_group_membership()
                    .identity_store_id(&d.store_id)
                    .membership_id(&membership_id)
                    .customize()
                    .config_override(sent_once())
                    .send()
            })
            .await;
        match sent {
            Ok(_) => {
                let still = self.membership_id(group_id, user_id).await?;
                Ok(if still.is_none() {
                    WriteOutcome::Done {
                        membership_id: Some(membership_id),
                    }
                } else {
                    WriteOutcome::Unclear {
                        took_effect: false,
                        error: "the membership is still there".into(),
                    }
                })
            }
            Err(AwsError::Service { code, .. }) if code == "ResourceNotFoundException" => {
                Ok(WriteOutcome::NotMember)
            }
            Err(err) if !err.is_ambiguous() => Err(err),
            Err(err) => Ok(WriteOutcome::Unclear {
                took_effect: self.membership_id(group_id, user_id).await?.is_none(),
                error: err.to_string(),
            }),
        }
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
