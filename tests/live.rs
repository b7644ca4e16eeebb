//! The live AWS source against moto's server mode: every collection,
//! lazy fetching, the cache, discovery, AWS's page limits, errors in words,
//! and faults on the wire that must change nothing.

mod common;

use std::collections::BTreeSet;

use common::fixture::{self, Expected};
use common::proxy::{Faults, Proxy};
use serde_json::Value as Json;

/// idcsh against `endpoint` with test credentials, in us-east-1, without
/// the disk cache (its identity check is one more request than a
/// question's own; tests/cache_trust.rs covers the cache).
fn live(endpoint: &str) -> assert_cmd::Command {
    let mut command = common::idcsh();
    command
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .args(["--endpoint-url", endpoint, "-o", "json", "--no-cache"]);
    command
}

fn expected() -> &'static Expected {
    fixture::shared(common::moto::endpoint())
}

fn run(endpoint: &str, lines: &[&str]) -> (Vec<Json>, String) {
    let mut command = live(endpoint);
    for line in lines {
        command.args(["-c", line]);
    }
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{lines:?}: {stderr}");
    let values = serde_json::Deserializer::from_slice(&output.stdout)
        .into_iter()
        .collect::<Result<Vec<Json>, _>>()
        .unwrap();
    (values, stderr)
}

fn strings(value: &Json) -> BTreeSet<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

fn pairs(value: &Json) -> BTreeSet<(String, String)> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_owned(),
                p[1].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn every_collection_matches_what_was_created() {
    let expected = expected();
    // Through the proxy: it answers the instance's facts moto lacks.
    let proxy = Proxy::start(common::moto::endpoint(), Faults::default());
    let (values, _) = run(
        &proxy.url,
        &[
            "Users[].UserName",
            "Groups[].DisplayName",
            "GroupMemberships[].[GroupName, UserName]",
            "PermissionSets[].[Name, SessionDuration]",
            "Accounts[].Name",
            "AccountAssignments[].[AccountName, PermissionSetName, PrincipalType, PrincipalName]",
            "Instances[0].IdentityStoreId",
            "Users[?UserName == 'user-006'] | [0].{n: Name.FamilyName, e: Emails[0].Value}",
        ],
    );
    assert_eq!(strings(&values[0]), expected.users);
    assert_eq!(
        values[0].as_array().unwrap().len(),
        fixture::USERS,
        "no user twice"
    );
    assert_eq!(strings(&values[1]), expected.groups);
    assert_eq!(pairs(&values[2]), expected.memberships);
    assert_eq!(
        values[2].as_array().unwrap().len(),
        expected.memberships.len()
    );
    assert_eq!(pairs(&values[3]), expected.permission_sets);
    assert_eq!(strings(&values[4]), expected.accounts);
    let assignments: BTreeSet<(String, String, String, String)> = values[5]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let s = |i: usize| a[i].as_str().unwrap().to_owned();
            (s(0), s(1), s(2), s(3))
        })
        .collect();
    assert_eq!(assignments, expected.assignments);
    assert_eq!(
        values[5].as_array().unwrap().len(),
        expected.assignments.len()
    );
    assert_eq!(values[6], Json::from(expected.store_id.clone()));
    assert_eq!(
        values[7],
        serde_json::json!({"n": "O'Brien", "e": "user-006@example.com"})
    );
}

#[test]
fn an_expression_fetches_only_what_it_names_and_repeats_come_from_the_cache() {
    expected();
    let proxy = Proxy::start(common::moto::endpoint(), Faults::default());
    let (values, stderr) = run(
        &proxy.url,
        &[
            ".timing on",
            "length(Groups)",
            "length(Groups)",
            "Groups[0].GroupId",
        ],
    );
    assert_eq!(values[0], Json::from(fixture::GROUPS));
    // ListInstances once (discovery), then two pages of 100 groups.
    assert_eq!(
        proxy.operations(),
        ["ListInstances", "ListGroups", "ListGroups"]
    );
    let counts: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.split("AWS requests: ").nth(1))
        .collect();
    assert_eq!(counts, ["0", "3", "0", "0"], "{stderr}");
}

#[test]
fn memberships_reuse_held_collections_and_fetch_what_names_need() {
    expected();
    let proxy = Proxy::start(common::moto::endpoint(), Faults::default());
    run(
        &proxy.url,
        &[
            "length(Users)",
            "length(GroupMemberships)",
            ".cache | [].Collection",
        ],
    );
    let operations = proxy.operations();
    let count = |op: &str| operations.iter().filter(|o| *o == op).count();
    assert_eq!(count("ListUsers"), 3, "Users once: {operations:?}");
    assert_eq!(count("ListGroups"), 2);
    // One call per group, and Everyone's 260 members take three pages.
    assert_eq!(count("ListGroupMemberships"), fixture::GROUPS + 2);
    assert!(
        operations.iter().all(|o| o.starts_with("List")),
        "{operations:?}"
    );
}

#[test]
fn one_line_lists_each_collection_once_however_many_needs_share_it() {
    expected();
    let proxy = Proxy::start(common::moto::endpoint(), Faults::default());
    let tally = |proxy: &Proxy| {
        let mut counts = std::collections::BTreeMap::new();
        for op in proxy.operations() {
            *counts.entry(op).or_insert(0) += 1;
        }
        proxy.clear();
        counts
    };
    // One at a time, each line reusing what the lines before it hold.
    let (apart, _) = run(
        &proxy.url,
        &[
            "length(Users)",
            "length(Groups)",
            "length(Accounts)",
            "length(PermissionSets)",
            "length(AccountAssignments)",
            "length(GroupMemberships)",
        ],
    );
    let one_by_one = tally(&proxy);
    // All in one line: AccountAssignments and GroupMemberships need Users,
    // Groups, Accounts and PermissionSets, which the line also names.
    let (together, _) = run(
        &proxy.url,
        &[
            "[length(Users), length(Groups), length(Accounts), length(PermissionSets), \
           length(AccountAssignments), length(GroupMemberships)]",
        ],
    );
    let at_once = tally(&proxy);
    assert_eq!(together[0], Json::Array(apart));
    assert_eq!(at_once, one_by_one);
    assert_eq!(at_once["ListUsers"], 3, "260 users, 100 a page");
    assert_eq!(at_once["ListGroups"], 2);
}

#[test]
fn without_organizations_accounts_come_from_sso_admin() {
    expected();
    let lines = [
        "AccountAssignments[].[AccountId, PermissionSetName, PrincipalType, PrincipalName] | sort_by(@, &join(',', @))",
        "AccountAssignments[?PrincipalType == 'USER'] | [0].PrincipalName",
        "AccountAssignments[?PrincipalType == 'GROUP'] | [0].AccountId",
        "AccountAssignments[].[AccountId, PermissionSetArn]",
    ];
    let (full, _) = run(common::moto::endpoint(), &lines);
    let (user, account) = (full[1].as_str().unwrap(), full[2].as_str().unwrap());
    // What AWS answers ListAccountsForProvisionedPermissionSet with: the
    // accounts each set is assigned in (moto answers its own account).
    let mut provisioned = std::collections::BTreeMap::<String, Vec<String>>::new();
    for pair in full[3].as_array().unwrap() {
        let (account, set) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
        let accounts = provisioned.entry(set.to_owned()).or_default();
        if !accounts.iter().any(|a| a == account) {
            accounts.push(account.to_owned());
        }
    }
    let questions = [
        format!(".access {user} | [].join(',', [AccountId, PermissionSetName, Via]) | sort(@)"),
        format!(".who-can {account} | [].join(',', [UserName, PermissionSetName, Via]) | sort(@)"),
        "Accounts[].Id | sort(@)".to_owned(),
        "AccountAssignments[].AccountId | sort(@) | [0]".to_owned(),
    ];
    let ask = |endpoint: &str| {
        let lines: Vec<&str> = questions.iter().map(String::as_str).collect();
        run(endpoint, &lines)
    };
    let (with_org, _) = ask(common::moto::endpoint());
    // A delegated administrator: Organizations says no.
    let denied = Proxy::start(
        common::moto::endpoint(),
        Faults {
            deny: Some("ListAccounts".into()),
            provisioned_accounts: Some(provisioned),
            ..Faults::default()
        },
    );
    let (without, stderr) = ask(&denied.url);
    let (assignments, _) = run(&denied.url, &lines[..1]);
    assert_eq!(
        assignments[0], full[0],
        "the same assignments, by account ID"
    );
    assert_eq!(without[0], with_org[0], ".access {user}");
    assert!(!without[0].as_array().unwrap().is_empty());
    assert_eq!(without[1], with_org[1], ".who-can {account}");
    assert!(!without[1].as_array().unwrap().is_empty());
    // Only accounts with a permission set provisioned are known.
    let known: BTreeSet<String> = strings(&without[2]);
    assert!(known.is_subset(&strings(&with_org[2])));
    assert!(known.contains(account));
    let notes: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("Organizations refused"))
        .collect();
    assert_eq!(notes.len(), 1, "one note:\n{stderr}");
    assert!(notes[0].contains("without names"), "{stderr}");
    let operations = denied.operations();
    assert!(
        operations
            .iter()
            .any(|o| o == "ListAccountsForProvisionedPermissionSet")
    );
}

