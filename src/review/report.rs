//! The evidence pack of an access review (`.report FOLDER`): who can reach
//! what as of now, the privileged part of it, the findings, and the
//! changes since a baseline snapshot; as CSV files (one per table) and one
//! self-contained HTML page (no script, nothing fetched) to read and print,
//! signed with who ran it, against what, and how old each collection was.
//! `manifest.json` lists every file with its SHA-256, so a copy handed on
//! can be checked.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};

use crate::doc::Doc;
use crate::insights::items;

/// What a report holds.
pub(crate) struct Report<'d> {
    /// Who ran it, when, against which store and instance, and the age of
    /// each collection it read.
    pub signature: Json,
    pub access: &'d Doc,
    pub permission_sets: &'d Doc,
    /// `.check`'s findings.
    pub findings: &'d Json,
    /// `.diff`'s answer against the baseline, when one was given.
    pub changes: Option<&'d Json>,
}

/// A route list (`["Administrators", "direct"]`) in words.
fn routes(via: Option<&Doc>) -> String {
    match via {
        Some(Doc::Array(routes)) => routes
            .iter()
            .filter_map(Doc::as_str)
            .collect::<Vec<_>>()
            .join("; "),
        Some(one) => one.as_str().unwrap_or_default().to_owned(),
        None => String::new(),
    }
}

fn json_routes(via: &Json) -> String {
    match via {
        Json::Array(routes) => routes
            .iter()
            .filter_map(Json::as_str)
            .collect::<Vec<_>>()
            .join("; "),
        other => other.as_str().unwrap_or_default().to_owned(),
    }
}

/// The effective-access table, one row per user, account and set.
fn access_table(access: &Doc) -> Vec<Json> {
    items(access)
        .iter()
        .map(|row| {
            json!({
                "UserName": row.text("UserName"),
                "DisplayName": row.text("DisplayName"),
                "UserStatus": row.text("UserStatus"),
                "UserSource": row.text("UserSource"),
                "AccountId": row.text("AccountId"),
                "AccountName": row.text("AccountName"),
                "PermissionSetName": row.text("PermissionSetName"),
                "Via": routes(row.get("Via")),
            })
        })
        .collect()
}

/// The access rows to administrator-equivalent sets, with the reason.
fn privileged_table(access: &Doc, sets: &Doc) -> Vec<Json> {
    let admin: BTreeMap<&str, String> = items(sets)
        .iter()
        .filter_map(|s| Some((s.text("PermissionSetArn"), super::admin_equivalent(s)?)))
        .collect();
    items(access)
        .iter()
        .filter_map(|row| {
            let reason = admin.get(row.text("PermissionSetArn"))?;
            Some(json!({
                "UserName": row.text("UserName"),
                "DisplayName": row.text("DisplayName"),
                "UserStatus": row.text("UserStatus"),
                "AccountId": row.text("AccountId"),
                "AccountName": row.text("AccountName"),
                "PermissionSetName": row.text("PermissionSetName"),
                "Via": routes(row.get("Via")),
                "Reason": reason,
            }))
        })
        .collect()
}

/// One finding's involved rows in words: each user with the number of
/// grants involved, or each account and set; at most `SHOWN`, then how
/// many more (every row is in `.check`'s data and the other tables).
fn involved(rows: &Json) -> String {
    const SHOWN: usize = 25;
    let rows = rows.as_array().map(Vec::as_slice).unwrap_or_default();
    let mut named: Vec<(String, usize)> = Vec::new();
    for r in rows {
        let text = |k: &str| r[k].as_str().unwrap_or_default();
        let name = match (
            text("UserName"),
            text("AccountName"),
            text("PermissionSetName"),
        ) {
            (user, _, _) if !user.is_empty() => user.to_owned(),
            ("", account, set) if !set.is_empty() => format!("{account} / {set}"),
            ("", account, _) if !account.is_empty() => account.to_owned(),
            _ => r.to_string(),
        };
        match named.iter_mut().find(|(n, _)| *n == name) {
            Some((_, count)) => *count += 1,
            None => named.push((name, 1)),
        }
    }
    let mut words: Vec<String> = named
        .iter()
        .take(SHOWN)
        .map(|(name, count)| match count {
            1 => name.clone(),
            n => format!("{name} ({n})"),
        })
        .collect();
    if named.len() > SHOWN {
        words.push(format!("and {} more", named.len() - SHOWN));
    }
    words.join("; ")
}

