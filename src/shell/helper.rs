//! The line editor's helper: completion, highlighting, hints and the
//! multi-line rule, all reading a `View` of what is in memory.

use std::borrow::Cow;
use std::cell::RefCell;

use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hint, Hinter, HistoryHinter};
use rustyline::validate::Validator;
use rustyline::{Context, Helper};

use crate::line;
use crate::query::{Query, Val};
use crate::shell::complete::{self, Completion, View};
use crate::shell::highlight;

/// What the editor asks about the line being typed.
pub struct ShellHelper {
    /// What completion and hints can see; refreshed before each prompt.
    pub view: View,
    /// Colour the line and the hint.
    pub color: bool,
    files: FilenameCompleter,
    history_hints: HistoryHinter,
    /// The last line a result hint was computed for, and the hint.
    last_result: RefCell<Option<(String, Option<Preview>)>>,
    /// How long the preview that paused previews took (until the line is run).
    slow: std::cell::Cell<Option<std::time::Duration>>,
    /// How many spaces start each continuation line (the prompt's width),
    /// over whose end the `...>` marker is drawn.
    pub continuation: usize,
}

impl ShellHelper {
    /// A helper over `view`.
    pub(crate) fn new(view: View, color: bool) -> ShellHelper {
        ShellHelper {
            view,
            color,
            files: FilenameCompleter::new(),
            history_hints: HistoryHinter::new(),
            last_result: RefCell::new(None),
            slow: std::cell::Cell::new(None),
            continuation: 0,
        }
    }

    /// Replaces what the helper sees (after each line).
    pub(crate) fn set_view(&mut self, view: View) {
        self.view = view;
        self.last_result.replace(None);
        self.slow.set(None);
    }

    fn cached_preview(&self, line: &str) -> Option<Preview> {
        if let Some((seen, preview)) = self.last_result.borrow().as_ref()
            && seen == line
        {
            return preview.clone();
        }
        if let Some(took) = self.slow.get() {
            return Some(Preview::Paused(took));
        }
        let started = std::time::Instant::now();
        let preview = result_preview(&self.view, line);
        let took = started.elapsed();
        if took > KEYSTROKE_BUDGET {
            self.slow.set(Some(took));
        }
        self.last_result
            .replace(Some((line.to_owned(), preview.clone())));
        preview
    }
}

/// A hint: text shown after the cursor, and what Right-arrow inserts.
pub struct ShellHint {
    display: String,
    completion: Option<String>,
}

impl Hint for ShellHint {
    fn display(&self) -> &str {
        &self.display
    }

    fn completion(&self) -> Option<&str> {
        self.completion.as_deref()
    }
}

impl Hinter for ShellHelper {
    type Hint = ShellHint;

    fn hint(&self, line: &str, pos: usize, ctx: &Context<'_>) -> Option<ShellHint> {
        if pos < line.len() || line.trim().is_empty() {
            return None;
        }
        // Without colour a history hint would look typed (`G` shown as
        // `Groups[0]`, Enter runs `G`): it is not offered.
        let history = if self.color {
            self.history_hints.hint(line, pos, ctx)
        } else {
            None
        };
        let preview = self
            .cached_preview(line)
            .map(|p| preview_text(&p, line, self.continuation, history.is_some()));
        if history.is_none() && preview.is_none() {
            return None;
        }
        Some(ShellHint {
            display: format!(
                "{}{}",
                history.as_deref().unwrap_or_default(),
                preview.unwrap_or_default()
            ),
            completion: history,
        })
    }
}