#[test]
fn per_service_endpoint_variables_are_honoured_as_the_cli_does() {
    expected();
    let identity_store = Proxy::start(common::moto::endpoint(), Faults::default());
    let everything_else = Proxy::start(common::moto::endpoint(), Faults::default());
    let output = common::idcsh()
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", &everything_else.url)
        .env("AWS_ENDPOINT_URL_IDENTITYSTORE", &identity_store.url)
        .args([
            "--no-cache",
            "-o",
            "json",
            "-c",
            "length(Groups)",
            "-c",
            "length(Accounts)",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let mut there = identity_store.operations();
    there.dedup();
    assert_eq!(there, ["ListGroups"]);
    let mut here = everything_else.operations();
    here.dedup();
    assert_eq!(here, ["ListInstances", "ListAccounts"]);
}

/// The request counts of issue 13's table, on this fixture (260 users,
/// 125 groups, 26 accounts, 4 permission sets, 36 assignments), from the
/// proxy's operation log: each question costs about what a careful script
/// would spend, not a listing of the directory.
#[test]
fn one_question_costs_the_requests_a_careful_script_would_make() {
    let expected = expected();
    let proxy = Proxy::start(common::moto::endpoint(), Faults::default());
    let cost = |lines: &[&str]| {
        proxy.clear();
        run(&proxy.url, lines);
        let operations = proxy.operations();
        let count = |op: &str| operations.iter().filter(|o| *o == op).count();
        (operations.len(), count("ListUsers"), count("ListGroups"))
    };
    let small = expected
        .memberships
        .iter()
        .map(|(g, _)| g)
        .find(|g| g.starts_with("group-"))
        .unwrap();
    let members = expected
        .memberships
        .iter()
        .filter(|(g, _)| g == small)
        .count();
    let (assigned, _) = run(
        common::moto::endpoint(),
        &["AccountAssignments[?PrincipalType == 'GROUP'] | [0].AccountName"],
    );
    let account = assigned[0].as_str().unwrap().to_owned();

    let mut table = vec![];
    // .members: ListInstances, GetGroupId, one ListGroupMemberships page,
    // and the members' names by the fewer requests: a DescribeUser each,
    // or every ListUsers page.
    let user_pages = expected.users.len().div_ceil(100);
    let members_cost = cost(&[&format!(".members {small}")]);
    let listed = if members >= user_pages { user_pages } else { 0 };
    assert_eq!(members_cost, (3 + members.min(user_pages), listed, 0));
    table.push((".members GROUP", members_cost.0));
    // .add-member's names and a dry run's check: ListInstances, GetGroupId,
    // GetUserId, GetGroupMembershipId.
    let add_cost = cost(&[&format!(".add-member {small} user-000 --dry-run")]);
    assert_eq!(add_cost, (4, 0, 0));
    table.push((".add-member resolution (dry run)", add_cost.0));
    // .access and .groups-of asked again: nothing.
    let first = cost(&[".access user-000"]).0;
    let twice = cost(&[
        ".access user-000",
        ".access user-000",
        ".groups-of user-000",
    ])
    .0;
    assert_eq!(
        twice, first,
        "the second .access and the .groups-of are remembered"
    );
    table.push((".access USER, then again and .groups-of", twice));
    // .who-can against listing what the collections need.
    let who_can = cost(&[&format!(".who-can '{account}'")]);
    let listing = cost(&["length(AccountAssignments)", "length(GroupMemberships)"]).0;
    // Names cost at most a listing each (Users 3 pages, Groups 2).
    assert!(who_can.1 <= 3 && who_can.2 <= 2, "{who_can:?}");
    assert!(
        who_can.0 * 4 < listing,
        ".who-can {} vs listing {listing}",
        who_can.0
    );
    table.push((".who-can ACCOUNT", who_can.0));
    table.push(("AccountAssignments + GroupMemberships", listing));
    // .snapshot --all lists each collection once: as many requests as
    // the collections fetched one line at a time.
    let dir = common::scratch_home();
    let file = dir.join("all.json");
    let snapshot = cost(&[&format!(".snapshot {} --all", file.display())]).0;
    let one_by_one = cost(&[
        "length(Instances)",
        "length(Users)",
        "length(Groups)",
        "length(GroupMemberships)",
        "length(PermissionSets)",
        "length(Accounts)",
        "length(AccountAssignments)",
        "length(PermissionSets[].InlinePolicy)",
        "length(Applications)",
        "length(ApplicationAssignments)",
    ])
    .0;
    // The one-line run lists Instances on discovery and again as a
    // collection; .snapshot --all the same, and asks GetCallerIdentity
    // once, for the caller the snapshot names.
    assert_eq!(snapshot, one_by_one + 1);
    table.push((".snapshot --all", snapshot));
    for (line, requests) in table {
        eprintln!("requests: {line}: {requests}");
    }
}

#[test]
fn a_second_session_answers_from_the_disk_cache() {
    expected();
    let home = common::scratch_home();
    let proxy = Proxy::start(common::moto::endpoint(), Faults::default());
    let session = |args: &[&str]| {
        let output = common::idcsh_in(&home)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .args(["--endpoint-url", &proxy.url, "-o", "json"])
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(output.status.success(), "{args:?}: {stderr}");
        let values: Vec<Json> = serde_json::Deserializer::from_slice(&output.stdout)
            .into_iter()
            .collect::<Result<_, _>>()
            .unwrap();
        values
    };
    let first = session(&["-c", "length(Users)", "-c", "length(Groups)"]);
    assert_eq!(
        first,
        [Json::from(fixture::USERS), Json::from(fixture::GROUPS)]
    );
    // One folder per profile, region and endpoint; in it one per caller
    // (partition and account), and one per store in that.
    let dir = home
        .join(".cache/idcsh")
        .join(format!(
            "default@us-east-1@{}",
            proxy.url.replace([':', '/'], "_")
        ))
        .join("aws-123456789012");
    let store = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .find(|e| e.path().is_dir())
        .unwrap()
        .path();
    let mode = |path: &std::path::Path| {
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(path).unwrap().permissions())
            & 0o777
    };
    assert_eq!(mode(&store.join("Users.json")), 0o600);
    assert_eq!(mode(&store), 0o700);

    // The next session answers at once: no request but the one that
    // confirms who the caller is (not even ListInstances), and says where
    // the data came from.
    proxy.clear();
    let second = session(&[
        "-c",
        "length(Users)",
        "-c",
        ".cache | [?FromDisk].Collection | sort(@)",
    ]);
    assert_eq!(second[0], Json::from(fixture::USERS));
    assert_eq!(second[1], serde_json::json!(["Groups", "Users"]));
    assert_eq!(proxy.operations(), ["GetCallerIdentity"]);

    // --no-cache and an age limit ask AWS.
    for flags in [&["--no-cache"][..], &["--cache-max-age", "0"][..]] {
        proxy.clear();
        let mut args = flags.to_vec();
        args.extend(["-c", "length(Users)"]);
        session(&args);
        assert!(
            proxy.operations().iter().any(|o| o == "ListUsers"),
            "{flags:?}"
        );
    }
    // .refresh takes a collection off the disk too; the next fetch puts
    // it back.
    proxy.clear();
    session(&["-c", ".refresh Users", "-c", "length(Users)"]);
    assert!(proxy.operations().iter().any(|o| o == "ListUsers"));
    proxy.clear();
    session(&["-c", "length(Users)"]);
    assert_eq!(proxy.operations(), ["GetCallerIdentity"]);
}

#[test]
fn requests_stay_within_aws_page_limits_and_survive_empty_pages() {
    let expected = expected();
    let proxy = Proxy::start(
        common::moto::endpoint(),
        Faults {
            empty_account_pages: true,
            ..Faults::default()
        },
    );
    let (values, _) = run(&proxy.url, &["Accounts[].Name", "length(Users)"]);
    assert_eq!(strings(&values[0]), expected.accounts);
    for call in proxy.calls() {
        let body: Json = serde_json::from_str(&call.body).unwrap_or_default();
        if let Some(max) = body.get("MaxResults").and_then(Json::as_u64) {
            let limit = if call.operation == "ListAccounts" {
                20
            } else {
                100
            };
            assert!(max <= limit, "{} asked for {max}", call.operation);
        }
    }
    let pages = proxy
        .operations()
        .iter()
        .filter(|o| *o == "ListAccounts")
        .count();
    assert!(pages >= 4, "empty pages were followed: {pages}");
}

#[test]
fn faults_on_the_wire_change_nothing() {
    expected();
    let lines = [
        "Users[].UserName",
        "Groups",
        "GroupMemberships",
        "PermissionSets",
        "Accounts",
        "AccountAssignments",
    ];
    let (clean, _) = run(common::moto::endpoint(), &lines);
    let proxy = Proxy::start(
        common::moto::endpoint(),
        Faults {
            throttle_every: Some(5),
            server_error_every: Some(7),
            delay_every: Some(11),
            ..Faults::default()
        },
    );
    let (faulted, _) = run(&proxy.url, &lines);
    assert!(proxy.faulted.load(std::sync::atomic::Ordering::SeqCst) > 20);
    assert_eq!(clean, faulted);
}

/// Behind AWS's quota (20 requests a second per quota), the memberships of
/// 125 groups come out complete, and the rate adapts: after the first
/// second of throttling teaches the pacer the quota, at most about one
/// request a second is throttled (its probe one higher), where retrying
/// with backoff alone keeps hammering.
#[test]
fn a_throttled_quota_is_spent_at_its_rate_not_hammered() {
    let expected = expected();
    let proxy = Proxy::start(
        common::moto::endpoint(),
        Faults {
            rate_per_quota: Some(20),
            ..Faults::default()
        },
    );
    let (values, _) = run(&proxy.url, &["GroupMemberships[].[GroupName, UserName]"]);
    assert_eq!(pairs(&values[0]), expected.memberships);
    let calls = proxy.calls();
    let throttles: Vec<std::time::Instant> =
        calls.iter().filter(|c| c.faulted).map(|c| c.at).collect();
    let accepted = calls
        .iter()
        .filter(|c| !c.faulted && c.operation == "ListGroupMemberships")
        .count();
    assert!(accepted >= fixture::GROUPS, "{accepted} pages");
    let first = *throttles.first().expect("the quota was reached");
    let last_call = calls.iter().map(|c| c.at).max().unwrap();
    let learning = first + std::time::Duration::from_millis(1500);
    let late = throttles.iter().filter(|at| **at > learning).count();
    let late_seconds = last_call.saturating_duration_since(learning).as_secs_f64();
    assert!(
        late as f64 <= late_seconds + 2.0,
        "{late} throttles in the {late_seconds:.1} s after the first second of throttling ({} in all, {accepted} accepted)",
        throttles.len()
    );
}

/// Dropped connections and truncated bodies are retried like throttling:
/// every collection comes out exactly as without faults, and never a
/// partial or duplicated list (same items, same order, same length).
/// Issue 20's fault mix: AWS's 20/s quota as a token bucket, with 30% of
/// requests throttled and 5% answered 500 on top. At the default
/// concurrency every one of five seeds (run side by side, each behind its
/// own proxy) finishes with the fault-free answer, and no more than 2% of
/// the requests of a quota-only run are refused.
#[test]
fn the_default_finishes_under_the_quota_with_faults_on_top() {
    let expected = expected();
    let line = "AccountAssignments[].[AccountName, PermissionSetName, PrincipalName]";
    let (clean, _) = run(common::moto::endpoint(), &[line]);
    assert_eq!(
        clean[0].as_array().unwrap().len(),
        expected.assignments.len()
    );
    let quota = Faults {
        rate_per_quota: Some(20),
        quota_model: common::proxy::QuotaModel::TokenBucket { burst: 20 },
        ..Faults::default()
    };
    let runs: Vec<_> = (1..=5u64)
        .map(|seed| {
            let proxy = Proxy::start(
                common::moto::endpoint(),
                Faults {
                    throttle_share: 0.30,
                    server_error_share: 0.05,
                    seed,
                    ..quota.clone()
                },
            );
            std::thread::spawn(move || {
                let output = live(&proxy.url).args(["-c", line]).output().unwrap();
                (seed, output)
            })
        })
        .collect();
    for handle in runs {
        let (seed, output) = handle.join().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "seed {seed}: {stderr}");
        let answer: Json = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(answer, clean[0], "seed {seed}");
    }
    let polite = Proxy::start(common::moto::endpoint(), quota.clone());
    let (answer, _) = run(&polite.url, &[line]);
    assert_eq!(answer, clean);
    let calls = polite.calls();
    let throttled = calls.iter().filter(|c| c.throttled).count();
    let first = calls[0].at;
    let throttled_at: Vec<String> = calls
        .iter()
        .filter(|c| c.throttled)
        .map(|c| format!("{:.2} s", c.at.duration_since(first).as_secs_f64()))
        .collect();
    assert!(
        throttled * 50 <= calls.len(),
        "{throttled} of {} requests throttled under the quota alone, at {throttled_at:?}",
        calls.len()
    );
}

