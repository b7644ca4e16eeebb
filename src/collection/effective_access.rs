//! `EffectiveAccess`: who can use which permission set in which account,
//! and by which routes. One row per user × account × permission set, built
//! from `Users`, `Groups`, `GroupMemberships` and `AccountAssignments`
//! (no request of its own): a user assignment is a `direct` route, a group
//! assignment a route through that group for each of its members.

use std::collections::HashMap;

use crate::doc::{Doc, Key};

/// The fields of one row, for completion.
pub(super) const SHAPE: &str = "UserName DisplayName UserId UserStatus UserSource \
     AccountId AccountName PermissionSetName PermissionSetArn Via \
     Routes[]{Type GroupName GroupId GroupSource}";

/// Where a principal is managed: synchronised from an external identity
/// provider (it carries `ExternalIds`) or made in Identity Center by hand.
fn source_of(item: &Doc) -> &'static str {
    match item.get("ExternalIds").and_then(Doc::as_array) {
        Some(ids) if !ids.is_empty() => "IdentityProvider",
        _ => "IdentityCenter",
    }
}

fn text<'d>(item: &'d Doc, key: &str) -> &'d str {
    item.get(key).and_then(Doc::as_str).unwrap_or_default()
}

fn string(text: &str) -> Doc {
    Doc::String(text.into())
}

/// One way a user reaches an account and permission set.
#[derive(Clone, Copy)]
enum Route {
    Direct,
    /// Through the group at this position in `Groups` (or, for a group
    /// `Groups` does not hold, through the assignment's own name for it).
    Group(usize),
}

/// A group as a route names it.
struct GroupFacts<'d> {
    id: &'d str,
    name: &'d str,
    source: &'static str,
}

/// The rows, ordered by user name, account name, permission set name.
/// Memory is the rows themselves plus one index entry per membership.
pub(crate) fn build(users: &Doc, groups: &Doc, memberships: &Doc, assignments: &Doc) -> Doc {
    let users = users.as_array().unwrap_or_default();
    let groups = groups.as_array().unwrap_or_default();
    let user_at: HashMap<&str, usize> = users
        .iter()
        .enumerate()
        .map(|(i, u)| (text(u, "UserId"), i))
        .collect();
    let mut facts: Vec<GroupFacts<'_>> = groups
        .iter()
        .map(|g| GroupFacts {
            id: text(g, "GroupId"),
            name: text(g, "DisplayName"),
            source: source_of(g),
        })
        .collect();
    let mut group_at: HashMap<&str, usize> =
        facts.iter().enumerate().map(|(i, g)| (g.id, i)).collect();
    // Members of each group, by position in `Users`: a member `Users`
    // does not hold (deleted since) reaches nothing.
    let mut members: HashMap<&str, Vec<usize>> = HashMap::new();
    for m in memberships.as_array().unwrap_or_default() {
        let user = m.get("MemberId").map_or("", |id| text(id, "UserId"));
        if let Some(&at) = user_at.get(user) {
            members.entry(text(m, "GroupId")).or_default().push(at);
        }
    }
    // (user, account, permission set) → the row's first assignment and its
    // routes, in the order first met.
    let mut rows: HashMap<RowKey<'_>, (usize, Vec<Route>)> = HashMap::new();
    let mut assignment_of_row: Vec<&Doc> = Vec::new();
    let assignments = assignments.as_array().unwrap_or_default();
    for a in assignments {
        let principal = text(a, "PrincipalId");
        match text(a, "PrincipalType") {
            "USER" => {
                if let Some(&user) = user_at.get(principal) {
                    add(&mut rows, &mut assignment_of_row, user, a, Route::Direct);
                }
            }
            "GROUP" => {
                let Some(users_in) = members.get(principal) else {
                    continue;
                };
                let group = *group_at.entry(principal).or_insert_with(|| {
                    facts.push(GroupFacts {
                        id: principal,
                        name: text(a, "PrincipalName"),
                        source: "IdentityCenter",
                    });
                    facts.len() - 1
                });
                for &user in users_in {
                    add(
                        &mut rows,
                        &mut assignment_of_row,
                        user,
                        a,
                        Route::Group(group),
                    );
                }
            }
            _ => {}
        }
    }
    let mut ordered: Vec<(RowKey<'_>, (usize, Vec<Route>))> = rows.into_iter().collect();
    ordered.sort_unstable_by(|((ua, _, _), (ra, _)), ((ub, _, _), (rb, _))| {
        let (a, b) = (assignment_of_row[*ra], assignment_of_row[*rb]);
        text(&users[*ua], "UserName")
            .cmp(text(&users[*ub], "UserName"))
            .then_with(|| ua.cmp(ub))
            .then_with(|| text(a, "AccountName").cmp(text(b, "AccountName")))
            .then_with(|| text(a, "PermissionSetName").cmp(text(b, "PermissionSetName")))
            .then_with(|| text(a, "PermissionSetArn").cmp(text(b, "PermissionSetArn")))
    });
    let out: Vec<Doc> = ordered
        .into_iter()
        .map(|((user, _, _), (row, mut routes))| {
            routes.sort_by_key(|r| match r {
                Route::Direct => (0, ""),
                Route::Group(g) => (1, facts[*g].name),
            });
            let user = &users[user];
            row_doc(user, assignment_of_row[row], &routes, &facts)
        })
        .collect();
    Doc::Array(out.into_boxed_slice())
}

/// A row's identity: the user (by position in `Users`), the account ID
/// and the permission set ARN.
type RowKey<'d> = (usize, &'d str, &'d str);

/// Adds `route` to the row of `user` and `assignment`'s account and
/// permission set, starting the row when it is new.
fn add<'d>(
    rows: &mut HashMap<RowKey<'d>, (usize, Vec<Route>)>,
    assignment_of_row: &mut Vec<&'d Doc>,
    user: usize,
    assignment: &'d Doc,
    route: Route,
) {
    let key = (
        user,
        text(assignment, "AccountId"),
        text(assignment, "PermissionSetArn"),
    );
    let row = rows.entry(key).or_insert_with(|| {
        assignment_of_row.push(assignment);
        (assignment_of_row.len() - 1, Vec::new())
    });
    row.1.push(route);
}

