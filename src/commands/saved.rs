//! Saved queries (`.save`, `.queries`, `.run`, `.unsave`) and `.history`.

use clap::Args;
use serde_json::{Value as Json, json};

use super::context::Context;
use crate::error::Error;
use crate::outcome::{Outcome, data, with_warning};
use crate::saved::SavedError;

/// `.save [--force] NAME EXPRESSION`.
#[derive(Debug, Args)]
pub struct SaveArgs {
    /// Replace a saved query of that name without asking
    #[arg(long, short)]
    pub force: bool,
    /// What the query answers, shown by .queries
    #[arg(long, short, value_name = "TEXT")]
    pub description: Option<String>,
    /// The name to run it by (`.run NAME`)
    pub name: String,
    /// The rest of the line, as typed (pipes included), or one quoted word:
    /// an expression, or a command line such as `.access $1 | [?Via == 'direct']`
    #[arg(allow_hyphen_values = true, value_hint = clap::ValueHint::CommandString)]
    pub expression: String,
}

/// `.run NAME [ARG...]`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The saved query's name
    #[arg(value_name = "NAME")]
    pub query: String,
    /// Its arguments: $1, $2... in the saved expression, each a string
    #[arg(allow_hyphen_values = true, value_name = "ARG")]
    pub args: Vec<String>,
}

/// `.history [N|TEXT]`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// How many lines (default 20), or the text they contain
    #[arg(allow_hyphen_values = true, value_name = "N|TEXT")]
    pub filter: Vec<String>,
}

/// `.save`: an existing name is replaced when `--force` or `--yes` says
/// so, or the person at the terminal agrees.
pub(super) fn save(cx: &mut Context<'_>, args: SaveArgs) -> Result<Outcome, Error> {
    let SaveArgs {
        force,
        description,
        name,
        expression,
    } = args;
    if let (Some(command), _) = crate::saved::split_command_line(&expression) {
        check_command_line(command)?;
    }
    let shadowed = cx.saved.library_of(&name);
    if let Some(old) = cx.saved.personal(&name)
        && old != expression
        && !force
    {
        let question = format!("replace saved query {name} ({old})?");
        let refusal = || {
            SavedError::Exists {
                name: name.clone(),
                expression: old,
            }
            .into()
        };
        if !cx.confirmed(&question, refusal)? {
            return Ok(Outcome::Note("nothing was changed".into()));
        }
    }
    let warning = cx
        .saved
        .save(&name, &expression, description.as_deref(), true)?;
    let shadows = shadowed
        .map(|library| format!(" (yours is used before the one in {library})"))
        .unwrap_or_default();
    Ok(with_warning(
        Outcome::Note(format!("saved {name}: {expression}{shadows}")),
        warning,
    ))
}

/// `.unsave NAME`.
pub(super) fn unsave(cx: &mut Context<'_>, name: &str) -> Result<Outcome, Error> {
    let warning = cx.saved.remove(name)?;
    Ok(with_warning(
        Outcome::Note(format!("forgot {name}")),
        warning,
    ))
}

/// Commands a saved command line may not run: the saved queries' own,
/// and the shell's editor.
const NOT_SAVED: &[&str] = &["run", "save", "unsave", "edit", "quit", "exit"];

/// A saved command line must name a command it may run; its words are
/// checked as the command's arguments with each `$N` standing for itself.
fn check_command_line(command: &str) -> Result<(), Error> {
    let line = crate::line::parse(command, super::rest_of_line())
        .map_err(|e| Error::Usage(e.to_string()))?;
    let crate::line::Line::Command { words, .. } = line else {
        return Err(Error::Usage(format!("{command} is not a command line")));
    };
    if let Some(name) = words.first().filter(|w| NOT_SAVED.contains(&w.as_str())) {
        return Err(Error::Usage(format!(
            "a saved query cannot run .{name}; save the expression or command it runs"
        )));
    }
    super::parse(&words).map_err(Error::Usage)?;
    Ok(())
}

/// `.queries`.
pub(super) fn queries(cx: &Context<'_>) -> Outcome {
    let (queries, warning) = cx.saved.list();
    let rows = queries
        .into_iter()
        .map(|q| {
            json!({
                "Name": q.name,
                "Description": q.description,
                "Expression": q.expression,
                "Parameters": q.parameters,
                "Source": q.source,
            })
        })
        .collect();
    with_warning(data(Json::Array(rows)), warning)
}

/// `.run NAME [ARG...]`: the saved expression with its arguments, run as
/// a line of its own; a saved command line runs its command, then its
/// filter.
pub(super) fn run(cx: &mut Context<'_>, args: RunArgs) -> Result<Outcome, Error> {
    let expanded = cx.saved.expand(&args.query, &args.args)?;
    if crate::saved::split_command_line(&expanded).0.is_none() {
        return cx.expression(&expanded);
    }
    let line = crate::line::parse(&expanded, super::rest_of_line())
        .map_err(|e| Error::Usage(e.to_string()))?;
    let crate::line::Line::Command { words, filter } = line else {
        return cx.expression(&expanded);
    };
    if let Some(name) = words.first().filter(|w| NOT_SAVED.contains(&w.as_str())) {
        return Err(Error::Usage(format!("a saved query cannot run .{name}")));
    }
    let filter = filter
        .map(|f| crate::query::Query::compile_in(&f, cx.settings.dialect))
        .transpose()?;
    let outcome = super::parse(&words).map_err(Error::Usage)?.run(cx)?;
    match filter {
        Some(filter) => {
            let command = words.first().map_or("", String::as_str);
            cx.session.filter_outcome(outcome, &filter, command)
        }
        None => Ok(outcome),
    }
}

/// `.history [N|TEXT]`.
pub(super) fn history(cx: &Context<'_>, args: HistoryArgs) -> Outcome {
    let filter = args.filter.join(" ");
    let rows = match filter.parse::<usize>() {
        Ok(n) => cx.history.last(n),
        Err(_) if filter.is_empty() => cx.history.last(20),
        Err(_) => cx.history.containing(&filter),
    };
    data(Json::Array(
        rows.into_iter()
            .map(|(n, line)| json!({"N": n, "Line": line}))
            .collect(),
    ))
}
