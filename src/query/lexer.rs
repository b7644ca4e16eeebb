//! The one JMESPath tokenizer. It never fails: every byte of a line lands
//! in a token, so the editor can highlight and complete half-typed lines,
//! and the parser (`super::parse`) reads the same tokens, refusing what
//! the grammar does not allow (an unclosed quote, `$`, a lone `=`).

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// `Users`, `length`.
    Identifier,
    /// `"Display Name"`.
    QuotedIdentifier,
    /// `'alice'`.
    RawString,
    /// `` `true` ``.
    Literal,
    /// `10`, `-1`.
    Number,
    /// `[`, `]`, `{`, `}`, `(`, `)`.
    Bracket,
    /// `.`, `,`, `:`, `@`, `*`, `?`, `&`, `|`, `||`, `&&`, `!`, comparisons.
    Operator,
    /// Whitespace.
    Space,
    /// Anything else (`$`, `#`): shown as it is.
    Other,
}

/// A token: its kind, its byte range, and whether a quote was closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
    /// False for a string or literal that runs to the end of the text.
    pub closed: bool,
}

impl Token {
    /// The token's text in `source`.
    pub fn text<'s>(&self, source: &'s str) -> &'s str {
        &source[self.start..self.end]
    }
}

/// Splits `text` into tokens that cover it end to end.
pub fn tokenize(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let start = at;
        let c = bytes[at];
        let (kind, end, closed) = match c {
            b'\'' | b'"' | b'`' => {
                let (end, closed) = quoted_end(bytes, at, c);
                let kind = match c {
                    b'\'' => TokenKind::RawString,
                    b'"' => TokenKind::QuotedIdentifier,
                    _ => TokenKind::Literal,
                };
                (kind, end, closed)
            }
            b'A'..=b'Z' | b'a'..=b'z' | b'_' => {
                let end = scan(bytes, at, |b| b.is_ascii_alphanumeric() || b == b'_');
                (TokenKind::Identifier, end, true)
            }
            b'0'..=b'9' => (
                TokenKind::Number,
                scan(bytes, at, |b| b.is_ascii_digit()),
                true,
            ),
            b'-' if bytes.get(at + 1).is_some_and(u8::is_ascii_digit) => (
                TokenKind::Number,
                scan(bytes, at + 1, |b| b.is_ascii_digit()),
                true,
            ),
            b'[' | b']' | b'{' | b'}' | b'(' | b')' => (TokenKind::Bracket, at + 1, true),
            b'|' | b'&' | b'=' | b'!' | b'<' | b'>' => {
                let two = bytes.get(at + 1).copied();
                let pair = matches!(
                    (c, two),
                    (b'|', Some(b'|'))
                        | (b'&', Some(b'&'))
                        | (b'=', Some(b'='))
                        | (b'!', Some(b'='))
                        | (b'<', Some(b'='))
                        | (b'>', Some(b'='))
                );
                (TokenKind::Operator, at + if pair { 2 } else { 1 }, true)
            }
            b'.' | b',' | b':' | b'@' | b'*' | b'?' => (TokenKind::Operator, at + 1, true),
            b' ' | b'\t' | b'\n' | b'\r' => (
                TokenKind::Space,
                scan(bytes, at, |b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')),
                true,
            ),
            _ => {
                // One whole character, so ranges stay on char boundaries.
                let len = text[at..].chars().next().map_or(1, char::len_utf8);
                (TokenKind::Other, at + len, true)
            }
        };
        tokens.push(Token {
            kind,
            start,
            end,
            closed,
        });
        at = end;
    }
    tokens
}

fn scan(bytes: &[u8], from: usize, keep: impl Fn(u8) -> bool) -> usize {
    let mut at = from;
    while at < bytes.len() && keep(bytes[at]) {
        at += 1;
    }
    at
}

/// The end of a quoted token starting at `at`, and whether it was closed.
fn quoted_end(bytes: &[u8], at: usize, quote: u8) -> (usize, bool) {
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return (i + 1, true),
            _ => i += 1,
        }
    }
    (bytes.len(), false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use TokenKind::*;

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        tokenize(text)
            .iter()
            .map(|t| (t.kind, t.text(text)))
            .collect()
    }

    #[test]
    fn tokens_cover_the_line_and_keep_unclosed_strings() {
        assert_eq!(
            kinds("Users[?Name.GivenName=='Zoë' && `1` >= -2]"),
            [
                (Identifier, "Users"),
                (Bracket, "["),
                (Operator, "?"),
                (Identifier, "Name"),
                (Operator, "."),
                (Identifier, "GivenName"),
                (Operator, "=="),
                (RawString, "'Zoë'"),
                (Space, " "),
                (Operator, "&&"),
                (Space, " "),
                (Literal, "`1`"),
                (Space, " "),
                (Operator, ">="),
                (Space, " "),
                (Number, "-2"),
                (Bracket, "]"),
            ]
        );
        let open = tokenize("a == 'it\\'s");
        assert_eq!(open.last().map(|t| t.closed), Some(false));
        assert_eq!(kinds("é$"), [(Other, "é"), (Other, "$")]);
    }
}
