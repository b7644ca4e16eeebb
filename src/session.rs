//! The session: the source, the collections held so far, the previous
//! result, and evaluation over the root they form. Prints nothing.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use indexmap::IndexMap;
use serde_json::Value as Json;

use crate::disk_cache::DiskCache;
use crate::doc::Doc;
use crate::error::Error;
use crate::query::{Query, Val};
use crate::source::{Held, Source, SourceError};
use crate::suggest;

/// A collection held by the session.
#[derive(Debug, Clone)]
pub(crate) struct HeldCollection {
    pub value: Arc<Doc>,
    pub fetched_at: Instant,
    /// Read from the disk cache rather than fetched in this session.
    pub from_disk: bool,
}

/// A result and what the user should be told about it.
#[derive(Debug)]
pub struct Answer {
    pub value: Arc<Json>,
    pub warnings: Vec<String>,
}

/// A refresh fetching while the session answers from what it holds.
struct Refreshing {
    names: Vec<String>,
    started: Instant,
    task: tokio::task::JoinHandle<Result<crate::source::Fetched, SourceError>>,
}

/// State that lives as long as the shell.
pub struct Session {
    source: Arc<dyn Source>,
    refreshing: Option<Refreshing>,
    runtime: tokio::runtime::Runtime,
    held: IndexMap<String, HeldCollection>,
    last: Arc<Json>,
    /// When set, Ctrl-C cancels a fetch instead of ending the process.
    interruptible: bool,
    /// Requests made by sources this session has replaced.
    requests_of_replaced_sources: u64,
    /// How old a collection on disk may be to be used; `None`: no disk cache.
    disk_max_age: Option<Duration>,
    disk: Option<DiskCache>,
}

