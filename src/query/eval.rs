//! The evaluator: walks a compiled expression over borrowed data.

use super::QueryError;
use super::compile::{Node, Stage, StringOrder};
use super::functions;
use super::parallel;
use super::parse::Arithmetic;
use super::parse::Comparator;
use super::value::{Exact, Kind, Val};
use crate::doc::Doc;

use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering::Relaxed;

/// What one evaluation met where the other reading may answer
/// differently: an ordering comparison or `contains()` with strings
/// (null in the specification, compared or an error in the AWS CLI), an
/// equality of containers holding booleans and numbers, a `to_number`
/// text only Python reads.
#[derive(Debug, Default)]
pub(crate) struct Met {
    string_ordering: AtomicBool,
    boolean_as_number: AtomicBool,
    number_text: AtomicBool,
}

impl Met {
    /// Whether a string comparison answered null.
    pub(crate) fn string_ordering(&self) -> bool {
        self.string_ordering.load(Relaxed)
    }

    /// Whether an equality inside arrays or objects would be answered the
    /// other way by the AWS CLI (a boolean against a number).
    pub(crate) fn boolean_as_number(&self) -> bool {
        self.boolean_as_number.load(Relaxed)
    }

    /// Whether `to_number` met a text only one reading takes for a number.
    pub(crate) fn number_text(&self) -> bool {
        self.number_text.load(Relaxed)
    }
}

/// Where an evaluation records what its answer should be told with.
pub(crate) trait Record: Copy + Send + Sync {
    /// A comparison read strings as null.
    fn saw_string_ordering(&self);
    /// An equality the AWS CLI answers the other way.
    fn saw_boolean_as_number(&self);
    /// A `to_number` text the readings take differently.
    fn saw_number_text(&self);
}

impl Record for &Met {
    fn saw_string_ordering(&self) {
        self.string_ordering.store(true, Relaxed);
    }

    fn saw_boolean_as_number(&self) {
        self.boolean_as_number.store(true, Relaxed);
    }

    fn saw_number_text(&self) {
        self.number_text.store(true, Relaxed);
    }
}

/// Records nothing, for an expression that cannot meet anything worth a
/// warning: zero-sized, so that evaluating it costs what it did before
/// there was anything to record.
#[derive(Clone, Copy)]
pub(crate) struct Unrecorded;

impl Record for Unrecorded {
    fn saw_string_ordering(&self) {}

    fn saw_boolean_as_number(&self) {}

    fn saw_number_text(&self) {}
}

/// What an evaluation carries besides the value it is on: where it
/// records what it met, the document it began on (`$`), and the
/// variables `let` bound around it.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'e, 'a, R> {
    met: R,
    root: &'e Val<'a>,
    scope: Option<&'e Frame<'e, 'a>>,
}

impl<'e, 'a, R: Record> Ctx<'e, 'a, R> {
    /// An evaluation of the document `root`, recording in `met`.
    pub(crate) fn new(met: R, root: &'e Val<'a>) -> Self {
        Ctx {
            met,
            root,
            scope: None,
        }
    }
}

/// The variables one `let` binds, inside the scope it sits in.
pub(crate) struct Frame<'e, 'a> {
    bindings: Vec<(&'a str, Val<'a>)>,
    parent: Option<&'e Frame<'e, 'a>>,
}

/// The evaluation's context as the evaluator and the functions read it.
/// One type implements it ([`Ctx`]); a trait, so that functions taking it
/// stay generic over how the evaluation records.
pub(crate) trait Context<'a>: Record {
    /// How this context records.
    type Met: Record;
    /// `$`.
    fn root(&self) -> Val<'a>;
    /// `$name`, if a `let` around bound it.
    fn variable(&self, name: &str) -> Option<Val<'a>>;
    /// The innermost scope.
    fn scope(&self) -> Option<&Frame<'_, 'a>>;
    /// This context with `frame` as its innermost scope.
    fn within<'f>(&'f self, frame: &'f Frame<'f, 'a>) -> Ctx<'f, 'a, Self::Met>;
}

impl<'a, R: Record> Context<'a> for Ctx<'_, 'a, R> {
    type Met = R;

