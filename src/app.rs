//! Wiring: turn the parsed flags into a source and settings, then run the
//! lines given (`-c`), the lines piped in, or the shell.

use std::io::{self, BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use crate::cli::{Cli, ColorChoice, Sub};
use crate::commands::Live;
use crate::error::Error;
use crate::exec::{Flow, Runner, Settings};
use crate::history::History;
use crate::line::is_incomplete;
use crate::render::Format;
use crate::runtime::Runtime;
use crate::saved::SavedQueries;
use crate::session::{CachePolicy, Session};
use crate::shell;
use crate::source::aws::{AwsOptions, AwsSource};
use crate::source::{self, Source};

/// Runs idcsh with parsed flags and returns the exit status.
pub fn run(cli: Cli) -> Result<ExitCode, Error> {
    let mut cli = cli;
    match cli.command.take() {
        Some(Sub::Completions { shell }) => {
            crate::cli::completions(shell, &mut io::stdout().lock());
            return Ok(ExitCode::SUCCESS);
        }
        // `idcsh run NAME ARGS...` is the line `.run NAME ARGS...`.
        Some(Sub::Run { name, args }) => {
            let words: Vec<String> = std::iter::once(name).chain(args).collect();
            cli.lines = vec![format!(".run {}", shell_words::join(&words))];
        }
        None => {}
    }
    let stdout_is_terminal = io::stdout().is_terminal();
    if io::stderr().is_terminal() {
        crate::error::fold_messages_to_terminal();
    }
    let settings = Settings {
        format: cli.output.unwrap_or(if stdout_is_terminal {
            Format::Table
        } else {
            Format::Json
        }),
        color: match cli.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => stdout_is_terminal && std::env::var_os("NO_COLOR").is_none(),
        },
        timing: false,
        yes: cli.yes,
        pager: stdout_is_terminal,
        expanded: crate::render::Expanded::Auto,
        dialect: cli.compat,
        output_file: None,
        vi: cli
            .editing_mode
            .map(|mode| mode == crate::cli::EditingMode::Vi),
    };
    // `... | idcsh --data -`: the document comes from the pipe, and the
    // shell reads its lines from the terminal, when there is one.
    let shell_on_tty = cli.data.as_deref() == Some("-") && cli.lines.is_empty();
    if shell_on_tty && !shell::terminal_available() {
        return Err(Error::Usage(
            "--data - reads the document from stdin and there is no terminal for the shell; give the lines to run with -c".into(),
        ));
    }
    let aws = (!cli.demo && cli.data.is_none()).then(|| AwsOptions {
        profile: cli.profile.clone(),
        region: cli.region.clone(),
        endpoint_url: cli.endpoint_url.clone(),
        identity_store_id: cli.identity_store_id.clone(),
        instance_arn: cli.instance_arn.clone(),
        concurrency: usize::from(cli.concurrency),
        connect_timeout: Duration::from_secs(cli.cli_connect_timeout),
        read_timeout: Duration::from_secs(cli.cli_read_timeout),
    });
    let runtime = Runtime::new()?;
    let mut live = Live::default();
    let need = one_shot_need(&cli);
    let source: Arc<dyn Source> = match aws {
        Some(options) => {
            let client = Arc::new(runtime.run(AwsSource::connect(options.clone()))?);
            live.client = Some(client.clone());
            live.options = Some(options);
            client
        }
        None => Arc::from(offline_source(&cli, need.as_ref())?),
    };
    let mut session = Session::on(source, runtime);
    if let Some(need) = need
        .map(crate::query::needs::Need::settled)
        .filter(|need| !need.whole)
    {
        session.prune_to(need);
    }
    let interactive = (io::stdin().is_terminal() || shell_on_tty) && cli.lines.is_empty();
    if !cli.no_cache {
        session.use_disk_cache(cache_policy(cli.cache_max_age, interactive));
    }
    let mut runner = Runner::new(session, settings);
    runner.live = live;
    if (io::stdin().is_terminal() || shell_on_tty) && cli.lines.is_empty() {
        runner.confirm = Some(Box::new(crate::commands::Terminal));
    }
    if let Some(path) = SavedQueries::default_path() {
        runner.saved = SavedQueries::at(path);
    }
    for library in &cli.query_libraries {
        runner.saved = std::mem::take(&mut runner.saved).with_library(library.clone());
    }
    let history_path = match (&cli.history_file, cli.no_history) {
        (_, true) => None,
        (Some(path), false) => Some(path.clone()),
        (None, false) => History::default_path(),
    };
    if let Some(path) = history_path {
        let (history, warning) = History::open(path);
        if let Some(warning) = warning {
            eprintln!("{}", crate::error::warning_text(&warning));
        }
        runner.history = history;
    }

    if !cli.lines.is_empty() {
        let lines = cli.lines.into_iter().enumerate().map(|(i, l)| (i + 1, l));
        let code = run_script(&mut runner, lines, "-c", cli.bail);
        // The process ends next: freeing a large held document is wasted work.
        std::mem::forget(runner);
        return Ok(code);
    }
    if io::stdin().is_terminal() || shell_on_tty {
        shell::run(&mut runner, shell_on_tty)?;
        return Ok(ExitCode::SUCCESS);
    }
    let lines = joined_lines(io::stdin().lock());
    let code = run_script(&mut runner, lines, "line", cli.bail);
    std::mem::forget(runner);
    Ok(code)
}