impl Session {
    /// A session over `source`, with its own async runtime.
    pub fn new(source: Box<dyn Source>) -> Result<Session, Error> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|err| Error::io("cannot start the async runtime", err))?;
        Ok(Session {
            source: Arc::from(source),
            refreshing: None,
            runtime,
            held: IndexMap::new(),
            last: Arc::new(Json::Null),
            interruptible: false,
            requests_of_replaced_sources: 0,
            disk_max_age: None,
            disk: None,
        })
    }

    /// Replaces the source (a profile or region switch) and drops the cache.
    pub(crate) fn replace_source(&mut self, source: Box<dyn Source>) {
        source.show_progress(self.interruptible);
        if let Some(refreshing) = self.refreshing.take() {
            refreshing.task.abort();
        }
        self.requests_of_replaced_sources += self.source.requests_made();
        self.source = Arc::from(source);
        self.held.clear();
        self.open_disk_cache();
    }

    /// Keeps the live source's collections on disk between sessions, and
    /// loads those no older than `max_age` now.
    pub(crate) fn use_disk_cache(&mut self, max_age: Duration) {
        self.disk_max_age = Some(max_age);
        self.open_disk_cache();
    }

    /// Opens the disk cache of the live source's profile and region and
    /// holds what it has for the store (the store last used there, when
    /// none was chosen, which also spares `ListInstances`).
    fn open_disk_cache(&mut self) {
        self.disk = None;
        let (Some(max_age), Some(aws)) = (self.disk_max_age, self.source.as_aws()) else {
            return;
        };
        let Some(disk) = DiskCache::new(aws.profile(), aws.region(), aws.endpoint(), max_age)
        else {
            return;
        };
        let store = match aws.store_and_instance() {
            (Some(store), _) => Some(store),
            (None, None) => disk.directory().map(|(store, instance)| {
                aws.set_store(store.clone());
                if let Some(instance) = instance {
                    aws.set_instance(instance);
                }
                store
            }),
            (None, Some(_)) => None,
        };
        if let Some(store) = store {
            let now = Instant::now();
            for cached in disk.load(&store) {
                self.held.insert(
                    cached.name,
                    HeldCollection {
                        value: cached.value,
                        fetched_at: now.checked_sub(cached.age).unwrap_or(now),
                        from_disk: true,
                    },
                );
            }
        }
        self.disk = Some(disk);
    }

    /// The age of the oldest collection held from the disk cache, if any.
    pub(crate) fn disk_cache_age(&self) -> Option<Duration> {
        self.held.values().filter(|h| h.from_disk).map(age).max()
    }

    /// The source, for commands that ask it directly.
    pub fn source(&self) -> &dyn Source {
        self.source.as_ref()
    }

    /// Lets slow fetches show progress and Ctrl-C cancel them (the shell).
    pub(crate) fn set_interactive(&mut self, on: bool) {
        self.interruptible = on;
        self.source.show_progress(on);
    }

    /// Runs `future` on the session's runtime; Ctrl-C cancels it when interactive.
    pub(crate) fn run<T, E: Into<Error>>(
        &self,
        future: impl std::future::Future<Output = Result<T, E>>,
    ) -> Result<T, Error> {
        let interruptible = self.interruptible;
        self.runtime.block_on(async {
            if interruptible {
                tokio::select! {
                    result = future => result.map_err(Into::into),
                    _ = tokio::signal::ctrl_c() => Err(Error::Interrupted),
                }
            } else {
                future.await.map_err(Into::into)
            }
        })
    }

    /// The source's short name.
    pub(crate) fn source_label(&self) -> String {
        self.source.label()
    }

    /// AWS requests made so far in this session, across profile and
    /// region switches.
    pub(crate) fn requests_made(&self) -> u64 {
        self.requests_of_replaced_sources + self.source.requests_made()
    }

    /// The collections held, oldest fetch first.
    pub(crate) fn held(&self) -> &IndexMap<String, HeldCollection> {
        &self.held
    }

    /// Collections in memory, for completion and hints: the ones held, and
    /// for an offline source all of them. Never calls AWS.
    pub fn available(&self) -> Vec<(String, Arc<Doc>)> {
        let mut found: Vec<(String, Arc<Doc>)> = self
            .held
            .iter()
            .map(|(name, held)| (name.clone(), held.value.clone()))
            .collect();
        if self.source.as_aws().is_none() {
            let nothing = Held::default();
            for name in self.source.collections() {
                if self.held.contains_key(&name) {
                    continue;
                }
                if let Ok(fetched) = self
                    .runtime
                    .block_on(self.source.fetch(std::slice::from_ref(&name), &nothing))
                {
                    found.extend(fetched);
                }
            }
        }
        found
    }

    /// Keeps Ctrl-C from ending the process between prompts (while a
    /// result is printed or paged): once tokio listens for SIGINT, the
    /// default action no longer applies.
    pub(crate) fn catch_interrupts(&self) {
        #[cfg(unix)]
        {
            let _inside = self.runtime.enter();
            let _ = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt());
        }
    }

    /// The names the root offers.
    pub fn collection_names(&self) -> Vec<String> {
        self.source.collections()
    }

    /// Records a line's result as `_`.
    pub(crate) fn set_last(&mut self, value: Arc<Json>) {
        self.last = value;
    }

    /// Forgets held collections: the named ones, or all when `names` is
    /// empty; and the live source's answers about single users and groups.
    pub(crate) fn forget(&mut self, names: &[String]) -> Result<Vec<String>, Error> {
        if let Some(aws) = self.source.as_aws() {
            aws.forget_answers();
        }
        let known = self.known_collections(names)?;
        if names.is_empty() {
            for name in &known {
                self.remove_from_disk(name);
            }
            return Ok(self.held.drain(..).map(|(name, _)| name).collect());
        }
        let mut forgotten = Vec::new();
        for name in names {
            // Off disk too, held or not: after a write the copy there is stale.
            self.remove_from_disk(name);
            if self.held.shift_remove(name).is_some() {
                forgotten.push(name.clone());
            }
        }
        Ok(forgotten)
    }

    /// Makes sure the named collections are held, fetching the missing ones
    /// concurrently.
    pub(crate) fn ensure(&mut self, names: &[String]) -> Result<(), Error> {
        let missing: Vec<String> = names
            .iter()
            .filter(|n| !self.held.contains_key(n.as_str()))
            .cloned()
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let snapshot = self.snapshot(&[]);
        let result = self.run(self.source.fetch(&missing, &snapshot));
        // What finished before a Ctrl-C (or a failure elsewhere) is kept.
        self.keep(self.source.take_completed());
        self.keep(result?);
        Ok(())
    }

    /// Fetches `names` (every held collection when empty) in the
    /// background: the copies held keep answering until the new ones are
    /// complete, and [`finish_refresh`](Self::finish_refresh) swaps them
    /// in. Progress is not drawn meanwhile (it would cut into the line
    /// being typed). Returns the collections being fetched.
    pub(crate) fn refresh_in_background(&mut self, names: &[String]) -> Result<Vec<String>, Error> {
        if let Some(refreshing) = &self.refreshing {
            return Err(Error::Usage(format!(
                "already refreshing {} in the background",
                refreshing.names.join(", ")
            )));
        }
        self.known_collections(names)?;
        let names: Vec<String> = if names.is_empty() {
            self.held.keys().cloned().collect()
        } else {
            names.to_vec()
        };
        if names.is_empty() {
            return Ok(names);
        }
        let others = self.snapshot(&names);
        self.source.show_progress(false);
        let (source, wanted) = (self.source.clone(), names.clone());
        let task = self
            .runtime
            .spawn(async move { source.fetch(&wanted, &others).await });
        self.refreshing = Some(Refreshing {
            names: names.clone(),
            started: Instant::now(),
            task,
        });
        Ok(names)
    }

    /// True while a background refresh runs.
    pub(crate) fn is_refreshing(&self) -> bool {
        self.refreshing.is_some()
    }

    /// The collection names the source offers, when every one of `names`
    /// is among them.
    fn known_collections(&self, names: &[String]) -> Result<Vec<String>, Error> {
        let known = self.source.collections();
        match names.iter().find(|name| !known.contains(name)) {
            Some(name) => Err(Error::Usage(unknown_collection(name, &known))),
            None => Ok(known),
        }
    }

    /// The held collections, but for `except`, as a fetch takes them.
    fn snapshot(&self, except: &[String]) -> Held {
        self.held
            .iter()
            .filter(|(name, _)| !except.contains(name))
            .map(|(name, held)| (name.clone(), held.value.clone()))
            .collect()
    }

    /// Swaps in what a finished background refresh fetched (and forgets
    /// the answers about single users and groups, as `.refresh` does);
    /// says what happened, or nothing while it runs.
    pub(crate) fn finish_refresh(&mut self) -> Option<String> {
        if !self.refreshing.as_ref()?.task.is_finished() {
            return None;
        }
        let refreshing = self.refreshing.take()?;
        self.source.show_progress(self.interruptible);
        let took = refreshing.started.elapsed().as_secs_f64();
        let fetched = match self.runtime.block_on(refreshing.task) {
            Ok(Ok(fetched)) => fetched,
            Ok(Err(err)) => {
                return Some(format!(
                    "background refresh of {} failed, the collections held are unchanged: {}",
                    refreshing.names.join(", "),
                    Error::from(err)
                ));
            }
            Err(err) => {
                return Some(format!("background refresh stopped: {err}"));
            }
        };
        if let Some(aws) = self.source.as_aws() {
            aws.forget_answers();
        }
        self.hold(fetched, true);
        Some(format!(
            "refreshed {} in the background ({took:.1} s)",
            refreshing.names.join(", ")
        ))
    }

    /// Holds the collections the source completed outside `ensure` (a
    /// listing made to name users or groups).
    pub(crate) fn keep_completed(&mut self) {
        self.keep(self.source.take_completed());
    }

    /// Holds fetched collections, keeping any already held, and writes
    /// the new ones to the disk cache.
    fn keep(&mut self, fetched: crate::source::Fetched) {
        self.hold(fetched, false);
    }

    /// Holds fetched collections (in place of those held, when
    /// `replace`), and writes them to the disk cache.
    fn hold(&mut self, fetched: crate::source::Fetched, replace: bool) {
        let now = Instant::now();
        for (name, value) in fetched {
            if !replace && self.held.contains_key(&name) {
                continue;
            }
            self.save_to_disk(&name, &value);
            self.held.insert(
                name,
                HeldCollection {
                    value,
                    fetched_at: now,
                    from_disk: false,
                },
            );
        }
    }

    fn save_to_disk(&self, name: &str, value: &Doc) {
        let (Some(disk), Some(aws)) = (&self.disk, self.source.as_aws()) else {
            return;
        };
        if let (Some(store), instance) = aws.store_and_instance() {
            // A cache that cannot be written costs the next session a
            // fetch, nothing more; the answer is not held back for it.
            let _ = disk.save(&store, instance.as_deref(), name, value);
        }
    }

    fn remove_from_disk(&self, name: &str) {
        if let (Some(disk), Some(aws)) = (&self.disk, self.source.as_aws())
            && let (Some(store), _) = aws.store_and_instance()
        {
            disk.remove(&store, name);
        }
    }

    /// Evaluates `query` over the root, fetching what it names first.
    /// Warnings (an unknown collection, say) are kept when the line fails.
    pub fn evaluate(&mut self, query: &Query) -> Result<Answer, Error> {
        let (needed, mut warnings) = self.plan(query);
        let value = self
            .ensure(&needed)
            .and_then(|()| self.evaluate_held(query, &self.last));
        warnings.extend(self.source.take_notes());
        match value {
            Ok(value) => {
                warnings.extend(self.query_warnings(query));
                Ok(Answer {
                    value: Arc::new(value),
                    warnings,
                })
            }
            Err(error) => Err(Error::warned(warnings, error)),
        }
    }

    /// Evaluates `query` with `current` as the input (a command's result
    /// piped into an expression).
    pub(crate) fn filter(&self, query: &Query, current: &Json) -> Result<Answer, Error> {
        let current = Doc::from(current.clone());
        let value = query.evaluate(&Val::Ref(&current))?.to_json();
        Ok(Answer {
            value: Arc::new(value),
            warnings: query.divergence_warnings(),
        })
    }

    /// What the user should hear about an evaluated query: fields the data
    /// does not have, and where the AWS CLI would answer differently.
    fn query_warnings(&self, query: &Query) -> Vec<String> {
        let document = self.source.document();
        let held = &self.held;
        let lookup = |name: &str| -> Option<(&str, &[Doc])> {
            match &document {
                Some(_) => None,
                None => {
                    let (key, collection) = held.get_key_value(name)?;
                    Some((key.as_str(), collection.value.as_array()?))
                }
            }
        };
        let mut warnings = query.data_warnings(&lookup);
        warnings.extend(query.divergence_warnings());
        warnings
    }

    /// Which collections `query` needs, and warnings for names that are none.
    fn plan(&self, query: &Query) -> (Vec<String>, Vec<String>) {
        let refs = query.root_refs();
        let known = self.source.collections();
        if refs.whole {
            return (known, Vec::new());
        }
        let mut needed = Vec::new();
        let mut warnings = Vec::new();
        for name in &refs.fields {
            if known.contains(name) {
                needed.push(name.clone());
            } else if name != "_" && self.source.document().is_none() {
                warnings.push(unknown_collection(name, &known));
            }
        }
        (needed, warnings)
    }

    fn evaluate_held(&self, query: &Query, last: &Json) -> Result<Json, Error> {
        let names_last = query.root_refs().fields.iter().any(|f| f == "_");
        if let Some(document) = self.source.document() {
            // A root that is not an object has no `_` key: `_` is the
            // previous result there too.
            if names_last {
                let bound = query.with_root_field_bound("_", Doc::from(last.clone()));
                return Ok(bound.evaluate(&Val::Ref(&document))?.to_json());
            }
            return Ok(query.evaluate(&Val::Ref(&document))?.to_json());
        }
        // `_` is converted for the evaluator only when an expression names it.
        let last = if names_last && !self.held.contains_key("_") {
            Some(Doc::from(last.clone()))
        } else {
            None
        };
        // The root's keys in the source's order (a `--data` document's own
        // order), whatever order earlier lines fetched them in.
        let mut entries: Vec<(Cow<'_, str>, Val<'_>)> = self
            .source
            .collections()
            .into_iter()
            .filter_map(|name| self.held.get_key_value(name.as_str()))
            .map(|(name, held)| (Cow::Borrowed(name.as_str()), Val::Ref(held.value.as_ref())))
            .collect();
        // `_` joins the root only when named, so `@` and `keys(@)` show the
        // document as it is.
        if let Some(last) = &last {
            entries.push((Cow::Borrowed("_"), Val::Ref(last)));
        }
        let root = Val::Object(entries.into());
        Ok(query.evaluate(&root)?.to_json())
    }
}

