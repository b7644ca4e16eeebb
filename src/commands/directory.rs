//! Questions about the directory (members, groups of a user, effective
//! access, who can reach an account, lookups by attribute, a permission
//! set's details) and snapshots of it. Answers come from the collections,
//! or on the live source from calls about one user when the whole
//! directory is not held.

use std::collections::HashMap;
use std::path::PathBuf;

use clap::Args;
use serde_json::{Value as Json, json};

use crate::doc::Doc;
use crate::error::Error;
use crate::exec::{Outcome, Runner, data};
use crate::insights;

/// A group, by `DisplayName` or `GroupId`.
#[derive(Debug, Args)]
pub struct GroupArgs {
    /// DisplayName or GroupId
    pub group: String,
}

/// A user, by `UserName` or `UserId`.
#[derive(Debug, Args)]
pub struct UserArgs {
    /// UserName or UserId
    pub user: String,
}

/// `.who-can ACCOUNT [PERMISSION_SET]`.
#[derive(Debug, Args)]
pub struct AccountArgs {
    /// Account Name or Id
    pub account: String,
    /// Permission set Name or ARN
    pub permission_set: Option<String>,
}

/// `ATTRIBUTE=VALUE`, spaces allowed in the value.
#[derive(Debug, Args)]
pub struct LookupArgs {
    /// ATTRIBUTE=VALUE, e.g. DisplayName=Admins, UserName=alice or Emails.Value=alice@example.com
    #[arg(required = true, num_args = 1.., value_name = "ATTRIBUTE=VALUE")]
    pub attribute: Vec<String>,
}

/// A permission set, by `Name` or ARN.
#[derive(Debug, Args)]
pub struct PermissionSetArgs {
    /// Name or ARN
    pub permission_set: String,
}

/// `.snapshot FILE [--all]`.
#[derive(Debug, Args)]
pub struct SnapshotArgs {
    pub file: PathBuf,
    /// Fetch every collection first
    #[arg(long)]
    pub all: bool,
    /// Replace FILE if it exists, without asking
    #[arg(long)]
    pub force: bool,
}

/// `.members GROUP`.
pub(super) fn members(runner: &mut Runner, args: GroupArgs) -> Result<Outcome, Error> {
    check_cached_name(runner, &insights::GROUP, &args.group)?;
    if asks_aws(runner, &["Groups", "GroupMemberships", "Users"]) {
        return targeted_members(runner, &args.group);
    }
    let [groups, memberships, users] =
        runner.collections(["Groups", "GroupMemberships", "Users"])?;
    let group = insights::resolve(&groups, &insights::GROUP, &args.group)?;
    Ok(data(insights::members(group, &memberships, &users)))
}

/// `.members GROUP` on the live source without the whole directory held:
/// the group by `GetGroupId`, its `ListGroupMemberships`, and the members'
/// names as [`user_names`] finds them.
fn targeted_members(runner: &mut Runner, group: &str) -> Result<Outcome, Error> {
    let group = principal(runner, &insights::GROUP, group)?;
    let aws = runner.live()?;
    let memberships = runner.session.run(aws.members_of_group(&group.id))?;
    let ids: Vec<String> = memberships.iter().map(|(user, _)| user.clone()).collect();
    let names = user_names(runner, &ids)?;
    let mut rows: Vec<Json> = memberships
        .into_iter()
        .map(|(user_id, membership_id)| {
            let (name, display) = names.get(&user_id).cloned().unwrap_or_default();
            json!({
                "UserId": user_id,
                "UserName": name,
                "DisplayName": display,
                "MembershipId": membership_id,
            })
        })
        .collect();
    rows.sort_by_key(|r| r["UserName"].as_str().unwrap_or_default().to_owned());
    Ok(data(Json::Array(rows)))
}

/// `.groups-of USER`.
pub(super) fn groups_of(runner: &mut Runner, args: UserArgs) -> Result<Outcome, Error> {
    check_cached_name(runner, &insights::USER, &args.user)?;
    if let Some(user_id) = targeted_user(runner, &args.user, &["Users", "GroupMemberships"])? {
        let aws = runner.live()?;
        return Ok(data(Json::Array(
            runner.session.run(aws.groups_of_user(&user_id))?,
        )));
    }
    let [users, memberships] = runner.collections(["Users", "GroupMemberships"])?;
    let user = insights::resolve(&users, &insights::USER, &args.user)?;
    Ok(data(insights::groups_of(user, &memberships)))
}

