//! The disk cache never answers for the wrong directory or from stale data
//! unannounced (issue 20): another account's keys, a profile's own keys,
//! an emulator's per-service endpoints, a user created after the cache was
//! written, changes made behind the shell's back, collections of mixed
//! ages, and an endpoint that never answers. Against moto behind the test
//! proxy; every change is made with the SDK, and the expected answers are
//! what the test itself created.

mod common;

use std::path::Path;
use std::time::Duration;

use aws_sdk_ssoadmin::types::{PrincipalType, TargetType};
use common::fixture::Aws;
use common::proxy::{Faults, Proxy};
use serde_json::{Value as Json, json};

/// A small directory in one region: users `{tag}-0..2`; group
/// `{tag}-ops` holding users 0 and 1 and assigned `{tag}-Admin` on
/// accounts `{tag}-a` and `{tag}-b`; user 2 assigned directly on `{tag}-a`.
struct Small {
    store: String,
    instance: String,
    group: String,
    set: String,
    accounts: Vec<String>,
    users: Vec<String>,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

async fn assign(aws: &Aws, small: &Small, account: &str, kind: PrincipalType, id: &str) {
    aws.sso()
        .create_account_assignment()
        .instance_arn(&small.instance)
        .target_id(account)
        .target_type(TargetType::AwsAccount)
        .permission_set_arn(&small.set)
        .principal_type(kind)
        .principal_id(id)
        .send()
        .await
        .expect("CreateAccountAssignment");
}

async fn small(aws: &Aws, tag: &str) -> Small {
    let (instance, store) = aws.instance().await;
    let mut users = Vec::new();
    for i in 0..3 {
        let name = format!("{tag}-{i}");
        users.push(aws.create_user(&store, &name, &name, "Trust").await);
    }
    let group = aws
        .ids()
        .create_group()
        .identity_store_id(&store)
        .display_name(format!("{tag}-ops"))
        .send()
        .await
        .unwrap()
        .group_id()
        .to_owned();
    aws.add_memberships(
        &store,
        vec![
            (group.clone(), users[0].clone()),
            (group.clone(), users[1].clone()),
        ],
    )
    .await;
    let set = aws
        .provisioned_permission_set(&instance, &format!("{tag}-Admin"))
        .await;
    let accounts = aws
        .accounts_named(&[format!("{tag}-a"), format!("{tag}-b")])
        .await;
    let small = Small {
        store,
        instance,
        group,
        set,
        accounts,
        users,
    };
    for account in &small.accounts {
        assign(aws, &small, account, PrincipalType::Group, &small.group).await;
    }
    assign(
        aws,
        &small,
        &small.accounts[0],
        PrincipalType::User,
        &small.users[2],
    )
    .await;
    small
}

/// What one idcsh process printed.
struct Run {
    values: Vec<Json>,
    stderr: String,
    ok: bool,
}

/// idcsh in `home`, signed with the test keys in `region` unless `env`
/// says otherwise, running `args`.
fn idcsh(home: &Path, region: &str, env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut command = common::idcsh_in(home);
    command
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", region)
        .timeout(Duration::from_secs(120))
        .args(["-o", "json"]);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.args(args).output().unwrap();
    Run {
        values: serde_json::Deserializer::from_slice(&output.stdout)
            .into_iter()
            .collect::<Result<_, _>>()
            .unwrap_or_default(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        ok: output.status.success(),
    }
}

fn users_of(values: &[Json]) -> Vec<String> {
    let mut names: Vec<String> = values[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn keys_of_another_account_never_get_the_first_accounts_cache() {
    let region = "us-west-1";
    let (creds, small) = runtime().block_on(async {
        let aws = Aws::connect(common::moto::endpoint(), region).await;
        let small = small(&aws, "acct").await;
        let sts = aws_sdk_sts::Client::new(&aws.config);
        let assumed = sts
            .assume_role()
            .role_arn("arn:aws:iam::222222222222:role/auditor")
            .role_session_name("trust")
            .send()
            .await
            .expect("AssumeRole")
            .credentials
            .expect("credentials");
        (
            (
                assumed.access_key_id,
                assumed.secret_access_key,
                assumed.session_token,
            ),
            small,
        )
    });
    let proxy = Proxy::start(common::moto::endpoint(), Faults::default());
    let home = common::scratch_home();
    let at = ["--endpoint-url", proxy.url.as_str()];
    let first = idcsh(
        &home,
        region,
        &[],
        &[&at[..], &["-c", "Users[].UserName"]].concat(),
    );
    assert!(first.ok, "{}", first.stderr);
    assert_eq!(users_of(&first.values), ["acct-0", "acct-1", "acct-2"]);

    // (a) The other account's keys: its own (empty) directory, and
    // .whoami's account beside its own store.
    let other = [
        ("AWS_ACCESS_KEY_ID", creds.0.as_str()),
        ("AWS_SECRET_ACCESS_KEY", creds.1.as_str()),
        ("AWS_SESSION_TOKEN", creds.2.as_str()),
    ];
    let second = idcsh(
        &home,
        region,
        &other,
        &[&at[..], &["-c", "length(Users)", "-c", ".whoami"]].concat(),
    );
    assert!(second.ok, "{}", second.stderr);
    assert_eq!(second.values[0], json!(0), "{}", second.stderr);
    assert_eq!(second.values[1]["Account"], json!("222222222222"));
    assert_ne!(second.values[1]["IdentityStoreId"], json!(small.store));
    assert!(
        !second.stderr.contains("from the cache"),
        "{}",
        second.stderr
    );

    // The first account's cache still answers the first account.
    proxy.clear();
    let third = idcsh(
        &home,
        region,
        &[],
        &[&at[..], &["-c", "length(Users)"]].concat(),
    );
    assert_eq!(third.values, [json!(3)], "{}", third.stderr);
    assert_eq!(proxy.operations(), ["GetCallerIdentity"]);
    assert!(
        third.stderr.contains("note: Users from the cache"),
        "{}",
        third.stderr
    );

    // (b) AWS_PROFILE=alpha with exported keys fills alpha's folder with
    // the keys' account; `-p alpha` signs with alpha's own keys (the other
    // account) and is not served it.
    std::fs::write(
        home.join("aws-credentials"),
        format!(
            "[alpha]\naws_access_key_id = {}\naws_secret_access_key = {}\naws_session_token = {}\n",
            creds.0, creds.1, creds.2
        ),
    )
    .unwrap();
    let exported = idcsh(
        &home,
        region,
        &[("AWS_PROFILE", "alpha")],
        &[&at[..], &["-c", "length(Users)", "-c", ".whoami | Account"]].concat(),
    );
    assert_eq!(
        exported.values,
        [json!(3), json!("123456789012")],
        "{}",
        exported.stderr
    );
    let own = idcsh(
        &home,
        region,
        &[],
        &[
            &at[..],
            &[
                "-p",
                "alpha",
                "-c",
                "length(Users)",
                "-c",
                ".whoami | Account",
            ],
        ]
        .concat(),
    );
    assert_eq!(
        own.values,
        [json!(0), json!("222222222222")],
        "{}",
        own.stderr
    );
}

#[test]
fn an_emulators_cache_never_answers_a_session_without_its_endpoint() {
    let region = "us-west-2";
    runtime().block_on(async {
        let aws = Aws::connect(common::moto::endpoint(), region).await;
        small(&aws, "endp").await;
    });
    let proxy = Proxy::start(common::moto::endpoint(), Faults::default());
    let home = common::scratch_home();
    let per_service = [
        ("AWS_ENDPOINT_URL_IDENTITYSTORE", proxy.url.as_str()),
        ("AWS_ENDPOINT_URL_SSO_ADMIN", proxy.url.as_str()),
        ("AWS_ENDPOINT_URL_ORGANIZATIONS", proxy.url.as_str()),
        ("AWS_ENDPOINT_URL_STS", proxy.url.as_str()),
    ];
    let first = idcsh(&home, region, &per_service, &["-c", "length(Users)"]);
    assert_eq!(first.values, [json!(3)], "{}", first.stderr);

    // The same variables: the cache answers, and says so.
    proxy.clear();
    let again = idcsh(&home, region, &per_service, &["-c", "length(Users)"]);
    assert_eq!(again.values, [json!(3)], "{}", again.stderr);
    assert_eq!(proxy.operations(), ["GetCallerIdentity"]);

    // Only Identity Store's variable: another folder, so ListUsers is asked.
    proxy.clear();
    let fewer = idcsh(
        &home,
        region,
        &per_service[..1],
        &[
            "--cli-connect-timeout",
            "2",
            "--cli-read-timeout",
            "2",
            "-c",
            "length(Users)",
        ],
    );
    assert!(
        !fewer.ok || proxy.operations().iter().any(|o| o == "ListUsers"),
        "answered from another endpoint's cache: {:?} {}",
        fewer.values,
        fewer.stderr
    );

    // No endpoint at all (AWS itself, unreachable here): never the
    // emulator's data.
    let none = idcsh(
        &home,
        region,
        &[],
        &[
            "--cli-connect-timeout",
            "2",
            "--cli-read-timeout",
            "2",
            "-c",
            "length(Users)",
        ],
    );
    assert!(!none.ok, "answered {:?} without the emulator", none.values);
    assert!(none.values.is_empty());
}

#[test]
fn a_name_the_cache_lacks_is_asked_live_and_changes_behind_the_shell_are_seen() {
    let region = "eu-west-1";
    let aws = runtime().block_on(Aws::connect(common::moto::endpoint(), region));
    let small = runtime().block_on(small(&aws, "late"));
    let proxy = Proxy::start(common::moto::endpoint(), Faults::default());
    let at = ["--endpoint-url", proxy.url.as_str()];
    let mut everything = at.to_vec();
    for line in [
        "length(Users)",
        "length(GroupMemberships)",
        "length(AccountAssignments)",
    ] {
        everything.extend(["-c", line]);
    }
    // Three homes with the same cache: asked by name, by ID, and to add.
    let homes = [
        common::scratch_home(),
        common::scratch_home(),
        common::scratch_home(),
    ];
    for home in &homes {
        let first = idcsh(home, region, &[], &everything);
        assert!(first.ok, "{}", first.stderr);
    }

    // A user created after the cache was written, in the group that has
    // access to both accounts.
    let late = runtime().block_on(async {
        let id = aws
            .create_user(&small.store, "late-new", "Late New", "Trust")
            .await;
        aws.add_memberships(&small.store, vec![(small.group.clone(), id.clone())])
            .await;
        id
    });
    let mut expected: Vec<String> = small.accounts.clone();
    expected.sort();
    for (home, who) in homes.iter().zip(["late-new", late.as_str()]) {
        let run = idcsh(
            home,
            region,
            &[],
            &[
                &at[..],
                &["-c", &format!(".access {who} | [].AccountId | sort(@)")],
            ]
            .concat(),
        );
        assert!(run.ok, "{who}: {}", run.stderr);
        assert_eq!(run.values, [json!(expected)], "{who}: {}", run.stderr);
        assert!(
            run.stderr.contains("is in AWS but not in the cached Users"),
            "{}",
            run.stderr
        );
    }
    // A write names the user the cache lacks too (a dry run: she is
    // already a member).
    let write = idcsh(
        &homes[2],
        region,
        &[],
        &[&at[..], &["-c", ".add-member late-ops late-new --dry-run"]].concat(),
    );
    assert!(write.ok, "{}", write.stderr);
    assert!(
        write
            .stderr
            .contains("dry run: late-new is already a member of late-ops"),
        "{}",
        write.stderr
    );
    let home = &homes[0];
    // The cache was dropped as out of date; groups-of answers with the
    // new member.
    let groups = idcsh(
        home,
        region,
        &[],
        &[&at[..], &["-c", ".groups-of late-new | [].GroupName"]].concat(),
    );
    assert_eq!(groups.values, [json!(["late-ops"])], "{}", groups.stderr);

    // A name AWS does not know either: "no user named", the cache kept.
    let _ = idcsh(home, region, &[], &everything);
    let missing = idcsh(
        home,
        region,
        &[],
        &[&at[..], &["-c", ".access nobody-here"]].concat(),
    );
    assert!(!missing.ok);
    assert!(
        missing.stderr.contains("no user named nobody-here"),
        "{}",
        missing.stderr
    );
    proxy.clear();
    let kept = idcsh(
        home,
        region,
        &[],
        &[&at[..], &["-c", "length(Users)"]].concat(),
    );
    assert_eq!(kept.values, [json!(4)], "{}", kept.stderr);
    assert_eq!(proxy.operations(), ["GetCallerIdentity"]);

    // Behind the shell's back: user 0 leaves the group, user 1 gets a
    // direct assignment on account b.
    runtime().block_on(async {
        let ids = aws.ids();
        let membership = ids
            .get_group_membership_id()
            .identity_store_id(&small.store)
            .group_id(&small.group)
            .member_id(aws_sdk_identitystore::types::MemberId::UserId(
                small.users[0].clone(),
            ))
            .send()
            .await
            .unwrap()
            .membership_id
            .clone();
        ids.delete_group_membership()
            .identity_store_id(&small.store)
            .membership_id(membership)
            .send()
            .await
            .unwrap();
        assign(
            &aws,
            &small,
            &small.accounts[1],
            PrincipalType::User,
            &small.users[1],
        )
        .await;
    });
    let question = ".access late-0 | length(@)";
    // A young cache answers a script, and says that it did and how old it is.
    let young = idcsh(home, region, &[], &[&at[..], &["-c", question]].concat());
    assert_eq!(young.values, [json!(2)], "{}", young.stderr);
    assert!(
        young
            .stderr
            .contains("note: Users, GroupMemberships and AccountAssignments from the cache,")
            && young.stderr.contains(" old; .refresh to fetch"),
        "{}",
        young.stderr
    );
    // Past --cache-max-age (5 minutes by default) a script asks AWS.
    common::age_files(&home.join(".cache/idcsh"), Duration::from_secs(600));
    let fresh = idcsh(
        home,
        region,
        &[],
        &[
            &at[..],
            &[
                "-c",
                question,
                "-c",
                ".access late-1 | [?Via == 'direct'].AccountId",
            ],
        ]
        .concat(),
    );
    assert_eq!(
        fresh.values,
        [json!(0), json!([small.accounts[1].clone()])],
        "{}",
        fresh.stderr
    );
    assert!(!fresh.stderr.contains("from the cache"), "{}", fresh.stderr);
}

#[test]
fn memberships_fetched_live_never_join_users_from_disk() {
    let region = "eu-west-2";
    let aws = runtime().block_on(Aws::connect(common::moto::endpoint(), region));
    let small = runtime().block_on(small(&aws, "mix"));
    let proxy = Proxy::start(common::moto::endpoint(), Faults::default());
    let home = common::scratch_home();
    let at = ["--endpoint-url", proxy.url.as_str()];
    let first = idcsh(
        &home,
        region,
        &[],
        &[&at[..], &["-c", "length(Users)"]].concat(),
    );
    assert_eq!(first.values, [json!(3)], "{}", first.stderr);
    let id = runtime().block_on(async {
        let id = aws
            .create_user(&small.store, "mix-new", "Mix New", "Trust")
            .await;
        aws.add_memberships(&small.store, vec![(small.group.clone(), id.clone())])
            .await;
        id
    });
    let run = idcsh(
        &home,
        region,
        &[],
        &[
            &at[..],
            &[
                "-c",
                &format!("GroupMemberships[?MemberId.UserId == '{id}'].UserName"),
                "-c",
                ".members mix-ops | [].UserName | sort(@)",
            ],
        ]
        .concat(),
    );
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(run.values[0], json!(["mix-new"]), "{}", run.stderr);
    assert_eq!(
        run.values[1],
        json!(["mix-0", "mix-1", "mix-new"]),
        "{}",
        run.stderr
    );
}

#[test]
fn an_endpoint_that_never_answers_ends_the_line_naming_it() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    // Accepts every connection and never answers.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let home = common::scratch_home();
    let run = idcsh(
        &home,
        "us-east-1",
        &[],
        &[
            "--endpoint-url",
            &url,
            "--no-cache",
            "--cli-connect-timeout",
            "1",
            "--cli-read-timeout",
            "1",
            "-c",
            "length(Users)",
        ],
    );
    assert!(!run.ok);
    let error = run.stderr.trim();
    assert_eq!(error.lines().count(), 1, "{error}");
    assert!(error.contains(&url), "{error}");
    assert!(error.contains("ListInstances"), "{error}");
    assert!(error.contains("--cli-read-timeout"), "{error}");
}

#[test]
fn a_cache_whose_caller_cannot_be_confirmed_is_not_used_and_the_user_is_told() {
    let region = "eu-north-1";
    runtime().block_on(async {
        let aws = Aws::connect(common::moto::endpoint(), region).await;
        small(&aws, "who").await;
    });
    let home = common::scratch_home();
    let folder = |url: &str| {
        home.join(".cache/idcsh")
            .join(format!("default@{region}@{}", url.replace([':', '/'], "_")))
    };
    let proxy = Proxy::start(common::moto::endpoint(), Faults::default());
    let filled = idcsh(
        &home,
        region,
        &[],
        &["--endpoint-url", &proxy.url, "-c", "length(Users)"],
    );
    assert!(filled.ok, "{}", filled.stderr);
    // The same cache behind an endpoint that refuses GetCallerIdentity.
    let denying = Proxy::start(
        common::moto::endpoint(),
        Faults {
            deny: Some("GetCallerIdentity".into()),
            ..Faults::default()
        },
    );
    std::fs::rename(folder(&proxy.url), folder(&denying.url)).unwrap();
    let run = idcsh(
        &home,
        region,
        &[],
        &["--endpoint-url", &denying.url, "-c", "length(Users)"],
    );
    assert_eq!(run.values, [json!(3)], "{}", run.stderr);
    assert!(
        run.stderr
            .contains("note: the disk cache was not used: who you are could not be confirmed"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("from the cache,"), "{}", run.stderr);
    assert!(denying.operations().iter().any(|o| o == "ListUsers"));
}

/// A one-shot run reads from the disk cache only what its lines need;
/// its answers and warnings are those of a run that reads it whole: the
/// names the SDK created, and a misspelt field's suggestion, made from
/// the fields the pruned read left out.
#[test]
fn a_one_shot_run_reads_only_what_it_needs_and_says_what_a_whole_read_says() {
    let region = "ap-south-1";
    let aws = runtime().block_on(Aws::connect(common::moto::endpoint(), region));
    let small = runtime().block_on(small(&aws, "prune"));
    let proxy = Proxy::start(common::moto::endpoint(), Faults::default());
    let home = common::scratch_home();
    let at = ["--endpoint-url", proxy.url.as_str()];
    let fill = idcsh(
        &home,
        region,
        &[],
        &[&at[..], &["-c", "length(Users)"]].concat(),
    );
    assert_eq!(fill.values, [json!(3)], "{}", fill.stderr);
    let names = idcsh(
        &home,
        region,
        &[],
        &[&at[..], &["-c", "Users[].UserName | sort(@)"]].concat(),
    );
    // The users `small` created: `{tag}-0` to `{tag}-2`.
    let expected: Vec<String> = (0..small.users.len())
        .map(|i| format!("prune-{i}"))
        .collect();
    assert_eq!(names.values, [json!(expected)], "{}", names.stderr);
    let misspelt = "Users[?Username == 'prune-0'] | length(@)";
    let one_shot = idcsh(&home, region, &[], &[&at[..], &["-c", misspelt]].concat());
    let mut script = common::idcsh_in(&home);
    let script = script
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", region)
        .args(["-o", "json"])
        .args(at)
        .write_stdin(format!("{misspelt}\n"))
        .output()
        .unwrap();
    assert_eq!(one_shot.values, [json!(0)], "{}", one_shot.stderr);
    assert!(
        one_shot.stderr.contains("did you mean UserName?"),
        "{}",
        one_shot.stderr
    );
    assert_eq!(one_shot.stderr, String::from_utf8_lossy(&script.stderr));
}
