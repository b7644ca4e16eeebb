//! One evaluator for every path: the shell, `-c` and piped stdin all run a
//! line through `Runner::run_line` and print it with `Runner::emit`.

use std::io::{self, Write};
use std::time::Instant;

use crate::commands::{self, Confirm, Context, Live};
use crate::error::{Error, report, report_at};
use crate::history::History;
use crate::line::{self, Line};
use crate::query::Query;
use crate::render::{self, Style};
use crate::saved::SavedQueries;
use crate::session::Session;

pub use crate::outcome::Outcome;
pub use crate::settings::Settings;

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
    /// The live AWS client and how it was reached (for `.profile` and
    /// `.region` to reconnect with one setting changed); empty offline.
    pub live: Live,
    /// Lines typed at the prompt, for `.history`.
    pub history: History,
    /// `.save`, `.run` and friends.
    pub saved: SavedQueries,
    /// Who to ask before a change; `None` in scripts, which then need
    /// `--yes`.
    pub confirm: Option<Box<dyn Confirm>>,
}

impl Runner {
    /// A runner with no AWS settings, an in-memory history and in-memory
    /// saved queries.
    pub fn new(session: Session, settings: Settings) -> Runner {
        Runner {
            session,
            settings,
            live: Live::default(),
            history: History::in_memory(),
            saved: SavedQueries::in_memory(),
            confirm: None,
        }
    }

    /// Runs one line and returns what it produced, printing nothing.
    pub fn run_line(&mut self, text: &str) -> Result<Outcome, Error> {
        // What people type first in any shell. A field of that name is
        // still read as `"help"` or `@.help`.
        let text = match text.trim() {
            "help" | "?" | "\\h" => ".help",
            "exit" | "quit" | "\\q" => ".quit",
            _ => text,
        };
        let line = line::parse(text, commands::rest_of_line())
            .map_err(|err| Error::Usage(err.to_string()))?;
        match line {
            Line::Empty => Ok(Outcome::Nothing),
            Line::Expression(expression) => {
                let outcome = self.expression(&expression)?;
                if let Outcome::Value { value, .. } | Outcome::Viewed { value, .. } = &outcome {
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
                let outcome = command.run(&mut self.context());
                // Listings a command made on the way (to name members, say)
                // are held like any fetched collection, even if it failed.
                self.session.keep_completed();
                let outcome = outcome?;
                if let Outcome::Failing(inner) = outcome {
                    let filtered = self.filtered(*inner, filter, &words)?;
                    return Ok(Outcome::Failing(Box::new(filtered)));
                }
                self.filtered(outcome, filter, &words)
            }
        }
    }

    /// A command's outcome with its filter applied, recorded as `_`.
    fn filtered(
        &mut self,
        outcome: Outcome,
        filter: Option<Query>,
        words: &[String],
    ) -> Result<Outcome, Error> {
        let outcome = match &filter {
            Some(filter) => {
                let command = words.first().map_or("", String::as_str);
                self.session.filter_outcome(outcome, filter, command)?
            }
            None => outcome,
        };
        if let Outcome::Value { value, .. } | Outcome::Viewed { value, .. } = &outcome {
            self.session.set_last(value.clone());
        }
        Ok(outcome)
    }

    /// What a command may use of the runner.
    fn context(&mut self) -> Context<'_> {
        Context {
            runtime: self.session.runtime().clone(),
            session: &mut self.session,
            settings: &mut self.settings,
            live: &mut self.live,
            saved: &mut self.saved,
            history: &self.history,
            confirm: self.confirm.as_deref_mut(),
        }
    }

    /// Evaluates an expression over the root.
    pub(crate) fn expression(&mut self, expression: &str) -> Result<Outcome, Error> {
        self.context().expression(expression)
    }

    /// Runs a line and prints its result to `out` and everything else to
    /// `err`. A closed stdout (`idcsh ... | head`) ends quietly.
    pub fn step(&mut self, text: &str, out: &mut impl Write, err: &mut impl Write) -> Flow {
        self.step_at(text, None, out, err)
    }

