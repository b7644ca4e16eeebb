//! JMESPath: tokenize (`lexer`), parse (`parse`), compile the syntax tree
//! into the tree the evaluator runs (`compile`), and evaluate it over
//! borrowed `Doc` data (see `crate::doc`), so a query never converts the
//! data it reads and keys keep the order AWS returned them in.
//!
//! The `jmespath` crate's parser disagrees with the specification on a
//! handful of points (repeated keys, `[-0]`, `[a b]`, large indices,
//! where a projection ends), so the parser is our own; the crate's
//! compliance suite still checks it (`tests/compliance.rs`).

mod compile;
mod eval;
mod functions;
pub mod lexer;
pub(crate) mod lint;
pub mod needs;
mod parallel;
mod parse;
mod reads;
mod value;

pub use compile::{MAX_DEPTH, MAX_EXPRESSION_BYTES, MAX_NESTING, Node, RootRefs};
pub use functions::{names as function_names, signatures as function_signatures};
pub use parse::{Dialect, Divergence};
pub use value::Val;

use serde_json::Value as Json;

use eval::{Ctx, Met, Unrecorded};

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
    #[error(
        "{name}() is a JMESPath Community function; --compat community (or .compat community) reads it"
    )]
    CommunityFunction {
        name: String,
        expression: String,
        offset: usize,
    },
    #[error("{function}() takes {expected}, got {actual}")]
    Arity {
        function: &'static str,
        expected: String,
        actual: usize,
        /// The expression and the call's column, when compiled from text
        /// (boxed: errors stay small on the compiler's deep recursion).
        at: Option<Box<(String, usize)>>,
    },
    #[error("{function}() argument {position} must be {expected}, got {actual}")]
    InvalidType {
        function: &'static str,
        position: usize,
        expected: String,
        actual: &'static str,
        /// The expression and the call's column, when the expression
        /// calls the function once.
        at: Option<Box<(String, usize)>>,
    },
    #[error("invalid value: {0}")]
    InvalidValue(String),
    #[error(
        "${name} is not bound here: a variable is bound by let ${name} = ... in, and read inside that let"
    )]
    UndefinedVariable {
        name: String,
        expression: String,
        offset: usize,
    },
}

impl QueryError {
    /// The error's name in the JMESPath compliance suite.
    pub fn code(&self) -> &'static str {
        match self {
            QueryError::Syntax { .. } | QueryError::TooDeep { .. } | QueryError::TooLong { .. } => {
                "syntax"
            }
            QueryError::UnknownFunction { .. } | QueryError::CommunityFunction { .. } => {
                "unknown-function"
            }
            QueryError::Arity { .. } => "invalid-arity",
            QueryError::InvalidType { .. } => "invalid-type",
            QueryError::InvalidValue(_) => "invalid-value",
            QueryError::UndefinedVariable { .. } => "undefined-variable",
        }
    }

    /// The expression and the character column the error points at, when known.
    pub(crate) fn location(&self) -> Option<(&str, usize)> {
        match self {
            QueryError::Syntax {
                expression, offset, ..
            }
            | QueryError::TooDeep { expression, offset }
            | QueryError::UnknownFunction {
                expression, offset, ..
            }
            | QueryError::CommunityFunction {
                expression, offset, ..
            }
            | QueryError::UndefinedVariable {
                expression, offset, ..
            } => Some((expression, *offset)),
            QueryError::Arity { at: Some(at), .. }
            | QueryError::InvalidType { at: Some(at), .. } => Some((&at.0, at.1)),
            _ => None,
        }
    }
}

/// A compiled expression, ready to run against any root.
#[derive(Debug, Clone)]
pub struct Query {
    text: String,
    node: Node,
    ast: parse::Ast,
    refs: RootRefs,
    divergences: Vec<Divergence>,
    /// Evaluations may meet what their answers should be told with.
    records: bool,
    /// It holds an expression reference, which must not be the answer.
    exprefs: bool,
    /// The reading it was compiled in.
    dialect: Dialect,
}

/// An evaluation's answer (or failure) and the warnings it comes with:
/// where the other reading (the specification's for the AWS CLI's, the
/// AWS CLI's for the others) answers differently, and what it answers.
pub struct Evaluated<'a> {
    pub value: Result<Val<'a>, QueryError>,
    pub warnings: Vec<String>,
}

