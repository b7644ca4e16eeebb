//! The JMESPath built-in functions, with the argument checks the
//! specification gives each one.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::QueryError;
use super::compile::Node;
use super::eval::{Context, eval};
use super::parallel;
use super::reads::Reads;
use super::value::Exact;
use super::value::{Kind, Val};

/// A built-in function, resolved from its name at compile time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    Abs,
    Avg,
    Ceil,
    Contains,
    EndsWith,
    Floor,
    Join,
    Keys,
    Length,
    Map,
    Max,
    MaxBy,
    Merge,
    Min,
    MinBy,
    NotNull,
    Reverse,
    Sort,
    SortBy,
    StartsWith,
    Sum,
    ToArray,
    ToNumber,
    ToString,
    Type,
    Values,
    /// `to_number` as the AWS CLI's Python reads a string (`int()`, then
    /// `float()`: signs, spaces, leading zeros, `_` between digits);
    /// compiled in its place in the AWS CLI dialect, never named.
    ToNumberPython,
    // The JMESPath Community edition's functions (`--compat community`).
    Lower,
    Upper,
    Trim,
    TrimLeft,
    TrimRight,
    Split,
    Replace,
    PadLeft,
    PadRight,
    FindFirst,
    FindLast,
    GroupBy,
    Items,
    FromItems,
    Zip,
}

/// What one argument position accepts.
#[derive(Debug, Clone, Copy)]
enum Param {
    Any,
    Of(&'static [Kind]),
    Expref,
    ArrayOfNumbers,
    ArrayOfStrings,
    /// An array whose elements are all numbers or all strings.
    Sortable,
}

use Param::*;

const NUMBER: Param = Of(&[Kind::Number]);
const STRING: Param = Of(&[Kind::String]);
const ARRAY: Param = Of(&[Kind::Array]);
const OBJECT: Param = Of(&[Kind::Object]);

impl Param {
    fn describe(self) -> String {
        match self {
            Any => "any value".into(),
            Of(kinds) => kinds
                .iter()
                .map(|k| k.name())
                .collect::<Vec<_>>()
                .join(" or "),
            Expref => "an expression reference (&expr)".into(),
            ArrayOfNumbers => "an array of numbers".into(),
            ArrayOfStrings => "an array of strings".into(),
            Sortable => "an array of numbers or an array of strings".into(),
        }
    }

    /// The parameter as a signature shows it (`array[number]`, `&expr`).
    fn short(self) -> String {
        match self {
            Any => "any".into(),
            Of(kinds) => kinds.iter().map(|k| k.name()).collect::<Vec<_>>().join("|"),
            Expref => "&expr".into(),
            ArrayOfNumbers => "array[number]".into(),
            ArrayOfStrings => "array[string]".into(),
            Sortable => "array[number|string]".into(),
        }
    }

