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
    /// The name to run it by (`.run NAME`)
    pub name: String,
    /// The rest of the line, as typed (pipes included), or one quoted word
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
        name,
        expression,
    } = args;
    if let Some(old) = cx.saved.get(&name)
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
    let warning = cx.saved.save(&name, &expression, true)?;
    Ok(with_warning(
        Outcome::Note(format!("saved {name}: {expression}")),
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

/// `.queries`.
pub(super) fn queries(cx: &Context<'_>) -> Outcome {
    let (queries, warning) = cx.saved.list();
    let rows = queries
        .into_iter()
        .map(|q| json!({"Name": q.name, "Expression": q.expression, "Parameters": q.parameters}))
        .collect();
    with_warning(data(Json::Array(rows)), warning)
}

/// `.run NAME [ARG...]`: the saved expression with its arguments, run as
/// a line of its own.
pub(super) fn run(cx: &mut Context<'_>, args: RunArgs) -> Result<Outcome, Error> {
    let expression = cx.saved.expand(&args.query, &args.args)?;
    cx.expression(&expression)
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
