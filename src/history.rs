//! The line history: kept in memory for `.history` and the editor, and
//! in a file shared by the sessions that run one after another.
//!
//! The file holds one entry per line; a backslash escapes a newline
//! (`\n`) or itself (`\\`), so multi-line expressions stay one entry.

use std::path::PathBuf;

use crate::files;

/// Entries kept, oldest dropped first.
pub(crate) const HISTORY_LIMIT: usize = 5_000;

/// The history of lines typed at the prompt.
#[derive(Debug, Default)]
pub struct History {
    path: Option<PathBuf>,
    entries: Vec<String>,
}

impl History {
    /// A history that is never written (`--no-history`, tests).
    pub(crate) fn in_memory() -> History {
        History::default()
    }

    /// The history in `path`, read now. A file that is not UTF-8 is moved
    /// aside and named in the returned warning.
    pub(crate) fn open(path: PathBuf) -> (History, Option<String>) {
        let (entries, warning) = read(&path);
        (
            History {
                path: Some(path),
                entries,
            },
            warning,
        )
    }

    /// The default file: `$XDG_DATA_HOME/idcsh/history`.
    pub(crate) fn default_path() -> Option<PathBuf> {
        files::data_dir().map(|dir| dir.join("history"))
    }

    /// Entries, oldest first.
    pub(crate) fn entries(&self) -> &[String] {
        &self.entries
    }

    /// Adds `line` as the newest entry (an older copy is dropped) and
    /// writes the file, merged with what other sessions wrote meanwhile.
    /// Returns a warning when the file could not be written or read.
    pub(crate) fn record(&mut self, line: &str) -> Option<String> {
        let line = line.trim();
        if line.is_empty() {
            return None;
        }
        let mut warning = None;
        if let Some(path) = &self.path {
            let (on_disk, read_warning) = read(path);
            warning = read_warning;
            if !on_disk.is_empty() {
                self.entries = on_disk;
            }
        }
        self.entries.retain(|entry| entry != line);
        self.entries.push(line.to_owned());
        if self.entries.len() > HISTORY_LIMIT {
            let excess = self.entries.len() - HISTORY_LIMIT;
            self.entries.drain(..excess);
        }
        if let Some(path) = &self.path {
            let written = files::write_private(path, |out| {
                for entry in &self.entries {
                    out.write_all(escape(entry).as_bytes())?;
                    out.write_all(b"\n")?;
                }
                Ok(())
            });
            if let Err(err) = written {
                warning = Some(format!(
                    "cannot write the history file {}: {err}",
                    path.display()
                ));
            }
        }
        warning
    }

    /// `.history N`: the last `n` entries, numbered from the oldest kept.
    pub(crate) fn last(&self, n: usize) -> Vec<(usize, &str)> {
        let start = self.entries.len().saturating_sub(n);
        self.numbered().skip(start).collect()
    }

    /// `.history TEXT`: the entries containing `text`.
    pub(crate) fn containing(&self, text: &str) -> Vec<(usize, &str)> {
        self.numbered()
            .filter(|(_, entry)| entry.contains(text))
            .collect()
    }

    fn numbered(&self) -> impl Iterator<Item = (usize, &str)> {
        self.entries
            .iter()
            .enumerate()
            .map(|(i, entry)| (i + 1, entry.as_str()))
    }
}

fn read(path: &std::path::Path) -> (Vec<String>, Option<String>) {
    match files::read_if_present(path) {
        Ok(None) => (Vec::new(), None),
        Ok(Some(bytes)) => match String::from_utf8(bytes) {
            Ok(text) => (text.lines().map(unescape).collect(), None),
            Err(_) => (
                Vec::new(),
                Some(format!(
                    "the history file {} is not text; {}; starting a new one",
                    path.display(),
                    files::set_aside_note(path)
                )),
            ),
        },
        Err(err) => (
            Vec::new(),
            Some(format!(
                "cannot read the history file {}: {err}",
                path.display()
            )),
        ),
    }
}

fn escape(entry: &str) -> String {
    entry.replace('\\', "\\\\").replace('\n', "\\n")
}

fn unescape(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_through_the_file_deduplicated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/idcsh/history");
        let (mut first, warning) = History::open(path.clone());
        assert!(warning.is_none());
        for line in [
            "length(Users)",
            "Users[?\n  UserName == 'a\\b']",
            "length(Users)",
        ] {
            assert!(first.record(line).is_none());
        }
        let (second, _) = History::open(path.clone());
        assert_eq!(
            second.entries(),
            ["Users[?\n  UserName == 'a\\b']", "length(Users)"]
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn two_sessions_keep_each_others_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history");
        let (mut a, _) = History::open(path.clone());
        let (mut b, _) = History::open(path.clone());
        a.record("from a");
        b.record("from b");
        let (merged, _) = History::open(path);
        assert_eq!(merged.entries(), ["from a", "from b"]);
    }

    #[test]
    fn the_history_is_bounded() {
        let mut history = History::in_memory();
        for i in 0..HISTORY_LIMIT + 10 {
            history.record(&format!("line {i}"));
        }
        assert_eq!(history.entries().len(), HISTORY_LIMIT);
        assert_eq!(history.entries()[0], "line 10");
        assert_eq!(history.last(2), [(4999, "line 5008"), (5000, "line 5009")]);
        assert_eq!(history.containing("line 500").len(), 11);
    }

    #[test]
    fn a_history_file_that_is_not_text_is_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history");
        std::fs::write(&path, b"ok\n\xff\xfe\n").unwrap();
        let (mut history, warning) = History::open(path.clone());
        assert!(warning.unwrap().contains("is not text; moved it to"));
        assert!(history.entries().is_empty());
        history.record("new");
        assert_eq!(std::fs::read(&path).unwrap(), b"new\n");
        let aside: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains(".corrupt-"))
            .collect();
        assert_eq!(aside.len(), 1);
        assert_eq!(std::fs::read(aside[0].path()).unwrap(), b"ok\n\xff\xfe\n");
    }
}
