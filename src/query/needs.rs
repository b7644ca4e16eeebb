//! What an expression needs of a document to answer exactly, so that a
//! one-shot run (`idcsh --data users.json -c EXPR`) can leave the rest of
//! the file unbuilt: a 48 MB file of 100,000 users, read for
//! `length(Users[?Name.GivenName == 'Alice'])`, keeps one string a user.
//!
//! The analysis runs backwards from the answer, which is needed whole:
//! each node says what it needs of its input given what is needed of its
//! output. Whatever a comparison, a truth test or a function reads is
//! needed whole; a field read keeps its key; an array that is projected,
//! indexed, sliced or counted keeps every element (pruned as their own
//! need says), so counts and positions hold; an object whose keys are
//! counted or listed keeps every key. A value of no need keeps its type
//! (an object becomes `{}`, an array `[]`). Types, null-ness, lengths,
//! positions and every value read are those of the whole document, so
//! the answer and its errors are too; `tests/pruning.rs` holds that to
//! the full evaluation over thousands of expressions.

use std::borrow::Cow;

use super::compile::{Node, Stage};
use super::functions::Function;

/// What is needed of a value: all of it, or some of its fields and
/// elements.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Need {
    /// The value as it is, everything below it.
    pub whole: bool,
    /// The value goes into the answer as it is, one of a bounded few that
    /// do (an index, a short slice, `max_by`), and nothing reads more of
    /// it than `fields` and `elements` say. A parser builds it whole,
    /// except a split listing's items ([`crate::doc::ItemMark`]): those
    /// may be built as far as read, with a mark to build them whole by
    /// once the answer is known.
    pub passed: bool,
    /// These fields of an object, each with what is needed of it.
    pub fields: Vec<(String, Need)>,
    /// Every element of an array, each with this need.
    pub elements: Option<Box<Need>>,
    /// Every entry of an object (its keys, for counting or listing), each
    /// value with this need.
    pub entries: Option<Box<Need>>,
}

impl Need {
    /// All of a value.
    pub fn whole() -> Need {
        Need {
            whole: true,
            ..Need::default()
        }
    }

    /// A value that goes into the answer as it is (see [`Need::passed`]).
    pub fn passed() -> Need {
        Need {
            passed: true,
            ..Need::default()
        }
    }

    /// Whether a parser builds this value whole: it is needed whole or
    /// goes into the answer as it is.
    pub fn builds_whole(&self) -> bool {
        self.whole || self.passed
    }

    /// This need with every value that goes into the answer needed whole.
    pub fn settled(mut self) -> Need {
        if self.passed {
            return Need::whole();
        }
        for (_, need) in &mut self.fields {
            *need = std::mem::take(need).settled();
        }
        for slot in [&mut self.elements, &mut self.entries] {
            if let Some(need) = slot.take() {
                *slot = Some(Box::new(need.settled()));
            }
        }
        self
    }

    /// The fields named, each with `need`.
    fn field(name: &str, need: Need) -> Need {
        Need {
            fields: vec![(name.to_owned(), need)],
            ..Need::default()
        }
    }

    /// Every element, each with `need`.
    fn elements(need: Need) -> Need {
        Need {
            elements: Some(Box::new(need)),
            ..Need::default()
        }
    }

    /// Adds what `other` needs.
    pub fn merge(&mut self, other: Need) {
        if self.whole {
            return;
        }
        if other.whole {
            *self = Need::whole();
            return;
        }
        self.passed |= other.passed;
        for (name, need) in other.fields {
            match self.fields.iter_mut().find(|(n, _)| *n == name) {
                Some((_, mine)) => mine.merge(need),
                None => self.fields.push((name, need)),
            }
        }
        merge_slot(&mut self.elements, other.elements);
        merge_slot(&mut self.entries, other.entries);
    }

    /// The need of a named field, with what every entry needs folded in
    /// (borrowed unless both are there).
    pub fn of_field(&self, name: &str) -> Option<Cow<'_, Need>> {
        let named = self.fields.iter().find(|(n, _)| n == name).map(|(_, n)| n);
        match (named, self.entries.as_deref()) {
            (None, None) => None,
            (Some(one), None) | (None, Some(one)) => Some(Cow::Borrowed(one)),
            (Some(named), Some(every)) => {
                let mut need = named.clone();
                need.merge(every.clone());
                Some(Cow::Owned(need))
            }
        }
    }

    /// What is needed of each element of an array whose need this is;
    /// an array that goes into the answer as it is may hold any number
    /// of elements, so they are needed whole.
    pub(crate) fn of_elements(&self) -> Need {
        if self.builds_whole() {
            Need::whole()
        } else {
            self.elements.as_deref().cloned().unwrap_or_default()
        }
    }
}

