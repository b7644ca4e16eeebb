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

/// `line` with colours, the same text and width. Each continuation line
/// starts with `continuation` spaces that the shell put there (none is
/// part of the expression); over their end the marker is drawn, dim when
/// `color`. The marker is never in the buffer, so no key can edit it.
pub fn highlight(line: &str, continuation: usize, color: bool) -> String {
    let coloured = if color {
        highlight_text(line)
    } else {
        line.to_owned()
    };
    if continuation < MARKER.len() || !line.contains('\n') {
        return coloured;
    }
    let pad = " ".repeat(continuation);
    let drawn = format!(
        "{}{}{MARKER}{}",
        " ".repeat(continuation - MARKER.len()),
        if color { DIM } else { "" },
        if color { RESET } else { "" }
    );
    let mut out = String::with_capacity(coloured.len() + 16);
    for (i, piece) in coloured.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            if let Some(rest) = piece.strip_prefix(pad.as_str()) {
                out.push_str(&drawn);
                out.push_str(rest);
                continue;
            }
        }
        out.push_str(piece);
    }
    out
}

/// What was typed, without the spaces the shell put at the start of each
/// continuation line (up to `continuation` of them: fewer when some were
/// deleted).
pub(crate) fn without_continuations(text: &str, continuation: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, piece) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            let spaces = piece.len() - piece.trim_start_matches(' ').len();
            out.push_str(&piece[spaces.min(continuation)..]);
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
            assert_eq!(strip_colour(&highlight_text(line)), line);
        }
    }

    #[test]
    fn each_kind_has_its_colour() {
        let line = highlight_text("length(Users[?Title == 'x'])");
        assert!(line.contains(&format!("{FUNCTION}length{RESET}")));
        assert!(line.contains(&format!("{STRING}'x'{RESET}")));
        assert!(line.contains(&format!("{OPERATOR}=={RESET}")));
        assert!(line.contains(&format!("{BRACKET}[{RESET}")));
        assert!(highlight_text("`true`").contains(&format!("{LITERAL}`true`{RESET}")));
        assert!(highlight_text("[-1]").contains(&format!("{NUMBER}-1{RESET}")));
        assert!(highlight_text("a]").contains(&format!("{ERROR}]{RESET}")));
        assert!(highlight_text("'open").contains(&format!("{ERROR}'open{RESET}")));
        let command = highlight_text(".members 'A B' | [0]");
        assert!(command.starts_with(&format!("{COMMAND}.members{RESET}")));
        assert!(command.contains(&format!("{STRING}'A B'{RESET}")));
        assert!(command.contains(&format!("{NUMBER}0{RESET}")));
    }
}

#[cfg(test)]
mod marker_tests {
    use super::*;

    #[test]
    fn continuation_markers_are_drawn_over_the_shells_spaces() {
        // The prompt is 12 wide: the shell put 12 spaces, the marker is
        // drawn over their end, dim.
        let line = "Users[?UserName ==\n            'alice']";
        let coloured = highlight(line, 12, true);
        assert_eq!(
            strip_colour(&coloured),
            "Users[?UserName ==\n       ...> 'alice']"
        );
        assert!(
            coloured.contains("       \x1b[2m...> \x1b[0m"),
            "{coloured:?}"
        );
        assert!(coloured.contains("\x1b[32m'alice'"), "{coloured:?}");
        // Without colour the marker is still there, plain.
        assert_eq!(
            highlight(line, 12, false),
            "Users[?UserName ==\n       ...> 'alice']"
        );
        // Spaces deleted into: no marker, and nothing typed is lost.
        assert_eq!(highlight("a |\n      b", 12, false), "a |\n      b");
        assert_eq!(
            without_continuations(line, 12),
            "Users[?UserName ==\n'alice']"
        );
        assert_eq!(without_continuations("a |\n   b", 12), "a |\nb");
        assert_eq!(
            without_continuations("'x\n              y'", 12),
            "'x\n  y'"
        );
    }
}
