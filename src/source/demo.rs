//! The built-in sample directory behind `--demo`: a believable organisation,
//! the same on every run, with no AWS account and no network.
//!
//! Items are built as SDK types and mapped through `model`, exactly as the
//! live source maps what AWS returns, so the shapes cannot drift apart.

use aws_sdk_identitystore::types as ids;
use aws_sdk_organizations::types as org;
use aws_sdk_ssoadmin::types as sso;
use aws_smithy_types::DateTime;
use serde_json::{Value as Json, json};

use super::{Held, InMemory};
use crate::collection;
use crate::doc::Doc;

/// The demo's Identity Store ID.
pub(crate) const IDENTITY_STORE_ID: &str = "d-9067a1b2c3";
/// The demo's instance ARN.
pub(crate) const INSTANCE_ARN: &str = "arn:aws:sso:::instance/ssoins-72230f5d8a9b1c3e";
/// The demo organisation's management account.
pub(crate) const MANAGEMENT_ACCOUNT: &str = "111122223333";

const USERS: usize = 240;

const GIVEN: &[&str] = &[
    "Alice",
    "Bob",
    "Carla",
    "Dmitri",
    "Émilie",
    "Farah",
    "Giulia",
    "Hiroshi",
    "Ingrid",
    "José",
    "Kwame",
    "Léa",
    "Mateo",
    "Nadia",
    "Oluwaseun",
    "Priya",
    "Quentin",
    "Rosa",
    "Søren",
    "Tomás",
    "Uma",
    "Valentina",
    "Wei",
    "Ximena",
    "Yusuf",
    "Zoë",
    "Aoife",
    "Björn",
    "Chloé",
    "Đorđe",
    "Fatima",
    "Gareth",
    "Hana",
    "Ísak",
    "Jürgen",
    "Kaito",
    "Łucja",
    "Mary Ann",
    "Niamh",
    "Ọlá",
];

const FAMILY: &[&str] = &[
    "O'Brien",
    "García",
    "Müller",
    "Nakamura",
    "Okafor",
    "Kowalski",
    "Dubois",
    "Rossi",
    "Ivanova",
    "Chen",
    "Singh",
    "Andersson",
    "Fernández",
    "Nguyen",
    "Kim",
    "Papadopoulos",
    "O'Connor",
    "van der Berg",
    "Haddad",
    "Silva",
    "Jensen",
    "Novák",
    "Yılmaz",
    "Østergaard",
    "Brown",
    "Smith",
    "Mbeki",
    "Lefèvre",
    "Zhang",
    "Kaur",
    "D'Angelo",
    "Abe",
    "Horváth",
    "Mac Giolla",
    "Schäfer",
    "Gonçalves",
    "Patel",
    "Ahmed",
    "Wójcik",
    "Björk",
];

const TITLES: &[&str] = &[
    "Software Engineer",
    "Senior Software Engineer",
    "Site Reliability Engineer",
    "Data Scientist",
    "Security Engineer",
    "Engineering Manager",
    "Financial Analyst",
    "Support Engineer",
    "Product Manager",
    "Network Engineer",
];

const PLACES: &[(&str, &str)] = &[
    ("en-US", "America/New_York"),
    ("en-GB", "Europe/London"),
    ("fr-FR", "Europe/Paris"),
    ("de-DE", "Europe/Berlin"),
    ("ja-JP", "Asia/Tokyo"),
    ("en-IN", "Asia/Kolkata"),
    ("pt-BR", "America/Sao_Paulo"),
    ("en-AU", "Australia/Sydney"),
];

/// Groups: name, description, and which users join (by index rule).
const GROUPS: &[(&str, &str)] = &[
    ("Everyone", "Every active employee"),
    (
        "Administrators",
        "Full administrative access to every account",
    ),
    ("Platform Engineers", "Builds and runs the shared platform"),
    (
        "Security Auditors",
        "Read-only security review of every account",
    ),
    ("Finance – Read Only", "Billing and cost reports"),
    ("Data Science", "Analytics and ML workloads"),
    ("On-Call SREs", "Production incident responders"),
    ("Support Tier 1", "Customer support, first line"),
    ("Support Tier 2", "Customer support, escalations"),
    ("Network Operations", "Transit, DNS and VPC owners"),
    ("Database Admins", "RDS and DynamoDB owners"),
    ("Developers", "Application developers"),
    ("Mobile Team", "iOS and Android apps"),
    ("Payments Squad", "The payments service"),
    ("Identity Team", "Runs IAM Identity Center itself"),
    ("Billing Admins", "Manage invoices and budgets"),
    ("O'Brien's Project Team", "Temporary project access"),
    ("Compliance", "Audit evidence collection"),
    ("Incident Response", "Security incident handling"),
    ("Contractors", "External contractors"),
    ("Interns", "Summer interns"),
    ("Marketing Analytics", "Campaign data"),
    ("Équipe Paris", "Bureau de Paris"),
    ("東京オフィス", "Tokyo office"),
    ("Release Managers", "Approve production releases"),
    ("QA Engineers", "Test environments"),
    ("Architects", "Cross-account design reviews"),
    ("Break Glass", "Emergency access, audited"),
];