/// Scripts answer from cached collections younger than `--cache-max-age`
/// (5 minutes unless given); the shell shows cached collections up to a
/// week old (or the age given) at once, and fetches those older than 5
/// minutes again in the background while they answer.
fn cache_policy(max_age: Option<Duration>, interactive: bool) -> CachePolicy {
    const SCRIPT_MAX_AGE: Duration = Duration::from_secs(5 * 60);
    const SHELL_MAX_AGE: Duration = Duration::from_secs(7 * 86_400);
    const SHELL_REFRESH_AFTER: Duration = Duration::from_secs(5 * 60);
    if interactive {
        CachePolicy {
            max_age: max_age.unwrap_or(SHELL_MAX_AGE),
            refresh_after: Some(
                max_age.map_or(SHELL_REFRESH_AFTER, |m| m.min(SHELL_REFRESH_AFTER)),
            ),
        }
    } else {
        CachePolicy {
            max_age: max_age.unwrap_or(SCRIPT_MAX_AGE),
            refresh_after: None,
        }
    }
}

/// The `--data` document (built as `need` asks), or the demo directory.
fn offline_source(
    cli: &Cli,
    need: Option<&crate::query::needs::Need>,
) -> Result<Box<dyn Source>, Error> {
    match &cli.data {
        Some(path) => Ok(Box::new(source::file::open_for(path, need)?)),
        None => Ok(Box::new(source::demo::source())),
    }
}

/// What the `-c` lines need of a `--data` document, when every line is
/// an expression (no command, no redirection) that reads only the
/// document it runs on: the rest of the file is then read and checked
/// but not built (`crate::query::needs`). `None`: build it all.
fn one_shot_need(cli: &Cli) -> Option<crate::query::needs::Need> {
    if cli.lines.is_empty() {
        return None;
    }
    let mut need = crate::query::needs::Need::default();
    for text in &cli.lines {
        if matches!(text.trim(), "help" | "?" | "\\h" | "exit" | "quit" | "\\q") {
            return None;
        }
        let (text, redirect) = crate::line::split_redirect(text.trim());
        if redirect.is_some() {
            return None;
        }
        match crate::line::parse(text, crate::commands::rest_of_line()).ok()? {
            crate::line::Line::Empty => {}
            crate::line::Line::Expression(expression) => {
                let query = crate::query::Query::compile_in(&expression, cli.compat).ok()?;
                need.merge(query.needs_passing()?);
            }
            crate::line::Line::Command { .. } => return None,
        }
    }
    Some(need)
}

/// Runs numbered lines in order; an error names its line (`line 3`, or
/// `-c 2` for the second `-c`) when there is more than one. Exit status 1
/// when any failed.
fn run_script(
    runner: &mut Runner,
    lines: impl Iterator<Item = (usize, String)>,
    what: &str,
    bail: bool,
) -> ExitCode {
    let mut failed = false;
    let mut lines = lines.peekable();
    let mut first = true;
    while let Some((number, line)) = lines.next() {
        let alone = first && lines.peek().is_none();
        first = false;
        let location = (!alone).then(|| format!("{what} {number}"));
        // Unlocked handles: a fetch's progress line writes to stderr from
        // another thread while the line runs.
        let flow = runner.step_at(
            &line,
            location.as_deref(),
            &mut io::stdout(),
            &mut io::stderr(),
        );
        match flow {
            Flow::Continue => {}
            Flow::Quit => break,
            Flow::Failed => {
                failed = true;
                if bail {
                    break;
                }
            }
        }
    }
    let _ = io::stdout().flush();
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Numbered lines from a reader (the number of an entry's first line), an
/// open bracket or quote joining the next line on,
/// up to the longest expression there can be: past that the joined text
/// is answered at once (as too long) instead of swallowing the script.
/// Unreadable input (invalid UTF-8) becomes a line that fails to parse.
fn joined_lines(reader: impl BufRead) -> impl Iterator<Item = (usize, String)> {
    let mut raw = reader.split(b'\n');
    let mut read = 0;
    std::iter::from_fn(move || {
        let mut text = String::new();
        let first = read + 1;
        loop {
            let Some(Ok(bytes)) = raw.next() else {
                return (!text.is_empty()).then_some((first, text));
            };
            read += 1;
            let piece = String::from_utf8_lossy(&bytes);
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(piece.trim_end_matches('\r'));
            if text.len() > crate::query::MAX_EXPRESSION_BYTES
                || !is_incomplete(&text, crate::commands::rest_of_line())
            {
                return Some((first, text));
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_brackets_join_the_next_lines() {
        let input = b"Users[?UserName ==\n  'alice']\nlength(Groups)\n[1,\n" as &[u8];
        let lines: Vec<(usize, String)> = joined_lines(input).collect();
        assert_eq!(
            lines,
            [
                (1, "Users[?UserName ==\n  'alice']".to_owned()),
                (3, "length(Groups)".to_owned()),
                (4, "[1,".to_owned())
            ]
        );
    }

    #[test]
    fn an_open_quote_stops_joining_at_the_expression_limit() {
        let mut input = String::from("Users[?UserName == 'alice\n");
        input.push_str(&"x\n".repeat(40_000));
        let lines: Vec<String> = joined_lines(input.as_bytes()).map(|(_, l)| l).collect();
        let limit = crate::query::MAX_EXPRESSION_BYTES;
        assert!(lines[0].len() > limit && lines[0].len() < limit + 10);
        assert!(lines.len() > 30_000, "the rest are lines of their own");
    }
}
