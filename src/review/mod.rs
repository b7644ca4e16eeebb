//! Access reviews: what changed between two states of a directory
//! (`.diff`), what is wrong in one (`.check`), and the evidence pack an
//! auditor takes away (`.report`).

mod check;
mod diff;
mod report;

pub(crate) use check::admin_equivalent;
pub use check::{CheckOptions, Directory, findings};
pub(crate) use diff::{Side, diff, differs, summary};
pub(crate) use report::{Report, write_page, write_report};
