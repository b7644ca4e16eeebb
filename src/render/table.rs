//! `table`: comfy-table when the rows fit the terminal's width; otherwise,
//! as pgcli and psql do, an expanded layout, one field per line record by
//! record (`.expanded auto`, the default). A data cell is never wrapped
//! across lines, so an ID or ARN can always be copied whole; with
//! `.expanded off` a table too wide has its longest cells cut with `…`
//! instead. A view idcsh composes to be read (`.explain`'s steps) wraps
//! its prose inside the box.

use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets};
use serde_json::Value as Json;
use unicode_width::UnicodeWidthStr;

use super::flat::{escape_controls, grid, is_object_rows, is_scalar};
use super::{Expanded, Style};

/// A value as a cell, control characters escaped.
fn cell(value: &Json) -> String {
    escape_controls(&super::flat::cell(value))
}

/// Rows to lay out: a header (none for arrays of arrays and of scalars)
/// and the cells of each row.
struct Rows {
    header: Option<Vec<String>>,
    rows: Vec<Vec<String>>,
}

pub(crate) fn render(value: &Json, style: &Style, out: &mut impl Write) -> io::Result<()> {
    if !style.wide
        && let Json::Array(items) = value
        && let Some(brief) = super::brief::brief(items)
    {
        return render_rows(&Json::Array(brief), style, true, out);
    }
    render_rows(value, style, false, out)
}

/// Renders `value`; `brief` says its columns are a brief set.
fn render_rows(value: &Json, style: &Style, brief: bool, out: &mut impl Write) -> io::Result<()> {
    let rows = match value {
        Json::Array(items) if items.is_empty() => return writeln!(out, "(no results)"),
        Json::Array(items) if is_object_rows(value) => {
            let grid = grid(items);
            Rows {
                header: Some(grid.header.iter().map(|h| escape_controls(h)).collect()),
                rows: grid
                    .rows
                    .iter()
                    .map(|row| row.iter().map(|c| escape_controls(c)).collect())
                    .collect(),
            }
        }
        Json::Array(items) if items.iter().all(|i| matches!(i, Json::Array(_))) => Rows {
            header: None,
            rows: items
                .iter()
                .map(|item| item.as_array().into_iter().flatten().map(cell).collect())
                .collect(),
        },
        Json::Array(items) => Rows {
            header: None,
            rows: items.iter().map(|item| vec![cell(item)]).collect(),
        },
        Json::Object(map) if !map.is_empty() => {
            let mut flat = indexmap::IndexMap::new();
            super::flat::flatten("", value, &mut flat);
            Rows {
                header: Some(vec!["Key".to_owned(), "Value".to_owned()]),
                rows: flat
                    .into_iter()
                    .map(|(key, text)| vec![escape_controls(&key), escape_controls(&text)])
                    .collect(),
            }
        }
        Json::Null => return writeln!(out, "null"),
        scalar if is_scalar(scalar) => return writeln!(out, "{}", cell(scalar)),
        other => return writeln!(out, "{other}"),
    };
    let width = style.width.map(usize::from).or_else(terminal_width);
    let fits = width.is_none_or(|width| natural_width(&rows) <= width);
    let count = value.as_array().map(Vec::len);
    let footer = |hidden: &[String], out: &mut dyn Write| footer(count, hidden, brief, out);
    match (style.expanded, fits, width) {
        (Expanded::On, _, _) => {
            expanded(value, &rows, width, out)?;
            if brief { footer(&[], out) } else { Ok(()) }
        }
        // A single object's values are never cut: its fields, one a line.
        (Expanded::Auto, false, Some(width)) => {
            match fitted(&rows, width, style.wrap_prose).filter(|_| !value.is_object()) {
                Some((fitted, hidden)) => {
                    boxed(&fitted, out)?;
                    footer(&hidden, out)
                }
                None => {
                    expanded(value, &rows, Some(width), out)?;
                    if brief { footer(&[], out) } else { Ok(()) }
                }
            }
        }
        (Expanded::Off, false, _) => {
            boxed(&cut_to(&rows, width.unwrap_or(usize::MAX)), out)?;
            footer(&[], out)
        }
        _ => {
            boxed(&rows, out)?;
            footer(&[], out)
        }
    }
}

