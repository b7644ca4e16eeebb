//! The session: the source, the collections held so far, the previous
//! result, and evaluation over the root they form. Prints nothing.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use indexmap::IndexMap;

use crate::collection::Collection;
use crate::disk_cache::{Cached, DiskCache, Owner};
use crate::doc::Doc;
use crate::error::Error;
use crate::query::needs::Need;
use crate::query::{Evaluated, Query, Val};
use crate::runtime::Runtime;
use crate::source::{Held, Source, SourceError};
use crate::suggest;

/// A collection held by the session.
#[derive(Debug, Clone)]
pub(crate) struct HeldCollection {
    pub value: Arc<Doc>,
    pub fetched_at: Instant,
    /// Read from the disk cache rather than fetched in this session.
    pub from_disk: bool,
    /// Read from the disk cache only as far as a one-shot run needs.
    pub pruned: bool,
}

/// A result and what the user should be told about it.
#[derive(Debug)]
pub struct Answer {
    pub value: Arc<Doc>,
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
    runtime: Runtime,
    held: IndexMap<String, HeldCollection>,
    last: Arc<Doc>,
    /// Requests made by sources this session has replaced.
    requests_of_replaced_sources: u64,
    /// How the disk cache is used; `None`: not at all.
    cache_policy: Option<CachePolicy>,
    disk: Option<DiskCache>,
    /// The caller the disk cache was confirmed for.
    disk_owner: Option<Owner>,
    /// Collections read from the disk cache that this line used.
    used_from_disk: indexmap::IndexSet<String>,
    /// Things the user should hear after the line's result.
    notes: Vec<String>,
    /// A background refresh failed: old cached collections are not
    /// refreshed by themselves again (`.refresh` still can).
    refresh_failed: bool,
    /// What a one-shot run's lines need: the disk cache reads only the
    /// collections they name, built as far as they need.
    one_shot: Option<Need>,
}

/// How the disk cache answers: the oldest collection it may load, and
/// (in the shell) the age past which a loaded one is fetched again in the
/// background while it answers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CachePolicy {
    pub max_age: Duration,
    pub refresh_after: Option<Duration>,
}

impl Session {
    /// A session over `source`, with an async runtime of its own.
    pub fn new(source: Box<dyn Source>) -> Result<Session, Error> {
        Ok(Session::on(Arc::from(source), Runtime::new()?))
    }

    /// A session over `source`, waiting on `runtime`.
    pub fn on(source: Arc<dyn Source>, runtime: Runtime) -> Session {
        Session {
            source,
            refreshing: None,
            runtime,
            held: IndexMap::new(),
            last: Arc::new(Doc::Null),
            requests_of_replaced_sources: 0,
            cache_policy: None,
            disk: None,
            disk_owner: None,
            used_from_disk: Default::default(),
            notes: Vec::new(),
            refresh_failed: false,
            one_shot: None,
        }
    }

    /// The lines to run are known and read only `need` of the data: the
    /// disk cache, opened next, builds no more (see `crate::query::needs`).
    pub fn prune_to(&mut self, need: Need) {
        self.one_shot = Some(need);
    }

    /// Replaces the source (a profile or region switch) and drops the cache.
    pub(crate) fn replace_source(&mut self, source: Arc<dyn Source>) {
        source.show_progress(self.runtime.is_interruptible());
        if let Some(refreshing) = self.refreshing.take() {
            refreshing.task.abort();
        }
        self.requests_of_replaced_sources += self.source.requests_made();
        self.source = source;
        self.held.clear();
        self.refresh_failed = false;
        self.open_disk_cache();
    }

    /// Keeps the live source's collections on disk between sessions, and
    /// holds those `policy` allows now, once the caller is confirmed.
    pub(crate) fn use_disk_cache(&mut self, policy: CachePolicy) {
        self.cache_policy = Some(policy);
        self.open_disk_cache();
        self.refresh_stale();
    }

