//! An access review against moto: a clean directory built through the SDK
//! has no findings; a snapshot, then changes made through the SDK, and
//! `.diff` names exactly those; then problems planted through the SDK (and,
//! where moto cannot hold them, answered by the test proxy as AWS would),
//! and `.check` finds each one. The expected answers are written here from
//! what the test did, never computed by idcsh.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_identitystore::types::MemberId;
use aws_sdk_ssoadmin::types::{PrincipalType, ProvisionTargetType, TargetType};
use common::fixture::Aws;
use common::proxy::{Faults, Proxy};
use serde_json::{Value as Json, json};

const REGION: &str = "ap-northeast-2";

/// idcsh against the proxy in this test's region, JSON out, no disk cache.
fn run(proxy: &Proxy, lines: &[&str]) -> Vec<Json> {
    let mut command = common::idcsh();
    command
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", REGION)
        .args(["--endpoint-url", &proxy.url, "-o", "json", "--no-cache"]);
    for line in lines {
        command.args(["-c", line]);
    }
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{lines:?}: {stderr}");
    serde_json::Deserializer::from_slice(&output.stdout)
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The directory the test builds and changes, by name.
struct Directory {
    aws: Aws,
    instance: String,
    store: String,
    account: String,
    users: BTreeMap<String, String>,
    groups: BTreeMap<String, String>,
    sets: BTreeMap<String, String>,
}

impl Directory {
    async fn user(&mut self, name: &str) -> String {
        let out = self
            .aws
            .ids()
            .create_user()
            .identity_store_id(&self.store)
            .user_name(name)
            .display_name(name)
            .name(
                aws_sdk_identitystore::types::Name::builder()
                    .given_name(name)
                    .family_name("Review")
                    .build(),
            )
            .send()
            .await
            .unwrap();
        let id = out.user_id().to_owned();
        self.users.insert(name.to_owned(), id.clone());
        id
    }

    async fn group(&mut self, name: &str) -> String {
        let out = self
            .aws
            .ids()
            .create_group()
            .identity_store_id(&self.store)
            .display_name(name)
            .send()
            .await
            .unwrap();
        let id = out.group_id().to_owned();
        self.groups.insert(name.to_owned(), id.clone());
        id
    }

    async fn join(&self, group: &str, user: &str) -> String {
        self.aws
            .ids()
            .create_group_membership()
            .identity_store_id(&self.store)
            .group_id(&self.groups[group])
            .member_id(MemberId::UserId(self.users[user].clone()))
            .send()
            .await
            .unwrap()
            .membership_id()
            .to_owned()
    }

    /// A permission set with a managed policy, provisioned.
    async fn set(&mut self, name: &str, policy: &str) -> String {
        let sso = self.aws.sso();
        let out = sso
            .create_permission_set()
            .instance_arn(&self.instance)
            .name(name)
            .session_duration("PT1H")
            .send()
            .await
            .unwrap();
        let arn = out
            .permission_set()
            .and_then(|p| p.permission_set_arn())
            .unwrap()
            .to_owned();
        sso.attach_managed_policy_to_permission_set()
            .instance_arn(&self.instance)
            .permission_set_arn(&arn)
            .managed_policy_arn(policy)
            .send()
            .await
            .unwrap();
        sso.provision_permission_set()
            .instance_arn(&self.instance)
            .permission_set_arn(&arn)
            .target_type(ProvisionTargetType::AllProvisionedAccounts)
            .send()
            .await
            .unwrap();
        self.sets.insert(name.to_owned(), arn.clone());
        arn
    }

    async fn assign(&self, set: &str, kind: PrincipalType, principal: &str) {
        self.aws
            .sso()
            .create_account_assignment()
            .instance_arn(&self.instance)
            .target_id(&self.account)
            .target_type(TargetType::AwsAccount)
            .permission_set_arn(&self.sets[set])
            .principal_type(kind)
            .principal_id(principal)
            .send()
            .await
            .unwrap();
    }
}

fn strings(value: &Json, keys: &[&str]) -> BTreeSet<Vec<String>> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            keys.iter()
                .map(|k| item[*k].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .collect()
}

fn set_of(rows: &[&[&str]]) -> BTreeSet<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(|s| (*s).to_owned()).collect())
        .collect()
}