impl Query {
    /// Parses and compiles `text` as the JMESPath specification reads it.
    pub fn compile(text: &str) -> Result<Query, QueryError> {
        Query::compile_in(text, Dialect::Spec)
    }

    /// The syntax tree, one node a line, children indented.
    pub(crate) fn tree(&self) -> Vec<String> {
        self.ast.tree()
    }

    /// Parses and compiles `text` in `dialect`.
    pub fn compile_in(text: &str, dialect: Dialect) -> Result<Query, QueryError> {
        let compiled = compile::compile(text, dialect)?;
        let refs = compiled.node.root_refs();
        Ok(Query {
            text: text.to_owned(),
            node: compiled.node,
            ast: compiled.ast,
            refs,
            divergences: compiled.divergences,
            records: compiled.records,
            exprefs: compiled.exprefs,
            dialect,
        })
    }

    /// Where the other reading would read the text itself differently,
    /// one line each (what an evaluation meets comes with its answer:
    /// [`Evaluated`]).
    pub fn divergence_warnings(&self) -> Vec<String> {
        self.reasons(&Met::default())
            .iter()
            .map(|d| d.describe().to_owned())
            .collect()
    }

    /// What the text and the evaluation met where the readings may part.
    fn reasons(&self, met: &Met) -> Vec<Divergence> {
        let mut found = self.divergences.clone();
        if met.string_ordering() {
            found.push(Divergence::StringOrdering);
        }
        if met.boolean_as_number() {
            found.push(Divergence::BooleanAsNumber);
        }
        if met.number_text() {
            found.push(Divergence::NumberText);
        }
        found
    }

    /// One warning when the other reading answers otherwise on `root`:
    /// what it answers and why. The other reading is evaluated only when
    /// something that may part them was met, so an expression nothing
    /// parts costs one evaluation.
    fn other_answer(
        &self,
        root: &Val<'_>,
        ours: &Result<Val<'_>, QueryError>,
        reasons: &[Divergence],
    ) -> Option<String> {
        let other = self.dialect.other();
        let theirs = Query::compile_in(&self.text, other)
            .and_then(|query| query.evaluate(root).map(|value| value.to_json()));
        let ours = ours.as_ref().map(|value| value.to_json());
        let same = match (&ours, &theirs) {
            (Ok(a), Ok(b)) => a == b,
            (Err(a), Err(b)) => a.code() == b.code(),
            _ => false,
        };
        if same {
            return None;
        }
        let why: Vec<&str> = reasons.iter().map(|d| d.describe()).collect();
        Some(format!(
            "{} {}: {}",
            other.reader(),
            summary(&theirs),
            why.join("; ")
        ))
    }