/// "no collection named X (did you mean Y?)"
fn unknown_collection(name: &str, known: &[String]) -> String {
    let hint = suggest::closest(name, known.iter().map(String::as_str))
        .map(|s| format!("; did you mean {s}?"))
        .unwrap_or_default();
    format!("{name} is not a collection, so it is null{hint}")
}

/// A held collection's age, for `.cache`.
pub(crate) fn age(held: &HeldCollection) -> Duration {
    held.fetched_at.elapsed()
}

impl From<SourceError> for Error {
    fn from(err: SourceError) -> Self {
        Error::Source(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{BoxFuture, InMemory};
    use std::sync::Mutex;

    /// A source that records which collections it was asked for.
    struct Counting {
        inner: InMemory,
        asked: Arc<Mutex<Vec<String>>>,
    }

    impl Source for Counting {
        fn label(&self) -> String {
            "counting".into()
        }
        fn collections(&self) -> Vec<String> {
            self.inner.collections()
        }
        fn fetch<'a>(
            &'a self,
            names: &'a [String],
            held: &'a Held,
        ) -> BoxFuture<'a, Result<crate::source::Fetched, SourceError>> {
            self.asked.lock().unwrap().extend(names.iter().cloned());
            self.inner.fetch(names, held)
        }
    }

    fn session() -> (Session, Arc<Mutex<Vec<String>>>) {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let source = Counting {
            inner: crate::source::demo::source(),
            asked: asked.clone(),
        };
        (Session::new(Box::new(source)).unwrap(), asked)
    }

