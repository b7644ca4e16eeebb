//! What an expression reads below the value it runs on, so that a loop
//! over many documents can ask for that memory some items ahead.
//!
//! A filter over 100,000 users spends most of its time waiting for each
//! user's entries, then for the nested object a path such as
//! `Name.FamilyName` goes through. The processor cannot guess those
//! addresses; the expression names them. `Reads` is that knowledge,
//! compiled once, and `Reads::prefetch` follows it through a document
//! without evaluating anything.

use crate::doc::Doc;

use super::compile::{Node, Stage};
use super::functions::Function;

/// The fields (and array elements) an expression reads below a value, each
/// with what it reads below that.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Reads {
    fields: Vec<(String, Reads)>,
    elements: Option<Box<Reads>>,
}

impl Reads {
    /// What `node` reads below the value it is evaluated on.
    pub(crate) fn of(node: &Node) -> Reads {
        let mut reads = Reads::default();
        record(node, &mut reads);
        reads
    }

    /// What the stages of a stream read below one element of its source.
    pub(crate) fn of_stages(stages: &[Stage]) -> Reads {
        let mut reads = Reads::default();
        record_stages(stages, &mut reads);
        reads
    }

    /// How many levels below the value an object or array is read into
    /// (0 when only the value's own fields are read).
    pub(crate) fn depth(&self) -> usize {
        self.below()
            .map(|reads| reads.depth() + 1)
            .max()
            .unwrap_or(0)
    }

    /// What is read below each field or element that is read into.
    fn below(&self) -> impl Iterator<Item = &Reads> {
        self.fields
            .iter()
            .map(|(_, reads)| reads)
            .chain(self.elements.as_deref())
            .filter(|reads| !reads.is_empty())
    }

    fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.elements.is_none()
    }

    /// Where the fields read at the top sit in `sample`, for asking ahead
    /// in objects of the same shape.
    pub(crate) fn positions_in(&self, sample: &Doc) -> Vec<Option<usize>> {
        self.fields
            .iter()
            .map(|(name, _)| sample.position(name))
            .collect()
    }

    /// As `prefetch`, in an object whose fields sit at `positions` (from
    /// `positions_in` on an object of the same shape): its own entries
    /// are asked for only where those fields are, and found again there
    /// without searching. A field elsewhere is not asked for.
    pub(crate) fn prefetch_shaped(&self, doc: &Doc, level: usize, positions: &[Option<usize>]) {
        let Some(below_level) = level.checked_sub(1) else {
            doc.prefetch_entries(positions.iter().flatten().copied());
            return;
        };
        let Some(entries) = doc.as_object() else {
            return self.prefetch(doc, level);
        };
        for ((name, below), position) in self.fields.iter().zip(positions) {
            if below.is_empty() {
                continue;
            }
            if let Some((key, value)) = position.and_then(|p| entries.get(p))
                && key == name
            {
                below.prefetch(value, below_level);
            }
        }
    }

    /// Asks for the memory `level` levels below `doc` that the expression
    /// will read: level 0 is the document's own entries or elements.
    /// Levels above `level` are walked, so they should have been asked for
    /// earlier.
    pub(crate) fn prefetch(&self, doc: &Doc, level: usize) {
        let Some(level) = level.checked_sub(1) else {
            doc.prefetch();
            return;
        };
        match doc {
            Doc::Object(_) => {
                for (name, below) in &self.fields {
                    if below.is_empty() {
                        continue;
                    }
                    if let Some(value) = doc.get(name) {
                        below.prefetch(value, level);
                    }
                }
            }
            Doc::Array(items) => {
                if let Some(below) = self.elements.as_deref().filter(|b| !b.is_empty()) {
                    // Arrays inside an item (its emails, its tags) are short;
                    // the first few stand for the rest.
                    for item in items.iter().take(2) {
                        below.prefetch(item, level);
                    }
                }
            }
            _ => {}
        }
    }

    fn field(&mut self, name: &str) -> &mut Reads {
        let position = match self.fields.iter().position(|(n, _)| n == name) {
            Some(position) => position,
            None => {
                self.fields.push((name.to_owned(), Reads::default()));
                self.fields.len() - 1
            }
        };
        &mut self.fields[position].1
    }

    fn elements(&mut self) -> &mut Reads {
        self.elements.get_or_insert_default()
    }
}

