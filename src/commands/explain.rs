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

/// How a condition tests a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Test {
    /// `==`, `!=`, `<`, ...
    Compare,
    /// `contains(field, 'text')`.
    Contains,
    /// `starts_with(field, 'text')`.
    StartsWith,
    /// `ends_with(field, 'text')`.
    EndsWith,
}

impl Test {
    /// The function a call names, if it is one that searches a string.
    fn of_function(name: &str) -> Option<Test> {
        match name {
            "contains" => Some(Test::Contains),
            "starts_with" => Some(Test::StartsWith),
            "ends_with" => Some(Test::EndsWith),
            _ => None,
        }
    }

    /// Whether `value` passes this test against `literal` once both are in
    /// lower case: a value that would have matched but for case.
    fn passes_ignoring_case(self, value: &Json, literal: &str) -> bool {
        let Some(value) = value.as_str() else {
            return false;
        };
        let (value, literal) = (value.to_lowercase(), literal.to_lowercase());
        match self {
            Test::Compare => value == literal,
            Test::Contains => value.contains(&literal),
            Test::StartsWith => value.starts_with(&literal),
            Test::EndsWith => value.ends_with(&literal),
        }
    }

    /// What `field` holding `near` is said to do with `literal` when case
    /// alone stands in the way.
    fn case_hint(self, path: &str, near: &Json, literal: &str) -> String {
        let function = match self {
            Test::Compare => {
                return format!("{path} holds {near}, which differs from '{literal}' only in case");
            }
            Test::Contains => "contains",
            Test::StartsWith => "starts_with",
            Test::EndsWith => "ends_with",
        };
        format!(
            "{path} holds {near}, which {function}('{literal}') matches only if case is ignored: \
             {function}() is case-sensitive (with .compat community: \
             {function}(lower({path}), '{}'))",
            literal.to_lowercase()
        )
    }
}

/// For a filter step (`[?Title == 'Engineer']`, `[?contains(Title,
/// 'engineer')]`) that kept nothing: what each field it tests holds in the
/// items it was given, a few distinct values, or that no item has it.
fn filter_values(piece: &str, before: &Json) -> Vec<String> {
    let Some(condition) = piece.strip_prefix("[?") else {
        return Vec::new();
    };
    let items: Vec<&Json> = match before {
        Json::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let mut said = Vec::new();
    for (path, literal, test) in compared_fields(condition) {
        let mut values: Vec<&Json> = Vec::new();
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
            if !values.contains(&here) {
                values.push(here);
            }
        }
        if holding == 0 {
            said.push(format!("no item has a field {path}"));
            continue;
        }
        // `'alice'` against "Alice": equal but for case.
        if let Some(literal) = &literal
            && let Some(near) = values
                .iter()
                .find(|v| test.passes_ignoring_case(v, literal))
        {
            said.push(test.case_hint(&path, near, literal));
            continue;
        }
        let more = values.len().saturating_sub(VALUES_SHOWN);
        let shown: Vec<String> = values
            .iter()
            .take(VALUES_SHOWN)
            .map(|v| v.to_string())
            .collect();
        said.push(format!(
            "{path} holds {}{}",
            shown.join(", "),
            if more > 0 {
                format!(", ... ({} values)", more + VALUES_SHOWN)
            } else {
                String::new()
            }
        ));
    }
    said
}

/// The field paths a condition tests (`Title`, `Name.GivenName`), each
/// with the string it is tested against when that is a `'raw string'`:
/// identifiers joined by `.` just before a comparison operator, or the
/// first argument of `contains`, `starts_with` or `ends_with`.
fn compared_fields(condition: &str) -> Vec<(String, Option<String>, Test)> {
    let tokens: Vec<_> = tokenize(condition)
        .into_iter()
        .filter(|t| t.kind != TokenKind::Space)
        .collect();
    let text = |i: usize| tokens.get(i).map_or("", |t| t.text(condition));
    let is = |i: usize, kind: TokenKind| tokens.get(i).is_some_and(|t| t.kind == kind);
    let raw_string = |i: usize| {
        tokens
            .get(i)
            .filter(|t| t.kind == TokenKind::RawString && t.closed)
            .map(|t| {
                let raw = t.text(condition);
                raw[1..raw.len() - 1].replace("\\'", "'")
            })
    };
    let mut fields: Vec<(String, Option<String>, Test)> = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let op = token.text(condition);
        let found = if token.kind == TokenKind::Operator
            && matches!(op, "==" | "!=" | "<" | "<=" | ">" | ">=")
        {
            // The path ends just before the operator.
            let mut path = Vec::new();
            let mut j = i;
            while j > 0 && is(j - 1, TokenKind::Identifier) {
                path.insert(0, text(j - 1).to_owned());
                if j >= 2 && text(j - 2) == "." {
                    j -= 2;
                } else {
                    break;
                }
            }
            Some((path.join("."), raw_string(i + 1), Test::Compare))
        } else if token.kind == TokenKind::Identifier
            && let Some(test) = Test::of_function(op)
            && text(i + 1) == "("
        {
            // The path is the first argument, then `,` and the string.
            let mut path = Vec::new();
            let mut j = i + 2;
            while is(j, TokenKind::Identifier) {
                path.push(text(j).to_owned());
                if text(j + 1) == "." {
                    j += 2;
                } else {
                    break;
                }
            }
            let literal = (text(j + 1) == "," && text(j + 3) == ")")
                .then(|| raw_string(j + 2))
                .flatten();
            Some((path.join("."), literal, test))
        } else {
            None
        };
        if let Some((path, literal, test)) = found
            && !path.is_empty()
            && !fields.iter().any(|(p, _, _)| p == &path)
        {
            fields.push((path, literal, test));
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
                (
                    "Name.GivenName".to_owned(),
                    Some("a".to_owned()),
                    Test::Compare
                ),
                ("Title".to_owned(), None, Test::Compare)
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
        assert_eq!(
            filter_values("[?contains(Title, 'senior')]", &users),
            [
                "Title holds \"Senior Engineer\", which contains('senior') matches only if case is ignored: \
                 contains() is case-sensitive (with .compat community: contains(lower(Title), 'senior'))"
            ]
        );
        assert_eq!(
            filter_values("[?starts_with(Title, 'Staff')]", &users),
            ["Title holds \"Engineer II\", \"Senior Engineer\""]
        );
        assert_eq!(
            filter_values("[?ends_with(Title, 'ii') && Other == `2`]", &users),
            [
                "Title holds \"Engineer II\", which ends_with('ii') matches only if case is ignored: \
                 ends_with() is case-sensitive (with .compat community: ends_with(lower(Title), 'ii'))",
                "Other holds 1"
            ]
        );
    }
}