    fn root(&self) -> Val<'a> {
        self.root.clone()
    }

    fn variable(&self, name: &str) -> Option<Val<'a>> {
        let mut frame = self.scope;
        while let Some(current) = frame {
            if let Some((_, value)) = current.bindings.iter().find(|(n, _)| *n == name) {
                return Some(value.clone());
            }
            frame = current.parent;
        }
        None
    }

    fn scope(&self) -> Option<&Frame<'_, 'a>> {
        self.scope
    }

    fn within<'f>(&'f self, frame: &'f Frame<'f, 'a>) -> Ctx<'f, 'a, R> {
        Ctx {
            met: self.met,
            root: self.root,
            scope: Some(frame),
        }
    }
}

impl<R: Record> Record for Ctx<'_, '_, R> {
    fn saw_string_ordering(&self) {
        self.met.saw_string_ordering();
    }

    fn saw_boolean_as_number(&self) {
        self.met.saw_boolean_as_number();
    }

    fn saw_number_text(&self) {
        self.met.saw_number_text();
    }
}

/// Evaluates `node` with `current` as `@`, recording in `met` what the
/// answer should be told with.
pub(crate) fn eval<'a, M: Context<'a>>(
    node: &'a Node,
    current: &Val<'a>,
    met: M,
) -> Result<Val<'a>, Box<QueryError>> {
    Ok(match node {
        Node::Identity => current.clone(),
        Node::Field(name) => current.field_named(name),
        Node::Path(path) => {
            let mut value = current.clone();
            for name in path {
                value = value.field_named(name);
                if value.is_null() {
                    break;
                }
            }
            value
        }
        Node::Index(index) => current.index(*index),
        Node::Literal(doc) => Val::Ref(doc),
        Node::Slice { start, stop, step } => slice(current, *start, *stop, *step),
        Node::Subexpr(lhs, rhs) => {
            let left = eval(lhs, current, met)?;
            eval(rhs, &left, met)?
        }
        Node::Stream {
            source,
            stages,
            reads,
        } => {
            let source = eval(source, current, met)?;
            stream_over(source, stages, reads, met)?
        }
        Node::ObjectValues(node) => {
            let value = eval(node, current, met)?;
            match value.entries() {
                Some(entries) => Val::array(entries.into_iter().map(|(_, v)| v).collect()),
                None => Val::Null,
            }
        }
        Node::Condition(predicate, then) => {
            if eval(predicate, current, met)?.is_truthy() {
                eval(then, current, met)?
            } else {
                Val::Null
            }
        }
        Node::Comparison(comparator, lhs, rhs, strings) => {
            let left = eval(lhs, current, met)?;
            let right = eval(rhs, current, met)?;
            compare(*comparator, &left, &right, strings, met)?
        }
        Node::And(lhs, rhs) => {
            let left = eval(lhs, current, met)?;
            if left.is_truthy() {
                eval(rhs, current, met)?
            } else {
                left
            }
        }
        Node::Or(lhs, rhs) => {
            let left = eval(lhs, current, met)?;
            if left.is_truthy() {
                left
            } else {
                eval(rhs, current, met)?
            }
        }
        Node::Not(node) => Val::Bool(!eval(node, current, met)?.is_truthy()),
        Node::MultiList(_) | Node::MultiHash(_) if current.is_null() => Val::Null,
        Node::MultiList(items) => multi_list(items, current, met)?,
        Node::MultiHash(pairs) => multi_hash(pairs, current, met)?,
        Node::SelectOnNull(select) => match &**select {
            Node::MultiList(items) => multi_list(items, current, met)?,
            Node::MultiHash(pairs) => multi_hash(pairs, current, met)?,
            other => eval(other, current, met)?,
        },
        Node::Root => met.root(),
        Node::Variable(name) => met.variable(name).unwrap_or(Val::Null),
        Node::Let(bindings, body) => {
            let mut bound = Vec::with_capacity(bindings.len());
            for (name, value) in bindings {
                bound.push((name.as_str(), eval(value, current, met)?));
            }
            let frame = Frame {
                bindings: bound,
                parent: met.scope(),
            };
            eval(body, current, met.within(&frame))?
        }
        Node::Arithmetic(op, lhs, rhs) => {
            let left = eval(lhs, current, met)?;
            let right = eval(rhs, current, met)?;
            arithmetic(*op, &left, &right)?
        }
        Node::Negate(node) => {
            let value = eval(node, current, met)?;
            match value.exact() {
                Some(Exact::Int(n)) => Val::Integer(-n),
                Some(Exact::Float(n)) => Val::Number(-n),
                None => return Err(arithmetic_type_error("-", &[&value])),
            }
        }
        Node::Ternary(condition, then, otherwise) => {
            if eval(condition, current, met)?.is_truthy() {
                eval(then, current, met)?
            } else {
                eval(otherwise, current, met)?
            }
        }
        Node::StringSlice { start, stop, step } => match current.as_str() {
            Some(text) => slice_string(text, *start, *stop, *step),
            None => slice(current, *start, *stop, *step),
        },
        Node::SliceOfString(stream) => {
            let Node::Stream {
                source,
                stages,
                reads,
            } = &**stream
            else {
                return eval(stream, current, met);
            };
            let source = eval(source, current, met)?;
            if source.kind() == Kind::String {
                // The Community edition: the rest applies to the sliced string.
                let mut out = Vec::with_capacity(1);
                flow(stages, source, &mut out, met)?;
                out.pop().unwrap_or(Val::Null)
            } else {
                stream_over(source, stages, reads, met)?
            }
        }
        Node::SortByFirst {
            args,
            keep,
            from_end,
        } => {
            let args = args
                .iter()
                .map(|arg| eval(arg, current, met))
                .collect::<Result<Vec<_>, _>>()?;
            functions::sort_by_first(args, *keep, *from_end, met)?
        }
        Node::Expref(node) => Val::Expref(node),
        Node::Function(functions::Function::Length, args, _)
            if let [
                Node::Stream {
                    source,
                    stages,
                    reads,
                },
            ] = args.as_slice() =>
        {
            let source = eval(source, current, met)?;
            let count =
                move |count: &mut usize, item: &Val<'a>| flow(stages, item.clone(), count, met);
            match parallel::fold_elements(&source, Some(reads), false, |_| 0, count) {
                Some(counts) => Val::Integer(counts?.iter().sum::<usize>() as i128),
                // Not an array: the stream is null, and `length` says why it
                // cannot count that.
                None => functions::Function::Length.call(vec![Val::Null], met)?,
            }
        }
        Node::Function(function, args, strings) => {
            let args = args
                .iter()
                .map(|arg| eval(arg, current, met))
                .collect::<Result<Vec<_>, _>>()?;
            if *function == functions::Function::Contains
                && let [subject, search] = args.as_slice()
                && subject.kind() == Kind::String
                && search.kind() != Kind::String
            {
                met.saw_string_ordering();
                match strings {
                    StringOrder::Null => {}
                    StringOrder::Compare => {
                        return Err(Box::new(QueryError::InvalidValue(format!(
                            "contains() searches a string for a string, not a {} (the AWS CLI fails here too)",
                            search.kind().name()
                        ))));
                    }
                }
            }
            function.call(args, met)?
        }
    })
}

