//! The interactive shell: the rustyline loop around `Runner::step`.

pub mod commands;
pub mod line;

use std::io;

use rustyline::error::ReadlineError;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Completer, Editor, Helper, Highlighter, Hinter};

use crate::error::Error;
use crate::exec::{Flow, Runner};

/// The line editor's helper: decides when input is complete.
#[derive(Completer, Helper, Highlighter, Hinter)]
struct ShellHelper;

impl Validator for ShellHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(if line::is_incomplete(ctx.input()) {
            ValidationResult::Incomplete
        } else {
            ValidationResult::Valid(None)
        })
    }
}

/// Runs the shell until `.quit` or Ctrl-D.
pub fn run(runner: &mut Runner) -> Result<(), Error> {
    let mut editor: Editor<ShellHelper, rustyline::history::DefaultHistory> = Editor::new()
        .map_err(|e| Error::io("cannot start the line editor", io::Error::other(e)))?;
    editor.set_helper(Some(ShellHelper));
    runner.session.set_interactive(true);
    loop {
        let prompt = format!("idcsh {}> ", runner.session.source_label());
        match editor.readline(&prompt) {
            Ok(text) => {
                if !text.trim().is_empty() {
                    let _ = editor.add_history_entry(text.as_str());
                }
                // Unlocked handles: progress is written from another thread.
                let flow = runner.step(&text, &mut io::stdout(), &mut io::stderr());
                if flow == Flow::Quit {
                    return Ok(());
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => return Ok(()),
            Err(err) => return Err(Error::io("cannot read input", io::Error::other(err))),
        }
    }
}
