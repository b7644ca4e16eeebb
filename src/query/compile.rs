//! Turns the parser's AST into the tree our evaluator runs.
//!
//! Compiling once resolves function names and arities, converts literals to
//! `serde_json` (so the evaluator can borrow them), and catches errors before
//! any collection is fetched.

use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::Relaxed;

use crate::doc::Doc;

use super::QueryError;
use super::functions::Function;
use super::parse::{self, Arithmetic, Ast, AstKind, Comparator, Dialect, Divergence};
use super::reads::Reads;

/// Deepest bracket nesting an expression may have, checked on the tokens
/// before the recursive parser reads them.
pub const MAX_NESTING: usize = 200;

/// Deepest syntax tree an expression may have. Brackets are bounded
/// above; this bounds chains (`a.b.c`, `a[][]`, `a | b | c`), which nest
/// without them, so compiling and evaluating stay far from the stack's
/// end even in a debug build.
pub const MAX_DEPTH: usize = 500;

/// Longest expression accepted, in bytes. Chains such as `a.b.c...` nest
/// without brackets; this bounds their depth along with the parser's.
pub const MAX_EXPRESSION_BYTES: usize = 16 * 1024;

/// A compiled JMESPath expression node.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Identity,
    Field(Name),
    /// `a.b.c`: a chain of field lookups, walked without recursion.
    Path(Vec<Name>),
    Index(i64),
    Slice {
        start: Option<i64>,
        stop: Option<i64>,
        step: i64,
    },
    Literal(Doc),
    Subexpr(Box<Node>, Box<Node>),
    /// Projections and flattens over the array `source` gives, fused:
    /// `a[].b[?c].d` passes each element of `a` through every stage before
    /// the next element, so no array in between is built.
    Stream {
        source: Box<Node>,
        stages: Vec<Stage>,
        /// What the stages read below each element, to ask for ahead.
        reads: Reads,
    },
    ObjectValues(Box<Node>),
    Condition(Box<Node>, Box<Node>),
    Comparison(Comparator, Box<Node>, Box<Node>, StringOrder),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Not(Box<Node>),
    MultiList(Vec<Node>),
    MultiHash(Vec<(String, Node)>),
    /// A function call; the [`StringOrder`] says what `contains()` does
    /// with a string and a non-string (false, or the AWS CLI's error).
    Function(Function, Vec<Node>, StringOrder),
    /// `sort_by(args)` whose result is read only up to element `keep`
    /// (`sort_by(a, &k)[:10]`, `[0]`), or from the end (`[-5:]`, `[-1]`):
    /// only that front or back is put in order.
    SortByFirst {
        args: Vec<Node>,
        keep: usize,
        from_end: bool,
    },
    Expref(Box<Node>),
    /// The Community edition's nodes.
    /// `$`.
    Root,
    /// `$name`, bound by a `let` around it.
    Variable(String),
    /// `let $a = x in body`.
    Let(Vec<(String, Node)>, Box<Node>),
    Arithmetic(Arithmetic, Box<Node>, Box<Node>),
    Negate(Box<Node>),
    Ternary(Box<Node>, Box<Node>, Box<Node>),
    /// A multi-select evaluated on null too (`null | [@]` is `[null]`).
    SelectOnNull(Box<Node>),
    /// A slice that slices strings by character, and arrays.
    StringSlice {
        start: Option<i64>,
        stop: Option<i64>,
        step: i64,
    },
    /// A projection over a [`Node::StringSlice`]: on a string, the rest
    /// applies to the sliced string itself.
    SliceOfString(Box<Node>),
}

/// What `<`, `<=`, `>`, `>=` do with a string, and `contains()` with a
/// string and a non-string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StringOrder {
    /// The specification: null (and false for `contains`); the evaluation
    /// records that it happened ([`Met`](super::eval::Met)), for a warning.
    Null,
    /// The AWS CLI: two strings compared by code points; a string and a
    /// number, or `contains()` of a string and a non-string, are an
    /// error, as Python raises one.
    Compare,
}