/// Each element of `source` through `stages` (null when it is no array).
fn stream_over<'a, M: Context<'a>>(
    source: Val<'a>,
    stages: &'a [Stage],
    reads: &crate::query::reads::Reads,
    met: M,
) -> Result<Val<'a>, Box<QueryError>> {
    let pass = move |item: &Val<'a>, out: &mut Vec<Val<'a>>| flow(stages, item.clone(), out, met);
    Ok(match parallel::each_element(&source, Some(reads), pass) {
        Some(items) => Val::array(items?),
        None => Val::Null,
    })
}

/// `[a, b]` on `current`.
fn multi_list<'a, M: Context<'a>>(
    items: &'a [Node],
    current: &Val<'a>,
    met: M,
) -> Result<Val<'a>, Box<QueryError>> {
    Ok(Val::array(
        items
            .iter()
            .map(|item| eval(item, current, met))
            .collect::<Result<_, _>>()?,
    ))
}

/// `{k: a}` on `current`.
fn multi_hash<'a, M: Context<'a>>(
    pairs: &'a [(String, Node)],
    current: &Val<'a>,
    met: M,
) -> Result<Val<'a>, Box<QueryError>> {
    let mut entries = Vec::with_capacity(pairs.len());
    for (key, value) in pairs {
        entries.push((key.as_str().into(), eval(value, current, met)?));
    }
    Ok(Val::Object(entries.into()))
}

