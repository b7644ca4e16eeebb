//! Where collections come from: one trait, three sources (live AWS, the
//! built-in demo directory, a JSON file).
//!
//! The session asks a source for the collections an expression names and
//! keeps them; a source never evaluates or renders anything.

pub mod aws;
pub mod demo;
pub mod file;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::collection::Collection;
use crate::doc::Doc;

/// A boxed future, so that `Source` stays object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Collections held by the session, by name.
pub type Held = IndexMap<String, Arc<Doc>>;

/// What one fetch delivers: the collection asked for, and any other
/// complete collection fetched on the way.
pub type Fetched = Vec<(String, Arc<Doc>)>;

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

impl SourceError {
    /// The credentials are missing or refused: said on the line that
    /// needs them rather than as a note.
    pub fn is_credentials(&self) -> bool {
        matches!(self, SourceError::Aws(aws::AwsError::Credentials { .. }))
    }
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

    /// The whole document, when the collections held were built only as
    /// far as the run's lines need (`file::open_for`): built on asking,
    /// for a warning that must see all of it.
    fn unpruned(&self) -> Option<Arc<Doc>> {
        None
    }

    /// `answer` with the items held only as far as read built whole
    /// (`file::open_for` marks them; see `crate::doc::ItemMark`).
    fn complete(&self, answer: Doc) -> Result<Doc, SourceError> {
        Ok(answer)
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

    /// Whether collections come from a remote service (and cost requests)
    /// rather than from memory.
    fn is_live(&self) -> bool {
        false
    }

    /// Where this source's collections may be kept on disk; `None`: they
    /// are not (an offline source).
    fn cache_key(&self) -> Option<CacheKey> {
        None
    }

    /// The account of whoever signs the requests, asked of the service
    /// (once per source), so that a disk cache is used only by its owner.
    fn caller_account(&self) -> BoxFuture<'_, Result<Option<String>, SourceError>> {
        Box::pin(async { Ok(None) })
    }

    /// The Identity Store ID and instance ARN chosen or discovered so far.
    fn store_and_instance(&self) -> (Option<String>, Option<String>) {
        (None, None)
    }

    /// Takes the store (and instance) a disk cache last used, where none
    /// was chosen: it spares the discovery calls.
    fn adopt_directory(&self, _store: String, _instance: Option<String>) {}

    /// Forgets answers about single users and groups kept since the last
    /// refresh or write.
    fn forget_answers(&self) {}

    /// `sets` (the `PermissionSets` held) with what each set grants (see
    /// `collection::CONTENT_FIELDS`), where this source can tell more than
    /// the collection holds; `None`: it cannot (a file holds what it holds).
    fn permission_set_contents<'a>(
        &'a self,
        _sets: &'a Doc,
    ) -> BoxFuture<'a, Result<Option<Arc<Doc>>, SourceError>> {
        Box::pin(async { Ok(None) })
    }
}

/// What names a source's folder in the disk cache: the profile, region and
/// endpoints it calls, and the partition its caller's account is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheKey {
    pub profile: String,
    pub region: String,
    /// Each service's endpoint, where it is not AWS's own.
    pub endpoints: Vec<(&'static str, String)>,
    pub partition: &'static str,
}

/// An offline source: every collection is in memory already, or computed
/// from those that are on first ask.
pub struct InMemory {
    label: String,
    collections: Held,
    document: Option<Arc<Doc>>,
    /// Collections it does not hold but can compute from those it does
    /// (`EffectiveAccess`): the demo's and idcsh's snapshots'.
    derivable: Vec<Collection>,
    derived: std::sync::Mutex<Held>,
    /// `PermissionSets` with their contents, given when an expression
    /// names them (the demo's, as a live directory gives them).
    permission_set_contents: Option<Arc<Doc>>,
    /// The text of a document held pruned, and the whole document once
    /// built from it.
    pruned_from: Option<PrunedFrom>,
    /// The mark on items held only as far as read, built whole from
    /// `pruned_from`'s text when an answer holds them.
    marked: Option<crate::doc::ItemMark>,
}

/// The text a pruned document was built from, and the whole document,
/// built when first asked for (`None` if it then fails to parse).
type PrunedFrom = (file::FileBytes, std::sync::OnceLock<Option<Arc<Doc>>>);

impl InMemory {
    /// A source over named collections.
    pub(crate) fn new(label: impl Into<String>, collections: Held) -> Self {
        InMemory {
            label: label.into(),
            collections,
            document: None,
            derivable: Vec::new(),
            derived: Default::default(),
            permission_set_contents: None,
            pruned_from: None,
            marked: None,
        }
    }

    /// Marks the collections as built from `text` only as far as needed.
    pub(crate) fn pruned_from(mut self, text: file::FileBytes) -> Self {
        self.pruned_from = Some((text, std::sync::OnceLock::new()));
        self
    }