    fn accepts(self, value: &Val<'_>) -> bool {
        match self {
            Any => value.kind() != Kind::Expref,
            Of(kinds) => kinds.contains(&value.kind()),
            Expref => value.kind() == Kind::Expref,
            ArrayOfNumbers => all_of(value, Kind::Number),
            ArrayOfStrings => all_of(value, Kind::String),
            Sortable => all_of(value, Kind::Number) || all_of(value, Kind::String),
        }
    }
}

fn all_of(value: &Val<'_>, kind: Kind) -> bool {
    value
        .elements()
        .is_some_and(|mut items| items.all(|item| item.kind() == kind))
}

/// One row per function, in the order of [`Function`]'s variants: its
/// JMESPath name, its parameters, and whether the last one repeats. The
/// one place a function is described; name lookup, completion, arity and
/// type checks all read it.
struct Row {
    name: &'static str,
    function: Function,
    params: &'static [Param],
    variadic: bool,
    /// How many of the last parameters may be left out.
    optional: usize,
    /// A JMESPath Community function (`--compat community` only).
    community: bool,
}

const fn row(name: &'static str, function: Function, params: &'static [Param]) -> Row {
    Row {
        name,
        function,
        params,
        variadic: false,
        optional: 0,
        community: false,
    }
}

const fn variadic(name: &'static str, function: Function, params: &'static [Param]) -> Row {
    Row {
        name,
        function,
        params,
        variadic: true,
        optional: 0,
        community: false,
    }
}

/// A Community function whose last `optional` parameters may be left out.
const fn community(
    name: &'static str,
    function: Function,
    params: &'static [Param],
    optional: usize,
) -> Row {
    Row {
        name,
        function,
        params,
        variadic: false,
        optional,
        community: true,
    }
}

const TABLE: &[Row] = {
    use Function::*;
    &[
        row("abs", Abs, &[NUMBER]),
        row("avg", Avg, &[ArrayOfNumbers]),
        row("ceil", Ceil, &[NUMBER]),
        row(
            "contains",
            Contains,
            &[Of(&[Kind::Array, Kind::String]), Any],
        ),
        row("ends_with", EndsWith, &[STRING, STRING]),
        row("floor", Floor, &[NUMBER]),
        row("join", Join, &[STRING, ArrayOfStrings]),
        row("keys", Keys, &[OBJECT]),
        row(
            "length",
            Length,
            &[Of(&[Kind::String, Kind::Array, Kind::Object])],
        ),
        row("map", Map, &[Expref, ARRAY]),
        row("max", Max, &[Sortable]),
        row("max_by", MaxBy, &[ARRAY, Expref]),
        variadic("merge", Merge, &[OBJECT]),
        row("min", Min, &[Sortable]),
        row("min_by", MinBy, &[ARRAY, Expref]),
        variadic("not_null", NotNull, &[Any]),
        row("reverse", Reverse, &[Of(&[Kind::Array, Kind::String])]),
        row("sort", Sort, &[Sortable]),
        row("sort_by", SortBy, &[ARRAY, Expref]),
        row("starts_with", StartsWith, &[STRING, STRING]),
        row("sum", Sum, &[ArrayOfNumbers]),
        row("to_array", ToArray, &[Any]),
        row("to_number", ToNumber, &[Any]),
        row("to_string", ToString, &[Any]),
        row("type", Type, &[Any]),
        row("values", Values, &[OBJECT]),
        // Never looked up by name: `to_number` compiles to it in the AWS
        // CLI dialect.
        row("to_number", ToNumberPython, &[Any]),
        community("lower", Lower, &[STRING], 0),
        community("upper", Upper, &[STRING], 0),
        community("trim", Trim, &[STRING, STRING], 1),
        community("trim_left", TrimLeft, &[STRING, STRING], 1),
        community("trim_right", TrimRight, &[STRING, STRING], 1),
        community("split", Split, &[STRING, STRING, NUMBER], 1),
        community("replace", Replace, &[STRING, STRING, STRING, NUMBER], 1),
        community("pad_left", PadLeft, &[STRING, NUMBER, STRING], 1),
        community("pad_right", PadRight, &[STRING, NUMBER, STRING], 1),
        community(
            "find_first",
            FindFirst,
            &[STRING, STRING, NUMBER, NUMBER],
            2,
        ),
        community("find_last", FindLast, &[STRING, STRING, NUMBER, NUMBER], 2),
        community("group_by", GroupBy, &[ARRAY, Expref], 0),
        community("items", Items, &[OBJECT], 0),
        community("from_items", FromItems, &[ARRAY], 0),
        Row {
            name: "zip",
            function: Zip,
            params: &[ARRAY],
            variadic: true,
            optional: 0,
            community: true,
        },
    ]
};

/// The rows a name resolves to (all but the dialect's stand-ins).
fn named() -> impl Iterator<Item = &'static Row> {
    TABLE
        .iter()
        .filter(|row| row.function != Function::ToNumberPython)
}

/// Every function with its parameters (`sort_by(array, &expr)`), for `.help`.
pub fn signatures() -> Vec<String> {
    named()
        .map(|row| {
            let required = row.params.len() - row.optional;
            let mut params: Vec<String> = row
                .params
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    if i >= required {
                        format!("[{}]", p.short())
                    } else {
                        p.short()
                    }
                })
                .collect();
            if row.variadic
                && let Some(last) = params.last_mut()
            {
                last.push_str(", ...");
            }
            let community = if row.community { " (community)" } else { "" };
            format!("{}({}){community}", row.name, params.join(", "))
        })
        .collect()
}

/// The function names a reading has (the Community ones only with
/// `community`), for completion.
pub fn names(community: bool) -> impl Iterator<Item = &'static str> {
    named()
        .filter(move |row| community || !row.community)
        .map(|row| row.name)
}

impl Function {
    /// Resolves a function by its JMESPath name.
    pub(crate) fn from_name(name: &str) -> Option<Function> {
        named().find(|row| row.name == name).map(|row| row.function)
    }

