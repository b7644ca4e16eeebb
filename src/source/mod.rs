//! Where collections come from: one trait, three sources (live AWS, the
//! built-in demo directory, a JSON file).
//!
//! The session asks a source for the collections an expression names and
//! keeps them; a source never evaluates or renders anything.

pub mod aws;
pub mod demo;
pub mod file;
pub(crate) mod model;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::doc::Doc;

/// A boxed future, so that `Source` stays object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Collections held by the session, by name.
pub type Held = IndexMap<String, Arc<Doc>>;

/// What one fetch delivers: the collection asked for, and any other
/// complete collection fetched on the way.
pub type Fetched = Vec<(String, Arc<Doc>)>;

/// The directory's collections, in the order SPEC section 2 lists them.
pub(crate) const DIRECTORY_COLLECTIONS: &[&str] = &[
    "Instances",
    "Users",
    "Groups",
    "GroupMemberships",
    "PermissionSets",
    "Accounts",
    "AccountAssignments",
];

/// Why a source could not deliver a collection.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{source_label} has no collection named {name}")]
    UnknownCollection { source_label: String, name: String },
    #[error("cannot read {path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("{path} is not valid JSON: {reason}")]
    InvalidJson { path: String, reason: String },
    #[error(transparent)]
    Aws(#[from] aws::AwsError),
}

/// A provider of collections.
pub trait Source: Send + Sync {
    /// A short name for prompts and messages: `demo`, a file name, `profile@region`.
    fn label(&self) -> String;

    /// The names of the collections this source can provide.
    fn collections(&self) -> Vec<String>;

    /// The root itself, for a `--data` document that is not an object.
    fn document(&self) -> Option<Arc<Doc>> {
        None
    }

    /// Fetches the named collections for one line, together. The answer
    /// holds them and any other complete collection fetched on the way, so
    /// the session can keep those too; a source that fetches collections
    /// on the way to others (the live one) fetches each once, however many
    /// of the names need it. `held` is what the session already has, for
    /// reuse.
    fn fetch<'a>(
        &'a self,
        names: &'a [String],
        held: &'a Held,
    ) -> BoxFuture<'a, Result<Fetched, SourceError>>;

    /// Collections completed by a fetch that did not finish (Ctrl-C), so
    /// the session can keep them; each is given once.
    fn take_completed(&self) -> Fetched {
        Vec::new()
    }

    /// AWS requests made so far (for `.timing`); zero for offline sources.
    fn requests_made(&self) -> u64 {
        0
    }

    /// Messages for the user that arose while fetching (where an instance
    /// was found, say); each is given once.
    fn take_notes(&self) -> Vec<String> {
        Vec::new()
    }

    /// Whether slow fetches may show a progress line on stderr.
    fn show_progress(&self, _on: bool) {}

    /// The live source, for the commands only it can answer.
    fn as_aws(&self) -> Option<&aws::AwsSource> {
        None
    }
}

/// An offline source: every collection is in memory already.
pub struct InMemory {
    label: String,
    collections: Held,
    document: Option<Arc<Doc>>,
}

impl InMemory {
    /// A source over named collections.
    pub(crate) fn new(label: impl Into<String>, collections: Held) -> Self {
        InMemory {
            label: label.into(),
            collections,
            document: None,
        }
    }

    /// A source whose root is `document`: an object's keys become
    /// collections, anything else is the root as it is.
    pub(crate) fn from_document(label: impl Into<String>, document: Doc) -> Self {
        match document {
            Doc::Object(entries) => InMemory::new(
                label,
                entries
                    .into_vec()
                    .into_iter()
                    .map(|(k, v)| (k.into_string(), Arc::new(v)))
                    .collect(),
            ),
            other => InMemory {
                label: label.into(),
                collections: Held::new(),
                document: Some(Arc::new(other)),
            },
        }
    }
}

impl Source for InMemory {
    fn label(&self) -> String {
        self.label.clone()
    }

    fn collections(&self) -> Vec<String> {
        self.collections.keys().cloned().collect()
    }

    fn document(&self) -> Option<Arc<Doc>> {
        self.document.clone()
    }

    fn fetch<'a>(
        &'a self,
        names: &'a [String],
        _held: &'a Held,
    ) -> BoxFuture<'a, Result<Fetched, SourceError>> {
        let found = names
            .iter()
            .map(|name| match self.collections.get(name) {
                Some(value) => Ok((name.clone(), value.clone())),
                None => Err(SourceError::UnknownCollection {
                    source_label: self.label.clone(),
                    name: name.clone(),
                }),
            })
            .collect();
        Box::pin(async move { found })
    }
}
