//! Questions about the directory (members, groups of a user, effective
//! access, who can reach an account, lookups by attribute, a permission
//! set's details) and snapshots of it. Answers come from the collections,
//! or on the live source from calls about one user when the whole
//! directory is not held.

use std::collections::HashMap;
use std::path::PathBuf;

use clap::Args;
use serde_json::{Value as Json, json};

use super::context::Context;
use super::principals::{asks_aws, check_cached_name, principal, targeted_user, text};
use crate::collection::Collection;
use crate::doc::Doc;
use crate::error::Error;
use crate::insights;
use crate::outcome::{Outcome, data};

/// A group, by `DisplayName` or `GroupId`.
#[derive(Debug, Args)]
pub struct GroupArgs {
    /// DisplayName or GroupId (the rest of the line: quotes optional)
    #[arg(value_hint = clap::ValueHint::Other)]
    pub group: String,
}

/// A user, by `UserName` or `UserId`.
#[derive(Debug, Args)]
pub struct UserArgs {
    /// UserName, DisplayName or UserId (the rest of the line: quotes optional)
    #[arg(value_hint = clap::ValueHint::Other)]
    pub user: String,
}

/// `.who-can ACCOUNT [PERMISSION_SET]`; quotes optional, so the words
/// are split where an account's name ends (`Log Archive ReadOnly`).
#[derive(Debug, Args)]
pub struct AccountArgs {
    /// Account Name or Id
    pub account: String,
    /// Permission set Name or ARN
    #[arg(num_args = 0.., value_name = "PERMISSION_SET")]
    pub permission_set: Vec<String>,
}

/// The account and permission set `.who-can` was given.
struct WhoCanTarget {
    account: String,
    permission_set: Option<String>,
}

/// Splits `.who-can`'s words where the longest account name that the
/// words start with ends; the rest names the permission set. One word, or
/// none that names an account, is taken as typed.
fn who_can_target(cx: &mut Context<'_>, args: AccountArgs) -> Result<WhoCanTarget, Error> {
    let joined = |words: &[String]| (!words.is_empty()).then(|| words.join(" "));
    let words: Vec<String> = std::iter::once(args.account)
        .chain(args.permission_set)
        .collect();
    let as_typed = |words: &[String]| WhoCanTarget {
        account: words[0].clone(),
        permission_set: joined(&words[1..]),
    };
    if words.len() == 1 {
        return Ok(as_typed(&words));
    }
    let [accounts] = cx.collections([Collection::Accounts])?;
    for end in (1..=words.len()).rev() {
        let account = words[..end].join(" ");
        if insights::resolve(&accounts, &insights::ACCOUNT, &account).is_ok() {
            return Ok(WhoCanTarget {
                account,
                permission_set: joined(&words[end..]),
            });
        }
    }
    Ok(as_typed(&words))
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
    /// Name or ARN (the rest of the line: quotes optional)
    #[arg(value_hint = clap::ValueHint::Other)]
    pub permission_set: String,
}

/// `.snapshot FILE [--all]`.
#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// The JSON file to write (`~/` is your home folder)
    pub file: PathBuf,
    /// Fetch every collection first, with what each permission set grants
    /// (six calls a set on a live directory)
    #[arg(long)]
    pub all: bool,
    /// Replace FILE if it exists, without asking
    #[arg(long)]
    pub force: bool,
}

/// The version of the snapshot format: 2 names the caller and leaves out
/// collections computed from the others; those without one still load.
const SNAPSHOT_FORMAT: u32 = 2;

/// `.members GROUP`.
pub(super) fn members(cx: &mut Context<'_>, args: GroupArgs) -> Result<Outcome, Error> {
    check_cached_name(cx, &insights::GROUP, &args.group)?;
    if asks_aws(
        cx,
        &[
            Collection::Groups,
            Collection::GroupMemberships,
            Collection::Users,
        ],
    ) {
        return targeted_members(cx, &args.group);
    }
    let [groups, memberships, users] = cx.collections([
        Collection::Groups,
        Collection::GroupMemberships,
        Collection::Users,
    ])?;
    let group = insights::resolve(&groups, &insights::GROUP, &args.group)?;
    Ok(data(insights::members(group, &memberships, &users)))
}