    /// The closest known function name to a misspelt one.
    pub(crate) fn closest(name: &str) -> Option<&'static str> {
        crate::suggest::closest(name, names(false))
    }

    /// Its row in [`TABLE`] (which lists the variants in order).
    fn row(self) -> &'static Row {
        &TABLE[self as usize]
    }

    /// The function's JMESPath name.
    pub(crate) fn name(self) -> &'static str {
        self.row().name
    }

    /// Argument `position` (from 1) is not what the function takes.
    fn type_error(
        self,
        position: usize,
        expected: impl Into<String>,
        actual: Kind,
    ) -> Box<QueryError> {
        Box::new(QueryError::InvalidType {
            function: self.name(),
            position,
            expected: expected.into(),
            actual: actual.name(),
            at: None,
        })
    }

    /// Whether only the Community reading has it.
    pub(crate) fn is_community(self) -> bool {
        self.row().community
    }

    /// The parameters, and whether the last one repeats.
    fn signature(self) -> (&'static [Param], bool) {
        let row = self.row();
        (row.params, row.variadic)
    }

    /// Checks the number of arguments against the signature.
    pub(crate) fn check_arity(self, count: usize) -> Result<(), QueryError> {
        let (params, variadic) = self.signature();
        let optional = self.row().optional;
        let required = params.len() - optional;
        let fits = if variadic {
            count >= params.len()
        } else {
            (required..=params.len()).contains(&count)
        };
        if fits {
            return Ok(());
        }
        let plural = if params.len() == 1 { "" } else { "s" };
        Err(QueryError::Arity {
            function: self.name(),
            expected: if variadic {
                format!("at least {} argument{plural}", params.len())
            } else if optional > 0 {
                format!("{required} to {} arguments", params.len())
            } else {
                format!("{} argument{plural}", params.len())
            },
            actual: count,
            at: None,
        })
    }

    fn check_types(self, args: &[Val<'_>]) -> Result<(), Box<QueryError>> {
        let (params, _) = self.signature();
        for (position, arg) in args.iter().enumerate() {
            let param = params[position.min(params.len() - 1)];
            if !param.accepts(arg) {
                return Err(self.type_error(position + 1, param.describe(), arg.kind()));
            }
        }
        Ok(())
    }

    /// Calls the function on already evaluated arguments.
    /// Errors are boxed: the evaluator's results stay small on the hot path.
    pub(crate) fn call<'a, M: Context<'a>>(
        self,
        args: Vec<Val<'a>>,
        met: M,
    ) -> Result<Val<'a>, Box<QueryError>> {
        use Function::*;
        self.check_types(&args)?;
        let number = |v: &Val<'a>| v.as_f64().unwrap_or_default();
        let text = |v: &Val<'a>| v.as_str().unwrap_or_default().to_owned();
        Ok(match self {
            Abs => match args[0].exact() {
                Some(Exact::Int(n)) => Val::Integer(n.abs()),
                _ => Val::Number(number(&args[0]).abs()),
            },
            Ceil | Floor if matches!(args[0].exact(), Some(Exact::Int(_))) => args[0].clone(),
            Ceil => whole_number(number(&args[0]).ceil()),
            Floor => whole_number(number(&args[0]).floor()),
            Sum => exact_sum(&args[0]).unwrap_or_else(|| Val::Number(numbers(&args[0]).sum())),
            Avg => match args[0].array_len() {
                Some(0) | None => Val::Null,
                Some(len) => Val::Number(numbers(&args[0]).sum::<f64>() / len as f64),
            },
            Contains => match args[0].as_str() {
                Some(haystack) => Val::Bool(
                    args[1]
                        .as_str()
                        .is_some_and(|needle| haystack.contains(needle)),
                ),
                None => Val::Bool(
                    args[0]
                        .elements()
                        .is_some_and(|mut items| items.any(|item| item.equals(&args[1]))),
                ),
            },
            StartsWith => Val::Bool(text(&args[0]).starts_with(&text(&args[1]))),
            EndsWith => Val::Bool(text(&args[0]).ends_with(&text(&args[1]))),
            Join => {
                let glue = text(&args[0]);
                let parts: Vec<String> = args[1]
                    .elements()
                    .into_iter()
                    .flatten()
                    .map(|v| text(&v))
                    .collect();
                Val::string(parts.join(&glue))
            }
            Keys => Val::array(
                entries(&args[0])
                    .into_iter()
                    .map(|(k, _)| Val::string(k.as_ref()))
                    .collect(),
            ),
            Values => Val::array(entries(&args[0]).into_iter().map(|(_, v)| v).collect()),
            Length => Val::Integer(match &args[0] {
                v if v.kind() == Kind::String => text(v).chars().count() as i128,
                v => v.array_len().or_else(|| v.object_len()).unwrap_or(0) as i128,
            }),
            Max | Min => {
                let wanted = if self == Max {
                    Ordering::Greater
                } else {
                    Ordering::Less
                };
                args[0]
                    .elements()
                    .into_iter()
                    .flatten()
                    .reduce(|best, item| {
                        if item.compare(&best) == Some(wanted) {
                            item
                        } else {
                            best
                        }
                    })
                    .unwrap_or(Val::Null)
            }
            Sort => {
                let mut items: Vec<Val<'a>> = args[0].elements().into_iter().flatten().collect();
                items.sort_by(|a, b| a.compare(b).unwrap_or(Ordering::Equal));
                Val::array(items)
            }
            Merge => {
                let mut merged: Vec<(std::borrow::Cow<'a, str>, Val<'a>)> = Vec::new();
                for arg in &args {
                    for (key, value) in entries(arg) {
                        match merged.iter_mut().find(|(k, _)| *k == key) {
                            Some(slot) => slot.1 = value,
                            None => merged.push((key, value)),
                        }
                    }
                }
                Val::Object(merged.into())
            }
            NotNull => args
                .into_iter()
                .find(|arg| !arg.is_null())
                .unwrap_or(Val::Null),
            Reverse => match args[0].as_str() {
                Some(s) => Val::string(s.chars().rev().collect::<String>()),
                None => Val::array(args[0].elements().into_iter().flatten().rev().collect()),
            },
            ToArray => match args[0].kind() {
                Kind::Array => args[0].clone(),
                _ => Val::array(vec![args[0].clone()]),
            },
            ToString => match args[0].kind() {
                Kind::String => args[0].clone(),
                _ => Val::string(args[0].to_json().to_string()),
            },
            ToNumber | ToNumberPython => match args[0].kind() {
                Kind::Number => args[0].clone(),
                Kind::String => {
                    // Python reads every JSON number; where the
                    // specification reads none, Python may read one.
                    let subject = text(&args[0]);
                    let json = parse_number(&subject);
                    let python = || parse_number_as_python(&subject);
                    if json.is_none() && python().is_some() {
                        met.saw_number_text();
                    }
                    match self {
                        ToNumber => json,
                        _ => python(),
                    }
                    .unwrap_or(Val::Null)
                }
                _ => Val::Null,
            },
            Type => Val::string(args[0].kind().name()),
            Lower => Val::String(text(&args[0]).to_lowercase().into()),
            Upper => Val::String(text(&args[0]).to_uppercase().into()),
            Trim | TrimLeft | TrimRight => {
                let subject = text(&args[0]);
                let chars = args.get(1).map(text).unwrap_or_default();
                let strip = |c: char| {
                    if chars.is_empty() {
                        c.is_whitespace()
                    } else {
                        chars.contains(c)
                    }
                };
                Val::String(
                    match self {
                        TrimLeft => subject.trim_start_matches(strip),
                        TrimRight => subject.trim_end_matches(strip),
                        _ => subject.trim_matches(strip),
                    }
                    .into(),
                )
            }
            Split => {
                let (subject, separator) = (text(&args[0]), text(&args[1]));
                let count = args.get(2).map(|v| whole(v, self)).transpose()?;
                split(&subject, &separator, count)
            }
            Replace => {
                let (subject, old, new) = (text(&args[0]), text(&args[1]), text(&args[2]));
                let replaced = match args.get(3).map(|v| whole(v, self)).transpose()? {
                    Some(count) => subject.replacen(&old, &new, count),
                    None => subject.replace(&old, &new),
                };
                Val::String(replaced.into())
            }
            PadLeft | PadRight => {
                let subject = text(&args[0]);
                let width = whole(&args[1], self)?;
                let pad = match args.get(2).map(text) {
                    None => ' ',
                    Some(pad) => {
                        let mut chars = pad.chars();
                        match (chars.next(), chars.next()) {
                            (Some(c), None) => c,
                            _ => {
                                return Err(Box::new(QueryError::InvalidValue(format!(
                                    "{}() pads with one character, not {pad:?}",
                                    self.name()
                                ))));
                            }
                        }
                    }
                };
                let missing = width.saturating_sub(subject.chars().count());
                let padding: String = std::iter::repeat_n(pad, missing).collect();
                Val::String(
                    if self == PadLeft {
                        format!("{padding}{subject}")
                    } else {
                        format!("{subject}{padding}")
                    }
                    .into(),
                )
            }
            FindFirst | FindLast => {
                let start = args.get(2).map(|v| signed_whole(v, self)).transpose()?;
                let end = args.get(3).map(|v| signed_whole(v, self)).transpose()?;
                find(
                    &text(&args[0]),
                    &text(&args[1]),
                    start,
                    end,
                    self == FindLast,
                )
            }
            GroupBy => {
                let Val::Expref(node) = args[1] else {
                    return Ok(Val::Null);
                };
                let mut groups: Vec<(String, Vec<Val<'a>>)> = Vec::new();
                for item in args[0].elements().into_iter().flatten() {
                    let key = eval(node, &item, met)?;
                    let Some(key) = key.as_str().map(str::to_owned) else {
                        return Err(self.type_error(
                            2,
                            "an expression giving a string",
                            key.kind(),
                        ));
                    };
                    match groups.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, members)) => members.push(item),
                        None => groups.push((key, vec![item])),
                    }
                }
                Val::Object(std::sync::Arc::new(
                    groups
                        .into_iter()
                        .map(|(k, members)| (std::borrow::Cow::Owned(k), Val::array(members)))
                        .collect(),
                ))
            }
            Items => Val::array(
                args[0]
                    .entries()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(k, v)| Val::array(vec![Val::String(k.as_ref().into()), v]))
                    .collect(),
            ),
            FromItems => {
                let mut entries: Vec<(std::borrow::Cow<'a, str>, Val<'a>)> = Vec::new();
                for pair in args[0].elements().into_iter().flatten() {
                    let parts: Vec<Val<'a>> =
                        pair.elements().map(|e| e.collect()).unwrap_or_default();
                    let [key, value] = parts.as_slice() else {
                        return Err(self.type_error(
                            1,
                            "an array of [key, value] pairs",
                            pair.kind(),
                        ));
                    };
                    let Some(key) = key.as_str() else {
                        return Err(self.type_error(1, "pairs whose key is a string", key.kind()));
                    };
                    match entries.iter_mut().find(|(k, _)| k == key) {
                        Some((_, slot)) => *slot = value.clone(),
                        None => {
                            entries.push((std::borrow::Cow::Owned(key.to_owned()), value.clone()))
                        }
                    }
                }
                Val::Object(std::sync::Arc::new(entries))
            }
            Zip => {
                let lists: Vec<Vec<Val<'a>>> = args
                    .iter()
                    .map(|a| a.elements().map(|e| e.collect()).unwrap_or_default())
                    .collect();
                let shortest = lists.iter().map(Vec::len).min().unwrap_or(0);
                Val::array(
                    (0..shortest)
                        .map(|i| Val::array(lists.iter().map(|l| l[i].clone()).collect()))
                        .collect(),
                )
            }
            Map => {
                let Val::Expref(node) = args[0] else {
                    return Ok(Val::Null);
                };
                let mut out = Vec::with_capacity(args[1].array_len().unwrap_or(0));
                for item in args[1].elements().into_iter().flatten() {
                    out.push(eval(node, &item, met)?);
                }
                Val::array(out)
            }
            SortBy => {
                let Val::Expref(node) = args[1] else {
                    return Ok(Val::Null);
                };
                sorted_by(&args[0], node, None, met)?
            }
            MaxBy | MinBy => {
                let Val::Expref(node) = args[1] else {
                    return Ok(Val::Null);
                };
                let wanted = if self == MaxBy {
                    Ordering::Greater
                } else {
                    Ordering::Less
                };
                best_by(self, &args[0], node, wanted, met)?
            }
        })
    }
}

