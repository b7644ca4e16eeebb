//! `.explain EXPRESSION`: the expression as a tree, then each step of its
//! chain with what it produced, so that a user sees where a filter went
//! empty and why (the field's values the filter compared against).

use clap::Args;
use serde_json::{Value as Json, json};

use super::context::Context;
use crate::doc::Doc;
use crate::error::Error;
use crate::outcome::Outcome;
use crate::query::Query;
use crate::query::lexer::{TokenKind, tokenize};

/// `.explain EXPRESSION`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The expression to explain (the rest of the line, pipes included)
    #[arg(allow_hyphen_values = true, value_hint = clap::ValueHint::CommandString)]
    pub expression: String,
}

/// Values of a field listed when a filter on it matched nothing.
const VALUES_SHOWN: usize = 5;

/// `.explain`: the data is `{Expression, Tree, Steps}`; the table shows
/// the steps, each one's new part indented under the one before.
pub(super) fn explain(cx: &mut Context<'_>, args: ExplainArgs) -> Result<Outcome, Error> {
    let text = args.expression.trim().to_owned();
    // The whole expression first: a syntax error is said as for any line.
    let query = Query::compile_in(&text, cx.settings.dialect)?;
    let tree = query.tree();
    let mut steps = Vec::new();
    let mut previous: Option<Json> = None;
    let mut from = 0;
    for end in boundaries(&text) {
        let prefix = text[..end].trim_end();
        if prefix.is_empty() || Query::compile_in(prefix, cx.settings.dialect).is_err() {
            continue;
        }
        let piece = text[from..end].trim();
        from = end;
        let (value, mut why) = match cx.expression(prefix)? {
            Outcome::Value { value, warnings } => (value.to_json(), warnings),
            _ => (Json::Null, Vec::new()),
        };
        if is_empty(&value)
            && let Some(before) = &previous
            && !is_empty(before)
        {
            why.extend(filter_values(piece, before));
        }
        let depth = steps.len();
        steps.push(json!({
            "Step": depth + 1,
            "Expression": format!("{}{piece}", "  ".repeat(depth)),
            "Result": summary(&value),
            "Why": (!why.is_empty()).then(|| why.join("; ")),
        }));
        previous = Some(value);
    }
    let view = Json::Array(steps.clone());
    Ok(Outcome::Viewed {
        value: std::sync::Arc::new(Doc::from(json!({
            "Expression": text,
            "Tree": tree,
            "Steps": steps,
        }))),
        view: std::sync::Arc::new(Doc::from(view)),
        warnings: Vec::new(),
    })
}

/// Where the chain can be cut into steps: before each `.`, `[` and `|`
/// outside brackets, and the end.
fn boundaries(text: &str) -> Vec<usize> {
    let mut depth = 0i32;
    let mut cuts = Vec::new();
    for token in tokenize(text) {
        let word = token.text(text);
        match (token.kind, word) {
            (TokenKind::Bracket, "[") if depth == 0 => {
                cuts.push(token.start);
                depth += 1;
            }
            (TokenKind::Bracket, "(" | "[" | "{") => depth += 1,
            (TokenKind::Bracket, _) => depth -= 1,
            (TokenKind::Operator, "." | "|") if depth == 0 => cuts.push(token.start),
            _ => {}
        }
    }
    cuts.push(text.len());
    cuts.dedup();
    cuts
}

