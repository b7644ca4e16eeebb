//! The interactive shell: the rustyline loop around `Runner::step`, with
//! completion, highlighting, hints, persistent history and a pager.

pub mod complete;
pub mod helper;
pub mod highlight;
pub(crate) mod pager;
pub(crate) mod shapes;

use std::io::{self, Write};

use rustyline::error::ReadlineError;
use rustyline::history::{DefaultHistory, History as _};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rustyline::{
    Behavior, Cmd, CompletionType, ConditionalEventHandler, Config, EditMode, Editor, Event,
    EventContext, EventHandler, KeyCode, KeyEvent, Modifiers, RepeatCount,
};

use crate::error::Error;
use crate::exec::{Flow, Runner};
use crate::shell::complete::View;
use crate::shell::helper::ShellHelper;

/// Whether a terminal can be opened for the shell (`/dev/tty`) when
/// stdin is a pipe.
pub fn terminal_available() -> bool {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .is_ok()
}

/// Runs the shell until `.quit` or Ctrl-D; `on_tty`: read lines from the
/// terminal (`/dev/tty`), stdin having been a pipe.
/// The first screen of an interactive session: what idcsh is looking at,
/// three lines to try, and where help is.
fn banner(runner: &mut Runner) -> String {
    use crate::collection::Collection;
    let label = runner.session.source_label();
    let directory = if runner.session.source().is_live() {
        format!("{label}: collections are fetched when a line first names them")
    } else {
        let known = runner.session.collection_names();
        let counted = [
            (Collection::Users, "users"),
            (Collection::Groups, "groups"),
            (Collection::PermissionSets, "permission sets"),
            (Collection::Accounts, "accounts"),
            (Collection::Applications, "applications"),
        ];
        let names: Vec<String> = counted
            .iter()
            .filter(|(c, _)| known.iter().any(|k| k == c.name()))
            .map(|(c, _)| c.name().to_owned())
            .collect();
        let held = runner.session.ensure(&names).is_ok();
        let counts: Vec<String> = counted
            .iter()
            .filter_map(|(c, word)| {
                let doc = runner.session.held().get(c.name())?;
                Some(format!("{} {word}", doc.value.count()))
            })
            .collect();
        if held && !counts.is_empty() {
            format!("{label}: {}", counts.join(", "))
        } else {
            label
        }
    };
    format!(
        "idcsh {}: IAM Identity Center, queried with JMESPath\n\
         {directory}\n\
         Try:  Users[?contains(DisplayName, 'O\\'Brien')].[UserName, Title]\n\
         \x20     EffectiveAccess[?PermissionSetName == 'AdministratorAccess'].UserName\n\
         \x20     .access alice        .check | [?Severity == 'high']\n\
         help lists commands, collections and functions; quit or Ctrl-D leaves.\n\n",
        env!("CARGO_PKG_VERSION")
    )
}

