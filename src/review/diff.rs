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
    /// The permission sets, with what each grants where that was fetched;
    /// `None`: not known on this side (a snapshot without them).
    pub permission_sets: Option<&'d Doc>,
}

/// The fields of a permission set a diff compares besides its contents.
const SET_SETTINGS: [&str; 3] = ["Description", "SessionDuration", "RelayState"];

/// Permission sets by name.
fn sets_by_name(sets: &Doc) -> BTreeMap<&str, &Doc> {
    items(sets).iter().map(|s| (s.text("Name"), s)).collect()
}

/// Sets added, removed, and changed (settings, and the policies where both
/// sides hold them), and a note when the policies could not be compared.
fn permission_set_changes(
    old: &Side<'_>,
    new: &Side<'_>,
) -> (Vec<Json>, Vec<Json>, Vec<Json>, Option<String>) {
    let (Some(old_sets), Some(new_sets)) = (old.permission_sets, new.permission_sets) else {
        return (
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Some("permission sets were not compared: one side does not hold them (write snapshots with .snapshot --all)".into()),
        );
    };
    let contents =
        crate::collection::has_contents(old_sets) && crate::collection::has_contents(new_sets);
    let note = (!contents).then(|| {
        "permission set policies were not compared: one side does not hold them (write snapshots with .snapshot --all)".to_owned()
    });
    let mut fields: Vec<&str> = SET_SETTINGS.to_vec();
    if contents {
        fields.extend(crate::collection::POLICY_FIELDS);
    }
    let (before, after) = (sets_by_name(old_sets), sets_by_name(new_sets));
    let added = after
        .keys()
        .filter(|name| !before.contains_key(*name))
        .map(|name| json!({"Name": name}))
        .collect();
    let removed = before
        .keys()
        .filter(|name| !after.contains_key(*name))
        .map(|name| json!({"Name": name}))
        .collect();
    let field = |set: &Doc, f: &str| set.get(f).map_or(Json::Null, Doc::to_json);
    let changed = before
        .iter()
        .filter_map(|(name, was)| {
            let is = after.get(name)?;
            let differing: Vec<&str> = fields
                .iter()
                .copied()
                .filter(|f| field(was, f) != field(is, f))
                .collect();
            if differing.is_empty() {
                return None;
            }
            let side = |set: &Doc| {
                Json::Object(
                    differing
                        .iter()
                        .map(|f| ((*f).to_owned(), field(set, f)))
                        .collect(),
                )
            };
            Some(json!({
                "Name": name,
                "Fields": differing,
                "Before": side(was),
                "After": side(is),
            }))
        })
        .collect();
    (added, removed, changed, note)
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

/// What changed from `old` to `new`, with a count of each kind of change,
/// and notes on what could not be compared.
pub(crate) fn diff(old: &Side<'_>, new: &Side<'_>) -> (Json, Vec<String>) {
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
    let (sets_added, sets_removed, sets_changed, note) = permission_set_changes(old, new);
    let changes = json!({
        "Summary": {
            "Gained": gained.len(),
            "Lost": lost.len(),
            "MembershipsAdded": added.len(),
            "MembershipsRemoved": removed.len(),
            "Recreated": recreations.len(),
            "PermissionSetsChanged": sets_changed.len(),
            "PermissionSetsAdded": sets_added.len(),
            "PermissionSetsRemoved": sets_removed.len(),
            "AccountsAdded": accounts_added.len(),
            "AccountsRemoved": accounts_removed.len(),
        },
        "Gained": gained,
        "Lost": lost,
        "MembershipsAdded": added,
        "MembershipsRemoved": removed,
        "Recreated": recreations,
        "PermissionSetsChanged": sets_changed,
        "PermissionSetsAdded": sets_added,
        "PermissionSetsRemoved": sets_removed,
        "AccountsAdded": accounts_added,
        "AccountsRemoved": accounts_removed,
    });
    (changes, note.into_iter().collect())
}

/// A diff as a short table: one row per kind of change, with its count
/// and the first few changes in words.
pub(crate) fn summary(diff: &Json) -> Json {
    const SHOWN: usize = 3;
    let describe = |kind: &str, item: &Json| -> String {
        let text = |key: &str| item[key].as_str().unwrap_or_default().to_owned();
        match kind {
            "Gained" | "Lost" => {
                let via = match &item["Via"] {
                    Json::Array(routes) => routes
                        .iter()
                        .filter_map(Json::as_str)
                        .collect::<Vec<_>>()
                        .join(", "),
                    other => other.as_str().unwrap_or_default().to_owned(),
                };
                format!(
                    "{} → {} / {} ({via})",
                    text("UserName"),
                    text("AccountName"),
                    text("PermissionSetName")
                )
            }
            "MembershipsAdded" | "MembershipsRemoved" => {
                format!("{} in {}", text("UserName"), text("GroupName"))
            }
            "Recreated" => format!(
                "{} {}",
                item["Type"].as_str().unwrap_or_default().to_lowercase(),
                text("Name")
            ),
            "PermissionSetsChanged" => {
                let fields: Vec<&str> = item["Fields"]
                    .as_array()
                    .map(|f| f.iter().filter_map(Json::as_str).collect())
                    .unwrap_or_default();
                format!("{} ({})", text("Name"), fields.join(", "))
            }
            "AccountsAdded" | "AccountsRemoved" => format!("{} {}", text("Name"), text("Id")),
            _ => text("Name"),
        }
    };
    let rows: Vec<Json> = diff["Summary"]
        .as_object()
        .map(|counts| {
            counts
                .iter()
                .map(|(kind, count)| {
                    let listed = diff[kind.as_str()]
                        .as_array()
                        .map(Vec::as_slice)
                        .unwrap_or_default();
                    let mut first: Vec<String> = listed
                        .iter()
                        .take(SHOWN)
                        .map(|i| describe(kind, i))
                        .collect();
                    if listed.len() > SHOWN {
                        first.push(format!("and {} more", listed.len() - SHOWN));
                    }
                    json!({"Change": kind, "Count": count, "First": first.join("; ")})
                })
                .collect()
        })
        .unwrap_or_default();
    Json::Array(rows)
}

/// Whether a diff found any change.
pub(crate) fn differs(diff: &Json) -> bool {
    diff["Summary"]
        .as_object()
        .is_some_and(|counts| counts.values().any(|n| n.as_u64() != Some(0)))
}
