//! `EffectiveAccess` built from held collections on the largest directory
//! issue 23 plans for: 100,000 users, 3,000 groups, each user in 3 groups
//! and 100 users in 1,000 groups each, 10,000 assignments (9,500 to groups,
//! 500 to users) over 500 accounts and 20 permission sets. Baseline in the
//! same run: one JMESPath pass over every membership
//! (`GroupMemberships[].MemberId.UserId`), the least any join must read.
//! Prints Markdown rows: the median of 5 builds, rows, and the process's
//! peak resident memory before and after the builds.
//! Run: `scripts/bench-effective-access.sh` (sets `IDCSH_BENCH=1`).

use std::time::Instant;

use idcsh::collection::Collection;
use idcsh::doc::Doc;
use idcsh::query::{Query, Val};
use serde_json::{Value as Json, json};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A small deterministic generator (xorshift), so every run builds the same directory.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

fn median_ms(runs: usize, mut work: impl FnMut()) -> f64 {
    let mut samples: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            work();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() {
    // `cargo test --all-targets` runs benchmarks too; this one is run on purpose.
    if std::env::var_os("IDCSH_BENCH").is_none() {
        eprintln!("skipped: run scripts/bench-effective-access.sh");
        return;
    }
    const USERS: usize = 100_000;
    const GROUPS: usize = 3_000;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let user_id = |i: usize| format!("9067a1b2c3-{i:08x}-0000-0000-0000-{i:012x}");
    let group_id = |i: usize| format!("9067a1b2c3-{i:08x}-1111-1111-1111-{i:012x}");
    let users: Vec<Json> = (0..USERS)
        .map(|i| {
            json!({"UserId": user_id(i), "UserName": format!("user-{i:06}"),
                   "DisplayName": format!("User {i}"), "UserStatus": "ENABLED"})
        })
        .collect();
    let groups: Vec<Json> = (0..GROUPS)
        .map(|i| json!({"GroupId": group_id(i), "DisplayName": format!("group-{i:04}")}))
        .collect();
    let mut memberships = Vec::new();
    for u in 0..USERS {
        let count = if u < 100 { 1_000 } else { 3 };
        let first = rng.below(GROUPS);
        for k in 0..count {
            let g = (first + k * 7) % GROUPS;
            memberships.push(
                json!({"GroupId": group_id(g), "MemberId": {"UserId": user_id(u)},
                                    "MembershipId": format!("m-{u}-{k}")}),
            );
        }
    }
    let assignments: Vec<Json> = (0..10_000)
        .map(|i| {
            let (account, set) = (rng.below(500), rng.below(20));
            let (kind, principal, name) = if i < 9_500 {
                let g = rng.below(GROUPS);
                ("GROUP", group_id(g), format!("group-{g:04}"))
            } else {
                let u = rng.below(USERS);
                ("USER", user_id(u), format!("user-{u:06}"))
            };
            json!({"AccountId": format!("{:012}", 100_000_000_000u64 + account as u64),
                   "AccountName": format!("account-{account:03}"),
                   "PermissionSetArn": format!("arn:aws:sso:::permissionSet/ssoins-72230f5d8a9b1c3e/ps-{set:016x}"),
                   "PermissionSetName": format!("Set{set:02}"),
                   "PrincipalType": kind, "PrincipalId": principal, "PrincipalName": name})
        })
        .collect();
    let membership_count = memberships.len();
    let users = Doc::from(Json::Array(users));
    let groups = Doc::from(Json::Array(groups));
    let memberships = Doc::from(Json::Array(memberships));
    let assignments = Doc::from(Json::Array(assignments));
    let held_mib = peak_rss_mib();

    let pass = Query::compile("GroupMemberships[].MemberId.UserId").expect("compiles");
    let root_entries = Val::Object(
        vec![(
            std::borrow::Cow::Borrowed("GroupMemberships"),
            Val::Ref(&memberships),
        )]
        .into(),
    );
    let baseline = median_ms(5, || {
        std::hint::black_box(pass.evaluate(&root_entries).expect("evaluates").array_len());
    });
    let mut rows = 0;
    let built = median_ms(5, || {
        let access = Collection::EffectiveAccess
            .derive(&[&users, &groups, &memberships, &assignments])
            .expect("built");
        rows = access.count();
        std::hint::black_box(&access);
    });
    let after_mib = peak_rss_mib();
    // `.check` over the same directory: the 20 sets with their contents,
    // one of them administrator-equivalent, and the rows built once.
    let access = Collection::EffectiveAccess
        .derive(&[&users, &groups, &memberships, &assignments])
        .expect("built");
    let sets = Doc::from(Json::Array(
        (0..20)
            .map(|set| {
                let managed = if set == 0 {
                    json!([{"Name": "AdministratorAccess", "Arn": "arn:aws:iam::aws:policy/AdministratorAccess"}])
                } else {
                    json!([])
                };
                json!({"Name": format!("Set{set:02}"),
                       "PermissionSetArn": format!("arn:aws:sso:::permissionSet/ssoins-72230f5d8a9b1c3e/ps-{set:016x}"),
                       "AttachedManagedPolicies": managed, "CustomerManagedPolicyReferences": [],
                       "InlinePolicy": null, "PermissionsBoundary": null, "Tags": [],
                       "NotProvisionedTo": []})
            })
            .collect(),
    ));
    let mut findings = 0;
    let checked = median_ms(5, || {
        let found = idcsh::review::findings(
            &idcsh::review::Directory {
                users: &users,
                groups: &groups,
                memberships: &memberships,
                assignments: &assignments,
                permission_sets: &sets,
                access: &access,
            },
            &idcsh::review::CheckOptions {
                admin_limit: 5,
                instance_arn: None,
            },
        );
        findings = found.as_array().map_or(0, Vec::len);
        std::hint::black_box(&found);
    });
    println!(
        "machine: {} cores, {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(
                |c| c.lines().find(|l| l.starts_with("model name")).map(|l| l
                    .split(':')
                    .nth(1)
                    .unwrap_or("")
                    .trim()
                    .to_owned())
            )
            .unwrap_or_default()
    );
    println!(
        "directory: {USERS} users, {GROUPS} groups, {membership_count} memberships, 10,000 assignments; {rows} EffectiveAccess rows"
    );
    println!("| step | median of 5 | ratio to baseline |");
    println!("|---|---:|---:|");
    println!("| baseline: `GroupMemberships[].MemberId.UserId` | {baseline:.1} ms | 1.00 |");
    println!(
        "| EffectiveAccess built from held collections | {built:.1} ms | {:.2} |",
        built / baseline
    );
    println!(
        "| `.check` over them and the rows ({findings} findings) | {checked:.1} ms | {:.2} |",
        checked / baseline
    );
    println!(
        "| peak memory: inputs held / after building | {held_mib:.0} MiB / {after_mib:.0} MiB | |"
    );
}
