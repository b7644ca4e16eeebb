//! One evaluator for every path: the shell, `-c` and piped stdin all run a
//! line through `Runner::run_line` and print it with `Runner::emit`.

use std::io::{self, Write};
use std::sync::Arc;
use std::time::Instant;

use serde_json::{Value as Json, json};

use crate::doc::Doc;
use crate::error::{Error, report};
use crate::insights;
use crate::query::{Dialect, Query};
use crate::render::{self, Format, Style};
use crate::session::{self, Session};
use crate::shell::commands::{self, Command, Switch};
use crate::shell::history::History;
use crate::shell::line::{self, Line};
use crate::shell::saved::{SavedError, SavedQueries};
use crate::source::aws::{AwsOptions, AwsSource};

/// Settings the user can change from inside the shell.
#[derive(Debug, Clone)]
pub struct Settings {
    pub format: Format,
    pub color: bool,
    pub timing: bool,
    /// `--yes`: write without asking.
    pub yes: bool,
    /// A person at a terminal who can be asked before a write.
    pub can_ask: bool,
    /// Long results go through `$PAGER` (the shell on a terminal only).
    pub pager: bool,
    /// The specification's JMESPath, or the AWS CLI's where they differ.
    pub dialect: Dialect,
}

impl Settings {
    /// Settings for scripts and tests: `format`, no colour, nothing asked.
    pub fn plain(format: Format) -> Settings {
        Settings {
            format,
            color: false,
            timing: false,
            yes: false,
            can_ask: false,
            pager: false,
            dialect: Dialect::Spec,
        }
    }
}

/// What a line produced.
#[derive(Debug)]
pub enum Outcome {
    /// Nothing to print.
    Nothing,
    /// Data, rendered in the current format.
    Value {
        value: Arc<Json>,
        warnings: Vec<String>,
    },
    /// Text for the user (help), printed as it is.
    Text(String),
    /// A note on stderr ("output format: csv").
    Note(String),
    /// Leave the shell.
    Quit,
}

/// What the caller should do after a line.
#[derive(Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Failed,
    Quit,
}

/// The session plus the settings, driven one line at a time.
pub struct Runner {
    pub session: Session,
    pub settings: Settings,
    /// How the live source was reached, for `.profile` and `.region` to
    /// reconnect with one setting changed; `None` offline.
    pub aws: Option<AwsOptions>,
    /// Lines typed at the prompt, for `.history`.
    pub history: History,
    /// `.save`, `.run` and friends.
    pub saved: SavedQueries,
}

impl Runner {
    /// A runner with no AWS settings, an in-memory history and in-memory
    /// saved queries.
    pub fn new(session: Session, settings: Settings) -> Runner {
        Runner {
            session,
            settings,
            aws: None,
            history: History::in_memory(),
            saved: SavedQueries::in_memory(),
        }
    }

    /// Runs one line and returns what it produced, printing nothing.
    pub fn run_line(&mut self, text: &str) -> Result<Outcome, Error> {
        let line = line::parse(text).map_err(|err| Error::Usage(err.to_string()))?;
        match line {
            Line::Empty => Ok(Outcome::Nothing),
            Line::Expression(expression) => {
                let outcome = self.expression(&expression)?;
                if let Outcome::Value { value, .. } = &outcome {
                    self.session.set_last(value.clone());
                }
                Ok(outcome)
            }
            Line::Command { words, filter } => {
                // Compile the filter first: a typo should not cost a fetch.
                let filter = filter
                    .map(|f| Query::compile_in(&f, self.settings.dialect))
                    .transpose()?;
                let command = commands::parse(&words).map_err(Error::Usage)?;
                let outcome = self.run_command(command)?;
                match (outcome, filter) {
                    (
                        Outcome::Value {
                            value,
                            mut warnings,
                        },
                        Some(filter),
                    ) => {
                        let answer = self.session.filter(&filter, &value)?;
                        warnings.extend(answer.warnings);
                        self.session.set_last(answer.value.clone());
                        Ok(Outcome::Value {
                            value: answer.value,
                            warnings,
                        })
                    }
                    (Outcome::Value { value, warnings }, None) => {
                        self.session.set_last(value.clone());
                        Ok(Outcome::Value { value, warnings })
                    }
                    (_, Some(_)) => Err(Error::Usage(format!(
                        ".{} has no result to filter",
                        words.first().map_or("", String::as_str)
                    ))),
                    (outcome, None) => Ok(outcome),
                }
            }
        }
    }

