//! The access-review commands: `.diff` (what changed), `.check` (what is
//! wrong now) and `.report` (the evidence pack), over `crate::review`.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use serde_json::json;

use super::context::Context;
use crate::collection::Collection;
use crate::doc::Doc;
use crate::error::Error;
use crate::outcome::Outcome;

/// `.check [--admins N]`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// An administrator-equivalent permission set held by more people than N is a finding
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub admins: usize,
}

/// `.diff OLD [NEW] [--exit-code]`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// A snapshot written by .snapshot: the earlier state
    pub old: PathBuf,
    /// A later snapshot; the directory in use when left out
    pub new: Option<PathBuf>,
    /// Exit status 1 when anything differs (a nightly drift check)
    #[arg(long)]
    pub exit_code: bool,
}

/// The collections a diff reads, in the order of [`review::Side`].
const DIFF_READS: [Collection; 5] = [
    Collection::Users,
    Collection::Groups,
    Collection::GroupMemberships,
    Collection::Accounts,
    Collection::EffectiveAccess,
];

/// `.diff OLD [NEW]`: what changed from a snapshot to another, or to the
/// directory in use.
pub(super) fn diff(cx: &mut Context<'_>, args: DiffArgs) -> Result<Outcome, Error> {
    let old = snapshot_collections(cx, &args.old)?;
    let new = match &args.new {
        Some(path) => snapshot_collections(cx, path)?,
        None => {
            let held = cx.collections(DIFF_READS)?;
            // Policies are fetched (six calls a set) only when the old
            // side has them to compare with.
            let sets = match &old.1 {
                Some(sets) if crate::collection::has_contents(sets) => {
                    Some(cx.permission_sets_with_contents()?)
                }
                _ => {
                    let [sets] = cx.collections([Collection::PermissionSets])?;
                    Some(sets)
                }
            };
            (held, sets)
        }
    };
    let (changes, notes) = crate::review::diff(&diff_side(&old), &diff_side(&new));
    let differs = crate::review::differs(&changes);
    let outcome = Outcome::Viewed {
        view: Arc::new(Doc::from(crate::review::summary(&changes))),
        value: Arc::new(Doc::from(changes)),
        warnings: notes,
    };
    Ok(if args.exit_code && differs {
        Outcome::Failing(Box::new(outcome))
    } else {
        outcome
    })
}

/// The collections a check reads, as the directory in use holds them now.
struct Current {
    users: Arc<Doc>,
    groups: Arc<Doc>,
    memberships: Arc<Doc>,
    assignments: Arc<Doc>,
    /// With what each set grants.
    sets: Arc<Doc>,
    access: Arc<Doc>,
}

impl Current {
    fn fetch(cx: &mut Context<'_>) -> Result<Current, Error> {
        let sets = cx.permission_sets_with_contents()?;
        let [users, groups, memberships, assignments, access] = cx.collections([
            Collection::Users,
            Collection::Groups,
            Collection::GroupMemberships,
            Collection::AccountAssignments,
            Collection::EffectiveAccess,
        ])?;
        Ok(Current {
            users,
            groups,
            memberships,
            assignments,
            sets,
            access,
        })
    }

    /// `.check`'s findings over these collections.
    fn findings(&self, cx: &mut Context<'_>, admins: usize) -> Result<serde_json::Value, Error> {
        let options = crate::review::CheckOptions {
            admin_limit: admins,
            instance_arn: cx.store_and_instance()?.1,
        };
        let directory = crate::review::Directory {
            users: &self.users,
            groups: &self.groups,
            memberships: &self.memberships,
            assignments: &self.assignments,
            permission_sets: &self.sets,
            access: &self.access,
        };
        Ok(crate::review::findings(&directory, &options))
    }
}

/// `.check`: what is wrong in the directory in use now.
pub(super) fn check(cx: &mut Context<'_>, args: CheckArgs) -> Result<Outcome, Error> {
    let current = Current::fetch(cx)?;
    let mut warnings = Vec::new();
    if !crate::collection::has_contents(&current.sets) {
        warnings.push(format!(
            "{} holds no permission set policies: administrator-equivalent sets and stale provisioning were not checked",
            cx.session.source_label()
        ));
    }
    Ok(Outcome::Value {
        value: Arc::new(Doc::from(current.findings(cx, args.admins)?)),
        warnings,
    })
}

/// The collections of one side of a diff: those in [`DIFF_READS`]'s
/// order, and the permission sets where they are known.
type DiffCollections = ([Arc<Doc>; 5], Option<Arc<Doc>>);

/// One side of a diff.
fn diff_side(side: &DiffCollections) -> crate::review::Side<'_> {
    let (c, sets) = side;
    crate::review::Side {
        users: &c[0],
        groups: &c[1],
        memberships: &c[2],
        accounts: &c[3],
        access: &c[4],
        permission_sets: sets.as_deref(),
    }
}

/// The collections a diff reads, from a snapshot file.
fn snapshot_collections(
    cx: &Context<'_>,
    path: &std::path::Path,
) -> Result<DiffCollections, Error> {
    let path = crate::files::expand_home(path);
    let shown = path.display().to_string();
    let source = crate::source::file::open(&shown)?;
    let mut names: Vec<String> = DIFF_READS.iter().map(|c| c.name().to_owned()).collect();
    let sets = Collection::PermissionSets.name();
    let has_sets = crate::source::Source::collections(&source)
        .iter()
        .any(|c| c == sets);
    if has_sets {
        names.push(sets.to_owned());
    }
    let held = crate::source::Held::default();
    let fetched = cx
        .runtime
        .block_on(crate::source::Source::fetch(&source, &names, &held))
        .map_err(|err| match err {
            crate::source::SourceError::UnknownCollection { name, .. } => Error::Usage(format!(
                "{shown} has no {name}; a snapshot for .diff is written with .snapshot --all"
            )),
            other => other.into(),
        })?;
    let find = |name: &str| {
        fetched
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, doc)| doc.clone())
    };
    Ok((
        DIFF_READS.map(|c| find(c.name()).unwrap_or_default()),
        find(sets),
    ))
}