/// psql's `(3 rows)` under a list, the columns left out to fit, and
/// whether the columns are a brief set.
fn footer(
    count: Option<usize>,
    hidden: &[String],
    brief: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let Some(count) = count else {
        return Ok(());
    };
    let mut said = vec![if count == 1 {
        "1 row".to_owned()
    } else {
        format!("{count} rows")
    }];
    if !hidden.is_empty() {
        said.push(format!("left out to fit: {}", hidden.join(", ")));
    }
    if brief {
        said.push("-o wide shows every field".to_owned());
    } else if !hidden.is_empty() {
        said.push(".expanded on shows every field".to_owned());
    }
    writeln!(out, "({})", said.join("; "))
}

/// Whether a column holds identifiers: its header names an ID or ARN, or
/// its cells are ARNs; no cell has a space.
fn is_identifier(header: &str, cells: &[&str]) -> bool {
    let named = ["Id", "ID", "Arn", "ARN", "Ids", "Arns"]
        .iter()
        .any(|end| header.ends_with(end));
    let arns = cells
        .iter()
        .filter(|c| !c.is_empty())
        .all(|c| c.starts_with("arn:"))
        && cells.iter().any(|c| !c.is_empty());
    (named || arns) && cells.iter().all(|c| !c.contains(' '))
}

/// A grid that fits `width`, and the columns left out for it: ID and ARN
/// cells cut in the middle first (their distinguishing tail kept,
/// `arn:…/ps-210be9f5d3495a2e`), then long cells of other columns cut at
/// their end (down to 20 columns), then the least useful columns dropped
/// (identifiers, then nested fields, then from the right) while two stay;
/// the room a dropped column leaves goes back to the cells cut. With
/// `wrap_prose`, prose is wrapped at that width instead of cut.
/// `None` when even that does not fit, or would hide most of the fields.
fn fitted(rows: &Rows, width: usize, wrap_prose: bool) -> Option<(Rows, Vec<String>)> {
    const NARROWEST_ID: usize = 16;
    const LONG_PROSE: usize = 20;
    let header = rows.header.clone()?;
    let columns = header.len();
    let cells = |i: usize| -> Vec<&str> {
        rows.rows
            .iter()
            .map(|r| r.get(i).map_or("", String::as_str))
            .collect()
    };
    let identifiers: Vec<bool> = (0..columns)
        .map(|i| is_identifier(&header[i], &cells(i)))
        .collect();
    let mut widths = column_widths(rows);
    let mut kept: Vec<usize> = (0..columns).collect();
    let total = |kept: &[usize], widths: &[usize]| -> usize {
        kept.iter().map(|&i| widths[i]).sum::<usize>() + 3 * kept.len() + 1
    };
    // Identifier columns narrowed, the widest first, down to a tail that
    // still tells them apart.
    while total(&kept, &widths) > width {
        let narrowest = |i: usize| NARROWEST_ID.max(display_width(&header[i]));
        let Some(&widest) = kept
            .iter()
            .filter(|&&i| identifiers[i] && widths[i] > narrowest(i))
            .max_by_key(|&&i| widths[i])
        else {
            break;
        };
        widths[widest] -= 1;
    }
    // Then long prose (descriptions, examples, findings) cut at its end,
    // the widest first, down to a readable start; names are never this long.
    let natural = widths.clone();
    while total(&kept, &widths) > width {
        let Some(&widest) = kept
            .iter()
            .filter(|&&i| !identifiers[i] && widths[i] > LONG_PROSE.max(display_width(&header[i])))
            .max_by_key(|&&i| widths[i])
        else {
            break;
        };
        widths[widest] -= 1;
    }
    // Then columns dropped, the least useful first.
    let mut hidden = Vec::new();
    let mut order: Vec<usize> = (0..columns).rev().collect();
    order.sort_by_key(|&i| {
        if identifiers[i] {
            0
        } else if header[i].contains('.') {
            1
        } else {
            2
        }
    });
    for i in order {
        if total(&kept, &widths) <= width || kept.len() <= 2 {
            break;
        }
        kept.retain(|&k| k != i);
        hidden.push(header[i].clone());
    }
    // Hiding most of the fields says less than a record of each row.
    if total(&kept, &widths) > width || hidden.len() * 2 > columns {
        return None;
    }
    // Room a dropped column left goes back to the cells cut, left first.
    for &i in &kept {
        let room = width.saturating_sub(total(&kept, &widths));
        widths[i] += room.min(natural[i] - widths[i]);
    }
    let pick = |row: &Vec<String>, cut_cells: bool| -> Vec<String> {
        kept.iter()
            .map(|&i| {
                let text = row.get(i).map_or("", String::as_str);
                if cut_cells && identifiers[i] {
                    cut_middle(text, widths[i])
                } else if cut_cells && wrap_prose && widths[i] < natural[i] {
                    let pieces = wrap(text, widths[i]);
                    pieces
                        .iter()
                        .map(|p| p.trim_end())
                        .collect::<Vec<_>>()
                        .join("\n")
                } else if cut_cells && widths[i] < natural[i] {
                    cut(text, widths[i])
                } else {
                    text.to_owned()
                }
            })
            .collect()
    };
    Some((
        Rows {
            header: Some(pick(&header, false)),
            rows: rows.rows.iter().map(|r| pick(r, true)).collect(),
        },
        hidden,
    ))
}