fn findings_table(findings: &Json) -> Vec<Json> {
    findings
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|f| {
            json!({
                "Severity": f["Severity"],
                "Check": f["Check"],
                "Subject": f["Subject"],
                "Finding": f["Finding"],
                "Advice": f["Advice"],
                "Involved": involved(&f["Rows"]),
            })
        })
        .collect()
}

/// Access gained or lost, as a table.
fn change_rows(changes: &Json, kind: &str) -> Vec<Json> {
    changes[kind]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|c| {
            json!({
                "UserName": c["UserName"],
                "AccountId": c["AccountId"],
                "AccountName": c["AccountName"],
                "PermissionSetName": c["PermissionSetName"],
                "Via": json_routes(&c["Via"]),
            })
        })
        .collect()
}

fn membership_rows(changes: &Json) -> Vec<Json> {
    let mut rows = Vec::new();
    for (kind, word) in [
        ("MembershipsAdded", "added"),
        ("MembershipsRemoved", "removed"),
    ] {
        for m in changes[kind]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            rows.push(
                json!({"Change": word, "GroupName": m["GroupName"], "UserName": m["UserName"]}),
            );
        }
    }
    rows
}

/// The tables as CSV files: (file name, rows).
fn tables(report: &Report<'_>) -> Vec<(&'static str, Vec<Json>)> {
    let mut tables = vec![
        ("effective-access.csv", access_table(report.access)),
        (
            "privileged-access.csv",
            privileged_table(report.access, report.permission_sets),
        ),
        ("findings.csv", findings_table(report.findings)),
    ];
    if let Some(changes) = report.changes {
        tables.push((
            "changes-summary.csv",
            super::summary(changes)
                .as_array()
                .cloned()
                .unwrap_or_default(),
        ));
        tables.push(("access-gained.csv", change_rows(changes, "Gained")));
        tables.push(("access-lost.csv", change_rows(changes, "Lost")));
        tables.push(("membership-changes.csv", membership_rows(changes)));
    }
    tables
}

/// Writes the rows as CSV for a spreadsheet: the UTF-8 byte order mark,
/// then a header even when there are no rows.
fn write_csv(rows: &[Json], header: &[&str], out: &mut dyn Write) -> io::Result<()> {
    out.write_all(crate::render::UTF8_BOM)?;
    let owned: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    crate::render::record(&owned, out)?;
    for row in rows {
        let fields: Vec<String> = header.iter().map(|h| cell_text(&row[*h])).collect();
        crate::render::record(&fields, out)?;
    }
    Ok(())
}

/// The column names of a table's rows (those of the first row).
fn header_of(rows: &[Json], fallback: &[&'static str]) -> Vec<String> {
    match rows.first().and_then(Json::as_object) {
        Some(first) => first.keys().cloned().collect(),
        None => fallback.iter().map(|s| (*s).to_owned()).collect(),
    }
}

/// Columns of each table when it has no rows.
fn empty_header(name: &str) -> &'static [&'static str] {
    match name {
        "effective-access.csv" => &[
            "UserName",
            "DisplayName",
            "UserStatus",
            "UserSource",
            "AccountId",
            "AccountName",
            "PermissionSetName",
            "Via",
        ],
        "privileged-access.csv" => &[
            "UserName",
            "DisplayName",
            "UserStatus",
            "AccountId",
            "AccountName",
            "PermissionSetName",
            "Via",
            "Reason",
        ],
        "findings.csv" => &[
            "Severity", "Check", "Subject", "Finding", "Advice", "Involved",
        ],
        "changes-summary.csv" => &["Change", "Count", "First"],
        "membership-changes.csv" => &["Change", "GroupName", "UserName"],
        _ => &[
            "UserName",
            "AccountId",
            "AccountName",
            "PermissionSetName",
            "Via",
        ],
    }
}

/// Writes the report's files into `folder` (which exists): the CSV files,
/// `report.html` and `manifest.json`. Returns the files written.
pub(crate) fn write_report(folder: &Path, report: &Report<'_>) -> io::Result<Vec<PathBuf>> {
    let mut written: Vec<(String, PathBuf)> = Vec::new();
    let tables = tables(report);
    for (name, rows) in &tables {
        let header = header_of(rows, empty_header(name));
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        let path = folder.join(name);
        crate::files::write_private(&path, |out| write_csv(rows, &header, out))?;
        written.push(((*name).to_owned(), path));
    }
    let html = folder.join("report.html");
    let page = page(report, &tables);
    crate::files::write_private(&html, |out| out.write_all(page.as_bytes()))?;
    written.push(("report.html".to_owned(), html));
    let mut files = serde_json::Map::new();
    for (name, path) in &written {
        let bytes = std::fs::read(path)?;
        let digest = Sha256::digest(&bytes);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        files.insert(name.clone(), json!({"Bytes": bytes.len(), "Sha256": hex}));
    }
    let manifest = json!({"Signature": report.signature, "Files": files});
    let manifest_path = folder.join("manifest.json");
    crate::files::write_private(&manifest_path, |out| {
        serde_json::to_writer_pretty(&mut *out, &manifest).map_err(io::Error::other)?;
        out.write_all(b"\n")
    })?;
    let mut paths: Vec<PathBuf> = written.into_iter().map(|(_, p)| p).collect();
    paths.push(manifest_path);
    Ok(paths)
}

