//! The client: profile, region, credentials and endpoints resolved as the
//! AWS CLI resolves them; retry, timeout and throttling settings; the
//! interceptors that count requests and hand throttling to the pacer.

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
use serde_json::Value as Json;
use tokio::sync::Semaphore;

use super::pacer::Pacers;
use super::{AwsError, AwsOptions, AwsSource, Clients, Credentials, memo, pacer};

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
    pub(super) fn new(requests: &Arc<AtomicU64>) -> Observe {
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

/// Who handles throttling: idcsh's pacer (the default), or the AWS SDK's
/// own adaptive retry mode, chosen with `IDCSH_THROTTLING=sdk-adaptive` to
/// compare the two on the same quota (`scripts/bench-throttling.sh`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Throttling {
    Pacer,
    SdkAdaptive,
}

impl Throttling {
    pub(super) fn from_env() -> Throttling {
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

pub(super) fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// "name one with -p: a, b (idcsh -p a); or idcsh --demo for the sample
/// directory".
pub(crate) fn pick_one(profiles: &[String]) -> String {
    const SHOWN: usize = 6;
    let mut listed = profiles[..profiles.len().min(SHOWN)].join(", ");
    if profiles.len() > SHOWN {
        listed.push_str(&format!(" and {} more", profiles.len() - SHOWN));
    }
    format!(
        "name one with -p: {listed} (idcsh -p {}); or idcsh --demo for the sample directory",
        profiles[0]
    )
}

/// A profile named by the user (not the implicit `default`), which must exist.
fn options_named_profile(profile: &str) -> bool {
    profile != "default"
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
        // No profile named and no `default` one, while others exist (an
        // `aws configure sso` user's usual state): say which to pick.
        let instead: Vec<String> = if named || section.is_some() {
            Vec::new()
        } else {
            profiles
                .as_ref()
                .map(|p| p.profiles().map(str::to_owned).collect())
                .unwrap_or_default()
        };
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
                detail: if !named && section.is_none() && instead.is_empty() {
                    "no AWS profile is set up: run aws configure sso (or aws configure for keys), then idcsh -p NAME; or idcsh --demo for the sample directory".to_owned()
                } else if instead.is_empty() {
                    format!(
                        "no region for profile {profile}; pass --region or set region in ~/.aws/config (idcsh --demo needs neither)"
                    )
                } else {
                    format!("no profile default in ~/.aws/config; {}", pick_one(&instead))
                },
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
            profiles_instead: instead,
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
            memo: memo::Memo::default(),
            completed: Mutex::new(Vec::new()),
            progress: std::sync::atomic::AtomicBool::new(false),
        })
    }
}

pub(super) fn clients(
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