/// `text` cut to `width` columns in the middle: a short head, `…`, and the
/// tail, where IDs and ARNs differ (`arn:…/ps-210be9f5d3495a2e`).
pub(crate) fn cut_middle(text: &str, width: usize) -> String {
    if display_width(text) <= width {
        return text.to_owned();
    }
    let chars: Vec<char> = text.chars().collect();
    let head = 4.min(width.saturating_sub(2));
    let tail = width.saturating_sub(head + 1);
    let start: String = chars.iter().take(head).collect();
    let end: String = chars[chars.len().saturating_sub(tail)..].iter().collect();
    format!("{start}…{end}")
}

/// The terminal's width, when stdout is one.
fn terminal_width() -> Option<usize> {
    terminal_size::terminal_size().map(|(width, _)| usize::from(width.0))
}

fn display_width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// Each column's widest cell (header included).
fn column_widths(rows: &Rows) -> Vec<usize> {
    let columns = rows
        .rows
        .iter()
        .map(Vec::len)
        .chain(rows.header.iter().map(Vec::len))
        .max()
        .unwrap_or(0);
    let mut widths = vec![0; columns];
    for row in rows.header.iter().chain(&rows.rows) {
        for (i, text) in row.iter().enumerate() {
            widths[i] = widths[i].max(display_width(text));
        }
    }
    widths
}

/// The width of the boxed table with nothing cut: each column with a
/// space either side and a border between.
fn natural_width(rows: &Rows) -> usize {
    let widths = column_widths(rows);
    widths.iter().sum::<usize>() + 3 * widths.len() + 1
}

/// The rows in a box: one line per row, unless a cell was wrapped.
fn boxed(rows: &Rows, out: &mut impl Write) -> io::Result<()> {
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled);
    if let Some(header) = &rows.header {
        table.set_header(header.clone());
    }
    for row in &rows.rows {
        table.add_row(row.clone());
    }
    writeln!(out, "{table}")
}

/// The rows with the widest columns narrowed until the box fits `width`,
/// their cells cut with `…`. Columns keep at least a few characters.
fn cut_to(rows: &Rows, width: usize) -> Rows {
    const NARROWEST: usize = 6;
    let mut widths = column_widths(rows);
    let borders = 3 * widths.len() + 1;
    let budget = width.saturating_sub(borders);
    while widths.iter().sum::<usize>() > budget {
        let Some((widest, &w)) = widths.iter().enumerate().max_by_key(|(_, w)| **w) else {
            break;
        };
        if w <= NARROWEST {
            break;
        }
        widths[widest] = w - 1;
    }
    let cut_row = |row: &Vec<String>| -> Vec<String> {
        row.iter()
            .enumerate()
            .map(|(i, text)| cut(text, widths[i]))
            .collect()
    };
    // Headers are cut in the middle, so two that share a start
    // (`PermissionSetName`, `PermissionSetArn`) stay distinct.
    let cut_header = |row: &Vec<String>| -> Vec<String> {
        row.iter()
            .enumerate()
            .map(|(i, text)| cut_middle(text, widths[i]))
            .collect()
    };
    Rows {
        header: rows.header.as_ref().map(cut_header),
        rows: rows.rows.iter().map(cut_row).collect(),
    }
}

