//! The live source: IAM Identity Center through the AWS SDK.
//!
//! Credentials, profiles and regions resolve as the AWS CLI resolves them.
//! The instance and Identity Store are discovered with `ListInstances` on
//! first need. Every request passes one semaphore (`--concurrency`) and is
//! counted, so `.timing` can say how many calls a line made. Reads only ever
//! call List, Describe and Get operations.

mod error;
mod fetch;
mod pacer;
mod request;
mod targeted;
mod writes;

pub(crate) use writes::WriteOutcome;

use pacer::Pacer;

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::profile::ProfileSet;
use aws_sdk_identitystore as identitystore;
use aws_sdk_organizations as organizations;
use aws_sdk_ssoadmin as ssoadmin;
use aws_sdk_sts as sts;
use aws_smithy_runtime::client::retries::{RetryPartition, TokenBucket};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextRef, InterceptorContext,
};
use aws_smithy_runtime_api::client::retries::classifiers::{ClassifyRetry, RetryAction};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::retry::RetryConfig;
use aws_types::region::Region;
use serde_json::{Value as Json, json};
use tokio::sync::Semaphore;

pub use error::AwsError;
use error::CallSite;

use super::{BoxFuture, DIRECTORY_COLLECTIONS, Fetched, Held, Source, SourceError};

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

/// Request pacers, one per AWS quota: sso-admin shares one, each Identity
/// Store API has its own, Organizations has one; STS is not paced.
#[derive(Debug, Default)]
struct Pacers {
    by_quota: Mutex<HashMap<&'static str, Arc<Pacer>>>,
}

impl Pacers {
    /// The pacer for the quota `operation` counts against.
    fn of(&self, operation: &'static str) -> Option<Arc<Pacer>> {
        let quota = quota_of(operation)?;
        let mut pacers = self.by_quota.lock().ok()?;
        Some(pacers.entry(quota).or_default().clone())
    }
}

/// The quota an operation counts against, by its service.
fn quota_of(operation: &'static str) -> Option<&'static str> {
    match operation {
        "GetCallerIdentity" => None,
        "ListAccounts" => Some("organizations"),
        "ListUsers"
        | "ListGroups"
        | "ListGroupMemberships"
        | "ListGroupMembershipsForMember"
        | "DescribeUser"
        | "DescribeGroup"
        | "GetUserId"
        | "GetGroupId"
        | "GetGroupMembershipId"
        | "CreateGroupMembership"
        | "DeleteGroupMembership" => Some(operation),
        _ => Some("sso-admin"),
    }
}

/// Counts every HTTP request the SDK sends, retries included.
#[derive(Debug)]
struct Observe {
    requests: Arc<AtomicU64>,
}

impl Intercept for Observe {
    fn name(&self) -> &'static str {
        "Observe"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

impl Observe {
    fn new(requests: &Arc<AtomicU64>) -> Observe {
        Observe {
            requests: requests.clone(),
        }
    }
}

/// Leaves throttling answers to `AwsSource::call`, which retries them
/// through the pacer: the SDK's own backoff would send them outside it.
#[derive(Debug)]
struct ThrottlingToThePacer;

impl ClassifyRetry for ThrottlingToThePacer {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        let Some(response) = ctx.response().filter(|r| !r.status().is_success()) else {
            return RetryAction::NoActionIndicated;
        };
        let code = response
            .headers()
            .get("x-amzn-errortype")
            .map(str::to_owned)
            .or_else(|| {
                let body = response.body().bytes()?;
                let json: Json = serde_json::from_slice(body).ok()?;
                json["__type"].as_str().map(str::to_owned)
            });
        if pacer::is_throttling(response.status().as_u16(), code.as_deref()) {
            RetryAction::RetryForbidden
        } else {
            RetryAction::NoActionIndicated
        }
    }

    fn name(&self) -> &'static str {
        "ThrottlingToThePacer"
    }
}

