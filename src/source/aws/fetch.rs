//! Fetching each collection: every page, the per-item calls concurrently
//! under the source's bound, and the names SPEC section 2 adds.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use std::time::Duration;
use tokio::sync::OnceCell;

use aws_sdk_ssoadmin::types::PrincipalType;
use futures_util::{StreamExt, TryStreamExt, stream};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::Value as Json;

use aws_sdk_identitystore::operation::list_groups::ListGroupsError;
use aws_sdk_identitystore::operation::list_users::ListUsersError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;

use super::{AwsError, AwsSource, Directory};
use crate::collection::{self, Collection};
use crate::doc::Doc;
use crate::source::{Fetched, Held};

/// A collection this fetch asked for: empty until its listing completes,
/// shared by everything in the line that needs it.
type Slot = Arc<OnceCell<Arc<Doc>>>;

/// One line's fetch: the source, what the session holds, and each
/// collection fetched for the line, once however many needs share it
/// (returned too, so the session keeps them all).
pub(crate) struct Fetcher<'a> {
    source: &'a AwsSource,
    held: &'a Held,
    fetched: Mutex<Vec<(Collection, Slot)>>,
    progress: ProgressBar,
}

/// A count of finished steps out of a known total, on the progress line.
struct Steps {
    bar: ProgressBar,
    what: &'static str,
    unit: &'static str,
    total: usize,
    done: AtomicUsize,
}

impl Steps {
    fn show(&self, done: usize) {
        self.bar
            .set_message(format!("{} {done}/{} {}", self.what, self.total, self.unit));
    }

    /// `step`, counted as done when it succeeds.
    async fn after<T, E>(
        &self,
        step: impl std::future::Future<Output = Result<T, E>>,
    ) -> Result<T, E> {
        let result = step.await;
        if result.is_ok() {
            self.show(self.done.fetch_add(1, Ordering::Relaxed) + 1);
        }
        result
    }
}

/// Shows the progress line once a fetch has taken 300 ms, and clears it
/// however the fetch ends (done, failed, cancelled with Ctrl-C).
struct ProgressGuard {
    bar: ProgressBar,
    reveal: Option<tokio::task::JoinHandle<()>>,
}

impl ProgressGuard {
    fn start(bar: ProgressBar, show: bool) -> Self {
        let reveal = show.then(|| {
            let bar = bar.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(300)).await;
                bar.set_draw_target(ProgressDrawTarget::stderr());
                loop {
                    bar.tick();
                    tokio::time::sleep(Duration::from_millis(120)).await;
                }
            })
        });
        ProgressGuard { bar, reveal }
    }
}

impl Drop for ProgressGuard {
    fn drop(&mut self) {
        if let Some(reveal) = self.reveal.take() {
            reveal.abort();
        }
        self.bar.finish_and_clear();
    }
}

impl<'a> Fetcher<'a> {
    pub(crate) fn new(source: &'a AwsSource, held: &'a Held) -> Self {
        let progress = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        progress.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        Fetcher {
            source,
            held,
            fetched: Mutex::new(Vec::new()),
            progress,
        }
    }

    /// Fetches `names` concurrently, and anything they need on the way,
    /// each collection once.
    pub(crate) async fn collections(self, names: &[String]) -> Result<Fetched, AwsError> {
        let show = self
            .source
            .progress
            .load(std::sync::atomic::Ordering::Relaxed);
        let guard = ProgressGuard::start(self.progress.clone(), show);
        // Registered before any request, so a collection listed on the way
        // to another (bounded, for names) waits for the full listing instead.
        let wanted: Vec<Collection> = names
            .iter()
            .map(|name| {
                Collection::from_name(name).ok_or_else(|| AwsError::Other {
                    operation: "fetch",
                    detail: format!("no collection named {name}"),
                })
            })
            .collect::<Result<_, _>>()?;
        for collection in &wanted {
            self.cell(*collection);
        }
        futures_util::future::try_join_all(wanted.iter().map(|c| self.needed(*c))).await?;
        drop(guard);
        let cells = self.fetched.into_inner().unwrap_or_default();
        Ok(cells
            .into_iter()
            .filter_map(|(collection, cell)| {
                Some((collection.name().to_owned(), cell.get()?.clone()))
            })
            .collect())
    }