fn merge_slot(mine: &mut Option<Box<Need>>, other: Option<Box<Need>>) {
    match (mine.as_mut(), other) {
        (Some(mine), Some(other)) => mine.merge(*other),
        (None, Some(other)) => *mine = Some(other),
        _ => {}
    }
}

/// What evaluating `node` needs of the value it runs on, given `demand`,
/// what is needed of its result; `None` when it reads more than that
/// value (`$`, a `let` variable), so nothing may be left out.
pub(crate) fn of(node: &Node, demand: &Need) -> Option<Need> {
    let whole = Need::whole();
    Some(match node {
        Node::Identity => demand.clone(),
        Node::Field(name) => field_read(name, demand.clone()),
        Node::Path(path) => path
            .iter()
            .rev()
            .fold(demand.clone(), |need, name| field_read(name, need)),
        Node::Index(_) => Need::elements(demand.clone()),
        Node::Slice { .. } if demand.passed && answers_few(node) => {
            Need::elements(passed_each(demand))
        }
        Node::Slice { .. } | Node::StringSlice { .. } => Need::elements(demand.of_elements()),
        Node::Literal(_) => Need::default(),
        Node::Subexpr(lhs, rhs) => of(lhs, &of(rhs, demand)?)?,
        Node::Stream { source, stages, .. } => {
            let mut need = match demand.passed && answers_few(node) {
                true => passed_each(demand),
                false => demand.of_elements(),
            };
            for stage in stages.iter().rev() {
                need = match stage {
                    Stage::Flatten => {
                        let mut either = need.clone();
                        either.merge(Need::elements(need));
                        either
                    }
                    Stage::Project(node) => of(node, &need)?,
                };
            }
            of(source, &Need::elements(need))?
        }
        Node::ObjectValues(node) => of(
            node,
            &Need {
                entries: Some(Box::new(demand.of_elements())),
                ..Need::default()
            },
        )?,
        Node::Condition(predicate, then) => both(of(predicate, &whole)?, of(then, demand)?),
        Node::Comparison(_, lhs, rhs, _) => both(of(lhs, &whole)?, of(rhs, &whole)?),
        // The left side's truth is tested, and it may be the answer.
        Node::And(lhs, rhs) | Node::Or(lhs, rhs) => both(of(lhs, &whole)?, of(rhs, demand)?),
        Node::Not(node) | Node::Negate(node) => of(node, &whole)?,
        Node::Arithmetic(_, lhs, rhs) => both(of(lhs, &whole)?, of(rhs, &whole)?),
        Node::Ternary(condition, then, otherwise) => both(
            of(condition, &whole)?,
            both(of(then, demand)?, of(otherwise, demand)?),
        ),
        Node::MultiList(items) => {
            let each = demand.of_elements();
            all(items.iter().map(|item| of(item, &each)))?
        }
        Node::MultiHash(pairs) => all(pairs.iter().map(|(key, value)| {
            let mut wanted = if demand.whole {
                Need::whole()
            } else {
                demand
                    .of_field(key)
                    .map(Cow::into_owned)
                    .unwrap_or_default()
            };
            if demand.passed {
                wanted.merge(Need::passed());
            }
            of(value, &wanted)
        }))?,
        Node::SelectOnNull(node) | Node::SliceOfString(node) => of(node, demand)?,
        Node::Function(function, args, _) => function_need(*function, args, demand)?,
        Node::SortByFirst { args, .. } => function_need(Function::SortBy, args, demand)?,
        // An expression reference outside the functions read below: its
        // body runs on values not known here.
        Node::Expref(_) => whole,
        Node::Root | Node::Variable(_) | Node::Let(..) => return None,
    })
}

/// `name` read with `need`; an array's elements keep the key too, so
/// that the warning for `Users.UserName` (read from the array, not its
/// items) sees what it would in the whole document.
fn field_read(name: &str, need: Need) -> Need {
    let mut read = Need::field(name, need);
    read.elements = Some(Box::new(Need::field(name, Need::default())));
    read
}

