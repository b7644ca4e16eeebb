//! `--data FILE`: any JSON document as the root, read once, no AWS call.

use std::io::{Read, Seek};
use std::path::Path;

use super::{InMemory, SourceError};
use crate::doc::Doc;
use crate::query::needs::Need;

/// Reads `path` (`-` for stdin) and makes it the root.
pub(crate) fn open(path: &str) -> Result<InMemory, SourceError> {
    open_for(path, None)
}

/// As [`open`], building only what `need` asks for (the lines of a
/// one-shot run; see `crate::query::needs`). Every top-level key is kept,
/// so names are suggested as from the whole document; a snapshot idcsh
/// wrote is built whole, for the collections computed from it. The text
/// is kept, so that the source can build the whole document when a
/// warning must look at all of it.
pub(crate) fn open_for(path: &str, need: Option<&Need>) -> Result<InMemory, SourceError> {
    let (label, bytes) = if path == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|err| SourceError::Unreadable {
                path: "standard input".into(),
                reason: err.to_string(),
            })?;
        ("stdin".to_owned(), FileBytes::Read(bytes))
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
    let invalid = |reason| SourceError::InvalidJson {
        path: if path == "-" {
            "standard input".into()
        } else {
            path.to_owned()
        },
        reason,
    };
    let Some(need) = need else {
        return Ok(InMemory::from_document(
            label,
            parse(&bytes).map_err(invalid)?,
        ));
    };
    let mut root = need.clone();
    root.entries.get_or_insert_default();
    let mark = crate::doc::ItemMark::new();
    let (pruned, marked) = parse_with(&bytes, Some(&root), Some(&mark)).map_err(invalid)?;
    if pruned.get("Snapshot").is_some() {
        return Ok(InMemory::from_document(
            label,
            parse(&bytes).map_err(invalid)?,
        ));
    }
    let source = InMemory::from_document(label, pruned);
    Ok(match marked {
        true => source.pruned_from(bytes).marked(mark),
        false => source.pruned_from(bytes),
    })
}

/// The JSON text in a file's bytes, after any byte order mark (as
/// [`parse`] reads it).
pub(crate) fn json_text(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes)
}

/// Parses a JSON document. serde_json's nesting limit (128) keeps hostile
/// input off the stack's end.
pub(crate) fn parse(bytes: &[u8]) -> Result<Doc, String> {
    parse_with(bytes, None, None).map(|(doc, _)| doc)
}

/// As [`parse`], building only what `need` asks for.
pub(crate) fn parse_pruned(bytes: &[u8], need: &Need) -> Result<Doc, String> {
    parse_with(bytes, Some(need), None).map(|(doc, _)| doc)
}

/// A file's bytes: read into memory, or, for a large file, mapped.
pub(crate) enum FileBytes {
    Read(Vec<u8>),
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for FileBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            FileBytes::Read(bytes) => bytes,
            FileBytes::Mapped(map) => map,
        }
    }
}

/// A regular file larger than `PARALLEL_READ`, mapped read-only, so that
/// its pages are the page cache's own: reading one into memory costs more
/// in fresh zeroed pages (one fault each) than parsing it does. `None`
/// for a smaller file, a pipe, or one that cannot be mapped.
fn map_if_large(file: &std::fs::File, metadata: Option<&std::fs::Metadata>) -> Option<FileBytes> {
    if !metadata.is_some_and(|m| m.is_file() && m.len() as usize > PARALLEL_READ) {
        return None;
    }
    // SAFETY: the map is read-only and idcsh never writes the file. The
    // disk cache's files are replaced by a rename, never rewritten in
    // place, so a map keeps the version it opened. A `--data` file
    // rewritten in place by another program while idcsh reads it may
    // change under the parser (the answer may then mix old and new
    // bytes) or, truncated, end the run with a bus error: the contract
    // of any program that maps files, which DESIGN.md states.
    #[allow(unsafe_code)]
    let mapped = unsafe { memmap2::Mmap::map(file) };
    mapped.ok().map(FileBytes::Mapped)
}

