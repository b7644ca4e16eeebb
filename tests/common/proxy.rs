//! A small HTTP proxy between idcsh and moto: it logs each AWS operation
//! and injects the faults AWS produces and moto never does (throttling,
//! 500s, slow answers, access denied, short and empty pages).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Which requests to fault: every Nth request (counted across all), so a
/// retry of a faulted request normally goes through.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    pub throttle_every: Option<u64>,
    pub server_error_every: Option<u64>,
    pub delay_every: Option<u64>,
    /// Delay every request of this operation (by `delay_ms`).
    pub delay_operation: Option<String>,
    /// How long a delayed answer waits (150 ms when zero).
    pub delay_ms: u64,
    /// Answer this operation with no items when signed for this region
    /// (an instance that lives in another region).
    pub empty_in_region: Option<(String, String)>,
    /// Answer this operation (e.g. "ListUsers") with AccessDeniedException.
    pub deny: Option<String>,
    /// Answer this operation with a 502 and a plain-text body, as a load
    /// balancer in front of a service would (no AWS error code).
    pub bare_server_error: Option<String>,
    /// Answer `ListAccountsForProvisionedPermissionSet` as AWS does, from
    /// this table of permission set ARN → account IDs, a page at a time.
    /// (moto answers every set with its own account ID alone.)
    pub provisioned_accounts: Option<std::collections::BTreeMap<String, Vec<String>>>,
    /// What `GetPermissionsBoundaryForPermissionSet` and
    /// `ListTagsForResource` answer (moto implements neither), by
    /// permission set ARN: the boundary and the tags. A set not named has
    /// no boundary (`ResourceNotFoundException`, as AWS answers) and no tags.
    pub boundaries_and_tags: std::collections::BTreeMap<String, SetExtras>,
    /// `ListAccountsForProvisionedPermissionSet` filtered to
    /// `LATEST_PERMISSION_SET_NOT_PROVISIONED` (moto ignores the filter):
    /// permission set ARN → the accounts whose copy is out of date; a set
    /// not named is up to date everywhere.
    pub not_provisioned: std::collections::BTreeMap<String, Vec<String>>,
    /// What `ListApplications` answers (moto implements none of the
    /// application operations): `Application` objects as AWS documents them.
    pub applications: Vec<serde_json::Value>,
    /// What `ListApplicationAssignments` answers, by application ARN.
    pub application_assignments: std::collections::BTreeMap<String, Vec<serde_json::Value>>,
    /// `DescribeInstance`'s `EncryptionConfigurationDetails` (moto has no
    /// `DescribeInstance`; the proxy answers the ARN asked, `ACTIVE`).
    pub instance_encryption: Option<serde_json::Value>,
    /// `DescribeInstanceAccessControlAttributeConfiguration`'s answer; `None`:
    /// ABAC never configured (`ResourceNotFoundException`, as AWS answers).
    pub access_control_attributes: Option<serde_json::Value>,
    /// Fields set on the users and groups that `ListUsers`, `DescribeUser`,
    /// `ListGroups` and `DescribeGroup` answer, by user or group ID: what
    /// moto cannot hold (`UserStatus`; `ExternalIds`, which only an
    /// identity provider's SCIM sync sets).
    pub patches: std::collections::BTreeMap<String, serde_json::Value>,
    /// Send this operation on to moto (so it takes effect), then answer
    /// 500 InternalServerException: the ambiguous failure of a write.
    pub server_error_after: Option<String>,
    /// Answer this operation with a conflict (as AWS does for a duplicate).
    pub conflict: Option<String>,
    /// Throttle the first request of this operation.
    pub throttle_first: Option<String>,
    /// Answer this operation with an empty JSON object (no items).
    pub empty: Option<String>,
    /// Accept at most this many requests a second per quota (AWS's model:
    /// sso-admin as a whole, each Identity Store API, Organizations as a
    /// whole), counted as `quota_model` says; answer the rest with
    /// throttling errors.
    pub rate_per_quota: Option<usize>,
    /// How `rate_per_quota` is counted.
    pub quota_model: QuotaModel,
    /// Throttle this share of requests (0.0 to 1.0) at random, with no
    /// rate pattern; `server_error_share` likewise answers 500s.
    pub throttle_share: f64,
    pub server_error_share: f64,
    /// Seed of the random faults (the same seed, the same coin flips).
    pub seed: u64,
    /// Close the connection without answering every Nth request.
    pub drop_every: Option<u64>,
    /// Answer every Nth request with moto's answer cut in half (headers
    /// promise the whole body), then close the connection.
    pub truncate_every: Option<u64>,
    /// Before every real ListAccounts page, answer an empty page that still
    /// has a NextToken (AWS may do this; moto never does).
    pub empty_account_pages: bool,
}