    /// `sets` with what each set grants, fetched concurrently under the
    /// source's bound (six calls a set, paced by the sso-admin quota).
    pub(crate) async fn permission_set_contents(self, sets: &Doc) -> Result<Doc, AwsError> {
        let show = self.source.progress.load(Ordering::Relaxed);
        let _guard = ProgressGuard::start(self.progress.clone(), show);
        let items: Vec<Json> = sets
            .as_array()
            .unwrap_or_default()
            .iter()
            .map(Doc::to_json)
            .collect();
        let steps = self.steps(Collection::PermissionSets, items.len(), "sets' policies");
        let steps = &steps;
        let source = self.source;
        let full: Vec<Json> = stream::iter(items)
            .map(|set| async move {
                let arn = set["PermissionSetArn"].as_str().unwrap_or_default();
                let contents = steps.after(source.permission_set_contents(arn)).await?;
                Ok::<_, AwsError>(collection::with_contents(&set, &contents))
            })
            .buffered(source.concurrency.max(1))
            .try_collect()
            .await?;
        Ok(Doc::from(Json::Array(full)))
    }

    /// The slot for `collection` in this fetch, made on first ask.
    fn cell(&self, collection: Collection) -> Slot {
        let mut fetched = self
            .fetched
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, cell)) = fetched.iter().find(|(c, _)| *c == collection) {
            return cell.clone();
        }
        let cell = Arc::new(OnceCell::new());
        fetched.push((collection, cell.clone()));
        cell
    }

    /// `collection` if this fetch has asked for it (done or under way).
    fn asked_for(&self, collection: Collection) -> Option<Slot> {
        let fetched = self
            .fetched
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        fetched
            .iter()
            .find(|(c, _)| *c == collection)
            .map(|(_, cell)| cell.clone())
    }

    async fn fetch_named(&self, collection: Collection) -> Result<Doc, AwsError> {
        self.progress.set_message(format!("fetching {collection}"));
        let items = match collection {
            Collection::Instances => {
                // Where an instance was found in sso_region, list there.
                let discovered = self
                    .source
                    .directory
                    .lock()
                    .await
                    .as_ref()
                    .map(|d| d.clients.sso.clone());
                let sso = discovered.unwrap_or_else(|| self.source.regional.sso.clone());
                self.instances(&sso).await
            }
            Collection::Users => self.users().await,
            Collection::Groups => self.groups().await,
            Collection::GroupMemberships => self.memberships().await,
            Collection::PermissionSets => self.permission_sets().await,
            Collection::Accounts => self.accounts().await,
            Collection::AccountAssignments => self.assignments().await,
            Collection::EffectiveAccess => return self.derived(collection).await,
            Collection::Applications => self.applications().await,
            Collection::ApplicationAssignments => self.application_assignments().await,
        }?;
        Ok(Doc::from(Json::Array(items)))
    }

    /// A collection computed from the ones it needs (held, or fetched now,
    /// concurrently), with no request of its own.
    async fn derived(&self, collection: Collection) -> Result<Doc, AwsError> {
        let inputs = futures_util::future::try_join_all(
            collection.needs().iter().map(|needed| self.needed(*needed)),
        )
        .await?;
        let inputs: Vec<&Doc> = inputs.iter().map(Arc::as_ref).collect();
        collection.derive(&inputs).ok_or(AwsError::Other {
            operation: "fetch",
            detail: format!("{collection} could not be built"),
        })
    }

    /// Progress through `total` known steps, shown as
    /// `AccountAssignments 212/400 pairs`.
    fn steps(&self, what: Collection, total: usize, unit: &'static str) -> Steps {
        let steps = Steps {
            bar: self.progress.clone(),
            what: what.name(),
            unit,
            total,
            done: AtomicUsize::new(0),
        };
        steps.show(0);
        steps
    }

    fn counted(&self, what: Collection, n: usize) {
        self.progress.inc(n as u64);
        self.progress
            .set_message(format!("{what}: {} so far", self.progress.position()));
    }

    /// A collection the session holds, or else fetched now (once for the
    /// whole line: a second need waits for the first fetch) and kept.
    async fn needed(&self, collection: Collection) -> Result<Arc<Doc>, AwsError> {
        if let Some(held) = self.held.get(collection.name()) {
            return Ok(held.clone());
        }
        let cell = self.cell(collection);
        cell.get_or_try_init(|| async {
            let value = Arc::new(Box::pin(self.fetch_named(collection)).await?);
            self.source.completed(collection, &value);
            Ok(value)
        })
        .await
        .cloned()
    }

    async fn users(&self) -> Result<Vec<Json>, AwsError> {
        let d = self.source.directory().await?;
        self.source
            .paginate("ListUsers", |token| async {
                let (items, next) = self.source.users_page(&d, token).await?;
                self.counted(Collection::Users, items.len());
                Ok((items, next))
            })
            .await
    }

    async fn groups(&self) -> Result<Vec<Json>, AwsError> {
        let d = self.source.directory().await?;
        self.source
            .paginate("ListGroups", |token| async {
                let (items, next) = self.source.groups_page(&d, token).await?;
                self.counted(Collection::Groups, items.len());
                Ok((items, next))
            })
            .await
    }

    /// Every group's memberships, with GroupName and UserName.
    /// The groups' memberships are listed while `Users` is (its names are
    /// only needed at the end), so under a quota the listing of users,
    /// one page after another, costs no time of its own.
    async fn memberships(&self) -> Result<Vec<Json>, AwsError> {
        let d = self.source.directory().await?;
        let groups = self.needed(Collection::Groups).await?;
        let group_names = names(&groups, "GroupId", "DisplayName");
        let group_ids: Vec<String> = ids_of(&groups, "GroupId");
        let steps = self.steps(Collection::GroupMemberships, group_ids.len(), "groups");
        let listing = stream::iter(group_ids)
            .map(|group_id| steps.after(self.memberships_of(&d, group_id)))
            .buffered(self.source.concurrency)
            .try_collect::<Vec<Vec<Json>>>();
        let users = async {
            let users = self.needed(Collection::Users).await?;
            // The listing's own count took the progress line meanwhile.
            steps.show(steps.done.load(Ordering::Relaxed));
            Ok(users)
        };
        let (users, per_group) = tokio::try_join!(users, listing)?;
        let user_names = names(&users, "UserId", "UserName");
        Ok(per_group
            .into_iter()
            .flatten()
            .map(|mut item| {
                let group = item["GroupId"]
                    .as_str()
                    .and_then(|g| group_names.get(g))
                    .cloned();
                let user = item["MemberId"]["UserId"]
                    .as_str()
                    .and_then(|u| user_names.get(u))
                    .cloned();
                if let Some(object) = item.as_object_mut() {
                    object.insert("GroupName".into(), group.map_or(Json::Null, Json::from));
                    object.insert("UserName".into(), user.map_or(Json::Null, Json::from));
                }
                item
            })
            .collect())
    }

    async fn memberships_of(&self, d: &Directory, group_id: String) -> Result<Vec<Json>, AwsError> {
        self.source.group_memberships(d, &group_id).await
    }

    async fn permission_sets(&self) -> Result<Vec<Json>, AwsError> {
        let d = self.source.directory().await?;
        let instance = d.instance_arn.clone().ok_or(AwsError::NoInstanceArn {
            operation: "ListPermissionSets",
        })?;
        let arns: Vec<String> = self
            .source
            .paginate("ListPermissionSets", |token| {
                let (sso, instance) = (d.clients.sso.clone(), instance.clone());
                async move {
                    let out = sso
                        .list_permission_sets()
                        .instance_arn(instance)
                        .max_results(100)
                        .set_next_token(token)
                        .send()
                        .await?;
                    Ok((
                        out.permission_sets().to_vec(),
                        out.next_token().map(str::to_owned),
                    ))
                }
            })
            .await?;
        stream::iter(arns)
            .map(|arn| {
                let (sso, instance) = (d.clients.sso.clone(), instance.clone());
                async move {
                    let out = self
                        .source
                        .request("DescribePermissionSet", || {
                            sso.describe_permission_set()
                                .instance_arn(&instance)
                                .permission_set_arn(&arn)
                                .send()
                        })
                        .await?;
                    self.counted(Collection::PermissionSets, 1);
                    Ok(out
                        .permission_set()
                        .map_or(Json::Null, collection::permission_set))
                }
            })
            .buffered(self.source.concurrency)
            .try_collect()
            .await
    }

    /// Organizations' accounts, or, where Organizations refuses (a
    /// delegated administrator, a role scoped to Identity Center), the
    /// accounts sso-admin has provisioned permission sets to, without names.
    async fn accounts(&self) -> Result<Vec<Json>, AwsError> {
        let refused = match self.organization_accounts().await {
            Err(AwsError::AccessDenied { message, .. }) => message,
            Err(AwsError::Service { code, message, .. })
                if code == "AWSOrganizationsNotInUseException" =>
            {
                message
            }
            other => return other,
        };
        let accounts = self.provisioned_accounts().await?;
        self.source.note(format!(
            "Organizations refused ListAccounts ({}); Accounts holds the {} accounts with a permission set provisioned, from sso-admin, without names or emails",
            refused.trim_end_matches('.'),
            accounts.len()
        ));
        Ok(accounts)
    }

    /// Every account a permission set is provisioned to, as `{Id}` items:
    /// one `ListAccountsForProvisionedPermissionSet` listing per set.
    async fn provisioned_accounts(&self) -> Result<Vec<Json>, AwsError> {
        let d = self.source.directory().await?;
        let instance = d.instance_arn.clone().ok_or(AwsError::NoInstanceArn {
            operation: "ListAccountsForProvisionedPermissionSet",
        })?;
        let permission_sets = self.needed(Collection::PermissionSets).await?;
        let per_set: Vec<Vec<String>> = stream::iter(ids_of(&permission_sets, "PermissionSetArn"))
            .map(|set| {
                let (sso, instance) = (d.clients.sso.clone(), instance.clone());
                self.source
                    .paginate("ListAccountsForProvisionedPermissionSet", move |token| {
                        let (sso, instance, set) = (sso.clone(), instance.clone(), set.clone());
                        async move {
                            let out = sso
                                .list_accounts_for_provisioned_permission_set()
                                .instance_arn(instance)
                                .permission_set_arn(set)
                                .max_results(100)
                                .set_next_token(token)
                                .send()
                                .await?;
                            Ok((
                                out.account_ids().to_vec(),
                                out.next_token().map(str::to_owned),
                            ))
                        }
                    })
            })
            .buffered(self.source.concurrency)
            .try_collect()
            .await?;
        let ids: std::collections::BTreeSet<String> = per_set.into_iter().flatten().collect();
        self.counted(Collection::Accounts, ids.len());
        Ok(ids
            .into_iter()
            .map(|id| serde_json::json!({"Id": id, "Name": null}))
            .collect())
    }

    async fn organization_accounts(&self) -> Result<Vec<Json>, AwsError> {
        let org = self.source.organizations.clone();
        self.source
            .paginate("ListAccounts", |token| {
                let org = org.clone();
                async move {
                    let out = org
                        .list_accounts()
                        .max_results(20)
                        .set_next_token(token)
                        .send()
                        .await?;
                    self.counted(Collection::Accounts, out.accounts().len());
                    Ok((
                        out.accounts().iter().map(collection::account).collect(),
                        out.next_token().map(str::to_owned),
                    ))
                }
            })
            .await
    }

    /// The instances, each with its encryption and ABAC attributes (two
    /// calls an instance; an organisation has one).
    async fn instances(&self, sso: &aws_sdk_ssoadmin::Client) -> Result<Vec<Json>, AwsError> {
        let listed = self.source.list_instances(sso).await?;
        stream::iter(listed)
            .map(|instance| async move {
                let arn = instance["InstanceArn"].as_str().unwrap_or_default();
                let facts = self.source.instance_facts(sso, arn).await?;
                Ok::<_, AwsError>(collection::instance_with_facts(&instance, &facts))
            })
            .buffered(self.source.concurrency.max(1))
            .try_collect()
            .await
    }

    /// `ListApplications`, every page.
    async fn applications(&self) -> Result<Vec<Json>, AwsError> {
        let d = self.source.directory().await?;
        let instance = d.instance_arn.clone().ok_or(AwsError::NoInstanceArn {
            operation: "ListApplications",
        })?;
        self.source
            .paginate("ListApplications", |token| {
                let (sso, instance) = (d.clients.sso.clone(), instance.clone());
                async move {
                    let out = sso
                        .list_applications()
                        .instance_arn(instance)
                        .max_results(100)
                        .set_next_token(token)
                        .send()
                        .await?;
                    Ok((
                        out.applications()
                            .iter()
                            .map(collection::application)
                            .collect(),
                        out.next_token().map(str::to_owned),
                    ))
                }
            })
            .await
    }

    /// `ListApplicationAssignments` of every application, concurrently,
    /// with ApplicationName and PrincipalName.
    async fn application_assignments(&self) -> Result<Vec<Json>, AwsError> {
        let d = self.source.directory().await?;
        let applications = self.needed(Collection::Applications).await?;
        let app_names = names(&applications, "ApplicationArn", "Name");
        let arns = ids_of(&applications, "ApplicationArn");
        let steps = self.steps(
            Collection::ApplicationAssignments,
            arns.len(),
            "applications",
        );
        let steps = &steps;
        let d = &d;
        let per_app: Vec<Vec<Json>> = stream::iter(arns)
            .map(|arn| async move {
                steps
                    .after(self.source.paginate("ListApplicationAssignments", |token| {
                        let (sso, arn) = (d.clients.sso.clone(), arn.clone());
                        async move {
                            let out = sso
                                .list_application_assignments()
                                .application_arn(arn)
                                .max_results(100)
                                .set_next_token(token)
                                .send()
                                .await?;
                            Ok((
                                out.application_assignments()
                                    .iter()
                                    .map(collection::application_assignment)
                                    .collect(),
                                out.next_token().map(str::to_owned),
                            ))
                        }
                    }))
                    .await
            })
            .buffered(self.source.concurrency.max(1))
            .try_collect()
            .await?;
        let assignments: Vec<Json> = per_app.into_iter().flatten().collect();
        let principals = self.principal_names(&assignments).await?;
        Ok(with_names(
            assignments,
            &[
                ("ApplicationArn", &app_names, "ApplicationName"),
                ("PrincipalId", &principals, "PrincipalName"),
            ],
        ))
    }

    /// Every account's assignments for every permission set provisioned to
    /// it, with AccountName, PermissionSetName and PrincipalName.
    async fn assignments(&self) -> Result<Vec<Json>, AwsError> {
        let d = self.source.directory().await?;
        let instance = d.instance_arn.clone().ok_or(AwsError::NoInstanceArn {
            operation: "ListAccountAssignments",
        })?;
        let (accounts, permission_sets) = tokio::try_join!(
            self.needed(Collection::Accounts),
            self.needed(Collection::PermissionSets)
        )?;
        let account_names = names(&accounts, "Id", "Name");
        let set_names = names(&permission_sets, "PermissionSetArn", "Name");

        let pairs_bound = accounts.count() * permission_sets.count();
        let assignments = match self.principals_within(pairs_bound).await? {
            Some((users, groups)) if users.count() + groups.count() < pairs_bound => {
                self.assignments_by_principal(&d, &instance, &accounts, &users, &groups)
                    .await?
            }
            _ => self.assignments_by_pair(&d, &instance, &accounts).await?,
        };
        let principals = self.principal_names(&assignments).await?;
        Ok(with_names(
            assignments,
            &[
                ("AccountId", &account_names, "AccountName"),
                ("PermissionSetArn", &set_names, "PermissionSetName"),
                ("PrincipalId", &principals, "PrincipalName"),
            ],
        ))
    }

    /// One `ListAccountAssignments` per (account, permission set provisioned
    /// to it): the way for directories with more principals than pairs.
    async fn assignments_by_pair(
        &self,
        d: &Directory,
        instance: &str,
        accounts: &Doc,
    ) -> Result<Vec<Json>, AwsError> {
        let provisioned: Vec<Vec<(String, String)>> = stream::iter(ids_of(accounts, "Id"))
            .map(|account| async move {
                let sets = self
                    .source
                    .sets_provisioned_to(d, instance, &account)
                    .await?;
                Ok::<_, AwsError>(sets.into_iter().map(|ps| (account.clone(), ps)).collect())
            })
            .buffered(self.source.concurrency)
            .try_collect()
            .await?;

        let pairs: Vec<(String, String)> = provisioned.into_iter().flatten().collect();
        let steps = self.steps(Collection::AccountAssignments, pairs.len(), "pairs");
        let steps = &steps;
        let per_pair: Vec<Vec<Json>> = stream::iter(pairs)
            .map(|(account, ps)| async move {
                steps
                    .after(self.source.assignments_of_pair(d, instance, &account, &ps))
                    .await
            })
            .buffered(self.source.concurrency)
            .try_collect()
            .await?;
        Ok(per_pair.into_iter().flatten().collect())
    }

    /// One `ListAccountAssignmentsForPrincipal` per user and group: far
    /// fewer calls when principals are fewer than (account, permission set)
    /// pairs. Only accounts of the organisation are kept, as the pair way does.
    async fn assignments_by_principal(
        &self,
        d: &Directory,
        instance: &str,
        accounts: &Doc,
        users: &Doc,
        groups: &Doc,
    ) -> Result<Vec<Json>, AwsError> {
        let account_order: HashMap<String, usize> = ids_of(accounts, "Id")
            .into_iter()
            .enumerate()
            .map(|(i, id)| (id, i))
            .collect();
        let principals: Vec<(String, PrincipalType)> = ids_of(users, "UserId")
            .into_iter()
            .map(|id| (id, PrincipalType::User))
            .chain(
                ids_of(groups, "GroupId")
                    .into_iter()
                    .map(|id| (id, PrincipalType::Group)),
            )
            .collect();
        let steps = self.steps(
            Collection::AccountAssignments,
            principals.len(),
            "principals",
        );
        let steps = &steps;
        let per_principal: Vec<Vec<Json>> = stream::iter(principals)
            .map(|(id, kind)| async move {
                let pairs = steps
                    .after(
                        self.source
                            .assignments_for_principal(d, instance, &id, kind.clone()),
                    )
                    .await?;
                Ok::<_, AwsError>(
                    pairs
                        .into_iter()
                        .map(|(account, set)| {
                            serde_json::json!({
                                "AccountId": account,
                                "PermissionSetArn": set,
                                "PrincipalType": kind.as_str(),
                                "PrincipalId": id,
                            })
                        })
                        .collect(),
                )
            })
            .buffered(self.source.concurrency)
            .try_collect()
            .await?;
        let mut assignments: Vec<Json> = per_principal
            .into_iter()
            .flatten()
            .filter(|a| {
                a["AccountId"]
                    .as_str()
                    .is_some_and(|id| account_order.contains_key(id))
            })
            .collect();
        // The order the pair way gives: by account, then permission set.
        assignments.sort_by_key(|a| {
            let field = |k: &str| a[k].as_str().unwrap_or_default().to_owned();
            (
                account_order.get(&field("AccountId")).copied(),
                field("PermissionSetArn"),
                field("PrincipalType"),
                field("PrincipalId"),
            )
        });
        Ok(assignments)
    }

    /// Users and Groups, if both are held or can be listed within `budget`
    /// calls' worth of pages (a page holds 100); what is listed completely
    /// is kept as a collection.
    async fn principals_within(
        &self,
        budget: usize,
    ) -> Result<Option<(Arc<Doc>, Arc<Doc>)>, AwsError> {
        let pages = (budget / 100).max(1);
        // Groups first: usually one page, and its names serve the
        // assignments even when Users turns out too big to list.
        let Some(groups) = self.held_or_bounded(Collection::Groups, pages).await? else {
            return Ok(None);
        };
        let Some(users) = self.held_or_bounded(Collection::Users, pages).await? else {
            return Ok(None);
        };
        Ok(Some((users, groups)))
    }

    /// `name` as held, as asked for elsewhere in this line (waiting for
    /// it), or listed here unless it takes more than `pages` pages.
    async fn held_or_bounded(
        &self,
        collection: Collection,
        pages: usize,
    ) -> Result<Option<Arc<Doc>>, AwsError> {
        if let Some(held) = self.held.get(collection.name()) {
            return Ok(Some(held.clone()));
        }
        if self.asked_for(collection).is_some() {
            return self.needed(collection).await.map(Some);
        }
        self.list_bounded(collection, pages).await
    }

    /// Lists Users or Groups unless it takes more than `pages` pages.
    async fn list_bounded(
        &self,
        collection: Collection,
        pages: usize,
    ) -> Result<Option<Arc<Doc>>, AwsError> {
        let listing = self.source.list_within(collection, pages).await?;
        if !listing.complete {
            return Ok(None);
        }
        let listed = listing.items;
        // Kept for the session (even if the line is cancelled); if a full
        // listing finished meanwhile, that one is kept and this is used once.
        let _ = self.cell(collection).set(listed.clone());
        Ok(Some(listed))
    }

    /// Names of the principals in `assignments`: from Users and Groups when
    /// held, otherwise as `AwsSource::user_names` and `group_names` find
    /// them (pages of the listing, then a Describe call each).
    async fn principal_names(
        &self,
        assignments: &[Json],
    ) -> Result<HashMap<String, String>, AwsError> {
        let mut known = HashMap::new();
        let collection = |c: Collection| {
            self.held
                .get(c.name())
                .cloned()
                .or_else(|| self.asked_for(c)?.get().cloned())
        };
        if let Some(users) = collection(Collection::Users) {
            known.extend(names(&users, "UserId", "UserName"));
        }
        if let Some(groups) = collection(Collection::Groups) {
            known.extend(names(&groups, "GroupId", "DisplayName"));
        }
        let (mut users, mut groups) = (Vec::new(), Vec::new());
        let mut seen = HashSet::new();
        for item in assignments {
            let (Some(id), Some(kind)) =
                (item["PrincipalId"].as_str(), item["PrincipalType"].as_str())
            else {
                continue;
            };
            if !known.contains_key(id) && seen.insert(id.to_owned()) {
                if kind == "GROUP" {
                    groups.push(id.to_owned());
                } else {
                    users.push(id.to_owned());
                }
            }
        }
        // By the fewer requests, as `.members` names users: the listing's
        // pages (going on from where a bounded listing stopped), then one
        // Describe call each for those they did not name.
        let (user_names, group_names) = tokio::try_join!(
            async {
                if users.is_empty() {
                    return Ok(HashMap::new());
                }
                self.source.user_names(&users).await
            },
            async {
                if groups.is_empty() {
                    return Ok(HashMap::new());
                }
                self.source.group_names(&groups).await
            }
        )?;
        known.extend(user_names.into_iter().map(|(id, (name, _))| (id, name)));
        known.extend(group_names);
        Ok(known)
    }
}