    fn run(session: &mut Session, text: &str) -> Answer {
        session.evaluate(&Query::compile(text).unwrap()).unwrap()
    }

    #[test]
    fn an_expression_fetches_only_the_collections_it_names() {
        let (mut session, asked) = session();
        let answer = run(&mut session, "length(Groups)");
        assert_eq!(*answer.value, Json::from(28));
        assert_eq!(*asked.lock().unwrap(), ["Groups"]);
        run(&mut session, "Users[?UserName == 'alice'] | length(@)");
        assert_eq!(*asked.lock().unwrap(), ["Groups", "Users"]);
    }

    #[test]
    fn a_held_collection_is_not_fetched_again() {
        let (mut session, asked) = session();
        run(&mut session, "length(Users)");
        run(&mut session, "Users[0].UserName");
        assert_eq!(asked.lock().unwrap().len(), 1);
        session.forget(&["Users".into()]).unwrap();
        run(&mut session, "Users[0].UserName");
        assert_eq!(asked.lock().unwrap().len(), 2);
    }

    #[test]
    fn unknown_top_level_names_warn_with_the_closest_name() {
        let (mut session, asked) = session();
        let answer = run(&mut session, "Userz");
        assert_eq!(*answer.value, Json::Null);
        assert_eq!(
            answer.warnings,
            ["Userz is not a collection, so it is null; did you mean Users?"]
        );
        assert!(asked.lock().unwrap().is_empty());
    }

    #[test]
    fn underscore_is_the_previous_result() {
        let (mut session, _) = session();
        let answer = run(&mut session, "Groups[:2].DisplayName");
        session.set_last(answer.value);
        let answer = run(&mut session, "_[1]");
        assert_eq!(*answer.value, Json::from("Administrators"));
    }
}