/// The Community edition's arithmetic, on numbers only: integers stay
/// exact where Python's would (`+ - * // %`), `/` gives a float, `//`
/// floors and `%` takes the divisor's sign, as Python's do.
fn arithmetic<'a>(
    op: Arithmetic,
    left: &Val<'a>,
    right: &Val<'a>,
) -> Result<Val<'a>, Box<QueryError>> {
    let (Some(a), Some(b)) = (left.exact(), right.exact()) else {
        return Err(arithmetic_type_error(op.symbol(), &[left, right]));
    };
    let by_zero = || {
        Box::new(QueryError::InvalidValue(format!(
            "{} by zero",
            if op == Arithmetic::Modulo {
                "modulo"
            } else {
                "division"
            }
        )))
    };
    if let (Exact::Int(a), Exact::Int(b)) = (a, b) {
        let exact = match op {
            Arithmetic::Add => a.checked_add(b),
            Arithmetic::Subtract => a.checked_sub(b),
            Arithmetic::Multiply => a.checked_mul(b),
            Arithmetic::IntegerDivide | Arithmetic::Modulo if b == 0 => return Err(by_zero()),
            Arithmetic::IntegerDivide => {
                Some(a.div_euclid(b) - i128::from(b < 0 && a.rem_euclid(b) != 0))
            }
            Arithmetic::Modulo => {
                Some(a - b * (a.div_euclid(b) - i128::from(b < 0 && a.rem_euclid(b) != 0)))
            }
            Arithmetic::Divide => None,
        };
        if let Some(n) = exact {
            return Ok(Val::Integer(n));
        }
    }
    let float = |e: Exact| match e {
        Exact::Int(n) => n as f64,
        Exact::Float(f) => f,
    };
    let (a, b) = (float(a), float(b));
    Ok(Val::Number(match op {
        Arithmetic::Add => a + b,
        Arithmetic::Subtract => a - b,
        Arithmetic::Multiply => a * b,
        _ if b == 0.0 => return Err(by_zero()),
        Arithmetic::Divide => a / b,
        Arithmetic::IntegerDivide => (a / b).floor(),
        Arithmetic::Modulo => a - b * (a / b).floor(),
    }))
}

/// Arithmetic on something that is not a number.
fn arithmetic_type_error(symbol: &str, operands: &[&Val<'_>]) -> Box<QueryError> {
    let kinds: Vec<&str> = operands.iter().map(|v| v.kind().name()).collect();
    Box::new(QueryError::InvalidValue(format!(
        "{symbol} takes numbers, got {}",
        kinds.join(" and ")
    )))
}

/// A slice of a string's characters (the Community edition).
fn slice_string<'a>(text: &str, start: Option<i64>, stop: Option<i64>, step: i64) -> Val<'a> {
    let chars: Vec<char> = text.chars().collect();
    let items = Val::array(
        chars
            .iter()
            .map(|c| Val::String(c.to_string().into()))
            .collect(),
    );
    let sliced = slice(&items, start, stop, step);
    let mut out = String::new();
    if let Some(parts) = sliced.elements() {
        for part in parts {
            out.push_str(part.as_str().unwrap_or_default());
        }
    }
    Val::String(out.into())
}

/// Where the values that come out of a stream's last stage go.
trait Sink<'a> {
    fn take(&mut self, value: Val<'a>);
}

impl<'a> Sink<'a> for Vec<Val<'a>> {
    fn take(&mut self, value: Val<'a>) {
        self.push(value);
    }
}

/// Only how many came out: `length(stream)` builds no array.
impl<'a> Sink<'a> for usize {
    fn take(&mut self, _: Val<'a>) {
        *self += 1;
    }
}

