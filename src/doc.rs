//! The form collections are held in: JSON, compact and in order.
//!
//! `serde_json::Value` with ordered maps costs about 3 KB per ListUsers item
//! (an IndexMap, a hash table and a SipHash per key); a 100,000-user
//! directory then needs well over 300 MB and most of a query's time goes to
//! hashing. `Doc` keeps objects as boxed slices of (key, value) in AWS's
//! order: 24 bytes a node, no hashing, and lookups by a short linear scan,
//! which beats hashing on the dozen keys an AWS item has.

use std::fmt;
use std::sync::Arc;

use compact_str::CompactString;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Number, Value as Json};

use crate::query::needs::Need;

/// An object key: stored inline up to 24 bytes (every AWS field name), so
/// a lookup compares keys without following a pointer.
pub(crate) type Key = CompactString;

/// A JSON value held compactly, object keys in their original order, each
/// key once (a repeated key keeps its first place and its last value).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Doc {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    /// Strings up to 24 bytes are inline: comparing them reads no other memory.
    String(CompactString),
    Array(Box<[Doc]>),
    Object(Box<[(Key, Doc)]>),
}

static NULL: Doc = Doc::Null;

/// Starts loading the cache lines that hold `data`.
#[inline]
fn prefetch<T>(data: &[T]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        const LINE: usize = 64;
        let start: *const i8 = data.as_ptr().cast();
        let skew = start.addr() % LINE;
        let first_line = start.wrapping_sub(skew);
        for offset in (0..skew + std::mem::size_of_val(data)).step_by(LINE) {
            // SAFETY: a prefetch is a hint to the cache: it reads nothing
            // into the program and cannot fault, whatever the address;
            // `sse` is in every x86_64 target's baseline. One of the
            // crate's two unsafe blocks (the other maps large files in
            // `source/file.rs`); the lints deny it everywhere else.
            #[allow(unsafe_code)]
            unsafe {
                _mm_prefetch::<_MM_HINT_T0>(first_line.wrapping_add(offset))
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = data;
}

impl Doc {
    /// Parses JSON text. Nesting deeper than 128 levels is refused, so no
    /// document can exhaust the stack.
    pub fn parse(text: &str) -> Result<Doc, serde_json::Error> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let doc = Doc::deserialize(&mut deserializer)?;
        deserializer.end()?;
        Ok(doc)
    }

    /// Parses JSON text, building only what `need` asks for (see
    /// `crate::query::needs`); what is left out is still read and checked,
    /// so a document this refuses is refused whole.
    pub fn parse_pruned(text: &str, need: &Need) -> Result<Doc, serde_json::Error> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let doc = Pruned(need).deserialize(&mut deserializer)?;
        deserializer.end()?;
        Ok(doc)
    }

    /// Parses a large document of the shape AWS list commands print,
    /// `{"Users": [item, item, ...]}`, on two cores: the items after a cut
    /// near the middle on a second thread, the rest on this one. `None`
    /// when the text has another shape or either half does not parse, or
    /// the cut turns out not to fall between two items of that array; the
    /// caller then parses in one piece, and reports any error as that does.
    ///
    /// With `mark`, items that only go into the answer as they are (see
    /// [`Need::passed`]) are built as far as the query reads them and
    /// marked with where their text starts; the flag says whether any
    /// were, and [`ItemMark::complete`] builds the answer's whole.
    pub fn parse_split(
        text: &str,
        need: Option<&Need>,
        mark: Option<&ItemMark>,
    ) -> Option<(Doc, bool)> {
        let split = Split::find(text, need, mark)?;
        let (head, tail) = std::thread::scope(|scope| {
            let tail = std::thread::Builder::new()
                .spawn_scoped(scope, || {
                    split.parse_items(text, split.cut, split.close, false)
                })
                .ok()?;
            let head = split.parse_head(text, need);
            Some((head, tail.join().ok()?))
        })?;
        let marked = split.marking.is_some();
        Some((split.join(head?, tail?)?, marked))
    }

    /// The value of `key`, if this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Doc> {
        let position = self.position(key)?;
        self.as_object().map(|entries| &entries[position].1)
    }

    /// Asks the processor to start loading this value's first entries or
    /// elements. Only a hint: it changes no result, and a loop that gives
    /// it for an item some places ahead finds that item's memory in cache
    /// instead of waiting for it.
    #[inline]
    pub(crate) fn prefetch(&self) {
        match self {
            Doc::Object(entries) => prefetch(&entries[..entries.len().min(2)]),
            Doc::Array(items) => prefetch(&items[..items.len().min(2)]),
            _ => {}
        }
    }

    /// As `prefetch`, for the entries at `positions` (those past the end
    /// are skipped): where the fields a query reads sit in objects of one
    /// shape.
    #[inline]
    pub(crate) fn prefetch_entries(&self, positions: impl IntoIterator<Item = usize>) {
        if let Doc::Object(entries) = self {
            for position in positions {
                if let Some(entry) = entries.get(position) {
                    prefetch(std::slice::from_ref(entry));
                }
            }
        }
    }

    /// Where `key` is among this object's entries.
    pub(crate) fn position(&self, key: &str) -> Option<usize> {
        let wanted = key.as_bytes();
        let first = wanted.first().copied();
        // Length and first byte rule out almost every other key before a
        // full comparison is needed.
        self.as_object()?.iter().position(|(k, _)| {
            k.len() == wanted.len() && k.as_bytes().first().copied() == first && same_key(k, key)
        })
    }

    /// The string at `key`, or "" when there is none.
    pub fn text(&self, key: &str) -> &str {
        self[key].as_str().unwrap_or_default()
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Doc::String(s) => Some(s),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Doc]> {
        match self {
            Doc::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The entries, if this is an object.
    pub fn as_object(&self) -> Option<&[(Key, Doc)]> {
        match self {
            Doc::Object(entries) => Some(entries),
            _ => None,
        }
    }

    /// Items in an array, entries in an object, 1 for anything else.
    pub fn count(&self) -> usize {
        match self {
            Doc::Array(items) => items.len(),
            Doc::Object(entries) => entries.len(),
            _ => 1,
        }
    }

    /// Converts into `serde_json::Value` (for rendering).
    pub fn to_json(&self) -> Json {
        match self {
            Doc::Null => Json::Null,
            Doc::Bool(b) => Json::Bool(*b),
            Doc::Number(n) => Json::Number(n.clone()),
            Doc::String(s) => Json::String(s.to_string()),
            Doc::Array(items) => Json::Array(items.iter().map(Doc::to_json).collect()),
            Doc::Object(entries) => Json::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// An object of `entries`: a repeated key keeps its first place and
    /// its last value, as a JSON object keeps it.
    pub(crate) fn object(entries: impl IntoIterator<Item = (Key, Doc)>) -> Doc {
        /// Past this many entries a repeated key is found by hashing.
        const FOUND_BY_SCAN: usize = 32;
        let entries = entries.into_iter();
        let mut kept: Vec<(Key, Doc)> = Vec::with_capacity(entries.size_hint().0);
        let mut places: Option<std::collections::HashMap<Key, usize>> = None;
        for (key, value) in entries {
            if let Some(places) = &mut places {
                match places.get(&key) {
                    Some(&at) => kept[at].1 = value,
                    None => {
                        places.insert(key.clone(), kept.len());
                        kept.push((key, value));
                    }
                }
                continue;
            }
            set_entry(&mut kept, key, value);
            if kept.len() > FOUND_BY_SCAN {
                places = Some(
                    kept.iter()
                        .enumerate()
                        .map(|(i, (k, _))| (k.clone(), i))
                        .collect(),
                );
            }
        }
        Doc::Object(kept.into_boxed_slice())
    }

    /// Wraps a collection for holding.
    pub fn shared(value: Json) -> Arc<Doc> {
        Arc::new(Doc::from(value))
    }
}

impl std::ops::Index<&str> for Doc {
    type Output = Doc;

    /// The value of `key`, or null.
    fn index(&self, key: &str) -> &Doc {
        self.get(key).unwrap_or(&NULL)
    }
}

impl std::ops::Index<usize> for Doc {
    type Output = Doc;

    /// Element `index`, or null.
    fn index(&self, index: usize) -> &Doc {
        self.as_array()
            .and_then(|items| items.get(index))
            .unwrap_or(&NULL)
    }
}

impl From<Json> for Doc {
    fn from(value: Json) -> Doc {
        match value {
            Json::Null => Doc::Null,
            Json::Bool(b) => Doc::Bool(b),
            Json::Number(n) => Doc::Number(n),
            Json::String(s) => Doc::String(CompactString::from(s)),
            Json::Array(items) => Doc::Array(items.into_iter().map(Doc::from).collect()),
            Json::Object(map) => Doc::Object(
                map.into_iter()
                    .map(|(k, v)| (Key::from(k), Doc::from(v)))
                    .collect(),
            ),
        }
    }
}

impl Serialize for Doc {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Doc::Null => serializer.serialize_unit(),
            Doc::Bool(b) => serializer.serialize_bool(*b),
            Doc::Number(n) => n.serialize(serializer),
            Doc::String(s) => serializer.serialize_str(s),
            Doc::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items.iter() {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Doc::Object(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries.iter() {
                    map.serialize_entry(key.as_str(), value)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Doc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Doc, D::Error> {
        deserializer.deserialize_any(DocVisitor)
    }
}

struct DocVisitor;

impl<'de> Visitor<'de> for DocVisitor {
    type Value = Doc;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<Doc, E> {
        Ok(Doc::Null)
    }

    fn visit_none<E>(self) -> Result<Doc, E> {
        Ok(Doc::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Doc, E> {
        Ok(Doc::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Doc, E> {
        Ok(Doc::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Doc, E> {
        Ok(Doc::Number(n.into()))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Doc, E> {
        Number::from_f64(n)
            .map(Doc::Number)
            .ok_or_else(|| E::custom("number out of range"))
    }

    fn visit_str<E>(self, s: &str) -> Result<Doc, E> {
        Ok(Doc::String(CompactString::from(s)))
    }

    fn visit_string<E>(self, s: String) -> Result<Doc, E> {
        Ok(Doc::String(CompactString::from(s)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Doc, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Doc::Array(items.into_boxed_slice()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Doc, A::Error> {
        let mut entries: Vec<(Key, Doc)> = Vec::with_capacity(map.size_hint().unwrap_or(8));
        while let Some(KeyString(key)) = map.next_key::<KeyString>()? {
            let value = map.next_value()?;
            set_entry(&mut entries, key, value);
        }
        Ok(Doc::Object(entries.into_boxed_slice()))
    }
}

/// The visitor methods that build scalars as a whole document builds them.
macro_rules! scalars_as_built {
    () => {
        fn visit_unit<E: de::Error>(self) -> Result<Doc, E> {
            DocVisitor.visit_unit()
        }

        fn visit_bool<E: de::Error>(self, b: bool) -> Result<Doc, E> {
            DocVisitor.visit_bool(b)
        }

        fn visit_i64<E: de::Error>(self, n: i64) -> Result<Doc, E> {
            DocVisitor.visit_i64(n)
        }

        fn visit_u64<E: de::Error>(self, n: u64) -> Result<Doc, E> {
            DocVisitor.visit_u64(n)
        }

        fn visit_f64<E: de::Error>(self, n: f64) -> Result<Doc, E> {
            DocVisitor.visit_f64(n)
        }

        fn visit_str<E: de::Error>(self, s: &str) -> Result<Doc, E> {
            DocVisitor.visit_str(s)
        }
    };
}

/// Where [`Doc::parse_split`] cuts a document, and how each half is read.
struct Split<'t> {
    /// The top-level key whose array is cut.
    key: &'t str,
    /// Where the array's items start (just after its `[`).
    open: usize,
    /// Where the first item after the cut starts (its `{`).
    cut: usize,
    /// Where the array closes (its `]`, the text's last).
    close: usize,
    /// What each of the array's items needs built (`None`: everything).
    each: Option<Need>,
    /// The mark for items built only as far as `each` reads them.
    marking: Option<&'t ItemMark>,
}

/// Stands in the first half for the array's items: a string no JSON text
/// holds outside a string literal (it starts with an escape).
const CUT_MARK: &str = "\"\\u0000idcsh: the items of this array\"";

/// What JSON reads as white space between tokens.
const JSON_SPACE: [char; 4] = [' ', '\t', '\n', '\r'];

/// [`CUT_MARK`] read.
const CUT_MARK_READ: &str = "\u{0}idcsh: the items of this array";

/// Items deeper than this (in nested arrays and objects) are parsed again
/// in one piece, where serde_json's nesting limit counts from the top.
const SPLIT_ITEM_DEPTH: usize = 100;

impl<'t> Split<'t> {
    fn find(text: &'t str, need: Option<&Need>, mark: Option<&'t ItemMark>) -> Option<Split<'t>> {
        // The array closes at the last `]`, and only the object's `}` follows.
        let close = text.rfind(']')?;
        if text[close + 1..].trim_matches(JSON_SPACE) != "}" {
            return None;
        }
        let rest = text.trim_start_matches(JSON_SPACE).strip_prefix('{')?;
        let rest = rest.trim_start_matches(JSON_SPACE).strip_prefix('"')?;
        let key = &rest[..rest.find('"')?];
        if key.contains('\\') {
            return None;
        }
        let after_key = rest[key.len() + 1..].trim_start_matches(JSON_SPACE);
        let items = after_key
            .strip_prefix(':')?
            .trim_start_matches(JSON_SPACE)
            .strip_prefix('[')?;
        let open = text.len() - items.len();
        // An item starts as the first does (AWS's items all start with
        // the same key): `{"UserName"` tells an item from an object
        // nested in one, such as an e-mail address.
        let first_key = items
            .trim_start_matches(JSON_SPACE)
            .strip_prefix('{')
            .map(|item| item.trim_start_matches(JSON_SPACE))
            .filter(|item| item.starts_with('"'))
            .and_then(|item| Some(&item[..item[1..].find('"')? + 2]))
            .unwrap_or("");
        let each = match need {
            None => None,
            Some(need) => {
                let array = need.of_field(key)?;
                if !array.builds_whole() && array.elements.is_none() {
                    return None;
                }
                Some(array.of_elements())
            }
        };
        // Items that go into the answer and are read no further than
        // their fields are built as far as read, and marked.
        let (each, marking) = match (each, mark) {
            (Some(each), Some(mark)) if each.passed && !each.whole && each.entries.is_none() => {
                let read = Need {
                    passed: false,
                    ..each
                };
                (Some(read), Some(mark))
            }
            (each, _) => (each, None),
        };
        // The first `}` `,` `{` (spaces allowed between) after the middle.
        let bytes = text.as_bytes();
        let mut at = text.len() / 2;
        let cut = loop {
            let brace = at + bytes.get(at..close)?.iter().position(|&b| b == b'}')?;
            let next =
                |from: usize| (from..close).find(|&i| !JSON_SPACE.contains(&char::from(bytes[i])));
            if let Some(comma) = next(brace + 1).filter(|&i| bytes[i] == b',')
                && let Some(open) = next(comma + 1).filter(|&i| bytes[i] == b'{')
                && next(open + 1).is_some_and(|i| text[i..].starts_with(first_key))
            {
                break open;
            }
            at = brace + 1;
        };
        Some(Split {
            key,
            open,
            cut,
            close,
            each,
            marking,
        })
    }

    /// The object around the array, read with the cut mark for its
    /// items, then the items up to the cut, one at a time.
    fn parse_head(&self, text: &str, need: Option<&Need>) -> Option<(Doc, Vec<Doc>)> {
        let mut skeleton =
            String::with_capacity(self.open + CUT_MARK.len() + text.len() - self.close);
        skeleton.push_str(&text[..self.open]);
        skeleton.push_str(CUT_MARK);
        skeleton.push_str(&text[self.close..]);
        let skeleton = match need {
            Some(need) => Doc::parse_pruned(&skeleton, need),
            None => Doc::parse(&skeleton),
        }
        .ok()?;
        Some((skeleton, self.parse_items(text, self.open, self.cut, true)?))
    }

    /// The items in `text[from..to]`, one at a time: separated by commas,
    /// and followed by one when the range ends at the cut.
    fn parse_items(&self, text: &str, from: usize, to: usize, at_cut: bool) -> Option<Vec<Doc>> {
        let skip_space = |at: usize| {
            let rest = &text[at..to];
            to - rest.trim_start_matches(JSON_SPACE).len()
        };
        let mut items = Vec::new();
        let mut at = skip_space(from);
        loop {
            let mut deserializer = serde_json::Deserializer::from_str(&text[at..to]);
            let item = match (&self.each, self.marking) {
                (Some(each), Some(mark)) => Marked {
                    need: each,
                    mark,
                    at,
                }
                .deserialize(&mut deserializer),
                (Some(each), None) => Pruned(each).deserialize(&mut deserializer),
                (None, _) => Doc::deserialize(&mut deserializer),
            }
            .ok()?;
            if item.deeper_than(SPLIT_ITEM_DEPTH) {
                return None;
            }
            items.push(item);
            // What follows the item: `,` and the next, or the range's end.
            at = skip_space(at + deserializer.into_iter::<Doc>().byte_offset());
            if at == to {
                return (!at_cut).then_some(items);
            }
            if text.as_bytes()[at] != b',' {
                return None;
            }
            at = skip_space(at + 1);
            if at == to {
                return at_cut.then_some(items);
            }
        }
    }

    /// The skeleton with the cut mark replaced by the items; `None`
    /// unless the mark is the array's one item.
    fn join(self, (head, mut items): (Doc, Vec<Doc>), tail: Vec<Doc>) -> Option<Doc> {
        let Doc::Object(mut entries) = head else {
            return None;
        };
        let (_, array) = entries.iter_mut().find(|(k, _)| k.as_str() == self.key)?;
        let Doc::Array(mark) = std::mem::take(array) else {
            return None;
        };
        if mark.len() != 1 || mark[0].as_str() != Some(CUT_MARK_READ) {
            return None;
        }
        items.extend(tail);
        *array = Doc::Array(items.into_boxed_slice());
        Some(Doc::Object(entries))
    }
}

/// The mark on a listing's items that [`Doc::parse_split`] built only as
/// far as a query reads them: an entry, first in each, whose key no
/// document holds (it is random, and begins with a NUL) and whose value
/// is where the item's text starts.
#[derive(Debug, Clone)]
pub struct ItemMark(Key);

impl ItemMark {
    /// A mark no document can hold by chance or design.
    pub fn new() -> ItemMark {
        use std::hash::{BuildHasher, Hasher};
        let random = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        ItemMark(Key::from(format!("\u{0}idcsh#{random:016x}")))
    }

    /// `answer` with each marked item in it built whole from `text`, the
    /// text it was read from.
    pub fn complete(&self, text: &[u8], mut answer: Doc) -> Result<Doc, serde_json::Error> {
        self.fill(text, &mut answer)?;
        Ok(answer)
    }

    fn fill(&self, text: &[u8], doc: &mut Doc) -> Result<(), serde_json::Error> {
        match doc {
            Doc::Object(entries) => {
                if let Some((key, Doc::Number(at))) = entries.first()
                    && *key == self.0
                {
                    let item = at
                        .as_u64()
                        .and_then(|at| text.get(usize::try_from(at).ok()?..))
                        .ok_or_else(|| de::Error::custom("a marked item is outside its text"))?;
                    let mut deserializer = serde_json::Deserializer::from_slice(item);
                    *doc = Doc::deserialize(&mut deserializer)?;
                    return Ok(());
                }
                for (_, value) in entries.iter_mut() {
                    self.fill(text, value)?;
                }
            }
            Doc::Array(items) => {
                for item in items.iter_mut() {
                    self.fill(text, item)?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

impl Default for ItemMark {
    fn default() -> Self {
        ItemMark::new()
    }
}

/// An item of a split listing: an object built as far as `need` reads it,
/// with `mark` first, saying it starts at `at`; anything else whole.
struct Marked<'n> {
    need: &'n Need,
    mark: &'n ItemMark,
    at: usize,
}

impl<'de> DeserializeSeed<'de> for Marked<'_> {
    type Value = Doc;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Doc, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Marked<'_> {
    type Value = Doc;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    scalars_as_built!();

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Doc, A::Error> {
        DocVisitor.visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Doc, A::Error> {
        let at = Doc::Number(Number::from(self.at as u64));
        pruned_entries(self.need, map, vec![(self.mark.0.clone(), at)])
    }
}

impl Doc {
    /// Whether arrays and objects nest more than `levels` deep in this value.
    fn deeper_than(&self, levels: usize) -> bool {
        let inner = match self {
            Doc::Array(items) => items.as_ref(),
            Doc::Object(entries) => {
                return levels == 0 || entries.iter().any(|(_, v)| v.deeper_than(levels - 1));
            }
            _ => return false,
        };
        levels == 0 || inner.iter().any(|v| v.deeper_than(levels - 1))
    }
}

/// Whether two keys are the same. Keys are short: comparing them a word
/// at a time, inline, is several times cheaper than a call to `memcmp`.
#[inline]
pub(crate) fn same_key(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |bytes: &[u8], at: usize| {
        let mut buffer = [0; 8];
        buffer.copy_from_slice(&bytes[at..at + 8]);
        u64::from_ne_bytes(buffer)
    };
    let half = |bytes: &[u8], at: usize| {
        let mut buffer = [0; 4];
        buffer.copy_from_slice(&bytes[at..at + 4]);
        u32::from_ne_bytes(buffer)
    };
    match n {
        // Two overlapping words cover the key.
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        4..=7 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        _ => a == b,
    }
}

/// Adds an object's entry as it is read: a repeated key keeps its first
/// place and its last value, as `serde_json` and Python's `json` read it.
fn set_entry(entries: &mut Vec<(Key, Doc)>, key: Key, value: Doc) {
    match entries.iter_mut().find(|(k, _)| same_key(k, &key)) {
        Some(entry) => entry.1 = value,
        None => entries.push((key, value)),
    }
}

/// A value built as far as a [`Need`] asks.
struct Pruned<'n>(&'n Need);

impl<'de> DeserializeSeed<'de> for Pruned<'_> {
    type Value = Doc;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Doc, D::Error> {
        if self.0.builds_whole() {
            return Doc::deserialize(deserializer);
        }
        deserializer.deserialize_any(PrunedVisitor(self.0))
    }
}

struct PrunedVisitor<'n>(&'n Need);

impl<'de> Visitor<'de> for PrunedVisitor<'_> {
    type Value = Doc;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    scalars_as_built!();

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Doc, A::Error> {
        let Some(each) = self.0.elements.as_deref() else {
            while seq.next_element_seed(Skip)?.is_some() {}
            return Ok(Doc::Array(Box::default()));
        };
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(Pruned(each))? {
            items.push(item);
        }
        Ok(Doc::Array(items.into_boxed_slice()))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Doc, A::Error> {
        pruned_entries(self.0, map, Vec::new())
    }
}

/// An object after `entries`, its entries built as far as `need` reads them.
fn pruned_entries<'de, A: MapAccess<'de>>(
    need: &Need,
    mut map: A,
    mut entries: Vec<(Key, Doc)>,
) -> Result<Doc, A::Error> {
    while let Some(KeyString(key)) = map.next_key::<KeyString>()? {
        let Some(need) = need.of_field(&key) else {
            map.next_value_seed(Skip)?;
            continue;
        };
        let value = map.next_value_seed(Pruned(&need))?;
        set_entry(&mut entries, key, value);
    }
    Ok(Doc::Object(entries.into_boxed_slice()))
}

/// A value read, checked as strictly as a built one, and dropped.
struct Skip;

impl<'de> DeserializeSeed<'de> for Skip {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(Skip)
    }
}

impl<'de> Visitor<'de> for Skip {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<(), E> {
        DocVisitor.visit_f64(n).map(drop)
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Skip)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key_seed(Skip)?.is_some() {
            map.next_value_seed(Skip)?;
        }
        Ok(())
    }
}

/// An object key, read straight into its inline form.
struct KeyString(Key);

impl<'de> Deserialize<'de> for KeyString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<KeyString, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = KeyString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_str<E>(self, s: &str) -> Result<KeyString, E> {
                Ok(KeyString(Key::from(s)))
            }
            fn visit_string<E>(self, s: String) -> Result<KeyString, E> {
                Ok(KeyString(Key::from(s)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_is_small() {
        assert!(
            std::mem::size_of::<Doc>() <= 32,
            "{}",
            std::mem::size_of::<Doc>()
        );
    }

    /// A document of AWS's list shape, `{"Items": [...]}`, with items whose
    /// strings hold the text of item boundaries (`}, {`), quotes and
    /// escapes, nested arrays of objects, and some items that are no objects.
    fn listing(seed: u64, items: usize, pretty: bool) -> String {
        let mut random = fastrand::Rng::with_seed(seed);
        // Most text is plain; now and then it holds what a cut looks for.
        let pieces = [
            "}, {", "},{", "\\\"", "]}", "[", "\\\\", "é", "\\u0000", "x", " ", "ab", "c",
        ];
        let plain = 8;
        let mut list = Vec::new();
        for i in 0..items {
            let tricky = random.u8(..20) == 0;
            let text: String = (0..random.usize(0..6))
                .map(|_| match tricky {
                    true => pieces[random.usize(..pieces.len())],
                    false => pieces[random.usize(plain..pieces.len())],
                })
                .collect();
            list.push(match random.u8(..40) {
                0 => format!("\"{text}\""),
                1 => format!("[{{\"a\": \"{text}\"}}, {{\"b\": [{{}}, {{}}]}}]"),
                _ => format!(
                    "{{\"Id\": {i}, \"Name\": \"{text}\", \"Tags\": [{{\"k\": \"{text}\"}}, {{\"k\": 1}}], \"Id\": {}}}",
                    i * 2
                ),
            });
        }
        let separator = if pretty { ",\n        " } else { ", " };
        format!("{{\"Items\": [{}]}}\n", list.join(separator))
    }

    /// Read on two cores, a document is what serde_json reads it as in one
    /// piece, whole or as far as a query needs it; where the cut falls in
    /// a string, or the document has another shape or an error, the split
    /// declines and the caller's one-piece parse answers.
    #[test]
    fn a_document_read_on_two_cores_is_the_document_read_in_one_piece() {
        use crate::query::Query;
        let need = Query::compile("Items[].Tags[].k").unwrap().needs();
        let mut split = 0;
        for seed in 0..300 {
            let text = listing(seed, 1 + seed as usize % 40, seed % 2 == 0);
            let expected = Doc::from(serde_json::from_str::<Json>(&text).unwrap());
            if let Some(doc) = Doc::parse_split(&text, None, None).map(|(doc, _)| doc) {
                assert_eq!(doc, expected, "{text}");
                split += 1;
            }
            if let Some(need) = &need
                && let Some((doc, _)) = Doc::parse_split(&text, Some(need), None)
            {
                assert_eq!(doc, Doc::parse_pruned(&text, need).unwrap(), "{text}");
            }
        }
        // Most documents are split (some cuts fall in a string, some
        // listings are too short to have a boundary after their middle).
        assert!(split > 200, "{split} of 300 split");
        let declined = [
            // Another shape: two arrays, text after the array, no object.
            r#"{"A": [{"a": 1}, {"a": 2}], "B": [{"b": 1}, {"b": 2}]}"#,
            r#"{"A": [{"a": 1}, {"a": 2}], "B": [{"a": 3}, {"a": 4}, {"a": 5}]}"#,
            r#"{"A": [{"a": 1}, {"a": 2}, {"a": 3}], "Next": null}"#,
            r#"[{"a": 1}, {"a": 2}, {"a": 3}, {"a": 4}]"#,
            // Errors after the cut: the one-piece parse reports them.
            r#"{"A": [{"a": 1}, {"a": 2}, {"a": 3}, {"a": 4}, {"a" 5}]}"#,
            r#"{"A": [{"a": 1}, {"a": 2}, {"a": 3}, {"a": 4}, {"a": 5},]}"#,
            r#"{"A": [{"a": 1}, {"a": 2}, {"a": 3}, {"a": 4} {"a": 5}]}"#,
        ];
        for text in declined {
            assert_eq!(Doc::parse_split(text, None, None), None, "{text}");
        }
        let fine = r#"{"A": [{"a": 1}, {"a": 2}, {"a": 3}, {"a": 4}, {"a": 5}]}"#;
        assert_eq!(
            Doc::parse_split(fine, None, None),
            Some((Doc::parse(fine).unwrap(), false))
        );
        // An item nested deeper than the split checks is read in one piece,
        // where the nesting limit counts from the top.
        let deep = format!(
            r#"{{"A": [{}{{"a": {}1{}}}]}}"#,
            r#"{"a": 1}, "#.repeat(60),
            "[".repeat(126),
            "]".repeat(126)
        );
        assert_eq!(Doc::parse_split(&deep, None, None), None);
        assert!(Doc::parse(&deep).is_err());
    }

    /// Items that only go into the answer are built as far as read and
    /// marked, then built whole once the answer holds them: the answer,
    /// or the error, is the one over the document read whole, for lines
    /// that answer items (an index, a short slice, `max_by`), lines that
    /// only read them, and listings whose items are not all objects.
    #[test]
    fn an_answer_from_marked_items_is_the_answer_from_whole_ones() {
        use crate::query::{Query, Val};
        let lines = [
            "Items[0]",
            "Items[-1]",
            "Items[-3:]",
            "Items[2:5]",
            "Items[6:1:-2]",
            "Items[:2].Tags",
            "max_by(Items, &Id)",
            "sort_by(Items, &Id)[-2:]",
            "sort_by(Items, &Id)[:3].Name",
            "Items[?Id > `4`] | [0]",
            "{first: Items[0], n: length(Items), last: Items[-1].Id}",
            "not_null(Items[99], Items[1])",
            "Items[1] || Items[2]",
            "Items[-2:] | [?Name != 'x']",
            "Items[?Name == Items[0].Name] | [:2]",
            "keys(Items[0])",
        ];
        let mark = ItemMark::new();
        let mut marked = 0;
        for seed in 0..120 {
            let text = listing(seed, 2 + seed as usize % 30, seed % 3 == 0);
            let whole = Doc::parse(&text).unwrap();
            for line in lines {
                let query = Query::compile(line).unwrap();
                let Some(mut need) = query.needs_passing() else {
                    continue;
                };
                need.entries.get_or_insert_default();
                let Some((doc, used)) = Doc::parse_split(&text, Some(&need), Some(&mark)) else {
                    continue;
                };
                marked += usize::from(used);
                let answer = |doc: &Doc| query.evaluate(&Val::Ref(doc)).map(|v| v.to_doc());
                let ours = answer(&doc).map(|v| mark.complete(text.as_bytes(), v).unwrap());
                assert_eq!(
                    ours.map_err(|e| e.to_string()),
                    answer(&whole).map_err(|e| e.to_string()),
                    "{line} over {text}"
                );
            }
        }
        assert!(marked > 500, "only {marked} parses marked items");
    }

    /// Keys compared a word at a time are the same exactly when their
    /// bytes are: at every length, whichever single byte differs.
    #[test]
    fn keys_are_the_same_exactly_when_their_bytes_are() {
        for length in 0..=40 {
            let key: String = (0..length)
                .map(|i| char::from(b'a' + i as u8 % 26))
                .collect();
            assert!(same_key(&key, &key.clone()), "{key}");
            assert!(!same_key(&key, &format!("{key}a")), "{key}");
            for place in 0..length {
                let mut other = key.clone().into_bytes();
                other[place] = b'Z';
                let other = String::from_utf8(other).unwrap();
                assert!(!same_key(&key, &other), "{key} {other}");
                assert!(!same_key(&other, &key), "{other} {key}");
            }
        }
    }

    #[test]
    fn parsing_keeps_order_and_round_trips() {
        let text = r#"{"b":1,"a":[true,null,"x",2.5,-3],"c":{"z":{},"y":[]}}"#;
        let doc = Doc::parse(text).unwrap();
        assert_eq!(serde_json::to_string(&doc).unwrap(), text);
        let json: Json = serde_json::from_str(text).unwrap();
        assert_eq!(doc.to_json(), json);
        assert_eq!(Doc::from(json), doc);
        assert_eq!(doc["a"][2].as_str(), Some("x"));
        assert_eq!(doc["missing"], Doc::Null);
    }

    #[test]
    fn a_repeated_key_keeps_its_first_place_and_its_last_value() {
        let doc = Doc::parse(r#"{"a": 1, "b": 2, "a": {"x": 3}, "c": 4, "b": 5}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&doc).unwrap(),
            r#"{"a":{"x":3},"b":5,"c":4}"#
        );
        let json: Json =
            serde_json::from_str(r#"{"a": 1, "b": 2, "a": {"x": 3}, "c": 4, "b": 5}"#).unwrap();
        assert_eq!(Doc::from(json), doc, "as serde_json reads it");
        assert_eq!(doc.position("c"), Some(2));
    }

    #[test]
    fn trailing_garbage_and_deep_nesting_are_refused() {
        assert!(Doc::parse("[1] [2]").is_err());
        let deep = "[".repeat(100_000);
        let err = Doc::parse(&deep).unwrap_err();
        assert!(err.to_string().contains("recursion limit"), "{err}");
    }
}