/// `.access USER`.
pub(super) fn access(runner: &mut Runner, args: UserArgs) -> Result<Outcome, Error> {
    check_cached_name(runner, &insights::USER, &args.user)?;
    let all = ["Users", "GroupMemberships", "AccountAssignments"];
    if let Some(user_id) = targeted_user(runner, &args.user, &all)? {
        let [accounts] = runner.collections(["Accounts"])?;
        let names: HashMap<String, String> = accounts
            .as_array()
            .unwrap_or_default()
            .iter()
            .map(|a| (text(a, "Id"), text(a, "Name")))
            .collect();
        let aws = runner.live()?;
        let mut rows = runner.session.run(aws.access_of_user(&user_id, &names))?;
        insights::sort_rows(&mut rows, &["AccountName", "PermissionSetName", "Via"]);
        return Ok(data(Json::Array(rows)));
    }
    let [users, memberships, assignments] = runner.collections(all)?;
    let user = insights::resolve(&users, &insights::USER, &args.user)?;
    Ok(data(insights::access(user, &memberships, &assignments)))
}

/// `.who-can ACCOUNT [PERMISSION_SET]`.
pub(super) fn who_can(runner: &mut Runner, args: AccountArgs) -> Result<Outcome, Error> {
    check_cached_name(runner, &insights::ACCOUNT, &args.account)?;
    if let Some(set) = &args.permission_set {
        check_cached_name(runner, &insights::PERMISSION_SET, set)?;
    }
    if asks_aws(runner, &["Users", "GroupMemberships", "AccountAssignments"]) {
        return targeted_who_can(runner, &args);
    }
    let [accounts, users, memberships, assignments] = runner.collections([
        "Accounts",
        "Users",
        "GroupMemberships",
        "AccountAssignments",
    ])?;
    let account = account_named(runner, &accounts, &args.account)?;
    let sets = match &args.permission_set {
        Some(_) => Some(runner.collections(["PermissionSets"])?),
        None => None,
    };
    let set = match (&sets, &args.permission_set) {
        (Some([sets]), Some(name)) => {
            Some(insights::resolve(sets, &insights::PERMISSION_SET, name)?)
        }
        _ => None,
    };
    Ok(data(insights::who_can(
        account,
        set,
        &memberships,
        &users,
        &assignments,
    )))
}

/// `.who-can` on the live source without the whole directory held: the
/// account's assignments (`ListPermissionSetsProvisionedToAccount`, then
/// `ListAccountAssignments` per set), each assigned group's members, and
/// names as `.members` finds them; the same rows as from the collections.
fn targeted_who_can(runner: &mut Runner, args: &AccountArgs) -> Result<Outcome, Error> {
    let [accounts, sets] = runner.collections(["Accounts", "PermissionSets"])?;
    let account = account_named(runner, &accounts, &args.account)?;
    let account_id = text(account, "Id");
    let wanted_set = match &args.permission_set {
        Some(name) => Some(text(
            insights::resolve(&sets, &insights::PERMISSION_SET, name)?,
            "PermissionSetArn",
        )),
        None => None,
    };
    let set_names: HashMap<String, String> = sets
        .as_array()
        .unwrap_or_default()
        .iter()
        .map(|s| (text(s, "PermissionSetArn"), text(s, "Name")))
        .collect();
    let aws = runner.live()?;
    let assignments: Vec<Json> = runner
        .session
        .run(aws.assignments_on_account(&account_id, wanted_set.as_deref()))?
        .into_iter()
        .filter(|a| {
            wanted_set
                .as_ref()
                .is_none_or(|arn| a["PermissionSetArn"].as_str() == Some(arn.as_str()))
        })
        .collect();
    let principal = |a: &Json, kind: &str| {
        (a["PrincipalType"].as_str() == Some(kind))
            .then(|| a["PrincipalId"].as_str().unwrap_or_default().to_owned())
    };
    let mut group_ids: Vec<String> = assignments
        .iter()
        .filter_map(|a| principal(a, "GROUP"))
        .collect();
    group_ids.sort();
    group_ids.dedup();
    let listed = runner.session.run(futures_util::future::try_join_all(
        group_ids
            .iter()
            .map(|group_id| aws.members_of_group(group_id)),
    ))?;
    let members: HashMap<String, Vec<String>> = group_ids
        .iter()
        .cloned()
        .zip(
            listed
                .into_iter()
                .map(|m| m.into_iter().map(|(user, _)| user).collect()),
        )
        .collect();
    let group_names = runner.session.run(aws.group_names(&group_ids))?;
    let mut user_ids: Vec<String> = assignments
        .iter()
        .filter_map(|a| principal(a, "USER"))
        .chain(members.values().flatten().cloned())
        .collect();
    user_ids.sort();
    user_ids.dedup();
    let names = user_names(runner, &user_ids)?;
    let row = |user_id: &str, set: &str, via: String| {
        let (name, display) = names.get(user_id).cloned().unwrap_or_default();
        json!({
            "UserName": name,
            "UserId": user_id,
            "DisplayName": display,
            "PermissionSetName": set_names.get(set).cloned().unwrap_or_default(),
            "Via": via,
        })
    };
    let mut rows = Vec::new();
    for a in &assignments {
        let set = a["PermissionSetArn"].as_str().unwrap_or_default();
        if let Some(user_id) = principal(a, "USER") {
            rows.push(row(&user_id, set, "direct".into()));
        } else if let Some(group_id) = principal(a, "GROUP") {
            let via = group_names.get(&group_id).cloned().unwrap_or_default();
            for user_id in members.get(&group_id).into_iter().flatten() {
                rows.push(row(user_id, set, via.clone()));
            }
        }
    }
    insights::sort_rows(&mut rows, &["UserName", "PermissionSetName", "Via"]);
    Ok(data(Json::Array(rows)))
}