/// `text` cut to `width` columns, ending in `…` when cut.
pub(crate) fn cut(text: &str, width: usize) -> String {
    if display_width(text) <= width {
        return text.to_owned();
    }
    let mut kept = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        kept.push(c);
        used += w;
    }
    kept.push('…');
    kept
}

/// One field per line, record by record, as psql's `\x`:
///
/// ```text
/// -[ RECORD 1 ]----------------
/// UserName       | alice
/// Name.GivenName | Alice
/// ```
///
/// Values are whole: a long one runs past the edge rather than being cut
/// or broken, so it can be copied.
fn expanded(
    value: &Json,
    rows: &Rows,
    width: Option<usize>,
    out: &mut impl Write,
) -> io::Result<()> {
    let header: Vec<String> = match &rows.header {
        // A single object's Key/Value rows are its fields already.
        Some(_) if value.is_object() => {
            let key_width = rows.rows.iter().map(|r| display_width(&r[0])).max();
            for row in &rows.rows {
                field(&row[0], &row[1], key_width.unwrap_or(0), width, out)?;
            }
            return Ok(());
        }
        Some(header) => header.clone(),
        None if rows.rows.iter().all(|r| r.len() == 1) => {
            // A list of single values: one per line, whole.
            for row in &rows.rows {
                writeln!(out, "{}", row[0])?;
            }
            return Ok(());
        }
        None => (1..=column_widths(rows).len())
            .map(|i| format!("Column{i}"))
            .collect(),
    };
    let key_width = header.iter().map(|h| display_width(h)).max().unwrap_or(0);
    let rule = width.unwrap_or(40).max(20);
    for (n, row) in rows.rows.iter().enumerate() {
        let title = format!("-[ RECORD {} ]", n + 1);
        let fill = rule.saturating_sub(display_width(&title));
        writeln!(out, "{title}{}", "-".repeat(fill))?;
        for (key, text) in header.iter().zip(row) {
            if !text.is_empty() {
                field(key, text, key_width, width, out)?;
            }
        }
    }
    Ok(())
}

/// One `key | value` line; a value wider than `width` leaves is wrapped
/// under the value column, as psql's wrapped expanded output.
fn field(
    key: &str,
    text: &str,
    key_width: usize,
    width: Option<usize>,
    out: &mut impl Write,
) -> io::Result<()> {
    let pad = key_width.saturating_sub(display_width(key));
    // An identifier (one token: an ID, an ARN) stays whole, so that it
    // can be copied; the terminal folds it if it must.
    let prose = text.contains([' ', ',']);
    let room = match width {
        Some(w) if prose => w.saturating_sub(key_width + 3).max(20),
        _ => usize::MAX,
    };
    let mut pieces = wrap(text, room).into_iter();
    writeln!(
        out,
        "{key}{} | {}",
        " ".repeat(pad),
        pieces.next().unwrap_or_default()
    )?;
    for piece in pieces {
        writeln!(out, "{} | {piece}", " ".repeat(key_width))?;
    }
    Ok(())
}