/// `.members GROUP` on the live source without the whole directory held:
/// the group by `GetGroupId`, its `ListGroupMemberships`, and the members'
/// names as [`user_names`] finds them.
fn targeted_members(cx: &mut Context<'_>, group: &str) -> Result<Outcome, Error> {
    let group = principal(cx, &insights::GROUP, group)?;
    let aws = cx.live()?;
    let memberships = cx.runtime.run(aws.members_of_group(&group.id))?;
    let ids: Vec<String> = memberships.iter().map(|(user, _)| user.clone()).collect();
    let names = user_names(cx, &ids)?;
    let mut rows: Vec<Json> = memberships
        .into_iter()
        .map(|(user_id, membership_id)| {
            let (name, display) = names.get(&user_id).cloned().unwrap_or_default();
            json!({
                "UserName": name,
                "DisplayName": display,
                "UserId": user_id,
                "MembershipId": membership_id,
            })
        })
        .collect();
    rows.sort_by_key(|r| r["UserName"].as_str().unwrap_or_default().to_owned());
    Ok(data(Json::Array(rows)))
}

/// `.groups-of USER`.
pub(super) fn groups_of(cx: &mut Context<'_>, args: UserArgs) -> Result<Outcome, Error> {
    check_cached_name(cx, &insights::USER, &args.user)?;
    if let Some(user_id) = targeted_user(
        cx,
        &args.user,
        &[Collection::Users, Collection::GroupMemberships],
    )? {
        let aws = cx.live()?;
        return Ok(data(Json::Array(
            cx.runtime.run(aws.groups_of_user(&user_id))?,
        )));
    }
    let [users, memberships] = cx.collections([Collection::Users, Collection::GroupMemberships])?;
    let user = insights::resolve(&users, &insights::USER, &args.user)?;
    Ok(data(insights::groups_of(user, &memberships)))
}

/// `.access USER`.
pub(super) fn access(cx: &mut Context<'_>, args: UserArgs) -> Result<Outcome, Error> {
    check_cached_name(cx, &insights::USER, &args.user)?;
    let all = [
        Collection::Users,
        Collection::GroupMemberships,
        Collection::AccountAssignments,
    ];
    if let Some(user_id) = targeted_user(cx, &args.user, &all)? {
        let [accounts] = cx.collections([Collection::Accounts])?;
        let names: HashMap<String, String> = accounts
            .as_array()
            .unwrap_or_default()
            .iter()
            .map(|a| (text(a, "Id"), text(a, "Name")))
            .collect();
        let aws = cx.live()?;
        let mut rows = cx.runtime.run(aws.access_of_user(&user_id, &names))?;
        insights::sort_rows(&mut rows, &["AccountName", "PermissionSetName", "Via"]);
        return Ok(data(Json::Array(rows)));
    }
    let [users, memberships, assignments] = cx.collections(all)?;
    let user = insights::resolve(&users, &insights::USER, &args.user)?;
    Ok(data(insights::access(user, &memberships, &assignments)))
}

