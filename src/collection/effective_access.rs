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
/// Every route is one small record (user, account and permission set,
/// route) sorted once; the rows are then built from consecutive runs, on
/// every core. Memory is the rows themselves plus those records.
pub(crate) fn build(users: &Doc, groups: &Doc, memberships: &Doc, assignments: &Doc) -> Doc {
    let users = users.as_array().unwrap_or_default();
    let groups = groups.as_array().unwrap_or_default();
    let assignments = assignments.as_array().unwrap_or_default();
    let user_at: HashMap<&str, u32> = users
        .iter()
        .enumerate()
        .map(|(i, u)| (u.text("UserId"), i as u32))
        .collect();
    // Users ranked by name (then position), so rows sort on an integer.
    let mut by_name: Vec<u32> = (0..users.len() as u32).collect();
    by_name.sort_by(|a, b| {
        users[*a as usize]
            .text("UserName")
            .cmp(users[*b as usize].text("UserName"))
            .then(a.cmp(b))
    });
    let mut user_rank = vec![0u32; users.len()];
    for (rank, user) in by_name.iter().enumerate() {
        user_rank[*user as usize] = rank as u32;
    }
    let mut facts: Vec<GroupFacts<'_>> = groups
        .iter()
        .map(|g| GroupFacts {
            id: g.text("GroupId"),
            name: g.text("DisplayName"),
            source: source_of(g),
        })
        .collect();
    let mut group_at: HashMap<&str, usize> =
        facts.iter().enumerate().map(|(i, g)| (g.id, i)).collect();
    // Members of each group: a member `Users` does not hold (deleted
    // since) reaches nothing.
    let mut members: HashMap<&str, Vec<u32>> = HashMap::new();
    for m in memberships.as_array().unwrap_or_default() {
        let user = m.get("MemberId").map_or("", |id| id.text("UserId"));
        if let Some(&at) = user_at.get(user) {
            members.entry(m.text("GroupId")).or_default().push(at);
        }
    }
    // One pair per account and permission set, ranked by their names;
    // its first assignment names it in the rows.
    let mut pair_of: HashMap<(&str, &str), u32> = HashMap::new();
    let mut first_of_pair: Vec<usize> = Vec::new();
    let pair_index: Vec<u32> = assignments
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let key = (a.text("AccountId"), a.text("PermissionSetArn"));
            *pair_of.entry(key).or_insert_with(|| {
                first_of_pair.push(i);
                (first_of_pair.len() - 1) as u32
            })
        })
        .collect();
    let mut pairs_by_name: Vec<u32> = (0..first_of_pair.len() as u32).collect();
    pairs_by_name.sort_by(|x, y| {
        let (a, b) = (
            &assignments[first_of_pair[*x as usize]],
            &assignments[first_of_pair[*y as usize]],
        );
        a.text("AccountName")
            .cmp(b.text("AccountName"))
            .then_with(|| a.text("PermissionSetName").cmp(b.text("PermissionSetName")))
            .then_with(|| a.text("PermissionSetArn").cmp(b.text("PermissionSetArn")))
            .then_with(|| a.text("AccountId").cmp(b.text("AccountId")))
    });
    let mut pair_rank = vec![0u32; first_of_pair.len()];
    for (rank, pair) in pairs_by_name.iter().enumerate() {
        pair_rank[*pair as usize] = rank as u32;
    }
    // Every route: (user rank, pair rank, route), route 0 for direct and
    // 1 + the group's position otherwise.
    let mut routes: Vec<(u32, u32, u32)> = Vec::new();
    for (i, a) in assignments.iter().enumerate() {
        let pair = pair_rank[pair_index[i] as usize];
        let principal = a.text("PrincipalId");
        match a.text("PrincipalType") {
            "USER" => {
                if let Some(&user) = user_at.get(principal) {
                    routes.push((user_rank[user as usize], pair, 0));
                }
            }
            "GROUP" => {
                let Some(users_in) = members.get(principal) else {
                    continue;
                };
                let group = *group_at.entry(principal).or_insert_with(|| {
                    facts.push(GroupFacts {
                        id: principal,
                        name: a.text("PrincipalName"),
                        source: "IdentityCenter",
                    });
                    facts.len() - 1
                });
                for &user in users_in {
                    routes.push((user_rank[user as usize], pair, 1 + group as u32));
                }
            }
            _ => {}
        }
    }
    // Direct first, then groups by name.
    let route_order = |route: u32| match route {
        0 => (0, ""),
        g => (1, facts[g as usize - 1].name),
    };
    routes.sort_unstable_by(|a, b| {
        (a.0, a.1)
            .cmp(&(b.0, b.1))
            .then_with(|| route_order(a.2).cmp(&route_order(b.2)))
    });
    routes.dedup();
    // Consecutive runs of one (user, pair) are one row.
    let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    for i in 1..=routes.len() {
        if i == routes.len() || (routes[i].0, routes[i].1) != (routes[start].0, routes[start].1) {
            runs.push(start..i);
            start = i;
        }
    }
    let row = |run: &std::ops::Range<usize>| {
        let (user, pair, _) = routes[run.start];
        let user = &users[by_name[user as usize] as usize];
        let assignment = &assignments[first_of_pair[pairs_by_name[pair as usize] as usize]];
        let via: Vec<Route> = routes[run.clone()]
            .iter()
            .map(|(_, _, r)| match r {
                0 => Route::Direct,
                g => Route::Group(*g as usize - 1),
            })
            .collect();
        row_doc(user, assignment, &via, &facts)
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = runs.len().div_ceil(threads).max(1);
    let built: Vec<Vec<Doc>> = std::thread::scope(|scope| {
        let handles: Vec<_> = runs
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(row).collect::<Vec<Doc>>()))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    Doc::Array(
        built
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    )
}

/// One row: the user, the account and permission set, and the routes.
fn row_doc(user: &Doc, assignment: &Doc, routes: &[Route], groups: &[GroupFacts<'_>]) -> Doc {
    let mut entries: Vec<(Key, Doc)> = Vec::with_capacity(11);
    let mut put = |key: &str, value: Doc| entries.push((key.into(), value));
    put("UserName", string(user.text("UserName")));
    if let Some(display) = user.get("DisplayName") {
        put("DisplayName", display.clone());
    }
    put("UserId", string(user.text("UserId")));
    if let Some(status) = user.get("UserStatus") {
        put("UserStatus", status.clone());
    }
    put("UserSource", string(source_of(user)));
    put("AccountId", string(assignment.text("AccountId")));
    put("AccountName", string(assignment.text("AccountName")));
    put(
        "PermissionSetName",
        string(assignment.text("PermissionSetName")),
    );
    put(
        "PermissionSetArn",
        string(assignment.text("PermissionSetArn")),
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