/// Records what `node` reads below `at`; returns where its result lies in
/// the data, when it is a part of it (`Name` in `Name.FamilyName`).
fn record<'r>(node: &Node, at: &'r mut Reads) -> Option<&'r mut Reads> {
    match node {
        Node::Identity => Some(at),
        Node::Field(name) => Some(at.field(name)),
        Node::Path(path) => Some(path.iter().fold(at, |at, name| at.field(name))),
        Node::Index(_) | Node::Slice { .. } => Some(at.elements()),
        Node::Subexpr(lhs, rhs) => record(rhs, record(lhs, at)?),
        Node::Stream { source, stages, .. } => {
            record_stages(stages, record(source, at)?.elements());
            None
        }
        // What a filter projects is read only for the elements that pass:
        // not worth asking for on every element.
        Node::Condition(predicate, _) => {
            record(predicate, at);
            None
        }
        Node::Comparison(_, lhs, rhs, _) | Node::And(lhs, rhs) | Node::Or(lhs, rhs) => {
            record(lhs, at);
            record(rhs, at);
            None
        }
        Node::Not(node) | Node::ObjectValues(node) => {
            record(node, at);
            None
        }
        Node::MultiList(items) => {
            for item in items {
                record(item, at);
            }
            None
        }
        Node::MultiHash(pairs) => {
            for (_, value) in pairs {
                record(value, at);
            }
            None
        }
        Node::Function(Function::SortBy | Function::MaxBy | Function::MinBy, args, _)
        | Node::SortByFirst { args, .. } => {
            if let [array, Node::Expref(key)] = args.as_slice()
                && let Some(array) = record(array, at)
            {
                record(key, array.elements());
            }
            None
        }
        Node::Function(_, args, _) => {
            for arg in args {
                record(arg, at);
            }
            None
        }
        // The Community edition's nodes: `$` and variables read from
        // elsewhere; the rest is read where it is evaluated.
        Node::Literal(_) | Node::Expref(_) | Node::Root | Node::Variable(_) => None,
        Node::StringSlice { .. } => Some(at.elements()),
        Node::SelectOnNull(node) | Node::SliceOfString(node) => record(node, at),
        Node::Negate(node) => {
            record(node, at);
            None
        }
        Node::Arithmetic(_, lhs, rhs) => {
            record(lhs, at);
            record(rhs, at);
            None
        }
        Node::Ternary(condition, then, otherwise) => {
            for node in [condition, then, otherwise] {
                record(node, at);
            }
            None
        }
        Node::Let(bindings, body) => {
            for (_, value) in bindings {
                record(value, at);
            }
            record(body, at);
            None
        }
    }
}

/// Records what `stages` read below one element that enters them at `at`.
fn record_stages(stages: &[Stage], mut at: &mut Reads) {
    for (i, stage) in stages.iter().enumerate() {
        at = match stage {
            // The source's own elements are mostly objects (`Users[]`);
            // after a projection, `[]` flattens the arrays it gave.
            Stage::Flatten if i == 0 => at,
            Stage::Flatten => at.elements(),
            Stage::Project(node) => match record(node, at) {
                Some(result) => result,
                None => return,
            },
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::QueryError;
    use crate::query::parse::Dialect;

    fn compile(expression: &str) -> Result<Node, QueryError> {
        crate::query::compile::compile(expression, Dialect::Spec).map(|c| c.node)
    }

    /// The reads of a stream's stages, or of a whole expression, as
    /// sorted dotted paths (`[]` for array elements).
    fn paths(expression: &str) -> Vec<String> {
        let node = compile(expression).unwrap();
        let reads = match &node {
            Node::Stream { stages, .. } => Reads::of_stages(stages),
            other => Reads::of(other),
        };
        let mut out = Vec::new();
        walk(&reads, String::new(), &mut out);
        out.sort();
        out
    }

    fn walk(reads: &Reads, prefix: String, out: &mut Vec<String>) {
        if reads.fields.is_empty() && reads.elements.is_none() {
            out.push(prefix.clone());
        }
        for (name, below) in &reads.fields {
            walk(below, format!("{prefix}.{name}"), out);
        }
        if let Some(below) = &reads.elements {
            walk(below, format!("{prefix}[]"), out);
        }
    }

    #[test]
    fn a_filter_reads_the_fields_its_condition_and_projection_name() {
        assert_eq!(
            paths("Users[?Name.FamilyName == 'Nguyen' && UserStatus == 'ENABLED'].UserId"),
            [".Name.FamilyName", ".UserStatus"]
        );
        assert_eq!(
            paths("Users[?Title == 'x'].{user: UserName, email: Emails[0].Value}"),
            [".Title"],
            "what passes the filter is not asked for ahead"
        );
        assert_eq!(
            paths("Users[*].{user: UserName, email: Emails[0].Value}"),
            [".Emails[].Value", ".UserName"]
        );
    }

    #[test]
    fn flattens_after_a_projection_reach_into_elements() {
        assert_eq!(paths("Users[].Emails[].Value"), [".Emails[].Value"]);
        assert_eq!(
            paths("sort_by(Users, &Name.FamilyName)"),
            [".Users[].Name.FamilyName"]
        );
        assert_eq!(paths("max_by(Users, &CreatedAt)"), [".Users[].CreatedAt"]);
    }

    #[test]
    fn depth_counts_the_levels_read_below() {
        let depth = |expression: &str| Reads::of(&compile(expression).unwrap()).depth();
        assert_eq!(depth("@"), 0);
        assert_eq!(depth("UserName"), 0);
        assert_eq!(depth("Name.FamilyName"), 1);
        assert_eq!(depth("Emails[0].Value"), 2);
        assert_eq!(depth("[Emails[0].Value, Name.GivenName]"), 2);
    }

    /// A hint, never a read: following it through documents of any shape,
    /// at any level, changes nothing and does not fail.
    #[test]
    fn prefetching_any_document_at_any_level_is_harmless() {
        let reads = Reads::of(&compile("a.b[0].c || a[].b.c || length(@)").unwrap());
        for text in [
            "null",
            "[]",
            r#"{"a": 1}"#,
            r#"{"a": {"b": [{"c": [1, 2]}, 3]}}"#,
            r#"{"a": [{"b": {"c": {}}}, [], "x"]}"#,
        ] {
            let doc = Doc::parse(text).unwrap();
            let before = doc.clone();
            // Positions taken from an object of another shape, or none.
            let shaped = Doc::parse(r#"{"x": 0, "y": 1, "b": 2, "a": 3}"#).unwrap();
            for positions in [reads.positions_in(&shaped), reads.positions_in(&doc)] {
                for level in 0..6 {
                    reads.prefetch(&doc, level);
                    reads.prefetch_shaped(&doc, level, &positions);
                }
            }
            assert_eq!(doc, before);
        }
    }
}