/// A permission set's boundary and tags, as AWS would answer them.
#[derive(Debug, Clone, Default)]
pub struct SetExtras {
    /// The `PermissionsBoundary` object; `None`: no boundary.
    pub boundary: Option<serde_json::Value>,
    /// `[{"Key": .., "Value": ..}]`
    pub tags: Vec<serde_json::Value>,
}

/// How a quota of `rate` requests a second is counted.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum QuotaModel {
    /// At most `rate` requests accepted in any one second.
    #[default]
    SlidingWindow,
    /// A bucket of `burst` tokens refilled at `rate` a second, each
    /// accepted request taking one (AWS's documented model).
    TokenBucket { burst: usize },
}

/// One request seen by the proxy.
#[derive(Debug, Clone)]
pub struct Call {
    pub operation: String,
    pub body: String,
    /// Answered with an injected fault instead of moto's answer.
    pub faulted: bool,
    /// Answered with a throttling error (one kind of fault).
    pub throttled: bool,
    /// When the proxy received it.
    pub at: std::time::Instant,
    /// The access key ID the request was signed with.
    pub access_key: String,
}

/// A running proxy.
pub struct Proxy {
    pub url: String,
    calls: Arc<Mutex<Vec<Call>>>,
    pub faulted: Arc<AtomicU64>,
}

impl Proxy {
    /// Starts a proxy in front of `upstream` on a free port.
    pub fn start(upstream: &str, faults: Faults) -> Proxy {
        let upstream = upstream.trim_start_matches("http://").to_owned();
        let calls = Arc::new(Mutex::new(Vec::new()));
        let faulted = Arc::new(AtomicU64::new(0));
        let (tx, rx) = std::sync::mpsc::channel();
        let (log, count) = (calls.clone(), faulted.clone());
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
                tx.send(listener.local_addr().expect("addr").port())
                    .expect("send port");
                let state = Arc::new(State {
                    upstream,
                    log,
                    faulted: count,
                    seen: AtomicU64::new(0),
                    windows: Mutex::new(Default::default()),
                    buckets: Mutex::new(Default::default()),
                    coin: Mutex::new(fastrand::Rng::with_seed(faults.seed)),
                    faults,
                });
                loop {
                    let Ok((client, _)) = listener.accept().await else {
                        continue;
                    };
                    let state = state.clone();
                    tokio::spawn(async move {
                        let _ = serve(client, state).await;
                    });
                }
            });
        });
        let port = rx.recv().expect("proxy port");
        Proxy {
            url: format!("http://127.0.0.1:{port}"),
            calls,
            faulted,
        }
    }

    /// The operations seen so far, in order.
    pub fn operations(&self) -> Vec<String> {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .map(|c| c.operation.clone())
            .collect()
    }

    /// The requests seen so far.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    /// Forgets the requests seen so far.
    pub fn clear(&self) {
        self.calls.lock().unwrap().clear();
    }
}

struct State {
    upstream: String,
    faults: Faults,
    log: Arc<Mutex<Vec<Call>>>,
    faulted: Arc<AtomicU64>,
    seen: AtomicU64,
    /// Accepted request times per service, for `rate_per_quota`.
    windows:
        Mutex<std::collections::HashMap<String, std::collections::VecDeque<std::time::Instant>>>,
    /// Tokens left and when they were last counted, per quota.
    buckets: Mutex<std::collections::HashMap<String, (f64, std::time::Instant)>>,
    /// The random faults' coin.
    coin: Mutex<fastrand::Rng>,
}