/// One step of a [`Node::Stream`]: each value that reaches it gives any
/// number of values to the next step.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// `[]`: an array's elements take its place; anything else passes.
    Flatten,
    /// A projection's right-hand side; null results are dropped.
    Project(Node),
}

/// A field name in an expression, with the place among an object's entries
/// where it was last found. The items of a collection share one shape, so
/// looking there first finds the field in one comparison, reading only
/// the entry that holds it, instead of searching the entries before it.
#[derive(Debug, Default)]
pub struct Name {
    text: String,
    /// Shared by the threads evaluating one expression; written only when
    /// the field turns up somewhere else.
    last_found: AtomicUsize,
}

impl Name {
    /// A name not yet looked up.
    pub(crate) fn new(text: impl Into<String>) -> Name {
        Name {
            text: text.into(),
            last_found: AtomicUsize::new(0),
        }
    }

    /// Where this field was last found among an object's entries.
    pub(crate) fn last_found(&self) -> usize {
        self.last_found.load(Relaxed)
    }

    /// The value of this field in `doc`, if it is an object that has it.
    #[inline]
    pub(crate) fn lookup<'d>(&self, doc: &'d Doc) -> Option<&'d Doc> {
        let entries = doc.as_object()?;
        // An object's keys are unique (`Doc` keeps one entry per key), so
        // the entry at the guess, if its key matches, is the field.
        if let Some((key, value)) = entries.get(self.last_found())
            && crate::doc::same_key(key, &self.text)
        {
            return Some(value);
        }
        let position = doc.position(&self.text)?;
        self.last_found.store(position, Relaxed);
        entries.get(position).map(|(_, value)| value)
    }
}

impl std::ops::Deref for Name {
    type Target = str;

    fn deref(&self) -> &str {
        &self.text
    }
}

impl Clone for Name {
    fn clone(&self) -> Name {
        Name {
            text: self.text.clone(),
            last_found: AtomicUsize::new(self.last_found()),
        }
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        self.text == other.text
    }
}

/// What an expression reads from the root document.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RootRefs {
    /// Top-level names, in the order they first appear.
    pub fields: Vec<String>,
    /// True when the expression reads the root as a whole (`@`, `*`, `keys(@)`).
    pub whole: bool,
}

/// A compiled expression and what it found along the way.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub node: Node,
    /// The syntax tree, for warnings about the data it reads.
    pub ast: Ast,
    /// Where the AWS CLI would read the expression differently (in the
    /// specification's dialect; empty in the AWS CLI's).
    pub divergences: Vec<Divergence>,
    /// Whether evaluating it may meet something its answer should be told
    /// with, so that it is evaluated with a [`Met`](super::eval::Met).
    pub records: bool,
    /// Whether it holds an expression reference (`&expr`), which may
    /// reach the answer (`not_null(&a)`), where it has no value to show.
    pub exprefs: bool,
}

/// Parses and compiles `expression` in `dialect`.
pub(crate) fn compile(expression: &str, dialect: Dialect) -> Result<Compiled, QueryError> {
    check_length(expression)?;
    let (ast, found) = parse::parse(expression, dialect)?;
    let divergences = match dialect {
        Dialect::Spec | Dialect::Community => parse::parse(expression, Dialect::AwsCli)
            .map(|(_, found)| found)
            .unwrap_or_default(),
        Dialect::AwsCli => found,
    };
    let strings = match dialect {
        Dialect::Spec | Dialect::Community => StringOrder::Null,
        Dialect::AwsCli => StringOrder::Compare,
    };
    let lowering = Lowering {
        expression,
        dialect,
        strings,
        records: std::cell::Cell::new(false),
        exprefs: std::cell::Cell::new(false),
        variables: std::cell::RefCell::new(Vec::new()),
    };
    let node = lowering.lower(&ast, 0)?;
    Ok(Compiled {
        node,
        ast,
        divergences,
        records: lowering.records.get(),
        exprefs: lowering.exprefs.get(),
    })
}

/// Rejects an expression longer than [`MAX_EXPRESSION_BYTES`] before it is read.
fn check_length(expression: &str) -> Result<(), QueryError> {
    if expression.len() > MAX_EXPRESSION_BYTES {
        return Err(QueryError::TooLong {
            length: expression.len(),
        });
    }
    Ok(())
}