/// Reads a file whole: mapped when it is large, else read.
pub(crate) fn read(path: &Path) -> std::io::Result<FileBytes> {
    let mut file = std::fs::File::open(path)?;
    let metadata = file.metadata().ok();
    if let Some(mapped) = map_if_large(&file, metadata.as_ref()) {
        return Ok(mapped);
    }
    let size = metadata.map_or(0, |m| m.len() as usize);
    let mut bytes = Vec::new();
    read_rest(&mut file, &mut bytes, size)?;
    Ok(FileBytes::Read(bytes))
}

/// As [`parse`], building only what `need` asks for, if given; with
/// `mark`, a large listing's items that only go into the answer are
/// built as far as read and marked (the flag: whether any were; see
/// [`Doc::parse_split`]).
fn parse_with(
    bytes: &[u8],
    need: Option<&Need>,
    mark: Option<&crate::doc::ItemMark>,
) -> Result<(Doc, bool), String> {
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
    if text.len() > PARALLEL_PARSE
        && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1)
        && let Some(parsed) = Doc::parse_split(text, need, mark)
    {
        return Ok(parsed);
    }
    match need {
        Some(need) => Doc::parse_pruned(text, need),
        None => Doc::parse(text),
    }
    .map(|doc| (doc, false))
    .map_err(|err| {
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

/// Documents above this are parsed on two cores where their shape allows
/// (see [`Doc::parse_split`]).
const PARALLEL_PARSE: usize = 8 << 20;

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
fn read_file(path: &str) -> Result<FileBytes, Refused> {
    let mut file = std::fs::File::open(path).map_err(Refused::Io)?;
    let metadata = file.metadata().ok();
    let size = metadata.as_ref().map_or(0, |m| m.len() as usize);
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
    if let Some(mapped) = map_if_large(&file, metadata.as_ref()) {
        return Ok(mapped);
    }
    read_rest(&mut file, &mut bytes, size).map_err(Refused::Io)?;
    Ok(FileBytes::Read(bytes))
}

/// Files above this are mapped (see [`map`]); where a file cannot be,
/// it is read on every core, each core reading its share into its own
/// part of the buffer.
const PARALLEL_READ: usize = 8 << 20;

/// Reads the rest of `file` onto `bytes`, `size` being its length when
/// opened. Most of reading a large file is the kernel giving the buffer
/// fresh zeroed pages, one fault at a time; shared among the cores, the
/// faults are taken side by side.
fn read_rest(file: &mut std::fs::File, bytes: &mut Vec<u8>, size: usize) -> std::io::Result<()> {
    let start = bytes.len();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    #[cfg(unix)]
    if size > PARALLEL_READ && cores > 1 && size > start {
        use std::os::unix::fs::FileExt;
        // Zeroed by the allocator (fresh pages are zero already), not
        // written here: the first touch of each page is then the read's.
        let mut whole = vec![0u8; size];
        whole[..start].copy_from_slice(bytes);
        *bytes = whole;
        let share = (size - start).div_ceil(cores);
        let file_ref = &*file;
        let read = std::thread::scope(|scope| {
            let parts: Vec<_> = bytes[start..]
                .chunks_mut(share)
                .enumerate()
                .map(|(i, part)| {
                    let at = (start + i * share) as u64;
                    scope.spawn(move || file_ref.read_exact_at(part, at))
                })
                .collect();
            parts.into_iter().try_for_each(|part| {
                part.join()
                    .unwrap_or_else(|_| Err(std::io::ErrorKind::Other.into()))
            })
        });
        match read {
            Ok(()) => {
                // A file that grew since: the rest, as a plain read would.
                file.seek(std::io::SeekFrom::Start(size as u64))?;
                file.read_to_end(bytes)?;
                return Ok(());
            }
            // A file that shrank: read it again from where it is.
            Err(_) => {
                bytes.truncate(start);
                file.seek(std::io::SeekFrom::Start(start as u64))?;
            }
        }
    }
    bytes.reserve(size.saturating_sub(start));
    file.read_to_end(bytes)?;
    Ok(())
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