/// `sort_by` whose result is read only up to element `keep`
/// (`sort_by(a, &k)[:10]`): the same elements in the same order as
/// `sort_by` gives there, with only those `keep` put in order.
pub(crate) fn sort_by_first<'a, M: Context<'a>>(
    args: Vec<Val<'a>>,
    keep: usize,
    from_end: bool,
    met: M,
) -> Result<Val<'a>, Box<QueryError>> {
    Function::SortBy.check_types(&args)?;
    let Val::Expref(node) = args[1] else {
        return Ok(Val::Null);
    };
    sorted_by(&args[0], node, Some((keep, from_end)), met)
}

/// The elements of `array` in the order of their keys under `key`, ties in
/// their original order; with `keep`, only that many from the front (or,
/// `true`, from the end).
fn sorted_by<'a, M: Context<'a>>(
    array: &Val<'a>,
    key: &'a Node,
    keep: Option<(usize, bool)>,
    met: M,
) -> Result<Val<'a>, Box<QueryError>> {
    let len = array.array_len().unwrap_or(0);
    if let Some((keep, from_end)) = keep.filter(|(keep, _)| keep.saturating_mul(4) < len) {
        return sorted_front(array, key, keep, from_end, met);
    }
    let keyed = sort_keys(array, key, met)?;
    // Keys read once into plain numbers and inline strings, so each
    // comparison touches only the key.
    let plain: Vec<PlainKey> =
        parallel::collect(parallel::MIN_PARALLEL_ITEMS, &keyed, |(k, _), out| {
            out.push(PlainKey::of(k));
            Ok::<(), Box<QueryError>>(())
        })?;
    let order = parallel::sort_by((0..keyed.len()).collect(), |&a: &usize, &b| {
        plain[a].cmp(&plain[b])
    });
    Ok(Val::array(
        order.into_iter().map(|i| keyed[i].1.clone()).collect(),
    ))
}

