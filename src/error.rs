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
/// expression follows with a caret under the column.
pub fn report(err: &Error, out: &mut impl Write) {
    report_at(err, None, out);
}

/// As [`report`], saying where the failing line was (`line 3`) first.
pub fn report_at(err: &Error, location: Option<&str>, out: &mut impl Write) {
    if let Error::Warned { warnings, error } = err {
        for warning in warnings {
            let _ = writeln!(out, "warning: {warning}");
        }
        return report_at(error, location, out);
    }
    match location {
        Some(location) => {
            let _ = writeln!(out, "error: {location}: {err}");
        }
        None => {
            let _ = writeln!(out, "error: {err}");
        }
    }
    if let Error::Query(query) = err
        && let Some((expression, offset)) = query.location()
    {
        let _ = writeln!(out, "  {}", expression.replace(['\n', '\r'], " "));
        let _ = writeln!(out, "  {}^", caret_padding(expression, offset));
    }
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
