//! One user's groups and access from the calls that ask about that user,
//! for when the whole directory is not held: a full `.access` answer needs
//! `GetUserId` (or `DescribeUser`), `ListGroupMembershipsForMember`, one
//! `ListAccountAssignmentsForPrincipal` for the user and one per group, and
//! the names (`DescribeGroup` per group, `ListAccounts`, `DescribePermissionSet`
//! per set), instead of every user, group, membership and assignment.

use std::collections::HashMap;

use aws_sdk_identitystore::types::MemberId;
use aws_sdk_ssoadmin::types::PrincipalType;
use futures_util::{StreamExt, TryStreamExt, stream};
use serde_json::{Value as Json, json};

use super::fetch::NAMING_PAGES_UP_TO;
use super::{AwsError, AwsSource};
use crate::collection::Collection;
use crate::doc::Doc;

pub(crate) use super::memo::UserNames;

impl AwsSource {
    /// A user by UserName (`GetUserId`), or else by UserId (`DescribeUser`,
    /// asked only when the name found nobody): its UserId and UserName.
    pub(crate) async fn find_user(
        &self,
        wanted: &str,
    ) -> Result<Option<(String, String)>, AwsError> {
        let by_id = async {
            let d = self.directory().await?;
            let user = self
                .request("DescribeUser", || {
                    d.clients
                        .ids
                        .describe_user()
                        .identity_store_id(&d.store_id)
                        .user_id(wanted)
                        .send()
                })
                .await?;
            Ok(user.user_name().unwrap_or(wanted).to_owned())
        };
        let by_name = self.get_user_id("UserName", wanted);
        self.remembered(
            |a| &mut a.user,
            wanted.to_owned(),
            look_up(wanted, by_name, "UserId", by_id),
        )
        .await
    }

    /// A group by DisplayName (`GetGroupId`), or else by GroupId
    /// (`DescribeGroup`): its GroupId and DisplayName.
    pub(crate) async fn find_group(
        &self,
        wanted: &str,
    ) -> Result<Option<(String, String)>, AwsError> {
        let by_id = async {
            let d = self.directory().await?;
            let group = self
                .request("DescribeGroup", || {
                    d.clients
                        .ids
                        .describe_group()
                        .identity_store_id(&d.store_id)
                        .group_id(wanted)
                        .send()
                })
                .await?;
            Ok(group.display_name().unwrap_or(wanted).to_owned())
        };
        let by_name = self.get_group_id("DisplayName", wanted);
        self.remembered(
            |a| &mut a.group,
            wanted.to_owned(),
            look_up(wanted, by_name, "GroupId", by_id),
        )
        .await
    }

    /// A group's members as (UserId, MembershipId): one
    /// `ListGroupMemberships` listing.
    pub(crate) async fn members_of_group(
        &self,
        group_id: &str,
    ) -> Result<Vec<(String, String)>, AwsError> {
        self.remembered(
            |a| &mut a.members,
            group_id.to_owned(),
            self.list_members(group_id),
        )
        .await
    }

    async fn list_members(&self, group_id: &str) -> Result<Vec<(String, String)>, AwsError> {
        let d = self.directory().await?;
        let memberships = self.group_memberships(&d, group_id).await?;
        Ok(memberships
            .iter()
            .filter_map(|m| {
                let user = m["MemberId"]["UserId"].as_str()?;
                Some((user.to_owned(), m["MembershipId"].as_str()?.to_owned()))
            })
            .collect())
    }

