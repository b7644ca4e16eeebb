//! idcsh: an interactive shell for AWS IAM Identity Center, queried with
//! JMESPath.
//!
//! Data flows one way: a line is parsed (`shell::line`), the collections it
//! needs are fetched from a `source` into the `session`, the expression is
//! evaluated (`query`), and the result is rendered (`render`). `app` wires
//! it together; `exec` is the one path every line takes.

pub mod app;
pub mod cli;
pub mod doc;
pub mod error;
pub mod exec;
pub mod files;
pub mod insights;
pub mod query;
pub mod render;
pub mod session;
pub mod shell;
pub mod source;
pub mod suggest;
