//! AccountAssignments with names for 40 accounts × 10 permission sets,
//! against moto: idcsh against `aws-sso-util admin assignments` on the same
//! endpoint and data, in the same run; then idcsh behind a proxy that
//! throttles beyond 20 requests a second per quota, as AWS does, compared
//! with the time that quota allows for the calls made.
//!
//! Run with `scripts/bench-assignments.sh` (it installs moto and
//! aws-sso-util into .venv and builds idcsh in release mode).

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::BTreeSet;
use std::process::Command;
use std::time::{Duration, Instant};

use aws_sdk_ssoadmin::types::{PrincipalType, ProvisionTargetType, TargetType};
use common::fixture::Aws;
use common::proxy::{Faults, Proxy};
use futures_util::{StreamExt, stream};

const REGION: &str = "eu-central-1";
const ACCOUNTS: usize = 40;
const PERMISSION_SETS: usize = 10;
const GROUPS: usize = 20;
const USERS: usize = 40;

type Assignment = (String, String, String, String);

fn main() {
    if std::env::var_os("IDCSH_BENCH").is_none() {
        eprintln!("skipped: run scripts/bench-assignments.sh");
        return;
    }
    let endpoint = common::moto::endpoint().to_owned();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (instance, store, expected) = runtime.block_on(build(&endpoint));
    println!(
        "directory: {ACCOUNTS} accounts × {PERMISSION_SETS} permission sets, {} assignments, {GROUPS} groups, {USERS} users",
        expected.len()
    );

    let idcsh = std::env::var("IDCSH_BIN").unwrap_or_else(|_| "target/release/idcsh".into());
    // `IDCSH_BENCH_ONLY=throttled` runs the throttled part alone.
    let only_throttled = std::env::var("IDCSH_BENCH_ONLY").is_ok_and(|v| v == "throttled");
    if !only_throttled {
        compare_with_aws_sso_util(&endpoint, &idcsh, &instance, &store, &expected);
    }
    throttled_benchmark(&endpoint, &idcsh, &expected);
    if !only_throttled {
        insights_benchmark(&endpoint, &idcsh, &runtime);
    }
}

/// idcsh and `aws-sso-util admin assignments` on the same endpoint and data.
fn compare_with_aws_sso_util(
    endpoint: &str,
    idcsh: &str,
    instance: &str,
    store: &str,
    expected: &BTreeSet<Assignment>,
) {
    let mut ours = Vec::new();
    for _ in 0..3 {
        let (elapsed, got) = run_idcsh(idcsh, endpoint);
        assert_eq!(
            &got, expected,
            "idcsh's assignments differ from the fixture"
        );
        ours.push(elapsed);
    }
    let mut theirs = Vec::new();
    for _ in 0..3 {
        let (elapsed, got) = run_aws_sso_util(endpoint, instance, store);
        assert_eq!(
            &got, expected,
            "aws-sso-util's assignments differ from the fixture"
        );
        theirs.push(elapsed);
    }
    let (ours, theirs) = (median(ours), median(theirs));
    println!("| tool | median of 3 (cold process) | assignments |");
    println!("|---|---:|---:|");
    println!(
        "| aws-sso-util admin assignments --lookup-names | {:.2} s | {} |",
        theirs.as_secs_f64(),
        expected.len()
    );
    println!(
        "| idcsh `AccountAssignments` (concurrency 8) | {:.2} s | {} |",
        ours.as_secs_f64(),
        expected.len()
    );
    println!(
        "speed-up: {:.1}x, identical assignments: yes",
        theirs.as_secs_f64() / ours.as_secs_f64()
    );
}