const PERMISSION_SETS: &[(&str, &str, &str)] = &[
    (
        "AdministratorAccess",
        "Full access to AWS services and resources",
        "PT1H",
    ),
    (
        "ReadOnlyAccess",
        "Read-only access to every service",
        "PT8H",
    ),
    (
        "PowerUserAccess",
        "Everything but IAM and Organizations",
        "PT4H",
    ),
    ("ViewOnlyAccess", "List and describe only", "PT12H"),
    ("SecurityAudit", "Security configuration review", "PT8H"),
    ("Billing", "Billing console and cost explorer", "PT4H"),
    ("DataScientist", "SageMaker, Athena and Glue", "PT8H"),
    (
        "NetworkAdministrator",
        "VPC, Transit Gateway, Route 53",
        "PT4H",
    ),
    ("DatabaseAdministrator", "RDS, DynamoDB and backups", "PT4H"),
    (
        "SupportUser",
        "AWS Support cases and Trusted Advisor",
        "PT8H",
    ),
    (
        "DeveloperAccess",
        "Build and deploy in non-production accounts",
        "PT8H",
    ),
    (
        "IncidentResponder",
        "Break-glass access for security incidents",
        "PT1H",
    ),
];

const ACCOUNTS: &[&str] = &[
    "management",
    "log-archive",
    "audit",
    "security-tooling",
    "shared-services",
    "network",
    "prod-payments",
    "staging-payments",
    "dev-payments",
    "prod-identity",
    "staging-identity",
    "data-lake",
    "analytics",
    "prod-web",
    "staging-web",
    "dev-web",
    "backup",
    "ml-training",
    "marketing",
    "finance",
    "Ops Tools",
    "sandbox-legacy",
];

/// Deterministic pseudo-random numbers (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn hex(&mut self, digits: usize) -> String {
        let mut s = String::with_capacity(digits);
        while s.len() < digits {
            s.push_str(&format!("{:016x}", self.next()));
        }
        s.truncate(digits);
        s
    }

    /// An Identity Store ID as AWS writes them: store prefix, then a UUID.
    fn store_uuid(&mut self) -> String {
        format!(
            "9067a1b2c3-{}-{}-{}-{}-{}",
            self.hex(8),
            self.hex(4),
            self.hex(4),
            self.hex(4),
            self.hex(12)
        )
    }
}

fn time(hours_after_2023: i64) -> DateTime {
    DateTime::from_secs(1_672_531_200 + hours_after_2023 * 3600)
}

/// ASCII user-name form of a name: "Zoë O'Brien" → "zoe.obrien".
fn ascii_name(given: &str, family: &str) -> String {
    let fold = |s: &str| -> String {
        s.chars()
            .filter_map(|c| {
                let c = match c {
                    'à'..='å' | 'À'..='Å' => 'a',
                    'ç' | 'Ç' => 'c',
                    'è'..='ë' | 'È'..='Ë' => 'e',
                    'ì'..='ï' | 'Ì'..='Ï' | 'ı' => 'i',
                    'ñ' => 'n',
                    'ò'..='ö' | 'ø' | 'Ò'..='Ö' | 'Ø' | 'Ọ' | 'ọ' => 'o',
                    'ù'..='ü' | 'Ù'..='Ü' => 'u',
                    'ł' | 'Ł' => 'l',
                    'đ' | 'Đ' => 'd',
                    c => c,
                };
                c.is_ascii_alphanumeric().then(|| c.to_ascii_lowercase())
            })
            .collect()
    };
    format!("{}.{}", fold(given), fold(family))
}

/// Builds the demo directory.
pub fn source() -> InMemory {
    let collections = directory();
    let contents = match (
        collections.get("PermissionSets"),
        collections.get("AccountAssignments"),
    ) {
        (Some(sets), Some(assignments)) => Some(permission_set_contents(sets, assignments)),
        _ => None,
    };
    let source = InMemory::new("demo", collections).deriving();
    match contents {
        Some(contents) => source.with_permission_set_contents(contents),
        None => source,
    }
}

