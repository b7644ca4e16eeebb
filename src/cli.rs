//! The command line: clap derive, flags and their help, nothing else.
//!
//! Help is written once, as the doc comment on each field; `completions/`
//! is generated from this definition.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::query::Dialect;
use crate::render::Format;

/// An interactive shell for AWS IAM Identity Center, queried with JMESPath.
#[derive(Debug, Parser)]
#[command(name = "idcsh", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Sub>,

    /// AWS profile [default: $AWS_PROFILE, else "default"]
    #[arg(short, long, value_name = "NAME", global = true)]
    pub profile: Option<String>,

    /// AWS region [default: $AWS_REGION, $AWS_DEFAULT_REGION, the profile's region or sso_region]
    #[arg(long, value_name = "REGION", global = true)]
    pub region: Option<String>,

    /// Send every AWS call to this endpoint (local emulators such as moto) [env: AWS_ENDPOINT_URL]
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,

    /// Identity Store ID; skips discovery through ListInstances
    #[arg(long, value_name = "ID", value_parser = crate::source::aws::parse_identity_store_id)]
    pub identity_store_id: Option<String>,

    /// Identity Center instance ARN; skips discovery through ListInstances
    #[arg(long, value_name = "ARN", value_parser = crate::source::aws::parse_instance_arn)]
    pub instance_arn: Option<String>,

    /// Use the built-in sample directory: no AWS account, no network
    #[arg(long, conflicts_with = "data", global = true)]
    pub demo: bool,

    /// Offline: make this JSON document the root ("-" reads stdin)
    #[arg(long, value_name = "FILE", global = true)]
    pub data: Option<String>,

    /// Run this line, then exit (repeatable; lines run in order); --query as in the AWS CLI
    #[arg(short = 'c', long = "query", value_name = "LINE")]
    pub lines: Vec<String>,

    /// Output format [default: table on a terminal, json otherwise]
    #[arg(short, long, value_name = "FORMAT", global = true)]
    pub output: Option<Format>,

    /// Script mode: stop at the first failing line
    #[arg(long)]
    pub bail: bool,

    /// Do not ask before write commands
    #[arg(short = 'y', long)]
    pub yes: bool,

    /// Most AWS requests in flight at once in fan-out fetches
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,

    /// Do not read or write the history file
    #[arg(long)]
    pub no_history: bool,

    /// Neither load collections from the disk cache nor write them there
    #[arg(long, global = true)]
    pub no_cache: bool,

    /// Oldest cached collection to use: seconds, or 30m, 12h, 7d [default: 5m in scripts; 7d in the shell, which refreshes what is over 5m old in the background]
    #[arg(long, value_name = "AGE", value_parser = parse_age)]
    pub cache_max_age: Option<std::time::Duration>,

    /// Seconds to wait for a connection to AWS (0: no limit), as the AWS CLI's option
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub cli_connect_timeout: u64,

    /// Seconds to wait for AWS to answer (0: no limit), as the AWS CLI's option
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub cli_read_timeout: u64,

    /// History file [default: $XDG_DATA_HOME/idcsh/history]
    #[arg(long, value_name = "PATH")]
    pub history_file: Option<PathBuf>,

    /// A team's saved queries (TOML, as queries.toml), read beside your own (repeatable)
    #[arg(long = "queries", value_name = "FILE", global = true)]
    pub query_libraries: Vec<PathBuf>,

    /// Line editing keys: emacs or vi [default: as `set editing-mode` in ~/.inputrc, else emacs]
    #[arg(long, value_name = "MODE")]
    pub editing_mode: Option<EditingMode>,

    /// When to use colour (NO_COLOR is honoured)
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,

    /// JMESPath as the AWS CLI's --query reads it, as the specification does, or with the Community edition
    #[arg(long, value_name = "MODE", default_value = "aws-cli")]
    pub compat: Dialect,
}

