//! `--data FILE`: any JSON document as the root, read once, no AWS call.

use std::io::Read;
use std::path::Path;

use super::{InMemory, SourceError};
use crate::doc::Doc;

/// Reads `path` (`-` for stdin) and makes it the root.
pub(crate) fn open(path: &str) -> Result<InMemory, SourceError> {
    let (label, bytes) = if path == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|err| SourceError::Unreadable {
                path: "standard input".into(),
                reason: err.to_string(),
            })?;
        ("stdin".to_owned(), bytes)
    } else {
        let bytes = read_file(path).map_err(|reason| match reason {
            Refused::Io(err) => SourceError::Unreadable {
                path: path.to_owned(),
                reason: io_reason(&err),
            },
            Refused::Json(reason) => SourceError::InvalidJson {
                path: path.to_owned(),
                reason,
            },
        })?;
        let label = Path::new(path)
            .file_name()
            .map_or_else(|| path.to_owned(), |n| n.to_string_lossy().into_owned());
        (label, bytes)
    };
    let document = parse(&bytes).map_err(|reason| SourceError::InvalidJson {
        path: if path == "-" {
            "standard input".into()
        } else {
            path.to_owned()
        },
        reason,
    })?;
    Ok(InMemory::from_document(label, document))
}

/// Parses a JSON document. serde_json's nesting limit (128) keeps hostile
/// input off the stack's end.
pub(crate) fn parse(bytes: &[u8]) -> Result<Doc, String> {
    // Validating UTF-8 once up front is faster than per string.
    let text = std::str::from_utf8(bytes).map_err(|err| {
        let line = bytes[..err.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        format!("invalid UTF-8 at byte {} (line {line})", err.valid_up_to())
    })?;
    // A byte order mark (some Windows tools write one) is not JSON.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    Doc::parse(text).map_err(|err| {
        let what = match err.classify() {
            serde_json::error::Category::Eof => "unexpected end of input",
            serde_json::error::Category::Io => "read error",
            _ => "",
        };
        let detail = err.to_string();
        let detail = detail
            .split(" at line")
            .next()
            .unwrap_or(&detail)
            .to_owned();
        let detail = if what.is_empty() {
            detail
        } else {
            what.to_owned()
        };
        format!("{detail} at line {} column {}", err.line(), err.column())
    })
}

/// Why a file was not read whole.
enum Refused {
    Io(std::io::Error),
    Json(String),
}

/// How much of a file is looked at before the rest is read.
const PREFIX: usize = 64 * 1024;

/// Reads a file whole, unless its first 64 KiB already nest deeper than
/// the parser allows: then the error comes without reading (and holding)
/// the rest, however large the file.
fn read_file(path: &str) -> Result<Vec<u8>, Refused> {
    let mut file = std::fs::File::open(path).map_err(Refused::Io)?;
    let size = file.metadata().map(|m| m.len() as usize).unwrap_or(0);
    let mut bytes = Vec::with_capacity(size.min(PREFIX));
    (&mut file)
        .take(PREFIX as u64)
        .read_to_end(&mut bytes)
        .map_err(Refused::Io)?;
    if bytes.len() == PREFIX
        && let Err(reason) = parse(&bytes)
        && reason.starts_with("recursion limit")
    {
        return Err(Refused::Json(reason));
    }
    bytes.reserve(size.saturating_sub(bytes.len()));
    file.read_to_end(&mut bytes).map_err(Refused::Io)?;
    Ok(bytes)
}

fn io_reason(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::IsADirectory => "it is a directory".into(),
        _ => err.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_line_and_column() {
        let err = parse(b"{\n  \"a\": [1, 2,\n}").unwrap_err();
        assert!(err.contains("line 3 column 1"), "{err}");
        let err = parse(b"[1, 2").unwrap_err();
        assert!(err.starts_with("unexpected end of input"), "{err}");
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = "[".repeat(1_000_000);
        let err = parse(deep.as_bytes()).unwrap_err();
        assert!(err.contains("recursion limit"), "{err}");
    }
}