/// An AWS managed policy, by its name after `arn:aws:iam::aws:policy/`.
fn managed(path: &str) -> sso::AttachedManagedPolicy {
    let name = path.rsplit('/').next().unwrap_or(path);
    sso::AttachedManagedPolicy::builder()
        .name(name)
        .arn(format!("arn:aws:iam::aws:policy/{path}"))
        .build()
}

fn customer_managed(name: &str, path: &str) -> sso::CustomerManagedPolicyReference {
    sso::CustomerManagedPolicyReference::builder()
        .name(name)
        .path(path)
        .build()
        .unwrap_or_else(|_| unreachable!("the name is set"))
}

fn tag(key: &str, value: &str) -> sso::Tag {
    sso::Tag::builder()
        .key(key)
        .value(value)
        .build()
        .unwrap_or_else(|_| unreachable!("key and value are set"))
}

/// What each demo permission set grants, as AWS would answer the five
/// calls: AWS managed job-function policies, a customer managed policy
/// and a boundary for developers, and a break-glass set whose inline
/// policy allows `"Action": "*"`.
fn contents_of(name: &str, not_provisioned: &[String]) -> collection::PermissionSetContents {
    let mut contents = collection::PermissionSetContents {
        tags: vec![tag("owner", "platform-team")],
        ..Default::default()
    };
    let policies: &[&str] = match name {
        "AdministratorAccess" => &["AdministratorAccess"],
        "ReadOnlyAccess" => &["ReadOnlyAccess"],
        "PowerUserAccess" => &["PowerUserAccess"],
        "ViewOnlyAccess" => &["job-function/ViewOnlyAccess"],
        "SecurityAudit" => &["SecurityAudit", "job-function/ViewOnlyAccess"],
        "Billing" => &["job-function/Billing"],
        "DataScientist" => &["job-function/DataScientist"],
        "NetworkAdministrator" => &["job-function/NetworkAdministrator"],
        "DatabaseAdministrator" => &["job-function/DatabaseAdministrator"],
        "SupportUser" => &["job-function/SupportUser", "AWSSupportAccess"],
        "LegacyDeployer" => &["AWSCodeDeployFullAccess"],
        _ => &[],
    };
    contents.managed = policies.iter().map(|p| managed(p)).collect();
    match name {
        "DataScientist" => {
            contents.customer_managed = vec![customer_managed("athena-results-access", "/data/")];
        }
        "DeveloperAccess" => {
            contents.customer_managed = vec![customer_managed("developer-deploy", "/")];
            contents.inline = Some(
                json!({
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Sid": "NoIdentityChanges",
                        "Effect": "Deny",
                        "Action": ["iam:*", "organizations:*", "sso:*"],
                        "Resource": "*"
                    }]
                })
                .to_string(),
            );
            contents.boundary = Some(
                sso::PermissionsBoundary::builder()
                    .customer_managed_policy_reference(customer_managed(
                        "developer-boundary",
                        "/boundaries/",
                    ))
                    .build(),
            );
        }
        "IncidentResponder" => {
            contents.inline = Some(
                json!({
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Sid": "BreakGlass",
                        "Effect": "Allow",
                        "Action": "*",
                        "Resource": "*"
                    }]
                })
                .to_string(),
            );
            contents.tags.push(tag("break-glass", "true"));
        }
        "DatabaseAdministrator" => {
            // Edited after it was provisioned: two accounts still run the
            // old version.
            contents.not_provisioned_to = not_provisioned.to_vec();
        }
        "PowerUserAccess" => {
            contents.boundary = Some(
                sso::PermissionsBoundary::builder()
                    .managed_policy_arn("arn:aws:iam::aws:policy/PowerUserAccess")
                    .build(),
            );
        }
        _ => {}
    }
    contents
}

/// The demo's permission sets with what each grants; a set edited and
/// not provisioned again is out of date in the first two accounts it is
/// assigned in.
fn permission_set_contents(sets: &Doc, assignments: &Doc) -> Doc {
    let full = sets
        .as_array()
        .unwrap_or_default()
        .iter()
        .map(|set| {
            let mut accounts: Vec<String> = assignments
                .as_array()
                .unwrap_or_default()
                .iter()
                .filter(|a| a.text("PermissionSetArn") == set.text("PermissionSetArn"))
                .map(|a| a.text("AccountId").to_owned())
                .collect();
            accounts.sort();
            accounts.dedup();
            accounts.truncate(2);
            collection::with_contents(&set.to_json(), &contents_of(set.text("Name"), &accounts))
        })
        .collect();
    Doc::from(Json::Array(full))
}