#[test]
fn a_quarterly_review_finds_what_was_changed_and_what_was_planted() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let endpoint = common::moto::endpoint();
    let mut d = runtime.block_on(async {
        let aws = Aws::connect(endpoint, REGION).await;
        let (instance, store) = aws.instance().await;
        let org = aws.org();
        org.create_organization()
            .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
            .send()
            .await
            .unwrap();
        let created = org
            .create_account()
            .account_name("workloads")
            .email("workloads@example.com")
            .send()
            .await
            .unwrap();
        let account = created
            .create_account_status()
            .and_then(|s| s.account_id())
            .unwrap()
            .to_owned();
        let mut d = Directory {
            aws,
            instance,
            store,
            account,
            users: BTreeMap::new(),
            groups: BTreeMap::new(),
            sets: BTreeMap::new(),
        };
        // Clean: three engineers in one group, a read-only set assigned to it.
        for name in ["alice", "bob", "carol"] {
            d.user(name).await;
        }
        let engineers = d.group("Engineers").await;
        for name in ["alice", "bob", "carol"] {
            d.join("Engineers", name).await;
        }
        d.set("ReadOnly", "arn:aws:iam::aws:policy/ReadOnlyAccess")
            .await;
        d.assign("ReadOnly", PrincipalType::Group, &engineers).await;
        d
    });
    let clean = Proxy::start(endpoint, Faults::default());
    let dir = tempfile::tempdir().unwrap();
    let q3 = dir.path().join("q3.json");
    let q3 = q3.to_str().unwrap();
    let found = run(
        &clean,
        &[".check --admins 1", &format!(".snapshot {q3} --all")],
    );
    assert_eq!(found[0], json!([]), "a clean directory has no findings");

    // The quarter's changes, through the SDK.
    let old_alice = runtime.block_on(async {
        let ids = d.aws.ids();
        // bob leaves Engineers.
        let memberships = ids
            .list_group_memberships()
            .identity_store_id(&d.store)
            .group_id(&d.groups["Engineers"])
            .send()
            .await
            .unwrap();
        for m in memberships.group_memberships() {
            let member = match m.member_id() {
                Some(MemberId::UserId(id)) => id.clone(),
                _ => continue,
            };
            if member == d.users["bob"] || member == d.users["alice"] {
                ids.delete_group_membership()
                    .identity_store_id(&d.store)
                    .membership_id(m.membership_id())
                    .send()
                    .await
                    .unwrap();
            }
        }
        // alice is deleted and made again under the same name (a new ID),
        // and put back in Engineers.
        let old_alice = d.users["alice"].clone();
        ids.delete_user()
            .identity_store_id(&d.store)
            .user_id(&old_alice)
            .send()
            .await
            .unwrap();
        d.user("alice").await;
        d.join("Engineers", "alice").await;
        // carol is given administrator access directly.
        d.set("Admin", "arn:aws:iam::aws:policy/AdministratorAccess")
            .await;
        let carol = d.users["carol"].clone();
        d.assign("Admin", PrincipalType::User, &carol).await;
        // ReadOnly's inline policy is changed.
        d.aws
            .sso()
            .put_inline_policy_to_permission_set()
            .instance_arn(&d.instance)
            .permission_set_arn(&d.sets["ReadOnly"])
            .inline_policy(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#)
            .send()
            .await
            .unwrap();
        old_alice
    });
    let changed = Proxy::start(endpoint, Faults::default());
    let diff = run(&changed, &[&format!(".diff {q3}")]).remove(0);
    let row = ["UserName", "AccountName", "PermissionSetName"];
    assert_eq!(
        strings(&diff["Gained"], &row),
        set_of(&[&["carol", "workloads", "Admin"]])
    );
    assert_eq!(
        strings(&diff["Lost"], &row),
        set_of(&[&["bob", "workloads", "ReadOnly"]])
    );
    assert_eq!(
        strings(&diff["MembershipsRemoved"], &["GroupName", "UserName"]),
        set_of(&[&["Engineers", "bob"]])
    );
    assert_eq!(diff["MembershipsAdded"], json!([]));
    assert_eq!(
        diff["Recreated"],
        json!([{"Type": "USER", "Name": "alice", "OldId": old_alice, "NewId": d.users["alice"]}])
    );
    assert_eq!(
        strings(&diff["PermissionSetsChanged"], &["Name"]),
        set_of(&[&["ReadOnly"]])
    );
    assert_eq!(
        diff["PermissionSetsChanged"][0]["Fields"],
        json!(["InlinePolicy"])
    );
    assert_eq!(
        diff["PermissionSetsChanged"][0]["After"]["InlinePolicy"]["Statement"][0]["Action"],
        "s3:GetObject"
    );
    assert_eq!(
        strings(&diff["PermissionSetsAdded"], &["Name"]),
        set_of(&[&["Admin"]])
    );
    for kind in ["PermissionSetsRemoved", "AccountsAdded", "AccountsRemoved"] {
        assert_eq!(diff[kind], json!([]), "{kind}");
    }

    // Problems, planted.
    let (leaver, dormant, synced) = runtime.block_on(async {
        // A leaver's direct assignment outlives the user.
        let leaver = d.user("leaver").await;
        d.assign("ReadOnly", PrincipalType::User, &leaver).await;
        d.aws
            .ids()
            .delete_user()
            .identity_store_id(&d.store)
            .user_id(&leaver)
            .send()
            .await
            .unwrap();
        // A disabled user still in Engineers.
        let dormant = d.user("dormant").await;
        d.join("Engineers", "dormant").await;
        // A group assigned access and with no members.
        let empty = d.group("Empty Team").await;
        d.assign("ReadOnly", PrincipalType::Group, &empty).await;
        // A set assigned nowhere.
        d.set("Unused", "arn:aws:iam::aws:policy/SecurityAudit")
            .await;
        // Administrator access for all of Engineers.
        let engineers = d.groups["Engineers"].clone();
        d.assign("Admin", PrincipalType::Group, &engineers).await;
        // A group synced from the identity provider, with a member added
        // here by hand.
        let synced = d.group("Synced Team").await;
        d.join("Synced Team", "carol").await;
        (leaver, dormant, synced)
    });
    let mut not_provisioned = BTreeMap::new();
    not_provisioned.insert(d.sets["ReadOnly"].clone(), vec![d.account.clone()]);
    let mut patches = BTreeMap::new();
    patches.insert(dormant, json!({"UserStatus": "DISABLED"}));
    patches.insert(
        synced,
        json!({"ExternalIds": [{"Issuer": "https://idp.example.com/scim", "Id": "00g1"}]}),
    );
    let planted = Proxy::start(
        endpoint,
        Faults {
            not_provisioned,
            patches,
            ..Faults::default()
        },
    );
    let found = run(&planted, &[".check --admins 1"]).remove(0);
    assert_eq!(
        strings(&found, &["Check", "Subject"]),
        set_of(&[
            &["admin-widely-held", "Admin"],
            &["direct-assignment", "carol"],
            &["disabled-user-with-access", "dormant"],
            &["group-without-members", "Empty Team"],
            &["manual-change-in-synced-group", "Synced Team"],
            &["not-provisioned", "ReadOnly"],
            &["orphaned-assignment", &leaver],
            &["unused-permission-set", "Unused"],
        ])
    );
    // The rows involved are named: who holds Admin, and where ReadOnly is stale.
    let finding = |check: &str| {
        found
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["Check"] == check)
            .unwrap()
            .clone()
    };
    assert_eq!(
        strings(&finding("admin-widely-held")["Rows"], &["UserName"]),
        set_of(&[&["alice"], &["carol"], &["dormant"]])
    );
    assert_eq!(
        finding("not-provisioned")["Rows"],
        json!([{"AccountId": d.account, "AccountName": "workloads"}])
    );
    assert_eq!(finding("admin-widely-held")["Severity"], "high");
}