/// The preview as it is drawn after the cursor: the summary beside the
/// input (or under a history hint), the first items under it, each cut
/// to the terminal's width; an error under the input, with a caret under
/// the character it points at when the entry is one line.
fn preview_text(preview: &Preview, line: &str, prompt_width: usize, below: bool) -> String {
    use unicode_width::UnicodeWidthStr;
    let width = terminal_size::terminal_size()
        .map_or(80, |(w, _)| usize::from(w.0))
        .max(20);
    let fit = |text: &str, room: usize| crate::render::cut(text, room.max(8));
    match preview {
        Preview::Result { summary, lines } => {
            let mut text = if below {
                format!("\n  ⇒ {summary}")
            } else {
                format!("  ⇒ {summary}")
            };
            for item in lines {
                text.push_str("\n    ");
                text.push_str(&fit(item, width - 5));
            }
            text
        }
        Preview::Paused(took) => format!(
            "{}  ⇒ (preview paused: it took {} ms; Enter runs the line)",
            if below { "\n" } else { "" },
            took.as_millis()
        ),
        Preview::Error { message, column } => {
            let lead = line.len() - line.trim_start().len();
            match column {
                Some(column) if !line.contains('\n') => {
                    let before: String = line[lead..].chars().take(*column).collect();
                    let at = prompt_width + line[..lead].width() + before.width();
                    if at + 4 < width {
                        let pointer = format!("{}^ ", " ".repeat(at));
                        let room = width.saturating_sub(at + 3);
                        format!("\n{pointer}{}", fit(message, room))
                    } else {
                        format!("\n  ✗ {}", fit(message, width - 5))
                    }
                }
                _ => format!("\n  ✗ {}", fit(message, width - 5)),
            }
        }
    }
}

/// Above this many items in the collections an expression reads, the
/// preview is skipped: a filter over 100,000 users takes about 4 ms on two
/// cores (BENCHMARKS.md), twice that stays inside a keystroke's 16 ms.
pub const HINT_ITEM_LIMIT: usize = 200_000;

/// A preview that took longer than this pauses previews until the line is
/// run: a keystroke must not wait on an expression that is slow to answer.
const KEYSTROKE_BUDGET: std::time::Duration = std::time::Duration::from_millis(16);

/// What the preview pane under the input shows: the result's first lines
/// (as jid does), or why the expression is wrong and where.
#[derive(Debug, Clone, PartialEq)]
pub enum Preview {
    /// `240 items`, and the first items as one-line JSON.
    Result { summary: String, lines: Vec<String> },
    /// The error, and the character column it points at.
    Error {
        message: String,
        column: Option<usize>,
    },
    /// Previews pause for this line: one took this long.
    Paused(std::time::Duration),
}

/// Lines of the preview shown under an expression.
const PREVIEW_LINES: usize = 3;

/// The preview of `line`: its result when everything it reads is in
/// memory (within [`HINT_ITEM_LIMIT`]), or its error; `None` for commands,
/// unfinished entries and collections not fetched. Never fetches.
pub fn result_preview(view: &View, line: &str) -> Option<Preview> {
    let (text, _) = line::split_redirect(line.trim());
    if text.is_empty() || text.starts_with('.') || text.starts_with('#') {
        return None;
    }
    if line::is_incomplete(text, crate::commands::rest_of_line()) {
        return None;
    }
    let query = match Query::compile_in(text, view.dialect) {
        Ok(query) => query,
        Err(err) => {
            let column = err.location().map(|(_, column)| column);
            return Some(Preview::Error {
                message: err.to_string(),
                column,
            });
        }
    };
    evaluate_held(view, &query, |result| match result {
        Ok(value) => {
            let lines = match value.elements() {
                Some(items) => items
                    .take(PREVIEW_LINES)
                    .map(|item| compact(&item, PREVIEW_CHARS))
                    .collect(),
                None if value.object_len().is_some() => vec![compact(&value, PREVIEW_CHARS)],
                None => Vec::new(),
            };
            Preview::Result {
                summary: summary(&value),
                lines,
            }
        }
        Err(err) => Preview::Error {
            message: err.to_string(),
            column: None,
        },
    })
}

/// Characters of one preview line worth writing: no terminal is wider.
const PREVIEW_CHARS: usize = 400;

