//! Collections kept on disk between sessions, so a second session on the
//! same directory answers without listing it again.
//!
//! A cached collection belongs to one directory and one caller. Under
//! `$XDG_CACHE_HOME/idcsh/` (else `~/.cache/idcsh/`):
//!
//! ```text
//! PROFILE@REGION[@ENDPOINTS]/      every service's endpoint that is not AWS's own
//!   last.json                      the caller last confirmed here
//!   PARTITION-ACCOUNT/             the caller's partition and account
//!     directory.json               the store and instance last used
//!     STORE/COLLECTION.json        one file per collection, mode 0600
//! ```
//!
//! The session confirms the caller (`GetCallerIdentity`) before it uses
//! anything here, so keys for another account, a profile's own keys in
//! place of exported ones, or an emulator's endpoint each find their own
//! folder. A collection's age is its file's modification time.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::{Value as Json, json};

use crate::doc::Doc;

/// The cache folder of one profile, region and set of endpoints.
#[derive(Debug, Clone)]
pub(crate) struct DiskCache {
    dir: PathBuf,
}

/// Whose directory cached collections are: the caller's partition and account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Owner {
    pub partition: String,
    pub account: String,
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

/// The folder name for `profile` in `region` with `endpoints` (service,
/// URL): `profile@region`, then `@URL` when every service named goes to
/// one endpoint, or `@service=URL+...` for each one that differs.
fn folder_name(profile: &str, region: &str, endpoints: &[(&str, String)]) -> String {
    let mut name = format!("{profile}@{region}");
    let mut urls: Vec<&str> = endpoints.iter().map(|(_, url)| url.as_str()).collect();
    urls.sort_unstable();
    urls.dedup();
    match urls.as_slice() {
        [] => {}
        [one] if endpoints.len() == crate::source::aws::SERVICES.len() => {
            name.push('@');
            name.push_str(one);
        }
        _ => {
            let mut each: Vec<String> = endpoints
                .iter()
                .map(|(service, url)| format!("{service}={url}"))
                .collect();
            each.sort();
            name.push('@');
            name.push_str(&each.join("+"));
        }
    }
    let name = component(&name);
    // A path component has room for 255 bytes; a long one keeps its start
    // and a digest of the whole.
    if name.len() > 200 {
        format!("{}-{:016x}", &name[..150], digest(&name))
    } else {
        name
    }
}