    /// Opens the disk cache of the source's profile, region and
    /// endpoints (a live source's), confirms who the caller is (`GetCallerIdentity`, asked
    /// while the disk is read) and holds what the cache has for that
    /// caller's store (the store last used there, when none was chosen,
    /// which also spares `ListInstances`). When the caller cannot be
    /// confirmed nothing from disk is used, and the user is told why.
    fn open_disk_cache(&mut self) {
        self.disk = None;
        self.disk_owner = None;
        let (Some(policy), Some(key)) = (self.cache_policy, self.source.cache_key()) else {
            return;
        };
        let Some(disk) = DiskCache::new(&key.profile, &key.region, &key.endpoints) else {
            return;
        };
        let Some(last) = disk.last_owner() else {
            // Nothing cached in this folder yet: who the caller is is asked
            // when the first collection is written, not before.
            self.disk = Some(disk);
            return;
        };
        let asking = {
            let source = self.source.clone();
            self.runtime
                .spawn(async move { source.caller_account().await })
        };
        let partition = key.partition;
        let guessed = Some(last)
            .filter(|owner| owner.partition == partition)
            .map(|owner| {
                let read = self.read_disk(&disk, &owner, policy.max_age);
                (owner, read)
            });
        let account = match self.runtime.block_on(asking) {
            Ok(Ok(Some(account))) => account,
            Ok(Ok(None)) => return,
            // Credentials that fail say so on the line that needs them.
            Ok(Err(err)) if err.is_credentials() => return,
            Ok(Err(err)) => {
                self.notes.push(format!(
                    "the disk cache was not used: who you are could not be confirmed ({err})"
                ));
                return;
            }
            Err(err) => {
                self.notes
                    .push(format!("the disk cache was not used: {err}"));
                return;
            }
        };
        let owner = Owner {
            partition: partition.to_owned(),
            account,
        };
        let (directory, loaded) = match guessed {
            Some((guess, read)) if guess == owner => read,
            _ => self.read_disk(&disk, &owner, policy.max_age),
        };
        if let (Some((store, Some(cached))), (_, Some(chosen))) =
            (disk.directory(&owner), self.source.store_and_instance())
            && cached != chosen
            && directory.as_ref().is_some_and(|(s, _)| *s == store)
        {
            self.notes.push(format!(
                "the disk cache was not used: its collections of store {store} are of instance {cached}, not {chosen}"
            ));
        }
        if let Some((store, instance)) = directory {
            self.source.adopt_directory(store, instance);
        }
        let now = Instant::now();
        for cached in loaded {
            self.held.insert(
                cached.name,
                HeldCollection {
                    value: cached.value,
                    fetched_at: now.checked_sub(cached.age).unwrap_or(now),
                    from_disk: true,
                    pruned: cached.pruned,
                },
            );
        }
        self.disk = Some(disk);
        self.disk_owner = Some(owner);
    }

    /// What the disk holds for `owner`: the store and instance to use (the
    /// ones chosen, else the ones last used) and that store's collections
    /// no older than `max_age`. Collections cached for another instance
    /// than the one chosen are not read.
    #[allow(clippy::type_complexity)]
    fn read_disk(
        &self,
        disk: &DiskCache,
        owner: &Owner,
        max_age: Duration,
    ) -> (Option<(String, Option<String>)>, Vec<Cached>) {
        let last = disk.directory(owner);
        let (chosen_store, chosen_instance) = self.source.store_and_instance();
        let directory = match (chosen_store, last) {
            (Some(store), Some((last_store, instance))) if store == last_store => {
                Some((store, instance))
            }
            (Some(store), _) => Some((store, None)),
            (None, last) => last,
        };
        let Some((store, instance)) = directory else {
            return (None, Vec::new());
        };
        if let (Some(chosen), Some(cached)) = (&chosen_instance, &instance)
            && chosen != cached
        {
            return (Some((store, chosen_instance)), Vec::new());
        }
        let mut loaded = disk.load(owner, &store, max_age, self.one_shot.as_ref());
        // A collection the lines read that the cache lacks is fetched, and
        // fetching or computing one may read the others held (the accounts
        // an assignment listing goes through): then nothing is pruned.
        let lacking = self.one_shot.as_ref().is_some_and(|need| {
            need.fields.iter().any(|(name, _)| {
                crate::collection::Collection::from_name(name).is_some()
                    && !loaded.iter().any(|cached| cached.name == *name)
            })
        });
        if lacking {
            loaded = disk.load(owner, &store, max_age, None);
        }
        (Some((store, instance)), loaded)
    }

