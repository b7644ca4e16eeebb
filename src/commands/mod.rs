//! The dot-commands: one clap definition feeds dispatch, `.help` and
//! completion. Each family of commands runs in its own file, on typed
//! arguments: `session` (settings and the connection), `directory`
//! (questions about the directory, snapshots), `writes` (membership
//! changes), `saved` (saved queries and history).

mod context;
mod directory;
mod explain;
mod principals;
mod review;
mod saved;
mod session;
mod writes;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum, ValueHint};

use crate::error::Error;
use crate::line::RestOfLine;
use crate::outcome::Outcome;
use crate::render::Format;

pub use context::{Confirm, Context, Live, Terminal};
pub use directory::{
    AccountArgs, GroupArgs, LookupArgs, PermissionSetArgs, SnapshotArgs, UserArgs,
};
pub use explain::ExplainArgs;
pub use review::{CheckArgs, DiffArgs, ReportArgs};
pub use saved::{HistoryArgs, RunArgs, SaveArgs};
pub use writes::MembershipArgs;

/// A dot-command line, parsed by clap in multicall mode: the first word is
/// the command's name.
#[derive(Debug, Parser)]
#[command(
    multicall = true,
    disable_help_subcommand = true,
    disable_help_flag = true
)]
pub struct CommandLine {
    #[command(subcommand)]
    pub command: Command,
}

