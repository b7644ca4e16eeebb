//! `yaml`: block style, as `aws --output yaml` writes it. A string that a
//! YAML reader would take for something else is quoted: booleans in
//! either YAML version (`yes`, `on`, `off`, `true`), null, numbers, dates
//! and timestamps (`2023-06-01T00:00:00Z`), and text that starts or holds
//! YAML's own marks.

use std::io::{self, Write};

use serde_json::Value as Json;

pub(crate) fn render(value: &Json, out: &mut impl Write) -> io::Result<()> {
    let mut text = String::new();
    node(value, 0, &mut text);
    if !text.ends_with('\n') {
        text.push('\n');
    }
    out.write_all(text.as_bytes())
}

/// Writes `value` at `indent`; a collection starts on a new line of its own
/// unless the line so far is empty.
fn node(value: &Json, indent: usize, out: &mut String) {
    let inline = out.is_empty() || out.ends_with('\n');
    match value {
        Json::Array(items) if !items.is_empty() => sequence(items, indent, inline, out),
        Json::Object(map) if !map.is_empty() => mapping(map, indent, inline, out),
        _ => scalar(value, out),
    }
}

/// `- item` lines; `inline`: the first dash goes where the line is now.
fn sequence(items: &[Json], indent: usize, inline: bool, out: &mut String) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 || !inline {
            newline(out, indent);
        }
        out.push_str("- ");
        match item {
            // A mapping's first key, or a nested sequence's first dash,
            // goes on the dash's line.
            Json::Object(map) if !map.is_empty() => mapping(map, indent + 2, true, out),
            Json::Array(inner) if !inner.is_empty() => sequence(inner, indent + 2, true, out),
            _ => scalar(item, out),
        }
    }
}

fn mapping(map: &serde_json::Map<String, Json>, indent: usize, inline: bool, out: &mut String) {
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 || !inline {
            newline(out, indent);
        }
        out.push_str(&string(key));
        out.push(':');
        match value {
            Json::Object(inner) if !inner.is_empty() => mapping(inner, indent + 2, false, out),
            // A sequence under a key is not indented further.
            Json::Array(items) if !items.is_empty() => sequence(items, indent, false, out),
            _ => {
                out.push(' ');
                scalar(value, out);
            }
        }
    }
}

fn newline(out: &mut String, indent: usize) {
    if !out.is_empty() {
        out.push('\n');
    }
    out.extend(std::iter::repeat_n(' ', indent));
}

fn scalar(value: &Json, out: &mut String) {
    match value {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Number(n) => out.push_str(&n.to_string()),
        Json::String(s) => out.push_str(&string(s)),
        Json::Array(_) => out.push_str("[]"),
        Json::Object(_) => out.push_str("{}"),
    }
}

/// A string as a YAML scalar: plain when a reader takes it back as the
/// same string, else in single quotes (`''` for a quote), or in double
/// quotes with escapes when it holds control characters or line breaks.
fn string(text: &str) -> String {
    if text.chars().any(needs_escape) {
        return double_quoted(text);
    }
    if needs_quotes(text) {
        return format!("'{}'", text.replace('\'', "''"));
    }
    text.to_owned()
}

/// Control characters, and what YAML 1.1 reads as a line break or a byte
/// order mark.
fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
}

fn double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn needs_quotes(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return true;
    };
    let lower = text.to_ascii_lowercase();
    // YAML 1.1's booleans (what PyYAML and the AWS CLI's readers know)
    // and 1.2's, and null.
    // `=` and `<<` are YAML 1.1's value and merge keys.
    const WORDS: &[&str] = &[
        "yes", "no", "true", "false", "on", "off", "null", "~", "=", "<<",
    ];
    let starts_with_indicator = match first {
        '-' => text == "-" || text.starts_with("- ") || text.starts_with("---"),
        c => "?:,[]{}#&*!|>'\"%@`".contains(c),
    };
    WORDS.contains(&lower.as_str())
        || starts_with_indicator
        || first.is_whitespace()
        || text.ends_with(char::is_whitespace)
        || text.contains(": ")
        || text.contains(" #")
        || text.ends_with(':')
        || looks_like_number(text)
        || looks_like_sexagesimal(text)
        || looks_like_date(text)
}

/// YAML 1.1's base-60 numbers: PyYAML reads `12:30:00` as 45000.
fn looks_like_sexagesimal(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    body.starts_with(|c: char| c.is_ascii_digit())
        && body.contains(':')
        && body.split(':').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '_' || c == '.')
        })
}

/// Integers, floats, hex, octal, `.inf`, `.nan`, as YAML 1.1 or 1.2 reads them.
fn looks_like_number(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), ".inf" | ".nan") {
        return true;
    }
    if lower.starts_with("0x") || lower.starts_with("0o") || lower.starts_with("0b") {
        return true;
    }
    let digits = body.replace('_', "");
    !digits.is_empty()
        && digits.chars().any(|c| c.is_ascii_digit())
        && digits.parse::<f64>().is_ok()
}

/// `2023-06-01`, `2023-06-01T09:30:00Z`, `2023-06-01 09:30:00.5+02:00`.
fn looks_like_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 8
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && bytes[5].is_ascii_digit()
        && text[5..]
            .split(['-', 'T', 't', ' ', ':', '.', 'Z', 'z', '+'])
            .all(|part| part.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn yaml(value: Json) -> String {
        let mut out = Vec::new();
        render(&value, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn blocks_nest_as_the_aws_cli_writes_them() {
        let value = json!({"Users": [{"UserName": "alice", "Name": {"GivenName": "Alice"},
            "Emails": [{"Value": "a@x", "Primary": true}], "Tags": ["a", "b"], "None": null,
            "Empty": [], "Nothing": {}}], "Count": 1, "Matrix": [[1, 2], []]});
        assert_eq!(
            yaml(value),
            "Users:\n- UserName: alice\n  Name:\n    GivenName: Alice\n  Emails:\n  - Value: a@x\n    Primary: true\n  Tags:\n  - a\n  - b\n  None: null\n  Empty: []\n  Nothing: {}\nCount: 1\nMatrix:\n- - 1\n  - 2\n- []\n"
        );
    }

    #[test]
    fn strings_a_reader_would_misread_are_quoted() {
        for text in [
            "yes",
            "On",
            "OFF",
            "no",
            "true",
            "null",
            "~",
            "",
            " x",
            "x ",
            "1",
            "-1",
            "1.5",
            "1e3",
            "0x1F",
            ".inf",
            "2023-06-01",
            "2023-06-01T09:30:00Z",
            "a: b",
            "a #b",
            "#x",
            "*x",
            "&x",
            "!x",
            "|",
            ">",
            "@x",
            "`x",
            "'x",
            "\"x",
            "[x",
            "{x",
            "- x",
            "-",
            "x:",
        ] {
            let quoted = string(text);
            assert!(quoted.starts_with('\''), "{text:?} -> {quoted}");
        }
        for text in [
            "alice",
            "Alice O'Brien",
            "a@example.com",
            "arn:aws:iam::1:role/x",
            "-abc",
            "d-1234567890",
            "2023",
            "x-y",
        ] {
            assert_eq!(
                string(text),
                if text == "2023" { "'2023'" } else { text },
                "{text:?}"
            );
        }
        assert_eq!(string("it's: x"), "'it''s: x'");
        assert_eq!(string("a\nb"), "\"a\\nb\"");
    }
}