/// The live AWS source.
pub struct AwsSource {
    profile: String,
    /// Where the signing keys come from.
    credentials: Credentials,
    /// The profile was named with `-p` or `.profile`.
    named_explicitly: bool,
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
    answers: Mutex<HashMap<String, Arc<dyn Any + Send + Sync>>>,
    progress: std::sync::atomic::AtomicBool,
}

/// Who handles throttling: idcsh's pacer (the default), or the AWS SDK's
/// own adaptive retry mode, chosen with `IDCSH_THROTTLING=sdk-adaptive` to
/// compare the two on the same quota (`scripts/bench-throttling.sh`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Throttling {
    Pacer,
    SdkAdaptive,
}

impl Throttling {
    fn from_env() -> Throttling {
        match env("IDCSH_THROTTLING").as_deref() {
            Some("sdk-adaptive") => Throttling::SdkAdaptive,
            _ => Throttling::Pacer,
        }
    }
}

/// Attempts per request unless `$IDCSH_MAX_ATTEMPTS` says otherwise.
pub(crate) const DEFAULT_MAX_ATTEMPTS: u32 = 10;

/// Attempts per request, faulted and throttled: `$IDCSH_MAX_ATTEMPTS` for
/// both, else 10 and 30. Under a quota with random throttles on top, ten
/// throttles in a row happen to some request of a long fan-out now and then.
fn max_attempts() -> (u32, u32) {
    match env("IDCSH_MAX_ATTEMPTS")
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|n| *n >= 1)
    {
        Some(n) => (n, n),
        None => (DEFAULT_MAX_ATTEMPTS, 3 * DEFAULT_MAX_ATTEMPTS),
    }
}

/// The SDK's retry policy for faults: standard mode (5xx and connection
/// faults retried with jittered exponential backoff from 100 ms, capped at
/// 5 s), and no retry budget to run dry during a long fan-out. Throttling is
/// not the SDK's to retry (`ThrottlingToThePacer`): `AwsSource::call` sends
/// it again when the pacer has room. A collection is complete or the line fails.
///
/// With [`Throttling::SdkAdaptive`], the SDK's adaptive mode as it comes
/// (its backoff, and a client-side rate limiter that learns from
/// throttling), with the same number of attempts.
fn retry_config(attempts: u32, throttling: Throttling) -> RetryConfig {
    match throttling {
        Throttling::Pacer => RetryConfig::standard()
            .with_max_attempts(attempts)
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_secs(5)),
        Throttling::SdkAdaptive => RetryConfig::adaptive().with_max_attempts(attempts),
    }
}

/// Connect and read timeouts as the AWS CLI's (`--cli-connect-timeout`,
/// `--cli-read-timeout`, 60 s each, zero for none). A call that gets no
/// answer is given up after a connect and three read timeouts, about what
/// the CLI's three attempts cost, however many attempts faults may take.
fn timeout_config(connect: Duration, read: Duration) -> aws_smithy_types::timeout::TimeoutConfig {
    let limit = |d: Duration| (!d.is_zero()).then_some(d);
    let mut config = aws_smithy_types::timeout::TimeoutConfig::builder();
    config.set_connect_timeout(limit(connect));
    config.set_read_timeout(limit(read));
    let (attempt, operation) = match (limit(connect), limit(read)) {
        (Some(c), Some(r)) => (Some(c + r), Some(c + 3 * r)),
        _ => (None, None),
    };
    config.set_operation_attempt_timeout(attempt);
    config.set_operation_timeout(operation);
    config.build()
}

/// The services idcsh calls: a short name, and the service ID the SDK's
/// per-service endpoint settings (`AWS_ENDPOINT_URL_<SERVICE>`) use.
pub(crate) const SERVICES: [(&str, &str); 4] = [
    ("identitystore", "identitystore"),
    ("sso-admin", "SSO Admin"),
    ("organizations", "Organizations"),
    ("sts", "STS"),
];