/// The most elements a slice answers for its values to be `passed`.
const FEW: i64 = 1024;

/// Whether `node` answers an array of at most [`FEW`] elements: a short
/// slice, and what ends in one (a stream without a flatten answers no
/// more values than its source has elements).
fn answers_few(node: &Node) -> bool {
    match node {
        Node::Slice { start, stop, step } => few(*start, *stop, *step),
        Node::Subexpr(_, rhs) => answers_few(rhs),
        Node::Stream { source, stages, .. } => {
            answers_few(source) && !stages.iter().any(|s| matches!(s, Stage::Flatten))
        }
        _ => false,
    }
}

/// What each element of a short array that goes into the answer as it is
/// needs: to be passed, and whatever `demand` asks of it besides.
fn passed_each(demand: &Need) -> Need {
    let mut each = demand.elements.as_deref().cloned().unwrap_or_default();
    each.merge(Need::passed());
    each
}

/// Whether a slice answers at most [`FEW`] elements of any array: from
/// the front (`[:10]`, `[2:8]`) or the back (`[-5:]`, `[-8:-2]`).
fn few(start: Option<i64>, stop: Option<i64>, step: i64) -> bool {
    let span = match (start, stop) {
        (None | Some(0), Some(stop)) if step > 0 && stop >= 0 => stop,
        (Some(start), Some(stop)) if (start >= 0) == (stop >= 0) => (stop - start).abs(),
        (Some(start), None) if step > 0 && start < 0 => -start,
        _ => return false,
    };
    span <= FEW * step.abs()
}

fn both(mut a: Need, b: Need) -> Need {
    a.merge(b);
    a
}

fn all(needs: impl Iterator<Item = Option<Need>>) -> Option<Need> {
    let mut total = Need::default();
    for need in needs {
        total.merge(need?);
    }
    Some(total)
}

/// What a function call needs of its input: its arguments whole, except
/// where the function reads less (a count, the sort key of each element,
/// what `map` reads of each element).
fn function_need(function: Function, args: &[Node], demand: &Need) -> Option<Need> {
    let whole = Need::whole();
    let count = Need {
        elements: Some(Box::default()),
        entries: Some(Box::default()),
        ..Need::default()
    };
    match (function, args) {
        (Function::Length, [arg]) => of(arg, &count),
        (Function::SortBy | Function::MaxBy | Function::MinBy, [array, Node::Expref(key)]) => {
            // sort_by answers the elements; max_by and min_by one of them.
            let mut element = match function {
                Function::SortBy => demand.of_elements(),
                _ => demand.clone(),
            };
            element.merge(of(key, &whole)?);
            of(array, &Need::elements(element))
        }
        (Function::Map, [Node::Expref(body), array]) => {
            let element = of(body, &demand.of_elements())?;
            of(array, &Need::elements(element))
        }
        (Function::Reverse, [arg]) => of(arg, &Need::elements(demand.of_elements())),
        // The first argument that is not null is the answer.
        (Function::NotNull, args) => all(args.iter().map(|arg| of(arg, demand))),
        (_, args) => all(args.iter().map(|arg| of(arg, &whole))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::Query;

    fn need(text: &str) -> Option<Need> {
        Query::compile(text).unwrap().needs()
    }

    #[test]
    fn a_count_of_a_filter_keeps_only_what_the_filter_reads() {
        let need = need("length(Users[?Name.GivenName == 'Alice'])").unwrap();
        let users = need.of_field("Users").unwrap().into_owned();
        assert!(!users.whole);
        let item = users.elements.unwrap();
        assert!(!item.whole);
        let name = item.of_field("Name").unwrap().into_owned();
        assert!(name.of_field("GivenName").unwrap().whole);
        assert!(item.of_field("UserName").is_none());
    }

    #[test]
    fn an_answer_is_needed_whole_and_the_root_variables_need_everything() {
        assert!(
            need("Users[0]")
                .unwrap()
                .of_field("Users")
                .unwrap()
                .into_owned()
                .elements
                .unwrap()
                .whole
        );
        assert!(need("keys(@)").unwrap().whole);
        assert!(
            Query::compile_in("$.a", crate::query::Dialect::Community)
                .unwrap()
                .needs()
                .is_none()
        );
    }
}