/// The demo directory's collections.
pub(crate) fn directory() -> Held {
    let mut rng = Rng(0x1dc5_4e11);

    let instances = vec![collection::instance_with_facts(
        &collection::instance(
            &sso::InstanceMetadata::builder()
                .instance_arn(INSTANCE_ARN)
                .identity_store_id(IDENTITY_STORE_ID)
                .owner_account_id(MANAGEMENT_ACCOUNT)
                .name("Example Corp")
                .created_date(time(0))
                .status(sso::InstanceStatus::Active)
                .build(),
        ),
        &instance_facts(),
    )];

    // Users: the first three have short names for the README's tour.
    let mut users = Vec::with_capacity(USERS);
    let mut user_names: Vec<String> = Vec::with_capacity(USERS);
    let mut user_ids = Vec::with_capacity(USERS);
    for i in 0..USERS {
        let (given, family) = match i {
            0 => ("Alice", "O'Brien"),
            1 => ("Bob", "Nakamura"),
            2 => ("Zoë", "Ivanova"),
            _ => (
                GIVEN[(i * 7) % GIVEN.len()],
                FAMILY[(i * 13 + i / 40) % FAMILY.len()],
            ),
        };
        let mut user_name = match i {
            0 => "alice".to_owned(),
            1 => "bob".to_owned(),
            2 => "zoe".to_owned(),
            _ => ascii_name(given, family),
        };
        if user_names.contains(&user_name) {
            user_name = format!("{user_name}{i}");
        }
        let id = rng.store_uuid();
        let (locale, timezone) = PLACES[rng.below(PLACES.len())];
        let disabled = i >= USERS - 4;
        let mut builder = ids::User::builder()
            .identity_store_id(IDENTITY_STORE_ID)
            .user_id(&id)
            .user_arn(format!("arn:aws:identitystore:::user/{id}"))
            // AWS's Revision format is opaque; the demo leaves it out.
            .revision("")
            .user_name(&user_name)
            .name(
                ids::Name::builder()
                    .formatted(format!("{given} {family}"))
                    .family_name(family)
                    .given_name(given)
                    .build(),
            )
            .display_name(format!("{given} {family}"))
            .emails(
                ids::Email::builder()
                    .value(format!("{user_name}@example.com"))
                    .r#type("work")
                    .primary(true)
                    .build(),
            )
            .user_type(if i % 9 == 8 { "Contractor" } else { "Employee" })
            .title(TITLES[rng.below(TITLES.len())])
            .locale(locale)
            .timezone(timezone)
            .user_status(if disabled {
                ids::UserStatus::Disabled
            } else {
                ids::UserStatus::Enabled
            })
            .created_at(time(i as i64 * 31))
            .updated_at(time(i as i64 * 31 + 24 * (1 + rng.below(300) as i64)));
        if i % 3 == 0 {
            let external = ids::ExternalId::builder()
                .issuer("https://idp.example.com/scim")
                .id(format!("00u{}", rng.hex(17)))
                .build();
            builder = builder.set_external_ids(external.ok().map(|e| vec![e]));
        }
        if let Ok(user) = builder.build() {
            users.push(collection::user(&user));
        }
        user_names.push(user_name);
        user_ids.push(id);
    }

    let group_ids: Vec<String> = GROUPS.iter().map(|_| rng.store_uuid()).collect();
    let groups: Vec<Json> = GROUPS
        .iter()
        .zip(&group_ids)
        .enumerate()
        .filter_map(|(i, ((name, description), id))| {
            // Synchronised from the identity provider, and changed by hand
            // since (`.check` finds the members added here).
            let external = (*name == "Payments Squad")
                .then(|| {
                    ids::ExternalId::builder()
                        .issuer("https://idp.example.com/scim")
                        .id("00g5e1d0c0d8e1e4d0e")
                        .build()
                        .ok()
                })
                .flatten()
                .map(|e| vec![e]);
            ids::Group::builder()
                .identity_store_id(IDENTITY_STORE_ID)
                .set_external_ids(external)
                .group_id(id)
                .group_arn(format!("arn:aws:identitystore:::group/{id}"))
                .revision("")
                .display_name(*name)
                .description(*description)
                .created_at(time(i as i64 * 97))
                .updated_at(time(i as i64 * 97 + 500))
                .build()
                .ok()
                .map(|g| collection::group(&g))
        })
        .collect();

    // Memberships: every enabled user is in Everyone, and in one to three
    // other groups; the four disabled users are in none. Break Glass has two
    // members and Interns none.
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for user in 0..USERS - 4 {
        pairs.push((0, user));
        let extra = 1 + rng.below(3);
        for _ in 0..extra {
            let group = 1 + rng.below(GROUPS.len() - 1);
            let name = GROUPS[group].0;
            if name == "Break Glass" || name == "Interns" || pairs.contains(&(group, user)) {
                continue;
            }
            pairs.push((group, user));
        }
    }
    let break_glass = GROUPS
        .iter()
        .position(|g| g.0 == "Break Glass")
        .unwrap_or(0);
    let admins = GROUPS
        .iter()
        .position(|g| g.0 == "Administrators")
        .unwrap_or(0);
    for user in [0, 1] {
        for group in [break_glass, admins] {
            if !pairs.contains(&(group, user)) {
                pairs.push((group, user));
            }
        }
    }
    pairs.sort();
    let memberships: Vec<Json> = pairs
        .iter()
        .enumerate()
        .filter_map(|(i, &(group, user))| {
            let membership_id = rng.store_uuid();
            let item = ids::GroupMembership::builder()
                .identity_store_id(IDENTITY_STORE_ID)
                .membership_id(&membership_id)
                .membership_arn("")
                .group_id(&group_ids[group])
                .member_id(ids::MemberId::UserId(user_ids[user].clone()))
                .created_at(time(2000 + i as i64))
                .updated_at(time(2000 + i as i64))
                .build()
                .ok()?;
            let mut json = collection::membership(&item);
            let object = json.as_object_mut()?;
            object.insert("GroupName".into(), json!(GROUPS[group].0));
            object.insert("UserName".into(), json!(user_names[user]));
            Some(json)
        })
        .collect();

    let ps_arns: Vec<String> = PERMISSION_SETS
        .iter()
        .map(|_| {
            format!(
                "arn:aws:sso:::permissionSet/ssoins-72230f5d8a9b1c3e/ps-{}",
                rng.hex(16)
            )
        })
        .collect();
    let mut permission_sets: Vec<Json> = PERMISSION_SETS
        .iter()
        .zip(&ps_arns)
        .enumerate()
        .map(|(i, ((name, description, duration), arn))| {
            let mut builder = sso::PermissionSet::builder()
                .name(*name)
                .permission_set_arn(arn)
                .description(*description)
                .created_date(time(100 + i as i64 * 48))
                .session_duration(*duration);
            if *name == "Billing" {
                builder = builder.relay_state("https://console.aws.amazon.com/billing/home#/");
            }
            collection::permission_set(&builder.build())
        })
        .collect();

    let account_ids: Vec<String> = ACCOUNTS
        .iter()
        .enumerate()
        .map(|(i, _)| {
            if i == 0 {
                MANAGEMENT_ACCOUNT.to_owned()
            } else {
                format!("{:012}", 100_000_000_000 + rng.next() % 899_999_999_999)
            }
        })
        .collect();
    let accounts: Vec<Json> = ACCOUNTS
        .iter()
        .zip(&account_ids)
        .enumerate()
        .map(|(i, (name, id))| {
            let suspended = *name == "sandbox-legacy";
            let account = org::Account::builder()
                .id(id)
                .arn(format!(
                    "arn:aws:organizations::{MANAGEMENT_ACCOUNT}:account/o-a1b2c3d4e5/{id}"
                ))
                .email(format!(
                    "aws+{}@example.com",
                    name.to_lowercase().replace(' ', "-")
                ))
                .name(*name)
                .status(if suspended {
                    org::AccountStatus::Suspended
                } else {
                    org::AccountStatus::Active
                })
                .state(if suspended {
                    org::AccountState::Suspended
                } else {
                    org::AccountState::Active
                })
                .joined_method(if i == 0 || i % 5 == 4 {
                    org::AccountJoinedMethod::Invited
                } else {
                    org::AccountJoinedMethod::Created
                })
                .joined_timestamp(time(i as i64 * 200))
                .build();
            collection::account(&account)
        })
        .collect();

    // Left from a retired pipeline, assigned nowhere (`.check` finds it).
    permission_sets.push(collection::permission_set(
        &sso::PermissionSet::builder()
            .name("LegacyDeployer")
            .permission_set_arn(
                "arn:aws:sso:::permissionSet/ssoins-72230f5d8a9b1c3e/ps-7c1e5a0d9b3f2e64",
            )
            .description("CodeDeploy pipeline, retired 2024")
            .created_date(time(90))
            .session_duration("PT1H")
            .build(),
    ));

    let (applications, application_assignments) = applications(&group_ids, &user_ids, &user_names);

    let assignments = assignments(
        &Names {
            group_ids: &group_ids,
            user_ids: &user_ids,
            user_names: &user_names,
            ps_arns: &ps_arns,
            account_ids: &account_ids,
        },
        &mut rng,
    );

    [
        ("Instances", instances),
        ("Users", users),
        ("Groups", groups),
        ("GroupMemberships", memberships),
        ("PermissionSets", permission_sets),
        ("Accounts", accounts),
        ("AccountAssignments", assignments),
        ("Applications", applications),
        ("ApplicationAssignments", application_assignments),
    ]
    .into_iter()
    .map(|(name, items)| (name.to_owned(), Doc::shared(Json::Array(items))))
    .collect()
}

