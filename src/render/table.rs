//! `table`: comfy-table, fitted to the terminal's width.

use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets};
use serde_json::Value as Json;

use super::Style;
use super::flat::{escape_controls, grid, is_object_rows, is_scalar};

/// A value as a cell, control characters escaped.
fn cell(value: &Json) -> String {
    escape_controls(&super::flat::cell(value))
}

pub fn render(value: &Json, style: &Style, out: &mut impl Write) -> io::Result<()> {
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if let Some(width) = style.width {
        table.set_width(width);
    }
    match value {
        Json::Array(items) if items.is_empty() => return writeln!(out, "(no results)"),
        Json::Array(items) if is_object_rows(value) => {
            let grid = grid(items);
            table.set_header(grid.header.iter().map(|h| escape_controls(h)));
            for row in grid.rows {
                table.add_row(row.iter().map(|c| escape_controls(c)).collect::<Vec<_>>());
            }
        }
        Json::Array(items) if items.iter().all(|i| matches!(i, Json::Array(_))) => {
            for item in items {
                let cells = item.as_array().into_iter().flatten().map(cell);
                table.add_row(cells.collect::<Vec<_>>());
            }
        }
        Json::Array(items) => {
            for item in items {
                table.add_row(vec![cell(item)]);
            }
        }
        Json::Object(map) if !map.is_empty() => {
            let mut flat = indexmap::IndexMap::new();
            super::flat::flatten("", value, &mut flat);
            table.set_header(vec!["Key", "Value"]);
            for (key, text) in flat {
                table.add_row(vec![escape_controls(&key), escape_controls(&text)]);
            }
        }
        Json::Null => return writeln!(out, "null"),
        scalar if is_scalar(scalar) => return writeln!(out, "{}", cell(scalar)),
        other => return writeln!(out, "{other}"),
    }
    writeln!(out, "{table}")
}

#[cfg(test)]
mod tests {
    use super::super::Format;
    use super::super::tests::rendered;
    use serde_json::json;

    #[test]
    fn objects_become_rows_with_dotted_columns() {
        let value = json!([
            {"UserName": "alice", "Name": {"GivenName": "Alice"}, "Emails": ["a@x", "b@x"]},
            {"UserName": "bob"}
        ]);
        let text = rendered(&value, Format::Table);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[1].contains("UserName") && lines[1].contains("Name.GivenName"));
        assert!(lines[3].contains("alice") && lines[3].contains("a@x, b@x"));
        assert!(lines[4].contains("bob"));
    }

    #[test]
    fn a_table_fits_the_width_it_is_given() {
        let long = "x".repeat(300);
        let value = json!([{"A": long, "B": "short"}]);
        let mut out = Vec::new();
        let style = super::Style {
            format: Format::Table,
            color: false,
            width: Some(60),
            expanded: super::super::Expanded::Off,
        };
        super::render(&value, &style, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.lines().all(|l| l.chars().count() <= 60), "{text}");
    }

    #[test]
    fn scalars_print_bare_and_empty_arrays_say_so() {
        assert_eq!(rendered(&json!("alice"), Format::Table), "alice\n");
        assert_eq!(rendered(&json!(42), Format::Table), "42\n");
        assert_eq!(rendered(&json!(null), Format::Table), "null\n");
        assert_eq!(rendered(&json!([]), Format::Table), "(no results)\n");
    }

    #[test]
    fn an_object_is_a_key_value_table() {
        let text = rendered(&json!({"Id": "1", "Name": {"Given": "A"}}), Format::Table);
        assert!(text.contains("Key") && text.contains("Name.Given"));
    }
}