    /// UserName and DisplayName of each user ID: from the `Users` listing,
    /// reading no more pages than there are users to name (and at most
    /// [`NAMING_PAGES_UP_TO`]; see [`list_within`](Self::list_within)),
    /// then one `DescribeUser` for each user those pages did not name,
    /// concurrently under the source's bound; remembered either way.
    pub(crate) async fn user_names(
        &self,
        user_ids: &[String],
    ) -> Result<HashMap<String, UserNames>, AwsError> {
        let names_of = |user: &Doc| {
            (
                user["UserName"].as_str().unwrap_or_default().to_owned(),
                user["DisplayName"].as_str().map(str::to_owned),
            )
        };
        let unknown = |this: &Self| -> Vec<String> {
            user_ids
                .iter()
                .filter(|id| this.memo.get(|a| &mut a.user_names, id.as_str()).is_none())
                .cloned()
                .collect()
        };
        let listing = self
            .list_within(
                Collection::Users,
                unknown(self).len().min(NAMING_PAGES_UP_TO),
            )
            .await?;
        for user in listing.items.as_array().unwrap_or_default() {
            if let Some(id) = user["UserId"].as_str() {
                self.memo
                    .put(|a| &mut a.user_names, id.to_owned(), names_of(user));
            }
        }
        let d = self.directory().await?;
        let described: Vec<Option<(String, UserNames)>> = stream::iter(unknown(self))
            .map(|user_id| {
                let (ids, store) = (d.clients.ids.clone(), d.store_id.clone());
                async move {
                    let out = self
                        .request("DescribeUser", || {
                            ids.describe_user()
                                .identity_store_id(&store)
                                .user_id(&user_id)
                                .send()
                        })
                        .await;
                    // A user deleted since it was named elsewhere has no name.
                    let out = match out {
                        Ok(out) => out,
                        Err(err) if is_not_found(&err) => return Ok(None),
                        Err(err) => return Err(err),
                    };
                    let names = (
                        out.user_name().unwrap_or_default().to_owned(),
                        out.display_name().map(str::to_owned),
                    );
                    Ok::<_, AwsError>(Some((user_id, names)))
                }
            })
            .buffered(self.concurrency)
            .try_collect()
            .await?;
        for (id, names) in described.into_iter().flatten() {
            self.memo.put(|a| &mut a.user_names, id, names);
        }
        Ok(user_ids
            .iter()
            .filter_map(|id| {
                let names = self.memo.get(|a| &mut a.user_names, id.as_str())?;
                Some((id.clone(), names))
            })
            .collect())
    }

    /// The assignments on one account, as `ListAccountAssignments` items:
    /// one `ListPermissionSetsProvisionedToAccount` listing, then one
    /// listing per permission set provisioned there.
    pub(crate) async fn assignments_on_account(
        &self,
        account_id: &str,
        only_set: Option<&str>,
    ) -> Result<Vec<Json>, AwsError> {
        let Some(set) = only_set else {
            return self
                .remembered(
                    |a| &mut a.assignments_on,
                    account_id.to_owned(),
                    self.list_assignments_on_account(account_id),
                )
                .await;
        };
        // One set named: its one listing (the account's other sets are not
        // asked), unless the account's whole answer is remembered.
        if let Some(every) = self.memo.get(|a| &mut a.assignments_on, account_id) {
            return Ok(every
                .into_iter()
                .filter(|a| a["PermissionSetArn"].as_str() == Some(set))
                .collect());
        }
        let pair = (account_id.to_owned(), set.to_owned());
        self.remembered(|a| &mut a.assignments_of_pair, pair, async {
            let d = self.directory().await?;
            let instance = d.instance_arn.clone().ok_or(AwsError::NoInstanceArn {
                operation: "ListAccountAssignments",
            })?;
            self.assignments_of_pair(&d, &instance, account_id, set)
                .await
        })
        .await
    }

    async fn list_assignments_on_account(&self, account_id: &str) -> Result<Vec<Json>, AwsError> {
        let d = self.directory().await?;
        let instance = d.instance_arn.clone().ok_or(AwsError::NoInstanceArn {
            operation: "ListAccountAssignments",
        })?;
        let sets = self.sets_provisioned_to(&d, &instance, account_id).await?;
        let per_set: Vec<Vec<Json>> = stream::iter(sets)
            .map(|set| {
                let (d, instance) = (&d, &instance);
                async move {
                    self.assignments_of_pair(d, instance, account_id, &set)
                        .await
                }
            })
            .buffered(self.concurrency)
            .try_collect()
            .await?;
        Ok(per_set.into_iter().flatten().collect())
    }

