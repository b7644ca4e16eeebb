//! Collections kept on disk between sessions, so a second session on the
//! same directory answers without asking AWS again.
//!
//! Under `$XDG_CACHE_HOME/idcsh/` (else `~/.cache/idcsh/`), one folder per
//! profile and region (and endpoint, when one is set), one per Identity
//! Store inside it, one file per collection holding its items as JSON,
//! written atomically with mode 0600.
//! A collection's age is its file's modification time. `directory.json`
//! beside the stores names the store and instance last used, so a warm
//! start needs no `ListInstances` either.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::{Value as Json, json};

use crate::doc::Doc;

/// The cache folder of one profile and region.
#[derive(Debug, Clone)]
pub(crate) struct DiskCache {
    dir: PathBuf,
    max_age: Duration,
}

/// A collection read back from disk, and how old it is.
pub(crate) struct Cached {
    pub name: String,
    pub value: Arc<Doc>,
    pub age: Duration,
}

/// `$XDG_CACHE_HOME/idcsh`, else `~/.cache/idcsh`.
fn cache_root() -> Option<PathBuf> {
    match std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => Some(PathBuf::from(dir).join("idcsh")),
        None => std::env::var_os("HOME")
            .filter(|v| !v.is_empty())
            .map(|home| PathBuf::from(home).join(".cache/idcsh")),
    }
}

/// A name that is safe as one path component.
fn component(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.@".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

impl DiskCache {
    /// The cache of `profile` in `region` (and at `endpoint`, when calls
    /// go somewhere other than AWS's own endpoints); collections older
    /// than `max_age` are not loaded.
    pub(crate) fn new(
        profile: &str,
        region: &str,
        endpoint: Option<&str>,
        max_age: Duration,
    ) -> Option<DiskCache> {
        let mut name = format!("{profile}@{region}");
        if let Some(endpoint) = endpoint {
            name.push('@');
            name.push_str(endpoint);
        }
        let dir = cache_root()?.join(component(&name));
        Some(DiskCache { dir, max_age })
    }

    fn store_dir(&self, store: &str) -> PathBuf {
        self.dir.join(component(store))
    }

    fn file(&self, store: &str, collection: &str) -> PathBuf {
        self.store_dir(store)
            .join(format!("{}.json", component(collection)))
    }

    /// The store and instance this profile and region used last.
    pub(crate) fn directory(&self) -> Option<(String, Option<String>)> {
        let bytes = std::fs::read(self.dir.join("directory.json")).ok()?;
        let value: Json = serde_json::from_slice(&bytes).ok()?;
        let store = value["IdentityStoreId"].as_str()?.to_owned();
        let instance = value["InstanceArn"].as_str().map(str::to_owned);
        Some((store, instance))
    }

    /// Every collection of `store` young enough to use. A file that cannot
    /// be read or parsed is skipped (and fetched again when needed).
    pub(crate) fn load(&self, store: &str) -> Vec<Cached> {
        let Ok(entries) = std::fs::read_dir(self.store_dir(store)) else {
            return Vec::new();
        };
        let mut found = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(name) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".json"))
            else {
                continue;
            };
            let age = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|modified| SystemTime::now().duration_since(modified).ok())
                .unwrap_or_default();
            if age > self.max_age {
                continue;
            }
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let Ok(doc) = crate::source::file::parse(&bytes) else {
                continue;
            };
            if doc.as_array().is_none() {
                continue;
            }
            found.push(Cached {
                name: name.to_owned(),
                value: Arc::new(doc),
                age,
            });
        }
        found.sort_by(|a, b| a.name.cmp(&b.name));
        found
    }

    /// Writes a collection of `store`, and `store` and `instance` as the
    /// ones last used.
    pub(crate) fn save(
        &self,
        store: &str,
        instance: Option<&str>,
        collection: &str,
        value: &Doc,
    ) -> std::io::Result<()> {
        create_private_dir(&self.store_dir(store))?;
        crate::files::write_private(&self.file(store, collection), |out| {
            serde_json::to_writer(&mut *out, value).map_err(std::io::Error::other)
        })?;
        // Written (and synced) only when it changes, not with every collection.
        if self.directory() == Some((store.to_owned(), instance.map(str::to_owned))) {
            return Ok(());
        }
        let directory = json!({"IdentityStoreId": store, "InstanceArn": instance});
        crate::files::write_private(&self.dir.join("directory.json"), |out| {
            serde_json::to_writer(&mut *out, &directory).map_err(std::io::Error::other)
        })
    }

    /// Forgets a collection of `store` (after `.refresh` or a write).
    pub(crate) fn remove(&self, store: &str, collection: &str) {
        let _ = std::fs::remove_file(self.file(store, collection));
    }
}

/// Makes `dir` and its parents, readable only by the owner.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_single_path_components() {
        assert_eq!(component("default@us-east-1"), "default@us-east-1");
        assert_eq!(component("../etc/passwd"), ".._etc_passwd");
        assert_eq!(component("a b/c"), "a_b_c");
    }

    #[test]
    fn a_collection_is_saved_loaded_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache {
            dir: dir.path().join("p@r"),
            max_age: Duration::from_secs(60),
        };
        let users = Doc::from(json!([{"UserName": "alice"}]));
        cache
            .save("d-1234567890", Some("arn:x"), "Users", &users)
            .unwrap();
        assert_eq!(
            cache.directory(),
            Some(("d-1234567890".to_owned(), Some("arn:x".to_owned())))
        );
        let loaded = cache.load("d-1234567890");
        assert_eq!(loaded.len(), 1);
        assert_eq!(loaded[0].name, "Users");
        assert_eq!(loaded[0].value.to_json(), users.to_json());
        assert!(cache.load("d-0000000000").is_empty());
        let mode = std::fs::metadata(cache.file("d-1234567890", "Users"))
            .unwrap()
            .permissions();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
            0o600
        );
        let too_old = DiskCache {
            max_age: Duration::ZERO,
            ..cache.clone()
        };
        std::thread::sleep(Duration::from_millis(20));
        assert!(too_old.load("d-1234567890").is_empty());
        cache.remove("d-1234567890", "Users");
        assert!(cache.load("d-1234567890").is_empty());
    }
}