struct Names<'a> {
    group_ids: &'a [String],
    user_ids: &'a [String],
    user_names: &'a [String],
    ps_arns: &'a [String],
    account_ids: &'a [String],
}

/// Who may use which permission set where: by group, plus a few direct
/// user assignments.
fn assignments(names: &Names<'_>, rng: &mut Rng) -> Vec<Json> {
    let group = |name: &str| GROUPS.iter().position(|g| g.0 == name).unwrap_or(0);
    let ps = |name: &str| {
        PERMISSION_SETS
            .iter()
            .position(|p| p.0 == name)
            .unwrap_or(0)
    };
    let accounts_where = |test: &dyn Fn(&str) -> bool| -> Vec<usize> {
        (0..ACCOUNTS.len()).filter(|&i| test(ACCOUNTS[i])).collect()
    };
    let all = accounts_where(&|_| true);
    let non_prod = accounts_where(&|a| a.starts_with("dev-") || a.starts_with("staging-"));
    let prod = accounts_where(&|a| a.starts_with("prod-"));
    let payments = accounts_where(&|a| a.ends_with("payments"));
    let data = accounts_where(&|a| matches!(a, "data-lake" | "analytics" | "ml-training"));
    let web = accounts_where(&|a| a.ends_with("-web"));
    let dev = accounts_where(&|a| a.starts_with("dev-"));
    let single = |name: &str| accounts_where(&|a| a == name);

    // (group, permission set, accounts)
    let rules: Vec<(&str, &str, Vec<usize>)> = vec![
        ("Administrators", "AdministratorAccess", all.clone()),
        ("Security Auditors", "SecurityAudit", all.clone()),
        ("Break Glass", "IncidentResponder", all.clone()),
        ("Everyone", "ViewOnlyAccess", non_prod.clone()),
        ("Platform Engineers", "PowerUserAccess", non_prod.clone()),
        ("Platform Engineers", "ReadOnlyAccess", prod.clone()),
        ("Developers", "DeveloperAccess", non_prod.clone()),
        ("On-Call SREs", "PowerUserAccess", prod.clone()),
        ("Payments Squad", "DeveloperAccess", payments.clone()),
        ("Data Science", "DataScientist", data.clone()),
        (
            "Network Operations",
            "NetworkAdministrator",
            single("network"),
        ),
        (
            "Network Operations",
            "NetworkAdministrator",
            single("shared-services"),
        ),
        ("Database Admins", "DatabaseAdministrator", prod.clone()),
        ("Finance – Read Only", "Billing", single("management")),
        ("Finance – Read Only", "Billing", single("finance")),
        ("Billing Admins", "Billing", single("management")),
        ("Support Tier 2", "SupportUser", prod.clone()),
        (
            "Identity Team",
            "AdministratorAccess",
            single("prod-identity"),
        ),
        ("Compliance", "ReadOnlyAccess", single("audit")),
        ("Compliance", "ReadOnlyAccess", single("log-archive")),
        (
            "Incident Response",
            "IncidentResponder",
            single("security-tooling"),
        ),
        (
            "O'Brien's Project Team",
            "DeveloperAccess",
            single("Ops Tools"),
        ),
        ("Architects", "ReadOnlyAccess", all.clone()),
        ("Release Managers", "DeveloperAccess", prod.clone()),
        ("QA Engineers", "DeveloperAccess", non_prod.clone()),
        ("Mobile Team", "DeveloperAccess", web.clone()),
        ("Contractors", "ViewOnlyAccess", dev.clone()),
        ("Marketing Analytics", "DataScientist", single("marketing")),
        ("Marketing Analytics", "DataScientist", single("analytics")),
        // Assigned before anyone joined: `.check` finds a group with
        // access and no members.
        ("Interns", "ViewOnlyAccess", dev.clone()),
    ];
    let mut triples: Vec<(usize, usize, Principal)> = Vec::new();
    for (g, p, accounts) in rules {
        for account in accounts {
            let triple = (account, ps(p), Principal::Group(group(g)));
            if !triples.contains(&triple) {
                triples.push(triple);
            }
        }
    }
    // Direct assignments: alice on two accounts, and a few others.
    let direct = [
        (0, "AdministratorAccess", "sandbox-legacy"),
        (0, "Billing", "finance"),
        (2, "ReadOnlyAccess", "prod-web"),
        // A disabled user who still holds access.
        (USERS - 2, "ReadOnlyAccess", "data-lake"),
    ];
    for (user, p, account) in direct {
        for account in single(account) {
            triples.push((account, ps(p), Principal::User(user)));
        }
    }
    for _ in 0..8 {
        let user = 3 + rng.below(names.user_ids.len() - 10);
        let account = rng.below(ACCOUNTS.len());
        let triple = (account, ps("ReadOnlyAccess"), Principal::User(user));
        if !triples.contains(&triple) {
            triples.push(triple);
        }
    }
    triples.sort();

    let mut items: Vec<Json> = triples
        .into_iter()
        .map(|(account, p, principal)| {
            let (kind, id, principal_name) = match principal {
                Principal::Group(g) => (
                    sso::PrincipalType::Group,
                    &names.group_ids[g],
                    GROUPS[g].0.to_owned(),
                ),
                Principal::User(u) => (
                    sso::PrincipalType::User,
                    &names.user_ids[u],
                    names.user_names[u].clone(),
                ),
            };
            let item = sso::AccountAssignment::builder()
                .account_id(&names.account_ids[account])
                .permission_set_arn(&names.ps_arns[p])
                .principal_type(kind)
                .principal_id(id)
                .build();
            let mut json = collection::assignment(&item);
            if let Some(object) = json.as_object_mut() {
                object.insert("AccountName".into(), json!(ACCOUNTS[account]));
                object.insert("PermissionSetName".into(), json!(PERMISSION_SETS[p].0));
                object.insert("PrincipalName".into(), json!(principal_name));
            }
            json
        })
        .collect();
    // The user was deleted; the assignment was not (`.check` finds it).
    for account in single("sandbox-legacy") {
        let orphan = sso::AccountAssignment::builder()
            .account_id(&names.account_ids[account])
            .permission_set_arn(&names.ps_arns[ps("PowerUserAccess")])
            .principal_type(sso::PrincipalType::User)
            .principal_id(DELETED_USER_ID)
            .build();
        let mut orphan = collection::assignment(&orphan);
        if let Some(object) = orphan.as_object_mut() {
            object.insert("AccountName".into(), json!(ACCOUNTS[account]));
            object.insert("PermissionSetName".into(), json!("PowerUserAccess"));
            object.insert("PrincipalName".into(), Json::Null);
        }
        items.push(orphan);
    }
    items
}

