//! The live source: IAM Identity Center through the AWS SDK.
//!
//! Credentials, profiles and regions resolve as the AWS CLI resolves them.
//! The instance and Identity Store are discovered with `ListInstances` on
//! first need. Every request passes one semaphore (`--concurrency`) and is
//! counted, so `.timing` can say how many calls a line made. Reads only ever
//! call List, Describe and Get operations.

mod connect;
mod discovery;
mod error;
mod fetch;
mod lookups;
mod memo;
mod pacer;
mod request;
mod targeted;
mod writes;

#[cfg(test)]
use connect::DEFAULT_MAX_ATTEMPTS;
pub(crate) use connect::{SERVICES, profile_names};
pub(crate) use discovery::{parse_identity_store_id, parse_instance_arn};
pub(crate) use writes::WriteOutcome;

use connect::{Throttling, env};
use pacer::Pacers;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_identitystore as identitystore;
use aws_sdk_organizations as organizations;
use aws_sdk_ssoadmin as ssoadmin;
use aws_sdk_sts as sts;
use tokio::sync::Semaphore;

pub use error::AwsError;
use error::CallSite;

use super::{BoxFuture, Fetched, Held, Source, SourceError};
use crate::collection::Collection;

/// How to reach AWS, from the command line and environment.
#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    pub identity_store_id: Option<String>,
    pub instance_arn: Option<String>,
    pub concurrency: usize,
    /// How long to wait for a connection (`--cli-connect-timeout`); zero: no limit.
    pub connect_timeout: Duration,
    /// How long to wait for an answer to be read (`--cli-read-timeout`); zero: no limit.
    pub read_timeout: Duration,
}

/// Who signs the calls: the account and ARN `GetCallerIdentity` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    pub account: String,
    pub arn: String,
}

/// The AWS partition a region belongs to (`aws`, `aws-cn`, `aws-us-gov`, ...).
pub(crate) fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("eu-isoe-") {
        "aws-iso-e"
    } else {
        "aws"
    }
}

/// The Identity Center instance and store in use, and clients for its region.
#[derive(Debug, Clone)]
struct Directory {
    store_id: String,
    instance_arn: Option<String>,
    region: String,
    clients: Clients,
}

#[derive(Debug, Clone)]
struct Clients {
    ids: identitystore::Client,
    sso: ssoadmin::Client,
}

/// The live AWS source.
pub struct AwsSource {
    profile: String,
    /// Where the signing keys come from.
    credentials: Credentials,
    /// The profile was named with `-p` or `.profile`.
    named_explicitly: bool,
    /// The profiles to suggest when none was named and `default` does not
    /// exist (empty otherwise).
    profiles_instead: Vec<String>,
    region: String,
    sso_region: Option<String>,
    endpoint: Option<String>,
    sdk: aws_config::SdkConfig,
    regional: Clients,
    organizations: organizations::Client,
    sts: sts::Client,
    /// Where each service's calls go when not to AWS's own endpoint, as the
    /// CLI resolves them (`--endpoint-url`, `AWS_ENDPOINT_URL`,
    /// `AWS_ENDPOINT_URL_<SERVICE>`, the profile's `endpoint_url` and
    /// `services` section): part of what names the disk cache.
    endpoints: Vec<(&'static str, String)>,
    /// The caller, once `GetCallerIdentity` has named it.
    caller: tokio::sync::OnceCell<Caller>,
    requests: Arc<AtomicU64>,
    pacers: Arc<Pacers>,
    permits: Arc<Semaphore>,
    /// Attempts per request that is throttled: `$IDCSH_MAX_ATTEMPTS` when
    /// set, else three times the default (a throttled request did nothing,
    /// and the pacer spaces its retries).
    throttled_attempts: u32,
    throttling: Throttling,
    concurrency: usize,
    chosen: Mutex<(Option<String>, Option<String>)>,
    directory: tokio::sync::Mutex<Option<Directory>>,
    notes: Mutex<Vec<String>>,
    /// Collections each fetch completed, kept for the session even when
    /// the fetch as a whole is cancelled.
    completed: Mutex<Vec<(String, Arc<crate::doc::Doc>)>>,
    /// Answers about one user or group (`.access`, `.groups-of`,
    /// `.members`, name lookups), kept until `.refresh` or a write.
    memo: memo::Memo,
    progress: std::sync::atomic::AtomicBool,
}

/// Where a source's signing keys come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Credentials {
    /// The profile's settings (keys, SSO, credential_process, a role).
    Profile,
    /// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, the profile named
    /// only by default or by AWS_PROFILE.
    Environment,
}

impl AwsSource {
    /// The profile in use.
    pub(crate) fn profile(&self) -> &str {
        &self.profile
    }