/// idcsh behind a proxy that throttles beyond 20 requests a second per
/// quota, three runs, each against the time the quota allows for the calls
/// it made.
fn throttled_benchmark(endpoint: &str, idcsh: &str, expected: &BTreeSet<Assignment>) {
    let mut ratios = Vec::new();
    for _ in 0..3 {
        let proxy = Proxy::start(
            endpoint,
            Faults {
                rate_per_quota: Some(20),
                ..Faults::default()
            },
        );
        let (elapsed, got) = run_idcsh(idcsh, &proxy.url);
        assert_eq!(&got, expected, "throttled run differs");
        let operations = proxy.operations();
        let throttled = proxy.faulted.load(std::sync::atomic::Ordering::SeqCst) as usize;
        let mut per_quota: std::collections::BTreeMap<String, usize> = Default::default();
        for call in proxy.calls().iter().filter(|c| !c.faulted) {
            *per_quota
                .entry(quota_of(&call.operation).to_owned())
                .or_default() += 1;
        }
        // Each quota's accepted calls need calls/20 seconds; quotas run side by side.
        let quota_time = per_quota
            .values()
            .map(|n| *n as f64 / 20.0)
            .fold(0.0, f64::max);
        println!(
            "throttled at 20 requests/s per quota: {:.2} s for {} requests ({} answered with throttling; accepted per quota {:?}); the quota allows the accepted calls in {:.2} s: ratio {:.2}",
            elapsed.as_secs_f64(),
            operations.len(),
            throttled,
            per_quota,
            quota_time,
            elapsed.as_secs_f64() / quota_time
        );
        ratios.push(elapsed.as_secs_f64() / quota_time);
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "throttled runs: ratios {:?}, median {:.2}",
        ratios.iter().map(|r| format!("{r:.2}")).collect::<Vec<_>>(),
        ratios[1]
    );
}

