//! The settings a user can change from inside the shell.

use crate::query::Dialect;
use crate::render::{Expanded, Format};

/// Settings the user can change from inside the shell.
#[derive(Debug, Clone)]
pub struct Settings {
    pub format: Format,
    pub color: bool,
    pub timing: bool,
    /// `--yes`: write without asking.
    pub yes: bool,
    /// Long results go through `$PAGER` (the shell on a terminal only).
    pub pager: bool,
    /// When a table is drawn one field per line.
    pub expanded: Expanded,
    /// The specification's JMESPath, or the AWS CLI's where they differ.
    pub dialect: Dialect,
    /// `.output-file FILE`: results are appended there instead of shown.
    pub output_file: Option<std::path::PathBuf>,
    /// `--editing-mode vi`: vi keys in the shell; `None`: as ~/.inputrc says.
    pub vi: Option<bool>,
}

impl Settings {
    /// Settings for scripts and tests: `format`, no colour, nothing asked.
    pub fn plain(format: Format) -> Settings {
        Settings {
            format,
            color: false,
            timing: false,
            yes: false,
            pager: false,
            expanded: Expanded::Auto,
            dialect: Dialect::AwsCli,
            output_file: None,
            vi: None,
        }
    }
}