/// `items`, each with a name joined on per `(id field, names by ID, name
/// field)`: null where the ID names nothing.
fn with_names(items: Vec<Json>, joins: &[(&str, &HashMap<String, String>, &str)]) -> Vec<Json> {
    items
        .into_iter()
        .map(|mut item| {
            let found: Vec<Json> = joins
                .iter()
                .map(|(id, names, _)| {
                    item[*id]
                        .as_str()
                        .and_then(|id| names.get(id))
                        .map_or(Json::Null, |name| Json::from(name.as_str()))
                })
                .collect();
            if let Some(object) = item.as_object_mut() {
                for ((_, _, field), name) in joins.iter().zip(found) {
                    object.insert((*field).to_owned(), name);
                }
            }
            item
        })
        .collect()
}

/// `id field → name field` over a collection.
fn names(collection: &Doc, id: &str, name: &str) -> HashMap<String, String> {
    collection
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| {
            Some((
                item[id].as_str()?.to_owned(),
                item[name].as_str()?.to_owned(),
            ))
        })
        .collect()
}

fn ids_of(collection: &Doc, id: &str) -> Vec<String> {
    collection
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item[id].as_str().map(str::to_owned))
        .collect()
}

/// The most pages `list_within` reads to name principals: beyond it (a
/// directory of more than 5,000 users) the pages a failed try spends, in
/// sequence, cost more time than describing each principal concurrently.
pub(crate) const NAMING_PAGES_UP_TO: usize = 50;

