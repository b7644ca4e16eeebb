//! What changed between two states of a directory (`.diff`): effective
//! access gained and lost, memberships added and removed, users and groups
//! recreated under the same name with a new ID, accounts added and
//! removed. Everything is keyed by names, as a reviewer reads it, so a
//! recreated principal's access is kept, and the recreation is named.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value as Json, json};

use crate::doc::Doc;
use crate::insights::items;

/// One side of a comparison: the collections a diff reads.
pub(crate) struct Side<'d> {
    pub users: &'d Doc,
    pub groups: &'d Doc,
    pub memberships: &'d Doc,
    pub accounts: &'d Doc,
    pub access: &'d Doc,
}

/// Access rows by (user, account ID, permission set name).
fn access_rows<'d>(side: &Side<'d>) -> BTreeMap<(String, String, String), &'d Doc> {
    items(side.access)
        .iter()
        .map(|row| {
            let key = (
                row.text("UserName").to_owned(),
                row.text("AccountId").to_owned(),
                row.text("PermissionSetName").to_owned(),
            );
            (key, row)
        })
        .collect()
}

/// The access row as a diff shows it: who, where, what, and how.
fn access_entry(row: &Doc) -> Json {
    json!({
        "UserName": row.text("UserName"),
        "AccountId": row.text("AccountId"),
        "AccountName": row.text("AccountName"),
        "PermissionSetName": row.text("PermissionSetName"),
        "Via": row.get("Via").map_or(Json::Null, Doc::to_json),
    })
}

fn memberships(side: &Side<'_>) -> BTreeSet<(String, String)> {
    let user_names: BTreeMap<&str, &str> = items(side.users)
        .iter()
        .map(|u| (u.text("UserId"), u.text("UserName")))
        .collect();
    let group_names: BTreeMap<&str, &str> = items(side.groups)
        .iter()
        .map(|g| (g.text("GroupId"), g.text("DisplayName")))
        .collect();
    items(side.memberships)
        .iter()
        .map(|m| {
            let user_id = m.get("MemberId").map_or("", |id| id.text("UserId"));
            let group = match m.text("GroupName") {
                "" => group_names
                    .get(m.text("GroupId"))
                    .copied()
                    .unwrap_or_default(),
                name => name,
            };
            let user = match m.text("UserName") {
                "" => user_names.get(user_id).copied().unwrap_or(user_id),
                name => name,
            };
            (group.to_owned(), user.to_owned())
        })
        .collect()
}

/// (name, ID) of each item.
fn named_ids<'d>(doc: &'d Doc, name: &str, id: &str) -> BTreeMap<&'d str, &'d str> {
    items(doc)
        .iter()
        .map(|item| (item.text(name), item.text(id)))
        .collect()
}

/// Principals whose name stayed and whose ID changed.
fn recreated(kind: &str, old: &BTreeMap<&str, &str>, new: &BTreeMap<&str, &str>) -> Vec<Json> {
    old.iter()
        .filter_map(|(name, old_id)| {
            let new_id = new.get(name)?;
            (new_id != old_id)
                .then(|| json!({"Type": kind, "Name": name, "OldId": old_id, "NewId": new_id}))
        })
        .collect()
}

/// What changed from `old` to `new`, and a count of each kind of change.
pub(crate) fn diff(old: &Side<'_>, new: &Side<'_>) -> Json {
    let (before, after) = (access_rows(old), access_rows(new));
    let gained: Vec<Json> = after
        .iter()
        .filter(|(key, _)| !before.contains_key(*key))
        .map(|(_, row)| access_entry(row))
        .collect();
    let lost: Vec<Json> = before
        .iter()
        .filter(|(key, _)| !after.contains_key(*key))
        .map(|(_, row)| access_entry(row))
        .collect();
    let (was, is) = (memberships(old), memberships(new));
    let membership = |pair: &(String, String)| json!({"GroupName": pair.0, "UserName": pair.1});
    let added: Vec<Json> = is.difference(&was).map(membership).collect();
    let removed: Vec<Json> = was.difference(&is).map(membership).collect();
    let mut recreations = recreated(
        "USER",
        &named_ids(old.users, "UserName", "UserId"),
        &named_ids(new.users, "UserName", "UserId"),
    );
    recreations.extend(recreated(
        "GROUP",
        &named_ids(old.groups, "DisplayName", "GroupId"),
        &named_ids(new.groups, "DisplayName", "GroupId"),
    ));
    let (accounts_before, accounts_after) = (
        named_ids(old.accounts, "Id", "Name"),
        named_ids(new.accounts, "Id", "Name"),
    );
    let account = |(id, name): (&&str, &&str)| json!({"Id": id, "Name": name});
    let accounts_added: Vec<Json> = accounts_after
        .iter()
        .filter(|(id, _)| !accounts_before.contains_key(*id))
        .map(account)
        .collect();
    let accounts_removed: Vec<Json> = accounts_before
        .iter()
        .filter(|(id, _)| !accounts_after.contains_key(*id))
        .map(account)
        .collect();
    json!({
        "Summary": {
            "Gained": gained.len(),
            "Lost": lost.len(),
            "MembershipsAdded": added.len(),
            "MembershipsRemoved": removed.len(),
            "Recreated": recreations.len(),
            "AccountsAdded": accounts_added.len(),
            "AccountsRemoved": accounts_removed.len(),
        },
        "Gained": gained,
        "Lost": lost,
        "MembershipsAdded": added,
        "MembershipsRemoved": removed,
        "Recreated": recreations,
        "AccountsAdded": accounts_added,
        "AccountsRemoved": accounts_removed,
    })
}

/// Whether a diff found any change.
pub(crate) fn differs(diff: &Json) -> bool {
    diff["Summary"]
        .as_object()
        .is_some_and(|counts| counts.values().any(|n| n.as_u64() != Some(0)))
}