    /// As [`step`](Self::step), an error naming where the line came from
    /// (`line 3` of a script).
    pub fn step_at(
        &mut self,
        text: &str,
        location: Option<&str>,
        out: &mut impl Write,
        err: &mut impl Write,
    ) -> Flow {
        if let Some(note) = self.session.finish_refresh() {
            let _ = writeln!(err, "{note}");
        }
        self.session.refresh_stale();
        let started = Instant::now();
        let requests_before = self.session.requests_made();
        let (text, redirect) = line::split_redirect(text);
        let result = self.run_line(text);
        let rows = match &result {
            Ok(Outcome::Value { value, .. } | Outcome::Viewed { value, .. }) => {
                value.as_array().map(<[_]>::len)
            }
            _ => None,
        };
        let flow = match result {
            Ok(outcome) => match self.emit_where_asked(&outcome, redirect, out, err) {
                Ok(false) => Flow::Failed,
                Ok(true) if matches!(outcome, Outcome::Quit) => Flow::Quit,
                Ok(true) if matches!(outcome, Outcome::Failing(_)) => Flow::Failed,
                Ok(true) => Flow::Continue,
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Flow::Quit,
                Err(e) => {
                    report(&Error::io("cannot write output", e), err);
                    Flow::Failed
                }
            },
            Err(e) => {
                report_at(&e, location, err);
                Flow::Failed
            }
        };
        for note in self.session.take_notes() {
            let _ = writeln!(err, "note: {note}");
        }
        if self.settings.timing {
            let rows = match rows {
                Some(1) => "1 row, ".to_owned(),
                Some(n) => format!("{n} rows, "),
                None => String::new(),
            };
            let _ = writeln!(
                err,
                "{rows}time: {:.1} ms, AWS requests: {}",
                started.elapsed().as_secs_f64() * 1000.0,
                self.session.requests_made() - requests_before
            );
        }
        flow
    }

    /// Emits the outcome to a redirect's file, or to `.output-file`'s, or
    /// else to `out` (data) and `err`; false when the file could not be
    /// written (said on `err`).
    fn emit_where_asked(
        &mut self,
        outcome: &Outcome,
        redirect: Option<line::Redirect>,
        out: &mut impl Write,
        err: &mut impl Write,
    ) -> io::Result<bool> {
        let to = match (redirect, &self.settings.output_file) {
            (Some(redirect), _) => redirect,
            (None, Some(path)) => line::Redirect {
                path: path.clone(),
                append: true,
            },
            (None, None) => return self.emit(outcome, out, err).map(|()| true),
        };
        let data = match outcome {
            Outcome::Value { .. } | Outcome::Viewed { .. } => outcome,
            Outcome::Failing(inner)
                if matches!(**inner, Outcome::Value { .. } | Outcome::Viewed { .. }) =>
            {
                inner
            }
            // Notes and text are for the screen.
            _ => return self.emit(outcome, out, err).map(|()| true),
        };
        match self.write_to_file(data, &to, err) {
            Ok(()) => Ok(true),
            Err(e) => {
                report(&e, err);
                Ok(false)
            }
        }
    }

    /// Writes a result to `to.path`, in the format its extension names (or
    /// the current one); asks before replacing a file.
    fn write_to_file(
        &mut self,
        outcome: &Outcome,
        to: &line::Redirect,
        err: &mut impl Write,
    ) -> Result<(), Error> {
        let path = crate::files::expand_home(&to.path);
        if path.is_dir() {
            return Err(Error::Usage(format!(
                "{} is a folder; name a file",
                path.display()
            )));
        }
        if !to.append && path.exists() && !self.settings.yes {
            let question = format!("replace {}?", path.display());
            let agreed = match self.confirm.as_deref_mut() {
                Some(confirm) => confirm.confirm(&question)?,
                None => {
                    return Err(Error::Usage(format!(
                        "{} exists; use >> to add to it, or -y to replace it (nothing was written)",
                        path.display()
                    )));
                }
            };
            if !agreed {
                writeln!(err, "nothing was written").map_err(|e| Error::io("cannot write", e))?;
                return Ok(());
            }
        }
        let format = crate::render::Format::of_file(&path).unwrap_or(self.settings.format);
        let (value, warnings) = match outcome {
            Outcome::Value { value, warnings } => (value, warnings),
            Outcome::Viewed {
                value,
                view,
                warnings,
            } => (
                if matches!(
                    format,
                    crate::render::Format::Table | crate::render::Format::Wide
                ) {
                    view
                } else {
                    value
                },
                warnings,
            ),
            _ => return Ok(()),
        };
        let style = Style {
            format,
            color: false,
            width: None,
            expanded: self.settings.expanded,
            wide: false,
            // A file has no width to fit.
            wrap_prose: false,
        };
        let mut bytes = Vec::new();
        render::render(value, &style, &mut bytes).map_err(|e| Error::io("cannot render", e))?;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(to.append)
            .truncate(!to.append)
            .open(&path)
            .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
        // A byte order mark first, so that a spreadsheet opens the file as
        // UTF-8 (names such as Émilie or 東京オフィス) without asking.
        let empty = file.metadata().is_ok_and(|m| m.len() == 0);
        if format == crate::render::Format::Csv && empty {
            bytes.splice(0..0, crate::render::UTF8_BOM.iter().copied());
        }
        file.write_all(&bytes)
            .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
        let rows = value
            .as_array()
            .map(|a| match a.len() {
                1 => "1 row".to_owned(),
                n => format!("{n} rows"),
            })
            .unwrap_or_else(|| "the result".to_owned());
        let said = if to.append { "added" } else { "wrote" };
        let mut lines = vec![format!(
            "{said} {rows} to {} ({})",
            path.display(),
            format.name()
        )];
        lines.extend(warnings.iter().map(|w| crate::error::warning_text(w)));
        for line in lines {
            writeln!(err, "{line}").map_err(|e| Error::io("cannot write", e))?;
        }
        Ok(())
    }

