//! The value the evaluator works on: a borrowed view of the held JSON where
//! possible, owned only where an expression builds something new.
//!
//! Borrowing from the held `Doc` collections means a filter over 100,000
//! users allocates nothing per user; only the result is turned into JSON
//! for rendering.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::Arc;

use serde_json::Value as Json;

use super::compile::{Name, Node};
use super::parallel;
use crate::doc::Doc;

/// A JMESPath value during evaluation; `'a` is the lifetime of the data and
/// of the compiled expression.
#[derive(Clone, Debug)]
pub enum Val<'a> {
    /// A value borrowed from the data or from a literal in the expression.
    Ref(&'a Doc),
    Null,
    Bool(bool),
    Number(f64),
    /// An exact integer a function made (`abs`, `sum`, `to_number`, ...)
    /// where an `f64` would round one above 2^53.
    Integer(i128),
    String(Arc<str>),
    Array(Arc<Vec<Val<'a>>>),
    Object(Arc<Vec<(Cow<'a, str>, Val<'a>)>>),
    /// An expression reference (`&expr`), only ever a function argument.
    Expref(&'a Node),
}

/// The JMESPath type of a value, as `type()` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Null,
    Boolean,
    Number,
    String,
    Array,
    Object,
    Expref,
}

impl Kind {
    /// The name `type()` returns and error messages use.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Boolean => "boolean",
            Kind::Number => "number",
            Kind::String => "string",
            Kind::Array => "array",
            Kind::Object => "object",
            Kind::Expref => "expref",
        }
    }
}

impl<'a> Val<'a> {
    /// Builds an owned array value.
    pub(crate) fn array(items: Vec<Val<'a>>) -> Self {
        Val::Array(Arc::new(items))
    }

    /// Builds an owned string value.
    pub(crate) fn string(s: impl Into<Arc<str>>) -> Self {
        Val::String(s.into())
    }

    /// The value's JMESPath type.
    pub(crate) fn kind(&self) -> Kind {
        match self {
            Val::Ref(doc) => match doc {
                Doc::Null => Kind::Null,
                Doc::Bool(_) => Kind::Boolean,
                Doc::Number(_) => Kind::Number,
                Doc::String(_) => Kind::String,
                Doc::Array(_) => Kind::Array,
                Doc::Object(_) => Kind::Object,
            },
            Val::Null => Kind::Null,
            Val::Bool(_) => Kind::Boolean,
            Val::Number(_) | Val::Integer(_) => Kind::Number,
            Val::String(_) => Kind::String,
            Val::Array(_) => Kind::Array,
            Val::Object(_) => Kind::Object,
            Val::Expref(_) => Kind::Expref,
        }
    }

    /// True for `null`.
    pub(crate) fn is_null(&self) -> bool {
        self.kind() == Kind::Null
    }

    /// JMESPath truthiness: false, null, empty string, array and object are false.
    pub(crate) fn is_truthy(&self) -> bool {
        match self {
            Val::Ref(doc) => match doc {
                Doc::Null => false,
                Doc::Bool(b) => *b,
                Doc::Number(_) => true,
                Doc::String(s) => !s.is_empty(),
                Doc::Array(a) => !a.is_empty(),
                Doc::Object(o) => !o.is_empty(),
            },
            Val::Null => false,
            Val::Bool(b) => *b,
            Val::Number(_) | Val::Integer(_) | Val::Expref(_) => true,
            Val::String(s) => !s.is_empty(),
            Val::Array(a) => !a.is_empty(),
            Val::Object(o) => !o.is_empty(),
        }
    }

    /// The number, if this is one.
    pub(crate) fn as_f64(&self) -> Option<f64> {
        match self {
            Val::Ref(Doc::Number(n)) => n.as_f64(),
            Val::Number(n) => Some(*n),
            Val::Integer(n) => Some(*n as f64),
            _ => None,
        }
    }