pub fn run(runner: &mut Runner, on_tty: bool) -> Result<(), Error> {
    let editor_error =
        |e: ReadlineError| Error::io("cannot start the line editor", io::Error::other(e));
    let vi = runner.settings.vi.unwrap_or_else(inputrc_says_vi);
    let config = Config::builder()
        .edit_mode(if vi { EditMode::Vi } else { EditMode::Emacs })
        .completion_type(CompletionType::List)
        .auto_add_history(false)
        .behavior(if on_tty {
            Behavior::PreferTerm
        } else {
            Behavior::Stdio
        })
        .max_history_size(crate::history::HISTORY_LIMIT)
        .and_then(|b| b.history_ignore_dups(true))
        .map_err(editor_error)?
        .build();
    let mut editor: Editor<ShellHelper, DefaultHistory> =
        Editor::with_config(config).map_err(editor_error)?;
    for entry in runner.history.entries() {
        let _ = editor.history_mut().add(entry);
    }
    runner.session.set_interactive(true);
    let runtime = runner.session.runtime().clone();
    runtime.catch_interrupts();
    let profiles = runtime.block_on(crate::source::aws::profile_names());
    let names = crate::commands::names();
    editor.set_helper(Some(ShellHelper::new(
        view(runner, &profiles, &names),
        runner.settings.color,
    )));
    eprint!("{}", banner(runner));
    let continuation = Arc::new(AtomicUsize::new(0));
    // Enter, and Ctrl-J (a line feed, as some terminals and pastes send);
    // Alt-Enter always opens a new line.
    for (key, always) in [
        (KeyEvent(KeyCode::Enter, Modifiers::NONE), false),
        (KeyEvent::ctrl('J'), false),
        (KeyEvent(KeyCode::Enter, Modifiers::ALT), true),
    ] {
        editor.bind_sequence(
            key,
            EventHandler::Conditional(Box::new(Continue {
                width: continuation.clone(),
                always,
            })),
        );
    }
    // Up and Down search the history for entries that start with what is
    // typed (all of them when nothing is); in a multi-line entry they
    // move between its lines first.
    let search = Arc::new(Mutex::new(Search {
        entries: runner.history.entries().to_vec(),
        current: None,
    }));
    for (key, backward) in [
        (KeyEvent(KeyCode::Up, Modifiers::NONE), true),
        (KeyEvent(KeyCode::Down, Modifiers::NONE), false),
    ] {
        editor.bind_sequence(
            key,
            EventHandler::Conditional(Box::new(PrefixSearch {
                backward,
                search: search.clone(),
            })),
        );
    }
    loop {
        let prompt = format!(
            "idcsh {}{}{}> ",
            runner.session.source_label(),
            runner
                .session
                .disk_cache_age()
                .map(|age| format!(" (cached {})", short_age(age)))
                .unwrap_or_default(),
            if runner.session.is_refreshing() {
                " (refreshing)"
            } else {
                ""
            }
        );
        let width = prompt.chars().count().max(highlight::MARKER.len());
        continuation.store(width, Ordering::Relaxed);
        if let Some(helper) = editor.helper_mut() {
            helper.continuation = width;
        }
        let text = match editor.readline(&prompt) {
            Ok(text) => highlight::without_continuations(&text, width),
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => return Ok(()),
            Err(err) => return Err(Error::io("cannot read input", io::Error::other(err))),
        };
        // `.edit` or `\e`: the previous entry in $VISUAL or $EDITOR, then run.
        let text = if matches!(text.trim(), ".edit" | "\\e") {
            match edit_in_editor(&last_entry(&editor)) {
                Ok(edited) if edited.trim().is_empty() => continue,
                Ok(edited) => {
                    eprintln!("{prompt}{edited}");
                    edited
                }
                Err(err) => {
                    eprintln!("error: {err}");
                    continue;
                }
            }
        } else {
            text
        };
        if let Ok(mut search) = search.lock() {
            search.current = None;
            if !text.trim().is_empty() {
                search.entries.retain(|e| e != &text);
                search.entries.push(text.clone());
            }
        }
        if !text.trim().is_empty() {
            let _ = editor.add_history_entry(text.as_str());
            if let Some(warning) = runner.history.record(&text) {
                eprintln!("{}", crate::error::warning_text(&warning));
            }
        }
        if step(runner, &text) == Flow::Quit {
            return Ok(());
        }
        let view = view(runner, &profiles, &names);
        if let Some(helper) = editor.helper_mut() {
            helper.set_view(view);
        }
    }
}

/// Enter on an entry with an open bracket or quote, or that ends with
/// an operator (`|`, `&&`, `==`, ...), starts a new line instead of
/// running it; Alt-Enter always does (`always`). rustyline draws no
/// prompt on continuation lines, so the line starts with as many spaces
/// as the prompt is wide, which the highlighter draws the `...>` marker
/// over and which are taken out again when the entry is run. The marker
/// itself is never in the buffer: deleting into the spaces loses nothing.
struct Continue {
    width: Arc<AtomicUsize>,
    always: bool,
}

impl ConditionalEventHandler for Continue {
    fn handle(&self, _: &Event, _: RepeatCount, _: bool, ctx: &EventContext) -> Option<Cmd> {
        let line = ctx.line();
        let open = self.always
            || ctx.pos() == line.len()
                && (crate::line::is_incomplete(line, crate::commands::rest_of_line())
                    || ends_with_operator(line));
        let pad = " ".repeat(self.width.load(Ordering::Relaxed));
        (open && line.len() <= crate::query::MAX_EXPRESSION_BYTES)
            .then(|| Cmd::Insert(1, format!("\n{pad}")))
    }
}