/// The account `wanted` names in `accounts`. When none does and a
/// permission set by that name is at hand (held, or an offline source),
/// the error says so and how to ask: `.who-can AdministratorAccess`
/// means `.who-can ACCOUNT AdministratorAccess`.
fn account_named<'d>(
    runner: &mut Runner,
    accounts: &'d Doc,
    wanted: &str,
) -> Result<&'d Doc, Error> {
    let err = match insights::resolve(accounts, &insights::ACCOUNT, wanted) {
        Ok(account) => return Ok(account),
        Err(err) => err,
    };
    let sets_at_hand = runner.session.held().contains_key("PermissionSets")
        || runner.session.source().as_aws().is_none();
    if sets_at_hand
        && runner
            .session
            .collection_names()
            .iter()
            .any(|c| c == "PermissionSets")
    {
        let [sets] = runner.collections(["PermissionSets"])?;
        if let Ok(set) = insights::resolve(&sets, &insights::PERMISSION_SET, wanted) {
            return Err(Error::Usage(format!(
                "{err}; {} is a permission set: name the account first, .who-can ACCOUNT {}",
                text(set, "Name"),
                shell_words::quote(&text(set, "Name"))
            )));
        }
    }
    Err(err.into())
}

/// UserName and DisplayName of `user_ids`: from `Users` when held,
/// otherwise by the fewer requests of listing every user (kept as `Users`)
/// and describing each (`AwsSource::user_names`).
fn user_names(
    runner: &mut Runner,
    user_ids: &[String],
) -> Result<HashMap<String, (String, Option<String>)>, Error> {
    runner.session.note_use("Users");
    if let Some(users) = runner.session.held().get("Users") {
        let mut names: HashMap<String, (String, Option<String>)> = users
            .value
            .as_array()
            .unwrap_or_default()
            .iter()
            .map(|u| {
                let display = u["DisplayName"].as_str().map(str::to_owned);
                (text(u, "UserId"), (text(u, "UserName"), display))
            })
            .collect();
        // Users read from disk may predate the members just listed: the
        // names it lacks are asked for, not left empty.
        let missing: Vec<String> = user_ids
            .iter()
            .filter(|id| !names.contains_key(*id))
            .cloned()
            .collect();
        if !missing.is_empty()
            && runner.session.is_from_disk("Users")
            && let Some(aws) = runner.session.source().as_aws()
        {
            names.extend(runner.session.run(aws.user_names(&missing))?);
        }
        return Ok(names);
    }
    let aws = runner.live()?;
    runner.session.run(aws.user_names(user_ids))
}