    /// The number as it is written: an integer exactly, else a float.
    pub(crate) fn exact(&self) -> Option<Exact> {
        match self {
            Val::Ref(Doc::Number(n)) => Some(match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => Exact::Int(i128::from(i)),
                (_, Some(u)) => Exact::Int(i128::from(u)),
                _ => Exact::Float(n.as_f64()?),
            }),
            Val::Number(n) => Some(Exact::Float(*n)),
            Val::Integer(n) => Some(Exact::Int(*n)),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Val::Ref(Doc::String(s)) => Some(s),
            Val::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number of elements, if this is an array.
    pub fn array_len(&self) -> Option<usize> {
        match self {
            Val::Ref(Doc::Array(a)) => Some(a.len()),
            Val::Array(a) => Some(a.len()),
            _ => None,
        }
    }

    /// The elements, if this is an array. Borrowed elements stay borrowed.
    pub(crate) fn elements(&self) -> Option<Elements<'_, 'a>> {
        match self {
            Val::Ref(Doc::Array(a)) => Some(Elements::Json(a.iter())),
            Val::Array(a) => Some(Elements::Owned(a.iter())),
            _ => None,
        }
    }

    /// The elements as a slice, if this is an array: borrowed documents or
    /// values built during evaluation.
    pub(crate) fn items(&self) -> Option<Items<'_, 'a>> {
        match self {
            Val::Ref(Doc::Array(a)) => Some(Items::Docs(a)),
            Val::Array(a) => Some(Items::Vals(a)),
            _ => None,
        }
    }

    /// The entries, if this is an object, in their order.
    pub(crate) fn entries(&self) -> Option<Vec<(Cow<'a, str>, Val<'a>)>> {
        match self {
            Val::Ref(Doc::Object(entries)) => Some(
                entries
                    .iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), Val::Ref(v)))
                    .collect(),
            ),
            Val::Object(entries) => Some(entries.as_ref().clone()),
            _ => None,
        }
    }

    /// The number of entries, if this is an object.
    pub(crate) fn object_len(&self) -> Option<usize> {
        match self {
            Val::Ref(Doc::Object(entries)) => Some(entries.len()),
            Val::Object(entries) => Some(entries.len()),
            _ => None,
        }
    }

    /// As `field`, looking first where the name was last found.
    #[inline]
    pub(crate) fn field_named(&self, name: &Name) -> Val<'a> {
        match self {
            Val::Ref(doc) => name.lookup(doc).map_or(Val::Null, Val::Ref),
            _ => self.field(name),
        }
    }

    /// The value of field `name`; null when absent or when this is no object.
    pub(crate) fn field(&self, name: &str) -> Val<'a> {
        match self {
            Val::Ref(doc @ Doc::Object(_)) => doc.get(name).map_or(Val::Null, Val::Ref),
            Val::Object(entries) => entries
                .iter()
                .find(|(k, _)| k == name)
                .map_or(Val::Null, |(_, v)| v.clone()),
            _ => Val::Null,
        }
    }

    /// Element `index` (negative counts from the end); null when out of range.
    pub(crate) fn index(&self, index: i64) -> Val<'a> {
        let Some(len) = self.array_len() else {
            return Val::Null;
        };
        let position = if index < 0 { len as i64 + index } else { index };
        if position < 0 || position >= len as i64 {
            return Val::Null;
        }
        let position = position as usize;
        match self {
            Val::Ref(Doc::Array(a)) => Val::Ref(&a[position]),
            Val::Array(a) => a[position].clone(),
            _ => Val::Null,
        }
    }

    /// Deep equality as JMESPath defines it (numbers by value, objects
    /// regardless of key order).
    /// Equality as Python's jmespath (the AWS CLI's) decides it: as
    /// [`equals`](Self::equals), except that inside arrays and objects a
    /// boolean equals the number Python takes it for (`[0] == [false]`;
    /// at the top a boolean and a number always differ, as there).
    pub(crate) fn equals_as_python(&self, other: &Val<'a>) -> bool {
        fn nested(a: &Val<'_>, b: &Val<'_>) -> bool {
            let as_number = |v: &Val<'_>| match v.kind() {
                Kind::Boolean => Some(if v.is_truthy() { 1.0 } else { 0.0 }),
                Kind::Number => v.as_f64(),
                _ => None,
            };
            match (a.kind(), b.kind()) {
                (Kind::Boolean, Kind::Number) | (Kind::Number, Kind::Boolean) => {
                    as_number(a) == as_number(b)
                }
                (Kind::Array, Kind::Array) => match (a.elements(), b.elements()) {
                    (Some(x), Some(y)) => {
                        a.array_len() == b.array_len() && x.zip(y).all(|(p, q)| nested(&p, &q))
                    }
                    _ => false,
                },
                (Kind::Object, Kind::Object) => {
                    a.object_len() == b.object_len()
                        && a.entries().is_some_and(|entries| {
                            entries
                                .iter()
                                .all(|(key, value)| b.has_key(key) && nested(value, &b.field(key)))
                        })
                }
                _ => a.equals(b),
            }
        }
        match (self.kind(), other.kind()) {
            (Kind::Array, Kind::Array) | (Kind::Object, Kind::Object) => nested(self, other),
            _ => self.equals(other),
        }
    }

    pub(crate) fn equals(&self, other: &Val<'a>) -> bool {
        let kind = self.kind();
        if kind != other.kind() {
            return false;
        }
        match kind {
            Kind::Null => true,
            Kind::Boolean => self.is_truthy() == other.is_truthy(),
            Kind::Number => self.compare(other) == Some(Ordering::Equal),
            Kind::String => self.as_str() == other.as_str(),
            Kind::Array => match (self.elements(), other.elements()) {
                (Some(a), Some(b)) => {
                    self.array_len() == other.array_len() && a.zip(b).all(|(x, y)| x.equals(&y))
                }
                _ => false,
            },
            Kind::Object => {
                if self.object_len() != other.object_len() {
                    return false;
                }
                let Some(entries) = self.entries() else {
                    return false;
                };
                entries.iter().all(|(key, value)| {
                    let theirs = other.field(key);
                    // A present null and an absent key differ only in presence;
                    // lengths are equal, so a missing key means another differs.
                    other.has_key(key) && value.equals(&theirs)
                })
            }
            Kind::Expref => match (self, other) {
                (Val::Expref(a), Val::Expref(b)) => std::ptr::eq(*a, *b),
                _ => false,
            },
        }
    }

    fn has_key(&self, name: &str) -> bool {
        match self {
            Val::Ref(doc @ Doc::Object(_)) => doc.get(name).is_some(),
            Val::Object(entries) => entries.iter().any(|(k, _)| k == name),
            _ => false,
        }
    }

    /// Order of two numbers or two strings; `None` for anything else.
    pub(crate) fn compare(&self, other: &Val<'a>) -> Option<Ordering> {
        match (self.kind(), other.kind()) {
            (Kind::Number, Kind::Number) => self.exact()?.compare(other.exact()?),
            (Kind::String, Kind::String) => Some(text_order(self.as_str()?, other.as_str()?)),
            _ => None,
        }
    }

    /// Whether an expression reference is the value or inside it (a data
    /// value never holds one).
    pub(crate) fn holds_expref(&self) -> bool {
        match self {
            Val::Expref(_) => true,
            Val::Array(items) => items.iter().any(Val::holds_expref),
            Val::Object(entries) => entries.iter().any(|(_, v)| v.holds_expref()),
            _ => false,
        }
    }

    /// The value held as a document (an answer kept as `_` and rendered):
    /// borrowed parts copied, a key given twice once, in its first place
    /// with its last value, as a JSON object keeps it.
    pub fn to_doc(&self) -> Doc {
        match self {
            Val::Ref(Doc::Array(items)) => Doc::Array(on_cores(items, Doc::clone).into()),
            Val::Ref(doc) => (*doc).clone(),
            Val::Null | Val::Expref(_) => Doc::Null,
            Val::Bool(b) => Doc::Bool(*b),
            Val::Number(n) => Doc::from(number_to_json(*n)),
            Val::Integer(n) => Doc::from(integer_to_json(*n)),
            Val::String(s) => Doc::String(s.as_ref().into()),
            Val::Array(items) => Doc::Array(on_cores(items, Val::to_doc).into()),
            Val::Object(entries) => Doc::object(
                entries
                    .iter()
                    .map(|(key, value)| (key.as_ref().into(), value.to_doc())),
            ),
        }
    }

    /// Converts the value into JSON for rendering.
    pub fn to_json(&self) -> Json {
        match self {
            Val::Ref(Doc::Array(items)) => Json::Array(on_cores(items, Doc::to_json)),
            Val::Ref(doc) => doc.to_json(),
            Val::Null | Val::Expref(_) => Json::Null,
            Val::Bool(b) => Json::Bool(*b),
            Val::Number(n) => number_to_json(*n),
            Val::Integer(n) => integer_to_json(*n),
            Val::String(s) => Json::String(s.to_string()),
            Val::Array(items) => Json::Array(on_cores(items, Val::to_json)),
            Val::Object(entries) => Json::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

/// The order of two strings by their bytes (as `str`'s own). Where both
/// are sixteen bytes or longer (timestamps such as `2024-04-08T16:38:00Z`)
/// their first sixteen, read as one number, decide most pairs without a
/// call to `memcmp`; shorter ones are compared as they are.
#[inline]
pub(crate) fn text_order(a: &str, b: &str) -> Ordering {
    if a.len() >= 16 && b.len() >= 16 {
        let decided = text_head(a).cmp(&text_head(b));
        if decided.is_ne() {
            return decided;
        }
    }
    a.cmp(b)
}

/// A string's first sixteen bytes as one big-endian number, zeros after a
/// shorter one: where the heads of two strings differ, the strings are
/// ordered as their heads are (equal heads say nothing).
#[inline]
pub(crate) fn text_head(text: &str) -> u128 {
    let bytes = text.as_bytes();
    if let Some(first) = bytes.first_chunk::<16>() {
        return u128::from_be_bytes(*first);
    }
    let mut padded = [0u8; 16];
    padded[..bytes.len()].copy_from_slice(bytes);
    u128::from_be_bytes(padded)
}

/// Results with this many items or more are converted to JSON on every
/// core: each item costs allocations, more than evaluating one does.
const MIN_ITEMS_TO_CONVERT_IN_PARALLEL: usize = 4096;

/// `convert` of each item in order, on several cores for a long array.
fn on_cores<T: Sync, R: Send>(items: &[T], convert: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let each = |item: &T, out: &mut Vec<R>| {
        out.push(convert(item));
        Ok::<(), std::convert::Infallible>(())
    };
    match parallel::collect(MIN_ITEMS_TO_CONVERT_IN_PARALLEL, items, each) {
        Ok(items) => items,
        Err(never) => match never {},
    }
}

/// An exact integer as JSON; one beyond 64 bits as the nearest float.
pub(crate) fn integer_to_json(n: i128) -> Json {
    if let Ok(i) = i64::try_from(n) {
        Json::from(i)
    } else if let Ok(u) = u64::try_from(n) {
        Json::from(u)
    } else {
        number_to_json(n as f64)
    }
}

/// A number as it is written: integers are compared exactly, as Python
/// and serde_json keep them, not through `f64`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Exact {
    Int(i128),
    Float(f64),
}

impl Exact {
    /// The order of two numbers; an integer and a float by their exact values.
    pub(crate) fn compare(self, other: Exact) -> Option<Ordering> {
        match (self, other) {
            (Exact::Int(a), Exact::Int(b)) => Some(a.cmp(&b)),
            (Exact::Float(a), Exact::Float(b)) => a.partial_cmp(&b),
            (Exact::Int(a), Exact::Float(b)) => int_float(a, b),
            (Exact::Float(a), Exact::Int(b)) => int_float(b, a).map(Ordering::reverse),
        }
    }
}

/// `int` against `float`, exactly.
fn int_float(int: i128, float: f64) -> Option<Ordering> {
    if float.is_nan() {
        return None;
    }
    // Beyond ±2^126 every i128 is on one side.
    if float >= 1.7e38 {
        return Some(Ordering::Less);
    }
    if float <= -1.7e38 {
        return Some(Ordering::Greater);
    }
    let whole = float.trunc();
    match int.cmp(&(whole as i128)) {
        Ordering::Equal if float > whole => Some(Ordering::Less),
        Ordering::Equal if float < whole => Some(Ordering::Greater),
        order => Some(order),
    }
}

/// A computed float as JSON: a float stays one (`avg([2, 2])` is `2.0`),
/// as Python and so the AWS CLI write it; integers are [`Val::Integer`].
/// Values JSON cannot hold become null.
pub(crate) fn number_to_json(n: f64) -> Json {
    serde_json::Number::from_f64(n).map_or(Json::Null, Json::Number)
}

/// An array's elements as a slice (see `Val::items`).
pub(crate) enum Items<'v, 'a> {
    Docs(&'a [Doc]),
    Vals(&'v [Val<'a>]),
}

/// Iterator over an array's elements, borrowed or owned.
pub(crate) enum Elements<'v, 'a> {
    Json(std::slice::Iter<'a, Doc>),
    Owned(std::slice::Iter<'v, Val<'a>>),
}

impl<'a> Iterator for Elements<'_, 'a> {
    type Item = Val<'a>;

    fn next(&mut self) -> Option<Val<'a>> {
        match self {
            Elements::Json(iter) => iter.next().map(Val::Ref),
            Elements::Owned(iter) => iter.next().cloned(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Elements::Json(iter) => iter.size_hint(),
            Elements::Owned(iter) => iter.size_hint(),
        }
    }
}

impl ExactSizeIterator for Elements<'_, '_> {}

impl DoubleEndedIterator for Elements<'_, '_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match self {
            Elements::Json(iter) => iter.next_back().map(Val::Ref),
            Elements::Owned(iter) => iter.next_back().cloned(),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn strings_order_by_their_heads_as_by_their_bytes() {
        let words = [
            "",
            "a",
            "ab",
            "ab\0",
            "ab\0x",
            "abc",
            "user-1",
            "user-10",
            "user-9",
            "2024-04-08T16:38:00Z",
            "2024-04-08T16:38:01Z",
            "2024-04-08T16:3",
            "2024-04-08T16:38",
            "2024-04-08T16:38\0",
            "Émilie",
            "東京",
            "zzzzzzzzzzzzzzzzzz",
        ];
        for a in words {
            for b in words {
                assert_eq!(super::text_order(a, b), a.cmp(b), "{a:?} against {b:?}");
                let heads = super::text_head(a).cmp(&super::text_head(b));
                if heads.is_ne() {
                    assert_eq!(heads, a.cmp(b), "heads of {a:?} and {b:?}");
                }
            }
        }
    }

    use super::*;
    use serde_json::json;

    #[test]
    fn objects_are_equal_regardless_of_key_order() {
        let a = Doc::from(json!({"a": 1, "b": [1, 2]}));
        let b = Doc::from(json!({"b": [1.0, 2], "a": 1.0}));
        assert!(Val::Ref(&a).equals(&Val::Ref(&b)));
        let c = Doc::from(json!({"a": 1, "c": [1, 2]}));
        assert!(!Val::Ref(&a).equals(&Val::Ref(&c)));
    }

    /// An answer kept as a document holds what its JSON holds: a key
    /// given twice once, in its first place with its last value (by
    /// scanning a small object and hashing a large one), numbers as JSON
    /// writes them, a long array (converted on several cores) in order.
    #[test]
    fn an_answer_kept_as_a_document_is_its_json() {
        let data = Doc::from(json!({"a": [1, 2.5, "x"], "b": {"c": null}}));
        let key = |k: &str| Cow::Owned(k.to_owned());
        let small = vec![
            (key("z"), Val::Number(1.0)),
            (key("a"), Val::Ref(&data)),
            (key("z"), Val::Integer(i128::from(u64::MAX) + 1)),
        ];
        let large: Vec<(Cow<'_, str>, Val<'_>)> = (0..100)
            .map(|i| (key(&format!("k{}", i % 40)), Val::Number(f64::from(i))))
            .collect();
        let long: Vec<Val<'_>> = (0..10_000)
            .map(|i| match i % 3 {
                0 => Val::Number(f64::from(i) / 2.0),
                1 => Val::string(format!("user-{i}-with-a-name-longer-than-inline")),
                _ => Val::Object(Arc::new(vec![(key("n"), Val::Integer(i.into()))])),
            })
            .collect();
        let values = [
            Val::Object(Arc::new(small)),
            Val::Object(Arc::new(large)),
            Val::Array(Arc::new(long)),
            Val::Number(f64::NAN),
            Val::Bool(true),
        ];
        for value in &values {
            let json = value.to_json();
            assert_eq!(value.to_doc(), Doc::from(json.clone()));
            assert_eq!(
                serde_json::to_string(&value.to_doc()).unwrap(),
                json.to_string()
            );
        }
        let kept = values[1].to_doc();
        assert_eq!(kept.as_object().map(<[_]>::len), Some(40));
        assert_eq!(kept["k0"], Doc::from(json!(80.0)));
    }

    #[test]
    fn computed_floats_stay_floats() {
        assert_eq!(number_to_json(3.0).to_string(), "3.0");
        assert_eq!(number_to_json(2.5), json!(2.5));
        assert_eq!(number_to_json(f64::NAN), Json::Null);
    }

    #[test]
    fn negative_indexes_count_from_the_end() {
        let data = Doc::from(json!([1, 2, 3]));
        let v = Val::Ref(&data);
        assert_eq!(v.index(-1).to_json(), json!(3));
        assert!(v.index(3).is_null());
        assert!(v.index(-4).is_null());
    }
}
