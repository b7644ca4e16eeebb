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

use aws_sdk_ssoadmin::types::{PrincipalType, TargetType};
use common::fixture::Aws;
use common::proxy::{Faults, Proxy, quota_of};

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
    runtime.block_on(async {
        let aws = Aws::connect(endpoint, REGION).await;
        common::fixture::build_scale(&aws).await
    });
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
        let name = format!("person-{u:02}");
        users.push(
            aws.create_user(&store, &name, &format!("Person {u}"), &format!("{u}"))
                .await,
        );
    }
    let mut sets = Vec::new();
    for p in 0..PERMISSION_SETS {
        sets.push(
            aws.provisioned_permission_set(&instance, &format!("Set{p:02}"))
                .await,
        );
    }
    let names: Vec<String> = (0..ACCOUNTS).map(|a| format!("bench-{a:02}")).collect();
    let accounts = aws.accounts_named(&names).await;
    let sso = aws.sso();
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