/// The first `keep` elements of `sort_by(array, &key)` (or the last, with
/// `from_end`), found in one pass that holds no more than `keep` elements
/// per core: each core keeps the lowest (key, position) pairs it has seen
/// (the highest, from the end), and the lowest of those are the front a
/// stable sort of everything would give (the highest, its back).
fn sorted_front<'a, M: Context<'a>>(
    array: &Val<'a>,
    key: &'a Node,
    keep: usize,
    from_end: bool,
    met: M,
) -> Result<Val<'a>, Box<QueryError>> {
    let Some(keys) = SortKeys::new(Function::SortBy, array, key, met)? else {
        return Ok(Val::array(Vec::new()));
    };
    let start = |position| Front {
        next: position,
        kept: BinaryHeap::with_capacity(keep),
    };
    let step = |front: &mut Front<'a>, item: &Val<'a>| {
        let key = keys.of(item)?;
        let position = front.next;
        front.next = match from_end {
            true => position.saturating_sub(1),
            false => position + 1,
        };
        let ranked = Ranked {
            head: key.as_str().map_or(0, super::value::text_head),
            key,
            position,
            from_end,
        };
        if front.kept.len() < keep {
            front.kept.push(ranked);
        } else if let Some(mut worst) = front.kept.peek_mut()
            // By position too: from the front, a tie never displaces what
            // came earlier; from the end, a later one always does.
            && ranked < *worst
        {
            *worst = ranked;
        }
        Ok(())
    };
    let reads = keys.reads(array);
    // The back is kept going backwards: on keys that arrive in order
    // (names listed sorted, users in the order they were created) the
    // first `keep` seen are the ones kept, and every other is turned away
    // by one comparison instead of displacing the heap's top.
    let fronts = parallel::fold_elements(array, reads.as_ref(), from_end, start, step)
        .unwrap_or(Ok(Vec::new()))?;
    let mut kept: Vec<Ranked<'a>> = fronts
        .into_iter()
        .flat_map(|front| front.kept.into_vec())
        .collect();
    kept.sort_unstable();
    kept.truncate(keep);
    if from_end {
        kept.reverse();
    }
    // Each kept element is taken from the array by its position (a heap
    // of small entries moves less on each replacement).
    Ok(Val::array(
        kept.into_iter()
            .map(|r| array.index(r.position as i64))
            .collect(),
    ))
}

