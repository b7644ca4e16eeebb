//! JMESPath: the one place that talks to the `jmespath` crate.
//!
//! The crate parses; we compile its AST into our own tree and evaluate that
//! over borrowed `Doc` data (see `crate::doc`), so a query never converts
//! the data it reads and keys keep the order AWS returned them in.

mod compile;
mod eval;
mod functions;
mod parallel;
mod reads;
mod value;

pub use compile::{MAX_DEPTH, MAX_EXPRESSION_BYTES, MAX_NESTING, Node, RootRefs};
pub use functions::NAMES as FUNCTION_NAMES;
pub use value::Val;

use serde_json::Value as Json;

/// Why an expression could not be compiled or evaluated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QueryError {
    #[error("syntax error: {message}")]
    Syntax {
        expression: String,
        offset: usize,
        message: String,
    },
    #[error("expression nests deeper than {MAX_NESTING} brackets or {MAX_DEPTH} steps")]
    TooDeep { expression: String, offset: usize },
    #[error("expression is {length} bytes long; the limit is {MAX_EXPRESSION_BYTES}")]
    TooLong { length: usize },
    #[error("unknown function {name}(){}", suggestion.map(|s| format!(" (did you mean {s}()?)")).unwrap_or_default())]
    UnknownFunction {
        name: String,
        expression: String,
        offset: usize,
        suggestion: Option<&'static str>,
    },
    #[error("{function}() takes {expected}, got {actual}")]
    Arity {
        function: &'static str,
        expected: String,
        actual: usize,
    },
    #[error("{function}() argument {position} must be {expected}, got {actual}")]
    InvalidType {
        function: &'static str,
        position: usize,
        expected: String,
        actual: &'static str,
    },
    #[error("invalid value: {0}")]
    InvalidValue(String),
}

impl QueryError {
    /// The error's name in the JMESPath compliance suite.
    pub fn code(&self) -> &'static str {
        match self {
            QueryError::Syntax { .. } | QueryError::TooDeep { .. } | QueryError::TooLong { .. } => {
                "syntax"
            }
            QueryError::UnknownFunction { .. } => "unknown-function",
            QueryError::Arity { .. } => "invalid-arity",
            QueryError::InvalidType { .. } => "invalid-type",
            QueryError::InvalidValue(_) => "invalid-value",
        }
    }

    /// The expression and the character column the error points at, when known.
    pub fn location(&self) -> Option<(&str, usize)> {
        match self {
            QueryError::Syntax {
                expression, offset, ..
            }
            | QueryError::TooDeep { expression, offset }
            | QueryError::UnknownFunction {
                expression, offset, ..
            } => Some((expression, *offset)),
            _ => None,
        }
    }
}

/// A compiled expression, ready to run against any root.
#[derive(Debug, Clone)]
pub struct Query {
    text: String,
    node: Node,
    refs: RootRefs,
}

impl Query {
    /// Parses and compiles `text`.
    pub fn compile(text: &str) -> Result<Query, QueryError> {
        let node = compile::compile(text)?;
        let refs = node.root_refs();
        Ok(Query {
            text: text.to_owned(),
            node,
            refs,
        })
    }

    /// The expression as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// What the expression reads from the root.
    pub fn root_refs(&self) -> &RootRefs {
        &self.refs
    }

    /// Evaluates against `root`, borrowing from it wherever possible.
    pub fn evaluate<'a>(&'a self, root: &Val<'a>) -> Result<Val<'a>, QueryError> {
        eval::eval(&self.node, root).map_err(|err| *err)
    }

    /// Evaluates against a JSON document and returns JSON.
    pub fn search(&self, data: &Json) -> Result<Json, QueryError> {
        let doc = crate::doc::Doc::from(data.clone());
        Ok(self.evaluate(&Val::Ref(&doc))?.to_json())
    }
}