/// Every dot-command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List commands, or show one command's usage
    #[command(after_help = "Example: .help cache")]
    Help {
        /// A command's name, with or without the dot
        command: Option<String>,
    },
    /// Show or switch the output format
    #[command(after_help = "Example: .output csv")]
    Output {
        /// table, wide (a table of every field), json, yaml, text or csv; none: show the one in use
        format: Option<Format>,
    },
    /// Send every result to FILE (its extension names the format) until .output-file alone
    #[command(
        name = "output-file",
        after_help = "Examples: .output-file review.csv\n          .output-file           (back to the screen)\nOne line: EXPRESSION > FILE replaces FILE, EXPRESSION >> FILE adds to it"
    )]
    OutputFile {
        /// The file results go to; none: back to the screen
        #[arg(value_name = "FILE")]
        file: Option<std::path::PathBuf>,
        /// Replace FILE if it exists, without asking
        #[arg(long)]
        force: bool,
    },
    /// Tables of every field (on), or of brief columns for known items (off)
    #[command(
        after_help = "Example: .wide on    (the same as .output wide; .wide off is .output table)"
    )]
    Wide {
        /// on or off; none: show the setting
        #[arg(value_name = "on|off")]
        state: Option<Switch>,
    },
    /// Show or switch the AWS profile (switching drops the cache)
    #[command(after_help = "Example: .profile root")]
    Profile {
        /// A profile of ~/.aws/config; none: show the one in use
        #[arg(value_name = "NAME")]
        profile: Option<String>,
    },
    /// Show or switch the AWS region (switching drops the cache)
    #[command(after_help = "Example: .region eu-west-1")]
    Region {
        /// A region such as eu-west-1; none: show the one in use
        #[arg(value_name = "REGION")]
        region: Option<String>,
    },
    /// Show or set the Identity Store ID
    #[command(after_help = "Example: .store d-1234567890")]
    Store {
        /// An Identity Store ID (d-1234567890); none: show the one in use
        #[arg(value_parser = crate::source::aws::parse_identity_store_id)]
        id: Option<String>,
    },
    /// Show or set the Identity Center instance ARN
    #[command(after_help = "Example: .instance arn:aws:sso:::instance/ssoins-1234567890abcdef")]
    Instance {
        /// An instance ARN; none: show the one in use
        #[arg(value_parser = crate::source::aws::parse_instance_arn)]
        arn: Option<String>,
    },
    /// The caller's account, ARN and profile (STS GetCallerIdentity), store and instance
    #[command(after_help = "Example: .whoami | Account")]
    Whoami,
    /// A group's members, with user names
    #[command(after_help = "Example: .members 'Platform Engineers' | [].UserName")]
    Members(GroupArgs),
    /// The groups a user belongs to
    #[command(after_help = "Example: .groups-of alice")]
    GroupsOf(UserArgs),
    /// A user's effective access: every account and permission set, direct or through which group
    #[command(after_help = "Example: .access alice | [?Via != 'direct']")]
    Access(UserArgs),
    /// Every user with access to an account, and through what
    #[command(after_help = "Example: .who-can prod-payments AdministratorAccess")]
    WhoCan(AccountArgs),
    /// GetGroupId by a unique attribute, without hand-written JSON
    #[command(after_help = "Example: .get-group-id DisplayName=Platform Engineers")]
    GetGroupId(LookupArgs),
    /// GetUserId by a unique attribute, without hand-written JSON
    #[command(after_help = "Example: .get-user-id UserName=alice")]
    GetUserId(LookupArgs),
    /// A permission set and what it grants: policies (inline as JSON), boundary, tags, stale accounts
    #[command(after_help = "Example: .describe-permission-set AdministratorAccess")]
    DescribePermissionSet(PermissionSetArgs),
    /// Add a user to a group (asks first unless --yes; --dry-run calls nothing)
    #[command(after_help = "Example: .add-member 'Platform Engineers' alice --dry-run")]
    AddMember(MembershipArgs),
    /// Remove a user from a group (asks first unless --yes; --dry-run calls nothing)
    #[command(after_help = "Example: .remove-member 'Platform Engineers' alice")]
    RemoveMember(MembershipArgs),
    /// Write the collections fetched so far as one JSON document that --data reads
    #[command(after_help = "Example: .snapshot directory.json --all")]
    Snapshot(SnapshotArgs),
    /// What changed between two snapshots, or a snapshot and the directory in use
    #[command(
        after_help = "Examples: .diff q3.json | Gained[?PermissionSetName == 'AdministratorAccess']\n          .diff q3.json q4.json --exit-code"
    )]
    Diff(DiffArgs),
    /// Findings to fix: stale provisioning, orphaned and direct grants, disabled users with access, admin held by many...
    #[command(
        after_help = "Examples: .check | [?Severity == 'high']\n          .check --admins 3 | [].[Severity, Check, Subject]"
    )]
    Check(CheckArgs),
    /// Write an access review's evidence: CSV tables and one HTML page, signed with who ran it
    #[command(
        after_help = "Examples: .report review-2026-q4\n          .report review-2026-q4 --baseline q3.json"
    )]
    Report(ReportArgs),
    /// An expression as a tree, then each step with what it produced: where a filter went empty, and why
    #[command(
        after_help = "Example: .explain Users[?Title == 'Engineer'].UserName\n\
        The steps are the chain's links (a field, a filter, an index, a pipe), each run on its own;\n\
        a filter that kept nothing says what the fields it compares hold."
    )]
    Explain(ExplainArgs),
    /// Save an expression under a name; $1, $2... take .run's arguments
    #[command(
        after_help = "Example: .save member-of \"GroupMemberships[?UserName == '$1'].GroupName\"\n\
        The expression is the rest of the line; quote it as one word or give it bare.\n\
        An existing name is replaced only when confirmed, or with --force.\n\
        An argument is always a string and cannot change the expression around it."
    )]
    Save(SaveArgs),
    /// List the saved queries
    #[command(after_help = "Example: .queries | [].Name")]
    Queries,
    /// Run a saved query with its arguments
    #[command(after_help = "Example: .run member-of alice | length(@)")]
    Run(RunArgs),
    /// Forget a saved query
    #[command(after_help = "Example: .unsave member-of")]
    Unsave {
        /// The saved query to forget
        #[arg(value_name = "NAME")]
        query: String,
    },
    /// The last N lines typed (default 20), or those containing TEXT
    #[command(after_help = "Example: .history 5, .history Users")]
    History(HistoryArgs),
    /// Each field of a collection: its type, how many items fill it, an example
    #[command(
        after_help = "Examples: .inspect Users\n          .inspect               (the collections, and the items held of each)\n          .inspect Users | [?FillRate != '100%'].Field"
    )]
    Inspect {
        /// A collection (fetched if not held); none: list the collections
        #[arg(value_name = "COLLECTION")]
        collection: Option<String>,
    },
    /// Edit the previous entry in $VISUAL or $EDITOR, then run it (also \e; the shell only)
    #[command(after_help = "Example: .edit    (EDITOR=nano, VISUAL='code --wait')")]
    Edit,
    /// Page long results on a terminal through $PAGER (default less -FRX)
    #[command(after_help = "Example: .pager off")]
    Pager {
        /// on or off; none: show the setting
        #[arg(value_name = "on|off")]
        state: Option<Switch>,
    },
    /// Tables too wide for the terminal: one field per line (auto), always (on) or never (off)
    #[command(after_help = "Example: .expanded auto")]
    Expanded {
        /// on, off or auto; none: show the setting
        #[arg(value_name = "on|off|auto")]
        mode: Option<crate::render::Expanded>,
    },
    /// Collections held, their item counts and age
    #[command(after_help = "Example: .cache | [?Items > `100`]")]
    Cache,
    /// Forget cached collections (all by default), or fetch them again in the background
    #[command(
        after_help = "Examples: .refresh Users Groups\n          .refresh --background Users"
    )]
    Refresh {
        /// Collections to forget or fetch again; none: every collection held
        #[arg(value_name = "COLLECTION")]
        collections: Vec<String>,
        /// Fetch them now in the background; the copies held answer until the new ones are complete
        #[arg(long)]
        background: bool,
    },
    /// Print each line's time and AWS request count on stderr
    #[command(after_help = "Example: .timing on")]
    Timing {
        /// on or off; none: show the setting
        #[arg(value_name = "on|off")]
        state: Option<Switch>,
    },
    /// Show or switch whose JMESPath to follow: the AWS CLI's --query (default), the specification, or the Community edition
    #[command(after_help = "Example: .compat aws-cli\n\
        aws-cli (the default) answers as the AWS CLI's --query does: strings ordered with < and >,\n\
        a.*.b.c read as (a.*.b).c, no projection after a slice that follows an index, `foo` read as a string;\n\
        spec answers as the JMESPath specification does;\n\
        either warns, with the other's answer, on a line where the other answers differently;\n\
        community adds the JMESPath Community edition: lower, upper, trim, split, replace, pad_left,\n\
        find_first, group_by, items, from_items, zip..., let $x = ... in, + - * / // %, a ? b : c, $\n\
        (Users[?contains(lower(DisplayName), 'smith')]).")]
    Compat {
        /// spec, aws-cli or community; none: show the reading in use
        #[arg(value_name = "spec|aws-cli|community")]
        mode: Option<crate::query::Dialect>,
    },
    /// Leave the shell (also .exit or Ctrl-D)
    #[command(visible_alias = "exit")]
    Quit,
}