/// The elements with the lowest (key, position) one core has seen so far.
struct Front<'a> {
    /// The position of the next element (of the one before, when the
    /// back is kept).
    next: usize,
    /// A max-heap, so the one to give up is on top.
    kept: BinaryHeap<Ranked<'a>>,
}

/// An element with its sort key and position, ordered by both (the other
/// way round when the back of the sort is kept, so that the element to
/// give up is always on top of the heap).
struct Ranked<'a> {
    /// A string key's first bytes (`text_head`), 0 for a number: most
    /// comparisons are decided here, without reading the key.
    head: u128,
    key: Val<'a>,
    position: usize,
    from_end: bool,
}

impl Ord for Ranked<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        // Keys of one sort are all numbers or all strings, so they compare.
        let natural = self
            .head
            .cmp(&other.head)
            .then_with(|| self.key.compare(&other.key).unwrap_or(Ordering::Equal))
            .then(self.position.cmp(&other.position));
        if self.from_end {
            natural.reverse()
        } else {
            natural
        }
    }
}

impl PartialOrd for Ranked<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ranked<'_> {}

fn numbers<'v>(array: &'v Val<'_>) -> impl Iterator<Item = f64> + 'v {
    array
        .elements()
        .into_iter()
        .flatten()
        .map(|v| v.as_f64().unwrap_or_default())
}

fn entries<'a>(object: &Val<'a>) -> Vec<(std::borrow::Cow<'a, str>, Val<'a>)> {
    object.entries().unwrap_or_default()
}

/// Arrays shorter than this are not worth working out what a key
/// expression reads, to ask for it ahead.
const MIN_ITEMS_TO_ASK_AHEAD: usize = 256;

/// Reads the sort keys of `sort_by`, `max_by` and `min_by`: the key
/// expression on an element, which must give numbers for every element or
/// strings for every element.
struct SortKeys<'a, M> {
    function: Function,
    key: &'a Node,
    met: M,
    /// The kind the first element's key has.
    expected: Kind,
}

impl<'a, M: Context<'a>> SortKeys<'a, M> {
    /// `None` when `array` has no elements.
    fn new(
        function: Function,
        array: &Val<'a>,
        key: &'a Node,
        met: M,
    ) -> Result<Option<Self>, Box<QueryError>> {
        let Some(first) = array.elements().and_then(|mut items| items.next()) else {
            return Ok(None);
        };
        Ok(Some(SortKeys {
            function,
            key,
            met,
            expected: eval(key, &first, met)?.kind(),
        }))
    }

    /// What the key expression reads below an element, when `array` is
    /// long enough for asking ahead to pay.
    fn reads(&self, array: &Val<'a>) -> Option<Reads> {
        (array.array_len()? >= MIN_ITEMS_TO_ASK_AHEAD).then(|| Reads::of(self.key))
    }

    /// The key of `item`.
    fn of(&self, item: &Val<'a>) -> Result<Val<'a>, Box<QueryError>> {
        let k = eval(self.key, item, self.met)?;
        let kind = k.kind();
        if matches!(kind, Kind::Number | Kind::String) && kind == self.expected {
            return Ok(k);
        }
        let expected = if self.expected == kind {
            "numbers or strings".to_owned()
        } else {
            format!("{}s", self.expected.name())
        };
        Err(self.function.type_error(
            2,
            format!("an expression giving {expected} for every element"),
            kind,
        ))
    }
}

/// Every (key, element) pair in order.
fn sort_keys<'a, M: Context<'a>>(
    array: &Val<'a>,
    key: &'a Node,
    met: M,
) -> Result<Vec<(Val<'a>, Val<'a>)>, Box<QueryError>> {
    let Some(keys) = SortKeys::new(Function::SortBy, array, key, met)? else {
        return Ok(Vec::new());
    };
    let keyed = |item: &Val<'a>, out: &mut Vec<(Val<'a>, Val<'a>)>| {
        out.push((keys.of(item)?, item.clone()));
        Ok(())
    };
    let reads = keys.reads(array);
    parallel::each_element(array, reads.as_ref(), keyed).unwrap_or(Ok(Vec::new()))
}