/// `value` as one line of compact JSON, stopped soon after `budget`
/// characters, so a preview never converts a whole collection.
fn compact(value: &Val<'_>, budget: usize) -> String {
    fn write(value: &Val<'_>, out: &mut String, budget: usize) {
        if out.len() > budget {
            return;
        }
        if let Some(items) = value.elements() {
            out.push('[');
            for (i, item) in items.enumerate() {
                if out.len() > budget {
                    break;
                }
                if i > 0 {
                    out.push(',');
                }
                write(&item, out, budget);
            }
            out.push(']');
        } else if let Some(entries) = value.entries() {
            out.push('{');
            for (i, (key, item)) in entries.iter().enumerate() {
                if out.len() > budget {
                    break;
                }
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String(key.to_string()).to_string());
                out.push(':');
                write(item, out, budget);
            }
            out.push('}');
        } else {
            out.push_str(&value.to_json().to_string());
        }
    }
    let mut out = String::new();
    write(value, &mut out, budget);
    crate::render::cut(&out, budget)
}

/// `query` over the collections in memory, `None` when it reads one that
/// is not (or more than [`HINT_ITEM_LIMIT`] items).
fn evaluate_held<T>(
    view: &View,
    query: &Query,
    then: impl FnOnce(Result<Val<'_>, crate::query::QueryError>) -> T,
) -> Option<T> {
    let refs = query.root_refs();
    if let Some(document) = &view.document {
        return Some(then(query.evaluate(&Val::Ref(document))));
    }
    let missing = |name: &String| view.collection(name).is_none();
    if refs.fields.iter().any(missing) || (refs.whole && view.collections.iter().any(missing)) {
        return None;
    }
    let items: usize = view
        .data
        .iter()
        .filter(|(name, _)| refs.whole || refs.fields.contains(name))
        .map(|(_, doc)| doc.count())
        .sum();
    if items > HINT_ITEM_LIMIT {
        return None;
    }
    let entries: Vec<(Cow<'_, str>, Val<'_>)> = view
        .data
        .iter()
        .map(|(name, doc)| (Cow::Borrowed(name.as_str()), Val::Ref(doc.as_ref())))
        .collect();
    let root = Val::Object(entries.into());
    Some(then(query.evaluate(&root)))
}

/// What `line` would return, in a few words (the preview's summary),
/// when it is an expression over collections already in memory; `None`
/// otherwise. Never fetches.
pub fn result_hint(view: &View, line: &str) -> Option<String> {
    match result_preview(view, line)? {
        Preview::Result { summary, .. } => Some(summary),
        _ => None,
    }
}

/// `240 items`, `"alice"`, `42`, `{12 keys}`.
fn summary(value: &Val<'_>) -> String {
    if let Some(n) = value.array_len() {
        return format!("{n} item{}", if n == 1 { "" } else { "s" });
    }
    if let Some(n) = value.object_len() {
        return format!("{{{n} key{}}}", if n == 1 { "" } else { "s" });
    }
    let json = value.to_json().to_string();
    if json.chars().count() > 40 {
        let cut: String = json.chars().take(39).collect();
        format!("{cut}…")
    } else {
        json
    }
}

impl Completer for ShellHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        match complete::complete(&self.view, line, pos) {
            Completion::Words { start, candidates } => Ok((
                start,
                candidates
                    .into_iter()
                    .map(|c| Pair {
                        display: c.display,
                        replacement: c.replacement,
                    })
                    .collect(),
            )),
            Completion::Path => self.files.complete(line, pos, ctx),
        }
    }
}

impl Highlighter for ShellHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if self.color || line.contains('\n') {
            Cow::Owned(highlight::highlight(line, self.continuation, self.color))
        } else {
            Cow::Borrowed(line)
        }
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.color {
            Cow::Owned(format!("\x1b[2m{hint}\x1b[0m"))
        } else {
            Cow::Borrowed(hint)
        }
    }

    fn highlight_char(&self, line: &str, _pos: usize, _kind: CmdKind) -> bool {
        self.color || line.contains('\n')
    }
}

/// Every line Enter hands over is complete: Enter on an open bracket or
/// quote continues the entry instead (`super::Continue`).
impl Validator for ShellHelper {}

