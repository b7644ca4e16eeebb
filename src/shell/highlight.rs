//! Colours for the line being typed: strings, literals, numbers,
//! operators, functions and brackets each in their own colour; a bracket
//! without its partner and an unclosed quote in red.

use crate::query::lexer::{TokenKind, tokenize};

const RESET: &str = "\x1b[0m";
const COMMAND: &str = "\x1b[1;36m";
const STRING: &str = "\x1b[32m";
const LITERAL: &str = "\x1b[33m";
const NUMBER: &str = "\x1b[36m";
const OPERATOR: &str = "\x1b[35m";
const FUNCTION: &str = "\x1b[34m";
const BRACKET: &str = "\x1b[1m";
const ERROR: &str = "\x1b[1;31m";
const DIM: &str = "\x1b[2m";

/// The shell's continuation marker at the start of a continuation line
/// (after spaces that align it under the prompt's end).
pub(crate) const MARKER: &str = "...> ";

/// `line` with each continuation marker (and the spaces before it) made
/// blanks of the same width, so that tokens, brackets and positions read
/// as if the marker were not there; `None` when there is none.
pub(crate) fn blank_markers(line: &str) -> Option<String> {
    if !line.contains('\n') || !line.contains(MARKER) {
        return None;
    }
    let mut out = String::with_capacity(line.len());
    for (i, piece) in line.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let after_spaces = piece.trim_start_matches(' ');
        match after_spaces.strip_prefix(MARKER) {
            Some(rest) if i > 0 => {
                out.push_str(&" ".repeat(piece.len() - rest.len()));
                out.push_str(rest);
            }
            _ => out.push_str(piece),
        }
    }
    Some(out)
}

/// The line with ANSI colours; the same text and width as `line`. The
/// shell's continuation markers are shown dim.
pub fn highlight(line: &str) -> String {
    let Some(blanked) = blank_markers(line) else {
        return highlight_text(line);
    };
    let coloured = highlight_text(&blanked);
    let mut out = String::with_capacity(coloured.len() + 16);
    for (i, (piece, original)) in coloured.split('\n').zip(line.split('\n')).enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let after_spaces = original.trim_start_matches(' ');
        if i > 0 && after_spaces.starts_with(MARKER) {
            let width = original.len() - after_spaces.len() + MARKER.len();
            let blank = " ".repeat(width);
            out.push_str(DIM);
            out.push_str(&original[..width]);
            out.push_str(RESET);
            out.push_str(piece.strip_prefix(blank.as_str()).unwrap_or(piece));
        } else {
            out.push_str(piece);
        }
    }
    out
}

fn highlight_text(line: &str) -> String {
    let trimmed = line.trim_start();
    let Some(command) = trimmed.strip_prefix('.') else {
        return expression(line);
    };
    let lead = line.len() - trimmed.len();
    let name_end = command
        .find(char::is_whitespace)
        .map_or(line.len(), |at| lead + 1 + at);
    let mut out = String::with_capacity(line.len() * 2);
    out.push_str(&line[..lead]);
    out.push_str(COMMAND);
    out.push_str(&line[lead..name_end]);
    out.push_str(RESET);
    let rest = &line[name_end..];
    match crate::line::scan_command(rest).pipe {
        Some(at) => {
            out.push_str(&arguments(&rest[..at]));
            out.push_str(OPERATOR);
            out.push('|');
            out.push_str(RESET);
            out.push_str(&expression(&rest[at + 1..]));
        }
        None => out.push_str(&arguments(rest)),
    }
    out
}

/// A command's arguments: quoted words in the string colour.
fn arguments(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut quote = None;
    for c in text.chars() {
        match quote {
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                out.push_str(STRING);
                out.push(c);
            }
            Some(q) if c == q => {
                quote = None;
                out.push(c);
                out.push_str(RESET);
            }
            _ => out.push(c),
        }
    }
    if quote.is_some() {
        out.push_str(RESET);
    }
    out
}

