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
    last_result: RefCell<Option<(String, Option<String>)>>,
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
            continuation: 0,
        }
    }

    /// Replaces what the helper sees (after each line).
    pub(crate) fn set_view(&mut self, view: View) {
        self.view = view;
        self.last_result.replace(None);
    }

    fn cached_result_hint(&self, line: &str) -> Option<String> {
        if let Some((seen, hint)) = self.last_result.borrow().as_ref()
            && seen == line
        {
            return hint.clone();
        }
        let hint = result_hint(&self.view, line);
        self.last_result
            .replace(Some((line.to_owned(), hint.clone())));
        hint
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
        if self.color
            && let Some(rest) = self.history_hints.hint(line, pos, ctx)
        {
            return Some(ShellHint {
                display: rest.clone(),
                completion: Some(rest),
            });
        }
        let summary = self.cached_result_hint(line)?;
        Some(ShellHint {
            display: format!("  ⇒ {summary}"),
            completion: None,
        })
    }
}

/// Above this many items in the collections an expression reads, the
/// live hint is skipped: a filter over 50,000 users takes about 13 ms
/// (BENCHMARKS.md), and a keystroke must not wait longer than that.
pub const HINT_ITEM_LIMIT: usize = 50_000;

/// What `line` would return, in a few words, when it is an expression
/// over collections already in memory; `None` otherwise. Never fetches.
pub fn result_hint(view: &View, line: &str) -> Option<String> {
    // `EXPR > FILE`: the hint is what goes to the file.
    let (text, _) = line::split_redirect(line.trim());
    if text.is_empty() || text.starts_with('.') || text.starts_with('#') {
        return None;
    }
    if line::is_incomplete(text, crate::commands::rest_of_line()) {
        return None;
    }
    let query = Query::compile(text).ok()?;
    let refs = query.root_refs();
    if let Some(document) = &view.document {
        return query
            .evaluate(&Val::Ref(document))
            .ok()
            .map(|v| summary(&v));
    }
    let missing = |name: &String| view.collection(name).is_none();
    // `_`, a collection not fetched yet, or a half-typed name: no hint.
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
    query.evaluate(&root).ok().map(|v| summary(&v))
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
        assert_eq!(hint.display, "  ⇒ 2 items");
        assert!(hint.completion.is_none());
        assert!(
            plain
                .hint("U", 1, &ctx)
                .is_none_or(|h| h.display.starts_with("  ⇒"))
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
