//! Answers no single AWS call gives: a group's members, a user's groups,
//! a user's effective access and who can reach an account, computed from
//! the held collections, so they work the same on live, demo and snapshot
//! data. Names resolve as users type them: a group by DisplayName or
//! GroupId, a user by UserName or UserId, an account by Name or Id, a
//! permission set by Name or ARN.

use serde_json::{Value as Json, json};

use crate::doc::Doc;

/// Why a name did not resolve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("no {what} named {name}{}", suggestion.as_ref().map(|s| format!("; did you mean {s}?")).unwrap_or_default())]
    Unknown {
        what: &'static str,
        name: String,
        suggestion: Option<String>,
    },
    #[error("{name} names {} {what}s: {}; use the ID", candidates.len(), candidates.join(", "))]
    Ambiguous {
        what: &'static str,
        name: String,
        candidates: Vec<String>,
    },
}

pub(crate) use crate::collection::Identity as Kind;
pub(crate) use crate::collection::{ACCOUNT, GROUP, PERMISSION_SET, USER};

/// Finds the one item `wanted` names: by ID or exact name, then by name
/// ignoring case, then by the other names it answers to (a user's
/// `DisplayName`) the same way; otherwise says what is closest (by
/// spelling, else the names that start with or contain it) or what is
/// ambiguous.
pub(crate) fn resolve<'d>(items: &'d Doc, kind: &Kind, wanted: &str) -> Result<&'d Doc, NameError> {
    let items = items.as_array().unwrap_or_default();
    let field = |item: &'d Doc, key: &str| item[key].as_str().unwrap_or_default();
    if let Some(by_id) = items.iter().find(|i| field(i, kind.id_field) == wanted) {
        return Ok(by_id);
    }
    let lower = wanted.to_lowercase();
    let by = |key: &str| -> Vec<&'d Doc> {
        let exact: Vec<&Doc> = items.iter().filter(|i| field(i, key) == wanted).collect();
        if exact.is_empty() {
            items
                .iter()
                .filter(|i| field(i, key).to_lowercase() == lower)
                .collect()
        } else {
            exact
        }
    };
    let matches = std::iter::once(kind.name_field)
        .chain(kind.also_by.iter().copied())
        .map(by)
        .find(|found| !found.is_empty())
        .unwrap_or_default();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(NameError::Unknown {
            what: kind.what,
            name: wanted.to_owned(),
            suggestion: suggestion(
                items.iter().flat_map(|i| {
                    std::iter::once(kind.name_field)
                        .chain(kind.also_by.iter().copied())
                        .map(move |key| field(i, key))
                }),
                wanted,
            ),
        }),
        many => Err(NameError::Ambiguous {
            what: kind.what,
            name: wanted.to_owned(),
            candidates: many
                .iter()
                .map(|i| field(i, kind.id_field).to_owned())
                .collect(),
        }),
    }
}

/// The name closest to `wanted` by spelling; else the names that start
/// with it (or its stem) or contain it, ignoring case (`Admins` →
/// `Administrators, Billing Admins or Database Admins`; `Tier` →
/// `Support Tier 1 or Support Tier 2`), listed when they are few.
fn suggestion<'n>(names: impl Iterator<Item = &'n str> + Clone, wanted: &str) -> Option<String> {
    const LISTED: usize = 4;
    if let Some(close) = crate::suggest::closest(wanted, names.clone()) {
        return Some(close.to_owned());
    }
    let lower = wanted.to_lowercase();
    if lower.chars().count() < 2 {
        return None;
    }
    let named = |test: &dyn Fn(&str) -> bool| -> Vec<&'n str> {
        let mut found: Vec<&str> = names
            .clone()
            .filter(|name| !name.is_empty() && test(&name.to_lowercase()))
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    };
    // `Admins` is close to `Administrators` by its stem.
    let stem = lower
        .strip_suffix('s')
        .filter(|stem| stem.chars().count() >= 3)
        .unwrap_or(&lower);
    let found = named(&|name| name.starts_with(stem) || name.contains(&lower));
    match found.as_slice() {
        [] => None,
        few if few.len() <= LISTED => {
            let (last, rest) = few.split_last()?;
            Some(if rest.is_empty() {
                (*last).to_owned()
            } else {
                format!("{} or {last}", rest.join(", "))
            })
        }
        many => Some(format!(
            "one of {} and {} more",
            many[..LISTED].join(", "),
            many.len() - LISTED
        )),
    }
}