/// `.access` and `.who-can` on 2,000 users, 100 groups, 40 accounts and 10
/// permission sets: cold (a fresh process) and warm (the next line in the
/// same process), with the AWS requests each needed.
fn insights_benchmark(endpoint: &str, idcsh: &str, runtime: &tokio::runtime::Runtime) {
    const REGION: &str = "us-west-2";
    runtime.block_on(build_large(endpoint, REGION));
    println!(
        "\n### .access and .who-can: 2,000 users, 100 groups, 4,000 memberships, 40 accounts × 10 permission sets, 400 assignments\n"
    );
    println!("| line | time | AWS requests |");
    println!("|---|---:|---:|");
    let runs: [&[&str]; 3] = [
        &[".access user-0007", ".access user-1234"],
        &[".who-can bench-07", ".who-can bench-21 Set03"],
        &[
            "length(AccountAssignments)",
            "length(GroupMemberships)",
            ".access user-0007",
            ".who-can bench-07",
        ],
    ];
    for lines in runs {
        let mut command = Command::new(idcsh);
        command
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", REGION)
            .env("AWS_CONFIG_FILE", "/nonexistent")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
            .args(["--no-cache", "--endpoint-url", endpoint, "-o", "json"])
            .args(["-c", ".timing on"]);
        for line in lines {
            command.args(["-c", line]);
        }
        let output = command.output().expect("idcsh runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        let timings: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("time: "))
            .skip(1)
            .collect();
        for (i, (line, timing)) in lines.iter().zip(timings).enumerate() {
            let (time, requests) = timing
                .trim_start_matches("time: ")
                .split_once(", AWS requests: ")
                .unwrap_or_default();
            let when = if i == 0 { "cold" } else { "warm" };
            println!("| `{line}` ({when}) | {time} | {requests} |");
        }
    }
}

async fn build_large(endpoint: &str, region: &str) {
    let aws = Aws::connect(endpoint, region).await;
    let (instance, store) = aws.instance().await;
    let ids = aws.ids();
    let users: Vec<String> = stream::iter(0..2000)
        .map(|u| {
            let (ids, store) = (ids.clone(), store.clone());
            async move {
                ids.create_user()
                    .identity_store_id(store)
                    .user_name(format!("user-{u:04}"))
                    .display_name(format!("User {u}"))
                    .name(
                        aws_sdk_identitystore::types::Name::builder()
                            .given_name("U")
                            .family_name(format!("{u}"))
                            .build(),
                    )
                    .send()
                    .await
                    .expect("CreateUser")
                    .user_id()
                    .to_owned()
            }
        })
        .buffered(8)
        .collect()
        .await;
    let groups: Vec<String> = stream::iter(0..100)
        .map(|g| {
            let (ids, store) = (ids.clone(), store.clone());
            async move {
                ids.create_group()
                    .identity_store_id(store)
                    .display_name(format!("squad-{g:03}"))
                    .send()
                    .await
                    .expect("CreateGroup")
                    .group_id()
                    .to_owned()
            }
        })
        .buffered(8)
        .collect()
        .await;
    // Each user in two groups (one when the two coincide: never a duplicate).
    let pairs = (0..2000usize).flat_map(|u| {
        let (a, b) = (u % 100, (u * 7 + 3) % 100);
        if a == b {
            vec![(a, u)]
        } else {
            vec![(a, u), (b, u)]
        }
    });
    stream::iter(pairs)
        .map(|(g, u)| {
            let (ids, store, group, user) = (
                ids.clone(),
                store.clone(),
                groups[g].clone(),
                users[u].clone(),
            );
            async move {
                ids.create_group_membership()
                    .identity_store_id(store)
                    .group_id(group)
                    .member_id(aws_sdk_identitystore::types::MemberId::UserId(user))
                    .send()
                    .await
                    .expect("CreateGroupMembership");
            }
        })
        .buffered(8)
        .collect::<Vec<()>>()
        .await;
    let sso = aws.sso();
    let mut sets = Vec::new();
    for p in 0..PERMISSION_SETS {
        let out = sso
            .create_permission_set()
            .instance_arn(&instance)
            .name(format!("Set{p:02}"))
            .session_duration("PT8H")
            .send()
            .await
            .expect("CreatePermissionSet");
        let arn = out
            .permission_set()
            .and_then(|s| s.permission_set_arn())
            .unwrap_or_default()
            .to_owned();
        sso.provision_permission_set()
            .instance_arn(&instance)
            .permission_set_arn(&arn)
            .target_type(ProvisionTargetType::AllProvisionedAccounts)
            .send()
            .await
            .expect("ProvisionPermissionSet");
        sets.push(arn);
    }
    let accounts = aws
        .org()
        .list_accounts()
        .max_results(20)
        .send()
        .await
        .expect("ListAccounts");
    let mut account_ids: Vec<(String, String)> = Vec::new();
    let mut next = accounts.next_token().map(str::to_owned);
    account_ids.extend(accounts.accounts().iter().map(|a| {
        (
            a.name().unwrap_or_default().to_owned(),
            a.id().unwrap_or_default().to_owned(),
        )
    }));
    while let Some(token) = next {
        let page = aws
            .org()
            .list_accounts()
            .max_results(20)
            .next_token(token)
            .send()
            .await
            .expect("ListAccounts");
        account_ids.extend(page.accounts().iter().map(|a| {
            (
                a.name().unwrap_or_default().to_owned(),
                a.id().unwrap_or_default().to_owned(),
            )
        }));
        next = page.next_token().map(str::to_owned);
    }
    account_ids.retain(|(name, _)| name.starts_with("bench-"));
    for (a, (_, account)) in account_ids.iter().enumerate() {
        for (p, set) in sets.iter().enumerate() {
            sso.create_account_assignment()
                .instance_arn(&instance)
                .target_id(account)
                .target_type(TargetType::AwsAccount)
                .permission_set_arn(set)
                .principal_type(PrincipalType::Group)
                .principal_id(&groups[(a * 10 + p) % 100])
                .send()
                .await
                .expect("CreateAccountAssignment");
        }
    }
}

/// The quota an operation counts against: sso-admin as a whole, each
/// Identity Store API on its own, Organizations as a whole.
fn quota_of(operation: &str) -> &str {
    match operation {
        "ListUsers" | "ListGroups" | "ListGroupMemberships" | "DescribeUser" | "DescribeGroup" => {
            operation
        }
        "ListAccounts" => "organizations",
        _ => "sso-admin",
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn run_idcsh(idcsh: &str, endpoint: &str) -> (Duration, BTreeSet<Assignment>) {
    let started = Instant::now();
    let output = Command::new(idcsh)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", REGION)
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .args(["--no-cache", "--endpoint-url", endpoint, "-o", "json", "-c"])
        .arg("AccountAssignments[].[AccountId, PermissionSetArn, PrincipalType, PrincipalId]")
        .output()
        .expect("idcsh runs");
    let elapsed = started.elapsed();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rows: Vec<Vec<String>> = serde_json::from_slice(&output.stdout).expect("JSON");
    (
        elapsed,
        rows.into_iter()
            .map(|r| (r[0].clone(), r[1].clone(), r[2].clone(), r[3].clone()))
            .collect(),
    )
}

fn run_aws_sso_util(
    endpoint: &str,
    instance: &str,
    store: &str,
) -> (Duration, BTreeSet<Assignment>) {
    let tool = concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/aws-sso-util");
    let started = Instant::now();
    let output = Command::new(tool)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_DEFAULT_REGION", REGION)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .args([
            "admin",
            "assignments",
            "--instance-arn",
            instance,
            "--identity-store-id",
            store,
            "--lookup-names",
            "--sep",
            "\t",
        ])
        .output()
        .expect("aws-sso-util runs");
    let elapsed = started.elapsed();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout);
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("no {name} in {header:?}"))
    };
    let (account, ps, kind, principal) = (
        column("target_id"),
        column("permission_set_arn"),
        column("principal_type"),
        column("principal_id"),
    );
    let rows = lines
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .map(|f| {
            (
                f[account].to_owned(),
                f[ps].to_owned(),
                f[kind].to_owned(),
                f[principal].to_owned(),
            )
        })
        .collect();
    (elapsed, rows)
}

