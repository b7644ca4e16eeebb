//! idcsh: an interactive shell for AWS IAM Identity Center, queried with
//! JMESPath.
//!
//! Data flows one way: a line is parsed (`line`), a command runs
//! (`commands`) or the collections an expression needs are fetched from a
//! `source` into the `session` and it is evaluated (`query`), and the
//! result is rendered (`render`). `app` wires it together; `exec` is the
//! one path every line takes, from `-c`, a script or the `shell`.

pub mod app;
pub mod cli;
pub mod collection;
pub mod commands;
pub mod disk_cache;
pub mod doc;
pub mod error;
pub mod exec;
pub mod files;
pub mod history;
pub mod insights;
mod inspect;
pub mod line;
pub mod outcome;
pub mod query;
pub mod render;
pub mod review;
pub mod runtime;
pub mod saved;
pub mod session;
pub mod settings;
pub mod shell;
pub mod source;
pub mod suggest;