/// The instance's encryption and the ABAC attributes it passes on from
/// the identity provider's users.
fn instance_facts() -> collection::InstanceFacts {
    let attribute = |key: &str, source: &str| {
        sso::AccessControlAttribute::builder()
            .key(key)
            .value(
                sso::AccessControlAttributeValue::builder()
                    .source(source)
                    .build()
                    .ok()?,
            )
            .build()
            .ok()
    };
    collection::InstanceFacts {
        encryption: Some(
            sso::EncryptionConfigurationDetails::builder()
                .key_type(sso::KmsKeyType::AwsOwnedKmsKey)
                .encryption_status(sso::KmsKeyStatus::Enabled)
                .build(),
        ),
        attributes: Some((
            "ENABLED".to_owned(),
            [
                ("CostCenter", "${path:enterprise.costCenter}"),
                ("Department", "${path:enterprise.department}"),
            ]
            .into_iter()
            .filter_map(|(key, source)| attribute(key, source))
            .collect(),
        )),
    }
}

/// The demo's applications (`(name, provider, sign-in URL, enabled)`)
/// and who is assigned to each: groups by name, and alice directly to one.
const APPLICATIONS: &[(&str, &str, &str, bool, &[&str])] = &[
    (
        "Salesforce",
        "custom",
        "https://example.my.salesforce.com",
        true,
        &["Finance – Read Only", "Support Tier 1", "Support Tier 2"],
    ),
    (
        "GitHub Enterprise",
        "custom",
        "https://github.com/enterprises/example",
        true,
        &["Developers", "Platform Engineers", "Mobile Team"],
    ),
    (
        "Jira Cloud",
        "custom",
        "https://example.atlassian.net",
        true,
        &["Everyone"],
    ),
    (
        "Amazon Q Business",
        "qbusiness",
        "",
        true,
        &["Data Science"],
    ),
    (
        "Legacy Wiki",
        "custom",
        "https://wiki.example.com",
        false,
        &["Contractors"],
    ),
];