/// `.get-group-id` / `.get-user-id`: the live source asks AWS; offline
/// sources search the collection.
pub(super) fn unique_id(
    runner: &mut Runner,
    args: LookupArgs,
    kind: &insights::Kind,
) -> Result<Outcome, Error> {
    let assignment = args.attribute.join(" ");
    let Some((attribute, value)) = assignment.split_once('=') else {
        return Err(Error::Usage(format!(
            "expected ATTRIBUTE=VALUE, got {assignment}"
        )));
    };
    let (attribute, value) = (attribute.trim(), value.trim());
    let groups = kind.id_field == "GroupId";
    if let Some(aws) = runner.session.source().as_aws() {
        let found = if groups {
            runner.session.run(aws.get_group_id(attribute, value))
        } else {
            runner.session.run(aws.get_user_id(attribute, value))
        };
        return found.map(data);
    }
    let [items] = runner.collections([if groups { "Groups" } else { "Users" }])?;
    let found = items
        .as_array()
        .unwrap_or_default()
        .iter()
        .find(|item| insights::has_attribute(item, attribute, value))
        .ok_or_else(|| Error::Usage(format!("no {} with {attribute} = {value}", kind.what)))?;
    Ok(data(json!({
        kind.id_field: found[kind.id_field].as_str(),
        "IdentityStoreId": found["IdentityStoreId"].as_str(),
    })))
}

