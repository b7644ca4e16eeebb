//! Answers about one user, group or account, kept until `.refresh` or a
//! write: one typed table per question, so a lookup can only find what
//! was stored for that question.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use serde_json::Value as Json;

use crate::collection::Collection;
use crate::doc::Doc;

/// A user's UserName and DisplayName.
pub(crate) type UserNames = (String, Option<String>);

/// A listing of `Users` or `Groups` that stopped before its end: what it
/// read, how many pages, and where the next page starts.
#[derive(Clone)]
pub(super) struct Partial {
    pub items: Vec<Json>,
    pub pages: usize,
    pub next: String,
}

/// The tables, one per question.
#[derive(Default)]
pub(super) struct Answers {
    /// `find_user`: what was typed → (UserId, UserName), or no such user.
    pub user: HashMap<String, Option<(String, String)>>,
    /// `find_group`: what was typed → (GroupId, DisplayName), or none.
    pub group: HashMap<String, Option<(String, String)>>,
    /// A group's members as (UserId, MembershipId).
    pub members: HashMap<String, Vec<(String, String)>>,
    pub user_names: HashMap<String, UserNames>,
    pub group_name: HashMap<String, String>,
    /// Every assignment on an account.
    pub assignments_on: HashMap<String, Vec<Json>>,
    /// The assignments on an account of one permission set.
    pub assignments_of_pair: HashMap<(String, String), Vec<Json>>,
    /// A user's groups.
    pub groups_of: HashMap<String, Vec<Json>>,
    /// A user's effective access.
    pub access_of: HashMap<String, Vec<Json>>,
    /// Collections listed completely.
    pub listed: HashMap<Collection, Arc<Doc>>,
    /// Listings stopped before their end.
    pub partial: HashMap<Collection, Partial>,
}

/// Which table of [`Answers`] a question uses.
pub(super) type Table<K, V> = fn(&mut Answers) -> &mut HashMap<K, V>;

/// The kept answers, shared by the tasks of a line.
#[derive(Default)]
pub(super) struct Memo {
    answers: Mutex<Answers>,
}

impl Memo {
    /// The answer kept under `key` in `table`.
    pub fn get<K, V, Q>(&self, table: Table<K, V>, key: &Q) -> Option<V>
    where
        K: Borrow<Q> + Hash + Eq,
        Q: Hash + Eq + ?Sized,
        V: Clone,
    {
        let mut answers = self.answers.lock().ok()?;
        table(&mut answers).get(key).cloned()
    }

    /// Keeps `value` under `key` in `table`.
    pub fn put<K: Hash + Eq, V>(&self, table: Table<K, V>, key: K, value: V) {
        if let Ok(mut answers) = self.answers.lock() {
            table(&mut answers).insert(key, value);
        }
    }

    /// Forgets every answer.
    pub fn clear(&self) {
        if let Ok(mut answers) = self.answers.lock() {
            *answers = Answers::default();
        }
    }
}