/// What lowering needs besides the tree: the text, for error locations,
/// the dialect, and what ordering comparisons do with strings.
struct Lowering<'e> {
    expression: &'e str,
    dialect: Dialect,
    strings: StringOrder,
    /// Set when a node may meet strings read as null (an ordering
    /// comparison or `contains()` in the specification's dialect).
    records: std::cell::Cell<bool>,
    /// Set when the tree holds an expression reference.
    exprefs: std::cell::Cell<bool>,
    /// The variables the `let`s around the node being lowered bind.
    variables: std::cell::RefCell<Vec<String>>,
}

impl Lowering<'_> {
    /// A multi-select as the dialect reads it on null: null, or (the
    /// Community edition) evaluated all the same.
    fn on_null(&self, select: Node) -> Node {
        match self.dialect {
            Dialect::Community => Node::SelectOnNull(Box::new(select)),
            _ => select,
        }
    }

    /// Whether the node at character column `at` follows a `.` (rather
    /// than a `|`): the two are one node in the tree.
    fn written_after_dot(&self, at: usize) -> bool {
        let before: String = self.expression.chars().take(at).collect();
        before.trim_end().ends_with('.')
    }

    fn lower(&self, ast: &Ast, depth: usize) -> Result<Node, QueryError> {
        if depth > MAX_DEPTH {
            return Err(QueryError::TooDeep {
                expression: self.expression.to_owned(),
                offset: ast.at,
            });
        }
        let lower = |ast: &Ast| self.lower(ast, depth + 1);
        let boxed = |ast: &Ast| lower(ast).map(Box::new);
        let all = |asts: &[Ast]| asts.iter().map(lower).collect::<Result<Vec<_>, _>>();
        Ok(match &ast.kind {
            AstKind::Identity => Node::Identity,
            AstKind::Field(name) => Node::Field(Name::new(name.as_str())),
            AstKind::Index(index) => Node::Index(*index),
            AstKind::Slice { start, stop, step } => {
                if *step == 0 {
                    return Err(QueryError::InvalidValue(
                        "slice step cannot be 0".to_owned(),
                    ));
                }
                match self.dialect {
                    Dialect::Community => Node::StringSlice {
                        start: *start,
                        stop: *stop,
                        step: *step,
                    },
                    _ => Node::Slice {
                        start: *start,
                        stop: *stop,
                        step: *step,
                    },
                }
            }
            AstKind::Literal(value) => Node::Literal(Doc::from(value.clone())),
            // The Community edition: `a.[b]` and `a.{b: c}` are null on a
            // null `a`, as a dot stops at null; `a | [b]` is `[null]`.
            AstKind::Subexpr(lhs, rhs)
                if self.dialect == Dialect::Community
                    && matches!(rhs.kind, AstKind::MultiList(_) | AstKind::MultiHash(..))
                    && self.written_after_dot(rhs.at) =>
            {
                let select = match lower(rhs)? {
                    Node::SelectOnNull(select) => *select,
                    other => other,
                };
                Node::Subexpr(boxed(lhs)?, Box::new(select))
            }
            AstKind::Subexpr(lhs, rhs) => {
                let (lhs, rhs) = (lower(lhs)?, lower(rhs)?);
                match (lhs, rhs) {
                    (Node::Field(a), Node::Field(b)) => Node::Path(vec![a, b]),
                    (Node::Path(mut path), Node::Field(b)) => {
                        path.push(b);
                        Node::Path(path)
                    }
                    (lhs, rhs) => {
                        let read = match (rhs.front_read(), rhs.back_read()) {
                            (Some(keep), _) => Some((keep, false)),
                            (None, Some(keep)) => Some((keep, true)),
                            (None, None) => None,
                        };
                        match (lhs, read) {
                            (Node::Function(Function::SortBy, args, _), Some((keep, from_end))) => {
                                Node::Subexpr(
                                    Box::new(Node::SortByFirst {
                                        args,
                                        keep,
                                        from_end,
                                    }),
                                    Box::new(rhs),
                                )
                            }
                            (lhs, _) => Node::Subexpr(Box::new(lhs), Box::new(rhs)),
                        }
                    }
                }
            }
            AstKind::Projection(lhs, rhs) => {
                let projected = stream(lower(lhs)?, Stage::Project(lower(rhs)?));
                let after_slice = matches!(&lhs.kind, AstKind::Subexpr(_, slice)
                    if matches!(slice.kind, AstKind::Slice { .. }));
                if self.dialect == Dialect::Community && after_slice {
                    Node::SliceOfString(Box::new(projected))
                } else {
                    projected
                }
            }
            AstKind::ObjectValues(node) => Node::ObjectValues(boxed(node)?),
            AstKind::Flatten(node) => stream(lower(node)?, Stage::Flatten),
            AstKind::Condition(predicate, then) => Node::Condition(boxed(predicate)?, boxed(then)?),
            AstKind::Comparison(comparator, lhs, rhs) => {
                let ordering = !matches!(comparator, Comparator::Equal | Comparator::NotEqual);
                // An equality records only where a side is an array or
                // object literal (`[0] == [false]`), so that the common
                // `Field == 'x'` filter keeps its fast path.
                let container = |node: &Ast| {
                    matches!(
                        &node.kind,
                        AstKind::Literal(
                            serde_json::Value::Array(_) | serde_json::Value::Object(_)
                        )
                    )
                };
                if ordering || container(lhs) || container(rhs) {
                    self.records.set(true);
                }
                Node::Comparison(*comparator, boxed(lhs)?, boxed(rhs)?, self.strings.clone())
            }
            AstKind::And(lhs, rhs) => Node::And(boxed(lhs)?, boxed(rhs)?),
            AstKind::Or(lhs, rhs) => Node::Or(boxed(lhs)?, boxed(rhs)?),
            AstKind::Not(node) => Node::Not(boxed(node)?),
            AstKind::MultiList(elements) => self.on_null(Node::MultiList(all(elements)?)),
            AstKind::MultiHash(pairs, replaced) => {
                for value in replaced {
                    lower(value)?;
                }
                self.on_null(Node::MultiHash(
                    pairs
                        .iter()
                        .map(|(key, value)| Ok((key.clone(), lower(value)?)))
                        .collect::<Result<_, QueryError>>()?,
                ))
            }
            AstKind::Root => Node::Root,
            AstKind::Variable(name) => {
                if !self.variables.borrow().iter().any(|bound| bound == name) {
                    return Err(QueryError::UndefinedVariable {
                        name: name.clone(),
                        expression: self.expression.to_owned(),
                        offset: ast.at,
                    });
                }
                Node::Variable(name.clone())
            }
            AstKind::Let(bindings, body) => {
                // The bindings see the scope around the let; the body sees them too.
                let values = bindings
                    .iter()
                    .map(|(name, value)| Ok((name.clone(), lower(value)?)))
                    .collect::<Result<Vec<_>, QueryError>>()?;
                let before = self.variables.borrow().len();
                self.variables
                    .borrow_mut()
                    .extend(bindings.iter().map(|(name, _)| name.clone()));
                let body = boxed(body);
                self.variables.borrow_mut().truncate(before);
                Node::Let(values, body?)
            }
            AstKind::Arithmetic(op, lhs, rhs) => Node::Arithmetic(*op, boxed(lhs)?, boxed(rhs)?),
            AstKind::Negate(node) => Node::Negate(boxed(node)?),
            AstKind::Ternary(condition, then, otherwise) => {
                Node::Ternary(boxed(condition)?, boxed(then)?, boxed(otherwise)?)
            }
            AstKind::Expref(node) => {
                self.exprefs.set(true);
                Node::Expref(boxed(node)?)
            }
            AstKind::Function(name, args) => {
                let function =
                    Function::from_name(name).ok_or_else(|| QueryError::UnknownFunction {
                        name: name.clone(),
                        expression: self.expression.to_owned(),
                        offset: ast.at,
                        suggestion: Function::closest(name),
                    })?;
                function.check_arity(args.len()).map_err(|err| match err {
                    QueryError::Arity {
                        function,
                        expected,
                        actual,
                        ..
                    } => QueryError::Arity {
                        function,
                        expected,
                        actual,
                        at: Some(Box::new((self.expression.to_owned(), ast.at))),
                    },
                    other => other,
                })?;
                if function.is_community() && self.dialect != Dialect::Community {
                    return Err(QueryError::CommunityFunction {
                        name: name.clone(),
                        expression: self.expression.to_owned(),
                        offset: ast.at,
                    });
                }
                let function = match (function, self.dialect) {
                    (Function::ToNumber, Dialect::AwsCli) => Function::ToNumberPython,
                    (function, _) => function,
                };
                if matches!(
                    function,
                    Function::Contains | Function::ToNumber | Function::ToNumberPython
                ) {
                    self.records.set(true);
                }
                Node::Function(function, all(args)?, self.strings.clone())
            }
        })
    }
}

