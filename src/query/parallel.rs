//! Long arrays evaluated on every core.
//!
//! A projection, filter, flatten or `sort_by` over 100,000 items spends its
//! time waiting for memory, one item after another; the machine's other
//! cores can wait for the other half. Work over at least
//! `MIN_PARALLEL_ITEMS` items is split into one contiguous chunk per core,
//! the chunks run on scoped threads, and the results are joined in order,
//! so the answer (and the first error, in item order) is the same as one
//! pass would give. Only the outermost such loop is split.

use std::cell::Cell;
use std::cmp::Ordering;
use std::sync::OnceLock;

use super::QueryError;
use super::reads::Reads;
use super::value::{Items, Val};
use crate::doc::Doc;

/// Fewer items than this are not worth a thread.
pub(crate) const MIN_PARALLEL_ITEMS: usize = 16_384;

/// How many items ahead a loop over documents asks for the memory its
/// expression reads at the deepest level; each level nearer the item
/// itself is asked for this many items earlier, so that the addresses of
/// the next level are in cache when it is asked for.
const PREFETCH_DISTANCE: usize = 16;

/// Asking ahead, in a loop over `T`s, for what an expression reads below
/// each: the reads, and the document a `T` is (when it is one).
type Ahead<'r, T> = (&'r Reads, fn(&T) -> Option<&Doc>);

/// Workers' stacks: as deep as the main thread's, for deeply nested expressions.
const WORKER_STACK: usize = 8 * 1024 * 1024;

thread_local! {
    static SPLITTING: Cell<bool> = const { Cell::new(false) };
}

/// How many chunks to split into: the cores available, at most 8.
fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8)
    })
}

/// One chunk's state after its items, or up to its first error, and that error.
struct Chunk<S, E> {
    state: S,
    error: Option<E>,
}

/// Folds `items` in order into states, one per chunk, on several cores
/// when there are `min_items` or more. `start` makes a chunk's state from the
/// position of its first item and its length; a chunk stops at its first
/// error. With `ahead`, memory is asked for items ahead of the one folded.
/// `from_the_end` folds each chunk from its last item to its first; its
/// error is then still the first in item order.
fn chunks<'s, T, S, E>(
    items: &'s [T],
    min_items: usize,
    from_the_end: bool,
    ahead: Option<Ahead<'_, T>>,
    start: impl Fn(usize, usize) -> S + Sync,
    step: impl Fn(&mut S, &'s T) -> Result<(), E> + Sync,
) -> Vec<Chunk<S, E>>
where
    T: Sync,
    S: Send,
    E: Send,
{
    let run = |offset: usize, part: &'s [T]| {
        let mut state = start(offset, part.len());
        // What to ask for ahead: the fields' places in the first item
        // stand for every item's (a collection's items share a shape).
        let ahead = ahead
            .filter(|_| part.len() > PREFETCH_DISTANCE)
            .and_then(|(reads, doc_of)| {
                let top = reads.positions_in(doc_of(part.first()?)?);
                Some((reads, doc_of, top, reads.depth()))
            });
        let mut first_error = None;
        for n in 0..part.len() {
            let i = if from_the_end { part.len() - 1 - n } else { n };
            if let Some((reads, doc_of, top, depth)) = &ahead {
                for level in 0..=*depth {
                    let distance = (depth + 1 - level) * PREFETCH_DISTANCE;
                    let ahead_of_i = match from_the_end {
                        true => i.checked_sub(distance),
                        false => Some(i + distance),
                    };
                    let Some(doc) = ahead_of_i.and_then(|a| part.get(a)).and_then(doc_of) else {
                        continue;
                    };
                    reads.prefetch_shaped(doc, level, top);
                }
            }
            if let Err(error) = step(&mut state, &part[i]) {
                if !from_the_end {
                    return Chunk {
                        state,
                        error: Some(error),
                    };
                }
                // Going back, each error found is earlier than the last.
                first_error = Some(error);
            }
        }
        Chunk {
            state,
            error: first_error,
        }
    };
    let cores = cores();
    if cores < 2 || items.len() < min_items || SPLITTING.with(Cell::get) {
        return vec![run(0, items)];
    }
    let size = items.len().div_ceil(cores);
    let mut parts = items
        .chunks(size)
        .enumerate()
        .map(|(i, part)| (i * size, part));
    let (first_offset, first) = parts.next().unwrap_or_default();
    let worker = |offset: usize, part: &'s [T]| {
        SPLITTING.with(|s| s.set(true));
        run(offset, part)
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .map(|(offset, part)| {
                let handle = std::thread::Builder::new()
                    .stack_size(WORKER_STACK)
                    .spawn_scoped(scope, move || worker(offset, part));
                (offset, part, handle)
            })
            .collect();
        let mut out = Vec::with_capacity(cores);
        SPLITTING.with(|s| s.set(true));
        out.push(run(first_offset, first));
        for (offset, part, handle) in handles {
            match handle {
                Ok(handle) => match handle.join() {
                    Ok(chunk) => out.push(chunk),
                    Err(panic) => std::panic::resume_unwind(panic),
                },
                // No thread to be had: this one does the part.
                Err(_) => out.push(run(offset, part)),
            }
        }
        SPLITTING.with(|s| s.set(false));
        out
    })
}