/// What [`AwsSource::list_within`] read: every item, or the pages read
/// before the budget ran out.
pub(crate) struct Listing {
    pub items: Arc<Doc>,
    pub complete: bool,
}

impl AwsSource {
    /// `Users` or `Groups` listed, reading at most `pages` pages. A
    /// listing that ends is recorded as a completed collection and answers
    /// the next ask without a request; one that does not is remembered with
    /// where it stopped, so that a later ask for more pages goes on from
    /// there and one for no more is answered from it (its pages still name
    /// the principals on them).
    pub(crate) async fn list_within(
        &self,
        collection: Collection,
        pages: usize,
    ) -> Result<Listing, AwsError> {
        if let Some(items) = self.memo.get(|a| &mut a.listed, &collection) {
            return Ok(Listing {
                items,
                complete: true,
            });
        }
        let partial = self.memo.get(|a| &mut a.partial, &collection);
        let (read_before, mut items, token) = match partial {
            Some(partial) => (partial.pages, partial.items, Some(partial.next)),
            None => (0, Vec::new(), None),
        };
        if pages <= read_before {
            return Ok(Listing {
                items: Doc::shared(Json::Array(items)),
                complete: false,
            });
        }
        let d = self.directory().await?;
        let more = pages - read_before;
        let (mut read, next) = if collection == Collection::Users {
            self.paginate_from("ListUsers", token, more, |token| self.users_page(&d, token))
                .await?
        } else {
            self.paginate_from("ListGroups", token, more, |token| {
                self.groups_page(&d, token)
            })
            .await?
        };
        items.append(&mut read);
        let complete = next.is_none();
        if let Some(next) = next {
            self.memo.put(
                |a| &mut a.partial,
                collection,
                super::memo::Partial {
                    items: items.clone(),
                    pages,
                    next,
                },
            );
        }
        let items = Doc::shared(Json::Array(items));
        if complete {
            self.completed(collection, &items);
        }
        Ok(Listing { items, complete })
    }