    /// Marks the items `mark` is on as held only as far as read.
    pub(crate) fn marked(mut self, mark: crate::doc::ItemMark) -> Self {
        self.marked = Some(mark);
        self
    }

    /// Gives `sets` (the permission sets with their contents) when an
    /// expression names the contents.
    pub(crate) fn with_permission_set_contents(mut self, sets: Doc) -> Self {
        self.permission_set_contents = Some(Arc::new(sets));
        self
    }

    /// Also offers the collections computed from those it holds, where it
    /// holds all they need and not them (the demo; idcsh's snapshots).
    pub(crate) fn deriving(mut self) -> Self {
        let holds = |c: &Collection| self.collections.contains_key(c.name());
        self.derivable = Collection::ALL
            .into_iter()
            .filter(|c| c.quota().is_none() && !holds(c) && c.needs().iter().all(holds))
            .collect();
        self
    }

    /// A collection computed from held ones, once.
    fn derived(&self, collection: Collection) -> Option<Arc<Doc>> {
        let mut derived = self.derived.lock().ok()?;
        if let Some(done) = derived.get(collection.name()) {
            return Some(done.clone());
        }
        let inputs: Vec<&Doc> = collection
            .needs()
            .iter()
            .map(|c| self.collections.get(c.name()).map(Arc::as_ref))
            .collect::<Option<_>>()?;
        let value = Arc::new(collection.derive(&inputs)?);
        derived.insert(collection.name().to_owned(), value.clone());
        Some(value)
    }

    /// A source whose root is `document`: an object's keys become
    /// collections, anything else is the root as it is. A snapshot idcsh
    /// wrote (it has a `Snapshot` key) also offers the collections computed
    /// from those it holds.
    pub(crate) fn from_document(label: impl Into<String>, document: Doc) -> Self {
        match document {
            Doc::Object(entries) => {
                let snapshot = entries.iter().any(|(k, _)| k == "Snapshot");
                let source = InMemory::new(
                    label,
                    entries
                        .into_vec()
                        .into_iter()
                        .map(|(k, v)| (k.into_string(), Arc::new(v)))
                        .collect(),
                );
                if snapshot { source.deriving() } else { source }
            }
            other => InMemory {
                label: label.into(),
                collections: Held::new(),
                document: Some(Arc::new(other)),
                derivable: Vec::new(),
                derived: Default::default(),
                permission_set_contents: None,
                pruned_from: None,
                marked: None,
            },
        }
    }
}

impl Source for InMemory {
    fn label(&self) -> String {
        self.label.clone()
    }

    fn collections(&self) -> Vec<String> {
        let derivable = self.derivable.iter().map(|c| c.name().to_owned());
        let mut names: Vec<String> = self.collections.keys().cloned().chain(derivable).collect();
        if !self.derivable.is_empty() {
            // The demo and idcsh's snapshots: other keys (`Snapshot`) first,
            // then the directory's collections in their usual order, the
            // computed ones among them.
            names.sort_by_key(|name| Collection::from_name(name).map(|c| c as usize + 1));
        }
        names
    }

    fn document(&self) -> Option<Arc<Doc>> {
        self.document.clone()
    }

    fn unpruned(&self) -> Option<Arc<Doc>> {
        let (text, whole) = self.pruned_from.as_ref()?;
        whole
            .get_or_init(|| file::parse(text).ok().map(Arc::new))
            .clone()
    }

    fn complete(&self, answer: Doc) -> Result<Doc, SourceError> {
        let (Some(mark), Some((text, _))) = (&self.marked, &self.pruned_from) else {
            return Ok(answer);
        };
        mark.complete(file::json_text(text), answer)
            .map_err(|err| SourceError::InvalidJson {
                path: self.label.clone(),
                reason: err.to_string(),
            })
    }

    fn fetch<'a>(
        &'a self,
        names: &'a [String],
        _held: &'a Held,
    ) -> BoxFuture<'a, Result<Fetched, SourceError>> {
        let found = names
            .iter()
            .map(|name| {
                let derived = || {
                    let collection = Collection::from_name(name)?;
                    self.derivable.contains(&collection).then_some(())?;
                    self.derived(collection)
                };
                match self.collections.get(name).cloned().or_else(derived) {
                    Some(value) => Ok((name.clone(), value)),
                    None => Err(SourceError::UnknownCollection {
                        source_label: self.label.clone(),
                        name: name.clone(),
                    }),
                }
            })
            .collect();
        Box::pin(async move { found })
    }

    fn permission_set_contents<'a>(
        &'a self,
        _sets: &'a Doc,
    ) -> BoxFuture<'a, Result<Option<Arc<Doc>>, SourceError>> {
        let contents = self.permission_set_contents.clone();
        Box::pin(async move { Ok(contents) })
    }
}
