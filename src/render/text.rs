//! `text`: as `aws --output text`, for `$(idcsh -o text -c ...)` in scripts.

use std::io::{self, Write};

use serde_json::Value as Json;

use super::flat::{grid, is_object_rows};

pub(crate) fn render(value: &Json, out: &mut impl Write) -> io::Result<()> {
    match value {
        Json::Array(items) if items.is_empty() => Ok(()),
        Json::Array(items) if is_object_rows(value) => {
            for row in grid(items).rows {
                writeln!(
                    out,
                    "{}",
                    row.iter()
                        .map(|c| none_if_empty(c))
                        .collect::<Vec<_>>()
                        .join("\t")
                )?;
            }
            Ok(())
        }
        Json::Array(items) if items.iter().all(Json::is_array) => {
            for item in items {
                line(item.as_array().map_or(&[][..], Vec::as_slice), out)?;
            }
            Ok(())
        }
        Json::Array(items) => line(items, out),
        Json::Object(_) => {
            let mut flat = indexmap::IndexMap::new();
            super::flat::flatten("", value, &mut flat);
            let cells: Vec<String> = flat.values().map(|c| none_if_empty(c)).collect();
            writeln!(out, "{}", cells.join("\t"))
        }
        scalar => writeln!(out, "{}", word(scalar)),
    }
}

fn line(items: &[Json], out: &mut impl Write) -> io::Result<()> {
    writeln!(
        out,
        "{}",
        items.iter().map(word).collect::<Vec<_>>().join("\t")
    )
}

/// One value as the AWS CLI's text output writes it.
fn word(value: &Json) -> String {
    match value {
        Json::Null => "None".into(),
        Json::Bool(true) => "True".into(),
        Json::Bool(false) => "False".into(),
        Json::String(s) => super::flat::escape_controls(s),
        Json::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// A cell as the AWS CLI writes it (`None` for nothing), control
/// characters escaped.
fn none_if_empty(cell: &str) -> String {
    if cell.is_empty() {
        "None".to_owned()
    } else {
        super::flat::escape_controls(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Format;
    use super::super::tests::rendered;
    use serde_json::json;

    #[test]
    fn scalars_and_arrays_of_scalars_match_the_aws_cli() {
        assert_eq!(rendered(&json!("g-1"), Format::Text), "g-1\n");
        assert_eq!(rendered(&json!(null), Format::Text), "None\n");
        assert_eq!(rendered(&json!(true), Format::Text), "True\n");
        assert_eq!(rendered(&json!(["a", "b", 3]), Format::Text), "a\tb\t3\n");
        assert_eq!(rendered(&json!([]), Format::Text), "");
    }

    #[test]
    fn arrays_of_objects_and_of_arrays_are_one_line_per_item() {
        let value = json!([{"A": "1", "B": null}, {"A": "2", "B": "x"}]);
        assert_eq!(rendered(&value, Format::Text), "1\tNone\n2\tx\n");
        let value = json!([["alice", 1], ["bob", 2]]);
        assert_eq!(rendered(&value, Format::Text), "alice\t1\nbob\t2\n");
    }
}
