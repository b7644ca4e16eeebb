//! Flattening items into named columns of text, shared by table, text and csv.

use indexmap::IndexMap;
use serde_json::Value as Json;

/// Rows of cells under a shared header.
pub(crate) struct Grid {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// True when `value` is a non-empty array of objects (nulls allowed between).
pub(crate) fn is_object_rows(value: &Json) -> bool {
    value.as_array().is_some_and(|items| {
        items.iter().any(Json::is_object) && items.iter().all(|i| i.is_object() || i.is_null())
    })
}

/// One row per object; the columns are the union of flattened keys in
/// first-seen order.
pub(crate) fn grid(items: &[Json]) -> Grid {
    let mut columns: IndexMap<String, ()> = IndexMap::new();
    let mut flat_rows = Vec::with_capacity(items.len());
    for item in items {
        let mut row = IndexMap::new();
        flatten("", item, &mut row);
        for key in row.keys() {
            if !columns.contains_key(key) {
                columns.insert(key.clone(), ());
            }
        }
        flat_rows.push(row);
    }
    let header: Vec<String> = columns.into_keys().collect();
    let rows = flat_rows
        .into_iter()
        .map(|mut row| {
            header
                .iter()
                .map(|column| row.swap_remove(column).unwrap_or_default())
                .collect()
        })
        .collect();
    Grid { header, rows }
}

/// Flattens `value` into dotted keys: nested objects become `Name.GivenName`,
/// arrays of scalars are joined with `, `, anything deeper is compact JSON.
pub(crate) fn flatten(prefix: &str, value: &Json, out: &mut IndexMap<String, String>) {
    match value {
        Json::Object(map) if !map.is_empty() => {
            for (key, inner) in map {
                let name = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&name, inner, out);
            }
        }
        other => {
            let name = if prefix.is_empty() { "Value" } else { prefix };
            out.insert(name.to_owned(), cell(other));
        }
    }
}

/// A value as one cell of text.
pub(crate) fn cell(value: &Json) -> String {
    match value {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        Json::Array(items) if items.iter().all(is_scalar) => {
            items.iter().map(cell).collect::<Vec<_>>().join(", ")
        }
        other => scalar_text(other),
    }
}

/// Scalars as text; arrays and objects as compact JSON.
pub(crate) fn scalar_text(value: &Json) -> String {
    match value {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// `text` with control characters escaped as JSON escapes them (`\r`,
/// `\u001b`), so directory data cannot move the cursor or recolour the
/// terminal; DEL and the C1 controls are escaped too.
pub(crate) fn escape_controls(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// True for null, booleans, numbers and strings.
pub(crate) fn is_scalar(value: &Json) -> bool {
    !matches!(value, Json::Array(_) | Json::Object(_))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn columns_are_the_union_in_first_seen_order() {
        let items = [
            json!({"UserName": "a", "Name": {"GivenName": "A"}}),
            json!({"UserName": "b", "Title": "x", "Name": {"FamilyName": "B"}}),
        ];
        let grid = grid(&items);
        assert_eq!(
            grid.header,
            ["UserName", "Name.GivenName", "Title", "Name.FamilyName"]
        );
        assert_eq!(grid.rows[0], ["a", "A", "", ""]);
        assert_eq!(grid.rows[1], ["b", "", "x", "B"]);
    }

    #[test]
    fn control_characters_are_escaped_as_json_escapes_them() {
        assert_eq!(
            escape_controls("a\u{1b}[31mred\r\nb\tc\u{7f}"),
            "a\\u001b[31mred\\r\\nb\\tc\\u007f"
        );
        assert_eq!(escape_controls("Zoë 名前"), "Zoë 名前");
    }

    #[test]
    fn arrays_of_scalars_join_and_deeper_values_are_json() {
        assert_eq!(cell(&json!(["a", 1, true])), "a, 1, true");
        assert_eq!(
            cell(&json!([{"Value": "a@x", "Primary": true}])),
            r#"[{"Value":"a@x","Primary":true}]"#
        );
    }
}
