//! Long results on a terminal go through a pager: `$PAGER`, else
//! `less -FRX` (quit if one screen, keep colours, leave the text on screen).
//! As git does, `$LESS` defaults to `FRX`, so `PAGER=less` shows colours
//! rather than escape codes.

use std::io::{self, Write};
use std::process::{Command, Stdio};

/// The terminal's height in rows, if stdout is one.
pub(crate) fn screen_rows() -> Option<usize> {
    terminal_size::terminal_size_of(io::stdout()).map(|(_, height)| usize::from(height.0))
}

/// The pager's command line: `$PAGER` split like a shell would, `less -FRX`
/// when unset; `None` when `$PAGER` is empty (paging off).
pub(crate) fn pager_command() -> Option<Vec<String>> {
    match std::env::var("PAGER") {
        Ok(value) if value.trim().is_empty() => None,
        Ok(value) => shell_words::split(&value).ok().filter(|w| !w.is_empty()),
        Err(_) => Some(vec!["less".into(), "-FRX".into()]),
    }
}

/// Whether `output` is taller than a screen of `rows`.
pub(crate) fn too_tall(output: &[u8], rows: usize) -> bool {
    // One row stays for the prompt.
    output.iter().filter(|b| **b == b'\n').count() >= rows.saturating_sub(1).max(1)
}

/// Sends `output` through the pager; if the pager cannot start, prints it
/// and says why.
pub(crate) fn page(output: &[u8], command: &[String], err: &mut impl Write) -> io::Result<()> {
    let Some((program, args)) = command.split_first() else {
        return io::stdout().write_all(output);
    };
    let mut command = Command::new(program);
    command.args(args).env("LESSCHARSET", "utf-8");
    if std::env::var_os("LESS").is_none() {
        command.env("LESS", "FRX");
    }
    let child = command.stdin(Stdio::piped()).spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => {
            writeln!(
                err,
                "warning: cannot start the pager {program}: {e}; set PAGER or run .pager off"
            )?;
            let mut out = io::stdout().lock();
            out.write_all(output)?;
            return out.flush();
        }
    };
    if let Some(mut stdin) = child.stdin.take() {
        // The user may quit the pager before reading everything.
        match stdin.write_all(output) {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => return Err(e),
            _ => {}
        }
    }
    child.wait().map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_output_taller_than_the_screen_is_paged() {
        let ten_lines = "x\n".repeat(10);
        assert!(too_tall(ten_lines.as_bytes(), 5));
        assert!(!too_tall(ten_lines.as_bytes(), 40));
        assert!(!too_tall(b"", 2));
    }
}