/// One row: the user, the account and permission set, and the routes.
fn row_doc(user: &Doc, assignment: &Doc, routes: &[Route], groups: &[GroupFacts<'_>]) -> Doc {
    let mut entries: Vec<(Key, Doc)> = Vec::with_capacity(11);
    let mut put = |key: &str, value: Doc| entries.push((key.into(), value));
    put("UserName", string(text(user, "UserName")));
    if let Some(display) = user.get("DisplayName") {
        put("DisplayName", display.clone());
    }
    put("UserId", string(text(user, "UserId")));
    if let Some(status) = user.get("UserStatus") {
        put("UserStatus", status.clone());
    }
    put("UserSource", string(source_of(user)));
    put("AccountId", string(text(assignment, "AccountId")));
    put("AccountName", string(text(assignment, "AccountName")));
    put(
        "PermissionSetName",
        string(text(assignment, "PermissionSetName")),
    );
    put(
        "PermissionSetArn",
        string(text(assignment, "PermissionSetArn")),
    );
    let via = routes
        .iter()
        .map(|r| match r {
            Route::Direct => string("direct"),
            Route::Group(g) => string(groups[*g].name),
        })
        .collect::<Vec<_>>();
    put("Via", Doc::Array(via.into_boxed_slice()));
    let detail = routes
        .iter()
        .map(|r| match r {
            Route::Direct => Doc::Object(Box::new([("Type".into(), string("DIRECT"))])),
            Route::Group(g) => {
                let group = &groups[*g];
                Doc::Object(Box::new([
                    ("Type".into(), string("GROUP")),
                    ("GroupName".into(), string(group.name)),
                    ("GroupId".into(), string(group.id)),
                    ("GroupSource".into(), string(group.source)),
                ]))
            }
        })
        .collect::<Vec<_>>();
    put("Routes", Doc::Array(detail.into_boxed_slice()));
    Doc::Object(entries.into_boxed_slice())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value as Json, json};
    use std::collections::BTreeMap;

    /// Every (user, account, set) → routes, by looping over every user,
    /// assignment and membership: the join without an index.
    fn brute_force(
        users: &Json,
        memberships: &Json,
        assignments: &Json,
    ) -> BTreeMap<(String, String, String), Vec<String>> {
        let mut found: BTreeMap<(String, String, String), Vec<String>> = BTreeMap::new();
        for u in users.as_array().unwrap() {
            let id = u["UserId"].as_str().unwrap();
            for a in assignments.as_array().unwrap() {
                let principal = a["PrincipalId"].as_str().unwrap();
                let route = match a["PrincipalType"].as_str().unwrap() {
                    "USER" if principal == id => "direct".to_owned(),
                    "GROUP"
                        if memberships.as_array().unwrap().iter().any(|m| {
                            m["GroupId"] == principal && m["MemberId"]["UserId"] == id
                        }) =>
                    {
                        a["PrincipalName"].as_str().unwrap().to_owned()
                    }
                    _ => continue,
                };
                let key = (
                    u["UserName"].as_str().unwrap().to_owned(),
                    a["AccountId"].as_str().unwrap().to_owned(),
                    a["PermissionSetArn"].as_str().unwrap().to_owned(),
                );
                found.entry(key).or_default().push(route);
            }
        }
        for routes in found.values_mut() {
            routes.sort_by_key(|r| (r != "direct", r.clone()));
        }
        found
    }

    #[test]
    fn rows_are_the_join_of_users_memberships_and_assignments() {
        let users = json!([
            {"UserId": "u1", "UserName": "alice", "DisplayName": "Alice", "UserStatus": "ENABLED"},
            {"UserId": "u2", "UserName": "bob", "ExternalIds": [{"Issuer": "idp", "Id": "b"}]},
            {"UserId": "u3", "UserName": "carol"},
        ]);
        let groups = json!([
            {"GroupId": "g1", "DisplayName": "Admins", "ExternalIds": [{"Issuer": "idp", "Id": "a"}]},
            {"GroupId": "g2", "DisplayName": "Ops"},
        ]);
        let memberships = json!([
            {"GroupId": "g1", "MemberId": {"UserId": "u1"}},
            {"GroupId": "g2", "MemberId": {"UserId": "u1"}},
            {"GroupId": "g1", "MemberId": {"UserId": "u2"}},
            {"GroupId": "g3", "MemberId": {"UserId": "u2"}},
            {"GroupId": "g1", "MemberId": {"UserId": "u-deleted"}},
        ]);
        let assignment = |account: &str, set: &str, kind: &str, id: &str, name: &str| {
            json!({"AccountId": account, "AccountName": format!("n{account}"), "PermissionSetArn": set,
                   "PermissionSetName": format!("s{set}"), "PrincipalType": kind, "PrincipalId": id, "PrincipalName": name})
        };
        let assignments = json!([
            assignment("1", "A", "GROUP", "g1", "Admins"),
            assignment("1", "A", "GROUP", "g2", "Ops"),
            assignment("1", "A", "USER", "u1", "alice"),
            assignment("2", "A", "GROUP", "g3", "Gone from Groups"),
            assignment("2", "B", "USER", "u3", "carol"),
            assignment("3", "B", "USER", "u-deleted", "zed"),
            assignment("3", "B", "GROUP", "g-empty", "Empty"),
        ]);
        let built = build(
            &Doc::from(users.clone()),
            &Doc::from(groups),
            &Doc::from(memberships.clone()),
            &Doc::from(assignments.clone()),
        )
        .to_json();
        let rows = built.as_array().unwrap();
        let got: BTreeMap<(String, String, String), Vec<String>> = rows
            .iter()
            .map(|r| {
                let key = (
                    r["UserName"].as_str().unwrap().to_owned(),
                    r["AccountId"].as_str().unwrap().to_owned(),
                    r["PermissionSetArn"].as_str().unwrap().to_owned(),
                );
                let via = r["Via"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap().to_owned());
                (key, via.collect())
            })
            .collect();
        assert_eq!(got.len(), rows.len(), "one row per user, account and set");
        assert_eq!(got, brute_force(&users, &memberships, &assignments));
        let alice = &rows[0];
        assert_eq!(alice["Via"], json!(["direct", "Admins", "Ops"]));
        assert_eq!(alice["UserSource"], "IdentityCenter");
        assert_eq!(alice["UserStatus"], "ENABLED");
        assert_eq!(
            alice["Routes"][1],
            json!({"Type": "GROUP", "GroupName": "Admins", "GroupId": "g1", "GroupSource": "IdentityProvider"})
        );
        let bob: Vec<&Json> = rows.iter().filter(|r| r["UserName"] == "bob").collect();
        assert_eq!(bob[0]["UserSource"], "IdentityProvider");
        assert_eq!(bob[1]["Routes"][0]["GroupSource"], "IdentityCenter");
    }
}
