//! The errors a line can end in, and the one place they become text.

use std::io::{self, Write};

use crate::query::QueryError;
use crate::source::SourceError;

/// Why a line, or the program, failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error(transparent)]
    Source(SourceError),
    /// A command used wrongly, or an argument that names nothing.
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Name(#[from] crate::insights::NameError),
    #[error(transparent)]
    Saved(#[from] crate::saved::SavedError),
    #[error("interrupted; the session and its cache are intact")]
    Interrupted,
    /// A failure that came with warnings worth reading first (`length(Userz)`).
    #[error("{error}")]
    Warned {
        warnings: Vec<String>,
        error: Box<Error>,
    },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
}

impl From<crate::source::aws::AwsError> for Error {
    fn from(err: crate::source::aws::AwsError) -> Self {
        Error::Source(SourceError::Aws(err))
    }
}

impl Error {
    /// `error`, with `warnings` to print before it (none: `error` alone).
    pub(crate) fn warned(warnings: Vec<String>, error: Error) -> Error {
        if warnings.is_empty() {
            error
        } else {
            Error::Warned {
                warnings,
                error: Box::new(error),
            }
        }
    }

    /// An I/O error with what was being done.
    pub(crate) fn io(context: impl Into<String>, source: io::Error) -> Error {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

/// Writes `err` as one `error:` line; for an expression error, the
/// expression follows with a caret under the column. On a terminal the
/// line is folded at spaces, and an expression wider than the terminal
/// shows the part around the caret.
pub fn report(err: &Error, out: &mut impl Write) {
    report_at(err, None, out);
}

/// As [`report`], saying where the failing line was (`line 3`) first.
pub fn report_at(err: &Error, location: Option<&str>, out: &mut impl Write) {
    if let Error::Warned { warnings, error } = err {
        for warning in warnings {
            let _ = writeln!(out, "{}", warning_text(warning));
        }
        return report_at(error, location, out);
    }
    let width = terminal_width();
    let text = match location {
        Some(location) => format!("{location}: {err}"),
        None => err.to_string(),
    };
    let _ = writeln!(out, "{}", fold("error: ", &text, width));
    if let Error::Query(query) = err
        && let Some((expression, offset)) = query.location()
    {
        let (shown, padding) = around_caret(expression, offset, width);
        let _ = writeln!(out, "  {shown}");
        let _ = writeln!(out, "  {padding}^");
    }
}

/// Whether warnings and errors are folded at word boundaries to the
/// width of the terminal stderr is on (set once at start when it is one).
/// Off, each is one line, for scripts and logs.
static FOLD_MESSAGES: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Folds warnings and errors to the terminal's width from now on (stderr
/// is one).
pub fn fold_messages_to_terminal() {
    FOLD_MESSAGES.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// The width messages are folded to: the terminal's, when folding is on.
fn terminal_width() -> Option<usize> {
    FOLD_MESSAGES
        .load(std::sync::atomic::Ordering::Relaxed)
        .then(|| terminal_size::terminal_size_of(io::stderr()))
        .flatten()
        .map(|(width, _)| usize::from(width.0))
}

/// `warning: ...` as it is printed: one line, or on a terminal folded at
/// word boundaries, each further line under the first's text.
pub fn warning_text(warning: &str) -> String {
    fold("warning: ", warning, terminal_width())
}

/// The expression as printed under an error, and what goes before the
/// caret under character `column`. In `width` columns (less the two of
/// the indent), an expression that does not fit shows the part around
/// the caret, `…` where it is cut (tabs shown as spaces there).
fn around_caret(expression: &str, column: usize, width: Option<usize>) -> (String, String) {
    use unicode_width::UnicodeWidthChar;
    let whole = || {
        (
            expression.replace(['\n', '\r'], " "),
            caret_padding(expression, column),
        )
    };
    // The indent, and a column for a caret past the end.
    let Some(room) = width.map(|w| w.saturating_sub(3)).filter(|r| *r > 20) else {
        return whole();
    };
    let chars: Vec<(char, usize)> = expression
        .chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => (' ', 1),
            c => (c, c.width().unwrap_or(1)),
        })
        .collect();
    let total: usize = chars.iter().map(|(_, w)| w).sum();
    if total <= room {
        return whole();
    }
    // Two columns for the ellipses; the caret in the middle where it can be.
    let inner = room - 2;
    let caret: usize = chars.iter().take(column).map(|(_, w)| w).sum();
    let start = caret
        .saturating_sub(inner / 2)
        .min(total.saturating_sub(inner));
    let end = start + inner;
    let (mut shown, mut padding) = (String::new(), String::new());
    if start > 0 {
        shown.push('…');
        padding.push(' ');
    }
    let mut at = 0;
    for (i, (c, w)) in chars.iter().enumerate() {
        if at >= start && at + w <= end {
            shown.push(*c);
            if i < column {
                padding.push_str(&" ".repeat(*w));
            }
        }
        at += w;
    }
    if end < total {
        shown.push('…');
    }
    (shown, padding)
}

/// `prefix` and `text` folded to `width` columns at spaces, further lines
/// indented by the prefix's width; a word longer than a line stands alone.
fn fold(prefix: &str, text: &str, width: Option<usize>) -> String {
    use unicode_width::UnicodeWidthStr;
    let indent = prefix.width();
    let Some(width) = width.filter(|w| *w > indent + 20) else {
        return format!("{prefix}{text}");
    };
    let mut out = String::from(prefix);
    let mut column = indent;
    for (i, word) in text.split(' ').enumerate() {
        let word_width = word.width();
        if i > 0 {
            if column + 1 + word_width > width {
                out.push('\n');
                out.push_str(&" ".repeat(indent));
                column = indent;
            } else {
                out.push(' ');
                column += 1;
            }
        }
        out.push_str(word);
        column += word_width;
    }
    out
}

/// What goes before a caret under character `column` of `expression` as
/// it is printed: a tab where the expression has one (the terminal moves
/// both to the same stop), and as many spaces as each other character is
/// wide (two for 東, none for a combining accent).
fn caret_padding(expression: &str, column: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    expression
        .chars()
        .take(column)
        .map(|c| match c {
            '\t' => "\t".to_owned(),
            c => " ".repeat(c.width().unwrap_or(1)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::Query;

    #[test]
    fn a_syntax_error_shows_a_caret_under_the_column() {
        let err = Error::from(Query::compile("Users[?UserName == ]").unwrap_err());
        let mut out = Vec::new();
        report(&err, &mut out);
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("error: syntax error"), "{text}");
        assert_eq!(lines[1], "  Users[?UserName == ]");
        assert_eq!(lines[2].find('^'), Some(2 + 19), "{text}");
    }

    #[test]
    fn warnings_fold_at_spaces_under_their_first_line() {
        let text =
            "the specification (--compat spec) answers 0: the specification orders only numbers";
        assert_eq!(fold("warning: ", text, None), format!("warning: {text}"));
        let folded = fold("warning: ", text, Some(40));
        let lines: Vec<&str> = folded.lines().collect();
        assert!(lines.len() > 2, "{folded}");
        for line in &lines {
            assert!(line.chars().count() <= 40, "{line:?} in {folded}");
        }
        for line in &lines[1..] {
            assert!(
                line.starts_with("         ") && !line.starts_with("          "),
                "{line:?}"
            );
        }
        let words = |s: &str| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(words(&folded), words(&format!("warning: {text}")));
        // Wide characters take their width; a long word is not cut.
        let wide = fold("warning: ", "東京東京東京東京東京東京 x", Some(32));
        assert_eq!(wide, "warning: 東京東京東京東京東京東京\n         x");
        let long = "x".repeat(50);
        assert_eq!(
            fold("warning: ", &long, Some(40)),
            format!("warning: {long}")
        );
    }

    /// An expression wider than the terminal shows the part around the
    /// caret, which stays under its character, whatever the width and
    /// wherever the caret falls; one that fits is shown whole.
    #[test]
    fn a_long_expression_shows_the_part_around_the_caret() {
        use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
        let expression = "Users[?contains(DisplayName, '東京')].Name.GivenName | sort_by(@, &Zzz) | to_number(@, @)";
        let chars: Vec<char> = expression.chars().collect();
        for width in [30, 40, 80] {
            for column in 0..=chars.len() {
                let (shown, padding) = around_caret(expression, column, Some(width));
                assert!(shown.width() + 3 <= width, "{width}: {shown}");
                let under = shown.chars().scan(0, |at, c| {
                    let here = *at;
                    *at += c.width().unwrap_or(1);
                    Some((here, c))
                });
                let under = under
                    .filter(|(at, _)| *at == padding.width())
                    .map(|(_, c)| c)
                    .next();
                assert_eq!(
                    under,
                    chars.get(column).copied(),
                    "{width} {column}: {shown}"
                );
            }
        }
        let (shown, padding) = around_caret("length(a, b)", 0, Some(80));
        assert_eq!((shown.as_str(), padding.as_str()), ("length(a, b)", ""));
        let (shown, _) = around_caret(expression, 0, None);
        assert_eq!(shown, expression);
    }

    #[test]
    fn the_caret_stays_under_its_character_after_tabs_and_wide_ones() {
        assert_eq!(
            caret_padding("length('東京', 1)", 14),
            format!("{}", " ".repeat(16))
        );
        assert_eq!(
            caret_padding("Users[0].\tUserName]", 18),
            "         \t        "
        );
        assert_eq!(caret_padding("e\u{301}x", 2), " ");
    }
}