/// `.who-can ACCOUNT [PERMISSION_SET]`.
pub(super) fn who_can(cx: &mut Context<'_>, args: AccountArgs) -> Result<Outcome, Error> {
    let args = who_can_target(cx, args)?;
    check_cached_name(cx, &insights::ACCOUNT, &args.account)?;
    if let Some(set) = &args.permission_set {
        check_cached_name(cx, &insights::PERMISSION_SET, set)?;
    }
    if asks_aws(
        cx,
        &[
            Collection::Users,
            Collection::GroupMemberships,
            Collection::AccountAssignments,
        ],
    ) {
        return targeted_who_can(cx, &args);
    }
    let [accounts, users, memberships, assignments] = cx.collections([
        Collection::Accounts,
        Collection::Users,
        Collection::GroupMemberships,
        Collection::AccountAssignments,
    ])?;
    let account = account_named(cx, &accounts, &args.account)?;
    let sets = match &args.permission_set {
        Some(_) => Some(cx.collections([Collection::PermissionSets])?),
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
fn targeted_who_can(cx: &mut Context<'_>, args: &WhoCanTarget) -> Result<Outcome, Error> {
    let [accounts, sets] = cx.collections([Collection::Accounts, Collection::PermissionSets])?;
    let account = account_named(cx, &accounts, &args.account)?;
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
    let aws = cx.live()?;
    let assignments: Vec<Json> = cx
        .runtime
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
    let listed = cx.runtime.run(futures_util::future::try_join_all(
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
    let group_names = cx.runtime.run(aws.group_names(&group_ids))?;
    let mut user_ids: Vec<String> = assignments
        .iter()
        .filter_map(|a| principal(a, "USER"))
        .chain(members.values().flatten().cloned())
        .collect();
    user_ids.sort();
    user_ids.dedup();
    let names = user_names(cx, &user_ids)?;
    let row = |user_id: &str, set: &str, via: String| {
        let (name, display) = names.get(user_id).cloned().unwrap_or_default();
        json!({
            "UserName": name,
            "DisplayName": display,
            "PermissionSetName": set_names.get(set).cloned().unwrap_or_default(),
            "Via": via,
            "UserId": user_id,
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
    cx: &mut Context<'_>,
    accounts: &'d Doc,
    wanted: &str,
) -> Result<&'d Doc, Error> {
    let err = match insights::resolve(accounts, &insights::ACCOUNT, wanted) {
        Ok(account) => return Ok(account),
        Err(err) => err,
    };
    let sets_at_hand = cx
        .session
        .held()
        .contains_key(Collection::PermissionSets.name())
        || cx.live.client.is_none();
    if sets_at_hand
        && cx
            .session
            .collection_names()
            .iter()
            .any(|c| c == Collection::PermissionSets.name())
    {
        let [sets] = cx.collections([Collection::PermissionSets])?;
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
    cx: &mut Context<'_>,
    user_ids: &[String],
) -> Result<HashMap<String, (String, Option<String>)>, Error> {
    cx.session.note_use(Collection::Users.name());
    if let Some(users) = cx.session.held().get(Collection::Users.name()) {
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
            && cx.session.is_from_disk(Collection::Users.name())
            && let Some(aws) = cx.live.client.clone()
        {
            names.extend(cx.runtime.run(aws.user_names(&missing))?);
        }
        return Ok(names);
    }
    let aws = cx.live()?;
    cx.runtime.run(aws.user_names(user_ids))
}

/// `.get-group-id` / `.get-user-id`: the live source asks AWS; offline
/// sources search the collection.
pub(super) fn unique_id(
    cx: &mut Context<'_>,
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
    if let Some(aws) = cx.live.client.clone() {
        let found = if groups {
            cx.runtime.run(aws.get_group_id(attribute, value))
        } else {
            cx.runtime.run(aws.get_user_id(attribute, value))
        };
        return found.map(data);
    }
    let [items] = cx.collections([if groups {
        Collection::Groups
    } else {
        Collection::Users
    }])?;
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

/// `.describe-permission-set PS`: one set with what it grants, from the
/// same data on every source.
pub(super) fn describe_permission_set(
    cx: &mut Context<'_>,
    args: PermissionSetArgs,
) -> Result<Outcome, Error> {
    check_cached_name(cx, &insights::PERMISSION_SET, &args.permission_set)?;
    let [sets] = cx.collections([Collection::PermissionSets])?;
    // The name is checked before six calls a set are spent on contents.
    insights::resolve(&sets, &insights::PERMISSION_SET, &args.permission_set)?;
    let sets = cx.permission_sets_with_contents()?;
    let set = insights::resolve(&sets, &insights::PERMISSION_SET, &args.permission_set)?;
    Ok(data(set.to_json()))
}

/// `.snapshot FILE [--all]`: `~/` is the home folder; a missing folder is
/// an error, not created.
pub(super) fn snapshot(cx: &mut Context<'_>, args: SnapshotArgs) -> Result<Outcome, Error> {
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
        let refusal = || {
            Error::Usage(format!(
                "{} exists; pass --force to replace it (the snapshot was not written)",
                file.display()
            ))
        };
        if !args.force && !cx.confirmed(&format!("replace {}?", file.display()), refusal)? {
            return Ok(Outcome::Note("nothing was written".into()));
        }
    }
    if args.all {
        let names = cx.session.collection_names();
        cx.session.ensure(&names)?;
        cx.session.ensure_permission_set_contents()?;
    }
    let count = write_snapshot(cx, &file)?;
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

/// Writes the held collections, with where and when they came from, as
/// one JSON document; atomically (a crash leaves the old file or none)
/// and readable only by the owner.
fn write_snapshot(cx: &mut Context<'_>, path: &std::path::Path) -> Result<usize, Error> {
    let (store, instance) = cx.store_and_instance()?;
    let time = aws_smithy_types::DateTime::from(std::time::SystemTime::now());
    let caller = cx.caller();
    let meta = Doc::from(json!({
        "Format": SNAPSHOT_FORMAT,
        "Caller": caller,
        "Source": cx.session.source_label(),
        "IdentityStoreId": store,
        "InstanceArn": instance,
        "Time": crate::collection::timestamp(&time),
    }));
    let held = cx.session.held();
    let mut entries: Vec<(&str, &Doc)> = vec![("Snapshot", &meta)];
    entries.extend(
        held.iter()
            .filter(|(name, _)| *name != "Snapshot")
            // What is computed from the others is computed again on reading.
            .filter(|(name, _)| Collection::from_name(name).is_none_or(|c| c.quota().is_some()))
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

/// `.inspect [COLLECTION]`: alone, the collections with the items held of
/// each (null: not fetched yet); with a name, that collection's fields,
/// fetched if need be. A permission set's contents are listed as fetched
/// only when named, until they are held.
pub(super) fn inspect(cx: &mut Context<'_>, collection: Option<String>) -> Result<Outcome, Error> {
    let known = cx.session.collection_names();
    let Some(name) = collection else {
        let held = cx.session.held();
        let rows = known
            .iter()
            .map(|name| {
                json!({
                    "Collection": name,
                    "Items": held.get(name).map(|h| h.value.count()),
                })
            })
            .collect();
        return Ok(data(Json::Array(rows)));
    };
    let Some(name) = known
        .iter()
        .find(|k| k.eq_ignore_ascii_case(&name))
        .cloned()
    else {
        let hint = crate::suggest::closest(&name, known.iter().map(String::as_str))
            .map(|s| format!("did you mean {s}? "))
            .unwrap_or_default();
        return Err(Error::Usage(format!(
            "no collection named {name}; {hint}(.inspect alone lists them)"
        )));
    };
    cx.session.ensure(std::slice::from_ref(&name))?;
    let items = cx
        .session
        .held()
        .get(&name)
        .map(|h| h.value.clone())
        .unwrap_or_default();
    let mut rows = crate::inspect::fields(&items);
    if Collection::from_name(&name) == Some(Collection::PermissionSets)
        && !crate::collection::has_contents(&items)
        && let Json::Array(rows) = &mut rows
    {
        for field in crate::collection::CONTENT_FIELDS {
            rows.push(json!({
                "Field": field,
                "Type": null,
                "Filled": null,
                "FillRate": null,
                "Example": "(fetched when an expression names it)",
            }));
        }
    }
    Ok(data(rows))
}
