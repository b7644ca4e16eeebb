//! A directory built in moto through the AWS SDK, with the answers known:
//! enough users and groups that every list has several pages, memberships,
//! permission sets with managed policies, an organisation with accounts,
//! and account assignments.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use aws_config::BehaviorVersion;
use aws_sdk_identitystore::types::MemberId;
use aws_sdk_ssoadmin::types::{PrincipalType, ProvisionTargetType, TargetType};
use futures_util::{StreamExt, stream};

/// Test credentials and the moto endpoint for one region.
#[derive(Clone)]
pub struct Aws {
    pub endpoint: String,
    pub region: String,
    pub config: aws_config::SdkConfig,
}

impl Aws {
    pub async fn connect(endpoint: &str, region: &str) -> Aws {
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let config = aws_config::defaults(BehaviorVersion::latest())
            .region(aws_types::region::Region::new(region.to_owned()))
            .endpoint_url(endpoint)
            .credentials_provider(aws_credential_types::Credentials::new(
                "testing", "testing", None, None, "tests",
            ))
            .http_client(http)
            .load()
            .await;
        Aws {
            endpoint: endpoint.to_owned(),
            region: region.to_owned(),
            config,
        }
    }

    pub fn ids(&self) -> aws_sdk_identitystore::Client {
        aws_sdk_identitystore::Client::new(&self.config)
    }

    pub fn sso(&self) -> aws_sdk_ssoadmin::Client {
        aws_sdk_ssoadmin::Client::new(&self.config)
    }

    pub fn org(&self) -> aws_sdk_organizations::Client {
        aws_sdk_organizations::Client::new(&self.config)
    }

    /// Creates a user named `name` (given name `name`, family name
    /// `family`): its UserId.
    pub async fn create_user(
        &self,
        store: &str,
        name: &str,
        display: &str,
        family: &str,
    ) -> String {
        self.ids()
            .create_user()
            .identity_store_id(store)
            .user_name(name)
            .display_name(display)
            .name(
                aws_sdk_identitystore::types::Name::builder()
                    .given_name(name)
                    .family_name(family)
                    .build(),
            )
            .send()
            .await
            .expect("CreateUser")
            .user_id()
            .to_owned()
    }

    /// Adds each (GroupId, UserId) membership, sixteen at a time.
    pub async fn add_memberships(&self, store: &str, pairs: Vec<(String, String)>) {
        let ids = self.ids();
        stream::iter(pairs)
            .map(|(group, user)| {
                let ids = ids.clone();
                async move {
                    ids.create_group_membership()
                        .identity_store_id(store)
                        .group_id(group)
                        .member_id(MemberId::UserId(user))
                        .send()
                        .await
                        .expect("CreateGroupMembership");
                }
            })
            .buffered(16)
            .collect::<Vec<()>>()
            .await;
    }

    /// Creates a permission set (8-hour sessions) provisioned to every
    /// account: its ARN.
    pub async fn provisioned_permission_set(&self, instance: &str, name: &str) -> String {
        let sso = self.sso();
        let out = sso
            .create_permission_set()
            .instance_arn(instance)
            .name(name)
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
            .instance_arn(instance)
            .permission_set_arn(&arn)
            .target_type(ProvisionTargetType::AllProvisionedAccounts)
            .send()
            .await
            .expect("ProvisionPermissionSet");
        arn
    }

    /// The organisation's accounts with these names (made, with the
    /// organisation, where missing): their IDs, in order.
    pub async fn accounts_named(&self, names: &[String]) -> Vec<String> {
        let org = self.org();
        let _ = org
            .create_organization()
            .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
            .send()
            .await;
        let mut existing = std::collections::HashMap::new();
        let mut token = None;
        loop {
            let page = org
                .list_accounts()
                .set_next_token(token)
                .send()
                .await
                .expect("ListAccounts");
            for account in page.accounts() {
                existing.insert(
                    account.name().unwrap_or_default().to_owned(),
                    account.id().unwrap_or_default().to_owned(),
                );
            }
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
        let mut ids = Vec::new();
        for (i, name) in names.iter().enumerate() {
            if let Some(id) = existing.get(name) {
                ids.push(id.clone());
                continue;
            }
            let out = org
                .create_account()
                .account_name(name)
                .email(format!("{name}+{i}@example.com"))
                .send()
                .await
                .expect("CreateAccount");
            ids.push(
                out.create_account_status()
                    .and_then(|s| s.account_id())
                    .unwrap_or_default()
                    .to_owned(),
            );
        }
        ids
    }

    /// The region's instance ARN and Identity Store ID.
    pub async fn instance(&self) -> (String, String) {
        let out = self
            .sso()
            .list_instances()
            .send()
            .await
            .expect("ListInstances");
        let instance = &out.instances()[0];
        (
            instance.instance_arn().unwrap_or_default().to_owned(),
            instance.identity_store_id().unwrap_or_default().to_owned(),
        )
    }
}

/// What the fixture created, to compare the shell's answers with.
#[derive(Debug, Clone, Default)]
pub struct Expected {
    pub store_id: String,
    pub instance_arn: String,
    pub users: BTreeSet<String>,
    pub groups: BTreeSet<String>,
    /// (group name, user name)
    pub memberships: BTreeSet<(String, String)>,
    /// (name, session duration)
    pub permission_sets: BTreeSet<(String, String)>,
    pub accounts: BTreeSet<String>,
    /// (account name, permission set name, principal type, principal name)
    pub assignments: BTreeSet<(String, String, String, String)>,
}

pub const USERS: usize = 260;
pub const GROUPS: usize = 125;
const FAMILY: &[&str] = &["O'Brien", "García", "Nakamura", "Okafor", "Müller", "Chen"];

/// Builds the shared directory once per test binary in `region`.
pub fn shared(endpoint: &str) -> &'static Expected {
    static EXPECTED: OnceLock<Expected> = OnceLock::new();
    EXPECTED.get_or_init(|| {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        runtime.block_on(async {
            let aws = Aws::connect(endpoint, "us-east-1").await;
            build(&aws).await
        })
    })
}