#[test]
fn dropped_connections_and_truncated_bodies_change_nothing() {
    expected();
    let lines = [
        "Users[].UserId",
        "Groups[].GroupId",
        "GroupMemberships[].MembershipId",
        "PermissionSets[].PermissionSetArn",
        "Accounts[].Id",
        "AccountAssignments",
    ];
    let (clean, _) = run(common::moto::endpoint(), &lines);
    let proxy = Proxy::start(
        common::moto::endpoint(),
        Faults {
            throttle_every: Some(6),
            server_error_every: Some(9),
            drop_every: Some(7),
            truncate_every: Some(8),
            ..Faults::default()
        },
    );
    let (faulted, _) = run(&proxy.url, &lines);
    let injected = proxy.faulted.load(std::sync::atomic::Ordering::SeqCst);
    let calls = proxy.calls().len() as u64;
    assert!(injected > 100, "{injected} faults in {calls} requests");
    assert_eq!(clean, faulted);
    for list in &faulted[..5] {
        let items = list.as_array().unwrap();
        let unique: BTreeSet<String> = items.iter().map(Json::to_string).collect();
        assert_eq!(unique.len(), items.len(), "no duplicates");
    }
    eprintln!("faulted {injected} of {calls} requests; answers identical");
}

#[test]
fn flags_skip_discovery() {
    let expected = expected();
    let proxy = Proxy::start(common::moto::endpoint(), Faults::default());
    let (values, _) = run(
        &proxy.url,
        &[
            &format!(".store {}", expected.store_id),
            &format!(".instance {}", expected.instance_arn),
            "length(PermissionSets)",
        ],
    );
    assert_eq!(values[0], Json::from(expected.permission_sets.len()));
    assert!(
        !proxy.operations().contains(&"ListInstances".to_owned()),
        "{:?}",
        proxy.operations()
    );
    let output = live(&proxy.url)
        .args([
            "--identity-store-id",
            &expected.store_id,
            "--instance-arn",
            &expected.instance_arn,
        ])
        .args([
            "-c",
            "length(Groups)",
            "-c",
            ".whoami | [IdentityStoreId, Account]",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains(&expected.store_id) && text.contains("123456789012"),
        "{text}"
    );
    assert!(!proxy.operations().contains(&"ListInstances".to_owned()));
}

#[test]
fn errors_name_the_call_and_what_to_do() {
    expected();
    let denied = Proxy::start(
        common::moto::endpoint(),
        Faults {
            deny: Some("ListUsers".into()),
            ..Faults::default()
        },
    );
    let out = live(&denied.url).args(["-c", "Users"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.starts_with("error: access denied calling ListUsers (profile default)"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");

    let none = Proxy::start(
        common::moto::endpoint(),
        Faults {
            empty: Some("ListInstances".into()),
            ..Faults::default()
        },
    );
    let out = live(&none.url).args(["-c", "Groups"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no IAM Identity Center instance in us-east-1")
            && stderr.contains("--region"),
        "{stderr}"
    );

    // An instance ARN that is not one, or not there, is named as such.
    let out = live(common::moto::endpoint())
        .args(["--instance-arn", "ssoins-1234", "-c", "Users"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(
            "ssoins-1234 is not an Identity Center instance ARN (arn:aws:sso:::instance/ssoins-"
        ),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = live(common::moto::endpoint())
        .args([
            "--instance-arn",
            "arn:aws:sso:::instance/ssoins-0000000000000000",
            "-c",
            "PermissionSets",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: the instance ARN arn:aws:sso:::instance/ssoins-0000000000000000 (from --instance-arn or .instance) is not an Identity Center instance in us-east-1; there: arn:aws:sso:::instance/"),
        "{stderr}"
    );
    let out = live(common::moto::endpoint())
        .args(["-c", ".store 1234567890"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("1234567890 is not an Identity Store ID (d-1234567890"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A 500 without an AWS error code (a proxy's or load balancer's page)
    // is named by its status, after the SDK's retries.
    let broken = Proxy::start(
        common::moto::endpoint(),
        Faults {
            bare_server_error: Some("ListInstances".into()),
            ..Faults::default()
        },
    );
    let out = live(&broken.url).args(["-c", "Users"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim_end(),
        "error: ListInstances: HTTP 502: Bad Gateway",
        "{stderr}"
    );

    let out = live("http://127.0.0.1:9")
        .args(["-c", "Users"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: cannot reach http://127.0.0.1:9 for ListInstances"),
        "{stderr}"
    );

    let throttled = Proxy::start(
        common::moto::endpoint(),
        Faults {
            throttle_every: Some(1),
            ..Faults::default()
        },
    );
    let out = live(&throttled.url)
        .env("IDCSH_MAX_ATTEMPTS", "3")
        .args(["-c", "Users"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("ListInstances was still throttled after every retry"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "no partial result");
    assert_eq!(
        throttled.operations().len(),
        3,
        "three attempts, then the error"
    );
}

#[test]
fn profiles_resolve_as_the_aws_cli_resolves_them() {
    expected();
    let home = common::scratch_home();
    let helper = home.join("credentials.sh");
    std::fs::write(
        &helper,
        "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"testing\", \"SecretAccessKey\": \"testing\"}'\n",
    )
    .unwrap();
    std::fs::set_permissions(&helper, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    std::fs::write(
        home.join("aws-config"),
        r#"[profile statics]
region = us-east-1

[profile proc]
region = us-east-1
credential_process = HELPER

[profile broken]
region = us-east-1
credential_process = false

[profile bare]
region = us-east-1

[profile elsewhere]
region = eu-west-3
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Admin

[sso-session corp]
sso_region = us-east-1
sso_start_url = https://corp.awsapps.com/start
"#
        .replace("HELPER", &helper.display().to_string()),
    )
    .unwrap();
    std::fs::write(
        home.join("aws-credentials"),
        "[statics]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    )
    .unwrap();
    let proxy = Proxy::start(
        common::moto::endpoint(),
        Faults {
            empty_in_region: Some(("ListInstances".into(), "eu-west-3".into())),
            ..Faults::default()
        },
    );
    let run_as = |profile: &str, line: &str| {
        common::idcsh_in(&home)
            .args([
                "--profile",
                profile,
                "--endpoint-url",
                &proxy.url,
                "-o",
                "json",
                "-c",
                line,
            ])
            .output()
            .unwrap()
    };
    for profile in ["statics", "proc"] {
        let out = run_as(profile, ".whoami | [Profile, Region, Account]");
        let value: Json = serde_json::from_slice(&out.stdout).unwrap_or_default();
        assert_eq!(
            value,
            serde_json::json!([profile, "us-east-1", "123456789012"]),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // No instance in the profile's region: its sso_region (here from its
    // sso-session) is tried, and said. With the profile from AWS_PROFILE,
    // environment keys come first in the credential chain (as in the AWS
    // CLI), so no SSO login is needed here.
    let out = common::idcsh_in(&home)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_PROFILE", "elsewhere")
        .args(["--endpoint-url", &proxy.url, "-c", "length(Groups)"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        fixture::GROUPS.to_string(),
        "{stderr}"
    );
    assert!(
        stderr.contains("using the one in sso_region us-east-1 of profile elsewhere"),
        "{stderr}"
    );

    // Without keys, an SSO profile that was never logged in says what to run.
    let out = run_as("elsewhere", "Users");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: no valid AWS credentials for profile elsewhere"),
        "{stderr}"
    );
    assert!(
        stderr
            .trim_end()
            .ends_with("run: aws sso login --profile elsewhere"),
        "{stderr}"
    );

    // Only an SSO profile is told to log in: a failing credential_process
    // and a profile with nothing in it are each told what would help.
    for (profile, advice) in [
        (
            "broken",
            "the profile's credential_process failed; run that command by hand to see why",
        ),
        (
            "bare",
            "set up profile bare: aws configure --profile bare for keys, or aws configure sso --profile bare for Identity Center sign-in; or try idcsh --demo",
        ),
    ] {
        let out = run_as(profile, "Users");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with(&format!(
                "error: no valid AWS credentials for profile {profile} ("
            )),
            "{stderr}"
        );
        assert!(stderr.trim_end().ends_with(advice), "{stderr}");
        assert!(!stderr.contains("sso login"), "{stderr}");
    }

    let out = run_as("statix", "Users");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim(),
        "error: profile statix is not in ~/.aws/config or ~/.aws/credentials; did you mean statics?"
    );
}

/// A first run as `aws configure sso` leaves a machine: named profiles and
/// no `default`. idcsh names the profiles there and `--demo`, without
/// sending anything; with no configuration at all it says how to make one.
#[test]
fn a_first_run_without_a_default_profile_names_the_profiles_there() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("aws-config"),
        "[profile sso-test]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = ReadOnly\n\n\
         [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n",
    )
    .unwrap();
    let pick =
        "name one with -p: sso-test (idcsh -p sso-test); or idcsh --demo for the sample directory";
    let out = common::idcsh_in(home.path())
        .args(["--no-cache", "-c", "length(Users)"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("error: no profile default in ~/.aws/config; {pick}\n")
    );
    // With a region from the environment, the credentials fail instead,
    // and say the same.
    let out = common::idcsh_in(home.path())
        .env("AWS_REGION", "eu-west-1")
        .args(["--no-cache", "-c", "length(Users)"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.trim_end().ends_with(pick), "{stderr}");

    let empty = tempfile::tempdir().unwrap();
    let out = common::idcsh_in(empty.path())
        .args(["--no-cache", "-c", "length(Users)"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: no AWS profile is set up: run aws configure sso (or aws configure for keys), then idcsh -p NAME; or idcsh --demo for the sample directory\n"
    );
}

/// The AWS CLI signs with a profile named on its command line even when
/// AWS_ACCESS_KEY_ID is exported; AWS_PROFILE and the default profile
/// yield to the environment's keys. Checked on the wire: the key each
/// request was signed with.
#[test]
fn a_named_profile_signs_with_its_own_keys_over_the_environments() {
    expected();
    let home = common::scratch_home();
    std::fs::write(
        home.join("aws-config"),
        "[profile statics]\nregion = us-east-1\n\n[profile sso]\nregion = us-east-1\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Admin\n\n[sso-session corp]\nsso_region = us-east-1\nsso_start_url = https://corp.awsapps.com/start\n",
    )
    .unwrap();
    std::fs::write(
        home.join("aws-credentials"),
        "[statics]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = testing\n",
    )
    .unwrap();
    let proxy = Proxy::start(common::moto::endpoint(), Faults::default());
    let signed_with = |args: &[&str], env_profile: Option<&str>| {
        proxy.clear();
        let mut command = common::idcsh_in(&home);
        command
            .env("AWS_ACCESS_KEY_ID", "AKIDENVIRONMENT")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .args(["--endpoint-url", &proxy.url, "-o", "json"])
            .args(args);
        if let Some(profile) = env_profile {
            command.env("AWS_PROFILE", profile);
        }
        let out = command.output().unwrap();
        let keys: BTreeSet<String> = proxy.calls().into_iter().map(|c| c.access_key).collect();
        (out, keys)
    };
    let key_set = |keys: &[&str]| keys.iter().map(|k| k.to_string()).collect::<BTreeSet<_>>();

    let (out, keys) = signed_with(&["-p", "statics", "-c", ".whoami | Credentials"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(keys, key_set(&["AKIDPROFILE"]));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "\"profile statics\""
    );

    // `.profile NAME` is as explicit as -p.
    let (out, keys) = signed_with(&["-c", ".profile statics", "-c", "length(Groups)"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(keys, key_set(&["AKIDPROFILE"]));

    // AWS_PROFILE is not: the environment's keys sign, and .whoami says so.
    let (out, keys) = signed_with(&["-c", ".whoami | Credentials"], Some("statics"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(keys, key_set(&["AKIDENVIRONMENT"]));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("environment variables"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // `.profile default` is as explicit: with no default profile in the
    // files, the error says that the exported keys are not what it uses.
    let (out, _) = signed_with(&["-c", ".profile default", "-c", "length(Users)"], None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("not the exported AWS_ACCESS_KEY_ID; start without -p"),
        "{stderr}"
    );

    // An SSO profile named explicitly needs its login, keys or not.
    for args in [
        &["-p", "sso", "-c", "length(Users)"][..],
        &["-c", ".profile sso", "-c", "length(Users)"][..],
    ] {
        let (out, keys) = signed_with(args, None);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}: {stderr}");
        assert!(
            stderr.contains("run: aws sso login --profile sso"),
            "{args:?}: {stderr}"
        );
        assert!(
            !keys.contains("AKIDENVIRONMENT"),
            "{args:?}: signed with the environment's keys"
        );
    }
}

#[test]
fn few_principals_are_asked_per_principal_not_per_account_and_set() {
    expected();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let want: BTreeSet<(String, String, String, String)> = runtime.block_on(async {
        use aws_sdk_ssoadmin::types::{PrincipalType, TargetType};
        let aws = fixture::Aws::connect(common::moto::endpoint(), "ap-southeast-2").await;
        let (instance, store) = aws.instance().await;
        let ids = aws.ids();
        let mut users = Vec::new();
        for name in ["ana", "ben"] {
            users.push(aws.create_user(&store, name, name, "Test").await);
        }
        let group = ids
            .create_group()
            .identity_store_id(&store)
            .display_name("Ops")
            .send()
            .await
            .unwrap();
        let sso = aws.sso();
        let mut sets = Vec::new();
        for p in 0..5 {
            sets.push(
                aws.provisioned_permission_set(&instance, &format!("Set{p}"))
                    .await,
            );
        }
        let accounts = aws.org().list_accounts().send().await.unwrap();
        let accounts: Vec<(String, String)> = accounts
            .accounts()
            .iter()
            .take(2)
            .map(|a| (a.id().unwrap().to_owned(), a.name().unwrap().to_owned()))
            .collect();
        let plan = [
            (
                &accounts[0],
                0,
                PrincipalType::Group,
                group.group_id().to_owned(),
                "Ops",
            ),
            (
                &accounts[1],
                1,
                PrincipalType::User,
                users[0].clone(),
                "ana",
            ),
        ];
        let mut want = BTreeSet::new();
        for ((account_id, account_name), set, kind, principal, name) in plan {
            sso.create_account_assignment()
                .instance_arn(&instance)
                .target_id(account_id)
                .target_type(TargetType::AwsAccount)
                .permission_set_arn(&sets[set])
                .principal_type(kind)
                .principal_id(principal)
                .send()
                .await
                .unwrap();
            want.insert((
                account_name.clone(),
                format!("Set{set}"),
                name.to_owned(),
                sets[set].clone(),
            ));
        }
        want
    });
    let proxy = Proxy::start(common::moto::endpoint(), Faults::default());
    let out = live(&proxy.url)
        .env("AWS_REGION", "ap-southeast-2")
        .args(["-c", "AccountAssignments[].[AccountName, PermissionSetName, PrincipalName, PermissionSetArn]", "-c", ".cache | [].Collection"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let values: Vec<Json> = serde_json::Deserializer::from_slice(&out.stdout)
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    let got: BTreeSet<(String, String, String, String)> = values[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let s = |i: usize| r[i].as_str().unwrap().to_owned();
            (s(0), s(1), s(2), s(3))
        })
        .collect();
    assert_eq!(got, want);
    let operations = proxy.operations();
    let count = |op: &str| operations.iter().filter(|o| *o == op).count();
    assert_eq!(
        count("ListAccountAssignmentsForPrincipal"),
        3,
        "{operations:?}"
    );
    assert_eq!(count("ListAccountAssignments"), 0);
    assert_eq!(count("ListPermissionSetsProvisionedToAccount"), 0);
    assert_eq!(
        count("DescribeUser") + count("DescribeGroup"),
        0,
        "names come from the listings"
    );
    // The users and groups listed on the way are kept.
    let cached: BTreeSet<&str> = values[1]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        cached.contains("Users") && cached.contains("Groups"),
        "{cached:?}"
    );
}

#[test]
fn access_and_who_can_match_the_fixture_on_the_live_source() {
    let expected = expected();
    let user = "user-000";
    let groups_of_user: BTreeSet<&String> = expected
        .memberships
        .iter()
        .filter(|(_, u)| u == user)
        .map(|(g, _)| g)
        .collect();
    let want: BTreeSet<(String, String, String)> = expected
        .assignments
        .iter()
        .filter_map(|(account, set, kind, principal)| match kind.as_str() {
            "USER" if principal == user => {
                Some((account.clone(), set.clone(), "direct".to_owned()))
            }
            "GROUP" if groups_of_user.contains(principal) => {
                Some((account.clone(), set.clone(), principal.clone()))
            }
            _ => None,
        })
        .collect();
    let (values, _) = run(
        common::moto::endpoint(),
        &[
            &format!(".access {user} | [].[AccountName, PermissionSetName, Via]"),
            ".groups-of user-000 | [].GroupName",
        ],
    );
    let got: BTreeSet<(String, String, String)> = values[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r[0].as_str().unwrap().into(),
                r[1].as_str().unwrap().into(),
                r[2].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(got, want);
    let groups_of_user_count = groups_of_user.len();
    assert_eq!(
        strings(&values[1]),
        groups_of_user.into_iter().cloned().collect()
    );

    // Nothing held: the answer comes from the calls about this user alone.
    let proxy = Proxy::start(common::moto::endpoint(), Faults::default());
    let (targeted, _) = run(
        &proxy.url,
        &[&format!(".access {user}"), &format!(".groups-of {user}")],
    );
    let operations = proxy.operations();
    for whole in [
        "ListUsers",
        "ListGroupMemberships",
        "ListAccountAssignments",
    ] {
        assert!(
            !operations.iter().any(|o| o == whole),
            "{whole} in {operations:?}"
        );
    }
    assert!(
        operations
            .iter()
            .any(|o| o == "ListGroupMembershipsForMember")
    );
    // The groups' names by the fewer requests: ListGroups pages, or a
    // DescribeGroup each.
    let naming = operations
        .iter()
        .filter(|o| *o == "ListGroups" || *o == "DescribeGroup")
        .count();
    assert!(naming <= groups_of_user_count, "{operations:?}");
    // With the collections held, the same rows come from them.
    let (held, _) = run(
        common::moto::endpoint(),
        &[
            "length(Users)",
            "length(GroupMemberships)",
            "length(AccountAssignments)",
            &format!(".access {user}"),
            &format!(".groups-of {user}"),
        ],
    );
    assert_eq!(targeted[0], held[3]);
    assert_eq!(targeted[1], held[4]);

    // `.members` asks about that group alone: GetGroupId, its memberships,
    // and the members' names by the fewer requests: a DescribeUser each for
    // a group with fewer members than ListUsers has pages (260 users: 3),
    // every page otherwise (Everyone, 260 members).
    let user_pages = expected.users.len().div_ceil(100);
    let members_of = |group: &str| {
        expected
            .memberships
            .iter()
            .filter(|(g, _)| g == group)
            .count()
    };
    let small = expected
        .groups
        .iter()
        .find(|g| g.starts_with("group-") && members_of(g) < user_pages)
        .unwrap();
    let members = members_of(small);
    let lines = [
        format!(".members {small}"),
        ".members Everyone | [].[UserName, DisplayName, UserId]".to_owned(),
    ];
    let proxy = Proxy::start(common::moto::endpoint(), Faults::default());
    let (targeted, _) = run(&proxy.url, &[&lines[0]]);
    let operations = proxy.operations();
    let count = |op: &str| operations.iter().filter(|o| *o == op).count();
    // As many ListUsers pages as members (the listing does not end there),
    // then a DescribeUser for each member those pages did not name.
    assert_eq!(count("ListUsers"), members, "{operations:?}");
    assert!(count("DescribeUser") <= members, "{operations:?}");
    assert_eq!(
        operations.len(),
        3 + count("ListUsers") + count("DescribeUser"),
        "ListInstances, GetGroupId, ListGroupMemberships: {operations:?}"
    );
    proxy.clear();
    let (large, _) = run(&proxy.url, &[&lines[1]]);
    let operations = proxy.operations();
    assert!(!operations.iter().any(|o| o == "DescribeUser"));
    assert_eq!(
        operations.iter().filter(|o| *o == "ListUsers").count(),
        user_pages
    );
    let (held, _) = run(
        common::moto::endpoint(),
        &["length(GroupMemberships)", &lines[0], &lines[1]],
    );
    assert_eq!(targeted[0], held[1]);
    assert_eq!(large[0], held[2]);

    // `.who-can` asks about that account alone: its provisioned sets,
    // their assignments, the assigned groups' members, and names.
    let (assigned, _) = run(
        common::moto::endpoint(),
        &["AccountAssignments[?PrincipalType == 'GROUP'] | [0].AccountName"],
    );
    let account = assigned[0].as_str().unwrap();
    let who_can = format!(".who-can '{account}'");
    let proxy = Proxy::start(common::moto::endpoint(), Faults::default());
    let (targeted, _) = run(&proxy.url, &[&who_can]);
    let operations = proxy.operations();
    assert!(
        !operations
            .iter()
            .any(|o| o == "ListGroupMembershipsForMember"),
        "{operations:?}"
    );
    // The assigned groups' names cost no more requests than a
    // DescribeGroup each (one ListGroupMemberships each tells how many).
    let count = |op: &str| operations.iter().filter(|o| *o == op).count();
    assert!(
        count("ListGroups") + count("DescribeGroup") <= count("ListGroupMemberships"),
        "{operations:?}"
    );
    let provisioned = operations
        .iter()
        .filter(|o| *o == "ListPermissionSetsProvisionedToAccount")
        .count();
    assert_eq!(provisioned, 1, "{operations:?}");
    let (held, _) = run(
        common::moto::endpoint(),
        &[
            "length(AccountAssignments)",
            "length(GroupMemberships)",
            &who_can,
        ],
    );
    assert_eq!(targeted[0], held[2]);
    assert!(!targeted[0].as_array().unwrap().is_empty());

    // Asked again in the session, the answers are remembered; .refresh
    // forgets them.
    let (_, stderr) = run(
        common::moto::endpoint(),
        &[
            ".timing on",
            &format!(".access {user}"),
            &format!(".groups-of {user}"),
            &lines[0],
            &format!(".access {user}"),
            &format!(".groups-of {user}"),
            &lines[0],
            ".refresh",
            &format!(".groups-of {user}"),
        ],
    );
    let counts: Vec<u64> = stderr
        .lines()
        .filter_map(|l| l.split("AWS requests: ").nth(1))
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(counts.len(), 9, "{stderr}");
    assert!(counts[1] > 0 && counts[3] > 0, "{stderr}");
    assert_eq!(&counts[4..7], [0, 0, 0], "{stderr}");
    assert!(counts[8] > 0, "{stderr}");
    assert_eq!(large[0].as_array().unwrap().len(), fixture::USERS);

    let out = live(common::moto::endpoint())
        .args(["-c", ".access no-such-person"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: no user named no-such-person\n"
    );
}

/// A group, two users (one already a member) and a permission set with a
/// managed and an inline policy, in a region of their own: carol's user
/// ID, the group's ID, the store, and the permission set's ARN.
fn write_fixture(region: &str) -> (String, String, String, String) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let aws = fixture::Aws::connect(common::moto::endpoint(), region).await;
        let (instance, store) = aws.instance().await;
        let ids = aws.ids();
        let mut user_ids = Vec::new();
        for name in ["carol", "dave"] {
            let out = ids
                .create_user()
                .identity_store_id(&store)
                .user_name(name)
                .display_name(name)
                .name(aws_sdk_identitystore::types::Name::builder().given_name(name).family_name("Writes").build())
                .send()
                .await
                .unwrap();
            user_ids.push(out.user_id().to_owned());
        }
        let group = ids.create_group().identity_store_id(&store).display_name("Release Managers").send().await.unwrap();
        ids.create_group_membership()
            .identity_store_id(&store)
            .group_id(group.group_id())
            .member_id(aws_sdk_identitystore::types::MemberId::UserId(user_ids[1].clone()))
            .send()
            .await
            .unwrap();
        let sso = aws.sso();
        let set = sso.create_permission_set().instance_arn(&instance).name("Deployer").session_duration("PT2H").send().await.unwrap();
        let arn = set.permission_set().and_then(|s| s.permission_set_arn()).unwrap().to_owned();
        sso.attach_managed_policy_to_permission_set()
            .instance_arn(&instance)
            .permission_set_arn(&arn)
            .managed_policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
            .send()
            .await
            .unwrap();
        sso.put_inline_policy_to_permission_set()
            .instance_arn(&instance)
            .permission_set_arn(&arn)
            .inline_policy(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#)
            .send()
            .await
            .unwrap();
        (user_ids[0].clone(), group.group_id().to_owned(), store, arn)
    })
}

#[test]
fn membership_writes_are_confirmed_checked_and_refresh_the_cache() {
    expected();
    let (carol_id, group_id, _, _) = write_fixture("ca-central-1");
    let proxy = Proxy::start(common::moto::endpoint(), Faults::default());
    let idcsh = |args: &[&str]| {
        let mut command = live(&proxy.url);
        command.env("AWS_REGION", "ca-central-1").args(args);
        command.output().unwrap()
    };
    let writes = |proxy: &Proxy| {
        proxy
            .operations()
            .into_iter()
            .filter(|o| o.starts_with("Create") || o.starts_with("Delete"))
            .count()
    };

    // A dry run, and a script without --yes, send nothing.
    let out = idcsh(&["-c", ".add-member 'Release Managers' carol --dry-run"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("dry run, nothing sent: would add carol to Release Managers")
            && stderr.contains(&group_id),
        "{stderr}"
    );
    // Names are resolved with GetGroupId and GetUserId, not by listing
    // everyone; a dry run checks the membership as it stands.
    proxy.clear();
    let out = idcsh(&[
        "-c",
        ".add-member 'Release Managers' dave --dry-run",
        "-c",
        ".remove-member 'Release Managers' carol --dry-run",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("dry run: dave is already a member of Release Managers (MembershipId ")
            && stderr.contains("nothing would be sent"),
        "{stderr}"
    );
    assert!(
        stderr
            .contains("dry run: carol is not a member of Release Managers; nothing would be sent"),
        "{stderr}"
    );
    let operations = proxy.operations();
    assert!(
        operations
            .iter()
            .all(|o| o.starts_with("Get") || o == "ListInstances"),
        "{operations:?}"
    );
    assert_eq!(writes(&proxy), 0);
    // A misspelt name costs the listing that finds what was meant.
    let out = idcsh(&["-c", ".add-member 'Release Managers' carl --dry-run"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: no user named carl; did you mean carol?\n"
    );
    let out = idcsh(&["-c", ".members 'Release Manager'"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: no group named Release Manager; did you mean Release Managers?\n"
    );

    let out = idcsh(&["-c", ".add-member 'Release Managers' carol"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr
            .contains("refusing to add carol to Release Managers without confirmation; pass --yes"),
        "{stderr}"
    );
    assert_eq!(writes(&proxy), 0);

    // With --yes: one write, checked, and the next query sees it.
    let out = idcsh(&[
        "--yes",
        "-c",
        ".output text",
        "-c",
        ".members 'Release Managers' | [].UserName",
        "-c",
        ".add-member 'Release Managers' carol",
        "-c",
        ".members 'Release Managers' | [].UserName",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("added carol to Release Managers (MembershipId ")
            && stderr.contains("checked"),
        "{stderr}"
    );
    // The write's result is a line of data between the two queries' answers.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert_eq!((lines[0], lines[2]), ("dave", "carol\tdave"));
    // As the AWS CLI writes text: fields in name order (Action, Changed,
    // GroupId, GroupName, MembershipId, UserId, UserName), True for true.
    let result: Vec<&str> = lines[1].split('\t').collect();
    assert_eq!(
        (result[0], result[1], result[3], result[6]),
        ("add-member", "True", "Release Managers", "carol"),
        "{stdout}"
    );
    assert_eq!(writes(&proxy), 1);

    // Again: already a member, nothing sent (moto would accept a duplicate; AWS would not).
    let out = idcsh(&["--yes", "-c", ".add-member 'Release Managers' carol"]);
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("carol is already a member of Release Managers")
    );
    assert_eq!(writes(&proxy), 1);

    let out = idcsh(&[
        "-y",
        "-c",
        ".remove-member 'Release Managers' carol",
        "-c",
        ".remove-member 'Release Managers' carol",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("removed carol from Release Managers (checked)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("carol is not a member of Release Managers; nothing was changed"),
        "{stderr}"
    );
    assert_eq!(writes(&proxy), 2);

    // AWS's ConflictException for a membership that appeared meanwhile is said in words.
    let conflicting = Proxy::start(
        common::moto::endpoint(),
        Faults {
            conflict: Some("CreateGroupMembership".into()),
            ..Faults::default()
        },
    );
    let out = live(&conflicting.url)
        .env("AWS_REGION", "ca-central-1")
        .args(["-y", "-c", ".add-member 'Release Managers' carol"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("carol is already a member of Release Managers"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A throttled write did nothing at AWS, so it is sent again, once.
    let throttling = Proxy::start(
        common::moto::endpoint(),
        Faults {
            throttle_first: Some("CreateGroupMembership".into()),
            ..Faults::default()
        },
    );
    let out = live(&throttling.url)
        .env("AWS_REGION", "ca-central-1")
        .args(["-y", "-c", ".add-member 'Release Managers' carol"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.contains("added carol to Release Managers"),
        "{stderr}"
    );
    let creates: Vec<bool> = throttling
        .calls()
        .iter()
        .filter(|c| c.operation == "CreateGroupMembership")
        .map(|c| c.faulted)
        .collect();
    assert_eq!(creates, [true, false], "throttled, then sent again");

    // A 500 with an AWS error code is as ambiguous as a timeout: the write
    // is checked afterwards (here it took effect), and not sent again.
    let out = live(&throttling.url)
        .env("AWS_REGION", "ca-central-1")
        .args(["-y", "-c", ".remove-member 'Release Managers' carol"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let failing = Proxy::start(
        common::moto::endpoint(),
        Faults {
            server_error_after: Some("CreateGroupMembership".into()),
            ..Faults::default()
        },
    );
    let out = live(&failing.url)
        .env("AWS_REGION", "ca-central-1")
        .args(["-y", "-c", ".add-member 'Release Managers' carol"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("InternalServerException")
            && stderr.contains("checked afterwards: it did take effect; not retried"),
        "{stderr}"
    );
    let creates = failing
        .operations()
        .iter()
        .filter(|o| *o == "CreateGroupMembership")
        .count();
    assert_eq!(creates, 1, "{:?}", failing.operations());

    // A write's result is data on stdout: the MembershipId for a script.
    let out = live(&throttling.url)
        .env("AWS_REGION", "ca-central-1")
        .args(["-y", "-c", ".remove-member 'Release Managers' carol"])
        .output()
        .unwrap();
    let result: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["Action"], "remove-member");
    assert_eq!(result["Changed"], true);
    assert_eq!(result["UserId"], Json::from(carol_id.clone()));
    assert!(
        result["MembershipId"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{result}"
    );
    let _ = carol_id;
}

#[test]
fn lookups_and_permission_set_details_need_no_hand_written_json() {
    expected();
    let (carol_id, group_id, store, arn) = write_fixture("sa-east-1");
    // moto answers neither the boundary nor the tags: the proxy does, as
    // AWS documents them.
    let boundary = serde_json::json!({"CustomerManagedPolicyReference": {"Name": "deploy-boundary", "Path": "/b/"}});
    let tags = vec![serde_json::json!({"Key": "team", "Value": "release"})];
    let mut extras = std::collections::BTreeMap::new();
    extras.insert(
        arn.clone(),
        common::proxy::SetExtras {
            boundary: Some(boundary.clone()),
            tags: tags.clone(),
        },
    );
    let proxy = Proxy::start(
        common::moto::endpoint(),
        Faults {
            boundaries_and_tags: extras,
            ..Faults::default()
        },
    );
    let mut command = live(&proxy.url);
    command.env("AWS_REGION", "sa-east-1").args([
        "-c",
        ".get-user-id UserName=carol",
        "-c",
        ".get-group-id DisplayName=Release Managers",
        "-c",
        ".describe-permission-set Deployer | {d: SessionDuration, m: AttachedManagedPolicies[].Arn, a: InlinePolicy.Statement[0].Action, b: PermissionsBoundary, t: Tags, c: CustomerManagedPolicyReferences}",
        "-c",
        "PermissionSets[?InlinePolicy.Statement[?Action == 's3:ListBucket']].Name",
    ]);
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let values: Vec<Json> = serde_json::Deserializer::from_slice(&output.stdout)
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        values[0],
        serde_json::json!({"UserId": carol_id, "IdentityStoreId": store})
    );
    assert_eq!(values[1]["GroupId"], Json::from(group_id));
    assert_eq!(
        values[2],
        serde_json::json!({"d": "PT2H", "m": ["arn:aws:iam::aws:policy/ReadOnlyAccess"], "a": "s3:ListBucket", "b": boundary, "t": tags, "c": []})
    );
    assert_eq!(values[3], serde_json::json!(["Deployer"]));
    // The contents were fetched once, six calls for the one set, and the
    // filter over them asked for nothing more.
    let ops = proxy.operations();
    for operation in [
        "ListManagedPoliciesInPermissionSet",
        "ListCustomerManagedPolicyReferencesInPermissionSet",
        "GetInlinePolicyForPermissionSet",
        "GetPermissionsBoundaryForPermissionSet",
        "ListTagsForResource",
        "ListAccountsForProvisionedPermissionSet",
    ] {
        assert_eq!(
            ops.iter().filter(|o| *o == operation).count(),
            1,
            "{operation}: {ops:?}"
        );
    }
}

#[test]
fn switching_region_drops_the_cache_and_rediscovers() {
    let expected = expected();
    let proxy = Proxy::start(common::moto::endpoint(), Faults::default());
    let (values, stderr) = run(
        &proxy.url,
        &[
            ".timing on",
            "length(Groups)",
            ".region eu-west-2",
            ".cache | length(@)",
            ".whoami | [Region, IdentityStoreId]",
            "length(Groups)",
        ],
    );
    assert!(
        stderr.contains("profile: default, region: eu-west-2 (cache dropped)"),
        "{stderr}"
    );
    assert_eq!(values[0], Json::from(fixture::GROUPS));
    assert_eq!(values[1], Json::from(0));
    assert_eq!(values[2][0], "eu-west-2");
    assert_ne!(
        values[2][1],
        Json::from(expected.store_id.clone()),
        "another region has another store"
    );
    assert_eq!(values[3], Json::from(0));
    // `.timing` counts each line's requests across the switch: together,
    // every request the proxy saw.
    let counts: Vec<u64> = stderr
        .lines()
        .filter_map(|l| l.split("AWS requests: ").nth(1))
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(counts.len(), 6, "{stderr}");
    assert_eq!(counts[1], 3, "ListInstances and two pages of groups");
    assert_eq!(
        counts.iter().sum::<u64>(),
        proxy.operations().len() as u64,
        "{stderr}\n{:?}",
        proxy.operations()
    );
}

#[test]
fn a_snapshot_of_the_live_directory_answers_the_same_offline() {
    expected();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("directory.json");
    let file = file.to_str().unwrap().to_owned();
    let lines = [
        ".access user-003 | [].[AccountName, PermissionSetName, Via]",
        ".who-can account-00 | [].[UserName, PermissionSetName, Via]",
        ".members \"O'Brien's Team\" | [].UserName",
        ".groups-of user-003 | [].GroupName",
    ];
    let mut live_lines: Vec<&str> = lines.to_vec();
    let snapshot = format!(".snapshot {file} --all");
    live_lines.push(&snapshot);
    // Through the proxy: it answers the boundary and tags moto lacks.
    let proxy = Proxy::start(common::moto::endpoint(), Faults::default());
    let (from_aws, stderr) = run(&proxy.url, &live_lines);
    assert!(stderr.contains("wrote 9 collections"), "{stderr}");
    // --all keeps what each permission set grants, as the fixture attached it.
    let written: Json = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let audit = written["PermissionSets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Name"] == "SecurityAudit")
        .unwrap();
    assert_eq!(
        audit["AttachedManagedPolicies"],
        serde_json::json!([{"Name": "SecurityAudit", "Arn": "arn:aws:iam::aws:policy/SecurityAudit"}])
    );
    assert_eq!(audit["InlinePolicy"], Json::Null);
    let mut offline = common::idcsh();
    offline.args(["--data", &file, "-o", "json"]);
    for line in lines {
        offline.args(["-c", line]);
    }
    let output = offline.output().unwrap();
    let from_file: Vec<Json> = serde_json::Deserializer::from_slice(&output.stdout)
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(&from_aws[..4], &from_file[..]);
    // who-can expands every group assigned on account-00 into its members.
    let expected = expected();
    let mut want: Vec<(String, String, String)> = Vec::new();
    for (account, set, kind, principal) in &expected.assignments {
        if account != "account-00" {
            continue;
        }
        if kind == "USER" {
            want.push((principal.clone(), set.clone(), "direct".into()));
        } else {
            for (group, user) in &expected.memberships {
                if group == principal {
                    want.push((user.clone(), set.clone(), group.clone()));
                }
            }
        }
    }
    want.sort();
    let got: Vec<(String, String, String)> = from_aws[1]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r[0].as_str().unwrap().into(),
                r[1].as_str().unwrap().into(),
                r[2].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(got, want, "rows exactly, sorted by user, set, route");
    assert!(
        got.len() > fixture::USERS,
        "Everyone's 260 members are expanded"
    );
    assert_eq!(
        from_aws[2],
        serde_json::json!(["user-000", "user-001", "user-002", "user-003", "user-004"])
    );
}

#[test]
fn a_user_in_no_group_has_no_groups_and_no_access() {
    expected();
    write_fixture("eu-north-1");
    let mut command = live(common::moto::endpoint());
    command.env("AWS_REGION", "eu-north-1").args([
        "-c",
        ".groups-of carol",
        "-c",
        ".access carol",
        "-c",
        ".groups-of dave | [].GroupName",
    ]);
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let values: Vec<Json> = serde_json::Deserializer::from_slice(&output.stdout)
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        values,
        [
            serde_json::json!([]),
            serde_json::json!([]),
            serde_json::json!(["Release Managers"])
        ]
    );
}

/// Secrets seeded in the environment and in the credentials file never
/// reach stdout, stderr or any file idcsh writes (snapshots, history,
/// saved queries), on success or on error.
#[test]
fn credentials_never_leak_into_output_or_files() {
    expected();
    const ENV_SECRET: &str = "EnvSecretKey/0123456789+abcdefXYZ";
    const ENV_TOKEN: &str = "EnvSessionToken0123456789abcdefXYZ";
    const FILE_SECRET: &str = "FileSecretKey/9876543210+zyxwvuABC";
    let home = common::scratch_home();
    std::fs::write(
        home.join("aws-credentials"),
        format!(
            "[filed]\naws_access_key_id = AKIAFILEDKEY\naws_secret_access_key = {FILE_SECRET}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        home.join("aws-config"),
        "[profile filed]\nregion = us-east-1\n",
    )
    .unwrap();
    let snapshot = home.join("snapshot.json");
    let proxy = Proxy::start(
        common::moto::endpoint(),
        Faults {
            deny: Some("ListGroups".into()),
            ..Faults::default()
        },
    );
    let runs: Vec<(Vec<&str>, Vec<String>)> = vec![
        // Environment credentials: answers, a denied call, a bad name.
        (
            vec![],
            vec![
                "length(Users)".into(),
                ".whoami".into(),
                ".timing on".into(),
                "Groups".into(),
                ".access nobody-at-all".into(),
                format!(".snapshot {}", snapshot.display()),
                ".save leak \"Users[?UserName == '$1']\"".into(),
                ".run leak x | length(@)".into(),
                ".profile no-such-profile".into(),
            ],
        ),
        // Credentials from the file, through a profile.
        (
            vec!["--profile", "filed"],
            vec!["length(Users)".into(), ".whoami".into()],
        ),
    ];
    for (flags, lines) in runs {
        let mut command = common::idcsh_in(&home);
        if flags.is_empty() {
            command
                .env("AWS_ACCESS_KEY_ID", "AKIAENVKEY")
                .env("AWS_SECRET_ACCESS_KEY", ENV_SECRET)
                .env("AWS_SESSION_TOKEN", ENV_TOKEN)
                .env("AWS_REGION", "us-east-1");
        }
        command
            .args(&flags)
            .args(["--endpoint-url", &proxy.url, "-o", "json"]);
        for line in &lines {
            command.args(["-c", line]);
        }
        let out = command.output().unwrap();
        let printed = [out.stdout, out.stderr].concat();
        let printed = String::from_utf8_lossy(&printed);
        assert!(
            printed.contains("access denied calling ListGroups") || flags.len() == 2,
            "{printed}"
        );
        for secret in [ENV_SECRET, ENV_TOKEN, FILE_SECRET] {
            assert!(!printed.contains(secret), "{secret} printed: {printed}");
        }
    }
    // The unreachable endpoint's error names the endpoint, not the keys.
    let out = common::idcsh_in(&home)
        .env("AWS_ACCESS_KEY_ID", "AKIAENVKEY")
        .env("AWS_SECRET_ACCESS_KEY", ENV_SECRET)
        .env("AWS_REGION", "us-east-1")
        .args(["--endpoint-url", "http://127.0.0.1:9", "-c", "Users"])
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stderr);
    assert!(
        !printed.contains(ENV_SECRET) && printed.contains("127.0.0.1:9"),
        "{printed}"
    );
    // Every file idcsh wrote under HOME (all but the credentials file).
    assert!(snapshot.exists());
    let mut pending = vec![home.clone()];
    let mut checked = 0;
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.file_name() != Some("aws-credentials".as_ref()) {
                let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
                for secret in [ENV_SECRET, ENV_TOKEN, FILE_SECRET] {
                    assert!(!text.contains(secret), "{secret} in {}", path.display());
                }
                checked += 1;
            }
        }
    }
    assert!(
        checked >= 3,
        "snapshot, queries and config files checked: {checked}"
    );
}

/// `EffectiveAccess` on the live source: every user's every route equals a
/// brute-force join of what the fixture created (users × assignments ×
/// memberships, by name), with one row per user, account and permission
/// set; and it costs no request beyond the collections it is built from.
#[test]
fn effective_access_is_the_join_of_what_was_created() {
    let expected = expected();
    let mut want: BTreeSet<(String, String, String, String)> = BTreeSet::new();
    for user in &expected.users {
        for (account, set, kind, principal) in &expected.assignments {
            let via = match kind.as_str() {
                "USER" if principal == user => "direct".to_owned(),
                "GROUP"
                    if expected
                        .memberships
                        .iter()
                        .any(|(g, u)| g == principal && u == user) =>
                {
                    principal.clone()
                }
                _ => continue,
            };
            want.insert((user.clone(), account.clone(), set.clone(), via));
        }
    }
    assert!(
        want.len() > 100,
        "the fixture grants access: {}",
        want.len()
    );
    let proxy = Proxy::start(common::moto::endpoint(), Faults::default());
    let (values, _) = run(
        &proxy.url,
        &[
            "EffectiveAccess[].[UserName, AccountName, PermissionSetName, Via]",
            "length(EffectiveAccess)",
        ],
    );
    let mut got = BTreeSet::new();
    let mut rows = BTreeSet::new();
    for row in values[0].as_array().unwrap() {
        let text = |i: usize| row[i].as_str().unwrap().to_owned();
        assert!(
            rows.insert((text(0), text(1), text(2))),
            "one row each: {row}"
        );
        for via in row[3].as_array().unwrap() {
            got.insert((text(0), text(1), text(2), via.as_str().unwrap().to_owned()));
        }
    }
    assert_eq!(got, want);
    assert_eq!(values[1], Json::from(rows.len()));
    let asked: BTreeSet<String> = proxy.operations().into_iter().collect();
    let built_from = [
        "ListInstances",
        "ListUsers",
        "ListGroups",
        "ListGroupMemberships",
        "ListPermissionSets",
        "DescribePermissionSet",
        "ListAccounts",
        "ListPermissionSetsProvisionedToAccount",
        "ListAccountAssignments",
        "GetCallerIdentity",
    ];
    for operation in &asked {
        assert!(
            built_from.contains(&operation.as_str()),
            "asked {operation}"
        );
    }
}