    /// One page of `ListUsers`.
    pub(super) async fn users_page(
        &self,
        d: &Directory,
        token: Option<String>,
    ) -> Result<(Vec<Json>, Option<String>), SdkError<ListUsersError, HttpResponse>> {
        let out = d
            .clients
            .ids
            .list_users()
            .identity_store_id(&d.store_id)
            .max_results(100)
            .set_next_token(token)
            .send()
            .await?;
        Ok((
            out.users().iter().map(collection::user).collect(),
            out.next_token().map(str::to_owned),
        ))
    }

    /// One page of `ListGroups`.
    pub(super) async fn groups_page(
        &self,
        d: &Directory,
        token: Option<String>,
    ) -> Result<(Vec<Json>, Option<String>), SdkError<ListGroupsError, HttpResponse>> {
        let out = d
            .clients
            .ids
            .list_groups()
            .identity_store_id(&d.store_id)
            .max_results(100)
            .set_next_token(token)
            .send()
            .await?;
        Ok((
            out.groups().iter().map(collection::group).collect(),
            out.next_token().map(str::to_owned),
        ))
    }

    /// One group's memberships, as `ListGroupMemberships` items.
    pub(super) async fn group_memberships(
        &self,
        d: &Directory,
        group_id: &str,
    ) -> Result<Vec<Json>, AwsError> {
        self.paginate("ListGroupMemberships", |token| {
            let ids = d.clients.ids.clone();
            async move {
                let out = ids
                    .list_group_memberships()
                    .identity_store_id(&d.store_id)
                    .group_id(group_id)
                    .max_results(100)
                    .set_next_token(token)
                    .send()
                    .await?;
                Ok((
                    out.group_memberships()
                        .iter()
                        .map(collection::membership)
                        .collect(),
                    out.next_token().map(str::to_owned),
                ))
            }
        })
        .await
    }