    /// DisplayName of each group ID: from the `Groups` listing, reading no
    /// more pages than there are groups to name (and at most
    /// [`NAMING_PAGES_UP_TO`]), then one `DescribeGroup` for each group those
    /// pages did not name; remembered either way.
    pub(crate) async fn group_names(
        &self,
        group_ids: &[String],
    ) -> Result<HashMap<String, String>, AwsError> {
        let unknown = group_ids
            .iter()
            .filter(|id| self.memo.get(|a| &mut a.group_name, id.as_str()).is_none())
            .count();
        let listing = self
            .list_within(Collection::Groups, unknown.min(NAMING_PAGES_UP_TO))
            .await?;
        for group in listing.items.as_array().unwrap_or_default() {
            if let Some(id) = group["GroupId"].as_str() {
                let name = group["DisplayName"].as_str().unwrap_or_default();
                self.memo
                    .put(|a| &mut a.group_name, id.to_owned(), name.to_owned());
            }
        }
        let d = self.directory().await?;
        let named: Vec<Option<(String, String)>> = stream::iter(group_ids.iter().cloned())
            .map(|group_id| {
                let (ids, store) = (d.clients.ids.clone(), d.store_id.clone());
                async move {
                    let name = self
                        .remembered(|a| &mut a.group_name, group_id.clone(), async {
                            let out = self
                                .request("DescribeGroup", || {
                                    ids.describe_group()
                                        .identity_store_id(&store)
                                        .group_id(&group_id)
                                        .send()
                                })
                                .await?;
                            Ok(out.display_name().unwrap_or_default().to_owned())
                        })
                        .await;
                    // A group deleted since it was assigned has no name.
                    match name {
                        Ok(name) => Ok::<_, AwsError>(Some((group_id, name))),
                        Err(err) if is_not_found(&err) => Ok(None),
                        Err(err) => Err(err),
                    }
                }
            })
            .buffered(self.concurrency)
            .try_collect()
            .await?;
        Ok(named.into_iter().flatten().collect())
    }

    /// The user's groups: GroupId, GroupName, MembershipId.
    pub(crate) async fn groups_of_user(&self, user_id: &str) -> Result<Vec<Json>, AwsError> {
        self.remembered(
            |a| &mut a.groups_of,
            user_id.to_owned(),
            self.ask_groups_of_user(user_id),
        )
        .await
    }

    async fn ask_groups_of_user(&self, user_id: &str) -> Result<Vec<Json>, AwsError> {
        let d = self.directory().await?;
        let memberships: Vec<(String, String)> = self
            .paginate("ListGroupMembershipsForMember", |token| {
                let (ids, store) = (d.clients.ids.clone(), d.store_id.clone());
                async move {
                    let out = ids
                        .list_group_memberships_for_member()
                        .identity_store_id(store)
                        .member_id(MemberId::UserId(user_id.to_owned()))
                        .max_results(100)
                        .set_next_token(token)
                        .send()
                        .await?;
                    let items = out
                        .group_memberships()
                        .iter()
                        .map(|m| {
                            (
                                m.group_id().unwrap_or_default().to_owned(),
                                m.membership_id().to_owned(),
                            )
                        })
                        .collect();
                    Ok((items, out.next_token().map(str::to_owned)))
                }
            })
            .await?;
        let group_ids: Vec<String> = memberships.iter().map(|(g, _)| g.clone()).collect();
        let names = self.group_names(&group_ids).await?;
        let mut rows: Vec<Json> = memberships
            .into_iter()
            .map(|(group_id, membership_id)| {
                let name = names.get(&group_id).cloned().unwrap_or_default();
                json!({"GroupName": name, "GroupId": group_id, "MembershipId": membership_id})
            })
            .collect();
        rows.sort_by_key(|r| r["GroupName"].as_str().unwrap_or_default().to_owned());
        Ok(rows)
    }

    /// The user's effective access, in the rows `insights::access` gives.
    pub(crate) async fn access_of_user(
        &self,
        user_id: &str,
        account_names: &HashMap<String, String>,
    ) -> Result<Vec<Json>, AwsError> {
        self.remembered(
            |a| &mut a.access_of,
            user_id.to_owned(),
            self.ask_access_of_user(user_id, account_names),
        )
        .await
    }