/// FNV-1a: a stable digest of a folder name.
fn digest(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

impl DiskCache {
    /// The cache of `profile` in `region` with each service's `endpoints`
    /// (those that are not AWS's own).
    pub(crate) fn new(
        profile: &str,
        region: &str,
        endpoints: &[(&str, String)],
    ) -> Option<DiskCache> {
        let dir = cache_root()?.join(folder_name(profile, region, endpoints));
        Some(DiskCache { dir })
    }

    fn owner_dir(&self, owner: &Owner) -> PathBuf {
        self.dir
            .join(component(&format!("{}-{}", owner.partition, owner.account)))
    }

    fn store_dir(&self, owner: &Owner, store: &str) -> PathBuf {
        self.owner_dir(owner).join(component(store))
    }

    fn file(&self, owner: &Owner, store: &str, collection: &str) -> PathBuf {
        self.store_dir(owner, store)
            .join(format!("{}.json", component(collection)))
    }

    /// The caller last confirmed in this folder: a guess, to read its
    /// collections while the session confirms who it is.
    pub(crate) fn last_owner(&self) -> Option<Owner> {
        let value = read_json(&self.dir.join("last.json"))?;
        Some(Owner {
            partition: value["Partition"].as_str()?.to_owned(),
            account: value["Account"].as_str()?.to_owned(),
        })
    }

    /// The store and instance `owner` used last here.
    pub(crate) fn directory(&self, owner: &Owner) -> Option<(String, Option<String>)> {
        let value = read_json(&self.owner_dir(owner).join("directory.json"))?;
        let store = value["IdentityStoreId"].as_str()?.to_owned();
        let instance = value["InstanceArn"].as_str().map(str::to_owned);
        Some((store, instance))
    }

    /// Every collection of `owner`'s `store` no older than `max_age`. A file
    /// that cannot be read or parsed is skipped (and fetched again when needed).
    pub(crate) fn load(&self, owner: &Owner, store: &str, max_age: Duration) -> Vec<Cached> {
        let Ok(entries) = std::fs::read_dir(self.store_dir(owner, store)) else {
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
            if age > max_age {
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

    /// Writes a collection of `owner`'s `store`, and `store` and
    /// `instance` as the ones last used.
    pub(crate) fn save(
        &self,
        owner: &Owner,
        store: &str,
        instance: Option<&str>,
        collection: &str,
        value: &Doc,
    ) -> std::io::Result<()> {
        crate::files::create_private_dir(&self.store_dir(owner, store))?;
        crate::files::write_private(&self.file(owner, store, collection), |out| {
            serde_json::to_writer(&mut *out, value).map_err(std::io::Error::other)
        })?;
        // Written (and synced) only when they change, not with every collection.
        if self.directory(owner) != Some((store.to_owned(), instance.map(str::to_owned))) {
            let directory = json!({
                "Partition": owner.partition,
                "Account": owner.account,
                "IdentityStoreId": store,
                "InstanceArn": instance,
            });
            write_json(&self.owner_dir(owner).join("directory.json"), &directory)?;
        }
        if self.last_owner().as_ref() != Some(owner) {
            let last = json!({"Partition": owner.partition, "Account": owner.account});
            write_json(&self.dir.join("last.json"), &last)?;
        }
        Ok(())
    }

    /// Forgets a collection of `owner`'s `store` (after `.refresh` or a write).
    pub(crate) fn remove(&self, owner: &Owner, store: &str, collection: &str) {
        let _ = std::fs::remove_file(self.file(owner, store, collection));
    }
}

fn read_json(path: &Path) -> Option<Json> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

fn write_json(path: &Path, value: &Json) -> std::io::Result<()> {
    crate::files::write_private(path, |out| {
        serde_json::to_writer(&mut *out, value).map_err(std::io::Error::other)
    })
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
    fn every_endpoint_names_the_folder() {
        let all = |url: &str| {
            crate::source::aws::SERVICES
                .map(|(s, _)| (s, url.to_owned()))
                .to_vec()
        };
        assert_eq!(folder_name("p", "r", &[]), "p@r");
        assert_eq!(
            folder_name("p", "r", &all("http://127.0.0.1:5000")),
            "p@r@http___127.0.0.1_5000"
        );
        let one = [("identitystore", "http://127.0.0.1:5000".to_owned())];
        let named = folder_name("p", "r", &one);
        assert_ne!(named, "p@r");
        assert_ne!(named, folder_name("p", "r", &all("http://127.0.0.1:5000")));
        let long = all(&format!("http://{}.example", "x".repeat(300)));
        assert!(folder_name("p", "r", &long).len() <= 200);
    }

    #[test]
    fn a_collection_is_saved_loaded_and_removed_for_its_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache {
            dir: dir.path().join("p@r"),
        };
        let owner = Owner {
            partition: "aws".into(),
            account: "123456789012".into(),
        };
        let other = Owner {
            account: "222222222222".into(),
            ..owner.clone()
        };
        let minute = Duration::from_secs(60);
        let users = Doc::from(json!([{"UserName": "alice"}]));
        cache
            .save(&owner, "d-1234567890", Some("arn:x"), "Users", &users)
            .unwrap();
        assert_eq!(cache.last_owner(), Some(owner.clone()));
        assert_eq!(
            cache.directory(&owner),
            Some(("d-1234567890".to_owned(), Some("arn:x".to_owned())))
        );
        assert_eq!(cache.directory(&other), None);
        let loaded = cache.load(&owner, "d-1234567890", minute);
        assert_eq!(loaded.len(), 1);
        assert_eq!(loaded[0].name, "Users");
        assert_eq!(loaded[0].value.to_json(), users.to_json());
        assert!(cache.load(&other, "d-1234567890", minute).is_empty());
        assert!(cache.load(&owner, "d-0000000000", minute).is_empty());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let file = cache.file(&owner, "d-1234567890", "Users");
            let mode = std::fs::metadata(file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::thread::sleep(Duration::from_millis(20));
        assert!(
            cache
                .load(&owner, "d-1234567890", Duration::ZERO)
                .is_empty()
        );
        cache.remove(&owner, "d-1234567890", "Users");
        assert!(cache.load(&owner, "d-1234567890", minute).is_empty());
    }
}