    /// The permission sets provisioned to one account.
    pub(super) async fn sets_provisioned_to(
        &self,
        d: &Directory,
        instance: &str,
        account: &str,
    ) -> Result<Vec<String>, AwsError> {
        let listed = self
            .paginate("ListPermissionSetsProvisionedToAccount", |token| {
                let sso = d.clients.sso.clone();
                async move {
                    let out = sso
                        .list_permission_sets_provisioned_to_account()
                        .instance_arn(instance)
                        .account_id(account)
                        .max_results(100)
                        .set_next_token(token)
                        .send()
                        .await?;
                    Ok((
                        out.permission_sets().to_vec(),
                        out.next_token().map(str::to_owned),
                    ))
                }
            })
            .await?;
        // A set listed twice (moto lists a set once per time it was
        // provisioned) is asked about once: its assignments are not doubled.
        let mut seen = std::collections::HashSet::new();
        Ok(listed
            .into_iter()
            .filter(|set| seen.insert(set.clone()))
            .collect())
    }

    /// The assignments of one permission set on one account, as
    /// `ListAccountAssignments` items.
    pub(super) async fn assignments_of_pair(
        &self,
        d: &Directory,
        instance: &str,
        account: &str,
        set: &str,
    ) -> Result<Vec<Json>, AwsError> {
        self.paginate("ListAccountAssignments", |token| {
            let sso = d.clients.sso.clone();
            async move {
                let out = sso
                    .list_account_assignments()
                    .instance_arn(instance)
                    .account_id(account)
                    .permission_set_arn(set)
                    .max_results(100)
                    .set_next_token(token)
                    .send()
                    .await?;
                Ok((
                    out.account_assignments()
                        .iter()
                        .map(collection::assignment)
                        .collect(),
                    out.next_token().map(str::to_owned),
                ))
            }
        })
        .await
    }