/// The history's newest entry, or "".
fn last_entry(editor: &Editor<ShellHelper, DefaultHistory>) -> String {
    let history = editor.history();
    history
        .len()
        .checked_sub(1)
        .and_then(|last| {
            history
                .get(last, rustyline::history::SearchDirection::Forward)
                .ok()
                .flatten()
        })
        .map(|found| found.entry.into_owned())
        .unwrap_or_default()
}

/// Up and Down search the history for entries that start with what was
/// typed before the first Up (all entries when nothing was), newest
/// first, each entry once; Down past the newest gives back what was
/// typed. Inside a multi-line entry they move between its lines.
/// rustyline's own prefix search takes the whole recalled line as the
/// next prefix, so the search is kept here, over the shell's copy of the
/// history.
struct PrefixSearch {
    backward: bool,
    search: Arc<Mutex<Search>>,
}

/// The history and the search under way.
#[derive(Default)]
struct Search {
    entries: Vec<String>,
    /// What was typed, the entry shown, and its index in `entries`.
    current: Option<(String, String, usize)>,
}

impl ConditionalEventHandler for PrefixSearch {
    fn handle(&self, _: &Event, _: RepeatCount, _: bool, ctx: &EventContext) -> Option<Cmd> {
        let line = ctx.line();
        let pos = ctx.pos();
        let inside = if self.backward {
            line[..pos].contains('\n')
        } else {
            line[pos..].contains('\n')
        };
        if inside {
            return Some(if self.backward {
                Cmd::LineUpOrPreviousHistory(1)
            } else {
                Cmd::LineDownOrNextHistory(1)
            });
        }
        let mut search = self.search.lock().ok()?;
        let (typed, from) = match &search.current {
            Some((typed, shown, at)) if shown == line => (typed.clone(), Some(*at)),
            _ => (line.to_owned(), None),
        };
        let entries = &search.entries;
        let matches = |e: &String| e.starts_with(&typed) && e != line && e != &typed;
        let found = if self.backward {
            let end = from.unwrap_or(entries.len());
            (0..end).rev().find(|&i| matches(&entries[i]))
        } else {
            let start = from.map_or(entries.len(), |at| at + 1);
            (start..entries.len()).find(|&i| matches(&entries[i]))
        };
        match found {
            Some(at) => {
                let entry = entries[at].clone();
                search.current = Some((typed, entry.clone(), at));
                Some(Cmd::Replace(rustyline::Movement::WholeBuffer, Some(entry)))
            }
            // Down past the newest match: back to what was typed.
            None if !self.backward && from.is_some() => {
                search.current = None;
                Some(Cmd::Replace(rustyline::Movement::WholeBuffer, Some(typed)))
            }
            None => Some(Cmd::Noop),
        }
    }
}

/// Whether `set editing-mode vi` is in the readline init file
/// (`$INPUTRC`, else `~/.inputrc`, else `/etc/inputrc`), as bash reads it.
fn inputrc_says_vi() -> bool {
    let files = std::env::var_os("INPUTRC")
        .map(std::path::PathBuf::from)
        .into_iter()
        .chain(std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".inputrc")))
        .chain([std::path::PathBuf::from("/etc/inputrc")]);
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let mut vi = false;
        for line in text.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            if let ["set", "editing-mode", mode] = words.as_slice() {
                vi = mode.eq_ignore_ascii_case("vi");
            }
        }
        return vi;
    }
    false
}

/// `text` edited in `$VISUAL` or `$EDITOR` (else `vi`), as psql's `\e`:
/// written to a private temporary file, the editor run on it, read back.
fn edit_in_editor(text: &str) -> Result<String, String> {
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "vi".to_owned());
    let file = tempfile::Builder::new()
        .prefix("idcsh-")
        .suffix(".jmespath")
        .tempfile()
        .map_err(|e| format!("cannot make a file to edit: {e}"))?;
    std::fs::write(file.path(), format!("{text}\n"))
        .map_err(|e| format!("cannot write {}: {e}", file.path().display()))?;
    // Through sh, so that EDITOR may carry arguments (`code --wait`).
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("idcsh-editor")
        .arg(file.path())
        .status()
        .map_err(|e| format!("cannot run {editor}: {e}"))?;
    if !status.success() {
        return Err(format!("{editor} ended with {status}; nothing was run"));
    }
    let edited = std::fs::read_to_string(file.path())
        .map_err(|e| format!("cannot read {}: {e}", file.path().display()))?;
    Ok(edited.trim_end().to_owned())
}

