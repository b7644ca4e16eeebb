//! Rendering a result: table, json, yaml, text or csv, into any writer.
//!
//! Every format takes the finished JSON value; nothing here knows where the
//! value came from. `table`, `text` and `csv` share one flattening of items
//! into columns, so the three agree on what a column is.

mod brief;
mod csv;

pub(crate) use csv::record;

/// What starts a CSV file written for a spreadsheet: the UTF-8 byte order
/// mark, without which Excel reads the file in the machine's code page.
pub(crate) const UTF8_BOM: &[u8] = "\u{feff}".as_bytes();
mod flat;
mod table;
pub(crate) use table::cut;
mod text;
mod yaml;

use std::io::{self, Write};

use serde_json::Value as Json;

use crate::doc::Doc;

/// An output format, shared by `-o` and `.output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Yaml,
    Table,
    /// A table of every field: the brief columns of known items left aside.
    Wide,
    Text,
    Csv,
}

impl Format {
    /// The format a file's extension names (`.csv`, `.json`, `.yaml`,
    /// `.yml`, `.txt`, `.tsv`), if any.
    pub fn of_file(path: &std::path::Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "yaml" | "yml" => Some(Format::Yaml),
            "txt" | "tsv" => Some(Format::Text),
            _ => None,
        }
    }

    /// The format's name as the user types it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Yaml => "yaml",
            Format::Table => "table",
            Format::Wide => "wide",
            Format::Text => "text",
            Format::Csv => "csv",
        }
    }
}

/// When a table is drawn expanded: one field per line, record by record
/// (as psql's `\x` and pgcli's auto-expand).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Expanded {
    /// When a row does not fit the width.
    #[default]
    Auto,
    /// Always.
    On,
    /// Never: columns are narrowed and long cells cut with `…`.
    Off,
}

impl Expanded {
    /// The setting's name as the user types it.
    pub fn name(self) -> &'static str {
        match self {
            Expanded::Auto => "auto",
            Expanded::On => "on",
            Expanded::Off => "off",
        }
    }
}

/// How to render: the format, colour, the width a table must fit, and
/// when a table is expanded.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub format: Format,
    pub color: bool,
    /// Columns available; `None` means the terminal's width, or no limit
    /// when there is no terminal.
    pub width: Option<u16>,
    pub expanded: Expanded,
    /// Every field of known items, not their brief columns.
    pub wide: bool,
    /// A table too wide wraps its prose cells at spaces inside the box
    /// instead of cutting them: for the views idcsh composes to be read
    /// whole (`.explain`'s steps, `.diff`'s summary), not for data.
    pub wrap_prose: bool,
}

/// Writes `value` to `out` in `style.format`, ending with a newline. JSON
/// is written from the document as it is; the other formats lay out its
/// JSON.
pub fn render(value: &Doc, style: &Style, out: &mut impl Write) -> io::Result<()> {
    match style.format {
        Format::Json => json(value, style.color, out),
        // A long list is converted on several cores.
        _ => laid_out(&crate::query::Val::Ref(value).to_json(), style, out),
    }
}

/// `value` in one of the formats that lay its JSON out.
fn laid_out(value: &Json, style: &Style, out: &mut impl Write) -> io::Result<()> {
    match style.format {
        Format::Yaml => yaml::render(value, out),
        Format::Table => table::render(value, style, out),
        Format::Wide => table::render(
            value,
            &Style {
                wide: true,
                ..*style
            },
            out,
        ),
        Format::Text => text::render(value, out),
        Format::Csv => csv::render(value, out),
        Format::Json => json(&Doc::from(value.clone()), style.color, out),
    }
}

fn json(value: &Doc, color: bool, out: &mut impl Write) -> io::Result<()> {
    if color {
        let colored = colored_json::to_colored_json(value, colored_json::ColorMode::On)
            .map_err(io::Error::other)?;
        writeln!(out, "{colored}")
    } else {
        serde_json::to_writer_pretty(&mut *out, value).map_err(|err| {
            match err.io_error_kind() {
                // Keep the kind, so a closed pipe is recognised as one.
                Some(kind) => io::Error::from(kind),
                None => io::Error::other(err),
            }
        })?;
        writeln!(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    pub(super) fn rendered(value: &Json, format: Format) -> String {
        let mut out = Vec::new();
        let style = Style {
            format,
            color: false,
            width: Some(200),
            expanded: Expanded::Auto,
            wide: false,
            wrap_prose: false,
        };
        render(&Doc::from(value.clone()), &style, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn json_is_pretty_with_two_spaces_and_keeps_key_order() {
        let value: Json = serde_json::from_str(r#"{"b": 1, "a": [true]}"#).unwrap();
        assert_eq!(
            rendered(&value, Format::Json),
            "{\n  \"b\": 1,\n  \"a\": [\n    true\n  ]\n}\n"
        );
    }

    #[test]
    fn yaml_is_block_style_like_the_aws_cli() {
        let value = json!({"Users": [{"UserName": "alice", "Id": "1"}], "n": null});
        assert_eq!(
            rendered(&value, Format::Yaml),
            "Users:\n- UserName: alice\n  Id: '1'\nn: null\n"
        );
    }
}
