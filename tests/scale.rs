//! Requests per question on the directory the scale issue measures
//! (2,000 users, 100 groups, 40 accounts × 10 permission sets), counted
//! in the proxy's operation log and compared with what a careful script
//! needs: the fewest calls the AWS APIs allow for the same answer, given
//! the instance ARN and Identity Store ID, at AWS's largest page sizes.
//! moto runs in this test binary alone, so the organisation holds only
//! this directory's accounts and the management account.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use common::fixture::{self, Scale};
use common::proxy::{Faults, Proxy};
use serde_json::Value as Json;

fn scale() -> &'static Scale {
    static SCALE: OnceLock<Scale> = OnceLock::new();
    SCALE.get_or_init(|| {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        runtime.block_on(async {
            let aws = fixture::Aws::connect(common::moto::endpoint(), "us-east-1").await;
            fixture::build_scale(&aws).await
        })
    })
}

/// Pages of `items` at `per_page` a page (at least one: an empty listing
/// is still one request).
fn pages(items: usize, per_page: usize) -> usize {
    items.div_ceil(per_page).max(1)
}

/// Runs `lines` in one fresh idcsh behind a logging proxy: the answers
/// and the operations it sent.
fn requests(lines: &[&str]) -> (Vec<Json>, Vec<String>) {
    let proxy = Proxy::start(common::moto::endpoint(), Faults::default());
    let mut command = common::idcsh();
    command
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .args(["--endpoint-url", &proxy.url, "-o", "json", "--no-cache"]);
    for line in lines {
        command.args(["-c", line]);
    }
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{lines:?}: {stderr}");
    let answers = serde_json::Deserializer::from_slice(&output.stdout)
        .into_iter()
        .collect::<Result<Vec<Json>, _>>()
        .unwrap();
    (answers, proxy.operations())
}

fn count(operations: &[String], operation: &str) -> usize {
    operations.iter().filter(|o| *o == operation).count()
}

/// The shape every careful count is worked out from.
struct Shape {
    users: usize,
    groups: usize,
    /// Accounts in the organisation: this directory's and the management
    /// account, to which every permission set is provisioned too.
    accounts: usize,
    sets: usize,
    members: BTreeMap<usize, usize>,
}

impl Shape {
    fn of(scale: &Scale) -> Shape {
        let mut members = BTreeMap::new();
        for (g, _) in &scale.memberships {
            *members.entry(*g).or_default() += 1;
        }
        Shape {
            users: scale.users.len(),
            groups: scale.groups.len(),
            accounts: scale.accounts.len() + 1,
            sets: scale.permission_sets.len(),
            members,
        }
    }

    /// Names for `n` users: a `DescribeUser` each or every page of
    /// `ListUsers`, whichever is fewer; likewise for groups.
    fn user_names(&self, n: usize) -> usize {
        n.min(pages(self.users, 100))
    }

    fn group_names(&self, n: usize) -> usize {
        n.min(pages(self.groups, 100))
    }

    /// `ListAccounts` pages (20 at most per page).
    fn account_pages(&self) -> usize {
        pages(self.accounts, 20)
    }
}

