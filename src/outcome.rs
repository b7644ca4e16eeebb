//! What a line produced, before it is printed: shared by the runner, which
//! prints it, and the commands, which make it.

use std::sync::Arc;

use serde_json::Value as Json;

use crate::doc::Doc;

/// What a line produced.
#[derive(Debug)]
pub enum Outcome {
    /// Nothing to print.
    Nothing,
    /// Data, rendered in the current format; held as a document, as
    /// queries read it (`_`) and JSON is written from it.
    Value {
        value: Arc<Doc>,
        warnings: Vec<String>,
    },
    /// Data with a shorter view for the table format (`.diff`'s summary):
    /// a filter, `_` and every other format see the data itself.
    Viewed {
        value: Arc<Doc>,
        view: Arc<Doc>,
        warnings: Vec<String>,
    },
    /// Text for the user (help), printed as it is.
    Text(String),
    /// A note on stderr ("output format: csv").
    Note(String),
    /// Leave the shell.
    Quit,
    /// Printed as the outcome inside, and the line counts as failed (exit
    /// status 1): `.diff --exit-code` when something changed.
    Failing(Box<Outcome>),
}

/// `outcome`, with a warning about the user's files when there is one.
pub(crate) fn with_warning(outcome: Outcome, warning: Option<String>) -> Outcome {
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
        (Outcome::Note(note), Some(w)) => {
            Outcome::Note(format!("{}\n{note}", crate::error::warning_text(&w)))
        }
        (outcome, _) => outcome,
    }
}

/// A command's data result.
pub(crate) fn data(value: Json) -> Outcome {
    Outcome::Value {
        value: Arc::new(Doc::from(value)),
        warnings: Vec::new(),
    }
}