impl Command {
    /// Runs the command with what `cx` lends it.
    pub(crate) fn run(self, cx: &mut Context<'_>) -> Result<Outcome, Error> {
        use Command::*;
        match self {
            Help { command } => session::help(command.as_deref()),
            Output { format } => Ok(session::output(cx, format)),
            Wide { state } => Ok(session::wide(cx, state)),
            OutputFile { file, force } => session::output_file(cx, file, force),
            Profile { profile } => session::profile(cx, profile),
            Region { region } => session::region(cx, region),
            Store { id } => session::store(cx, id),
            Instance { arn } => session::instance(cx, arn),
            Whoami => session::whoami(cx),
            Cache => Ok(session::cache(cx)),
            Refresh {
                collections,
                background,
            } => session::refresh(cx, &collections, background),
            Timing { state } => Ok(session::timing(cx, state)),
            Pager { state } => Ok(session::pager(cx, state)),
            Expanded { mode } => Ok(session::expanded(cx, mode)),
            Compat { mode } => Ok(session::compat(cx, mode)),
            Quit => Ok(Outcome::Quit),
            Edit => Err(Error::Usage(
                ".edit edits the previous entry in the interactive shell; a script has none".into(),
            )),
            Members(args) => directory::members(cx, args),
            GroupsOf(args) => directory::groups_of(cx, args),
            Access(args) => directory::access(cx, args),
            WhoCan(args) => directory::who_can(cx, args),
            GetGroupId(args) => directory::unique_id(cx, args, &crate::insights::GROUP),
            GetUserId(args) => directory::unique_id(cx, args, &crate::insights::USER),
            DescribePermissionSet(args) => directory::describe_permission_set(cx, args),
            Snapshot(args) => directory::snapshot(cx, args),
            Inspect { collection } => directory::inspect(cx, collection),
            Diff(args) => review::diff(cx, args),
            Check(args) => review::check(cx, args),
            Report(args) => review::report(cx, args),
            AddMember(args) => writes::membership(cx, writes::Change::Add, args),
            RemoveMember(args) => writes::membership(cx, writes::Change::Remove, args),
            Explain(args) => explain::explain(cx, args),
            Save(args) => saved::save(cx, args),
            Queries => Ok(saved::queries(cx)),
            Run(args) => saved::run(cx, args),
            Unsave { query } => saved::unsave(cx, &query),
            History(args) => Ok(saved::history(cx, args)),
        }
    }
}