/// The endpoint each service's client was configured with, resolved as its
/// `config::Builder::from(&SdkConfig)` resolves it (per-service settings
/// first, then the global one); services at AWS's own endpoints are left out.
fn service_endpoints(sdk: &aws_config::SdkConfig) -> Vec<(&'static str, String)> {
    let global = sdk.endpoint_url().map(str::to_owned);
    let explicit = sdk.get_origin("endpoint_url").is_client_config();
    SERVICES
        .into_iter()
        .filter_map(|(name, service_id)| {
            let own = (!explicit)
                .then(|| {
                    let key = aws_types::service_config::ServiceConfigKey::builder()
                        .service_id(service_id)
                        .env("AWS_ENDPOINT_URL")
                        .profile("endpoint_url")
                        .build()
                        .ok()?;
                    sdk.service_config()?.load_config(key)
                })
                .flatten();
            own.or_else(|| global.clone()).map(|url| (name, url))
        })
        .collect()
}

fn partition(service: &'static str) -> RetryPartition {
    RetryPartition::custom(service)
        .token_bucket(TokenBucket::unlimited())
        .build()
}

/// Loads `~/.aws/config` and `~/.aws/credentials` (as the CLI would).
pub(crate) async fn profile_set() -> Option<ProfileSet> {
    let fs = aws_types::os_shim_internal::Fs::real();
    let env = aws_types::os_shim_internal::Env::real();
    let files = aws_runtime::env_config::file::EnvConfigFiles::default();
    aws_config::profile::load(&fs, &env, &files, None)
        .await
        .ok()
}

