//! The evaluator: walks a compiled expression over borrowed data.

use jmespath::ast::Comparator;

use super::QueryError;
use super::compile::Node;
use super::parallel;
use super::value::{Kind, Val};

/// Evaluates `node` with `current` as `@`.
pub fn eval<'a>(node: &'a Node, current: &Val<'a>) -> Result<Val<'a>, Box<QueryError>> {
    Ok(match node {
        Node::Identity => current.clone(),
        Node::Field(name) => current.field(name),
        Node::Path(path) => {
            let mut value = current.clone();
            for name in path {
                value = value.field(name);
                if value.is_null() {
                    break;
                }
            }
            value
        }
        Node::Index(index) => current.index(*index),
        Node::Literal(doc) => Val::Ref(doc),
        Node::Slice { start, stop, step } => match current.elements() {
            Some(items) => slice(items.collect(), *start, *stop, *step),
            None => Val::Null,
        },
        Node::Subexpr(lhs, rhs) => {
            let left = eval(lhs, current)?;
            eval(rhs, &left)?
        }
        Node::Projection(lhs, rhs) => {
            let left = eval(lhs, current)?;
            let project = |item: &Val<'a>, out: &mut Vec<Val<'a>>| {
                let value = eval(rhs, item)?;
                if !value.is_null() {
                    out.push(value);
                }
                Ok::<(), Box<QueryError>>(())
            };
            match parallel::each_element(&left, project) {
                Some(items) => Val::array(items?),
                None => Val::Null,
            }
        }
        Node::ObjectValues(node) => {
            let value = eval(node, current)?;
            match value.entries() {
                Some(entries) => Val::array(entries.into_iter().map(|(_, v)| v).collect()),
                None => Val::Null,
            }
        }
        Node::Flatten(node) => {
            let value = eval(node, current)?;
            let flatten = |item: &Val<'a>, out: &mut Vec<Val<'a>>| {
                match item.elements() {
                    Some(inner) => out.extend(inner),
                    None => out.push(item.clone()),
                }
                Ok::<(), Box<QueryError>>(())
            };
            match parallel::each_element(&value, flatten) {
                Some(items) => Val::array(items?),
                None => Val::Null,
            }
        }
        Node::Condition(predicate, then) => {
            if eval(predicate, current)?.is_truthy() {
                eval(then, current)?
            } else {
                Val::Null
            }
        }
        Node::Comparison(comparator, lhs, rhs) => {
            let left = eval(lhs, current)?;
            let right = eval(rhs, current)?;
            compare(comparator, &left, &right)
        }
        Node::And(lhs, rhs) => {
            let left = eval(lhs, current)?;
            if left.is_truthy() {
                eval(rhs, current)?
            } else {
                left
            }
        }
        Node::Or(lhs, rhs) => {
            let left = eval(lhs, current)?;
            if left.is_truthy() {
                left
            } else {
                eval(rhs, current)?
            }
        }
        Node::Not(node) => Val::Bool(!eval(node, current)?.is_truthy()),
        Node::MultiList(items) => {
            if current.is_null() {
                return Ok(Val::Null);
            }
            Val::array(
                items
                    .iter()
                    .map(|item| eval(item, current))
                    .collect::<Result<_, _>>()?,
            )
        }
        Node::MultiHash(pairs) => {
            if current.is_null() {
                return Ok(Val::Null);
            }
            let mut entries = Vec::with_capacity(pairs.len());
            for (key, value) in pairs {
                entries.push((key.as_str().into(), eval(value, current)?));
            }
            Val::Object(entries.into())
        }
        Node::Expref(node) => Val::Expref(node),
        Node::Function(function, args) => {
            let args = args
                .iter()
                .map(|arg| eval(arg, current))
                .collect::<Result<Vec<_>, _>>()?;
            function.call(args)?
        }
    })
}

/// Equality for any types; ordering only between numbers (null otherwise).
fn compare<'a>(comparator: &Comparator, left: &Val<'a>, right: &Val<'a>) -> Val<'a> {
    use std::cmp::Ordering::*;
    match comparator {
        Comparator::Equal => Val::Bool(left.equals(right)),
        Comparator::NotEqual => Val::Bool(!left.equals(right)),
        ordering => {
            if left.kind() != Kind::Number || right.kind() != Kind::Number {
                return Val::Null;
            }
            let Some(order) = left.compare(right) else {
                return Val::Null;
            };
            Val::Bool(match ordering {
                Comparator::LessThan => order == Less,
                Comparator::LessThanEqual => order != Greater,
                Comparator::GreaterThan => order == Greater,
                _ => order != Less,
            })
        }
    }
}

/// Python-style slicing, as the JMESPath specification defines it.
fn slice<'a>(items: Vec<Val<'a>>, start: Option<i64>, stop: Option<i64>, step: i64) -> Val<'a> {
    let len = items.len() as i64;
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
        if let Some(item) = usize::try_from(i).ok().and_then(|i| items.get(i)) {
            out.push(item.clone());
        }
        i += step;
    }
    Val::array(out)
}