/// The shape of a command's result (one item of it, for a list), in the
/// notation of the collections' shapes, for completing the fields of its
/// filter (`.access alice | [?Via`); `None` for those that vary.
pub fn result_shape(command: &str) -> Option<&'static str> {
    Some(match command.trim_start_matches('.') {
        "members" => "UserName DisplayName UserId MembershipId",
        "groups-of" => "GroupName GroupId MembershipId",
        "access" => "AccountName PermissionSetName Via AccountId PermissionSetArn",
        "who-can" => "UserName DisplayName PermissionSetName Via UserId",
        "cache" => "Collection Items AgeSeconds FromDisk",
        "queries" => "Name Expression Parameters",
        "history" => "N Line",
        "check" => "Severity Check Subject Finding Advice Rows",
        "inspect" => "Field Type Filled FillRate Example Collection Items",
        "whoami" => {
            "Account Arn UserId Profile Credentials Region IdentityCenterRegion Source IdentityStoreId InstanceArn"
        }
        "get-user-id" => "UserId IdentityStoreId",
        "get-group-id" => "GroupId IdentityStoreId",
        "describe-permission-set" => crate::collection::Collection::PermissionSets.shape(),
        "diff" => concat!(
            "Summary{Gained Lost MembershipsAdded MembershipsRemoved Recreated PermissionSetsChanged ",
            "PermissionSetsAdded PermissionSetsRemoved AccountsAdded AccountsRemoved} ",
            "Gained[]{UserName AccountId AccountName PermissionSetName Via} ",
            "Lost[]{UserName AccountId AccountName PermissionSetName Via} ",
            "MembershipsAdded[]{GroupName UserName} MembershipsRemoved[]{GroupName UserName} ",
            "Recreated[]{Type Name OldId NewId} PermissionSetsChanged[]{Name Fields Before After} ",
            "PermissionSetsAdded[]{Name} PermissionSetsRemoved[]{Name} ",
            "AccountsAdded[]{Id Name} AccountsRemoved[]{Id Name}"
        ),
        _ => return None,
    })
}

/// `on` or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