impl Helper for ShellHelper {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// Without colour a history hint would look typed: only the result
    /// hint (set apart by its arrow) is offered.
    #[test]
    fn history_hints_need_colour_to_be_told_from_typing() {
        use rustyline::history::{DefaultHistory, History as _};
        let mut history = DefaultHistory::new();
        history.add("Users[0]").unwrap();
        let ctx = Context::new(&history);
        let coloured = ShellHelper::new(view(), true);
        let hint = coloured.hint("U", 1, &ctx).unwrap();
        assert_eq!(hint.display, "sers[0]");
        let plain = ShellHelper::new(view(), false);
        let hint = plain.hint("Users", 5, &ctx).unwrap();
        assert!(
            hint.display.starts_with("  ⇒ 2 items\n    {"),
            "{}",
            hint.display
        );
        assert!(hint.completion.is_none());
        assert!(
            plain
                .hint("U", 1, &ctx)
                .is_none_or(|h| h.display.starts_with("  ⇒"))
        );
    }

    /// The preview pane: the result's first items, one line each; an
    /// error with the column it points at; a slow line pauses previews.
    #[test]
    fn the_preview_shows_first_items_or_the_error() {
        let preview = result_preview(&view(), "Users[].UserName").unwrap();
        assert_eq!(
            preview,
            Preview::Result {
                summary: "2 items".into(),
                lines: vec!["\"alice\"".into(), "\"bob\"".into()],
            }
        );
        let Some(Preview::Error { message, column }) = result_preview(&view(), "Users]") else {
            panic!("no error preview");
        };
        assert!(message.starts_with("syntax error"), "{message}");
        assert_eq!(column, Some(5));
        let text = preview_text(
            &Preview::Error {
                message: "syntax error: x".into(),
                column: Some(5),
            },
            "Users]",
            12,
            false,
        );
        assert_eq!(text, format!("\n{}^ syntax error: x", " ".repeat(17)));
        // A long item is cut in the preview, never converted whole.
        let long = serde_json::json!([{"a": "x".repeat(10_000)}]);
        let line = compact(&Val::Ref(&crate::doc::Doc::from(long)), 100);
        assert!(
            line.len() < 10_000 && line.starts_with("[{\"a\":"),
            "{}",
            line.len()
        );
        let helper = ShellHelper::new(view(), false);
        helper.slow.set(Some(std::time::Duration::from_millis(40)));
        assert_eq!(
            helper.cached_preview("Users"),
            Some(Preview::Paused(std::time::Duration::from_millis(40)))
        );
    }

    fn view() -> View {
        let users = crate::doc::Doc::from(serde_json::json!([
            {"UserName": "alice", "Title": "Engineer"},
            {"UserName": "bob", "Title": "Manager"},
        ]));
        View {
            collections: vec!["Users".into(), "Groups".into()],
            data: vec![("Users".into(), Arc::new(users))],
            ..View::default()
        }
    }

    #[test]
    fn a_result_hint_needs_the_data_in_memory() {
        let view = view();
        assert_eq!(result_hint(&view, "Users").as_deref(), Some("2 items"));
        assert_eq!(
            result_hint(&view, "Users[0].UserName").as_deref(),
            Some("\"alice\"")
        );
        assert_eq!(result_hint(&view, "Users[0]").as_deref(), Some("{2 keys}"));
        assert_eq!(
            result_hint(&view, "length(Users[?Title == 'Manager'])").as_deref(),
            Some("1")
        );
        // Too much data for a keystroke: no hint.
        let mut big = view.clone();
        let many = vec![serde_json::json!({"UserName": "x"}); HINT_ITEM_LIMIT + 1];
        big.data = vec![(
            "Users".into(),
            Arc::new(crate::doc::Doc::from(serde_json::Value::Array(many))),
        )];
        assert_eq!(result_hint(&big, "length(Users)"), None);
        assert_eq!(result_hint(&big, "`1`").as_deref(), Some("1"));
        // Groups is not held: a hint would need a fetch.
        assert_eq!(result_hint(&view, "length(Groups)"), None);
        assert_eq!(result_hint(&view, "@"), None);
        // Incomplete, invalid, commands: no hint.
        assert_eq!(result_hint(&view, "Users[?"), None);
        assert_eq!(result_hint(&view, "Users[?]"), None);
        assert_eq!(result_hint(&view, ".cache"), None);
        let long = result_hint(
            &view,
            "join(', ', [Users[0].UserName, `\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"`])",
        )
        .unwrap();
        assert_eq!(long.chars().count(), 40);
        assert!(long.ends_with('…'));
    }
}