/// Appends `stage` to the projection or flatten that `source` already is,
/// or starts one over it. Both take an array and map each element to any
/// number of values, joined in order, so a chain of them is one pass.
fn stream(source: Node, stage: Stage) -> Node {
    let (source, mut stages) = match source {
        Node::Stream { source, stages, .. } => (source, stages),
        source => (Box::new(source), Vec::new()),
    };
    stages.push(stage);
    Node::Stream {
        source,
        reads: Reads::of_stages(&stages),
        stages,
    }
}

impl Node {
    /// How many elements from the front of its input this node reads, when
    /// it reads no others: `[i]` and `[i:n]` with `i`, `n` ≥ 0, and what
    /// starts with them (`[:10].Name`).
    fn front_read(&self) -> Option<usize> {
        match self {
            Node::Index(index) => usize::try_from(*index).ok()?.checked_add(1),
            Node::Slice {
                start,
                stop: Some(stop),
                step,
            } if *step > 0 && start.is_none_or(|start| start >= 0) => usize::try_from(*stop).ok(),
            Node::Stream { source, .. } => source.front_read(),
            Node::Subexpr(lhs, _) => lhs.front_read(),
            _ => None,
        }
    }

    /// How many elements from the end of its input this node reads, when
    /// it reads no others: `[-i]` and `[-i:]`, and what starts with them
    /// (`[-5:].Name`).
    fn back_read(&self) -> Option<usize> {
        match self {
            Node::Index(index) if *index < 0 => usize::try_from(index.unsigned_abs()).ok(),
            Node::Slice {
                start: Some(start),
                stop: None,
                step,
            } if *start < 0 && *step > 0 => usize::try_from(start.unsigned_abs()).ok(),
            Node::Stream { source, .. } => source.back_read(),
            Node::Subexpr(lhs, _) => lhs.back_read(),
            _ => None,
        }
    }

