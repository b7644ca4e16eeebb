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

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::{Value as Json, json};

use crate::doc::Doc;
use crate::query::needs::Need;

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
    /// Built only as far as a one-shot run's lines need.
    pub pruned: bool,
}

/// Writes a collection as JSON with each item on a line of its own
/// (`[` and `]` on theirs): still one JSON document, and one whose items
/// can be found without parsing, so that reading it back splits the work
/// among the cores. Compact JSON has no newline inside a value.
fn write_lines(out: &mut dyn std::io::Write, value: &Doc) -> std::io::Result<()> {
    let Some(items) = value.as_array() else {
        return serde_json::to_writer(&mut *out, value).map_err(std::io::Error::other);
    };
    out.write_all(b"[\n")?;
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.write_all(b",\n")?;
        }
        serde_json::to_writer(&mut *out, item).map_err(std::io::Error::other)?;
    }
    out.write_all(b"\n]\n")
}

/// Reads a collection [`write_lines`] wrote, its items parsed on every
/// core (each built as far as `need` asks of an element); `None` when the
/// file is not in that form (an older cache: then it is parsed whole).
fn parse_lines(bytes: &[u8], need: Option<&Need>) -> Option<Doc> {
    let text = std::str::from_utf8(bytes).ok()?;
    let inside = text.strip_prefix("[\n")?.trim_end().strip_suffix(']')?;
    let whole = Need::whole();
    let each = match need {
        Some(need) if !need.whole => need.elements.as_deref()?,
        _ => &whole,
    };
    let lines: Vec<&str> = inside.lines().filter(|line| !line.is_empty()).collect();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let share = lines.len().div_ceil(cores).max(1);
    let parse = |chunk: &[&str]| -> Option<Vec<Doc>> {
        chunk
            .iter()
            .map(|line| Doc::parse_pruned(line.strip_suffix(',').unwrap_or(line), each).ok())
            .collect()
    };
    let parts: Vec<Option<Vec<Doc>>> = std::thread::scope(|scope| {
        let running: Vec<_> = lines
            .chunks(share)
            .map(|chunk| scope.spawn(move || parse(chunk)))
            .collect();
        running
            .into_iter()
            .map(|part| part.join().ok().flatten())
            .collect()
    });
    let mut items = Vec::with_capacity(lines.len());
    for part in parts {
        items.extend(part?);
    }
    Some(Doc::Array(items.into_boxed_slice()))
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
    /// that cannot be read or parsed is skipped (and fetched again when
    /// needed). With `need` (a one-shot run's lines), only the collections
    /// it names are read, each built as far as it needs.
    pub(crate) fn load(
        &self,
        owner: &Owner,
        store: &str,
        max_age: Duration,
        need: Option<&Need>,
    ) -> Vec<Cached> {
        let Ok(entries) = std::fs::read_dir(self.store_dir(owner, store)) else {
            return Vec::new();
        };
        // Which files to read, then each read and parsed on its own
        // thread: a large collection and the small ones side by side.
        let mut wanted_files = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(name) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".json"))
                .map(str::to_owned)
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
            let wanted = match need {
                Some(need) => match need.of_field(&name) {
                    Some(wanted) => Some(wanted),
                    None => continue,
                },
                None => None,
            };
            wanted_files.push((path, name, age, wanted));
        }
        let read =
            |(path, name, age, wanted): (PathBuf, String, Duration, Option<Cow<'_, Need>>)| {
                let bytes = crate::source::file::read(&path).ok()?;
                let doc = parse_lines(&bytes, wanted.as_deref()).or_else(|| {
                    match &wanted {
                        Some(wanted) => crate::source::file::parse_pruned(&bytes, wanted),
                        None => crate::source::file::parse(&bytes),
                    }
                    .ok()
                })?;
                doc.as_array()?;
                Some(Cached {
                    name,
                    value: Arc::new(doc),
                    age,
                    pruned: wanted.is_some_and(|w| !w.whole),
                })
            };
        let mut found: Vec<Cached> = std::thread::scope(|scope| {
            let reading: Vec<_> = wanted_files
                .into_iter()
                .map(|file| scope.spawn(move || read(file)))
                .collect();
            reading
                .into_iter()
                .filter_map(|thread| thread.join().ok().flatten())
                .collect()
        });
        found.sort_by(|a, b| a.name.cmp(&b.name));
        found
    }

    /// One collection of `owner`'s `store`, whole, whatever its age (a
    /// warning's second look at a collection held pruned).
    pub(crate) fn load_one(&self, owner: &Owner, store: &str, name: &str) -> Option<Arc<Doc>> {
        let bytes = crate::source::file::read(&self.file(owner, store, name)).ok()?;
        crate::source::file::parse(&bytes).ok().map(Arc::new)
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
            write_lines(out, value)
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
        let users = Doc::from(json!([
            {"UserName": "alice", "UserId": "1", "Name": {"GivenName": "Alice"}},
            {"UserName": "bob", "UserId": "2"}
        ]));
        cache
            .save(&owner, "d-1234567890", Some("arn:x"), "Users", &users)
            .unwrap();
        assert_eq!(cache.last_owner(), Some(owner.clone()));
        assert_eq!(
            cache.directory(&owner),
            Some(("d-1234567890".to_owned(), Some("arn:x".to_owned())))
        );
        assert_eq!(cache.directory(&other), None);
        let loaded = cache.load(&owner, "d-1234567890", minute, None);
        assert_eq!(loaded.len(), 1);
        assert_eq!(loaded[0].name, "Users");
        assert_eq!(loaded[0].value.to_json(), users.to_json());
        assert!(!loaded[0].pruned);
        assert!(cache.load(&other, "d-1234567890", minute, None).is_empty());
        assert!(cache.load(&owner, "d-0000000000", minute, None).is_empty());
        // One item a line, and still one JSON document.
        let file = cache.file(&owner, "d-1234567890", "Users");
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.starts_with("[\n"), "{text}");
        let read: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(read, users.to_json());
        // A one-shot run's need: only the collections and fields it reads.
        let need = crate::query::Query::compile("Users[].UserName | Groups")
            .unwrap()
            .needs()
            .unwrap();
        let pruned = cache.load(&owner, "d-1234567890", minute, Some(&need));
        assert_eq!(pruned.len(), 1);
        assert!(pruned[0].pruned);
        let kept: Vec<String> = pruned[0].value.as_array().unwrap()[0]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, _)| k.to_string())
            .collect();
        assert_eq!(kept, ["UserName"]);
        let none = crate::query::Query::compile("Groups")
            .unwrap()
            .needs()
            .unwrap();
        assert!(
            cache
                .load(&owner, "d-1234567890", minute, Some(&none))
                .is_empty()
        );
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
                .load(&owner, "d-1234567890", Duration::ZERO, None)
                .is_empty()
        );
        cache.remove(&owner, "d-1234567890", "Users");
        assert!(cache.load(&owner, "d-1234567890", minute, None).is_empty());
    }
}
