//! Flattening items into named columns of text, shared by table, text and csv.

use indexmap::IndexMap;
use serde_json::Value as Json;

/// Rows of cells under a shared header.
pub struct Grid {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// True when `value` is a non-empty array of objects (nulls allowed between).
pub fn is_object_rows(value: &Json) -> bool {
    value.as_array().is_some_and(|items| {
        items.iter().any(Json::is_object) && items.iter().all(|i| i.is_object() || i.is_null())
    })
}

/// One row per object; the columns are the union of flattened keys in
/// first-seen order.
pub fn grid(items: &[Json]) -> Grid {
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
pub fn flatten(prefix: &str, value: &Json, out: &mut IndexMap<String, String>) {
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
pub fn cell(value: &Json) -> String {
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
pub fn scalar_text(value: &Json) -> String {
    match value {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// True for null, booleans, numbers and strings.
pub fn is_scalar(value: &Json) -> bool {
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
    fn arrays_of_scalars_join_and_deeper_values_are_json() {
        assert_eq!(cell(&json!(["a", 1, true])), "a, 1, true");
        assert_eq!(
            cell(&json!([{"Value": "a@x", "Primary": true}])),
            r#"[{"Value":"a@x","Primary":true}]"#
        );
    }
}