/// `Applications` and `ApplicationAssignments` as the live source gives them.
fn applications(
    group_ids: &[String],
    user_ids: &[String],
    user_names: &[String],
) -> (Vec<Json>, Vec<Json>) {
    let mut apps = Vec::new();
    let mut assigned = Vec::new();
    for (i, (name, provider, url, enabled, groups)) in APPLICATIONS.iter().enumerate() {
        let arn = format!(
            "arn:aws:sso::{MANAGEMENT_ACCOUNT}:application/ssoins-72230f5d8a9b1c3e/apl-5e1d{i:012x}"
        );
        let sign_in = sso::SignInOptions::builder()
            .origin(if url.is_empty() {
                sso::SignInOrigin::IdentityCenter
            } else {
                sso::SignInOrigin::Application
            })
            .set_application_url((!url.is_empty()).then(|| (*url).to_owned()))
            .build()
            .ok();
        let app = sso::Application::builder()
            .application_arn(&arn)
            .application_provider_arn(format!("arn:aws:sso::aws:applicationProvider/{provider}"))
            .name(*name)
            .application_account(MANAGEMENT_ACCOUNT)
            .instance_arn(INSTANCE_ARN)
            .status(if *enabled {
                sso::ApplicationStatus::Enabled
            } else {
                sso::ApplicationStatus::Disabled
            })
            .portal_options(
                sso::PortalOptions::builder()
                    .set_sign_in_options(sign_in)
                    .visibility(if *enabled {
                        sso::ApplicationVisibility::Enabled
                    } else {
                        sso::ApplicationVisibility::Disabled
                    })
                    .build(),
            )
            .created_date(time(2_000 + i as i64 * 300))
            .build();
        apps.push(collection::application(&app));
        let mut principals: Vec<(sso::PrincipalType, String, String)> = groups
            .iter()
            .filter_map(|g| {
                let at = GROUPS.iter().position(|(n, _)| n == g)?;
                Some((
                    sso::PrincipalType::Group,
                    group_ids[at].clone(),
                    (*g).to_owned(),
                ))
            })
            .collect();
        if *name == "Amazon Q Business" {
            principals.push((
                sso::PrincipalType::User,
                user_ids[0].clone(),
                user_names[0].clone(),
            ));
        }
        for (kind, id, principal_name) in principals {
            let Ok(item) = sso::ApplicationAssignment::builder()
                .application_arn(&arn)
                .principal_type(kind)
                .principal_id(id)
                .build()
            else {
                continue;
            };
            let mut json = collection::application_assignment(&item);
            if let Some(object) = json.as_object_mut() {
                object.insert("ApplicationName".into(), json!(name));
                object.insert("PrincipalName".into(), json!(principal_name));
            }
            assigned.push(json);
        }
    }
    (apps, assigned)
}