/// `.describe-permission-set PS`.
pub(super) fn describe_permission_set(
    runner: &mut Runner,
    args: PermissionSetArgs,
) -> Result<Outcome, Error> {
    check_cached_name(runner, &insights::PERMISSION_SET, &args.permission_set)?;
    let [sets] = runner.collections(["PermissionSets"])?;
    let set = insights::resolve(&sets, &insights::PERMISSION_SET, &args.permission_set)?.to_json();
    match runner.session.source().as_aws() {
        Some(aws) => {
            let arn = set["PermissionSetArn"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            Ok(data(runner.session.run(aws.describe_permission_set(&arn))?))
        }
        None => Ok(data(set)),
    }
}

/// `.snapshot FILE [--all]`: `~/` is the home folder; a missing folder is
/// an error, not created.
pub(super) fn snapshot(runner: &mut Runner, args: SnapshotArgs) -> Result<Outcome, Error> {
    let file = crate::files::expand_home(&args.file);
    if let Some(folder) = file.parent().filter(|p| !p.as_os_str().is_empty())
        && !folder.is_dir()
    {
        return Err(Error::Usage(format!(
            "no folder {}; create it first (the snapshot was not written)",
            folder.display()
        )));
    }
    // An existing file is replaced only when --force or --yes says so, or
    // the person at the terminal agrees; it keeps its permissions.
    let existing = std::fs::metadata(&file).ok();
    if let Some(metadata) = &existing {
        if metadata.is_dir() {
            return Err(Error::Usage(format!(
                "{} is a folder; name a file",
                file.display()
            )));
        }
        if !args.force && !runner.settings.yes {
            let Some(confirm) = runner.confirm.as_mut() else {
                return Err(Error::Usage(format!(
                    "{} exists; pass --force to replace it (the snapshot was not written)",
                    file.display()
                )));
            };
            if !confirm.confirm(&format!("replace {}?", file.display()))? {
                return Ok(Outcome::Note("nothing was written".into()));
            }
        }
    }
    if args.all {
        let names = runner.session.collection_names();
        runner.session.ensure(&names)?;
    }
    let count = write_snapshot(runner, &file)?;
    if let Some(metadata) = existing {
        std::fs::set_permissions(&file, metadata.permissions()).map_err(|e| {
            Error::io(
                format!("cannot keep the permissions of {}", file.display()),
                e,
            )
        })?;
    }
    Ok(Outcome::Note(format!(
        "wrote {count} collection{} to {}",
        if count == 1 { "" } else { "s" },
        file.display()
    )))
}

/// The user's ID for asking AWS about that user alone, on the live source
/// when `collections` are not all held; `None` means answer from them.
fn targeted_user(
    runner: &mut Runner,
    user: &str,
    collections: &[&str],
) -> Result<Option<String>, Error> {
    if !asks_aws(runner, collections) {
        return Ok(None);
    }
    principal(runner, &insights::USER, user).map(|p| Some(p.id))
}

/// Whether a command asks AWS about the one user, group or account named
/// (the live source, without all of `collections` held) rather than
/// answering from the collections.
fn asks_aws(runner: &Runner, collections: &[&str]) -> bool {
    runner.session.source().as_aws().is_some()
        && !collections
            .iter()
            .all(|c| runner.session.held().contains_key(*c))
}

/// A miss is never an answer from the cache: when `wanted` is not in
/// `kind`'s collection as read from the disk cache, AWS is asked about it
/// (`GetUserId`/`DescribeUser`, `GetGroupId`/`DescribeGroup`, or the
/// collection listed again for accounts and permission sets); when it
/// exists, every collection read from disk is dropped as out of date, so
/// the answer comes from AWS. A name AWS does not know either leaves the
/// cache as it is, and the caller says "no ... named".
fn check_cached_name(
    runner: &mut Runner,
    kind: &insights::Kind,
    wanted: &str,
) -> Result<(), Error> {
    if !runner.session.is_from_disk(kind.collection) {
        return Ok(());
    }
    let [items] = runner.collections([kind.collection])?;
    if insights::resolve(&items, kind, wanted).is_ok() {
        return Ok(());
    }
    let Some(aws) = runner.session.source().as_aws() else {
        return Ok(());
    };
    let exists = if kind.collection == insights::USER.collection {
        runner.session.run(aws.find_user(wanted))?.is_some()
    } else if kind.collection == insights::GROUP.collection {
        runner.session.run(aws.find_group(wanted))?.is_some()
    } else {
        runner.session.forget(&[kind.collection.to_owned()])?;
        let [items] = runner.collections([kind.collection])?;
        insights::resolve(&items, kind, wanted).is_ok()
    };
    if exists {
        runner.session.drop_disk_copies(format!(
            "{} {wanted} is in AWS but not in the cached {}",
            kind.what, kind.collection
        ));
    }
    Ok(())
}

/// A user or group named on a command line.
pub(super) struct Principal {
    pub id: String,
    pub name: String,
}

/// Resolves a user or group by name or ID. From its collection when that
/// is held or the source is offline; on the live source otherwise with
/// `GetUserId`/`GetGroupId` (and `DescribeUser`/`DescribeGroup` for an
/// ID), two lookups instead of listing everyone; only when they find
/// nobody is the collection listed, for a "did you mean".
pub(super) fn principal(
    runner: &mut Runner,
    kind: &insights::Kind,
    wanted: &str,
) -> Result<Principal, Error> {
    check_cached_name(runner, kind, wanted)?;
    if asks_aws(runner, &[kind.collection])
        && let Some(aws) = runner.session.source().as_aws()
    {
        let found = if kind.collection == insights::USER.collection {
            runner.session.run(aws.find_user(wanted))?
        } else {
            runner.session.run(aws.find_group(wanted))?
        };
        if let Some((id, name)) = found {
            return Ok(Principal { id, name });
        }
    }
    let [items] = runner.collections([kind.collection])?;
    let item = insights::resolve(&items, kind, wanted)?;
    Ok(Principal {
        id: text(item, kind.id_field),
        name: text(item, kind.name_field),
    })
}

/// Writes the held collections, with where and when they came from, as
/// one JSON document; atomically (a crash leaves the old file or none)
/// and readable only by the owner.
fn write_snapshot(runner: &mut Runner, path: &std::path::Path) -> Result<usize, Error> {
    let (store, instance) = runner.store_and_instance()?;
    let time = aws_smithy_types::DateTime::from(std::time::SystemTime::now());
    let meta = Doc::from(json!({
        "Source": runner.session.source_label(),
        "IdentityStoreId": store,
        "InstanceArn": instance,
        "Time": crate::source::model::timestamp(&time),
    }));
    let held = runner.session.held();
    let mut entries: Vec<(&str, &Doc)> = vec![("Snapshot", &meta)];
    entries.extend(
        held.iter()
            .filter(|(name, _)| *name != "Snapshot")
            .map(|(name, h)| (name.as_str(), h.value.as_ref())),
    );
    let count = entries.len() - 1;
    let document = SnapshotDocument(entries);
    crate::files::write_private(path, |out| {
        serde_json::to_writer(&mut *out, &document).map_err(std::io::Error::other)?;
        out.write_all(b"\n")
    })
    .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
    Ok(count)
}

/// The snapshot's top level: name → collection, in order.
struct SnapshotDocument<'a>(Vec<(&'a str, &'a Doc)>);

impl serde::Serialize for SnapshotDocument<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// A string field of an item, or "".
pub(super) fn text(doc: &Doc, key: &str) -> String {
    doc[key].as_str().unwrap_or_default().to_owned()
}