/// Passes `item` through `stages`, handing what comes out of the last one to `out`.
fn flow<'a, M: Context<'a>, S: Sink<'a>>(
    stages: &'a [Stage],
    item: Val<'a>,
    out: &mut S,
    met: M,
) -> Result<(), Box<QueryError>> {
    if let Val::Ref(doc) = item {
        return flow_doc(stages, doc, out, met);
    }
    let Some((stage, rest)) = stages.split_first() else {
        out.take(item);
        return Ok(());
    };
    match stage {
        Stage::Flatten => match item.elements() {
            Some(inner) => {
                for element in inner {
                    flow(rest, element, out, met)?;
                }
            }
            None => flow(rest, item, out, met)?,
        },
        Stage::Project(node) => {
            let value = eval(node, &item, met)?;
            if !value.is_null() {
                flow(rest, value, out, met)?;
            }
        }
    }
    Ok(())
}

/// As `flow`, for a value borrowed from the data: fields and flattens
/// walk the document itself, building no value until the end or a stage
/// that computes one.
fn flow_doc<'a, M: Context<'a>, S: Sink<'a>>(
    stages: &'a [Stage],
    doc: &'a Doc,
    out: &mut S,
    met: M,
) -> Result<(), Box<QueryError>> {
    let Some((stage, rest)) = stages.split_first() else {
        out.take(Val::Ref(doc));
        return Ok(());
    };
    match stage {
        Stage::Project(node) => project_doc(node, rest, doc, out, met),
        Stage::Flatten => match doc {
            Doc::Array(elements) => {
                for element in elements {
                    flow_doc(rest, element, out, met)?;
                }
                Ok(())
            }
            _ => flow_doc(rest, doc, out, met),
        },
    }
}

/// A projection's right-hand side `node` on `doc`, what it gives (unless
/// null) passed on through `rest`. Fields, paths and filters stay in the
/// document; anything else is evaluated.
fn project_doc<'a, M: Context<'a>, S: Sink<'a>>(
    node: &'a Node,
    rest: &'a [Stage],
    doc: &'a Doc,
    out: &mut S,
    met: M,
) -> Result<(), Box<QueryError>> {
    let found = match node {
        Node::Identity | Node::Field(_) | Node::Path(_) => in_doc(node, doc).flatten(),
        Node::Condition(predicate, then) => {
            return match holds(predicate, doc, met)? {
                true => project_doc(then, rest, doc, out, met),
                false => Ok(()),
            };
        }
        _ => {
            return match eval(node, &Val::Ref(doc), met)? {
                Val::Ref(value) => project_found(Some(value), rest, out, met),
                value if value.is_null() => Ok(()),
                value => flow(rest, value, out, met),
            };
        }
    };
    project_found(found, rest, out, met)
}

/// Whether `predicate` is truthy on `doc`. Equality with a string, and
/// `&&`, `||` and `!` over such tests, are decided in the document without
/// building a value; anything else is evaluated.
fn holds<'a, M: Context<'a>>(
    predicate: &'a Node,
    doc: &'a Doc,
    met: M,
) -> Result<bool, Box<QueryError>> {
    match predicate {
        Node::Comparison(comparator @ (Comparator::Equal | Comparator::NotEqual), lhs, rhs, _)
            if let (Some(left), Some(right)) = (in_doc(lhs, doc), in_doc(rhs, doc))
                && let texts @ ((Some(_), _) | (_, Some(_))) =
                    (left.and_then(Doc::as_str), right.and_then(Doc::as_str)) =>
        {
            // A string equals only the same string, in every reading.
            let equal = texts.0 == texts.1;
            Ok(equal == (*comparator == Comparator::Equal))
        }
        Node::And(lhs, rhs) => Ok(holds(lhs, doc, met)? && holds(rhs, doc, met)?),
        Node::Or(lhs, rhs) => Ok(holds(lhs, doc, met)? || holds(rhs, doc, met)?),
        Node::Not(operand) => Ok(!holds(operand, doc, met)?),
        _ => Ok(eval(predicate, &Val::Ref(doc), met)?.is_truthy()),
    }
}

/// Where `node` leads in `doc` when it only reads it (a field, a path, a
/// literal, `@`): `Some(None)` when it leads nowhere, `None` when `node`
/// computes something.
fn in_doc<'a>(node: &'a Node, doc: &'a Doc) -> Option<Option<&'a Doc>> {
    match node {
        Node::Identity => Some(Some(doc)),
        Node::Field(name) => Some(name.lookup(doc)),
        Node::Path(names) => Some(names.iter().try_fold(doc, |doc, name| name.lookup(doc))),
        Node::Literal(literal) => Some(Some(literal)),
        _ => None,
    }
}