    /// A copy with the top-level field `name` replaced by `value`.
    pub(crate) fn bind_root_field(&self, name: &str, value: &Doc, at_root: bool) -> Node {
        let bind =
            |node: &Node, at_root: bool| Box::new(node.bind_root_field(name, value, at_root));
        match self {
            Node::Field(field) if at_root && &**field == name => Node::Literal(value.clone()),
            Node::Path(path) if at_root && path.first().is_some_and(|f| &**f == name) => {
                let rest = match &path[1..] {
                    [one] => Node::Field(one.clone()),
                    more => Node::Path(more.to_vec()),
                };
                Node::Subexpr(Box::new(Node::Literal(value.clone())), Box::new(rest))
            }
            Node::Subexpr(lhs, rhs) => Node::Subexpr(bind(lhs, at_root), rhs.clone()),
            Node::Stream {
                source,
                stages,
                reads,
            } => Node::Stream {
                source: bind(source, at_root),
                stages: stages.clone(),
                reads: reads.clone(),
            },
            Node::Condition(a, b) => Node::Condition(bind(a, at_root), bind(b, at_root)),
            Node::Comparison(c, a, b, s) => {
                Node::Comparison(*c, bind(a, at_root), bind(b, at_root), s.clone())
            }
            Node::And(a, b) => Node::And(bind(a, at_root), bind(b, at_root)),
            Node::Or(a, b) => Node::Or(bind(a, at_root), bind(b, at_root)),
            Node::Not(a) => Node::Not(bind(a, at_root)),
            Node::ObjectValues(a) => Node::ObjectValues(bind(a, at_root)),
            Node::MultiList(items) => {
                Node::MultiList(items.iter().map(|i| *bind(i, at_root)).collect())
            }
            Node::Function(f, items, strings) => Node::Function(
                *f,
                items.iter().map(|i| *bind(i, at_root)).collect(),
                strings.clone(),
            ),
            Node::SortByFirst {
                args,
                keep,
                from_end,
            } => Node::SortByFirst {
                args: args.iter().map(|i| *bind(i, at_root)).collect(),
                keep: *keep,
                from_end: *from_end,
            },
            Node::MultiHash(pairs) => Node::MultiHash(
                pairs
                    .iter()
                    .map(|(k, v)| (k.clone(), *bind(v, at_root)))
                    .collect(),
            ),
            Node::SelectOnNull(a) => Node::SelectOnNull(bind(a, at_root)),
            Node::SliceOfString(a) => Node::SliceOfString(bind(a, at_root)),
            Node::Negate(a) => Node::Negate(bind(a, at_root)),
            Node::Arithmetic(op, a, b) => Node::Arithmetic(*op, bind(a, at_root), bind(b, at_root)),
            Node::Ternary(a, b, c) => {
                Node::Ternary(bind(a, at_root), bind(b, at_root), bind(c, at_root))
            }
            Node::Let(bindings, body) => Node::Let(
                bindings
                    .iter()
                    .map(|(k, v)| (k.clone(), *bind(v, at_root)))
                    .collect(),
                bind(body, at_root),
            ),
            other => other.clone(),
        }
    }