/// Applications and who is assigned to them, and the instance's ABAC
/// attributes: moto has none of these operations, so the proxy answers
/// them as the AWS API reference documents them (150 applications, two
/// pages), over users and groups made in moto; the names joined on and
/// the requests spent are checked against what the test gave.
#[test]
fn applications_and_their_assignments_are_collections() {
    const REGION_APPS: &str = "ap-southeast-1";
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let endpoint = common::moto::endpoint();
    let (instance, users, groups) = runtime.block_on(async {
        let aws = Aws::connect(endpoint, REGION_APPS).await;
        let (instance, store) = aws.instance().await;
        let ids = aws.ids();
        let mut users = Vec::new();
        for name in ["dana", "eli"] {
            let out = ids
                .create_user()
                .identity_store_id(&store)
                .user_name(name)
                .display_name(name)
                .name(
                    aws_sdk_identitystore::types::Name::builder()
                        .given_name(name)
                        .family_name("Apps")
                        .build(),
                )
                .send()
                .await
                .unwrap();
            users.push((name.to_owned(), out.user_id().to_owned()));
        }
        let group = ids
            .create_group()
            .identity_store_id(&store)
            .display_name("Sales")
            .send()
            .await
            .unwrap();
        (
            instance,
            users,
            vec![("Sales".to_owned(), group.group_id().to_owned())],
        )
    });
    let app = |i: usize| {
        json!({
            "ApplicationArn": format!("arn:aws:sso::111122223333:application/ssoins-1/apl-{i:04}"),
            "ApplicationProviderArn": "arn:aws:sso::aws:applicationProvider/custom",
            "Name": format!("app-{i:03}"),
            "ApplicationAccount": "111122223333",
            "InstanceArn": instance,
            "Status": if i.is_multiple_of(10) { "DISABLED" } else { "ENABLED" },
            "PortalOptions": {
                "SignInOptions": {"Origin": "APPLICATION", "ApplicationUrl": format!("https://app-{i}.example.com")},
                "Visibility": "ENABLED"
            }
        })
    };
    let applications: Vec<Json> = (0..150).map(app).collect();
    let mut assigned = BTreeMap::new();
    let mut want = BTreeSet::new();
    for (i, a) in applications.iter().enumerate().take(3) {
        let arn = a["ApplicationArn"].as_str().unwrap().to_owned();
        let (kind, (name, id)) = match i {
            0 => ("USER", &users[0]),
            1 => ("USER", &users[1]),
            _ => ("GROUP", &groups[0]),
        };
        assigned.insert(
            arn.clone(),
            vec![json!({"ApplicationArn": arn, "PrincipalType": kind, "PrincipalId": id})],
        );
        want.insert(vec![
            a["Name"].as_str().unwrap().to_owned(),
            kind.to_owned(),
            name.clone(),
        ]);
    }
    let abac = json!({
        "Status": "ENABLED",
        "InstanceAccessControlAttributeConfiguration": {
            "AccessControlAttributes": [{"Key": "Team", "Value": {"Source": ["${path:enterprise.department}"]}}]
        }
    });
    let proxy = Proxy::start(
        endpoint,
        Faults {
            applications: applications.clone(),
            application_assignments: assigned,
            access_control_attributes: Some(abac),
            instance_encryption: Some(
                json!({"KeyType": "AWS_OWNED_KMS_KEY", "EncryptionStatus": "ENABLED"}),
            ),
            ..Faults::default()
        },
    );
    let mut command = common::idcsh();
    command
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", REGION_APPS)
        .args(["--endpoint-url", &proxy.url, "-o", "json", "--no-cache"])
        .args([
            "-c",
            "Applications",
            "-c",
            "ApplicationAssignments[].{a: ApplicationName, t: PrincipalType, p: PrincipalName}",
            "-c",
            "Instances[0].{attributes: AccessControlAttributes, status: AccessControlAttributesStatus, key: EncryptionConfigurationDetails.KeyType}",
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
    assert_eq!(values[0], Json::Array(applications.clone()));
    assert_eq!(strings(&values[1], &["a", "t", "p"]), want);
    assert_eq!(
        values[2],
        json!({
            "attributes": [{"Key": "Team", "Value": {"Source": ["${path:enterprise.department}"]}}],
            "status": "ENABLED",
            "key": "AWS_OWNED_KMS_KEY"
        })
    );
    let ops = proxy.operations();
    let count = |op: &str| ops.iter().filter(|o| *o == op).count();
    assert_eq!(count("ListApplications"), 2, "two pages");
    assert_eq!(
        count("ListApplicationAssignments"),
        150,
        "one per application"
    );
    assert_eq!(count("DescribeInstance"), 1);
    assert_eq!(
        count("DescribeInstanceAccessControlAttributeConfiguration"),
        1
    );
}

/// moto lists a permission set once for each time it was provisioned
/// (AWS once): a set provisioned twice to an account is still asked about
/// once, and `.who-can` and `AccountAssignments` hold each row once. One
/// group of one member is assigned one set on the account: one row.
#[test]
fn a_set_provisioned_twice_gives_each_row_once() {
    const REGION_TWICE: &str = "eu-north-1";
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let endpoint = common::moto::endpoint();
    // An account Organizations does not list (the organisation is shared
    // with the other tests here): with ListAccounts refused, accounts come
    // from sso-admin, as for a delegated administrator.
    let account = "444455556666";
    let set = runtime.block_on(async {
        let aws = Aws::connect(endpoint, REGION_TWICE).await;
        let (instance, store) = aws.instance().await;
        let user = aws.create_user(&store, "ivy", "Ivy", "Twice").await;
        let group = aws
            .ids()
            .create_group()
            .identity_store_id(&store)
            .display_name("Twice Ops")
            .send()
            .await
            .unwrap()
            .group_id()
            .to_owned();
        aws.ids()
            .create_group_membership()
            .identity_store_id(&store)
            .group_id(&group)
            .member_id(MemberId::UserId(user))
            .send()
            .await
            .unwrap();
        let set = aws.provisioned_permission_set(&instance, "TwiceSet").await;
        aws.sso()
            .create_account_assignment()
            .instance_arn(&instance)
            .target_id(account)
            .target_type(TargetType::AwsAccount)
            .permission_set_arn(&set)
            .principal_type(PrincipalType::Group)
            .principal_id(&group)
            .send()
            .await
            .unwrap();
        for _ in 0..2 {
            aws.sso()
                .provision_permission_set()
                .instance_arn(&instance)
                .permission_set_arn(&set)
                .target_type(ProvisionTargetType::AwsAccount)
                .target_id(account)
                .send()
                .await
                .unwrap();
        }
        set
    });
    let proxy = Proxy::start(
        endpoint,
        Faults {
            deny: Some("ListAccounts".to_owned()),
            provisioned_accounts: Some(BTreeMap::from([(set, vec![account.to_owned()])])),
            ..Faults::default()
        },
    );
    let output = common::idcsh()
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", REGION_TWICE)
        .args(["--endpoint-url", &proxy.url, "-o", "json", "--no-cache"])
        .args(["-c", &format!(".who-can {account} | [].[UserName, Via]")])
        .args([
            "-c",
            &format!("AccountAssignments[?AccountId == '{account}'].PrincipalName"),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let answers: Vec<Json> = serde_json::Deserializer::from_slice(&output.stdout)
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(answers[0], json!([["ivy", "Twice Ops"]]));
    assert_eq!(answers[1], json!(["Twice Ops"]));
}