/// Creates users, groups, memberships, permission sets, an organisation,
/// accounts and assignments.
pub async fn build(aws: &Aws) -> Expected {
    let (instance_arn, store_id) = aws.instance().await;
    let ids = aws.ids();
    let mut expected = Expected {
        store_id: store_id.clone(),
        instance_arn: instance_arn.clone(),
        ..Expected::default()
    };

    let user_ids: Vec<(String, String)> = stream::iter(0..USERS)
        .map(|i| {
            let (ids, store) = (ids.clone(), store_id.clone());
            async move {
                let name = format!("user-{i:03}");
                let family = FAMILY[i % FAMILY.len()];
                let out = ids
                    .create_user()
                    .identity_store_id(store)
                    .user_name(&name)
                    .display_name(format!("User {i} {family}"))
                    .name(
                        aws_sdk_identitystore::types::Name::builder()
                            .given_name(format!("User{i}"))
                            .family_name(family)
                            .build(),
                    )
                    .emails(
                        aws_sdk_identitystore::types::Email::builder()
                            .value(format!("{name}@example.com"))
                            .r#type("work")
                            .primary(true)
                            .build(),
                    )
                    .send()
                    .await
                    .expect("CreateUser");
                (name, out.user_id().to_owned())
            }
        })
        .buffered(16)
        .collect()
        .await;
    expected.users = user_ids.iter().map(|(n, _)| n.clone()).collect();

    let mut group_names: Vec<String> = (0..GROUPS - 2).map(|i| format!("group-{i:03}")).collect();
    group_names.push("Everyone".into());
    group_names.push("O'Brien's Team".into());
    let group_ids: Vec<(String, String)> = stream::iter(group_names.clone())
        .map(|name| {
            let (ids, store) = (ids.clone(), store_id.clone());
            async move {
                let out = ids
                    .create_group()
                    .identity_store_id(store)
                    .display_name(&name)
                    .description(format!("{name} description"))
                    .send()
                    .await
                    .expect("CreateGroup");
                (name, out.group_id().to_owned())
            }
        })
        .buffered(16)
        .collect()
        .await;
    expected.groups = group_names.iter().cloned().collect();

    // Everyone holds every user (three pages of memberships); each user is
    // also in one numbered group; O'Brien's Team holds users 0-4.
    let mut pairs: Vec<(usize, usize)> = (0..USERS).map(|u| (GROUPS - 2, u)).collect();
    pairs.extend((0..USERS).map(|u| (u % (GROUPS - 2), u)));
    pairs.extend((0..5).map(|u| (GROUPS - 1, u)));
    aws.add_memberships(
        &store_id,
        pairs
            .iter()
            .map(|&(g, u)| (group_ids[g].1.clone(), user_ids[u].1.clone()))
            .collect(),
    )
    .await;
    expected.memberships = pairs
        .iter()
        .map(|&(g, u)| (group_ids[g].0.clone(), user_ids[u].0.clone()))
        .collect();

    let sso = aws.sso();
    let mut permission_sets = Vec::new();
    for (name, duration, policy) in [
        (
            "AdministratorAccess",
            "PT1H",
            "arn:aws:iam::aws:policy/AdministratorAccess",
        ),
        (
            "ReadOnlyAccess",
            "PT8H",
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
        ),
        (
            "SecurityAudit",
            "PT4H",
            "arn:aws:iam::aws:policy/SecurityAudit",
        ),
        (
            "Developer's Access",
            "PT12H",
            "arn:aws:iam::aws:policy/PowerUserAccess",
        ),
    ] {
        let out = sso
            .create_permission_set()
            .instance_arn(&instance_arn)
            .name(name)
            .description(format!("{name} for tests"))
            .session_duration(duration)
            .send()
            .await
            .expect("CreatePermissionSet");
        let arn = out
            .permission_set()
            .and_then(|p| p.permission_set_arn())
            .unwrap_or_default()
            .to_owned();
        sso.attach_managed_policy_to_permission_set()
            .instance_arn(&instance_arn)
            .permission_set_arn(&arn)
            .managed_policy_arn(policy)
            .send()
            .await
            .expect("AttachManagedPolicyToPermissionSet");
        sso.provision_permission_set()
            .instance_arn(&instance_arn)
            .permission_set_arn(&arn)
            .target_type(ProvisionTargetType::AllProvisionedAccounts)
            .send()
            .await
            .expect("ProvisionPermissionSet");
        expected
            .permission_sets
            .insert((name.to_owned(), duration.to_owned()));
        permission_sets.push((name.to_owned(), arn));
    }

    let org = aws.org();
    org.create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .expect("CreateOrganization");
    let mut accounts = Vec::new();
    for i in 0..25 {
        let name = if i == 3 {
            "Ops Tools".to_owned()
        } else {
            format!("account-{i:02}")
        };
        let out = org
            .create_account()
            .account_name(&name)
            .email(format!("aws+{i}@example.com"))
            .send()
            .await
            .expect("CreateAccount");
        let id = out
            .create_account_status()
            .and_then(|s| s.account_id())
            .unwrap_or_default()
            .to_owned();
        accounts.push((name, id));
    }
    let listed = org.list_accounts().send().await.expect("ListAccounts");
    let mut all_accounts: BTreeSet<String> = accounts.iter().map(|(n, _)| n.clone()).collect();
    // The management account is listed too.
    let mut next = listed.next_token().map(str::to_owned);
    all_accounts.extend(
        listed
            .accounts()
            .iter()
            .filter_map(|a| a.name().map(str::to_owned)),
    );
    while let Some(token) = next {
        let page = org
            .list_accounts()
            .next_token(token)
            .send()
            .await
            .expect("ListAccounts");
        all_accounts.extend(
            page.accounts()
                .iter()
                .filter_map(|a| a.name().map(str::to_owned)),
        );
        next = page.next_token().map(str::to_owned);
    }
    expected.accounts = all_accounts;

    // Each (account, permission set, principal) once: moto pages forever
    // over duplicate assignments.
    let mut triples = BTreeSet::new();
    for (a, (account_name, account_id)) in accounts.iter().enumerate().take(12) {
        let (ps_name, ps_arn) = &permission_sets[a % permission_sets.len()];
        let group = &group_ids[a % 10];
        triples.insert((
            account_id.clone(),
            account_name.clone(),
            ps_arn.clone(),
            ps_name.clone(),
            "GROUP",
            group.1.clone(),
            group.0.clone(),
        ));
        let everyone = &group_ids[GROUPS - 2];
        triples.insert((
            account_id.clone(),
            account_name.clone(),
            permission_sets[1].1.clone(),
            permission_sets[1].0.clone(),
            "GROUP",
            everyone.1.clone(),
            everyone.0.clone(),
        ));
        let user = &user_ids[a];
        triples.insert((
            account_id.clone(),
            account_name.clone(),
            permission_sets[0].1.clone(),
            permission_sets[0].0.clone(),
            "USER",
            user.1.clone(),
            user.0.clone(),
        ));
    }
    for (account_id, account_name, ps_arn, ps_name, kind, principal_id, principal_name) in triples {
        sso.create_account_assignment()
            .instance_arn(&instance_arn)
            .target_id(&account_id)
            .target_type(TargetType::AwsAccount)
            .permission_set_arn(&ps_arn)
            .principal_type(if kind == "GROUP" {
                PrincipalType::Group
            } else {
                PrincipalType::User
            })
            .principal_id(&principal_id)
            .send()
            .await
            .expect("CreateAccountAssignment");
        expected
            .assignments
            .insert((account_name, ps_name, kind.to_owned(), principal_name));
    }
    expected
}