    /// In the shell: fetches again in the background the collections read
    /// from disk that are older than the policy allows, while they answer.
    pub(crate) fn refresh_stale(&mut self) {
        let Some(after) = self.cache_policy.and_then(|p| p.refresh_after) else {
            return;
        };
        if self.refreshing.is_some() || self.refresh_failed {
            return;
        }
        let stale: Vec<String> = self
            .held
            .iter()
            .filter(|(_, held)| held.from_disk && age(held) > after)
            .map(|(name, _)| name.clone())
            .collect();
        if !stale.is_empty() {
            let _ = self.refresh_in_background(&stale);
        }
    }

    /// Whether `name` is held as read from the disk cache.
    pub(crate) fn is_from_disk(&self, name: &str) -> bool {
        self.held.get(name).is_some_and(|h| h.from_disk)
    }

    /// Records that this line used `name`, for the note on its age.
    pub(crate) fn note_use(&mut self, name: &str) {
        if self.is_from_disk(name) {
            self.used_from_disk.insert(name.to_owned());
        }
    }

    /// Drops every collection read from the disk cache, in memory and on
    /// disk (it has proved out of date), saying `why`.
    pub(crate) fn drop_disk_copies(&mut self, why: String) {
        let stale: Vec<String> = self
            .held
            .iter()
            .filter(|(_, held)| held.from_disk)
            .map(|(name, _)| name.clone())
            .collect();
        if stale.is_empty() {
            return;
        }
        for name in &stale {
            self.remove_from_disk(name);
            self.held.shift_remove(name);
            self.used_from_disk.shift_remove(name);
        }
        self.source.forget_answers();
        self.notes.push(format!(
            "{why}; the cached {} {} out of date and will be fetched again",
            and_list(&stale),
            if stale.len() == 1 { "is" } else { "are" }
        ));
    }

    /// Says `note` after the line's result.
    pub(crate) fn add_note(&mut self, note: String) {
        self.notes.push(note);
    }

    /// What the user should hear after a line: notes that arose, and which
    /// collections from the disk cache the line used and how old they are.
    pub(crate) fn take_notes(&mut self) -> Vec<String> {
        let mut notes = std::mem::take(&mut self.notes);
        let used = std::mem::take(&mut self.used_from_disk);
        let ages: Vec<(&str, String)> = used
            .iter()
            .filter_map(|name| {
                let held = self.held.get(name).filter(|h| h.from_disk)?;
                Some((name.as_str(), long_age(age(held))))
            })
            .collect();
        if let Some((_, first)) = ages.first() {
            let names: Vec<String> = ages.iter().map(|(n, _)| n.to_string()).collect();
            let said = if ages.iter().all(|(_, a)| a == first) {
                format!("{} from the cache, {first} old", and_list(&names))
            } else {
                let each: Vec<String> = ages.iter().map(|(n, a)| format!("{n} {a} old")).collect();
                format!("from the cache: {}", and_list(&each))
            };
            notes.push(format!("{said}; .refresh to fetch"));
        }
        notes
    }

    /// The age of the oldest collection held from the disk cache, if any.
    pub(crate) fn disk_cache_age(&self) -> Option<Duration> {
        self.held.values().filter(|h| h.from_disk).map(age).max()
    }

    /// The source, for what it says about itself (its document, whether it is live).
    pub fn source(&self) -> &dyn Source {
        self.source.as_ref()
    }

    /// Lets slow fetches show progress and Ctrl-C cancel them (the shell).
    pub(crate) fn set_interactive(&mut self, on: bool) {
        self.runtime.set_interruptible(on);
        self.source.show_progress(on);
    }

