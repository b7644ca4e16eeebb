//! `.inspect COLLECTION`: each field the items hold, with its type, how
//! many items fill it, and an example, as psql's `\d` and Steampipe's
//! `.inspect` describe a table.

use indexmap::IndexMap;
use serde_json::{Value as Json, json};

use crate::doc::Doc;

/// What was seen at one path.
#[derive(Default)]
struct Seen {
    types: Vec<&'static str>,
    /// Items in which the path holds something other than null.
    filled: usize,
    example: Option<String>,
}

fn type_of(doc: &Doc) -> &'static str {
    match doc {
        Doc::Null => "null",
        Doc::Bool(_) => "boolean",
        Doc::Number(_) => "number",
        Doc::String(_) => "string",
        Doc::Array(_) => "array",
        Doc::Object(_) => "object",
    }
}

/// An example value in one short line.
fn example(doc: &Doc) -> Option<String> {
    const LONGEST: usize = 60;
    let text = match doc {
        Doc::Null => return None,
        Doc::String(s) if s.is_empty() => return None,
        Doc::String(s) => s.to_string(),
        Doc::Array(items) if items.is_empty() => return None,
        other => other.to_json().to_string(),
    };
    Some(if text.chars().count() > LONGEST {
        let kept: String = text.chars().take(LONGEST - 1).collect();
        format!("{kept}…")
    } else {
        text
    })
}

/// Records `doc` at `path` for one item, and what lies below it. Each
/// path is counted once per item (`marked`), however many array elements
/// hold it.
fn walk(doc: &Doc, path: String, fields: &mut IndexMap<String, Seen>, marked: &mut Vec<String>) {
    let seen = fields.entry(path.clone()).or_default();
    let kind = type_of(doc);
    if !seen.types.contains(&kind) {
        seen.types.push(kind);
    }
    if !matches!(doc, Doc::Null) && !marked.contains(&path) {
        seen.filled += 1;
        marked.push(path.clone());
    }
    match doc {
        Doc::Object(entries) => {
            for (key, value) in entries.iter() {
                let child = if path.is_empty() {
                    key.to_string()
                } else {
                    format!("{path}.{key}")
                };
                walk(value, child, fields, marked);
            }
        }
        // The elements' own fields are listed (`Emails[].Value`); an
        // array of scalars is described by its own row.
        Doc::Array(items) => {
            for item in items.iter() {
                match item {
                    Doc::Object(entries) => {
                        for (key, value) in entries.iter() {
                            walk(value, format!("{path}[].{key}"), fields, marked);
                        }
                    }
                    Doc::Array(_) => walk(item, format!("{path}[]"), fields, marked),
                    _ => {}
                }
            }
        }
        _ => {}
    }
    if let Some(seen) = fields.get_mut(&path)
        && seen.example.is_none()
        && !matches!(doc, Doc::Object(_))
    {
        seen.example = example(doc);
    }
}

/// One row per field path of `items`: `Field`, `Type`, `Filled` (items
/// holding a value), `FillRate` (percent) and an `Example`.
pub(crate) fn fields(items: &Doc) -> Json {
    let items = items.as_array().unwrap_or_default();
    let mut fields: IndexMap<String, Seen> = IndexMap::new();
    for item in items {
        let mut marked = Vec::new();
        match item {
            Doc::Object(entries) => {
                for (key, value) in entries.iter() {
                    walk(value, key.to_string(), &mut fields, &mut marked);
                }
            }
            other => walk(other, "@".to_owned(), &mut fields, &mut marked),
        }
    }
    let total = items.len().max(1);
    Json::Array(
        fields
            .into_iter()
            .map(|(field, seen)| {
                let mut types: Vec<&str> = seen
                    .types
                    .iter()
                    .copied()
                    .filter(|t| *t != "null")
                    .collect();
                if types.is_empty() {
                    types.push("null");
                }
                json!({
                    "Field": field,
                    "Type": types.join("|"),
                    "Filled": seen.filled,
                    "FillRate": format!("{}%", seen.filled * 100 / total),
                    "Example": seen.example,
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_listed_with_type_fill_rate_and_example() {
        let items = Doc::from(json!([
            {"UserName": "alice", "Name": {"GivenName": "Alice"}, "Emails": [{"Value": "a@x"}, {"Value": "b@x"}]},
            {"UserName": "bob", "Title": null},
        ]));
        let rows = fields(&items);
        let row = |field: &str| {
            rows.as_array()
                .unwrap()
                .iter()
                .find(|r| r["Field"] == field)
                .unwrap_or_else(|| panic!("{field}: {rows}"))
                .clone()
        };
        assert_eq!(row("UserName")["FillRate"], "100%");
        assert_eq!(row("UserName")["Example"], "alice");
        assert_eq!(row("Name.GivenName")["Filled"], 1);
        assert_eq!(row("Emails")["Type"], "array");
        // Counted once per item, however many emails it has.
        assert_eq!(row("Emails[].Value")["Filled"], 1);
        assert_eq!(row("Emails[].Value")["FillRate"], "50%");
        assert_eq!(row("Title")["Type"], "null");
        assert_eq!(row("Title")["Filled"], 0);
    }
}