    async fn ask_access_of_user(
        &self,
        user_id: &str,
        account_names: &HashMap<String, String>,
    ) -> Result<Vec<Json>, AwsError> {
        let d = self.directory().await?;
        let instance = d.instance_arn.clone().ok_or(AwsError::NoInstanceArn {
            operation: "ListAccountAssignmentsForPrincipal",
        })?;
        let groups = self.groups_of_user(user_id).await?;
        let mut principals = vec![(user_id.to_owned(), PrincipalType::User, "direct".to_owned())];
        principals.extend(groups.iter().map(|g| {
            (
                g["GroupId"].as_str().unwrap_or_default().to_owned(),
                PrincipalType::Group,
                g["GroupName"].as_str().unwrap_or_default().to_owned(),
            )
        }));
        let found: Vec<Vec<(String, String, String)>> = stream::iter(principals)
            .map(|(id, kind, via)| {
                let (d, instance) = (&d, &instance);
                async move {
                    let pairs = self
                        .assignments_for_principal(d, instance, &id, kind)
                        .await?;
                    Ok::<_, AwsError>(
                        pairs
                            .into_iter()
                            .map(|(a, p)| (a, p, via.clone()))
                            .collect::<Vec<_>>(),
                    )
                }
            })
            .buffered(self.concurrency)
            .try_collect()
            .await?;
        let found: Vec<(String, String, String)> = found.into_iter().flatten().collect();
        let mut arns: Vec<String> = found.iter().map(|(_, p, _)| p.clone()).collect();
        arns.sort();
        arns.dedup();
        let set_names: HashMap<String, String> = stream::iter(arns)
            .map(|arn| {
                let (sso, instance) = (d.clients.sso.clone(), instance.clone());
                async move {
                    let out = self
                        .request("DescribePermissionSet", || {
                            sso.describe_permission_set()
                                .instance_arn(&instance)
                                .permission_set_arn(&arn)
                                .send()
                        })
                        .await?;
                    let name = out
                        .permission_set()
                        .and_then(|p| p.name())
                        .unwrap_or_default()
                        .to_owned();
                    Ok::<_, AwsError>((arn, name))
                }
            })
            .buffered(self.concurrency)
            .try_collect()
            .await?;
        Ok(found
            .into_iter()
            .map(|(account, arn, via)| {
                json!({
                    "AccountName": account_names.get(&account).cloned().unwrap_or_default(),
                    "PermissionSetName": set_names.get(&arn).cloned().unwrap_or_default(),
                    "Via": via,
                    "AccountId": account,
                    "PermissionSetArn": arn,
                })
            })
            .collect())
    }
}

/// `wanted` as a name (`by_name` answers with its ID in `id_field`), or
/// else, only if no name matched, as an ID (`by_id` answers with its
/// name): the (ID, name) found, or `None`.
async fn look_up(
    wanted: &str,
    by_name: impl std::future::Future<Output = Result<Json, AwsError>>,
    id_field: &str,
    by_id: impl std::future::Future<Output = Result<String, AwsError>>,
) -> Result<Option<(String, String)>, AwsError> {
    match by_name.await {
        Ok(found) => {
            return Ok(found[id_field]
                .as_str()
                .map(|id| (id.to_owned(), wanted.to_owned())));
        }
        Err(err) if not_found(&err) => {}
        Err(err) => return Err(err),
    }
    match by_id.await {
        Ok(name) => Ok(Some((wanted.to_owned(), name))),
        Err(err) if not_found(&err) => Ok(None),
        Err(err) => Err(err),
    }
}

/// AWS says the user or group is not there (deleted since it was named).
fn is_not_found(err: &AwsError) -> bool {
    matches!(err, AwsError::Service { code, .. } if code == "ResourceNotFoundException")
}

/// A lookup that found nothing: AWS says ResourceNotFound, or, for an ID
/// of the wrong shape, ValidationException.
fn not_found(err: &AwsError) -> bool {
    matches!(err, AwsError::Service { code, .. }
        if code == "ResourceNotFoundException" || code == "ValidationException")
}