/// Groups, users, 40 accounts, 10 provisioned permission sets, and one group
/// assignment per (account, permission set), plus a user on the first set.
async fn build(endpoint: &str) -> (String, String, BTreeSet<Assignment>) {
    let aws = Aws::connect(endpoint, REGION).await;
    let (instance, store) = aws.instance().await;
    let ids = aws.ids();
    let mut groups = Vec::new();
    for g in 0..GROUPS {
        let out = ids
            .create_group()
            .identity_store_id(&store)
            .display_name(format!("team-{g:02}"))
            .send()
            .await
            .expect("CreateGroup");
        groups.push(out.group_id().to_owned());
    }
    let mut users = Vec::new();
    for u in 0..USERS {
        let out = ids
            .create_user()
            .identity_store_id(&store)
            .user_name(format!("person-{u:02}"))
            .display_name(format!("Person {u}"))
            .name(
                aws_sdk_identitystore::types::Name::builder()
                    .given_name("P")
                    .family_name(format!("{u}"))
                    .build(),
            )
            .send()
            .await
            .expect("CreateUser");
        users.push(out.user_id().to_owned());
    }
    let sso = aws.sso();
    let mut sets = Vec::new();
    for p in 0..PERMISSION_SETS {
        let out = sso
            .create_permission_set()
            .instance_arn(&instance)
            .name(format!("Set{p:02}"))
            .session_duration("PT8H")
            .send()
            .await
            .expect("CreatePermissionSet");
        let arn = out
            .permission_set()
            .and_then(|s| s.permission_set_arn())
            .unwrap_or_default()
            .to_owned();
        sso.provision_permission_set()
            .instance_arn(&instance)
            .permission_set_arn(&arn)
            .target_type(ProvisionTargetType::AllProvisionedAccounts)
            .send()
            .await
            .expect("ProvisionPermissionSet");
        sets.push(arn);
    }
    let org = aws.org();
    let _ = org
        .create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await;
    let mut accounts = Vec::new();
    for a in 0..ACCOUNTS {
        let out = org
            .create_account()
            .account_name(format!("bench-{a:02}"))
            .email(format!("bench+{a}@example.com"))
            .send()
            .await
            .expect("CreateAccount");
        accounts.push(
            out.create_account_status()
                .and_then(|s| s.account_id())
                .unwrap_or_default()
                .to_owned(),
        );
    }
    let mut expected = BTreeSet::new();
    for (a, account) in accounts.iter().enumerate() {
        for (p, set) in sets.iter().enumerate() {
            let mut principals = vec![("GROUP", groups[(a + p) % GROUPS].clone())];
            if p == 0 {
                principals.push(("USER", users[a % USERS].clone()));
            }
            for (kind, id) in principals {
                sso.create_account_assignment()
                    .instance_arn(&instance)
                    .target_id(account)
                    .target_type(TargetType::AwsAccount)
                    .permission_set_arn(set)
                    .principal_type(if kind == "GROUP" {
                        PrincipalType::Group
                    } else {
                        PrincipalType::User
                    })
                    .principal_id(&id)
                    .send()
                    .await
                    .expect("CreateAccountAssignment");
                expected.insert((account.clone(), set.clone(), kind.to_owned(), id));
            }
        }
    }
    (instance, store, expected)
}