/// Profile names from the AWS config files, for completion.
pub(crate) async fn profile_names() -> Vec<String> {
    profile_set()
        .await
        .map(|set| set.profiles().map(str::to_owned).collect())
        .unwrap_or_default()
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// A profile named by the user (not the implicit `default`), which must exist.
fn options_named_profile(profile: &str) -> bool {
    profile != "default"
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
    /// Resolves profile, region and endpoint, and builds the clients.
    /// Nothing is sent to AWS yet.
    pub(crate) async fn connect(options: AwsOptions) -> Result<AwsSource, AwsError> {
        // As the AWS CLI: a profile named on the command line (or with
        // `.profile`) signs with that profile's credentials even when
        // AWS_ACCESS_KEY_ID is set; AWS_PROFILE and the default profile
        // come after the environment's keys.
        let explicit = options.profile.is_some();
        let profile = options
            .profile
            .or_else(|| env("AWS_PROFILE"))
            .unwrap_or_else(|| "default".to_owned());
        let profiles = profile_set().await;
        let section = profiles.as_ref().and_then(|p| p.get_profile(&profile));
        let named = options_named_profile(&profile);
        if named && section.is_none() {
            let known: Vec<String> = profiles
                .as_ref()
                .map(|p| p.profiles().map(str::to_owned).collect())
                .unwrap_or_default();
            let hint = crate::suggest::closest(&profile, known.iter().map(String::as_str))
                .map(|s| format!("; did you mean {s}?"))
                .unwrap_or_default();
            return Err(AwsError::Other {
                operation: "configuration",
                detail: format!(
                    "profile {profile} is not in ~/.aws/config or ~/.aws/credentials{hint}"
                ),
            });
        }
        let sso_region = section
            .and_then(|s| s.get("sso_region"))
            .or_else(|| {
                let session = section?.get("sso_session")?;
                profiles.as_ref()?.sso_session(session)?.get("sso_region")
            })
            .map(str::to_owned);
        let region = options
            .region
            .or_else(|| env("AWS_REGION"))
            .or_else(|| env("AWS_DEFAULT_REGION"))
            .or_else(|| section.and_then(|s| s.get("region")).map(str::to_owned))
            .or_else(|| sso_region.clone())
            .ok_or_else(|| AwsError::Other {
                operation: "configuration",
                detail: format!(
                    "no region for profile {profile}; pass --region or set region in ~/.aws/config"
                ),
            })?;
        // Only the flag is set on the loader: aws-config reads
        // AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> (and the
        // profile's endpoint settings) itself, as the AWS CLI does, and an
        // explicit setting here would override the per-service ones.
        let flag_endpoint = options.endpoint_url;
        let endpoint = flag_endpoint.clone().or_else(|| env("AWS_ENDPOINT_URL"));

        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let (attempts, throttled_attempts) = max_attempts();
        let throttling = Throttling::from_env();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .profile_name(&profile)
            .region(Region::new(region.clone()))
            .http_client(http.clone())
            .retry_config(retry_config(attempts, throttling))
            .timeout_config(timeout_config(
                options.connect_timeout,
                options.read_timeout,
            ));
        if let Some(url) = &flag_endpoint {
            loader = loader.endpoint_url(url);
        }
        let credentials = if explicit {
            let provider_config = aws_config::provider_config::ProviderConfig::default()
                .with_http_client(http.clone())
                .with_region(Some(Region::new(region.clone())))
                .with_behavior_version(Some(BehaviorVersion::latest()));
            loader = loader.credentials_provider(
                aws_config::profile::ProfileFileCredentialsProvider::builder()
                    .configure(&provider_config)
                    .profile_name(&profile)
                    .build(),
            );
            Credentials::Profile
        } else if env("AWS_ACCESS_KEY_ID").is_some() {
            Credentials::Environment
        } else {
            Credentials::Profile
        };
        let sdk = loader.load().await;
        let requests = Arc::new(AtomicU64::new(0));
        let pacers = Arc::new(Pacers::default());
        let regional = clients(&sdk, &requests, throttling, None);
        let mut organizations = organizations::config::Builder::from(&sdk)
            .interceptor(Observe::new(&requests))
            .retry_partition(partition("idcsh-organizations"));
        if throttling == Throttling::Pacer {
            organizations = organizations.retry_classifier(ThrottlingToThePacer);
        }
        let organizations = organizations::Client::from_conf(organizations.build());
        let sts = sts::Client::from_conf(
            sts::config::Builder::from(&sdk)
                .interceptor(Observe::new(&requests))
                .build(),
        );
        let concurrency = options.concurrency.max(1);
        let endpoints = service_endpoints(&sdk);
        Ok(AwsSource {
            profile,
            credentials,
            named_explicitly: explicit,
            region,
            sso_region,
            endpoint,
            sdk,
            regional,
            organizations,
            sts,
            endpoints,
            caller: tokio::sync::OnceCell::new(),
            requests,
            pacers,
            permits: Arc::new(Semaphore::new(concurrency)),
            throttled_attempts,
            throttling,
            concurrency,
            chosen: Mutex::new((options.identity_store_id, options.instance_arn)),
            directory: tokio::sync::Mutex::new(None),
            notes: Mutex::new(Vec::new()),
            answers: Mutex::new(HashMap::new()),
            completed: Mutex::new(Vec::new()),
            progress: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// The profile in use.
    pub(crate) fn profile(&self) -> &str {
        &self.profile
    }

    /// The region in use.
    pub(crate) fn region(&self) -> &str {
        &self.region
    }

    /// Each service's endpoint, where it is not AWS's own.
    pub(crate) fn endpoints(&self) -> &[(&'static str, String)] {
        &self.endpoints
    }

    /// The partition of the region in use.
    pub(crate) fn partition(&self) -> &'static str {
        partition_of(&self.region)
    }

    /// Who signs the calls (`GetCallerIdentity`, asked once per source).
    pub(crate) async fn caller(&self) -> Result<Caller, AwsError> {
        self.caller
            .get_or_try_init(|| async {
                let me = self
                    .request("GetCallerIdentity", || {
                        self.sts.get_caller_identity().send()
                    })
                    .await?;
                Ok(Caller {
                    account: me.account().unwrap_or_default().to_owned(),
                    arn: me.arn().unwrap_or_default().to_owned(),
                })
            })
            .await
            .cloned()
    }

    /// The Identity Store ID and instance ARN chosen or discovered so far.
    pub(crate) fn store_and_instance(&self) -> (Option<String>, Option<String>) {
        self.chosen.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// Sets the Identity Store ID (and forgets a discovered directory).
    pub(crate) fn set_store(&self, id: String) {
        if let Ok(mut chosen) = self.chosen.lock() {
            chosen.0 = Some(id);
        }
        if let Ok(mut directory) = self.directory.try_lock() {
            *directory = None;
        }
    }

    /// Sets the instance ARN (and forgets a discovered directory).
    pub(crate) fn set_instance(&self, arn: String) {
        if let Ok(mut chosen) = self.chosen.lock() {
            chosen.1 = Some(arn);
        }
        if let Ok(mut directory) = self.directory.try_lock() {
            *directory = None;
        }
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
        }
    }

    /// The answer remembered under `key`, or else `ask`'s, remembered.
    async fn remembered<T, F>(&self, key: String, ask: F) -> Result<T, AwsError>
    where
        T: Clone + Send + Sync + 'static,
        F: std::future::Future<Output = Result<T, AwsError>>,
    {
        if let Some(answer) = self.remembered_already::<T>(&key) {
            return Ok(answer);
        }
        let answer = ask.await?;
        self.remember(key, answer.clone());
        Ok(answer)
    }

    /// The answer remembered under `key`, if any.
    fn remembered_already<T: Clone + 'static>(&self, key: &str) -> Option<T> {
        let answers = self.answers.lock().ok()?;
        answers.get(key)?.downcast_ref::<T>().cloned()
    }

    fn remember<T: Send + Sync + 'static>(&self, key: String, answer: T) {
        if let Ok(mut answers) = self.answers.lock() {
            answers.insert(key, Arc::new(answer));
        }
    }

    /// Records a collection a fetch has completed (for the session to
    /// hold), and remembers it for name lookups (`list_within`).
    fn completed(&self, name: &str, value: &Arc<crate::doc::Doc>) {
        self.remember(format!("listed {name}"), value.clone());
        if let Ok(mut completed) = self.completed.lock() {
            completed.push((name.to_owned(), value.clone()));
        }
    }

    /// Forgets the remembered answers (after `.refresh` or a write).
    pub(crate) fn forget_answers(&self) {
        if let Ok(mut answers) = self.answers.lock() {
            answers.clear();
        }
    }

    fn note(&self, text: String) {
        if let Ok(mut notes) = self.notes.lock() {
            notes.push(text);
        }
    }

    /// STS `GetCallerIdentity`, with the profile, region, store and instance.
    pub(crate) async fn whoami(&self) -> Result<Json, AwsError> {
        let me = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| self.site().classify("GetCallerIdentity", e))?;
        let (store, instance) = match self.directory().await {
            Ok(d) => (Some(d.store_id), d.instance_arn),
            Err(_) => self.store_and_instance(),
        };
        Ok(json!({
            "Account": me.account(),
            "Arn": me.arn(),
            "UserId": me.user_id(),
            "Profile": self.profile,
            "Credentials": match self.credentials {
                Credentials::Profile => format!("profile {}", self.profile),
                Credentials::Environment => "environment variables (AWS_ACCESS_KEY_ID)".to_owned(),
            },
            "Region": self.region,
            "IdentityCenterRegion": self.directory.lock().await.as_ref().map(|d| d.region.clone()),
            "IdentityStoreId": store,
            "InstanceArn": instance,
        }))
    }

    /// The instance and store, discovered through `ListInstances` on first
    /// need unless both were given.
    async fn directory(&self) -> Result<Directory, AwsError> {
        let mut guard = self.directory.lock().await;
        if let Some(directory) = guard.as_ref() {
            return Ok(directory.clone());
        }
        let (store, instance) = self.store_and_instance();
        let directory = match (store, instance) {
            (Some(store_id), Some(instance_arn)) => Directory {
                store_id,
                instance_arn: Some(instance_arn),
                region: self.region.clone(),
                clients: self.regional.clone(),
            },
            (store, instance) => self.discover(store, instance).await?,
        };
        if let Ok(mut chosen) = self.chosen.lock() {
            *chosen = (
                Some(directory.store_id.clone()),
                directory.instance_arn.clone(),
            );
        }
        *guard = Some(directory.clone());
        Ok(directory)
    }

    async fn discover(
        &self,
        store: Option<String>,
        instance: Option<String>,
    ) -> Result<Directory, AwsError> {
        let found = match self.list_instances(&self.regional.sso).await {
            Ok(found) => found,
            Err(AwsError::AccessDenied { .. }) if store.is_some() => Vec::new(),
            Err(err) => return Err(err),
        };
        let mut region = self.region.clone();
        let mut clients = self.regional.clone();
        let mut found = found;
        if found.is_empty()
            && store.is_none()
            && let Some(sso_region) = self.sso_region.clone().filter(|r| *r != self.region)
        {
            let there = self::clients(
                &self.sdk,
                &self.requests,
                self.throttling,
                Some(&sso_region),
            );
            let listed = self.list_instances(&there.sso).await?;
            if !listed.is_empty() {
                self.note(format!(
                    "no Identity Center instance in {}; using the one in sso_region {sso_region} of profile {}",
                    self.region, self.profile
                ));
                found = listed;
                region = sso_region;
                clients = there;
            }
        }
        let pick = |item: &Json, key: &str| item[key].as_str().map(str::to_owned);
        let chosen: Vec<&Json> = found
            .iter()
            .filter(|i| {
                instance
                    .as_deref()
                    .is_none_or(|a| pick(i, "InstanceArn").as_deref() == Some(a))
                    && store
                        .as_deref()
                        .is_none_or(|s| pick(i, "IdentityStoreId").as_deref() == Some(s))
            })
            .collect();
        match (chosen.as_slice(), store) {
            ([one], _) => Ok(Directory {
                store_id: pick(one, "IdentityStoreId").unwrap_or_default(),
                instance_arn: pick(one, "InstanceArn"),
                region,
                clients,
            }),
            ([], Some(store_id)) => Ok(Directory {
                store_id,
                instance_arn: instance,
                region,
                clients,
            }),
            ([], None) if let Some(arn) = instance => Err(AwsError::UnknownInstance {
                arn,
                region,
                found: found
                    .iter()
                    .filter_map(|i| pick(i, "InstanceArn"))
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
            ([], None) => Err(AwsError::NoInstance {
                region: self.region.clone(),
                also: self
                    .sso_region
                    .as_ref()
                    .filter(|r| **r != self.region)
                    .map(|r| format!(" or in sso_region {r}"))
                    .unwrap_or_default(),
            }),
            (many, _) => Err(AwsError::SeveralInstances {
                count: many.len(),
                region,
                arns: many
                    .iter()
                    .filter_map(|i| pick(i, "InstanceArn"))
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }
}

/// An Identity Center instance ARN as AWS's API model defines it
/// (`arn:aws:sso:::instance/ssoins-` and 16 characters); for clap.
pub(crate) fn parse_instance_arn(text: &str) -> Result<String, String> {
    let rest = [
        "arn:aws:",
        "arn:aws-us-gov:",
        "arn:aws-cn:",
        "arn:aws-iso:",
        "arn:aws-iso-b:",
    ]
    .iter()
    .find_map(|partition| text.strip_prefix(partition));
    let id = rest
        .and_then(|r| r.strip_prefix("sso:::instance/"))
        .and_then(|r| r.strip_prefix("ssoins-").or_else(|| r.strip_prefix("ins-")));
    match id {
        Some(id)
            if id.len() == 16
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.') =>
        {
            Ok(text.to_owned())
        }
        _ => Err(format!(
            "{text} is not an Identity Center instance ARN (arn:aws:sso:::instance/ssoins-1234567890abcdef; aws sso-admin list-instances shows yours)"
        )),
    }
}

/// An Identity Store ID as AWS's API model defines it (`d-` and 10 hex
/// digits, or a UUID), letting any lowercase letter stand for a hex digit
/// after `d-` since moto's IDs use them; for clap.
pub(crate) fn parse_identity_store_id(text: &str) -> Result<String, String> {
    let hex = |s: &str, n: usize| s.len() == n && s.chars().all(|c| c.is_ascii_hexdigit());
    let uuid = {
        let parts: Vec<&str> = text.split('-').collect();
        parts.len() == 5 && parts.iter().zip([8, 4, 4, 4, 12]).all(|(p, n)| hex(p, n))
    };
    let store = |d: &str| {
        d.len() == 10
            && d.chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
    };
    if text.strip_prefix("d-").is_some_and(store) || uuid {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "{text} is not an Identity Store ID (d-1234567890; aws sso-admin list-instances shows yours)"
        ))
    }
}

fn clients(
    sdk: &aws_config::SdkConfig,
    requests: &Arc<AtomicU64>,
    throttling: Throttling,
    region: Option<&str>,
) -> Clients {
    let mut ids = identitystore::config::Builder::from(sdk)
        .interceptor(Observe::new(requests))
        .retry_partition(partition("idcsh-identitystore"));
    let mut sso = ssoadmin::config::Builder::from(sdk)
        .interceptor(Observe::new(requests))
        .retry_partition(partition("idcsh-ssoadmin"));
    if throttling == Throttling::Pacer {
        ids = ids.retry_classifier(ThrottlingToThePacer);
        sso = sso.retry_classifier(ThrottlingToThePacer);
    }
    if let Some(region) = region {
        ids = ids.region(Region::new(region.to_owned()));
        sso = sso.region(Region::new(region.to_owned()));
    }
    Clients {
        ids: identitystore::Client::from_conf(ids.build()),
        sso: ssoadmin::Client::from_conf(sso.build()),
    }
}

impl Source for AwsSource {
    fn label(&self) -> String {
        let store = self.store_and_instance().0.unwrap_or_else(|| "?".into());
        format!("{}@{} {store}", self.profile, self.region)
    }

    fn collections(&self) -> Vec<String> {
        DIRECTORY_COLLECTIONS
            .iter()
            .map(|s| s.to_string())
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

    fn as_aws(&self) -> Option<&AwsSource> {
        Some(self)
    }
}

#[cfg(test)]
mod id_tests {
    use super::*;

    #[test]
    fn instance_arns_and_store_ids_are_checked_before_any_call() {
        for good in [
            "arn:aws:sso:::instance/ssoins-1234567890abcdef",
            "arn:aws-us-gov:sso:::instance/ssoins-7223a1b2c3d4e5f6",
        ] {
            assert_eq!(parse_instance_arn(good).as_deref(), Ok(good));
        }
        for bad in [
            "ssoins-1234567890abcdef",
            "arn:aws:sso:::instance/ssoins-123",
            "arn:aws:iam::123456789012:role/x",
            "",
        ] {
            assert!(parse_instance_arn(bad).is_err(), "{bad}");
        }
        for good in [
            "d-1234567890",
            "d-4zbgtvkie5",
            "9067a1b2-c3d4-4e5f-8a9b-0c1d2e3f4a5b",
        ] {
            assert!(parse_identity_store_id(good).is_ok(), "{good}");
        }
        for bad in ["1234567890", "d-12345", "d-ABCDEFGHIJ", "d-1234567890 "] {
            assert!(parse_identity_store_id(bad).is_err(), "{bad}");
        }
    }
}