/// Runs `each` over `items` in order, each call pushing any number of
/// results, on several cores when there are `min_items` or more (work
/// that costs more per item than evaluating may split earlier than
/// `MIN_PARALLEL_ITEMS`): every result in order, or the first error in
/// item order.
pub(crate) fn collect<'s, T, R, E, F>(
    min_items: usize,
    items: &'s [T],
    each: F,
) -> Result<Vec<R>, E>
where
    T: Sync,
    R: Send,
    E: Send,
    F: Fn(&'s T, &mut Vec<R>) -> Result<(), E> + Sync,
{
    join(chunks(
        items,
        min_items,
        false,
        None,
        |_, len| Vec::with_capacity(len),
        |out, item| each(item, out),
    ))
}

/// Every chunk's results in order, up to the first error.
fn join<R, E>(chunks: Vec<Chunk<Vec<R>, E>>) -> Result<Vec<R>, E> {
    let mut out = Vec::with_capacity(chunks.iter().map(|c| c.state.len()).sum());
    for chunk in chunks {
        out.extend(chunk.state);
        if let Some(error) = chunk.error {
            return Err(error);
        }
    }
    Ok(out)
}

/// `collect` over an array value's elements, borrowed or built; `None`
/// when `array` is no array. `reads`, when given, is what `each` reads
/// below an element, asked for ahead.
pub(crate) fn each_element<'a, R, F>(
    array: &Val<'a>,
    reads: Option<&Reads>,
    each: F,
) -> Option<Result<Vec<R>, Box<QueryError>>>
where
    R: Send,
    F: Fn(&Val<'a>, &mut Vec<R>) -> Result<(), Box<QueryError>> + Sync,
{
    let start = |_, len| Vec::with_capacity(len);
    let step = |out: &mut Vec<R>, item: &Val<'a>| each(item, out);
    Some(join(element_chunks(array, reads, false, start, step)?))
}

/// Folds an array value's elements into one state per chunk: each chunk
/// in order, or from its last element to its first when `from_the_end`;
/// `start` makes a chunk's state from the position of the element it
/// folds first; `reads`, when given, is what `step` reads below an
/// element. The states, or the first error in element order; `None` when
/// `array` is no array.
pub(crate) fn fold_elements<'a, S, F>(
    array: &Val<'a>,
    reads: Option<&Reads>,
    from_the_end: bool,
    start: impl Fn(usize) -> S + Sync,
    step: F,
) -> Option<Result<Vec<S>, Box<QueryError>>>
where
    S: Send,
    F: Fn(&mut S, &Val<'a>) -> Result<(), Box<QueryError>> + Sync,
{
    let first = |offset: usize, len: usize| match from_the_end {
        true => start(offset + len.saturating_sub(1)),
        false => start(offset),
    };
    let chunks = element_chunks(array, reads, from_the_end, first, step)?;
    let mut states = Vec::with_capacity(chunks.len());
    for chunk in chunks {
        states.push(chunk.state);
        if let Some(error) = chunk.error {
            return Some(Err(error));
        }
    }
    Some(Ok(states))
}

/// `chunks` over an array value's elements, borrowed or built.
fn element_chunks<'a, S, F>(
    array: &Val<'a>,
    reads: Option<&Reads>,
    from_the_end: bool,
    start: impl Fn(usize, usize) -> S + Sync,
    step: F,
) -> Option<Vec<Chunk<S, Box<QueryError>>>>
where
    S: Send,
    F: Fn(&mut S, &Val<'a>) -> Result<(), Box<QueryError>> + Sync,
{
    Some(match array.items()? {
        Items::Docs(docs) => chunks(
            docs,
            MIN_PARALLEL_ITEMS,
            from_the_end,
            reads.map(|r| (r, as_doc as _)),
            start,
            |state, doc| step(state, &Val::Ref(doc)),
        ),
        Items::Vals(vals) => chunks(
            vals,
            MIN_PARALLEL_ITEMS,
            from_the_end,
            reads.map(|r| (r, val_doc as _)),
            start,
            |state, val| step(state, val),
        ),
    })
}

fn as_doc(doc: &Doc) -> Option<&Doc> {
    Some(doc)
}

fn val_doc<'v>(val: &'v Val<'_>) -> Option<&'v Doc> {
    match val {
        Val::Ref(doc) => Some(doc),
        _ => None,
    }
}

/// Sorts stably by `compare`: the two halves on two cores when there are
/// many items, then merged (ties keep the left half's element first).
pub(crate) fn sort_by<T, F>(mut items: Vec<T>, compare: F) -> Vec<T>
where
    T: Send + Copy,
    F: Fn(&T, &T) -> Ordering + Sync,
{
    if cores() < 2 || items.len() < MIN_PARALLEL_ITEMS || SPLITTING.with(Cell::get) {
        items.sort_by(&compare);
        return items;
    }
    let len = items.len();
    let (left, right) = items.split_at_mut(len / 2);
    let sorted_on_a_thread = std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .stack_size(WORKER_STACK)
            .spawn_scoped(scope, || right.sort_by(&compare));
        left.sort_by(&compare);
        match handle.map(|h| h.join()) {
            Ok(Ok(())) => true,
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(_) => false,
        }
    });
    if !sorted_on_a_thread {
        right.sort_by(&compare);
    }
    let mut merged = Vec::with_capacity(len);
    let (mut l, mut r) = (0, 0);
    while l < left.len() && r < right.len() {
        if compare(&right[r], &left[l]) == Ordering::Less {
            merged.push(right[r]);
            r += 1;
        } else {
            merged.push(left[l]);
            l += 1;
        }
    }
    merged.extend_from_slice(&left[l..]);
    merged.extend_from_slice(&right[r..]);
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Doc;
    use crate::query::{Query, Val};
    use serde_json::json;

    const MANY: u32 = 100_000;

    #[test]
    fn results_come_in_item_order_as_one_pass_gives_them() {
        let items: Vec<u32> = (0..MANY).collect();
        let each = |i: &u32, out: &mut Vec<u32>| {
            if i.is_multiple_of(3) {
                out.push(i * 2);
                out.push(i * 2 + 1);
            }
            Ok::<(), u32>(())
        };
        let one_pass: Vec<u32> = items
            .iter()
            .filter(|i| i.is_multiple_of(3))
            .flat_map(|i| [i * 2, i * 2 + 1])
            .collect();
        assert_eq!(collect(MIN_PARALLEL_ITEMS, &items, each), Ok(one_pass));
    }

    #[test]
    fn the_first_error_in_item_order_is_the_one_returned() {
        let items: Vec<u32> = (0..MANY).collect();
        let failing_at = |bad: &'static [u32]| {
            move |i: &u32, out: &mut Vec<u32>| {
                if bad.contains(i) {
                    return Err(*i);
                }
                out.push(*i);
                Ok(())
            }
        };
        assert_eq!(
            collect(MIN_PARALLEL_ITEMS, &items, failing_at(&[70_000, 20_000])),
            Err(20_000)
        );
        assert_eq!(
            collect(MIN_PARALLEL_ITEMS, &items, failing_at(&[70_000])),
            Err(70_000)
        );
        assert_eq!(
            collect(MIN_PARALLEL_ITEMS, &items, failing_at(&[99_999])),
            Err(99_999)
        );
    }

    #[test]
    fn the_sort_is_stable_across_both_halves() {
        let items: Vec<(u32, u32)> = (0..MANY).map(|i| ((i * 7919) % 97, i)).collect();
        let mut expected = items.clone();
        expected.sort_by_key(|(k, _)| *k);
        assert_eq!(sort_by(items, |a, b| a.0.cmp(&b.0)), expected);
    }

    /// Queries over 60,000 items answer as over a few: the same elements,
    /// the same order, the same first error.
    #[test]
    fn long_arrays_answer_as_short_ones_do() {
        let items: Vec<_> = (0..60_000)
            .map(|i| json!({"n": i, "k": format!("k{:02}", i % 50), "tags": [i, -i]}))
            .collect();
        let doc = Doc::from(json!(items));
        let run = |expression: &str| {
            Query::compile(expression)
                .unwrap()
                .evaluate(&Val::Ref(&doc))
                .map(|v| v.to_json())
        };
        assert_eq!(run("[?n > `59997`].n"), Ok(json!([59998, 59999])));
        // The answer is converted to JSON on every core, in order.
        let numbers: Vec<i64> = (0..60_000).collect();
        assert_eq!(run("[*].n"), Ok(json!(numbers)));
        let pairs: Vec<_> = (0..5000).map(|i| json!({"n": i, "t": [i, -i]})).collect();
        assert_eq!(run("[:5000].{n: n, t: tags}"), Ok(json!(pairs)));
        assert_eq!(run("length([].tags[])"), Ok(json!(120_000)));
        assert_eq!(
            run("[].tags[] | [59999:60002]"),
            Ok(json!([-29999, 30000, -30000]))
        );
        assert_eq!(run("sort_by(@, &k)[:3].n"), Ok(json!([0, 50, 100])));
        assert_eq!(run("sort_by(@, &k)[-1].n"), Ok(json!(59999)));
        assert_eq!(
            run("max_by(@, &k).n"),
            Ok(json!(49)),
            "the first of the ties"
        );
        assert_eq!(run("min_by(@, &n).n"), Ok(json!(0)));
        let mixed = "sort_by(@, &(n == `45000` && 'x' || n))";
        let err = run(mixed).unwrap_err();
        assert_eq!(err.code(), "invalid-type");
        assert!(err.to_string().contains("got string"), "{err}");
        let mixed_early = "max_by(@, &(n == `10` && 'x' || n == `50000` && `true` || n))";
        assert!(
            run(mixed_early)
                .unwrap_err()
                .to_string()
                .contains("got string")
        );
        // The back of a sort is kept going backwards, chunk by chunk: keys
        // in order and reversed give the back a full sort gives, ties in
        // their order, and the first error is still the first element's.
        assert_eq!(
            run("sort_by(@, &n)[-3:].n"),
            Ok(json!([59997, 59998, 59999]))
        );
        assert_eq!(run("sort_by(@, &tags[1])[-2:].n"), Ok(json!([1, 0])));
        assert_eq!(
            run("sort_by(@, &k)[-3:].n"),
            Ok(json!([59899, 59949, 59999]))
        );
        let back_early = "sort_by(@, &(n == `10` && 'x' || n == `20000` && `true` || n))[-3:]";
        assert!(
            run(back_early)
                .unwrap_err()
                .to_string()
                .contains("got string")
        );
    }
}