/// What a projection found in the document, passed on unless null.
fn project_found<'a, M: Context<'a>, S: Sink<'a>>(
    found: Option<&'a Doc>,
    rest: &'a [Stage],
    out: &mut S,
    met: M,
) -> Result<(), Box<QueryError>> {
    match found {
        None | Some(Doc::Null) => Ok(()),
        Some(value) => flow_doc(rest, value, out, met),
    }
}

/// Equality for any types; ordering between numbers, and between strings
/// as `strings` says (null otherwise).
fn compare<'a, M: Context<'a>>(
    comparator: Comparator,
    left: &Val<'a>,
    right: &Val<'a>,
    strings: &StringOrder,
    met: M,
) -> Result<Val<'a>, Box<QueryError>> {
    use std::cmp::Ordering::*;
    let order = match comparator {
        // The AWS CLI's reading (strings ordered): Python's equality.
        Comparator::Equal | Comparator::NotEqual => {
            let strict = || left.equals(right);
            let python = || left.equals_as_python(right);
            let equal = match strings {
                StringOrder::Compare => python(),
                StringOrder::Null => strict(),
            };
            let containers =
                matches!(left.kind(), Kind::Array | Kind::Object) && left.kind() == right.kind();
            if containers && strict() != python() {
                met.saw_boolean_as_number();
            }
            return Ok(Val::Bool(equal == (comparator == Comparator::Equal)));
        }
        _ => match (left.kind(), right.kind(), strings) {
            (Kind::Number, Kind::Number, _) => left.compare(right),
            (Kind::String, Kind::String | Kind::Number, StringOrder::Null)
            | (Kind::Number, Kind::String, StringOrder::Null) => {
                met.saw_string_ordering();
                None
            }
            (Kind::String, Kind::String, StringOrder::Compare) => {
                met.saw_string_ordering();
                left.compare(right)
            }
            (Kind::String, Kind::Number, StringOrder::Compare)
            | (Kind::Number, Kind::String, StringOrder::Compare) => {
                met.saw_string_ordering();
                return Err(Box::new(QueryError::InvalidValue(format!(
                    "cannot order a {} and a {} (the AWS CLI fails here too)",
                    left.kind().name(),
                    right.kind().name()
                ))));
            }
            _ => None,
        },
    };
    let Some(order) = order else {
        return Ok(Val::Null);
    };
    Ok(Val::Bool(match comparator {
        Comparator::LessThan => order == Less,
        Comparator::LessThanEqual => order != Greater,
        Comparator::GreaterThan => order == Greater,
        _ => order != Less,
    }))
}