/// True when `attribute` (a dotted path such as `Name.GivenName` or
/// `Emails.Value`; arrays match on any element) equals `value`.
pub(crate) fn has_attribute(item: &Doc, attribute: &str, value: &str) -> bool {
    fn walk(doc: &Doc, path: &[&str], value: &str) -> bool {
        match (doc, path.split_first()) {
            (Doc::Array(items), _) => items.iter().any(|i| walk(i, path, value)),
            (_, None) => doc.as_str() == Some(value),
            (_, Some((first, rest))) => {
                doc.get(first).is_some_and(|inner| walk(inner, rest, value))
            }
        }
    }
    let path: Vec<&str> = attribute.split('.').collect();
    walk(item, &path, value)
}

fn text(doc: &Doc, key: &str) -> String {
    doc[key].as_str().unwrap_or_default().to_owned()
}

/// The elements of an array, or none.
pub(crate) fn items(doc: &Doc) -> &[Doc] {
    doc.as_array().unwrap_or_default()
}

/// `.members GROUP`: UserName, DisplayName, UserId, MembershipId (names
/// first, IDs last, as every command that lists principals).
pub(crate) fn members(group: &Doc, memberships: &Doc, users: &Doc) -> Json {
    let group_id = text(group, "GroupId");
    let mut rows: Vec<Json> = items(memberships)
        .iter()
        .filter(|m| text(m, "GroupId") == group_id)
        .map(|m| {
            let user_id = text(&m["MemberId"], "UserId");
            let user = items(users).iter().find(|u| text(u, "UserId") == user_id);
            json!({
                "UserName": user.map(|u| text(u, "UserName")).unwrap_or_else(|| text(m, "UserName")),
                "DisplayName": user.map(|u| text(u, "DisplayName")),
                "UserId": user_id,
                "MembershipId": text(m, "MembershipId"),
            })
        })
        .collect();
    rows.sort_by_key(|r| r["UserName"].as_str().unwrap_or_default().to_owned());
    Json::Array(rows)
}

/// `.groups-of USER`: GroupName, GroupId, MembershipId.
pub(crate) fn groups_of(user: &Doc, memberships: &Doc) -> Json {
    let user_id = text(user, "UserId");
    let mut rows: Vec<Json> = items(memberships)
        .iter()
        .filter(|m| text(&m["MemberId"], "UserId") == user_id)
        .map(|m| {
            json!({
                "GroupName": text(m, "GroupName"),
                "GroupId": text(m, "GroupId"),
                "MembershipId": text(m, "MembershipId"),
            })
        })
        .collect();
    rows.sort_by_key(|r| r["GroupName"].as_str().unwrap_or_default().to_owned());
    Json::Array(rows)
}

/// `.access USER`: every account and permission set the user can use,
/// directly or through a group: AccountName, PermissionSetName, Via
/// (`direct` or the group's name), AccountId, PermissionSetArn.
pub(crate) fn access(user: &Doc, memberships: &Doc, assignments: &Doc) -> Json {
    let user_id = text(user, "UserId");
    let groups: Vec<(String, String)> = items(memberships)
        .iter()
        .filter(|m| text(&m["MemberId"], "UserId") == user_id)
        .map(|m| (text(m, "GroupId"), text(m, "GroupName")))
        .collect();
    let mut rows: Vec<Json> = Vec::new();
    for a in items(assignments) {
        let principal = text(a, "PrincipalId");
        let via = match text(a, "PrincipalType").as_str() {
            "USER" if principal == user_id => "direct".to_owned(),
            "GROUP" => match groups.iter().find(|(id, _)| *id == principal) {
                Some((_, name)) => name.clone(),
                None => continue,
            },
            _ => continue,
        };
        rows.push(json!({
            "AccountName": text(a, "AccountName"),
            "PermissionSetName": text(a, "PermissionSetName"),
            "Via": via,
            "AccountId": text(a, "AccountId"),
            "PermissionSetArn": text(a, "PermissionSetArn"),
        }));
    }
    sort_rows(&mut rows, &["AccountName", "PermissionSetName", "Via"]);
    Json::Array(rows)
}