    /// The region in use.
    pub(crate) fn region(&self) -> &str {
        &self.region
    }

    /// The partition of the region in use.
    pub(crate) fn partition(&self) -> &'static str {
        partition_of(&self.region)
    }

    fn site(&self) -> CallSite {
        CallSite {
            profile: self.profile.clone(),
            endpoint: self
                .endpoint
                .clone()
                .unwrap_or_else(|| format!("AWS in {}", self.region)),
            environment_keys_ignored: self.credentials == Credentials::Profile
                && self.named_explicitly
                && env("AWS_ACCESS_KEY_ID").is_some(),
            profiles_instead: self.profiles_instead.clone(),
        }
    }

    /// The answer kept in `table` under `key`, or else `ask`'s, kept.
    async fn remembered<K, V, F>(
        &self,
        table: memo::Table<K, V>,
        key: K,
        ask: F,
    ) -> Result<V, AwsError>
    where
        K: std::hash::Hash + Eq,
        V: Clone,
        F: std::future::Future<Output = Result<V, AwsError>>,
    {
        if let Some(answer) = self.memo.get(table, &key) {
            return Ok(answer);
        }
        let answer = ask.await?;
        self.memo.put(table, key, answer.clone());
        Ok(answer)
    }

    /// Records a collection a fetch has completed (for the session to
    /// hold), and keeps it for name lookups (`list_within`).
    fn completed(&self, collection: Collection, value: &Arc<crate::doc::Doc>) {
        self.memo.put(|a| &mut a.listed, collection, value.clone());
        if let Ok(mut completed) = self.completed.lock() {
            completed.push((collection.name().to_owned(), value.clone()));
        }
    }

    /// Forgets the kept answers (after `.refresh` or a write).
    pub(crate) fn forget_answers(&self) {
        self.memo.clear();
    }

    fn note(&self, text: String) {
        if let Ok(mut notes) = self.notes.lock() {
            notes.push(text);
        }
    }
}

impl Source for AwsSource {
    fn label(&self) -> String {
        let store = self.store_and_instance().0.unwrap_or_else(|| "?".into());
        format!("{}@{} {store}", self.profile, self.region)
    }

    fn collections(&self) -> Vec<String> {
        Collection::ALL
            .iter()
            .map(|c| c.name().to_owned())
            .collect()
    }

    fn fetch<'a>(
        &'a self,
        names: &'a [String],
        held: &'a Held,
    ) -> BoxFuture<'a, Result<Fetched, SourceError>> {
        Box::pin(async move {
            fetch::Fetcher::new(self, held)
                .collections(names)
                .await
                .map_err(SourceError::Aws)
        })
    }

    fn requests_made(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    fn take_completed(&self) -> Fetched {
        self.completed
            .lock()
            .map(|mut c| std::mem::take(&mut *c))
            .unwrap_or_default()
    }

    fn take_notes(&self) -> Vec<String> {
        self.notes
            .lock()
            .map(|mut n| std::mem::take(&mut *n))
            .unwrap_or_default()
    }

    fn show_progress(&self, on: bool) {
        self.progress.store(on, Ordering::Relaxed);
    }

    fn is_live(&self) -> bool {
        true
    }

    fn cache_key(&self) -> Option<super::CacheKey> {
        Some(super::CacheKey {
            profile: self.profile.clone(),
            region: self.region.clone(),
            endpoints: self.endpoints.clone(),
            partition: self.partition(),
        })
    }

    fn caller_account(&self) -> BoxFuture<'_, Result<Option<String>, SourceError>> {
        Box::pin(async move {
            let caller = self.caller().await.map_err(SourceError::Aws)?;
            Ok(Some(caller.account))
        })
    }

    fn store_and_instance(&self) -> (Option<String>, Option<String>) {
        AwsSource::store_and_instance(self)
    }

    fn adopt_directory(&self, store: String, instance: Option<String>) {
        let (chosen_store, chosen_instance) = AwsSource::store_and_instance(self);
        if chosen_store.is_none() {
            self.set_store(store);
        }
        if let (None, Some(instance)) = (chosen_instance, instance) {
            self.set_instance(instance);
        }
    }

    fn forget_answers(&self) {
        AwsSource::forget_answers(self);
    }

    fn permission_set_contents<'a>(
        &'a self,
        sets: &'a crate::doc::Doc,
    ) -> BoxFuture<'a, Result<Option<Arc<crate::doc::Doc>>, SourceError>> {
        Box::pin(async move {
            let held = Held::new();
            let full = fetch::Fetcher::new(self, &held)
                .permission_set_contents(sets)
                .await
                .map_err(SourceError::Aws)?;
            Ok(Some(Arc::new(full)))
        })
    }
}