/// Whether an entry ends with an operator that needs a right-hand side:
/// `Users |`, `.access alice |`, `a &&`; Enter on it continues.
fn ends_with_operator(line: &str) -> bool {
    use crate::query::lexer::{TokenKind, tokenize};
    let trimmed = line.trim_end();
    // A command's words are not an expression; only its filter is.
    let text = match trimmed.trim_start().strip_prefix('.') {
        Some(_) => match crate::line::scan_command(trimmed).pipe {
            Some(at) if trimmed[at + 1..].trim().is_empty() => return true,
            Some(at) => &trimmed[at + 1..],
            None => return false,
        },
        None => trimmed,
    };
    let Some(last) = tokenize(text)
        .into_iter()
        .rev()
        .find(|t| t.kind != TokenKind::Space)
    else {
        return false;
    };
    last.kind == TokenKind::Operator
        && matches!(
            last.text(text),
            "|" | "||" | "&&" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "!" | "," | "."
        )
}

/// Runs a line; a result taller than the screen goes through the pager.
fn step(runner: &mut Runner, text: &str) -> Flow {
    let pager = runner
        .settings
        .pager
        .then(pager::screen_rows)
        .flatten()
        .zip(pager::pager_command());
    // Unlocked handles: progress is written from another thread.
    let Some((rows, command)) = pager else {
        // Ctrl-C stops a long result being written, at the next write.
        let stop = Arc::new(AtomicBool::new(false));
        let watcher = {
            let stop = stop.clone();
            runner.session.runtime().spawn(async move {
                if tokio::signal::ctrl_c().await.is_ok() {
                    stop.store(true, Ordering::Relaxed);
                }
            })
        };
        let mut out = crate::exec::Stoppable::new(io::stdout(), stop);
        let flow = runner.step(text, &mut out, &mut io::stderr());
        watcher.abort();
        if out.stopped() {
            let _ = out.flush();
            eprintln!("\nnote: output stopped (Ctrl-C)");
        }
        return flow;
    };
    // Warnings, notes and `.timing` are held until the result has been
    // shown (and the pager closed), so that they are not scrolled away.
    let (mut output, mut said) = (Vec::new(), Vec::new());
    let flow = runner.step(text, &mut output, &mut said);
    let shown = if pager::too_tall(&output, rows) {
        pager::page(&output, &command, &mut io::stderr())
    } else {
        let mut out = io::stdout().lock();
        out.write_all(&output).and_then(|()| out.flush())
    };
    if let Err(e) = shown {
        eprintln!("error: cannot write output: {e}");
    }
    let _ = io::stderr().write_all(&said);
    flow
}

/// What completion and hints may read now; `profiles` and `commands` do
/// not change during a session, so they are read once.
fn view(runner: &Runner, profiles: &[String], commands: &[String]) -> View {
    let session = &runner.session;
    let collections = session.collection_names();
    let (saved, warning) = runner.saved.list();
    if let Some(warning) = warning {
        eprintln!("{}", crate::error::warning_text(&warning));
    }
    View {
        directory: collections
            .iter()
            .any(|c| crate::collection::Collection::from_name(c).is_some()),
        data: {
            let mut data = session.available();
            if **session.last() != crate::doc::Doc::Null {
                let last = crate::shell::complete::sample(session.last());
                data.push(("_".to_owned(), Arc::new(last)));
            }
            data
        },
        document: session.source().document(),
        saved: saved.into_iter().map(|q| q.name).collect(),
        profiles: profiles.to_vec(),
        commands: commands.to_vec(),
        collections,
        dialect: runner.settings.dialect,
    }
}

/// `40s`, `12m`, `3h`, `2d`: how old the disk cache's data is, for the prompt.
fn short_age(age: std::time::Duration) -> String {
    match age.as_secs() {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}