/// Python-style slicing, as the JMESPath specification defines it.
fn slice<'a>(array: &Val<'a>, start: Option<i64>, stop: Option<i64>, step: i64) -> Val<'a> {
    let Some(len) = array.array_len() else {
        return Val::Null;
    };
    let len = len as i64;
    let adjust = |endpoint: i64| {
        if endpoint < 0 {
            let shifted = endpoint + len;
            if shifted < 0 {
                if step < 0 { -1 } else { 0 }
            } else {
                shifted
            }
        } else if endpoint >= len {
            if step < 0 { len - 1 } else { len }
        } else {
            endpoint
        }
    };
    let start = start.map_or(if step < 0 { len - 1 } else { 0 }, adjust);
    let stop = stop.map_or(if step < 0 { -1 } else { len }, adjust);
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        if (0..len).contains(&i) {
            out.push(array.index(i));
        }
        i += step;
    }
    Val::array(out)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value as Json, json};

    use crate::doc::Doc;
    use crate::query::{Query, QueryError, Val};

    fn run(expression: &str, data: &Json) -> Result<Json, QueryError> {
        let doc = Doc::from(data.clone());
        let query = Query::compile(expression)?;
        query.evaluate(&Val::Ref(&doc)).map(|v| v.to_json())
    }

    /// Users with tied keys, a missing key, nested arrays and nulls.
    fn people() -> Json {
        let names = ["Nguyen", "O'Brien", "Abe", "Nguyen", "Zhou", "Abe", "Lee"];
        let people: Vec<Json> = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                json!({
                    "id": i,
                    "name": {"family": name},
                    "emails": if i % 3 == 0 { json!([{"v": format!("{i}@a")}, {"v": null}, {"x": 1}]) } else { json!([[{"v": i}], {"v": format!("{i}@b")}]) },
                    "tags": if i == 4 { Json::Null } else { json!([[i, [i]], i]) },
                })
            })
            .collect();
        json!({"people": people, "one": {"a": [1, [2, [3]]]}})
    }

    /// `length` of a stream counts without building it: the count is the
    /// length of the array the stream gives, and an error (or a stream of
    /// no array) is the one the stream or `length(null)` gives.
    #[test]
    fn a_counted_stream_is_as_long_as_the_built_one() {
        let data = people();
        for stream in [
            "people[].emails[].v",
            "people[].emails[][].v",
            "people[].tags[][]",
            "people[?id > `2`].name.family",
            "people[*].emails[0]",
            "people[].nothing",
            "one.a[][]",
            "missing[].a",
            "people[].abs(name)",
            "people[].emails[].v.length(@)",
        ] {
            let counted = run(&format!("length({stream})"), &data);
            let built = match run(stream, &data) {
                Ok(Json::Array(items)) => Ok(json!(items.len())),
                Ok(other) => run("length(@)", &other),
                Err(e) => Err(e),
            };
            assert_eq!(
                counted.map_err(|e| e.to_string()),
                built.map_err(|e| e.to_string()),
                "{stream}"
            );
        }
    }

    /// A filter decided in the document (equality with a string, and `&&`,
    /// `||`, `!` over such tests) answers as the `jmespath` crate, an
    /// independent evaluator, does: on strings, numbers, null, booleans,
    /// containers and missing fields, with the string on either side.
    #[test]
    fn a_filter_decided_in_the_document_answers_as_another_engine_does() {
        let values = [
            json!("x"),
            json!("y"),
            json!("xx"),
            json!("a longer text, past sixteen bytes"),
            json!("a longer text, past sixteen bytez"),
            json!(""),
            json!(1),
            json!(null),
            json!(true),
            json!(["x"]),
            json!({"x": "x"}),
        ];
        let items: Vec<Json> = values
            .iter()
            .flat_map(|a| values.iter().map(move |b| json!({"a": a, "n": {"b": b}})))
            .chain([json!({}), json!("x"), json!(null), json!({"n": "x"})])
            .collect();
        let data = json!({"items": items});
        let oracle_data = jmespath::Variable::from_json(&data.to_string()).unwrap();
        for filter in [
            "a == 'x'",
            "'x' == a",
            "a != 'x'",
            "a == n.b",
            "n.b != a",
            "@ == 'x'",
            "a == `\"a longer text, past sixteen bytes\"`",
            "a == 'x' && n.b != 'y'",
            "a == 'x' || n.b == 'xx'",
            "!(a == '')",
            "a == `1` || n.b == 'y'",
            "a",
        ] {
            let expression = format!("items[?{filter}]");
            let oracle = jmespath::compile(&expression)
                .unwrap()
                .search(&oracle_data)
                .unwrap();
            let expected: Json = serde_json::from_str(&oracle.to_string()).unwrap();
            assert_eq!(run(&expression, &data).unwrap(), expected, "{expression}");
        }
    }

    /// A chain of projections and flattens is one pass, and answers as the
    /// same steps taken one at a time through pipes do.
    #[test]
    fn fused_projections_answer_as_steps_taken_one_at_a_time() {
        let data = people();
        let cases = [
            ("people[].emails[].v", "people[] | [*].emails | [] | [*].v"),
            ("people[*].emails[*].v", "people[*].emails | [*][*].v"),
            ("people[].tags[][]", "people[] | [*].tags | [] | []"),
            (
                "people[?id > `2`].name.family",
                "people | [?id > `2`] | [*].name.family",
            ),
            (
                "people[].emails[?v][].v",
                "people[] | [*].emails | [*][?v] | [] | [*].v",
            ),
            ("one.a[][]", "one.a | [] | []"),
        ];
        for (fused, stepwise) in cases {
            let got = run(fused, &data).unwrap();
            assert_eq!(got, run(stepwise, &data).unwrap(), "{fused}");
            assert_ne!(got, Json::Null, "{fused} should select something");
        }
        for not_an_array in ["one[]", "one[*].a", "people[0][]", "people[0].name[*]"] {
            assert_eq!(
                run(not_an_array, &data).unwrap(),
                Json::Null,
                "{not_an_array}"
            );
        }
        assert_eq!(
            run("people[].emails[].v", &data).unwrap(),
            json!(["0@a", "1@b", "2@b", "3@a", "4@b", "5@b", "6@a"])
        );
        let tags = run("people[].tags[][]", &data).unwrap();
        assert_eq!(
            tags.as_array().unwrap()[..3],
            [json!(0), json!([0]), json!(0)]
        );
    }

    /// A field is looked for first where it was last found; objects of
    /// other shapes, missing fields and built objects still answer right.
    #[test]
    fn fields_are_found_whatever_shape_each_object_has() {
        let data = json!([
            {"a": 1, "b": 2, "c": {"d": 3}},
            {"a": 4, "b": 5, "c": {"d": 6}},
            {"c": {"x": 0, "d": 7}, "b": 8},
            {"b": 9},
            {"b": 10, "c": {"d": 11}, "a": 12},
            [1, 2],
            "text",
            {"c": {"d": 13}},
        ]);
        assert_eq!(
            run("[*].[a, b, c.d]", &data).unwrap(),
            json!([
                [1, 2, 3],
                [4, 5, 6],
                [null, 8, 7],
                [null, 9, null],
                [12, 10, 11],
                [null, null, null],
                [null, null, null],
                [null, null, 13]
            ])
        );
        assert_eq!(
            run("[*].{b: b, a: a} | [*].a", &data).unwrap(),
            json!([1, 4, 12])
        );
    }

    /// `sort_by(...)[:n]` sorts only the front it keeps; the answer is the
    /// full sort's, ties included, for every kind of front.
    #[test]
    fn a_sorted_front_is_the_full_sort_cut_short() {
        let mut data = people();
        // Seven people exercise fronts too long to pick out (a front of a
        // quarter or more is sorted in full); a crowd of 400 with five
        // family names exercises the picking, ties and all.
        let names = ["Nguyen", "O'Brien", "Abe", "Zhou", "Lee"];
        let crowd: Vec<Json> = (0..400)
            .map(|i| json!({"id": (i * 37) % 400, "name": {"family": names[(i * 7) % 5]}}))
            .collect();
        data["crowd"] = json!(crowd);
        let fronts = [
            "[:0]",
            "[:1]",
            "[:3]",
            "[:6]",
            "[:7]",
            "[:20]",
            "[2:5]",
            "[5:2]",
            "[0]",
            "[3]",
            "[6]",
            "[9]",
            "[:6:2]",
            "[1:6:3]",
            "[:3].id",
            "[:3].name.family",
            "[1].id",
            "[:3] | [].id",
        ];
        for front in fronts.iter().chain(&["[:50].id", "[10:90].id", "[99].id"]) {
            for key in ["&name.family", "&id", "&to_string(id)"] {
                for array in ["people", "crowd"] {
                    let cut = format!("sort_by({array}, {key}){front}");
                    // Wrapped in a list, the sort is not seen as followed
                    // by a front, so it sorts everything.
                    let full = format!("[sort_by({array}, {key})][0]{front}");
                    assert_eq!(
                        run(&cut, &data).unwrap(),
                        run(&full, &data).unwrap(),
                        "{cut}"
                    );
                }
            }
        }
        assert_eq!(
            run("sort_by(crowd, &name.family)[:3].id", &data).unwrap(),
            json!([37, 222, 7]),
            "the first three Abes, in the crowd's order"
        );
        assert_eq!(
            run("sort_by(people, &name.family)[:4].id", &data).unwrap(),
            json!([2, 5, 6, 0]),
            "ties keep their order"
        );
        let err = run("sort_by(people, &(id == `5` && 'x' || id))[:1]", &data).unwrap_err();
        assert_eq!(err.code(), "invalid-type", "every key is still checked");
        let err = run("sort_by(`1`, &id)[:1]", &data).unwrap_err();
        assert_eq!(err.code(), "invalid-type");
    }
}