/// The commands whose last argument is the rest of the line as typed:
/// those whose definition marks it `value_hint = CommandString` (an
/// expression, pipes included) or `value_hint = Other` (a name, up to
/// the filter).
pub fn rest_of_line() -> &'static [RestOfLine] {
    static RULES: std::sync::OnceLock<Vec<RestOfLine>> = std::sync::OnceLock::new();
    RULES.get_or_init(|| {
        CommandLine::command()
            .get_subcommands()
            .filter_map(|sub| {
                let positionals: Vec<&clap::Arg> = sub.get_positionals().collect();
                let last = positionals.last()?;
                let hint = last.get_value_hint();
                matches!(hint, ValueHint::CommandString | ValueHint::Other).then(|| RestOfLine {
                    name: sub.get_name().to_owned(),
                    flags: sub
                        .get_arguments()
                        .filter(|arg| !arg.is_positional() && !arg.get_action().takes_values())
                        .flat_map(|arg| {
                            let long = arg.get_long().map(|l| format!("--{l}"));
                            let short = arg.get_short().map(|c| format!("-{c}"));
                            long.into_iter().chain(short)
                        })
                        .collect(),
                    valued_flags: sub
                        .get_arguments()
                        .filter(|arg| !arg.is_positional() && arg.get_action().takes_values())
                        .flat_map(|arg| {
                            let long = arg.get_long().map(|l| format!("--{l}"));
                            let short = arg.get_short().map(|c| format!("-{c}"));
                            long.into_iter().chain(short)
                        })
                        .collect(),
                    words_before: positionals.len() - 1,
                    name_to_pipe: hint == ValueHint::Other,
                })
            })
            .collect()
    })
}

/// Parses a command's words (name first, no dot).
pub fn parse(words: &[String]) -> Result<Command, String> {
    CommandLine::try_parse_from(words)
        .map(|line| line.command)
        .map_err(|err| usage_error(&err, words.first().map(String::as_str)))
}

/// clap's error as one line, pointing at `.help NAME`.
fn usage_error(err: &clap::Error, name: Option<&str>) -> String {
    use clap::error::ErrorKind;
    let rendered = err.to_string();
    let first = rendered
        .lines()
        .next()
        .unwrap_or("invalid command")
        .trim_start_matches("error: ")
        .to_owned();
    match (err.kind(), name) {
        (ErrorKind::InvalidSubcommand | ErrorKind::MissingSubcommand, Some(name)) => {
            let names = names();
            let hint = crate::suggest::closest(name, names.iter().map(String::as_str))
                .map(|s| format!("; did you mean .{s}?"))
                .unwrap_or_else(|| "; .help lists the commands".to_owned());
            format!("unknown command .{name}{hint}")
        }
        (ErrorKind::MissingRequiredArgument, Some(name)) => {
            use clap::error::{ContextKind, ContextValue};
            let missing = match err.get(ContextKind::InvalidArg) {
                Some(ContextValue::Strings(args)) => args
                    .iter()
                    .map(|a| {
                        a.trim_end_matches("...")
                            .trim_matches(['<', '>'])
                            .to_owned()
                    })
                    .collect::<Vec<_>>(),
                _ => Vec::new(),
            };
            let usage = CommandLine::command()
                .find_subcommand_mut(name)
                .map(|c| {
                    c.render_usage()
                        .to_string()
                        .trim_start_matches("Usage: ")
                        .to_owned()
                })
                .unwrap_or_default();
            match missing.as_slice() {
                [] => format!("{first} (see .help {name})"),
                args => format!(
                    ".{name} needs {}: .{usage} (see .help {name})",
                    args.join(" and ")
                ),
            }
        }
        (_, Some(name)) => format!("{first} (see .help {name})"),
        _ => first,
    }
}

/// Command names, without dots, in definition order.
pub fn names() -> Vec<String> {
    CommandLine::command()
        .get_subcommands()
        .flat_map(|c| {
            std::iter::once(c.get_name().to_owned())
                .chain(c.get_visible_aliases().map(str::to_owned))
        })
        .collect()
}