/// `text` in pieces of at most `room` columns, broken after a space,
/// else a `,`, else a `/`, in the last third of a piece; else anywhere.
fn wrap(text: &str, room: usize) -> Vec<&str> {
    use unicode_width::UnicodeWidthChar;
    let mut pieces = Vec::new();
    let mut rest = text;
    while display_width(rest) > room {
        let (mut cut, mut used) = (0, 0);
        let mut soft: [Option<usize>; 3] = [None; 3];
        for (at, c) in rest.char_indices() {
            let w = c.width().unwrap_or(0);
            if used + w > room {
                break;
            }
            used += w;
            cut = at + c.len_utf8();
            if let Some(rank) = [' ', ',', '/'].iter().position(|s| *s == c)
                && used * 3 >= room * 2
            {
                soft[rank] = Some(cut);
            }
        }
        let soft = soft.into_iter().flatten().next();
        let cut = soft
            .unwrap_or(cut)
            .max(rest.chars().next().map_or(1, char::len_utf8));
        pieces.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    pieces.push(rest);
    pieces
}

#[cfg(test)]
mod tests {
    use super::super::tests::rendered;
    use super::super::{Expanded, Format, Style};

    #[test]
    fn long_values_wrap_under_the_value_column_and_identifiers_stay_whole() {
        let text =
            r#"[{"Key":"owner","Value":"platform-team"},{"Key":"break-glass","Value":"true"}]"#;
        let pieces = super::wrap(text, 45);
        assert_eq!(pieces.concat(), text);
        assert!(
            pieces.iter().all(|p| super::display_width(p) <= 45),
            "{pieces:?}"
        );
        assert!(pieces[0].ends_with(','), "broken after a comma: {pieces:?}");
        let mut out = Vec::new();
        super::field("Tags", text, 6, Some(50), &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.lines().count() > 1, "{out}");
        assert!(
            out.lines().skip(1).all(|l| l.starts_with("       | ")),
            "{out}"
        );
        let arn = "arn:aws:sso:::permissionSet/ssoins-72230f5d8a9b1c3e/ps-210be9f5d3495a2e";
        let mut out = Vec::new();
        super::field("PermissionSetArn", arn, 16, Some(50), &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("PermissionSetArn | {arn}\n")
        );
    }

    #[test]
    fn known_items_show_brief_columns_and_wide_shows_every_field() {
        let users = json!([{
            "IdentityStoreId": "d-1", "UserId": "u-1", "UserName": "alice",
            "DisplayName": "Alice", "Emails": [{"Value": "a@x"}], "UserStatus": "ENABLED",
            "Title": "Engineer"
        }]);
        let brief = rendered(&users, Format::Table);
        assert!(
            brief.contains("Email") && !brief.contains("Title"),
            "{brief}"
        );
        assert!(
            brief.ends_with("(1 row; -o wide shows every field)\n"),
            "{brief}"
        );
        let wide = rendered(&users, Format::Wide);
        assert!(
            wide.contains("Title") && wide.contains("IdentityStoreId"),
            "{wide}"
        );
        assert!(wide.ends_with("(1 row)\n"), "{wide}");
    }
    use serde_json::json;

    fn at(value: &serde_json::Value, width: u16, expanded: Expanded) -> String {
        at_wrapping(value, width, expanded, false)
    }

    fn at_wrapping(
        value: &serde_json::Value,
        width: u16,
        expanded: Expanded,
        wrap_prose: bool,
    ) -> String {
        let mut out = Vec::new();
        let style = Style {
            format: Format::Table,
            color: false,
            width: Some(width),
            expanded,
            wide: false,
            wrap_prose,
        };
        super::render(value, &style, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

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
    fn a_view_to_be_read_wraps_its_prose_and_still_cuts_identifiers() {
        let arn = "arn:aws:sso:::permissionSet/ssoins-7223a8c1a0b2c3d4/ps-0123456789abcdef0123";
        let why = "Title holds \"Senior Software Engineer\", \"Data Scientist\", \"Network Engineer\", \"Financial Analyst\"";
        let value = json!([{"Step": 1, "Arn": arn, "Why": why}]);
        let cut = at(&value, 80, Expanded::Auto);
        assert!(cut.contains("Title holds") && cut.contains('…'), "{cut}");
        let text = at_wrapping(&value, 80, Expanded::Auto, true);
        assert!(text.starts_with('┌'), "{text}");
        assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
        assert!(text.contains("arn:…9abcdef0123"), "{text}");
        let why_column: Vec<&str> = text
            .lines()
            .filter_map(|l| l.split(['│', '┆']).nth(3))
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .skip(1)
            .collect();
        assert!(why_column.len() > 1, "{text}");
        assert_eq!(why_column.join(" "), why, "{text}");
    }

    #[test]
    fn rows_too_wide_cut_ids_in_the_middle_then_drop_them_then_expand() {
        let arn = "arn:aws:sso:::permissionSet/ssoins-7223a8c1a0b2c3d4/ps-0123456789abcdef0123";
        let value = json!([
            {"UserName": "alice", "UserId": "9067a1b2c3-88545875-97aa-2195-7f31-ba0a71a708ba", "Arn": arn},
            {"UserName": "bob", "UserId": "9067a1b2c3-2c6ed50e-0891-24c0-9ffb-58a6480be825", "Arn": arn},
        ]);
        // At 80 columns: a grid, the IDs and ARNs cut in the middle, their
        // distinguishing tails kept.
        let text = at(&value, 80, Expanded::Auto);
        assert!(text.starts_with('┌'), "{text}");
        assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
        assert!(
            text.contains("…") && text.contains("ba0a71a708ba"),
            "{text}"
        );
        assert!(text.contains("456789abcdef0123"), "{text}");
        assert!(text.ends_with("(2 rows)\n"), "{text}");
        // Narrower: the identifiers go, the rightmost first, and the footer
        // names them.
        let text = at(&value, 40, Expanded::Auto);
        assert!(text.starts_with('┌'), "{text}");
        assert!(!text.lines().nth(1).unwrap().contains("Arn"), "{text}");
        assert!(text.contains("left out to fit: Arn"), "{text}");
        // Narrower still: one field per line, every value whole.
        let text = at(&value, 20, Expanded::Auto);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], format!("-[ RECORD 1 ]{}", "-".repeat(20 - 13)));
        assert_eq!(lines[1], "UserName | alice");
        assert_eq!(
            lines[2],
            "UserId   | 9067a1b2c3-88545875-97aa-2195-7f31-ba0a71a708ba"
        );
        assert_eq!(lines[3], format!("Arn      | {arn}"));
        // What fits stays whole; `on` expands anyway; `off` never does.
        assert!(at(&value, 200, Expanded::Auto).contains(arn));
        assert!(at(&value, 200, Expanded::On).starts_with("-[ RECORD 1 ]"));
        assert!(at(&value, 80, Expanded::Off).starts_with('┌'));
    }

    #[test]
    fn names_are_never_cut_to_fit_and_headers_stay_distinct() {
        let value = json!([{"PermissionSetName": "AdministratorAccess", "PermissionSetArn": "arn:aws:sso:::permissionSet/ssoins-1/ps-210be9f5d3495a2e"}]);
        let text = at(&value, 48, Expanded::Off);
        let header = text.lines().nth(1).unwrap();
        let cells: Vec<&str> = header
            .split(['│', '┆'])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        assert_eq!(cells.len(), 2, "{text}");
        assert_ne!(cells[0], cells[1], "{text}");
        let text = at(&value, 48, Expanded::Auto);
        assert!(text.contains("AdministratorAccess"), "{text}");
    }

    #[test]
    fn with_expanded_off_a_table_fits_by_cutting_its_longest_cells() {
        let long = "x".repeat(300);
        let value = json!([{"A": long, "B": "short"}, {"A": "a", "B": "b"}]);
        let text = at(&value, 60, Expanded::Off);
        assert!(text.lines().all(|l| l.chars().count() <= 60), "{text}");
        assert!(text.contains("x…"), "{text}");
        assert!(text.contains("short"), "{text}");
        assert_eq!(
            text.lines().count(),
            7,
            "one line a row, and the count: {text}"
        );
    }

    #[test]
    fn a_long_value_list_and_a_wide_object_stay_whole() {
        let long = "arn:aws:iam::123456789012:role/".to_owned() + &"r".repeat(80);
        let text = at(&json!([long, "b"]), 60, Expanded::Auto);
        assert_eq!(text, format!("{long}\nb\n"));
        let text = at(&json!({"Id": "1", "Arn": long}), 60, Expanded::Auto);
        assert_eq!(text, format!("Id  | 1\nArn | {long}\n"));
    }

    #[test]
    fn cut_keeps_whole_characters_and_marks_the_cut() {
        assert_eq!(super::cut("abcdef", 4), "abc…");
        assert_eq!(super::cut("名前名前", 5), "名前…");
        assert_eq!(super::cut("abc", 3), "abc");
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