    fn expression(&mut self, expression: &str) -> Result<Outcome, Error> {
        let query = Query::compile_in(expression, self.settings.dialect)?;
        let answer = self.session.evaluate(&query)?;
        Ok(Outcome::Value {
            value: answer.value,
            warnings: answer.warnings,
        })
    }

    fn run_command(&mut self, command: Command) -> Result<Outcome, Error> {
        Ok(match command {
            Command::Help { command: None } => Outcome::Text(commands::help_all()),
            Command::Help {
                command: Some(name),
            } => Outcome::Text(commands::help_one(&name).map_err(Error::Usage)?),
            Command::Output { format: None } => {
                Outcome::Note(format!("output format: {}", self.settings.format.name()))
            }
            Command::Output {
                format: Some(format),
            } => {
                self.settings.format = format;
                Outcome::Note(format!("output format: {}", format.name()))
            }
            Command::Profile { name: None } => {
                Outcome::Note(format!("profile: {}", self.live()?.profile()))
            }
            Command::Profile { name: Some(name) } => {
                let mut options = self.options()?;
                options.profile = Some(name);
                self.reconnect(options)?
            }
            Command::Region { name: None } => {
                Outcome::Note(format!("region: {}", self.live()?.region()))
            }
            Command::Region { name: Some(name) } => {
                let mut options = self.options()?;
                options.region = Some(name);
                self.reconnect(options)?
            }
            Command::Store { id: Some(id) } => {
                self.live()?.set_store(id.clone());
                self.session.forget(&[])?;
                Outcome::Note(format!("identity store: {id} (cache dropped)"))
            }
            Command::Instance { arn: Some(arn) } => {
                self.live()?.set_instance(arn.clone());
                self.session.forget(&[])?;
                Outcome::Note(format!("instance: {arn} (cache dropped)"))
            }
            Command::Store { id: None } => {
                let (store, _) = self.store_and_instance()?;
                Outcome::Note(format!(
                    "identity store: {}",
                    store.as_deref().unwrap_or("not discovered yet")
                ))
            }
            Command::Instance { arn: None } => {
                let (_, instance) = self.store_and_instance()?;
                Outcome::Note(format!(
                    "instance: {}",
                    instance.as_deref().unwrap_or("not discovered yet")
                ))
            }
            Command::Whoami => {
                let value = match self.session.source().as_aws() {
                    Some(aws) => self.session.run(aws.whoami())?,
                    None => {
                        let (store, instance) = self.store_and_instance()?;
                        json!({
                            "Source": self.session.source_label(),
                            "IdentityStoreId": store,
                            "InstanceArn": instance,
                        })
                    }
                };
                Outcome::Value {
                    value: Arc::new(value),
                    warnings: Vec::new(),
                }
            }
            Command::Members { group } => {
                let [groups, memberships, users] =
                    self.collections(["Groups", "GroupMemberships", "Users"])?;
                let group = insights::resolve(&groups, &insights::GROUP, &group)?;
                data(insights::members(group, &memberships, &users))
            }
            Command::GroupsOf { user } => {
                if let Some(user_id) = self.targeted_user(&user, &["Users", "GroupMemberships"])? {
                    let aws = self.live()?;
                    return Ok(data(Json::Array(
                        self.session.run(aws.groups_of_user(&user_id))?,
                    )));
                }
                let [users, memberships] = self.collections(["Users", "GroupMemberships"])?;
                let user = insights::resolve(&users, &insights::USER, &user)?;
                data(insights::groups_of(user, &memberships))
            }
            Command::Access { user } => {
                if let Some(user_id) =
                    self.targeted_user(&user, &["Users", "GroupMemberships", "AccountAssignments"])?
                {
                    let [accounts] = self.collections(["Accounts"])?;
                    let names: std::collections::HashMap<String, String> = accounts
                        .as_array()
                        .unwrap_or_default()
                        .iter()
                        .map(|a| (text(a, "Id"), text(a, "Name")))
                        .collect();
                    let aws = self.live()?;
                    let mut rows = self.session.run(aws.access_of_user(&user_id, &names))?;
                    insights::sort_rows(&mut rows, &["AccountName", "PermissionSetName", "Via"]);
                    return Ok(data(Json::Array(rows)));
                }
                let [users, memberships, assignments] =
                    self.collections(["Users", "GroupMemberships", "AccountAssignments"])?;
                let user = insights::resolve(&users, &insights::USER, &user)?;
                data(insights::access(user, &memberships, &assignments))
            }
            Command::WhoCan {
                account,
                permission_set,
            } => {
                let [accounts, users, memberships, assignments] = self.collections([
                    "Accounts",
                    "Users",
                    "GroupMemberships",
                    "AccountAssignments",
                ])?;
                let account = insights::resolve(&accounts, &insights::ACCOUNT, &account)?;
                let sets = match &permission_set {
                    Some(_) => Some(self.collections(["PermissionSets"])?),
                    None => None,
                };
                let set = match (&sets, &permission_set) {
                    (Some([sets]), Some(name)) => {
                        Some(insights::resolve(sets, &insights::PERMISSION_SET, name)?)
                    }
                    _ => None,
                };
                data(insights::who_can(
                    account,
                    set,
                    &memberships,
                    &users,
                    &assignments,
                ))
            }
            Command::GetGroupId { attribute } => {
                data(self.unique_id(&attribute.join(" "), &insights::GROUP)?)
            }
            Command::GetUserId { attribute } => {
                data(self.unique_id(&attribute.join(" "), &insights::USER)?)
            }
            Command::DescribePermissionSet { permission_set } => {
                let [sets] = self.collections(["PermissionSets"])?;
                let set =
                    insights::resolve(&sets, &insights::PERMISSION_SET, &permission_set)?.to_json();
                match self.session.source().as_aws() {
                    Some(aws) => {
                        let arn = set["PermissionSetArn"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned();
                        data(self.session.run(aws.describe_permission_set(&arn))?)
                    }
                    None => data(set),
                }
            }
            Command::AddMember {
                group,
                user,
                dry_run,
            } => self.membership(Change::Add, &group, &user, dry_run)?,
            Command::RemoveMember {
                group,
                user,
                dry_run,
            } => self.membership(Change::Remove, &group, &user, dry_run)?,
            Command::Snapshot { file, all } => {
                let file = crate::files::expand_home(&file);
                if let Some(folder) = file.parent().filter(|p| !p.as_os_str().is_empty())
                    && !folder.is_dir()
                {
                    return Err(Error::Usage(format!(
                        "no folder {}; create it first (the snapshot was not written)",
                        folder.display()
                    )));
                }
                if all {
                    self.session.ensure(&self.session.collection_names())?;
                }
                let count = self.write_snapshot(&file)?;
                Outcome::Note(format!(
                    "wrote {count} collection{} to {}",
                    if count == 1 { "" } else { "s" },
                    file.display()
                ))
            }
            Command::Cache => Outcome::Value {
                value: Arc::new(self.cache_listing()),
                warnings: Vec::new(),
            },
            Command::Refresh { collections } => {
                let forgotten = self.session.forget(&collections)?;
                Outcome::Note(if forgotten.is_empty() {
                    "nothing was cached".to_owned()
                } else {
                    format!("forgot {}", forgotten.join(", "))
                })
            }
            Command::Timing { state } => {
                if let Some(state) = state {
                    self.settings.timing = state == Switch::On;
                }
                Outcome::Note(format!(
                    "timing {}",
                    if self.settings.timing { "on" } else { "off" }
                ))
            }
            Command::Save {
                name,
                expression,
                force,
            } => {
                let replace = match self.saved.get(&name) {
                    Some(old) if old != expression && !force && !self.settings.yes => {
                        if !self.settings.can_ask {
                            return Err(SavedError::Exists {
                                name,
                                expression: old,
                            }
                            .into());
                        }
                        if !self.confirm(&format!("replace saved query {name} ({old})?"))? {
                            return Ok(Outcome::Note("nothing was changed".into()));
                        }
                        true
                    }
                    _ => true,
                };
                let warning = self.saved.save(&name, &expression, replace)?;
                with_warning(
                    Outcome::Note(format!("saved {name}: {expression}")),
                    warning,
                )
            }
            Command::Unsave { name } => {
                let warning = self.saved.remove(&name)?;
                with_warning(Outcome::Note(format!("forgot {name}")), warning)
            }
            Command::Queries => {
                let (queries, warning) = self.saved.list();
                let rows = queries
                    .into_iter()
                    .map(|q| json!({"Name": q.name, "Expression": q.expression, "Parameters": q.parameters}))
                    .collect();
                with_warning(data(Json::Array(rows)), warning)
            }
            Command::Run { name, args } => {
                let expression = self.saved.expand(&name, &args)?;
                self.expression(&expression)?
            }
            Command::History { filter } => {
                let filter = filter.join(" ");
                let rows = match filter.parse::<usize>() {
                    Ok(n) => self.history.last(n),
                    Err(_) if filter.is_empty() => self.history.last(20),
                    Err(_) => self.history.containing(&filter),
                };
                data(Json::Array(
                    rows.into_iter()
                        .map(|(n, line)| json!({"N": n, "Line": line}))
                        .collect(),
                ))
            }
            Command::Compat { mode } => {
                if let Some(mode) = mode {
                    self.settings.dialect = mode.dialect();
                }
                Outcome::Note(format!(
                    "compat {}",
                    crate::cli::Compat::of(self.settings.dialect).name()
                ))
            }
            Command::Pager { state } => {
                if let Some(state) = state {
                    self.settings.pager = state == Switch::On;
                }
                Outcome::Note(format!(
                    "pager {}",
                    if self.settings.pager { "on" } else { "off" }
                ))
            }
            Command::Quit => Outcome::Quit,
        })
    }

    /// `.get-group-id` / `.get-user-id`: the live source asks AWS; offline
    /// sources search the collection.
    fn unique_id(&mut self, assignment: &str, kind: &insights::Kind) -> Result<Json, Error> {
        let Some((attribute, value)) = assignment.split_once('=') else {
            return Err(Error::Usage(format!(
                "expected ATTRIBUTE=VALUE, got {assignment}"
            )));
        };
        let (attribute, value) = (attribute.trim(), value.trim());
        if let Some(aws) = self.session.source().as_aws() {
            let lookup = if kind.id_field == "GroupId" {
                self.session.run(aws.get_group_id(attribute, value))
            } else {
                self.session.run(aws.get_user_id(attribute, value))
            };
            return lookup;
        }
        let collection = if kind.id_field == "GroupId" {
            "Groups"
        } else {
            "Users"
        };
        let [items] = self.collections([collection])?;
        let found = items
            .as_array()
            .unwrap_or_default()
            .iter()
            .find(|item| insights::has_attribute(item, attribute, value))
            .ok_or_else(|| Error::Usage(format!("no {} with {attribute} = {value}", kind.what)))?;
        Ok(
            json!({ kind.id_field: found[kind.id_field].as_str(), "IdentityStoreId": found["IdentityStoreId"].as_str() }),
        )
    }

    /// `.add-member` / `.remove-member`: resolve, show the call, ask (or
    /// refuse in a script without --yes), write once, check, and drop the
    /// cached memberships so the next query is true.
    fn membership(
        &mut self,
        change: Change,
        group: &str,
        user: &str,
        dry_run: bool,
    ) -> Result<Outcome, Error> {
        let [groups, users] = self.collections(["Groups", "Users"])?;
        let group = insights::resolve(&groups, &insights::GROUP, group)?;
        let user = insights::resolve(&users, &insights::USER, user)?;
        let (group_id, group_name) = (text(group, "GroupId"), text(group, "DisplayName"));
        let (user_id, user_name) = (text(user, "UserId"), text(user, "UserName"));
        let (store, _) = self.store_and_instance()?;
        let store = store.unwrap_or_default();
        let (verb, call) = match change {
            Change::Add => (
                format!("add {user_name} to {group_name}"),
                format!(
                    "CreateGroupMembership(IdentityStoreId={store}, GroupId={group_id}, MemberId={{UserId={user_id}}})"
                ),
            ),
            Change::Remove => (
                format!("remove {user_name} from {group_name}"),
                format!(
                    "DeleteGroupMembership(IdentityStoreId={store}, MembershipId of {user_id} in {group_id})"
                ),
            ),
        };
        if dry_run {
            return Ok(Outcome::Note(format!(
                "dry run, nothing sent: would {verb}: {call}"
            )));
        }
        let aws = self.live()?;
        if !self.settings.yes {
            if !self.settings.can_ask {
                return Err(Error::Usage(format!(
                    "refusing to {verb} without confirmation; pass --yes (-y) to write from a script"
                )));
            }
            if !self.confirm(&format!("{call}\n{verb}?"))? {
                return Ok(Outcome::Note("nothing was changed".into()));
            }
        }
        let outcome = match change {
            Change::Add => self.session.run(aws.add_member(&group_id, &user_id))?,
            Change::Remove => self.session.run(aws.remove_member(&group_id, &user_id))?,
        };
        self.session.forget(&["GroupMemberships".to_owned()])?;
        use crate::source::aws::WriteOutcome::*;
        let note = match (change, outcome) {
            (Change::Add, Done { membership_id }) => format!(
                "added {user_name} to {group_name} (MembershipId {}, checked)",
                membership_id.unwrap_or_else(|| "not found on the check".into())
            ),
            (Change::Remove, Done { .. }) => {
                format!("removed {user_name} from {group_name} (checked)")
            }
            (_, AlreadyMember { membership_id }) => {
                format!(
                    "{user_name} is already a member of {group_name} (MembershipId {membership_id}); nothing was changed"
                )
            }
            (_, NotMember) => {
                format!("{user_name} is not a member of {group_name}; nothing was changed")
            }
            (_, Unclear { took_effect, error }) => {
                return Err(Error::Usage(format!(
                    "the call to {verb} failed ({error}); checked afterwards: it {} take effect; not retried",
                    if took_effect { "did" } else { "did not" }
                )));
            }
        };
        Ok(Outcome::Note(note))
    }

    /// Asks the person at the terminal; true for y or yes.
    fn confirm(&self, question: &str) -> Result<bool, Error> {
        eprint!("{question} [y/N] ");
        let mut answer = String::new();
        io::stdin()
            .read_line(&mut answer)
            .map_err(|e| Error::io("cannot read the answer", e))?;
        Ok(matches!(answer.trim().to_lowercase().as_str(), "y" | "yes"))
    }

    /// On the live source, when any of `collections` is not held, finds the
    /// user with the calls about that user alone and returns the UserId;
    /// `None` means: answer from the collections.
    fn targeted_user(&mut self, user: &str, collections: &[&str]) -> Result<Option<String>, Error> {
        let Some(aws) = self.session.source().as_aws() else {
            return Ok(None);
        };
        if collections
            .iter()
            .all(|c| self.session.held().contains_key(*c))
        {
            return Ok(None);
        }
        match self.session.run(aws.find_user(user))? {
            Some(user_id) => Ok(Some(user_id)),
            None => Err(insights::NameError::Unknown {
                what: "user",
                name: user.to_owned(),
                suggestion: None,
            }
            .into()),
        }
    }

    /// Fetches the named collections (if not held) and returns them.
    fn collections<const N: usize>(&mut self, names: [&str; N]) -> Result<[Arc<Doc>; N], Error> {
        let owned: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        self.session.ensure(&owned)?;
        let held = self.session.held();
        Ok(names.map(|name| held.get(name).map(|h| h.value.clone()).unwrap_or_default()))
    }

    /// Writes the held collections, with where and when they came from, as
    /// one JSON document; atomically (a crash leaves the old file or none)
    /// and readable only by the owner.
    fn write_snapshot(&mut self, path: &std::path::Path) -> Result<usize, Error> {
        let (store, instance) = self.store_and_instance()?;
        let time = aws_smithy_types::DateTime::from(std::time::SystemTime::now());
        let meta = Doc::from(json!({
            "Source": self.session.source_label(),
            "IdentityStoreId": store,
            "InstanceArn": instance,
            "Time": crate::source::model::timestamp(&time),
        }));
        let held = self.session.held();
        let mut entries: Vec<(&str, &Doc)> = vec![("Snapshot", &meta)];
        entries.extend(
            held.iter()
                .filter(|(name, _)| *name != "Snapshot")
                .map(|(name, h)| (name.as_str(), h.value.as_ref())),
        );
        let count = entries.len() - 1;
        let document = SnapshotDocument(entries);
        crate::files::write_private(path, |out| {
            serde_json::to_writer(&mut *out, &document).map_err(io::Error::other)?;
            out.write_all(b"\n")
        })
        .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
        Ok(count)
    }

    fn live(&self) -> Result<&AwsSource, Error> {
        self.session.source().as_aws().ok_or_else(|| {
            Error::Usage(format!(
                "{} is offline; this command needs the live AWS source",
                self.session.source_label()
            ))
        })
    }

    fn options(&self) -> Result<AwsOptions, Error> {
        self.live()?;
        self.aws
            .clone()
            .ok_or_else(|| Error::Usage("no AWS settings to change".into()))
    }

    /// Connects again with changed options; the cache is dropped.
    fn reconnect(&mut self, options: AwsOptions) -> Result<Outcome, Error> {
        let source = self.session.run(AwsSource::connect(options.clone()))?;
        let note = format!(
            "profile: {}, region: {} (cache dropped)",
            source.profile(),
            source.region()
        );
        self.session.replace_source(Box::new(source));
        self.aws = Some(options);
        Ok(Outcome::Note(note))
    }

    /// The store and instance: the live source's, or an offline source's
    /// `Instances` collection's first item.
    fn store_and_instance(&mut self) -> Result<(Option<String>, Option<String>), Error> {
        if let Some(aws) = self.session.source().as_aws() {
            return Ok(aws.store_and_instance());
        }
        if !self
            .session
            .collection_names()
            .iter()
            .any(|c| c == "Instances")
        {
            return Ok((None, None));
        }
        self.session.ensure(&["Instances".to_owned()])?;
        let first = self
            .session
            .held()
            .get("Instances")
            .map(|h| h.value[0].clone());
        let field = |key: &str| {
            first
                .as_ref()
                .and_then(|i| i[key].as_str())
                .map(str::to_owned)
        };
        Ok((field("IdentityStoreId"), field("InstanceArn")))
    }

    fn cache_listing(&self) -> Json {
        Json::Array(
            self.session
                .held()
                .iter()
                .map(|(name, held)| {
                    let items = held.value.count();
                    json!({
                        "Collection": name,
                        "Items": items,
                        "AgeSeconds": session::age(held).as_secs(),
                    })
                })
                .collect(),
        )
    }

    /// Runs a line and prints its result to `out` and everything else to
    /// `err`. A closed stdout (`idcsh ... | head`) ends quietly.
    pub fn step(&mut self, text: &str, out: &mut impl Write, err: &mut impl Write) -> Flow {
        let started = Instant::now();
        let requests_before = self.session.requests_made();
        let result = self.run_line(text);
        let flow = match result {
            Ok(outcome) => match self.emit(&outcome, out, err) {
                Ok(()) if matches!(outcome, Outcome::Quit) => Flow::Quit,
                Ok(()) => Flow::Continue,
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Flow::Quit,
                Err(e) => {
                    report(&Error::io("cannot write output", e), err);
                    Flow::Failed
                }
            },
            Err(e) => {
                report(&e, err);
                Flow::Failed
            }
        };
        if self.settings.timing {
            let _ = writeln!(
                err,
                "time: {:.1} ms, AWS requests: {}",
                started.elapsed().as_secs_f64() * 1000.0,
                self.session.requests_made() - requests_before
            );
        }
        flow
    }

    /// Prints an outcome: data in the current format on `out`, notes and
    /// warnings on `err`.
    pub fn emit(
        &self,
        outcome: &Outcome,
        out: &mut impl Write,
        err: &mut impl Write,
    ) -> io::Result<()> {
        match outcome {
            Outcome::Nothing | Outcome::Quit => Ok(()),
            Outcome::Value { value, warnings } => {
                for warning in warnings {
                    writeln!(err, "warning: {warning}")?;
                }
                let style = Style {
                    format: self.settings.format,
                    color: self.settings.color,
                    width: None,
                };
                let mut buffered = io::BufWriter::with_capacity(64 * 1024, &mut *out);
                render::render(value, &style, &mut buffered)?;
                buffered.flush()
            }
            Outcome::Text(text) => {
                out.write_all(text.as_bytes())?;
                out.flush()
            }
            Outcome::Note(note) => writeln!(err, "{note}"),
        }
    }
}

/// `outcome`, with a warning about the user's files when there is one.
fn with_warning(outcome: Outcome, warning: Option<String>) -> Outcome {
    match (outcome, warning) {
        (
            Outcome::Value {
                value,
                mut warnings,
            },
            Some(w),
        ) => {
            warnings.push(w);
            Outcome::Value { value, warnings }
        }
        (Outcome::Note(note), Some(w)) => Outcome::Note(format!("warning: {w}\n{note}")),
        (outcome, _) => outcome,
    }
}

/// A command's data result.
fn data(value: Json) -> Outcome {
    Outcome::Value {
        value: Arc::new(value),
        warnings: Vec::new(),
    }
}

/// The snapshot's top level: name → collection, in order.
struct SnapshotDocument<'a>(Vec<(&'a str, &'a Doc)>);

impl serde::Serialize for SnapshotDocument<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// A membership change.
#[derive(Debug, Clone, Copy)]
enum Change {
    Add,
    Remove,
}

fn text(doc: &Doc, key: &str) -> String {
    doc[key].as_str().unwrap_or_default().to_owned()
}