/// Writes the HTML page alone to `path` (one self-contained file).
pub(crate) fn write_page(path: &Path, report: &Report<'_>) -> io::Result<()> {
    let page = page(report, &tables(report));
    crate::files::write_private(path, |out| out.write_all(page.as_bytes()))
}

/// Text made safe inside HTML.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn cell_text(value: &Json) -> String {
    match value {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A table of `rows` under `columns`.
fn html_table(rows: &[Json], columns: &[&str]) -> String {
    if rows.is_empty() {
        return "<p class=\"none\">None.</p>\n".to_owned();
    }
    let mut html = String::from("<table>\n<thead><tr>");
    for c in columns {
        html.push_str(&format!("<th>{}</th>", esc(c)));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        html.push_str("<tr>");
        for c in columns {
            html.push_str(&format!("<td>{}</td>", esc(&cell_text(&row[*c]))));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table>\n");
    html
}

/// Effective access with a row per user: each grant and its routes.
fn access_by_user(access: &Doc) -> String {
    let mut users: BTreeMap<&str, (&Doc, Vec<&Doc>)> = BTreeMap::new();
    for row in items(access) {
        users
            .entry(row.text("UserName"))
            .or_insert_with(|| (row, Vec::new()))
            .1
            .push(row);
    }
    if users.is_empty() {
        return "<p class=\"none\">No one has access.</p>\n".to_owned();
    }
    let mut html = String::from(
        "<table>\n<thead><tr><th>User</th><th>Status</th><th>Managed in</th><th>Access (account / permission set — through)</th></tr></thead>\n<tbody>\n",
    );
    for (name, (first, grants)) in users {
        let shown = match first.text("DisplayName") {
            "" => esc(name),
            display => format!(
                "{}<br><span class=\"sub\">{}</span>",
                esc(name),
                esc(display)
            ),
        };
        let list: Vec<String> = grants
            .iter()
            .map(|g| {
                format!(
                    "<li>{} / {} — {}</li>",
                    esc(g.text("AccountName")),
                    esc(g.text("PermissionSetName")),
                    esc(&routes(g.get("Via")))
                )
            })
            .collect();
        html.push_str(&format!(
            "<tr><td>{shown}</td><td>{}</td><td>{}</td><td><ul>{}</ul></td></tr>\n",
            esc(first.text("UserStatus")),
            esc(first.text("UserSource")),
            list.join("")
        ));
    }
    html.push_str("</tbody>\n</table>\n");
    html
}

/// The signature as a definition list.
fn signature_html(signature: &Json) -> String {
    let mut html = String::from("<dl>\n");
    let mut item = |term: &str, value: String| {
        html.push_str(&format!("<dt>{}</dt><dd>{}</dd>\n", esc(term), esc(&value)));
    };
    item("Generated", cell_text(&signature["Generated"]));
    let caller = &signature["Caller"];
    item(
        "Run by",
        match caller["Arn"].as_str() {
            Some(arn) => format!("{arn} (account {})", cell_text(&caller["Account"])),
            None => "not known: an offline source".into(),
        },
    );
    item("Source", cell_text(&signature["Source"]));
    item("Identity Store", cell_text(&signature["IdentityStoreId"]));
    item("Instance", cell_text(&signature["InstanceArn"]));
    if let Some(baseline) = signature["Baseline"].as_str() {
        item("Baseline", baseline.to_owned());
    }
    item("Written by", cell_text(&signature["Tool"]));
    let ages: Vec<String> = signature["Collections"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|c| format!("{} as of {}", cell_text(&c["Name"]), cell_text(&c["AsOf"])))
        .collect();
    item("Data", ages.join("; "));
    html.push_str("</dl>\n");
    html
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em;color:#111}\
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #999}\
table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border:1px solid #bbb;padding:.3em .5em;text-align:left;vertical-align:top}\
th{background:#eee}tr{page-break-inside:avoid}ul{margin:0;padding-left:1.2em}dt{font-weight:bold;float:left;clear:left;width:10em}\
dd{margin-left:11em}.sub{color:#555}.none{color:#555;font-style:italic}.high{background:#fdd}.medium{background:#ffd}\
@media print{body{margin:1cm}a{color:inherit}}";

/// The HTML page: signature, counts, findings, privileged access, the
/// changes, and effective access per user.
fn page(report: &Report<'_>, tables: &[(&'static str, Vec<Json>)]) -> String {
    let table = |name: &str| {
        tables
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, rows)| rows.as_slice())
            .unwrap_or_default()
    };
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Access review — {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>Access review</h1>\n",
        esc(&cell_text(&report.signature["Generated"]))
    );
    html.push_str(&signature_html(&report.signature));
    let users: std::collections::BTreeSet<&str> = items(report.access)
        .iter()
        .map(|r| r.text("UserName"))
        .collect();
    let privileged = table("privileged-access.csv");
    let privileged_users: std::collections::BTreeSet<&str> = privileged
        .iter()
        .filter_map(|r| r["UserName"].as_str())
        .collect();
    let findings = table("findings.csv");
    let count = |severity: &str| {
        findings
            .iter()
            .filter(|f| f["Severity"] == severity)
            .count()
    };
    html.push_str(&format!(
        "<h2>Summary</h2>\n<ul>\n<li>{} users hold {} grants (user × account × permission set).</li>\n<li>{} users hold administrator-equivalent access ({} grants).</li>\n<li>Findings: {} high, {} medium, {} low.</li>\n</ul>\n",
        users.len(),
        items(report.access).len(),
        privileged_users.len(),
        privileged.len(),
        count("high"),
        count("medium"),
        count("low"),
    ));
    html.push_str("<h2>Findings</h2>\n");
    if findings.is_empty() {
        html.push_str("<p class=\"none\">None.</p>\n");
    } else {
        html.push_str("<table>\n<thead><tr><th>Severity</th><th>Check</th><th>Subject</th><th>Finding</th><th>What to do</th><th>Involved</th></tr></thead>\n<tbody>\n");
        for f in findings {
            let severity = cell_text(&f["Severity"]);
            html.push_str(&format!(
                "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                esc(&severity),
                esc(&severity),
                esc(&cell_text(&f["Check"])),
                esc(&cell_text(&f["Subject"])),
                esc(&cell_text(&f["Finding"])),
                esc(&cell_text(&f["Advice"])),
                esc(&cell_text(&f["Involved"])),
            ));
        }
        html.push_str("</tbody>\n</table>\n");
    }
    html.push_str("<h2>Privileged access</h2>\n");
    html.push_str(&html_table(
        privileged,
        &[
            "UserName",
            "UserStatus",
            "AccountName",
            "AccountId",
            "PermissionSetName",
            "Via",
            "Reason",
        ],
    ));
    if report.changes.is_some() {
        html.push_str("<h2>Changes since the baseline</h2>\n");
        html.push_str(&html_table(
            table("changes-summary.csv"),
            &["Change", "Count", "First"],
        ));
        html.push_str("<h3>Access gained</h3>\n");
        html.push_str(&html_table(
            table("access-gained.csv"),
            &[
                "UserName",
                "AccountName",
                "AccountId",
                "PermissionSetName",
                "Via",
            ],
        ));
        html.push_str("<h3>Access lost</h3>\n");
        html.push_str(&html_table(
            table("access-lost.csv"),
            &[
                "UserName",
                "AccountName",
                "AccountId",
                "PermissionSetName",
                "Via",
            ],
        ));
        html.push_str("<h3>Memberships</h3>\n");
        html.push_str(&html_table(
            table("membership-changes.csv"),
            &["Change", "GroupName", "UserName"],
        ));
    }
    html.push_str("<h2>Effective access by user</h2>\n");
    html.push_str(&access_by_user(report.access));
    html.push_str("</body>\n</html>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_text_is_escaped_and_csv_fields_quoted() {
        assert_eq!(
            esc("<b>O'Brien & \"co\"</b>"),
            "&lt;b&gt;O&#39;Brien &amp; &quot;co&quot;&lt;/b&gt;"
        );
        let mut out = Vec::new();
        write_csv(
            &[json!({"A": "x, y", "B": "say \"hi\"", "C": null})],
            &["A", "B", "C"],
            &mut out,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\u{feff}A,B,C\n\"x, y\",\"say \"\"hi\"\"\",\n"
        );
    }
}