/// `--compat` and `.compat` name the engine's [`Dialect`] directly: one
/// concept, one enum; its names and help for clap are here.
impl ValueEnum for Dialect {
    fn value_variants<'a>() -> &'a [Self] {
        &[Dialect::Spec, Dialect::AwsCli, Dialect::Community]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let value = clap::builder::PossibleValue::new(self.name());
        Some(match self {
            Dialect::Spec => {
                value.help("The JMESPath specification (warns where the AWS CLI answers otherwise)")
            }
            Dialect::AwsCli => value.help(
                "The AWS CLI's --query, Python jmespath 1.0.1 (warns where the specification answers otherwise)",
            ),
            Dialect::Community => value.help(
                "The specification with the JMESPath Community functions (lower, upper, trim, split, replace, pad_left, find_first, group_by, items, zip...)",
            ),
        })
    }
}

/// Subcommands that do not start the shell.
#[derive(Debug, Subcommand)]
pub enum Sub {
    /// Print a completion script for SHELL
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Run a saved query by name, as `.run NAME ARGS...` (for cron and scripts)
    Run {
        /// The saved query's name (personal, or from --queries FILE)
        name: String,
        /// Its arguments: $1, $2... (after --, an argument may start with -)
        args: Vec<String>,
    },
}

/// `--editing-mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EditingMode {
    Emacs,
    Vi,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// The one-line hint for a command line clap refused, where idcsh can say
/// more: a bare expression (`idcsh --demo 'Users[0]'`) is run with `-c`.
pub fn hint_for(err: &clap::Error, args: &[String]) -> Option<String> {
    use clap::error::ErrorKind;
    if !matches!(
        err.kind(),
        ErrorKind::InvalidSubcommand | ErrorKind::ArgumentConflict | ErrorKind::UnknownArgument
    ) {
        return None;
    }
    let flags_with_values = [
        "-c",
        "--query",
        "-o",
        "--output",
        "--data",
        "-p",
        "--profile",
        "--region",
    ];
    let mut words = args.iter().skip(1).peekable();
    let mut bare = None;
    while let Some(word) = words.next() {
        if flags_with_values.contains(&word.as_str()) {
            words.next();
        } else if !word.starts_with('-') && word != "completions" {
            bare = Some(word.clone());
            break;
        }
    }
    let line = bare?;
    let quoted = shell_words::quote(&line);
    Some(format!(
        "error: {line} is not an idcsh subcommand; to run it as a line, give it with -c or --query: idcsh ... -c {quoted}"
    ))
}

/// Writes the completion script for `shell` into `out`.
pub fn completions(shell: clap_complete::Shell, out: &mut impl std::io::Write) {
    use clap::CommandFactory;
    clap_complete::generate(shell, &mut Cli::command(), "idcsh", out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn committed_completions_are_current() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
        for (shell, file) in [
            (clap_complete::Shell::Bash, "idcsh.bash"),
            (clap_complete::Shell::Zsh, "_idcsh"),
            (clap_complete::Shell::Fish, "idcsh.fish"),
            (clap_complete::Shell::PowerShell, "_idcsh.ps1"),
            (clap_complete::Shell::Elvish, "idcsh.elv"),
        ] {
            let mut generated = Vec::new();
            completions(shell, &mut generated);
            let committed = std::fs::read(dir.join(file)).unwrap_or_default();
            assert!(
                committed == generated,
                "completions/{file} is stale; run scripts/completions.sh"
            );
        }
    }
}

/// `90`, `90s`, `30m`, `12h`, `7d` as a duration.
fn parse_age(text: &str) -> Result<std::time::Duration, String> {
    let (number, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => text.split_at(at),
        None => (text, "s"),
    };
    let seconds_per = match unit {
        "s" => Some(1),
        "m" => Some(60),
        "h" => Some(3600),
        "d" => Some(86_400),
        _ => None,
    };
    seconds_per
        .zip(number.parse::<u64>().ok())
        .and_then(|(per, n)| n.checked_mul(per))
        .map(std::time::Duration::from_secs)
        .ok_or_else(|| format!("{text} is not an age; write seconds, or 30m, 12h, 7d"))
}

#[cfg(test)]
mod age_tests {
    use super::parse_age;
    use std::time::Duration;

    #[test]
    fn ages_take_a_unit() {
        assert_eq!(parse_age("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_age("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_age("12h"), Ok(Duration::from_secs(43_200)));
        assert_eq!(parse_age("7d"), Ok(Duration::from_secs(604_800)));
        for bad in ["", "h", "1w", "-1", "1.5h", "99999999999999999999d"] {
            assert!(parse_age(bad).is_err(), "{bad}");
        }
    }
}