#[test]
fn each_question_costs_about_what_a_careful_script_needs() {
    let scale = scale();
    let shape = Shape::of(scale);
    let mut table: Vec<(String, usize, usize)> = Vec::new();

    // .members: the group's ID, its memberships, and the members' names.
    let (group, members) = shape
        .members
        .iter()
        .map(|(g, n)| (&scale.groups[*g].0, *n))
        .next()
        .unwrap();
    let (answer, ops) = requests(&[&format!(".members {group}")]);
    assert_eq!(answer[0].as_array().unwrap().len(), members);
    assert!(
        answer[0].as_array().unwrap().iter().all(|m| m["UserName"]
            .as_str()
            .is_some_and(|n| n.starts_with("user-"))),
        "every member named"
    );
    let careful = 1 + pages(members, 100) + shape.user_names(members);
    table.push((format!(".members {group}"), ops.len(), careful));
    // Discovery (ListInstances) is idcsh's one extra.
    assert!(ops.len() <= careful + 1, ".members: {ops:?}");

    // .who-can: the account's sets and assignments, the assigned groups'
    // members and names, the members' names.
    let (account, account_id) = &scale.accounts[7];
    let assigned: BTreeSet<usize> = scale
        .assignments
        .iter()
        .filter(|(a, _, _)| *a == 7)
        .map(|(_, _, g)| *g)
        .collect();
    let direct: BTreeSet<usize> = scale
        .direct
        .iter()
        .filter(|(a, _, _)| *a == 7)
        .map(|(_, _, u)| *u)
        .collect();
    let people: BTreeSet<usize> = scale
        .memberships
        .iter()
        .filter(|(g, _)| assigned.contains(g))
        .map(|(_, u)| *u)
        .chain(direct.iter().copied())
        .collect();
    let (answer, ops) = requests(&[&format!(".who-can {account}")]);
    let rows = answer[0].as_array().unwrap();
    let reached: BTreeSet<&str> = rows
        .iter()
        .map(|r| r["UserName"].as_str().unwrap())
        .collect();
    assert_eq!(reached.len(), people.len(), "{account_id}");
    let careful = shape.account_pages()
        + 1
        + shape.sets
        + shape.sets
        + assigned
            .iter()
            .map(|g| pages(shape.members[g], 100))
            .sum::<usize>()
        + shape.group_names(assigned.len())
        + shape.user_names(people.len());
    table.push((format!(".who-can {account}"), ops.len(), careful));
    // idcsh's extras: ListInstances, and ListPermissionSets (it keeps
    // every set, not only the account's).
    assert!(ops.len() <= careful + 2, ".who-can: {ops:?}");

    // .who-can with a permission set: that one pair's assignments only.
    let (set, _) = &scale.permission_sets[3];
    let groups_on_pair: BTreeSet<usize> = scale
        .assignments
        .iter()
        .filter(|(a, p, _)| *a == 7 && *p == 3)
        .map(|(_, _, g)| *g)
        .collect();
    let users_on_pair: BTreeSet<usize> = scale
        .memberships
        .iter()
        .filter(|(g, _)| groups_on_pair.contains(g))
        .map(|(_, u)| *u)
        .chain(
            scale
                .direct
                .iter()
                .filter(|(a, p, _)| *a == 7 && *p == 3)
                .map(|(_, _, u)| *u),
        )
        .collect();
    let (answer, ops) = requests(&[&format!(".who-can {account} {set}")]);
    let reached: BTreeSet<&str> = answer[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["UserName"].as_str().unwrap())
        .collect();
    assert_eq!(reached.len(), users_on_pair.len(), "{answer:?}");
    let careful = shape.account_pages()
        + 1
        + shape.sets
        + 1
        + groups_on_pair
            .iter()
            .map(|g| pages(shape.members[g], 100))
            .sum::<usize>()
        + shape.group_names(groups_on_pair.len())
        + shape.user_names(users_on_pair.len());
    table.push((format!(".who-can {account} {set}"), ops.len(), careful));
    assert!(ops.len() <= careful + 1, ".who-can ACCOUNT SET: {ops:?}");

    // AccountAssignments: each (account, set provisioned to it) pair, and
    // names for the principals.
    let (answer, ops) = requests(&["length(AccountAssignments)"]);
    assert_eq!(
        answer[0],
        Json::from(scale.assignments.len() + scale.direct.len())
    );
    let pairs = shape.accounts * shape.sets;
    let careful = shape.account_pages()
        + 1
        + shape.sets
        + shape.accounts
        + pairs
        + shape.group_names(shape.groups)
        + shape.user_names(scale.direct.len());
    table.push(("AccountAssignments".into(), ops.len(), careful));
    // Extras: ListInstances. The ListUsers pages idcsh reads to see whether
    // asking per principal would be cheaper than per pair go on to name
    // the directly assigned users: no page is read twice, and no user
    // described whom the pages name.
    assert!(
        ops.len() <= careful + 1,
        "AccountAssignments: {} against {careful}: {ops:?}",
        ops.len()
    );

    // Asked again, .access and .groups-of cost nothing.
    let user = &scale.users[7].0;
    let (_, once) = requests(&[&format!(".access {user}")]);
    let (_, again) = requests(&[
        &format!(".access {user}"),
        &format!(".access {user}"),
        &format!(".groups-of {user}"),
        &format!(".groups-of {user}"),
    ]);
    assert_eq!(again.len(), once.len(), "{again:?}");
    table.push((format!(".access {user} again, .groups-of twice"), 0, 0));

    // .add-member finds both names with one lookup each (and a dry run
    // checks the membership).
    let (_, ops) = requests(&[&format!(".add-member {group} {user} --dry-run")]);
    assert_eq!(count(&ops, "GetGroupId"), 1, "{ops:?}");
    assert_eq!(count(&ops, "GetUserId"), 1, "{ops:?}");
    assert_eq!(count(&ops, "ListUsers") + count(&ops, "ListGroups"), 0);
    table.push((".add-member name resolution".into(), ops.len(), 3));

    // Each collection listed once in a line that needs it three times.
    let (_, ops) = requests(&[
        "[length(Users), length(GroupMemberships), length(AccountAssignments), length(Accounts)]",
    ]);
    assert_eq!(count(&ops, "ListUsers"), pages(shape.users, 100));
    assert_eq!(count(&ops, "ListAccounts"), shape.account_pages());

    // .snapshot --all: every collection, each listed once.
    let file = common::scratch_home().join("all.json");
    let (_, ops) = requests(&[&format!(".snapshot {} --all", file.display())]);
    let careful = 1
        + pages(shape.users, 100)
        + pages(shape.groups, 100)
        + shape
            .members
            .values()
            .map(|n| pages(*n, 100))
            .sum::<usize>()
        + 1
        // DescribePermissionSet, and the six calls of its contents.
        + shape.sets * 7
        + shape.account_pages()
        + shape.accounts
        + pairs
        // DescribeInstance and its ABAC attributes; ListApplications (no
        // application here, so no ListApplicationAssignments).
        + 2
        + 1;
    table.push((".snapshot --all".into(), ops.len(), careful));
    // The extras: ListInstances to discover, and again as a collection;
    // GetCallerIdentity for the caller the snapshot names.
    assert!(ops.len() <= careful + 2, ".snapshot --all: {ops:?}");

    eprintln!("| line | idcsh requests | a careful script |");
    eprintln!("|---|---:|---:|");
    for (line, ours, careful) in table {
        eprintln!("| `{line}` | {ours} | {careful} |");
    }
}