    /// The top-level names this expression reads from the root.
    pub(crate) fn root_refs(&self) -> RootRefs {
        let mut refs = RootRefs::default();
        self.collect_root_refs(true, &mut refs);
        refs
    }

    fn collect_root_refs(&self, at_root: bool, refs: &mut RootRefs) {
        match self {
            Node::Field(name) => {
                if at_root && !refs.fields.iter().any(|f| f == &**name) {
                    refs.fields.push(name.to_string());
                }
            }
            Node::Path(path) => {
                if let Some(first) = path.first()
                    && at_root
                    && !refs.fields.iter().any(|f| f == &**first)
                {
                    refs.fields.push(first.to_string());
                }
            }
            Node::Identity => refs.whole |= at_root,
            // `$.Users`: the root's field, wherever it is written.
            Node::Subexpr(lhs, rhs) if matches!(**lhs, Node::Root) => {
                rhs.collect_root_refs(true, refs);
            }
            Node::Root => refs.whole = true,
            Node::Subexpr(lhs, rhs) => {
                lhs.collect_root_refs(at_root, refs);
                rhs.collect_root_refs(false, refs);
            }
            Node::Stream { source, stages, .. } => {
                source.collect_root_refs(at_root, refs);
                for stage in stages {
                    if let Stage::Project(node) = stage {
                        node.collect_root_refs(false, refs);
                    }
                }
            }
            Node::Condition(a, b)
            | Node::Comparison(_, a, b, _)
            | Node::And(a, b)
            | Node::Or(a, b) => {
                a.collect_root_refs(at_root, refs);
                b.collect_root_refs(at_root, refs);
            }
            Node::Not(node)
            | Node::Negate(node)
            | Node::SelectOnNull(node)
            | Node::SliceOfString(node) => node.collect_root_refs(at_root, refs),
            Node::Arithmetic(_, a, b) => {
                a.collect_root_refs(at_root, refs);
                b.collect_root_refs(at_root, refs);
            }
            Node::Ternary(a, b, c) => {
                for node in [a, b, c] {
                    node.collect_root_refs(at_root, refs);
                }
            }
            Node::Let(bindings, body) => {
                for (_, value) in bindings {
                    value.collect_root_refs(at_root, refs);
                }
                body.collect_root_refs(at_root, refs);
            }
            // `*` on the root reads every collection.
            Node::ObjectValues(node) => node.collect_root_refs(at_root, refs),
            Node::MultiList(items)
            | Node::Function(_, items, _)
            | Node::SortByFirst { args: items, .. } => {
                for item in items {
                    item.collect_root_refs(at_root, refs);
                }
            }
            Node::MultiHash(pairs) => {
                for (_, value) in pairs {
                    value.collect_root_refs(at_root, refs);
                }
            }
            Node::Expref(node) => node.collect_root_refs(false, refs),
            Node::Index(_)
            | Node::Slice { .. }
            | Node::StringSlice { .. }
            | Node::Literal(_)
            | Node::Variable(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile(expression: &str) -> Result<Node, QueryError> {
        super::compile(expression, Dialect::Spec).map(|compiled| compiled.node)
    }

    fn refs(expression: &str) -> (Vec<String>, bool) {
        let refs = compile(expression).unwrap().root_refs();
        (refs.fields, refs.whole)
    }

    #[test]
    fn root_refs_name_only_top_level_fields() {
        assert_eq!(refs("length(Groups)"), (vec!["Groups".into()], false));
        assert_eq!(
            refs("Users[?UserName == 'a'].Name.GivenName"),
            (vec!["Users".into()], false)
        );
        assert_eq!(
            refs("{u: length(Users), g: Groups[0].GroupId}"),
            (vec!["Users".into(), "Groups".into()], false)
        );
        assert_eq!(
            refs("sort_by(Users, &UserName)[].UserName"),
            (vec!["Users".into()], false)
        );
        assert_eq!(refs("Groups | [0].Users"), (vec!["Groups".into()], false));
    }

    #[test]
    fn identity_and_wildcard_at_the_root_read_everything() {
        assert!(refs("keys(@)").1);
        assert!(refs("*").1);
        assert!(!refs("Users[*].UserName").1);
        assert!(!refs("Users[?@ == `1`]").1);
    }

    #[test]
    fn nesting_beyond_the_bound_is_an_error_not_a_crash() {
        let deep = "[".repeat(10_000);
        assert!(matches!(compile(&deep), Err(QueryError::TooDeep { .. })));
        let nots = "!".repeat(10_000) + "a";
        assert!(matches!(compile(&nots), Err(QueryError::TooDeep { .. })));
        let long = "a.".repeat(50_000) + "a";
        assert!(matches!(compile(&long), Err(QueryError::TooLong { .. })));
        // Brackets inside string literals do not count.
        let quoted = format!("'{}'", "[".repeat(1000));
        assert!(compile(&quoted).is_ok());
    }

    /// Chains nest without brackets: bounded by steps, not by length. Run
    /// with the stack the binary's main thread has (a test thread has a
    /// quarter of it).
    #[test]
    fn chains_beyond_the_bound_are_an_error_not_a_crash() {
        let check = || {
            let flattens = format!("a{}", "[]".repeat(1000));
            assert!(matches!(
                compile(&flattens),
                Err(QueryError::TooDeep { .. })
            ));
            let fields = format!("a{}", ".b".repeat(800));
            assert!(matches!(compile(&fields), Err(QueryError::TooDeep { .. })));
            let pipes = format!("a{}", " | b".repeat(800));
            assert!(matches!(compile(&pipes), Err(QueryError::TooDeep { .. })));
            assert!(compile(&format!("a{}", "[].b".repeat(100))).is_ok());
        };
        let thread = std::thread::Builder::new().stack_size(8 << 20).spawn(check);
        if let Err(panic) = thread.unwrap().join() {
            std::panic::resume_unwind(panic);
        }
    }

    #[test]
    fn unknown_functions_and_arity_fail_at_compile_time() {
        assert!(matches!(
            compile("lenght(@)"),
            Err(QueryError::UnknownFunction { suggestion: Some(s), .. }) if s == "length"
        ));
        assert!(matches!(
            compile("length(@, @)"),
            Err(QueryError::Arity { .. })
        ));
    }
}
