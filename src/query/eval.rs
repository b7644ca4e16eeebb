//! The evaluator: walks a compiled expression over borrowed data.

use super::QueryError;
use super::compile::{Node, Stage, StringOrder};
use super::functions;
use super::parallel;
use super::parse::Comparator;
use super::value::{Kind, Val};

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

/// Evaluates `node` with `current` as `@`, recording in `met` what the
/// answer should be told with.
pub(crate) fn eval<'a, M: Record>(
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
            let pass =
                move |item: &Val<'a>, out: &mut Vec<Val<'a>>| flow(stages, item.clone(), out, met);
            match parallel::each_element(&source, Some(reads), pass) {
                Some(items) => Val::array(items?),
                None => Val::Null,
            }
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
        Node::MultiList(items) => {
            if current.is_null() {
                return Ok(Val::Null);
            }
            Val::array(
                items
                    .iter()
                    .map(|item| eval(item, current, met))
                    .collect::<Result<_, _>>()?,
            )
        }
        Node::MultiHash(pairs) => {
            if current.is_null() {
                return Ok(Val::Null);
            }
            let mut entries = Vec::with_capacity(pairs.len());
            for (key, value) in pairs {
                entries.push((key.as_str().into(), eval(value, current, met)?));
            }
            Val::Object(entries.into())
        }
        Node::SortByFirst { args, keep } => {
            let args = args
                .iter()
                .map(|arg| eval(arg, current, met))
                .collect::<Result<Vec<_>, _>>()?;
            functions::sort_by_first(args, *keep, met)?
        }
        Node::Expref(node) => Val::Expref(node),
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

/// Passes `item` through `stages`, pushing what comes out of the last one.
fn flow<'a, M: Record>(
    stages: &'a [Stage],
    item: Val<'a>,
    out: &mut Vec<Val<'a>>,
    met: M,
) -> Result<(), Box<QueryError>> {
    let Some((stage, rest)) = stages.split_first() else {
        out.push(item);
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

/// Equality for any types; ordering between numbers, and between strings
/// as `strings` says (null otherwise).
fn compare<'a, M: Record>(
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