    /// Every (AccountId, PermissionSetArn) assigned to one principal.
    pub(super) async fn assignments_for_principal(
        &self,
        d: &Directory,
        instance: &str,
        principal_id: &str,
        kind: aws_sdk_ssoadmin::types::PrincipalType,
    ) -> Result<Vec<(String, String)>, AwsError> {
        self.paginate("ListAccountAssignmentsForPrincipal", |token| {
            let (sso, kind) = (d.clients.sso.clone(), kind.clone());
            async move {
                let out = sso
                    .list_account_assignments_for_principal()
                    .instance_arn(instance)
                    .principal_id(principal_id)
                    .principal_type(kind)
                    .max_results(100)
                    .set_next_token(token)
                    .send()
                    .await?;
                let items = out
                    .account_assignments()
                    .iter()
                    .map(|a| {
                        (
                            a.account_id().unwrap_or_default().to_owned(),
                            a.permission_set_arn().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect();
                Ok((items, out.next_token().map(str::to_owned)))
            }
        })
        .await
    }

    /// `ListInstances`, every page.
    pub(super) async fn list_instances(
        &self,
        sso: &aws_sdk_ssoadmin::Client,
    ) -> Result<Vec<Json>, AwsError> {
        self.paginate("ListInstances", |token| {
            let sso = sso.clone();
            async move {
                let out = sso
                    .list_instances()
                    .max_results(100)
                    .set_next_token(token)
                    .send()
                    .await?;
                Ok((
                    out.instances().iter().map(collection::instance).collect(),
                    out.next_token().map(str::to_owned),
                ))
            }
        })
        .await
    }
}