/// `.help`: every command with its one-line description.
pub(crate) fn help_all() -> String {
    let command = CommandLine::command();
    let width = command
        .get_subcommands()
        .map(|c| usage_of(c).len())
        .max()
        .unwrap_or(0);
    let columns = terminal_size::terminal_size()
        .map_or(80, |(w, _)| usize::from(w.0))
        .clamp(40, 120);
    let mut text = String::from("Commands (a command's result can be filtered: .cache | [0]):\n");
    // The usage column, then each description wrapped by words beside it
    // (or under it, when the terminal is too narrow for both).
    let about_at = (width + 4).min(columns / 2);
    for sub in command.get_subcommands() {
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        let usage = format!("  {}", usage_of(sub));
        let mut lines = word_wrap(&about, columns.saturating_sub(about_at).max(20)).into_iter();
        let first = lines.next().unwrap_or_default();
        if usage.chars().count() + 2 <= about_at {
            text.push_str(&format!("{usage:about_at$}{first}\n"));
        } else {
            text.push_str(&format!("{usage}\n{:about_at$}{first}\n", ""));
        }
        for line in lines {
            text.push_str(&format!("{:about_at$}{line}\n", ""));
        }
    }
    let width = columns;
    text.push_str(
        "\nAnything else is a JMESPath expression over the root, e.g. Users[?UserName == 'alice']\n",
    );
    let collections: Vec<&str> = crate::collection::Collection::ALL
        .iter()
        .map(|c| c.name())
        .chain(["_ (the previous result)"])
        .collect();
    text.push_str(&wrapped("Collections:", &collections, width));
    let functions = crate::query::function_signatures();
    let functions: Vec<&str> = functions.iter().map(String::as_str).collect();
    text.push_str(&wrapped("Functions:", &functions, width));
    text.push_str(
        "Syntax: a.b  a[0]  a[-1]  a[1:3]  a[*].b  a[].b (flatten)  a[?b == 'x'] (filter)\n\
         \x20       'string'  `json literal`  \"quoted field\"  &expr  a | b  {k: a}  [a, b]\n\
         \x20       ==  !=  <  <=  >  >=  &&  ||  !\n\
         Leave with quit, exit or Ctrl-D. EXPRESSION > FILE writes a result to a file.\n",
    );
    text
}

/// `text` in lines of at most `width` characters, broken between words.
fn word_wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

/// `items` after `title`, comma-separated, wrapped at `width` under the
/// first item.
fn wrapped(title: &str, items: &[&str], width: usize) -> String {
    let indent = 2;
    let mut text = format!("{title}\n");
    let mut line = " ".repeat(indent);
    for (i, item) in items.iter().enumerate() {
        let piece = if i + 1 < items.len() {
            format!("{item}, ")
        } else {
            (*item).to_owned()
        };
        if !line.trim().is_empty()
            && line.chars().count() + piece.trim_end().chars().count() > width
        {
            text.push_str(line.trim_end());
            text.push('\n');
            line = " ".repeat(indent);
        }
        line.push_str(&piece);
    }
    text.push_str(line.trim_end());
    text.push('\n');
    text
}

/// `.help NAME`: one command's usage, arguments and example.
pub(crate) fn help_one(name: &str) -> Result<String, String> {
    let name = name.trim_start_matches('.');
    let mut command = CommandLine::command();
    let Some(sub) = command.find_subcommand_mut(name) else {
        return Err(format!("unknown command .{name}; .help lists the commands"));
    };
    let mut sub = sub.clone().disable_help_flag(true);
    let help = sub.render_long_help().to_string();
    Ok(help.replacen("Usage: ", "Usage: .", 1))
}