/// The directory the scale issue measures: 2,000 users, 100 groups, each
/// user in two groups, 40 accounts × 10 permission sets provisioned to
/// all, one group assigned per (account, permission set), and 80 users
/// assigned directly.
#[derive(Debug, Clone, Default)]
pub struct Scale {
    /// (UserName, UserId)
    pub users: Vec<(String, String)>,
    /// (DisplayName, GroupId)
    pub groups: Vec<(String, String)>,
    /// (group index, user index)
    pub memberships: Vec<(usize, usize)>,
    /// (Name, Id) of the accounts made for it (the organisation has more:
    /// its management account, and any other fixture's).
    pub accounts: Vec<(String, String)>,
    /// (Name, PermissionSetArn)
    pub permission_sets: Vec<(String, String)>,
    /// (account index, permission set index, group index)
    pub assignments: Vec<(usize, usize, usize)>,
    /// Users assigned directly: (account index, permission set index,
    /// user index), spread over the whole directory.
    pub direct: Vec<(usize, usize, usize)>,
}

pub const SCALE_USERS: usize = 2000;
pub const SCALE_GROUPS: usize = 100;
pub const SCALE_ACCOUNTS: usize = 40;
pub const SCALE_PERMISSION_SETS: usize = 10;
/// Users assigned directly (issue 20's cold AccountAssignments names 80).
pub const SCALE_DIRECT: usize = 80;