/// `.who-can ACCOUNT [PERMISSION_SET]`: every user with access to the
/// account, groups expanded into their members: UserName, DisplayName,
/// PermissionSetName, Via, UserId.
pub(crate) fn who_can(
    account: &Doc,
    permission_set: Option<&Doc>,
    memberships: &Doc,
    users: &Doc,
    assignments: &Doc,
) -> Json {
    let account_id = text(account, "Id");
    let set_arn = permission_set.map(|p| text(p, "PermissionSetArn"));
    let user_row = |user_id: &str, fallback_name: String, set: String, via: String| {
        let user = items(users).iter().find(|u| text(u, "UserId") == user_id);
        json!({
            "UserName": user.map(|u| text(u, "UserName")).unwrap_or(fallback_name),
            "DisplayName": user.map(|u| text(u, "DisplayName")),
            "PermissionSetName": set,
            "Via": via,
            "UserId": user_id,
        })
    };
    let mut rows = Vec::new();
    for a in items(assignments) {
        if text(a, "AccountId") != account_id
            || set_arn
                .as_ref()
                .is_some_and(|arn| text(a, "PermissionSetArn") != *arn)
        {
            continue;
        }
        let set = text(a, "PermissionSetName");
        let principal = text(a, "PrincipalId");
        match text(a, "PrincipalType").as_str() {
            "USER" => rows.push(user_row(
                &principal,
                text(a, "PrincipalName"),
                set,
                "direct".into(),
            )),
            "GROUP" => {
                let group_name = text(a, "PrincipalName");
                for m in items(memberships)
                    .iter()
                    .filter(|m| text(m, "GroupId") == principal)
                {
                    let via = if group_name.is_empty() {
                        text(m, "GroupName")
                    } else {
                        group_name.clone()
                    };
                    rows.push(user_row(
                        &text(&m["MemberId"], "UserId"),
                        text(m, "UserName"),
                        set.clone(),
                        via,
                    ));
                }
            }
            _ => {}
        }
    }
    sort_rows(&mut rows, &["UserName", "PermissionSetName", "Via"]);
    Json::Array(rows)
}

/// Sorts rows by the given string fields, in order.
pub(crate) fn sort_rows(rows: &mut [Json], keys: &[&str]) {
    rows.sort_by(|a, b| {
        keys.iter()
            .map(|k| {
                a[*k]
                    .as_str()
                    .unwrap_or_default()
                    .cmp(b[*k].as_str().unwrap_or_default())
            })
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(value: Json) -> Doc {
        Doc::from(value)
    }

    #[test]
    fn names_resolve_by_id_name_or_case_and_say_what_is_wrong() {
        let groups = doc(json!([
            {"GroupId": "g1", "DisplayName": "Admins"},
            {"GroupId": "g2", "DisplayName": "Twins"},
            {"GroupId": "g3", "DisplayName": "Twins"},
        ]));
        assert_eq!(
            text(resolve(&groups, &GROUP, "g1").unwrap(), "DisplayName"),
            "Admins"
        );
        assert_eq!(
            text(resolve(&groups, &GROUP, "admins").unwrap(), "GroupId"),
            "g1"
        );
        assert_eq!(
            resolve(&groups, &GROUP, "Admin").unwrap_err().to_string(),
            "no group named Admin; did you mean Admins?"
        );
        assert_eq!(
            resolve(&groups, &GROUP, "Twins").unwrap_err().to_string(),
            "Twins names 2 groups: g2, g3; use the ID"
        );
    }

    #[test]
    fn access_joins_direct_and_group_assignments() {
        let alice = doc(json!({"UserId": "u1", "UserName": "alice"}));
        let memberships = doc(json!([
            {"GroupId": "g1", "GroupName": "Admins", "MemberId": {"UserId": "u1"}, "MembershipId": "m1"},
            {"GroupId": "g2", "GroupName": "Other", "MemberId": {"UserId": "u2"}, "MembershipId": "m2"},
        ]));
        let assignments = doc(json!([
            {"AccountId": "1", "AccountName": "prod", "PermissionSetName": "Admin", "PermissionSetArn": "a", "PrincipalType": "GROUP", "PrincipalId": "g1"},
            {"AccountId": "2", "AccountName": "dev", "PermissionSetName": "Read", "PermissionSetArn": "r", "PrincipalType": "USER", "PrincipalId": "u1"},
            {"AccountId": "1", "AccountName": "prod", "PermissionSetName": "Read", "PermissionSetArn": "r", "PrincipalType": "GROUP", "PrincipalId": "g2"},
            {"AccountId": "3", "AccountName": "x", "PermissionSetName": "Read", "PermissionSetArn": "r", "PrincipalType": "USER", "PrincipalId": "u2"},
        ]));
        let rows = access(&alice, &memberships, &assignments);
        let summary: Vec<(String, String)> = rows
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["AccountName"].as_str().unwrap().into(),
                    r["Via"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("dev".into(), "direct".into()),
                ("prod".into(), "Admins".into())
            ]
        );
    }
}
