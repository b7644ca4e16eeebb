//! AccountAssignments with names for 40 accounts × 10 permission sets,
//! against moto: idcsh against `aws-sso-util admin assignments` on the same
//! endpoint and data, in the same run; then idcsh behind a proxy that
//! throttles beyond 20 requests a second per service, as AWS does, compared
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
    let mut ours = Vec::new();
    for _ in 0..3 {
        let (elapsed, got) = run_idcsh(&idcsh, &endpoint);
        assert_eq!(got, expected, "idcsh's assignments differ from the fixture");
        ours.push(elapsed);
    }
    let mut theirs = Vec::new();
    for _ in 0..3 {
        let (elapsed, got) = run_aws_sso_util(&endpoint, &instance, &store);
        assert_eq!(
            got, expected,
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

    let proxy = Proxy::start(
        &endpoint,
        Faults {
            rate_per_service: Some(20),
            ..Faults::default()
        },
    );
    let (elapsed, got) = run_idcsh(&idcsh, &proxy.url);
    assert_eq!(got, expected, "throttled run differs");
    let operations = proxy.operations();
    let throttled = proxy.faulted.load(std::sync::atomic::Ordering::SeqCst) as usize;
    let mut per_service: std::collections::BTreeMap<&str, usize> = Default::default();
    for call in proxy.calls().iter().filter(|c| !c.faulted) {
        *per_service.entry(service_of(&call.operation)).or_default() += 1;
    }
    // Each service's accepted calls need calls/20 seconds; services run side by side.
    let quota_time = per_service
        .values()
        .map(|n| *n as f64 / 20.0)
        .fold(0.0, f64::max);
    println!(
        "throttled at 20 requests/s per service: {:.2} s for {} requests ({} answered with throttling; accepted per service {:?}); the quota allows the accepted calls in {:.2} s: ratio {:.2}",
        elapsed.as_secs_f64(),
        operations.len(),
        throttled,
        per_service,
        quota_time,
        elapsed.as_secs_f64() / quota_time
    );
}

fn service_of(operation: &str) -> &'static str {
    match operation {
        "ListUsers" | "ListGroups" | "ListGroupMemberships" | "DescribeUser" | "DescribeGroup" => {
            "identitystore"
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
        .args(["--endpoint-url", endpoint, "-o", "json", "-c"])
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