/// `max_by` (`wanted` greater) and `min_by` (less): the first element whose
/// key is furthest that way. The best of each core's share, then the best
/// of those.
fn best_by<'a, M: Context<'a>>(
    function: Function,
    array: &Val<'a>,
    key: &'a Node,
    wanted: Ordering,
    met: M,
) -> Result<Val<'a>, Box<QueryError>> {
    let Some(keys) = SortKeys::new(function, array, key, met)? else {
        return Ok(Val::Null);
    };
    let step = |best: &mut Option<(Val<'a>, Val<'a>)>, item: &Val<'a>| {
        let k = keys.of(item)?;
        if best
            .as_ref()
            .is_none_or(|(b, _)| k.compare(b) == Some(wanted))
        {
            *best = Some((k, item.clone()));
        }
        Ok(())
    };
    let reads = keys.reads(array);
    let bests = parallel::fold_elements(array, reads.as_ref(), false, |_| None, step)
        .unwrap_or(Ok(Vec::new()))?;
    Ok(bests
        .into_iter()
        .flatten()
        .reduce(|best, candidate| {
            if candidate.0.compare(&best.0) == Some(wanted) {
                candidate
            } else {
                best
            }
        })
        .map_or(Val::Null, |(_, item)| item))
}

/// A sort key read out of its value: all keys of one sort are numbers, or
/// all are strings (`sort_keys` checks).
/// Short strings are copied inline, so sorting reads one compact buffer
/// instead of chasing every key into the data.
enum PlainKey {
    Number(f64),
    Text(compact_str::CompactString),
}

impl PlainKey {
    fn of(value: &Val<'_>) -> Self {
        match value.as_str() {
            Some(text) => PlainKey::Text(text.into()),
            None => PlainKey::Number(value.as_f64().unwrap_or_default()),
        }
    }

    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (PlainKey::Number(a), PlainKey::Number(b)) => a.total_cmp(b),
            (PlainKey::Text(a), PlainKey::Text(b)) => super::value::text_order(a, b),
            (PlainKey::Number(_), PlainKey::Text(_)) => Ordering::Less,
            (PlainKey::Text(_), PlainKey::Number(_)) => Ordering::Greater,
        }
    }
}

/// `to_number` on a string as Python's jmespath: `int(text)`, else
/// `float(text)`. Both strip whitespace, take `+` or `-` and `_` between
/// digits; `int` takes leading zeros, `float` `.5` and `5.`. A float that
/// is not finite (`inf`, `nan`) is null here (Python would print
/// `Infinity`, which is not JSON).
fn parse_number_as_python<'a>(text: &str) -> Option<Val<'a>> {
    let text = text.trim();
    let bytes = text.as_bytes();
    let underscores_between_digits = bytes.iter().enumerate().all(|(i, b)| {
        *b != b'_'
            || (i > 0
                && bytes[i - 1].is_ascii_digit()
                && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
    });
    if !underscores_between_digits {
        return None;
    }
    let plain: String = text.chars().filter(|c| *c != '_').collect();
    let digits = plain.strip_prefix(['+', '-']).unwrap_or(&plain);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return plain
            .trim_start_matches('+')
            .parse::<i128>()
            .ok()
            .map(Val::Integer);
    }
    plain
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .map(Val::Number)
}

/// The sum of an array of integers, exactly; `None` when any is a float.
/// A count a Community function takes: a whole number, not below zero.
fn whole(value: &Val<'_>, function: Function) -> Result<usize, Box<QueryError>> {
    let n = signed_whole(value, function)?;
    usize::try_from(n).map_err(|_| {
        Box::new(QueryError::InvalidValue(format!(
            "{}() takes a count of 0 or more, not {n}",
            function.name()
        )))
    })
}

/// A position a Community function takes: a whole number.
fn signed_whole(value: &Val<'_>, function: Function) -> Result<i64, Box<QueryError>> {
    let n = value.as_f64().unwrap_or(f64::NAN);
    if !n.is_finite() || n.fract() != 0.0 {
        return Err(Box::new(QueryError::InvalidValue(format!(
            "{}() takes a whole number, not {n}",
            function.name()
        ))));
    }
    Ok(n as i64)
}

/// `split(subject, separator, count)`: at most `count` splits; an empty
/// separator splits between characters.
fn split<'a>(subject: &str, separator: &str, count: Option<usize>) -> Val<'a> {
    let string = |s: &str| Val::String(s.into());
    let parts: Vec<Val<'a>> = if separator.is_empty() {
        let chars: Vec<char> = subject.chars().collect();
        let cut = count.unwrap_or(chars.len()).min(chars.len());
        let mut parts: Vec<Val<'a>> = chars[..cut]
            .iter()
            .map(|c| string(&c.to_string()))
            .collect();
        // With a count, what is left follows, even when it is empty (as
        // the Community edition's reference does).
        if count.is_some() {
            parts.push(string(&chars[cut..].iter().collect::<String>()));
        }
        parts
    } else {
        match count {
            Some(n) => subject.splitn(n + 1, separator).map(string).collect(),
            None => subject.split(separator).map(string).collect(),
        }
    };
    Val::array(parts)
}