struct Request {
    head: String,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    /// `Credential=AKID/date/region/service/aws4_request` in the signature.
    fn access_key(&self) -> String {
        self.header("authorization")
            .and_then(|a| a.split("Credential=").nth(1))
            .and_then(|c| c.split('/').next())
            .unwrap_or_default()
            .to_owned()
    }

    fn operation(&self) -> String {
        if let Some(target) = self.header("x-amz-target") {
            return target.rsplit('.').next().unwrap_or(target).to_owned();
        }
        let body = String::from_utf8_lossy(&self.body);
        body.split('&')
            .find_map(|kv| kv.strip_prefix("Action="))
            .map_or_else(
                || self.head.lines().next().unwrap_or("").to_owned(),
                str::to_owned,
            )
    }
}

async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Request> {
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
            let length = head
                .lines()
                .find_map(|l| {
                    l.split_once(':')
                        .filter(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
                })
                .and_then(|(_, v)| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            while buffer.len() < end + 4 + length {
                let mut chunk = [0u8; 16384];
                let n = stream.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                buffer.extend_from_slice(&chunk[..n]);
            }
            let body = buffer[end + 4..end + 4 + length].to_vec();
            buffer.drain(..end + 4 + length);
            return Some(Request { head, body });
        }
        let mut chunk = [0u8; 16384];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
}

async fn serve(mut client: TcpStream, state: Arc<State>) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    while let Some(request) = read_request(&mut client, &mut buffer).await {
        let operation = request.operation();
        let (index, first_of_its_kind) = {
            let mut log = state.log.lock().unwrap();
            let first = !log.iter().any(|c| c.operation == operation);
            log.push(Call {
                operation: operation.clone(),
                body: String::from_utf8_lossy(&request.body).into_owned(),
                faulted: false,
                throttled: false,
                at: std::time::Instant::now(),
                access_key: request.access_key(),
            });
            (log.len() - 1, first)
        };
        let n = state.seen.fetch_add(1, Ordering::SeqCst) + 1;
        let every = |k: Option<u64>| k.is_some_and(|k| n.is_multiple_of(k));
        let faults = &state.faults;
        let (throttle_by_chance, error_by_chance) = {
            let mut coin = state.coin.lock().unwrap();
            let draw = coin.f64();
            (
                draw < faults.throttle_share,
                draw >= faults.throttle_share
                    && draw < faults.throttle_share + faults.server_error_share,
            )
        };
        let reply = if faults.deny.as_deref() == Some(operation.as_str()) {
            Some(error(
                400,
                "AccessDeniedException",
                "User is not authorized to perform this action",
            ))
        } else if faults.bare_server_error.as_deref() == Some(operation.as_str()) {
            Some(
                "HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/plain\r\ncontent-length: 12\r\n\r\nBad Gateway\n"
                    .as_bytes()
                    .to_vec(),
            )
        } else if operation == "ListAccountsForProvisionedPermissionSet"
            && String::from_utf8_lossy(&request.body)
                .contains("LATEST_PERMISSION_SET_NOT_PROVISIONED")
        {
            Some(provisioned_page(&request, &faults.not_provisioned))
        } else if let Some(table) = faults
            .provisioned_accounts
            .as_ref()
            .filter(|_| operation == "ListAccountsForProvisionedPermissionSet")
        {
            Some(provisioned_page(&request, table))
        } else if let Some(answer) = application_or_instance(&request, &operation, faults) {
            Some(answer)
        } else if operation == "GetPermissionsBoundaryForPermissionSet"
            || operation == "ListTagsForResource"
        {
            Some(boundary_or_tags(
                &request,
                &operation,
                &faults.boundaries_and_tags,
            ))
        } else if faults.conflict.as_deref() == Some(operation.as_str()) {
            Some(error(409, "ConflictException", "Membership already exists"))
        } else if faults.empty.as_deref() == Some(operation.as_str())
            || faults.empty_in_region.as_ref().is_some_and(|(op, region)| {
                *op == operation
                    && request
                        .header("authorization")
                        .is_some_and(|a| a.contains(&format!("/{region}/")))
            })
        {
            Some(response(200, &[], b"{}"))
        } else if faults
            .rate_per_quota
            .is_some_and(|limit| over_quota(&state, &request, limit))
            || every(faults.throttle_every)
            || throttle_by_chance
            || (first_of_its_kind && faults.throttle_first.as_deref() == Some(operation.as_str()))
        {
            state.faulted.fetch_add(1, Ordering::SeqCst);
            state.log.lock().unwrap()[index].throttled = true;
            let code = if operation == "ListAccounts" {
                "TooManyRequestsException"
            } else {
                "ThrottlingException"
            };
            Some(error(400, code, "Rate exceeded"))
        } else if every(faults.server_error_every) || error_by_chance {
            state.faulted.fetch_add(1, Ordering::SeqCst);
            Some(error(500, "InternalServerException", "Internal failure"))
        } else if faults.empty_account_pages && operation == "ListAccounts" {
            empty_page(&request)
        } else {
            None
        };
        if every(faults.delay_every)
            || faults.delay_operation.as_deref() == Some(operation.as_str())
        {
            state.faulted.fetch_add(1, Ordering::SeqCst);
            let ms = if faults.delay_ms == 0 {
                150
            } else {
                faults.delay_ms
            };
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        if reply.is_none() && every(faults.drop_every) {
            state.faulted.fetch_add(1, Ordering::SeqCst);
            state.log.lock().unwrap()[index].faulted = true;
            return Ok(());
        }
        if reply.is_none() && every(faults.truncate_every) {
            state.faulted.fetch_add(1, Ordering::SeqCst);
            state.log.lock().unwrap()[index].faulted = true;
            let whole = forward(&state.upstream, unwrap_empty_token(request)).await?;
            let body_at = whole
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .map_or(0, |at| at + 4);
            let cut = body_at + (whole.len() - body_at) / 2;
            client.write_all(&whole[..cut]).await?;
            return Ok(());
        }
        if reply.is_none() && faults.server_error_after.as_deref() == Some(operation.as_str()) {
            state.faulted.fetch_add(1, Ordering::SeqCst);
            state.log.lock().unwrap()[index].faulted = true;
            forward(&state.upstream, unwrap_empty_token(request)).await?;
            client
                .write_all(&error(500, "InternalServerException", "Internal failure"))
                .await?;
            continue;
        }
        if reply.is_some() {
            state.log.lock().unwrap()[index].faulted = true;
        }
        let response = match reply {
            Some(response) => response,
            None => {
                let answer = forward(&state.upstream, unwrap_empty_token(request)).await?;
                if !faults.patches.is_empty()
                    && ["ListUsers", "DescribeUser", "ListGroups", "DescribeGroup"]
                        .contains(&operation.as_str())
                {
                    patched(answer, &faults.patches)
                } else {
                    answer
                }
            }
        };
        client.write_all(&response).await?;
    }
    Ok(())
}

/// True when the request's quota has no room for it (see [`QuotaModel`]);
/// otherwise the request is counted as accepted.
fn over_quota(state: &State, request: &Request, limit: usize) -> bool {
    // AWS's quotas: sso-admin as a whole, each Identity Store API on its
    // own, Organizations as a whole.
    let target = request.header("x-amz-target").unwrap_or("query");
    let service = if target.starts_with("AWSIdentityStore.") {
        target.to_owned()
    } else {
        target.split('.').next().unwrap_or(target).to_owned()
    };
    let now = std::time::Instant::now();
    if let QuotaModel::TokenBucket { burst } = state.faults.quota_model {
        let mut buckets = state.buckets.lock().unwrap();
        let (tokens, counted_at) = buckets.entry(service).or_insert((burst as f64, now));
        *tokens = (*tokens + now.duration_since(*counted_at).as_secs_f64() * limit as f64)
            .min(burst as f64);
        *counted_at = now;
        if *tokens < 1.0 {
            return true;
        }
        *tokens -= 1.0;
        return false;
    }
    let mut windows = state.windows.lock().unwrap();
    let window = windows.entry(service).or_default();
    while window
        .front()
        .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
    {
        window.pop_front();
    }
    if window.len() >= limit {
        return true;
    }
    window.push_back(now);
    false
}

/// For a ListAccounts request without our marker: an empty page whose
/// NextToken carries the real token. With the marker: nothing (forward).
/// A page of the accounts a permission set is provisioned to; the token
/// is the offset of the next page.
fn provisioned_page(
    request: &Request,
    table: &std::collections::BTreeMap<String, Vec<String>>,
) -> Vec<u8> {
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap_or_default();
    let set = body["PermissionSetArn"].as_str().unwrap_or_default();
    let accounts = table.get(set).cloned().unwrap_or_default();
    let size = body["MaxResults"].as_u64().unwrap_or(100) as usize;
    let from: usize = body["NextToken"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let to = (from + size).min(accounts.len());
    let mut reply = serde_json::json!({"AccountIds": accounts.get(from..to).unwrap_or_default()});
    if to < accounts.len() {
        reply["NextToken"] = serde_json::Value::from(to.to_string());
    }
    response(200, &[], reply.to_string().as_bytes())
}

/// The application and instance operations moto lacks, answered from
/// `faults` as the AWS API reference documents them; `None` for others.
fn application_or_instance(request: &Request, operation: &str, faults: &Faults) -> Option<Vec<u8>> {
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap_or_default();
    match operation {
        "ListApplications" => Some(list_page(&body, "Applications", &faults.applications)),
        "ListApplicationAssignments" => {
            let arn = body["ApplicationArn"].as_str().unwrap_or_default();
            let items = faults
                .application_assignments
                .get(arn)
                .cloned()
                .unwrap_or_default();
            Some(list_page(&body, "ApplicationAssignments", &items))
        }
        "DescribeInstance" => {
            let mut reply =
                serde_json::json!({"InstanceArn": body["InstanceArn"], "Status": "ACTIVE"});
            if let Some(encryption) = &faults.instance_encryption {
                reply["EncryptionConfigurationDetails"] = encryption.clone();
            }
            Some(response(200, &[], reply.to_string().as_bytes()))
        }
        "DescribeInstanceAccessControlAttributeConfiguration" => {
            Some(match &faults.access_control_attributes {
                Some(reply) => response(200, &[], reply.to_string().as_bytes()),
                None => error(
                    400,
                    "ResourceNotFoundException",
                    "Instance access control attribute configuration not found",
                ),
            })
        }
        _ => None,
    }
}

/// One page of `items` under `key`, `MaxResults` long from `NextToken` (an
/// index here; AWS's tokens are opaque).
fn list_page(body: &serde_json::Value, key: &str, items: &[serde_json::Value]) -> Vec<u8> {
    let size = body["MaxResults"].as_u64().unwrap_or(100).max(1) as usize;
    let from: usize = body["NextToken"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let to = (from + size).min(items.len());
    let mut reply = serde_json::json!({key: items.get(from..to).unwrap_or_default()});
    if to < items.len() {
        reply["NextToken"] = serde_json::Value::from(to.to_string());
    }
    response(200, &[], reply.to_string().as_bytes())
}

/// `GetPermissionsBoundaryForPermissionSet` or `ListTagsForResource`, as
/// the AWS API reference documents them, from `table`.
fn boundary_or_tags(
    request: &Request,
    operation: &str,
    table: &std::collections::BTreeMap<String, SetExtras>,
) -> Vec<u8> {
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap_or_default();
    let arn = body["PermissionSetArn"]
        .as_str()
        .or(body["ResourceArn"].as_str())
        .unwrap_or_default();
    let extras = table.get(arn).cloned().unwrap_or_default();
    if operation == "ListTagsForResource" {
        let reply = serde_json::json!({"Tags": extras.tags});
        return response(200, &[], reply.to_string().as_bytes());
    }
    match extras.boundary {
        Some(boundary) => {
            let reply = serde_json::json!({"PermissionsBoundary": boundary});
            response(200, &[], reply.to_string().as_bytes())
        }
        None => error(
            400,
            "ResourceNotFoundException",
            "Could not find PermissionsBoundary",
        ),
    }
}

/// moto's answer with the fields of `patches` set on the users and
/// groups it names.
fn patched(
    answer: Vec<u8>,
    patches: &std::collections::BTreeMap<String, serde_json::Value>,
) -> Vec<u8> {
    let Some(at) = answer.windows(4).position(|w| w == b"\r\n\r\n") else {
        return answer;
    };
    let Ok(mut body) = serde_json::from_slice::<serde_json::Value>(&answer[at + 4..]) else {
        return answer;
    };
    let patch = |item: &mut serde_json::Value| {
        let id = item["UserId"]
            .as_str()
            .or(item["GroupId"].as_str())
            .unwrap_or_default();
        if let (Some(fields), Some(object)) = (
            patches.get(id).and_then(|p| p.as_object()),
            item.as_object_mut(),
        ) {
            for (key, value) in fields {
                object.insert(key.clone(), value.clone());
            }
        }
    };
    match body.get_mut("Users").and_then(|u| u.as_array_mut()) {
        Some(items) => items.iter_mut().for_each(patch),
        None => match body.get_mut("Groups").and_then(|g| g.as_array_mut()) {
            Some(items) => items.iter_mut().for_each(patch),
            None => patch(&mut body),
        },
    }
    let status_line = String::from_utf8_lossy(&answer[..at])
        .lines()
        .next()
        .unwrap_or("HTTP/1.1 200 OK")
        .to_owned();
    let code: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(200);
    response(code, &[], body.to_string().as_bytes())
}

fn empty_page(request: &Request) -> Option<Vec<u8>> {
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap_or_default();
    let token = body.get("NextToken").and_then(|t| t.as_str()).unwrap_or("");
    if token.starts_with("EMPTY:") {
        return None;
    }
    let reply = serde_json::json!({"Accounts": [], "NextToken": format!("EMPTY:{token}")});
    Some(response(200, &[], reply.to_string().as_bytes()))
}

fn unwrap_empty_token(request: Request) -> Request {
    let Ok(mut body) = serde_json::from_slice::<serde_json::Value>(&request.body) else {
        return request;
    };
    let Some(token) = body
        .get("NextToken")
        .and_then(|t| t.as_str())
        .and_then(|t| t.strip_prefix("EMPTY:"))
    else {
        return request;
    };
    if token.is_empty() {
        body.as_object_mut().map(|o| o.remove("NextToken"));
    } else {
        body["NextToken"] = serde_json::Value::from(token.to_owned());
    }
    let bytes = body.to_string().into_bytes();
    let head = request
        .head
        .lines()
        .map(|l| {
            if l.to_ascii_lowercase().starts_with("content-length:") {
                format!("content-length: {}", bytes.len())
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\r\n");
    Request { head, body: bytes }
}

fn error(status: u16, code: &str, message: &str) -> Vec<u8> {
    let body = serde_json::json!({"__type": code, "message": message}).to_string();
    response(status, &[("x-amzn-ErrorType", code)], body.as_bytes())
}

fn response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// Sends the request to moto on a fresh connection and returns its answer,
/// re-framed with a content-length so the client's connection stays usable.
async fn forward(upstream: &str, request: Request) -> std::io::Result<Vec<u8>> {
    let mut server = TcpStream::connect(upstream).await?;
    let head: Vec<String> = request
        .head
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .map(str::to_owned)
        .collect();
    let mut bytes = (head.join("\r\n") + "\r\nconnection: close\r\n\r\n").into_bytes();
    bytes.extend_from_slice(&request.body);
    server.write_all(&bytes).await?;
    let mut answer = Vec::new();
    server.read_to_end(&mut answer).await?;
    let Some(end) = answer.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Ok(answer);
    };
    let head = String::from_utf8_lossy(&answer[..end]).into_owned();
    let body = &answer[end + 4..];
    let mut lines = head.lines();
    let status = lines.next().unwrap_or("HTTP/1.1 200 OK");
    let mut out = format!("{status}\r\n");
    for line in lines {
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("content-length:")
            || lower.starts_with("connection:")
            || lower.starts_with("transfer-encoding:")
        {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    Ok(bytes)
}

/// The quota an operation counts against, as AWS counts them: each
/// Identity Store API on its own, Organizations as a whole, sso-admin as
/// a whole.
pub fn quota_of(operation: &str) -> &str {
    match operation {
        "ListUsers"
        | "ListGroups"
        | "ListGroupMemberships"
        | "ListGroupMembershipsForMember"
        | "DescribeUser"
        | "DescribeGroup"
        | "GetUserId"
        | "GetGroupId"
        | "GetGroupMembershipId" => operation,
        "ListAccounts" | "DescribeOrganization" => "organizations",
        _ => "sso-admin",
    }
}
