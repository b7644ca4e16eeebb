//! `csv`: a header row, then one row per item, quoted as RFC 4180 says.

use std::io::{self, Write};

use serde_json::Value as Json;

use super::flat::{cell, grid, is_object_rows};

pub(crate) fn render(value: &Json, out: &mut impl Write) -> io::Result<()> {
    match value {
        Json::Array(items) if is_object_rows(value) => {
            let grid = grid(items);
            record(&grid.header, out)?;
            for row in &grid.rows {
                record(row, out)?;
            }
        }
        Json::Array(items) if !items.is_empty() && items.iter().all(Json::is_array) => {
            let width = items
                .iter()
                .filter_map(Json::as_array)
                .map(Vec::len)
                .max()
                .unwrap_or(0);
            let header: Vec<String> = (1..=width).map(|i| format!("Column{i}")).collect();
            record(&header, out)?;
            for item in items {
                let row: Vec<String> = item.as_array().into_iter().flatten().map(cell).collect();
                record(&row, out)?;
            }
        }
        Json::Array(items) => {
            record(&["Value".to_owned()], out)?;
            for item in items {
                record(&[cell(item)], out)?;
            }
        }
        Json::Object(_) => {
            let mut flat = indexmap::IndexMap::new();
            super::flat::flatten("", value, &mut flat);
            record(&flat.keys().cloned().collect::<Vec<_>>(), out)?;
            record(&flat.into_values().collect::<Vec<_>>(), out)?;
        }
        scalar => {
            record(&["Value".to_owned()], out)?;
            record(&[cell(scalar)], out)?;
        }
    }
    Ok(())
}

/// One CSV record: the fields, quoted where they must be, and a line end.
pub(crate) fn record(fields: &[String], out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    let line: Vec<String> = fields.iter().map(|f| quote(f)).collect();
    writeln!(out, "{}", line.join(","))
}

/// Quotes a field when it holds a comma, quote or line break.
fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::super::Format;
    use super::super::tests::rendered;
    use serde_json::json;

    #[test]
    fn fields_are_quoted_as_rfc_4180_says() {
        let value = json!([{"Name": "O'Brien, \"Al\"", "Note": "two\nlines"}, {"Name": "plain"}]);
        assert_eq!(
            rendered(&value, Format::Csv),
            "Name,Note\n\"O'Brien, \"\"Al\"\"\",\"two\nlines\"\nplain,\n"
        );
    }

    #[test]
    fn every_shape_gets_a_header() {
        assert_eq!(rendered(&json!(["a", "b"]), Format::Csv), "Value\na\nb\n");
        assert_eq!(rendered(&json!(7), Format::Csv), "Value\n7\n");
        assert_eq!(rendered(&json!([]), Format::Csv), "Value\n");
        assert_eq!(
            rendered(&json!([["a", 1]]), Format::Csv),
            "Column1,Column2\na,1\n"
        );
        assert_eq!(
            rendered(&json!({"A": 1, "B": {"C": 2}}), Format::Csv),
            "A,B.C\n1,2\n"
        );
    }
}