/// Builds [`Scale`] in `aws`'s region (its own instance and store), with
/// the accounts `bench-00` to `bench-39` in the moto account's
/// organisation (made where missing, so another region's build shares them).
pub async fn build_scale(aws: &Aws) -> Scale {
    let (instance, store) = aws.instance().await;
    let users: Vec<(String, String)> = stream::iter(0..SCALE_USERS)
        .map(|u| {
            let store = store.clone();
            async move {
                let name = format!("user-{u:04}");
                let id = aws
                    .create_user(&store, &name, &format!("User {u}"), &format!("{u}"))
                    .await;
                (name, id)
            }
        })
        .buffered(16)
        .collect()
        .await;
    let ids = aws.ids();
    let groups: Vec<(String, String)> = stream::iter(0..SCALE_GROUPS)
        .map(|g| {
            let (ids, store) = (ids.clone(), store.clone());
            async move {
                let name = format!("squad-{g:03}");
                let out = ids
                    .create_group()
                    .identity_store_id(store)
                    .display_name(&name)
                    .send()
                    .await
                    .expect("CreateGroup");
                (name, out.group_id().to_owned())
            }
        })
        .buffered(16)
        .collect()
        .await;
    // Each user in two groups (7u + 3 and u differ mod 100 for every u).
    let memberships: Vec<(usize, usize)> = (0..SCALE_USERS)
        .flat_map(|u| [(u % SCALE_GROUPS, u), ((u * 7 + 3) % SCALE_GROUPS, u)])
        .collect();
    aws.add_memberships(
        &store,
        memberships
            .iter()
            .map(|&(g, u)| (groups[g].1.clone(), users[u].1.clone()))
            .collect(),
    )
    .await;
    let mut permission_sets = Vec::new();
    for p in 0..SCALE_PERMISSION_SETS {
        let name = format!("Set{p:02}");
        let arn = aws.provisioned_permission_set(&instance, &name).await;
        permission_sets.push((name, arn));
    }
    let names: Vec<String> = (0..SCALE_ACCOUNTS)
        .map(|a| format!("bench-{a:02}"))
        .collect();
    let accounts: Vec<(String, String)> = names
        .iter()
        .cloned()
        .zip(aws.accounts_named(&names).await)
        .collect();
    let assignments: Vec<(usize, usize, usize)> = (0..SCALE_ACCOUNTS)
        .flat_map(|a| (0..SCALE_PERMISSION_SETS).map(move |p| (a, p, (a * 10 + p) % SCALE_GROUPS)))
        .collect();
    let direct: Vec<(usize, usize, usize)> = (0..SCALE_DIRECT)
        .map(|k| {
            (
                k % SCALE_ACCOUNTS,
                k % SCALE_PERMISSION_SETS,
                k * SCALE_USERS / SCALE_DIRECT,
            )
        })
        .collect();
    let sso = aws.sso();
    let every = assignments
        .iter()
        .map(|&(a, p, g)| (a, p, PrincipalType::Group, groups[g].1.clone()))
        .chain(
            direct
                .iter()
                .map(|&(a, p, u)| (a, p, PrincipalType::User, users[u].1.clone())),
        )
        .collect::<Vec<_>>();
    stream::iter(every)
        .map(|(a, p, kind, principal)| {
            let sso = sso.clone();
            let (instance, account, set) = (
                instance.clone(),
                accounts[a].1.clone(),
                permission_sets[p].1.clone(),
            );
            async move {
                sso.create_account_assignment()
                    .instance_arn(instance)
                    .target_id(account)
                    .target_type(TargetType::AwsAccount)
                    .permission_set_arn(set)
                    .principal_type(kind)
                    .principal_id(principal)
                    .send()
                    .await
                    .expect("CreateAccountAssignment");
            }
        })
        .buffered(8)
        .collect::<Vec<()>>()
        .await;
    Scale {
        users,
        groups,
        memberships,
        accounts,
        permission_sets,
        assignments,
        direct,
    }
}
