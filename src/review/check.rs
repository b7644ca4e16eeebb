//! What is wrong in a directory now (`.check`): each finding with a
//! severity, what it is about, the rows involved and what to do. Findings
//! are data, ordered by severity, then check, then subject.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::{Value as Json, json};

use crate::doc::Doc;
use crate::insights::items;

/// The collections a check reads.
pub struct Directory<'d> {
    pub users: &'d Doc,
    pub groups: &'d Doc,
    pub memberships: &'d Doc,
    pub assignments: &'d Doc,
    /// With their contents (policies, `NotProvisionedTo`).
    pub permission_sets: &'d Doc,
    pub access: &'d Doc,
}

/// What a check is told.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// An administrator-equivalent permission set held by more people than
    /// this is a finding.
    pub admin_limit: usize,
    /// The instance ARN, for the commands a finding's advice gives.
    pub instance_arn: Option<String>,
}

/// How much a finding matters, most first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Severity {
    High,
    Medium,
    Low,
}

impl Severity {
    fn name(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

struct Finding {
    severity: Severity,
    check: &'static str,
    subject: String,
    finding: String,
    advice: String,
    rows: Vec<Json>,
}

/// Whether a principal carries `ExternalIds`: synchronised from an
/// identity provider rather than made in Identity Center by hand.
fn from_identity_provider(item: &Doc) -> bool {
    item.get("ExternalIds")
        .and_then(Doc::as_array)
        .is_some_and(|ids| !ids.is_empty())
}

/// Why a permission set is administrator-equivalent, when it is: the AWS
/// managed `AdministratorAccess` policy, or an inline statement that
/// allows every action.
pub(crate) fn admin_equivalent(set: &Doc) -> Option<String> {
    let managed = set
        .get("AttachedManagedPolicies")
        .and_then(Doc::as_array)
        .unwrap_or_default()
        .iter()
        .any(|p| p.text("Arn").ends_with(":policy/AdministratorAccess"));
    if managed {
        return Some("the AWS managed policy AdministratorAccess".into());
    }
    let inline = set.get("InlinePolicy")?;
    let statements: Vec<&Doc> = match inline.get("Statement")? {
        Doc::Array(list) => list.iter().collect(),
        one => vec![one],
    };
    let allows_everything = statements.iter().any(|s| {
        let action = s.get("Action");
        let every = match action {
            Some(Doc::Array(actions)) => actions.iter().any(|a| a.as_str() == Some("*")),
            Some(one) => one.as_str() == Some("*"),
            None => false,
        };
        s.text("Effect") == "Allow" && every
    });
    allows_everything.then(|| "an inline policy that allows \"Action\": \"*\"".into())
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The assignment as a finding lists it.
fn assignment_row(a: &Doc) -> Json {
    json!({
        "AccountId": a.text("AccountId"),
        "AccountName": a.text("AccountName"),
        "PermissionSetName": a.text("PermissionSetName"),
        "PrincipalType": a.text("PrincipalType"),
        "PrincipalId": a.text("PrincipalId"),
    })
}

/// An access row as a finding lists it.
fn access_row(row: &Doc) -> Json {
    json!({
        "UserName": row.text("UserName"),
        "AccountName": row.text("AccountName"),
        "PermissionSetName": row.text("PermissionSetName"),
        "Via": row.get("Via").map_or(Json::Null, Doc::to_json),
    })
}

/// Every finding in `d`.
pub fn findings(d: &Directory<'_>, options: &CheckOptions) -> Json {
    let mut found: Vec<Finding> = Vec::new();
    let users: HashMap<&str, &Doc> = items(d.users)
        .iter()
        .map(|u| (u.text("UserId"), u))
        .collect();
    let groups: HashMap<&str, &Doc> = items(d.groups)
        .iter()
        .map(|g| (g.text("GroupId"), g))
        .collect();
    let assignments = items(d.assignments);
    let access = items(d.access);

    // Administrator-equivalent sets held by many.
    for set in items(d.permission_sets) {
        let Some(why) = admin_equivalent(set) else {
            continue;
        };
        let arn = set.text("PermissionSetArn");
        let rows: Vec<&Doc> = access
            .iter()
            .filter(|r| r.text("PermissionSetArn") == arn)
            .collect();
        let holders: BTreeSet<&str> = rows.iter().map(|r| r.text("UserName")).collect();
        if holders.len() > options.admin_limit {
            found.push(Finding {
                severity: Severity::High,
                check: "admin-widely-held",
                subject: set.text("Name").to_owned(),
                finding: format!(
                    "grants administrator rights ({why}) and is held by {} (more than {})",
                    plural(holders.len(), "person", "people"),
                    options.admin_limit
                ),
                advice: "keep standing administrator access to a few named people; give the rest a narrower set, or access on request".into(),
                rows: rows.into_iter().map(access_row).collect(),
            });
        }
    }

    // Sets edited and not provisioned again.
    let account_names: HashMap<&str, &str> = assignments
        .iter()
        .map(|a| (a.text("AccountId"), a.text("AccountName")))
        .collect();
    for set in items(d.permission_sets) {
        let outdated = set
            .get("NotProvisionedTo")
            .and_then(Doc::as_array)
            .unwrap_or_default();
        if outdated.is_empty() {
            continue;
        }
        found.push(Finding {
            severity: Severity::Medium,
            check: "not-provisioned",
            subject: set.text("Name").to_owned(),
            finding: format!(
                "was changed and the change is not provisioned to {}: they still grant the old version",
                plural(outdated.len(), "account", "accounts")
            ),
            advice: format!(
                "provision it again: aws sso-admin provision-permission-set --instance-arn {} --permission-set-arn {} --target-type ALL_PROVISIONED_ACCOUNTS",
                options.instance_arn.as_deref().unwrap_or("INSTANCE_ARN"),
                set.text("PermissionSetArn")
            ),
            rows: outdated
                .iter()
                .map(|id| {
                    let id = id.as_str().unwrap_or_default();
                    json!({"AccountId": id, "AccountName": account_names.get(id).copied()})
                })
                .collect(),
        });
    }

    // Assignments whose principal is gone, and users assigned directly.
    let mut orphaned: BTreeMap<(&str, &str), Vec<&Doc>> = BTreeMap::new();
    let mut direct: BTreeMap<&str, Vec<&Doc>> = BTreeMap::new();
    let mut assigned_groups: BTreeMap<&str, Vec<&Doc>> = BTreeMap::new();
    for a in assignments {
        let (kind, id) = (a.text("PrincipalType"), a.text("PrincipalId"));
        match kind {
            "USER" if !users.contains_key(id) => orphaned.entry((kind, id)).or_default().push(a),
            "GROUP" if !groups.contains_key(id) => orphaned.entry((kind, id)).or_default().push(a),
            "USER" => direct.entry(id).or_default().push(a),
            "GROUP" => assigned_groups.entry(id).or_default().push(a),
            _ => {}
        }
    }
    for ((kind, id), rows) in orphaned {
        found.push(Finding {
            severity: Severity::Medium,
            check: "orphaned-assignment",
            subject: id.to_owned(),
            finding: format!(
                "has {} but no such {} exists (deleted; one recreated under the same name gets a new ID and not this access)",
                plural(rows.len(), "assignment", "assignments"),
                kind.to_lowercase()
            ),
            advice: "delete these assignments (aws sso-admin delete-account-assignment), and assign the principal that exists now if it should keep the access".into(),
            rows: rows.into_iter().map(assignment_row).collect(),
        });
    }
    for (id, rows) in direct {
        let user = users.get(id).map_or(id, |u| u.text("UserName"));
        found.push(Finding {
            severity: Severity::Low,
            check: "direct-assignment",
            subject: user.to_owned(),
            finding: format!(
                "is assigned {} directly, not through a group",
                plural(rows.len(), "permission set", "permission sets")
            ),
            advice: "grant access through a group, so that it follows membership and is reviewed with it".into(),
            rows: rows.into_iter().map(assignment_row).collect(),
        });
    }

    // Disabled users who still have access.
    let mut disabled: BTreeMap<&str, Vec<&Doc>> = BTreeMap::new();
    for row in access {
        if row.text("UserStatus") == "DISABLED" {
            disabled.entry(row.text("UserName")).or_default().push(row);
        }
    }
    for (user, rows) in disabled {
        found.push(Finding {
            severity: Severity::Medium,
            check: "disabled-user-with-access",
            subject: user.to_owned(),
            finding: format!(
                "is disabled and still holds {}: enabling the user gives it back at once",
                plural(rows.len(), "grant", "grants")
            ),
            advice:
                "remove the user's direct assignments and group memberships, or delete the user"
                    .into(),
            rows: rows.into_iter().map(access_row).collect(),
        });
    }

    // Groups with assignments and no members.
    let with_members: HashSet<&str> = items(d.memberships)
        .iter()
        .map(|m| m.text("GroupId"))
        .collect();
    for (id, rows) in assigned_groups {
        if with_members.contains(id) {
            continue;
        }
        let name = groups.get(id).map_or(id, |g| g.text("DisplayName"));
        found.push(Finding {
            severity: Severity::Low,
            check: "group-without-members",
            subject: name.to_owned(),
            finding: format!(
                "has {} and no members",
                plural(rows.len(), "assignment", "assignments")
            ),
            advice: "delete the assignments if the group is no longer used; a member added later gets them all at once".into(),
            rows: rows.into_iter().map(assignment_row).collect(),
        });
    }

    // Sets assigned nowhere.
    let assigned_sets: HashSet<&str> = assignments
        .iter()
        .map(|a| a.text("PermissionSetArn"))
        .collect();
    for set in items(d.permission_sets) {
        if !assigned_sets.contains(set.text("PermissionSetArn")) {
            found.push(Finding {
                severity: Severity::Low,
                check: "unused-permission-set",
                subject: set.text("Name").to_owned(),
                finding: "is assigned nowhere".into(),
                advice: "delete it, or record why it is kept".into(),
                rows: Vec::new(),
            });
        }
    }

    // Members added by hand to groups the identity provider manages.
    let mut by_hand: BTreeMap<&str, Vec<Json>> = BTreeMap::new();
    for m in items(d.memberships) {
        let Some(group) = groups.get(m.text("GroupId")) else {
            continue;
        };
        let user_id = m.get("MemberId").map_or("", |id| id.text("UserId"));
        let Some(user) = users.get(user_id) else {
            continue;
        };
        if from_identity_provider(group) && !from_identity_provider(user) {
            by_hand
                .entry(group.text("DisplayName"))
                .or_default()
                .push(json!({"UserName": user.text("UserName"), "UserId": user_id}));
        }
    }
    for (group, rows) in by_hand {
        found.push(Finding {
            severity: Severity::Medium,
            check: "manual-change-in-synced-group",
            subject: group.to_owned(),
            finding: format!(
                "is managed by the identity provider and has {} made in Identity Center by hand: the next sync removes them",
                plural(rows.len(), "member", "members")
            ),
            advice: "make the change in the identity provider, or move the access to a group managed in Identity Center".into(),
            rows,
        });
    }

    found.sort_by(|a, b| (a.severity, a.check, &a.subject).cmp(&(b.severity, b.check, &b.subject)));
    Json::Array(
        found
            .into_iter()
            .map(|f| {
                json!({
                    "Severity": f.severity.name(),
                    "Check": f.check,
                    "Subject": f.subject,
                    "Finding": f.finding,
                    "Advice": f.advice,
                    "Rows": f.rows,
                })
            })
            .collect(),
    )
}