/// A JMESPath expression, coloured token by token.
fn expression(text: &str) -> String {
    let tokens = tokenize(text);
    let unmatched = unmatched_brackets(text, &tokens);
    let mut out = String::with_capacity(text.len() * 2);
    for (i, token) in tokens.iter().enumerate() {
        let word = token.text(text);
        let colour = match token.kind {
            _ if !token.closed => Some(ERROR),
            TokenKind::RawString | TokenKind::QuotedIdentifier => Some(STRING),
            TokenKind::Literal => Some(LITERAL),
            TokenKind::Number => Some(NUMBER),
            TokenKind::Operator => Some(OPERATOR),
            TokenKind::Bracket if unmatched.contains(&token.start) => Some(ERROR),
            TokenKind::Bracket => Some(BRACKET),
            TokenKind::Identifier
                if tokens[i + 1..]
                    .iter()
                    .find(|t| t.kind != TokenKind::Space)
                    .is_some_and(|t| t.text(text) == "(") =>
            {
                Some(FUNCTION)
            }
            _ => None,
        };
        match colour {
            Some(colour) => {
                out.push_str(colour);
                out.push_str(word);
                out.push_str(RESET);
            }
            None => out.push_str(word),
        }
    }
    out
}

/// Start offsets of brackets that have no partner.
fn unmatched_brackets(text: &str, tokens: &[crate::query::lexer::Token]) -> Vec<usize> {
    let mut open: Vec<(char, usize)> = Vec::new();
    let mut unmatched = Vec::new();
    for token in tokens.iter().filter(|t| t.kind == TokenKind::Bracket) {
        let c = token.text(text).chars().next().unwrap_or(' ');
        match c {
            '[' | '{' | '(' => open.push((c, token.start)),
            _ => {
                let partner = match c {
                    ']' => '[',
                    '}' => '{',
                    _ => '(',
                };
                match open.last() {
                    Some((o, _)) if *o == partner => {
                        open.pop();
                    }
                    _ => unmatched.push(token.start),
                }
            }
        }
    }
    // Brackets still open are not errors yet: the line continues.
    unmatched
}

/// The text without colour codes.
pub fn strip_colour(coloured: &str) -> String {
    let mut out = String::new();
    let mut chars = coloured.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_change_nothing_but_colour() {
        for line in [
            "Users[?Name.GivenName == 'Zoë' && `1` > -2] | length(@)",
            ".members \"O'Brien's Project Team\" | [].UserName",
            "Users[?UserName == 'unclosed",
            "a]}) é",
            "",
        ] {
            assert_eq!(strip_colour(&highlight(line)), line);
        }
    }

    #[test]
    fn each_kind_has_its_colour() {
        let line = highlight("length(Users[?Title == 'x'])");
        assert!(line.contains(&format!("{FUNCTION}length{RESET}")));
        assert!(line.contains(&format!("{STRING}'x'{RESET}")));
        assert!(line.contains(&format!("{OPERATOR}=={RESET}")));
        assert!(line.contains(&format!("{BRACKET}[{RESET}")));
        assert!(highlight("`true`").contains(&format!("{LITERAL}`true`{RESET}")));
        assert!(highlight("[-1]").contains(&format!("{NUMBER}-1{RESET}")));
        assert!(highlight("a]").contains(&format!("{ERROR}]{RESET}")));
        assert!(highlight("'open").contains(&format!("{ERROR}'open{RESET}")));
        let command = highlight(".members 'A B' | [0]");
        assert!(command.starts_with(&format!("{COMMAND}.members{RESET}")));
        assert!(command.contains(&format!("{STRING}'A B'{RESET}")));
        assert!(command.contains(&format!("{NUMBER}0{RESET}")));
    }
}

#[cfg(test)]
mod marker_tests {
    use super::*;

    #[test]
    fn continuation_markers_are_dim_and_read_as_blanks() {
        let line = "Users[?UserName ==\n       ...> 'alice']";
        let blanked = blank_markers(line).unwrap();
        assert_eq!(blanked, "Users[?UserName ==\n            'alice']");
        assert!(!crate::line::is_incomplete(
            &blanked,
            crate::commands::rest_of_line()
        ));
        let coloured = highlight(line);
        assert_eq!(strip_colour(&coloured), line);
        assert!(
            coloured.contains("\x1b[2m       ...> \x1b[0m"),
            "{coloured:?}"
        );
        assert!(coloured.contains("\x1b[32m'alice'"), "{coloured:?}");
        assert_eq!(blank_markers("a ...> b"), None);
    }
}