fn is_empty(value: &Json) -> bool {
    match value {
        Json::Null => true,
        Json::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// `240 items`, `{12 keys}`, `"alice"`, `null`.
fn summary(value: &Json) -> String {
    match value {
        Json::Array(items) => format!(
            "{} item{}",
            items.len(),
            if items.len() == 1 { "" } else { "s" }
        ),
        Json::Object(map) => format!(
            "{{{} key{}}}",
            map.len(),
            if map.len() == 1 { "" } else { "s" }
        ),
        other => crate::render::cut(&other.to_string(), 40),
    }
}

/// For a filter step (`[?Title == 'Engineer']`) that kept nothing: what
/// each field it compares holds in the items it was given, a few distinct
/// values, or that no item has it.
fn filter_values(piece: &str, before: &Json) -> Vec<String> {
    let Some(condition) = piece.strip_prefix("[?") else {
        return Vec::new();
    };
    let items: Vec<&Json> = match before {
        Json::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let mut said = Vec::new();
    for (path, literal) in compared_fields(condition) {
        let mut values: Vec<String> = Vec::new();
        let mut holding = 0;
        for item in &items {
            let mut here = *item;
            for step in path.split('.') {
                here = here.get(step).unwrap_or(&Json::Null);
            }
            if here.is_null() {
                continue;
            }
            holding += 1;
            let shown = here.to_string();
            if !values.contains(&shown) {
                values.push(shown);
            }
        }
        if holding == 0 {
            said.push(format!("no item has a field {path}"));
            continue;
        }
        // `'alice'` against "Alice": equal but for case.
        if let Some(literal) = &literal {
            let quoted = Json::String(literal.clone()).to_string().to_lowercase();
            if let Some(near) = values.iter().find(|v| v.to_lowercase() == quoted) {
                said.push(format!(
                    "{path} holds {near}, which differs from '{literal}' only in case"
                ));
                continue;
            }
        }
        let more = values.len().saturating_sub(VALUES_SHOWN);
        values.truncate(VALUES_SHOWN);
        said.push(format!(
            "{path} holds {}{}",
            values.join(", "),
            if more > 0 {
                format!(", ... ({} values)", more + VALUES_SHOWN)
            } else {
                String::new()
            }
        ));
    }
    said
}

/// The field paths a condition compares (`Title`, `Name.GivenName`):
/// identifiers joined by `.` just before a comparison operator, each with
/// the string it is compared to when that is a `'raw string'`.
fn compared_fields(condition: &str) -> Vec<(String, Option<String>)> {
    let tokens: Vec<_> = tokenize(condition)
        .into_iter()
        .filter(|t| t.kind != TokenKind::Space)
        .collect();
    let mut fields = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let op = token.text(condition);
        if token.kind != TokenKind::Operator || !matches!(op, "==" | "!=" | "<" | "<=" | ">" | ">=")
        {
            continue;
        }
        let mut path = Vec::new();
        let mut j = i;
        while j > 0 && tokens[j - 1].kind == TokenKind::Identifier {
            path.insert(0, tokens[j - 1].text(condition).to_owned());
            if j >= 2 && tokens[j - 2].text(condition) == "." {
                j -= 2;
            } else {
                break;
            }
        }
        let path = path.join(".");
        let literal = tokens
            .get(i + 1)
            .filter(|t| t.kind == TokenKind::RawString && t.closed)
            .map(|t| {
                let raw = t.text(condition);
                raw[1..raw.len() - 1].replace("\\'", "'")
            });
        if !path.is_empty() && !fields.iter().any(|(p, _)| p == &path) {
            fields.push((path, literal));
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_are_cut_before_each_step_outside_brackets() {
        let text = "Users[?Title == 'x'].Name.GivenName | [0]";
        let cuts: Vec<&str> = boundaries(text).iter().map(|&e| &text[..e]).collect();
        assert_eq!(
            cuts,
            [
                "Users",
                "Users[?Title == 'x']",
                "Users[?Title == 'x'].Name",
                "Users[?Title == 'x'].Name.GivenName ",
                // Cut before `[` too; a prefix that does not compile
                // (`... | `) is not a step.
                "Users[?Title == 'x'].Name.GivenName | ",
                text
            ]
        );
        assert_eq!(
            compared_fields("Name.GivenName == 'a' && Title != `1`]"),
            [
                ("Name.GivenName".to_owned(), Some("a".to_owned())),
                ("Title".to_owned(), None)
            ]
        );
    }

    #[test]
    fn an_empty_filter_says_what_its_field_holds() {
        let users = json!([{"Title": "Engineer II"}, {"Title": "Senior Engineer"}, {"Other": 1}]);
        assert_eq!(
            filter_values("[?Title == 'Engineer']", &users),
            ["Title holds \"Engineer II\", \"Senior Engineer\""]
        );
        assert_eq!(
            filter_values("[?Titel == 'Engineer']", &users),
            ["no item has a field Titel"]
        );
        assert_eq!(
            filter_values("[?Title == 'engineer ii']", &users),
            ["Title holds \"Engineer II\", which differs from 'engineer ii' only in case"]
        );
    }
}