    /// The runtime the session waits on, for whoever else blocks on it.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
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
        if !self.source.is_live() {
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

    /// The names the root offers.
    pub fn collection_names(&self) -> Vec<String> {
        self.source.collections()
    }

    /// The previous line's result (`_`).
    pub(crate) fn last(&self) -> &Arc<Doc> {
        &self.last
    }

    /// Records a line's result as `_`.
    pub(crate) fn set_last(&mut self, value: Arc<Doc>) {
        self.last = value;
    }

    /// Forgets held collections: the named ones, or all when `names` is
    /// empty; and the live source's answers about single users and groups.
    pub(crate) fn forget(&mut self, names: &[String]) -> Result<Vec<String>, Error> {
        self.source.forget_answers();
        let known = self.known_collections(names)?;
        if names.is_empty() {
            for name in &known {
                self.remove_from_disk(name);
            }
            return Ok(self.held.drain(..).map(|(name, _)| name).collect());
        }
        let mut forgotten = Vec::new();
        let with_dependents: Vec<String> = names
            .iter()
            .flat_map(|name| std::iter::once(name.clone()).chain(dependents(name)))
            .collect();
        for name in &with_dependents {
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
        for name in names {
            self.note_use(name);
        }
        if missing.is_empty() {
            return Ok(());
        }
        let snapshot = self.snapshot(&[]);
        let result = self.runtime.run(self.source.fetch(&missing, &snapshot));
        // What finished before a Ctrl-C (or a failure elsewhere) is kept.
        self.keep(self.source.take_completed());
        self.keep(result?);
        Ok(())
    }

    /// Makes sure the `PermissionSets` held carry what each set grants
    /// (`collection::CONTENT_FIELDS`), asking the source for them when
    /// they do not. The copy with contents takes the held one's place
    /// without dropping what was built on it (the sets are the same ones)
    /// and keeps its age: it is as old as its oldest part.
    pub(crate) fn ensure_permission_set_contents(&mut self) -> Result<(), Error> {
        let name = Collection::PermissionSets.name();
        if !self.source.collections().iter().any(|c| c == name) {
            return Ok(());
        }
        self.ensure(&[name.to_owned()])?;
        let Some(held) = self.held.get(name) else {
            return Ok(());
        };
        if crate::collection::has_contents(&held.value) {
            return Ok(());
        }
        let (sets, fetched_at) = (held.value.clone(), held.fetched_at);
        let Some(full) = self
            .runtime
            .run(self.source.permission_set_contents(&sets))?
        else {
            return Ok(());
        };
        self.save_to_disk(name, &full);
        self.held.insert(
            name.to_owned(),
            HeldCollection {
                value: full,
                fetched_at,
                from_disk: false,
                pruned: false,
            },
        );
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

    /// The held collections, but for `except`, as a fetch takes them to
    /// build on: only those fetched in this session, so that what it
    /// builds (names joined to memberships) is of one age.
    fn snapshot(&self, except: &[String]) -> Held {
        self.held
            .iter()
            .filter(|(name, held)| !except.contains(name) && !held.from_disk)
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
        self.source.show_progress(self.runtime.is_interruptible());
        let took = refreshing.started.elapsed().as_secs_f64();
        let fetched = match self.runtime.block_on(refreshing.task) {
            Ok(Ok(fetched)) => fetched,
            Ok(Err(err)) => {
                // Not tried again by itself: every line would say so.
                self.refresh_failed = true;
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
        self.source.forget_answers();
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
        let arriving: Vec<String> = fetched.iter().map(|(name, _)| name.clone()).collect();
        for (name, value) in fetched {
            // A fresh copy takes the place of one read from disk.
            if !replace && self.held.get(&name).is_some_and(|h| !h.from_disk) {
                continue;
            }
            // What was built on the copy this one replaces is out of date.
            let replacing = self.held.contains_key(&name);
            for stale in dependents(&name) {
                if replacing && !arriving.contains(&stale) {
                    self.held.shift_remove(&stale);
                    self.remove_from_disk(&stale);
                }
            }
            self.used_from_disk.shift_remove(&name);
            self.save_to_disk(&name, &value);
            self.held.insert(
                name,
                HeldCollection {
                    value,
                    fetched_at: now,
                    from_disk: false,
                    pruned: false,
                },
            );
        }
    }

    /// The caller the disk cache is for, asked now when it was not at
    /// start (nothing was cached then).
    fn cache_owner(&mut self) -> Option<Owner> {
        self.disk.as_ref()?;
        if self.disk_owner.is_none() {
            let key = self.source.cache_key()?;
            let account = self.runtime.block_on(self.source.caller_account()).ok()??;
            self.disk_owner = Some(Owner {
                partition: key.partition.to_owned(),
                account,
            });
        }
        self.disk_owner.clone()
    }

    fn save_to_disk(&mut self, name: &str, value: &Doc) {
        let Some(owner) = self.cache_owner() else {
            return;
        };
        let Some(disk) = &self.disk else {
            return;
        };
        if let (Some(store), instance) = self.source.store_and_instance() {
            // A cache that cannot be written costs the next session a
            // fetch, nothing more; the answer is not held back for it.
            let _ = disk.save(&owner, &store, instance.as_deref(), name, value);
        }
    }

    fn remove_from_disk(&self, name: &str) {
        if let (Some(disk), Some(owner)) = (&self.disk, &self.disk_owner)
            && let (Some(store), _) = self.source.store_and_instance()
        {
            disk.remove(owner, &store, name);
        }
    }

    /// Evaluates `query` over the root, fetching what it names first.
    /// Warnings (an unknown collection, say) are kept when the line fails.
    pub fn evaluate(&mut self, query: &Query) -> Result<Answer, Error> {
        let (needed, mut warnings) = self.plan(query);
        let contents = needed
            .iter()
            .any(|n| n == Collection::PermissionSets.name())
            && query.names_any_field(&crate::collection::CONTENT_FIELDS);
        let value = self
            .ensure(&needed)
            .and_then(|()| match contents {
                true => self.ensure_permission_set_contents(),
                false => Ok(()),
            })
            .and_then(|()| self.evaluate_held(query, &self.last))
            .and_then(|(value, met)| Ok((self.source.complete(value)?, met)));
        warnings.extend(self.source.take_notes());
        match value {
            Ok((value, met)) => {
                warnings.extend(self.data_warnings(query));
                warnings.extend(met);
                Ok(Answer {
                    value: Arc::new(value),
                    warnings,
                })
            }
            Err(error) => {
                // A field read that the data lacks explains many a failed
                // call (`contains(Title, "Engineer")` reads a field).
                if matches!(error, Error::Query(_)) {
                    warnings.extend(self.data_warnings(query));
                }
                Err(Error::warned(warnings, error))
            }
        }
    }

    /// Evaluates `query` with `current` as the input (a command's result
    /// piped into an expression).
    pub(crate) fn filter(&self, query: &Query, current: &Doc) -> Result<Answer, Error> {
        let (value, warnings) = answered(query.evaluate_warned(&Val::Ref(current)))?;
        Ok(Answer {
            value: Arc::new(value),
            warnings,
        })
    }

    /// A command's `outcome` through its filter (`.access alice | [0]`):
    /// the filter reads the data (not a table's shorter view); a command
    /// with no data (a note) cannot be filtered.
    pub(crate) fn filter_outcome(
        &self,
        outcome: crate::outcome::Outcome,
        filter: &Query,
        command: &str,
    ) -> Result<crate::outcome::Outcome, Error> {
        use crate::outcome::Outcome;
        match outcome {
            Outcome::Value {
                value,
                mut warnings,
            }
            | Outcome::Viewed {
                value,
                mut warnings,
                ..
            } => {
                let answer = self.filter(filter, &value)?;
                warnings.extend(answer.warnings);
                Ok(Outcome::Value {
                    value: answer.value,
                    warnings,
                })
            }
            _ => Err(Error::Usage(format!(".{command} has no result to filter"))),
        }
    }

    /// Fields an evaluated query reads that the data does not have.
    fn data_warnings(&self, query: &Query) -> Vec<String> {
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
        let warnings = query.data_warnings(&lookup);
        if warnings.is_empty() {
            return warnings;
        }
        // Held pruned, the items have every field the query reads, so no
        // warning is missed; one that is given may suggest from the fields
        // left out, so it is made again from the whole document.
        if let Some(whole) = self.unpruned_from_disk() {
            let lookup = |name: &str| -> Option<(&str, &[Doc])> {
                let (key, value) = whole.iter().find(|(k, _)| k == name)?;
                Some((key.as_str(), value.as_array()?))
            };
            return query.data_warnings(&lookup);
        }
        match self.source.unpruned() {
            Some(whole) => {
                let lookup = |name: &str| -> Option<(&str, &[Doc])> {
                    let entries = whole.as_object()?;
                    let (key, value) = entries.iter().find(|(k, _)| k == name)?;
                    Some((key.as_str(), value.as_array()?))
                };
                query.data_warnings(&lookup)
            }
            None => warnings,
        }
    }

    /// The held collections, each whole: those read pruned from the disk
    /// cache read again in full. `None` when none was pruned.
    fn unpruned_from_disk(&self) -> Option<Vec<(String, Arc<Doc>)>> {
        if !self.held.values().any(|held| held.pruned) {
            return None;
        }
        let (disk, owner) = (self.disk.as_ref()?, self.disk_owner.as_ref()?);
        let (store, _) = self.source.store_and_instance();
        let store = store?;
        Some(
            self.held
                .iter()
                .filter_map(|(name, held)| {
                    let value = match held.pruned {
                        true => disk.load_one(owner, &store, name)?,
                        false => held.value.clone(),
                    };
                    Some((name.clone(), value))
                })
                .collect(),
        )
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

    /// The answer over the held collections, and the warnings it comes with.
    fn evaluate_held(&self, query: &Query, last: &Doc) -> Result<(Doc, Vec<String>), Error> {
        let names_last = query.root_refs().fields.iter().any(|f| f == "_");
        if let Some(document) = self.source.document() {
            // A root that is not an object has no `_` key: `_` is the
            // previous result there too.
            if names_last {
                let bound = query.with_root_field_bound("_", last);
                return answered(bound.evaluate_warned(&Val::Ref(&document)));
            }
            return answered(query.evaluate_warned(&Val::Ref(&document)));
        }
        // `_` joins the root only when an expression names it.
        let last = (names_last && !self.held.contains_key("_")).then_some(last);
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
        answered(query.evaluate_warned(&root))
    }
}

/// An evaluation's answer as a document, with its warnings.
fn answered(evaluated: Evaluated<'_>) -> Result<(Doc, Vec<String>), Error> {
    Ok((evaluated.value?.to_doc(), evaluated.warnings))
}

/// The names of the collections built on the collection named `name`.
fn dependents(name: &str) -> Vec<String> {
    Collection::from_name(name)
        .map(|c| c.dependents().iter().map(|d| d.name().to_owned()).collect())
        .unwrap_or_default()
}

/// "no collection named X (did you mean Y?)"
fn unknown_collection(name: &str, known: &[String]) -> String {
    let hint = suggest::closest(name, known.iter().map(String::as_str))
        .map(|s| format!("; did you mean {s}?"))
        .unwrap_or_default();
    format!("{name} is not a collection, so it is null{hint}")
}

/// "Users", "Users and Groups", "Users, Groups and Accounts".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// `40 s`, `12 min`, `3 h`, `2 d`: an age as a note says it.
pub(crate) fn long_age(age: Duration) -> String {
    match age.as_secs() {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 86_400 => format!("{} h", s / 3600),
        s => format!("{} d", s / 86_400),
    }
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
        assert_eq!(answer.value.to_json(), serde_json::Value::from(28));
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
        assert_eq!(answer.value.to_json(), serde_json::Value::Null);
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
        assert_eq!(
            answer.value.to_json(),
            serde_json::Value::from("Administrators")
        );
    }
}