/// A user deleted from the demo directory whose assignment was left behind.
const DELETED_USER_ID: &str = "9067a1b2c3-5e1d0c0d-8e1e-4d0e-a1b2-7ed0a55e0b1e";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Principal {
    Group(usize),
    User(usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(held: &Held, name: &str) -> usize {
        held[name].as_array().map_or(0, <[Doc]>::len)
    }

    #[test]
    fn the_demo_is_as_large_as_promised() {
        let held = directory();
        assert!(count(&held, "Users") >= 200);
        assert!(count(&held, "Groups") >= 25);
        assert!(count(&held, "GroupMemberships") >= 600);
        assert!(count(&held, "PermissionSets") >= 12);
        assert!(count(&held, "Accounts") >= 20);
        assert!(count(&held, "AccountAssignments") >= 150);
    }

    #[test]
    fn the_demo_is_deterministic() {
        assert_eq!(directory(), directory());
    }

    #[test]
    fn names_are_unique_where_aws_requires_it() {
        let held = directory();
        for (collection, field) in [
            ("Users", "UserName"),
            ("Groups", "DisplayName"),
            ("PermissionSets", "Name"),
            ("Accounts", "Name"),
        ] {
            let items = held[collection].as_array().unwrap();
            let mut names: Vec<&str> = items.iter().map(|i| i[field].as_str().unwrap()).collect();
            names.sort();
            let before = names.len();
            names.dedup();
            assert_eq!(before, names.len(), "{collection}.{field} repeats");
        }
    }

    #[test]
    fn ascii_names_fold_accents_and_drop_punctuation() {
        assert_eq!(ascii_name("Zoë", "O'Brien"), "zoe.obrien");
        assert_eq!(ascii_name("Mary Ann", "van der Berg"), "maryann.vanderberg");
        assert_eq!(ascii_name("Łucja", "Østergaard"), "lucja.ostergaard");
    }
}