/// `.report FOLDER|FILE.html [--baseline SNAPSHOT] [--admins N] [--force]`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A folder for the CSV tables, the page and a manifest (made when
    /// missing; its parent must exist), or FILE.html for the page alone
    pub folder: PathBuf,
    /// A snapshot of the previous review: the report lists what changed since
    #[arg(long, value_name = "SNAPSHOT")]
    pub baseline: Option<PathBuf>,
    /// An administrator-equivalent permission set held by more people than N is a finding
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub admins: usize,
    /// Replace the report files in FOLDER if it holds some, without asking
    #[arg(long)]
    pub force: bool,
}

/// The files a report writes, for the question before replacing them.
const REPORT_FILES: [&str; 2] = ["report.html", "manifest.json"];

/// `.report FOLDER`: the evidence pack of an access review.
pub(super) fn report(cx: &mut Context<'_>, args: ReportArgs) -> Result<Outcome, Error> {
    let folder = crate::files::expand_home(&args.folder);
    let page_alone = folder
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
    if folder.is_file() && !page_alone {
        return Err(Error::Usage(format!(
            "{} is a file; .report writes a folder of files (name a new folder)",
            folder.display()
        )));
    }
    if let Some(parent) = folder.parent().filter(|p| !p.as_os_str().is_empty())
        && !parent.is_dir()
    {
        return Err(Error::Usage(format!(
            "no folder {}; create it first (the report was not written)",
            parent.display()
        )));
    }
    let earlier = match page_alone {
        true => folder.exists(),
        false => REPORT_FILES.iter().any(|f| folder.join(f).exists()),
    };
    if earlier {
        let what = if page_alone {
            "exists"
        } else {
            "holds a report"
        };
        let refusal = || {
            Error::Usage(format!(
                "{} {what}; pass --force to replace it (nothing was written)",
                folder.display()
            ))
        };
        let question = format!("replace the report in {}?", folder.display());
        if !args.force && !cx.confirmed(&question, refusal)? {
            return Ok(Outcome::Note("nothing was written".into()));
        }
    }
    // The baseline is read first: a wrong path costs no fetch.
    let baseline = args
        .baseline
        .as_ref()
        .map(|path| snapshot_collections(cx, path))
        .transpose()?;
    let current = Current::fetch(cx)?;
    let findings = current.findings(cx, args.admins)?;
    let mut warnings = Vec::new();
    let changes = match &baseline {
        Some(old) => {
            let [accounts] = cx.collections([Collection::Accounts])?;
            let now = (
                [
                    current.users.clone(),
                    current.groups.clone(),
                    current.memberships.clone(),
                    accounts,
                    current.access.clone(),
                ],
                Some(current.sets.clone()),
            );
            let (changes, notes) = crate::review::diff(&diff_side(old), &diff_side(&now));
            warnings.extend(notes);
            Some(changes)
        }
        None => None,
    };
    let signature = signature(cx, args.baseline.as_deref())?;
    let report = crate::review::Report {
        signature,
        access: &current.access,
        permission_sets: &current.sets,
        findings: &findings,
        changes: changes.as_ref(),
    };
    let cannot = |e| {
        Error::io(
            format!("cannot write the report to {}", folder.display()),
            e,
        )
    };
    let mut note = if page_alone {
        crate::review::write_page(&folder, &report).map_err(cannot)?;
        format!("wrote {}: open it to read or print it", folder.display())
    } else {
        crate::files::create_private_dir(&folder)
            .map_err(|e| Error::io(format!("cannot make {}", folder.display()), e))?;
        let written = crate::review::write_report(&folder, &report).map_err(cannot)?;
        format!(
            "wrote {} files to {}: open {} to read or print it",
            written.len(),
            folder.display(),
            folder.join("report.html").display()
        )
    };
    for warning in warnings {
        note = format!("{}\n{note}", crate::error::warning_text(&warning));
    }
    Ok(Outcome::Note(note))
}

/// Who ran the report, when, against what, and how old each collection
/// it read was.
fn signature(
    cx: &mut Context<'_>,
    baseline: Option<&std::path::Path>,
) -> Result<serde_json::Value, Error> {
    let (store, instance) = cx.store_and_instance()?;
    let caller = cx.caller();
    let now = std::time::SystemTime::now();
    let stamp = |at: std::time::SystemTime| {
        crate::collection::timestamp(&aws_smithy_types::DateTime::from(at))
    };
    let collections: Vec<serde_json::Value> = cx
        .session
        .held()
        .iter()
        .map(|(name, held)| {
            let age = crate::session::age(held);
            json!({
                "Name": name,
                "AsOf": now.checked_sub(age).and_then(stamp),
                "AgeSeconds": age.as_secs(),
                "FromDiskCache": held.from_disk,
            })
        })
        .collect();
    Ok(json!({
        "Generated": stamp(now),
        "Caller": caller,
        "Source": cx.session.source_label(),
        "IdentityStoreId": store,
        "InstanceArn": instance,
        "Baseline": baseline.map(|p| p.display().to_string()),
        "Tool": format!("idcsh {}", env!("CARGO_PKG_VERSION")),
        "Collections": collections,
    }))
}