/// `find_first`/`find_last`: the character index of `sub` in `subject`
/// between `start` and `end` (negative counts from the end, as Python's
/// `str.find`), or null.
fn find<'a>(subject: &str, sub: &str, start: Option<i64>, end: Option<i64>, last: bool) -> Val<'a> {
    if sub.is_empty() {
        return Val::Null;
    }
    let chars: Vec<char> = subject.chars().collect();
    let len = chars.len() as i64;
    let clamp = |i: i64| if i < 0 { (len + i).max(0) } else { i.min(len) } as usize;
    let (from, to) = (clamp(start.unwrap_or(0)), clamp(end.unwrap_or(len)));
    if from >= to {
        return Val::Null;
    }
    let window: String = chars[from..to].iter().collect();
    let found = if last {
        window.rfind(sub)
    } else {
        window.find(sub)
    };
    match found {
        Some(byte) => Val::Integer((from + window[..byte].chars().count()) as i128),
        None => Val::Null,
    }
}

/// `ceil` and `floor` of a float: an integer, as Python's `math.ceil`
/// gives (a float only beyond what an integer here holds).
fn whole_number<'a>(n: f64) -> Val<'a> {
    if n.abs() < 1e38 {
        Val::Integer(n as i128)
    } else {
        Val::Number(n)
    }
}

fn exact_sum<'a>(array: &Val<'a>) -> Option<Val<'a>> {
    let mut total: i128 = 0;
    for item in array.elements()? {
        match item.exact()? {
            Exact::Int(n) => total = total.checked_add(n)?,
            Exact::Float(_) => return None,
        }
    }
    Some(Val::Integer(total))
}

/// `to_number` on a string: the JSON number grammar (what the
/// specification asks for: no sign but `-`, no leading zeros, no bare
/// `.5`, no spaces); an integer is kept exactly.
fn parse_number<'a>(text: &str) -> Option<Val<'a>> {
    let bytes = text.as_bytes();
    let mut at = usize::from(bytes.first() == Some(&b'-'));
    let digits = |from: usize| {
        bytes[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let whole = digits(at);
    if whole == 0 || (whole > 1 && bytes[at] == b'0') {
        return None;
    }
    at += whole;
    let integer_end = at;
    if bytes.get(at) == Some(&b'.') {
        let fraction = digits(at + 1);
        if fraction == 0 {
            return None;
        }
        at += 1 + fraction;
    }
    if matches!(bytes.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(bytes.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        let exponent = digits(at);
        if exponent == 0 {
            return None;
        }
        at += exponent;
    }
    if at != bytes.len() {
        return None;
    }
    if integer_end == bytes.len()
        && let Ok(n) = text.parse::<i128>()
    {
        return Some(Val::Integer(n));
    }
    text.parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .map(Val::Number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lists_the_variants_in_order() {
        for (i, row) in TABLE.iter().enumerate() {
            assert_eq!(row.function as usize, i, "{}", row.name);
        }
    }

    #[test]
    fn every_name_resolves_and_round_trips() {
        for name in names(true) {
            let f = Function::from_name(name).unwrap();
            assert_eq!(f.name(), name);
        }
        assert!(Function::from_name("nope").is_none());
    }

    #[test]
    fn to_number_accepts_only_the_json_number_grammar() {
        let parsed = |text: &str| parse_number(text).map(|v| v.to_json());
        assert_eq!(parsed("1.5"), Some(serde_json::json!(1.5)));
        assert_eq!(parsed("-0.5e-3"), Some(serde_json::json!(-0.0005)));
        assert_eq!(parsed("1e3"), Some(serde_json::json!(1000.0)));
        assert_eq!(
            parsed("9007199254740993"),
            Some(serde_json::json!(9007199254740993_u64))
        );
        for bad in [
            "+1", ".5", "01", " 1", "1 ", "1.", "1e", "inf", "NaN", "abc", "", "-", "1_000",
        ] {
            assert_eq!(parsed(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn to_number_in_the_aws_cli_dialect_reads_as_python_does() {
        let parsed = |text: &str| parse_number_as_python(text).map(|v| v.to_json());
        for (text, number) in [
            ("+1", serde_json::json!(1)),
            (" 1", serde_json::json!(1)),
            ("01", serde_json::json!(1)),
            ("1_000", serde_json::json!(1000)),
            (".5", serde_json::json!(0.5)),
            ("5.", serde_json::json!(5.0)),
            ("-2.5e1", serde_json::json!(-25.0)),
        ] {
            assert_eq!(parsed(text), Some(number), "{text:?}");
        }
        for bad in ["1__0", "_1", "1_", "abc", "", "inf", "nan", "0x10"] {
            assert_eq!(parsed(bad), None, "{bad:?}");
        }
    }
}
