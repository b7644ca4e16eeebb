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
/// ignoring case; otherwise says what is closest or what is ambiguous.
pub(crate) fn resolve<'d>(items: &'d Doc, kind: &Kind, wanted: &str) -> Result<&'d Doc, NameError> {
    let items = items.as_array().unwrap_or_default();
    let field = |item: &'d Doc, key: &str| item[key].as_str().unwrap_or_default();
    if let Some(by_id) = items.iter().find(|i| field(i, kind.id_field) == wanted) {
        return Ok(by_id);
    }
    let exact: Vec<&Doc> = items
        .iter()
        .filter(|i| field(i, kind.name_field) == wanted)
        .collect();
    let matches = if exact.is_empty() {
        items
            .iter()
            .filter(|i| field(i, kind.name_field).to_lowercase() == wanted.to_lowercase())
            .collect()
    } else {
        exact
    };
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(NameError::Unknown {
            what: kind.what,
            name: wanted.to_owned(),
            suggestion: crate::suggest::closest(
                wanted,
                items.iter().map(|i| field(i, kind.name_field)),
            )
            .map(str::to_owned),
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