fn usage_of(sub: &clap::Command) -> String {
    let usage = sub.clone().render_usage().to_string();
    format!(".{}", usage.trim_start_matches("Usage: "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        shell_words::split(line).unwrap()
    }

    #[test]
    fn commands_parse_with_their_arguments() {
        assert!(matches!(
            parse(&words("output csv")),
            Ok(Command::Output {
                format: Some(Format::Csv)
            })
        ));
        assert!(matches!(parse(&words("exit")), Ok(Command::Quit)));
        assert!(matches!(
            parse(&words("refresh Users Groups")),
            Ok(Command::Refresh { collections, background: false })
                if collections == ["Users", "Groups"]
        ));
        assert!(matches!(
            parse(&words("refresh --background Users")),
            Ok(Command::Refresh { collections, background: true }) if collections == ["Users"]
        ));
        assert!(matches!(
            parse(&words("who-can prod Admin")),
            Ok(Command::WhoCan(AccountArgs { account, permission_set }))
                if account == "prod" && permission_set == ["Admin"]
        ));
    }

    #[test]
    fn misuse_is_one_line_that_points_at_help() {
        let err = parse(&words("output xml")).unwrap_err();
        assert!(!err.contains('\n'), "{err}");
        assert!(
            err.contains("xml") && err.ends_with("(see .help output)"),
            "{err}"
        );
        assert_eq!(
            parse(&words("cahce")).unwrap_err(),
            "unknown command .cahce; did you mean .cache?"
        );
        let err = parse(&words("cache extra")).unwrap_err();
        assert!(err.contains("extra") && !err.contains('\n'), "{err}");
    }

    #[test]
    fn the_rest_of_the_line_is_taken_as_the_definitions_say() {
        let rules = rest_of_line();
        let names: Vec<(&str, bool)> = rules
            .iter()
            .map(|r| (r.name.as_str(), r.name_to_pipe))
            .collect();
        assert_eq!(
            names,
            [
                ("members", true),
                ("groups-of", true),
                ("access", true),
                ("describe-permission-set", true),
                ("explain", false),
                ("save", false)
            ]
        );
        let save = rules.iter().find(|r| r.name == "save").unwrap();
        assert_eq!(save.flags, ["--force", "-f"]);
        assert_eq!(save.words_before, 1);
        // A name runs to the filter, quotes optional.
        let line = crate::line::parse(".access Alice O'Brien | [?Via == 'direct']", rules).unwrap();
        let crate::line::Line::Command { words, filter } = line else {
            panic!("not a command");
        };
        assert_eq!(words, ["access", "Alice O'Brien"]);
        assert_eq!(filter.as_deref(), Some("[?Via == 'direct']"));
        let line = crate::line::parse(".save -f n Users | length(@)", rules).unwrap();
        let crate::line::Line::Command { words, filter } = line else {
            panic!("not a command");
        };
        assert_eq!(filter, None);
        match parse(&words).unwrap() {
            Command::Save(args) => {
                assert!(args.force);
                assert_eq!(args.name, "n");
                assert_eq!(args.expression, "Users | length(@)");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn help_lists_every_command_with_a_dot() {
        let text = help_all();
        for name in ["cache", "refresh", "output", "timing", "quit", "help"] {
            assert!(text.contains(&format!(".{name}")), "{text}");
        }
        assert!(help_one(".cache").unwrap().contains("Example: .cache"));
        assert!(help_one("nope").is_err());
    }
}

#[cfg(test)]
mod help_tests {
    use super::*;

    /// `.help NAME` describes every argument: none is listed blank.
    #[test]
    fn every_argument_is_described() {
        let command = CommandLine::command();
        let mut blank = Vec::new();
        for sub in command.get_subcommands() {
            for arg in sub.get_arguments() {
                if arg.get_id() == "help" {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    blank.push(format!(".{} {}", sub.get_name(), arg.get_id()));
                }
            }
        }
        assert!(blank.is_empty(), "undescribed: {blank:?}");
    }
}