    /// Warnings about fields the expression reads that the data does not
    /// have; `lookup` finds a top-level collection's name and items.
    pub(crate) fn data_warnings<'d>(&self, lookup: lint::Lookup<'_, 'd>) -> Vec<String> {
        lint::warnings(&self.ast, &self.text, lookup)
    }

    /// This query with the top-level field `name` read as `value` (`_`
    /// over a root that is not an object).
    pub(crate) fn with_root_field_bound(&self, name: &str, value: &crate::doc::Doc) -> Query {
        Query {
            node: self.node.bind_root_field(name, value, true),
            ..self.clone()
        }
    }

    /// Whether the expression reads a field named any of `names`, at any
    /// depth (what a source fetches only when asked for).
    pub fn names_any_field(&self, names: &[&str]) -> bool {
        names.iter().any(|name| self.ast.names_field(name))
    }

    /// What the expression needs of the document it runs on, in its
    /// reading and in the one its warnings compare with; `None` when it
    /// may need all of it (`$`, `let`).
    pub fn needs(&self) -> Option<needs::Need> {
        self.needs_of_answer(needs::Need::whole())
    }

    /// As [`needs`](Self::needs), with the few values that go into the
    /// answer as they are marked [`passed`](needs::Need::passed) rather
    /// than whole, where no warning can show another reading's answer
    /// (which would show them as built).
    pub fn needs_passing(&self) -> Option<needs::Need> {
        match self.records {
            true => self.needs(),
            false => self.needs_of_answer(needs::Need::passed()),
        }
    }

    fn needs_of_answer(&self, answer: needs::Need) -> Option<needs::Need> {
        let mut need = needs::of(&self.node, &answer)?;
        if let Ok(other) = Query::compile_in(&self.text, self.dialect.other()) {
            need.merge(needs::of(&other.node, &answer)?);
        }
        Some(need)
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
        eval::eval(&self.node, root, Ctx::new(Unrecorded, root))
            .and_then(|value| self.shown(value))
            .map_err(|err| self.located(*err))
    }

    /// The answer, unless an expression reference reached it
    /// (`not_null(&a)`): that has no value to show, and the AWS CLI
    /// fails to print it.
    fn shown<'a>(&self, value: Val<'a>) -> Result<Val<'a>, Box<QueryError>> {
        if self.exprefs && value.holds_expref() {
            return Err(Box::new(QueryError::InvalidValue(
                "an expression reference (&expr) is only a function's argument, as in sort_by(Users, &UserName); it has no value to show".into(),
            )));
        }
        Ok(value)
    }

    /// A type error placed at its call, when the expression calls that
    /// function once (where else could it be).
    fn located(&self, err: QueryError) -> QueryError {
        let QueryError::InvalidType {
            function,
            position,
            expected,
            actual,
            ..
        } = err
        else {
            return err;
        };
        let call = format!("{function}(");
        let mut calls = self.text.match_indices(&call).filter(|(at, _)| {
            !self.text[..*at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
        });
        let at = match (calls.next(), calls.next()) {
            (Some((at, _)), None) => Some(Box::new((
                self.text.clone(),
                self.text[..at].chars().count(),
            ))),
            _ => None,
        };
        QueryError::InvalidType {
            function,
            position,
            expected,
            actual,
            at,
        }
    }

    /// Evaluates against `root`, with the warnings the answer comes with.
    pub fn evaluate_warned<'a>(&'a self, root: &Val<'a>) -> Evaluated<'a> {
        let met = Met::default();
        let value = if self.records {
            eval::eval(&self.node, root, Ctx::new(&met, root))
        } else {
            eval::eval(&self.node, root, Ctx::new(Unrecorded, root))
        };
        let value = value
            .and_then(|value| self.shown(value))
            .map_err(|err| self.located(*err));
        let reasons = self.reasons(&met);
        let warnings = if reasons.is_empty() {
            Vec::new()
        } else {
            self.other_answer(root, &value, &reasons)
                .into_iter()
                .collect()
        };
        Evaluated { value, warnings }
    }

    /// Evaluates against a JSON document and returns JSON.
    pub fn search(&self, data: &Json) -> Result<Json, QueryError> {
        self.search_warned(data).0
    }

    /// As [`search`](Self::search), with the warnings the answer comes with.
    pub fn search_warned(&self, data: &Json) -> (Result<Json, QueryError>, Vec<String>) {
        let doc = crate::doc::Doc::from(data.clone());
        let evaluated = self.evaluate_warned(&Val::Ref(&doc));
        (evaluated.value.map(|v| v.to_json()), evaluated.warnings)
    }
}

/// What the other reading does, in a few words: "answers" its JSON up to
/// 60 characters, with the count of an array's items, or "fails" and why.
fn summary(answer: &Result<Json, QueryError>) -> String {
    const WIDTH: usize = 60;
    let cut = |text: String| {
        if text.chars().count() > WIDTH {
            let head: String = text.chars().take(WIDTH - 1).collect();
            format!("{head}…")
        } else {
            text
        }
    };
    match answer {
        Ok(value @ Json::Array(items)) if items.len() > 1 => {
            format!("answers {} ({} items)", cut(value.to_string()), items.len())
        }
        Ok(value) => format!("answers {}", cut(value.to_string())),
        Err(QueryError::Syntax { .. }) => "fails with a syntax error".into(),
        Err(err) => format!("fails ({})", cut(err.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A compiled query holds no state from its last evaluation: the
    /// warning about strings read as null comes with the answer that met
    /// them, however the evaluations interleave.
    #[test]
    fn warnings_come_with_the_answer_that_met_them() {
        let query = Query::compile("[?a > `1`]").unwrap();
        let strings = json!([{"a": "x"}]);
        let numbers = json!([{"a": 2}]);
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..50 {
                        let (value, warned) = query.search_warned(&strings);
                        assert_eq!(value.unwrap(), json!([]));
                        assert_eq!(warned.len(), 1, "{warned:?}");
                        let (value, quiet) = query.search_warned(&numbers);
                        assert_eq!(value.unwrap(), numbers);
                        assert!(quiet.is_empty(), "{quiet:?}");
                    }
                });
            }
        });
        assert!(query.divergence_warnings().is_empty());
    }
}
