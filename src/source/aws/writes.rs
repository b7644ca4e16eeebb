//! The calls that change one thing: a group membership.
//!
//! A membership write is sent once, never retried by the SDK: after an
//! ambiguous failure (a timeout, a 5xx) the membership is looked up and the
//! user is told whether the write took effect, instead of a silent second
//! write.

use aws_sdk_identitystore::types::MemberId;
use aws_smithy_types::retry::RetryConfig;

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

/// A write is attempted once: after an ambiguous failure the caller checks
/// what happened rather than letting the SDK send it again.
fn sent_once() -> aws_sdk_identitystore::config::Builder {
    aws_sdk_identitystore::config::Builder::default()
        .retry_config(RetryConfig::standard().with_max_attempts(1))
}

impl AwsSource {
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