    /// Prints an outcome: data in the current format on `out`, then notes
    /// and warnings on `err`.
    pub fn emit(
        &self,
        outcome: &Outcome,
        out: &mut impl Write,
        err: &mut impl Write,
    ) -> io::Result<()> {
        match outcome {
            Outcome::Nothing | Outcome::Quit => Ok(()),
            Outcome::Viewed {
                value,
                view,
                warnings,
            } => match self.settings.format {
                crate::render::Format::Table | crate::render::Format::Wide => {
                    self.emit_value(view, warnings, true, out, err)
                }
                _ => self.emit_value(value, warnings, false, out, err),
            },
            Outcome::Value { value, warnings } => self.emit_value(value, warnings, false, out, err),
            Outcome::Text(text) => {
                out.write_all(text.as_bytes())?;
                out.flush()
            }
            Outcome::Note(note) => writeln!(err, "{note}"),
            Outcome::Failing(inner) => self.emit(inner, out, err),
        }
    }

    /// Data in the current format on `out`, then its warnings on `err`;
    /// `wrap_prose` for a view composed to be read whole.
    fn emit_value(
        &self,
        value: &crate::doc::Doc,
        warnings: &[String],
        wrap_prose: bool,
        out: &mut impl Write,
        err: &mut impl Write,
    ) -> io::Result<()> {
        let style = Style {
            format: self.settings.format,
            color: self.settings.color,
            width: None,
            expanded: self.settings.expanded,
            wide: false,
            wrap_prose,
        };
        let mut buffered = io::BufWriter::with_capacity(64 * 1024, &mut *out);
        render::render(value, &style, &mut buffered)?;
        buffered.flush()?;
        drop(buffered);
        // After the result, where a reader's eye ends up.
        for warning in warnings {
            writeln!(err, "{}", crate::error::warning_text(warning))?;
        }
        Ok(())
    }
}

/// A writer that drops everything once `stop` is set (Ctrl-C), so a long
/// result stops at the next write while the line finishes as usual;
/// [`stopped`](Self::stopped) says whether it did.
pub struct Stoppable<W> {
    inner: W,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// What `inner` held when output stopped has been let out (a line
    /// half written), so that it does not come out with the next result.
    drained: bool,
}

impl<W: Write> Stoppable<W> {
    /// `inner`, until `stop` is set.
    pub fn new(inner: W, stop: std::sync::Arc<std::sync::atomic::AtomicBool>) -> Self {
        Stoppable {
            inner,
            stop,
            drained: false,
        }
    }

    /// Whether output was stopped.
    pub fn stopped(&self) -> bool {
        self.stop.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn drain(&mut self) {
        if !self.drained {
            self.drained = true;
            let _ = self.inner.flush();
        }
    }
}

impl<W: Write> Write for Stoppable<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.stopped() {
            self.drain();
            return Ok(buf.len());
        }
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.stopped() {
            self.drain();
            return Ok(());
        }
        self.inner.flush()
    }
}
