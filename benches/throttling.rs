//! Throttling: how close idcsh comes to the time AWS's quota allows, and
//! how much of its traffic AWS refuses, on the scale issue's directory
//! (2,000 users, 100 groups, 40 accounts × 10 permission sets).
//!
//! Each line runs in a fresh process behind the test proxy: without
//! faults (the baseline), under a 20 requests/s quota counted as a token
//! bucket (burst 20) and as a sliding one-second window, with random
//! faults (30% throttled, 5% answered 500, no rate pattern), and with the
//! token bucket and those faults together (issue 20's fault mix). Each
//! scenario runs with idcsh's pacer and with the AWS SDK's adaptive retry
//! mode (`IDCSH_THROTTLING=sdk-adaptive`) on the same proxy. Every answer
//! must equal the fault-free one.
//!
//! Run with `scripts/bench-throttling.sh`; `IDCSH_BENCH_RUNS` sets the
//! runs per cell (3), `IDCSH_BENCH_ONLY` a scenario (`bucket`, `window`,
//! `random`, `mixed`), `IDCSH_BENCH_LINE` a line (`AccountAssignments`,
//! `GroupMemberships`), `IDCSH_BENCH_MODE` a way of handling throttling
//! (`pacer`, `sdk-adaptive`), `IDCSH_BENCH_TIMEOUT` the seconds after which a run is
//! stopped and reported as not finished (90), `IDCSH_BENCH_TRACE=1`
//! prints each run's requests per second, `IDCSH_BASELINE_BIN` another
//! build whose pacer runs alternate with this one's (before/after).

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::process::Command;
use std::time::{Duration, Instant};

use common::fixture::{self, Aws};
use common::proxy::{Call, Faults, Proxy, QuotaModel, quota_of};

const REGION: &str = "us-east-1";
/// AWS's quota: 20 requests a second for sso-admin as a whole, for each
/// Identity Store API, for Organizations.
const RATE: usize = 20;
/// How long one run may take before it is stopped and counted as "did
/// not finish" (`IDCSH_BENCH_TIMEOUT` seconds, 90 by default).
fn run_timeout() -> Duration {
    Duration::from_secs(
        std::env::var("IDCSH_BENCH_TIMEOUT")
            .ok()
            .and_then(|t| t.parse().ok())
            .unwrap_or(90),
    )
}

const LINES: [(&str, &str); 2] = [
    (
        "AccountAssignments",
        "AccountAssignments[].[AccountName, PermissionSetName, PrincipalType, PrincipalName]",
    ),
    (
        "GroupMemberships",
        "GroupMemberships[].[GroupName, UserName]",
    ),
];

#[derive(Clone, Copy, PartialEq)]
enum Scenario {
    Clean,
    Bucket,
    Window,
    Random,
    /// The token bucket with the random faults on top (issue 20).
    Mixed,
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Scenario::Clean => "fault-free",
            Scenario::Bucket => "token bucket 20/s, burst 20",
            Scenario::Window => "sliding window 20/s",
            Scenario::Random => "random: 30% throttled, 5% 500s",
            Scenario::Mixed => "token bucket 20/s + 30% throttled + 5% 500s",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Scenario::Clean => "clean",
            Scenario::Bucket => "bucket",
            Scenario::Window => "window",
            Scenario::Random => "random",
            Scenario::Mixed => "mixed",
        }
    }

    fn faults(self, seed: u64) -> Faults {
        match self {
            Scenario::Clean => Faults::default(),
            Scenario::Bucket => Faults {
                rate_per_quota: Some(RATE),
                quota_model: QuotaModel::TokenBucket { burst: RATE },
                ..Faults::default()
            },
            Scenario::Window => Faults {
                rate_per_quota: Some(RATE),
                quota_model: QuotaModel::SlidingWindow,
                ..Faults::default()
            },
            Scenario::Random => Faults {
                throttle_share: 0.30,
                server_error_share: 0.05,
                seed,
                ..Faults::default()
            },
            Scenario::Mixed => Faults {
                rate_per_quota: Some(RATE),
                quota_model: QuotaModel::TokenBucket { burst: RATE },
                throttle_share: 0.30,
                server_error_share: 0.05,
                seed,
                ..Faults::default()
            },
        }
    }

    /// The least time the quota allows for `accepted` calls to one quota.
    fn quota_floor(self, accepted: usize) -> f64 {
        match self {
            // A window of RATE a second: the last batch starts after
            // ceil(n / RATE) - 1 seconds.
            Scenario::Window => (accepted.div_ceil(RATE).max(1) - 1) as f64,
            // A full bucket first, then RATE a second.
            Scenario::Bucket | Scenario::Mixed => {
                accepted.saturating_sub(RATE) as f64 / RATE as f64
            }
            Scenario::Clean | Scenario::Random => 0.0,
        }
    }
}

#[derive(Clone, Copy)]
enum Mode {
    Pacer,
    SdkAdaptive,
}

impl Mode {
    fn key(self) -> &'static str {
        match self {
            Mode::Pacer => "pacer",
            Mode::SdkAdaptive => "sdk-adaptive",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Mode::Pacer => "idcsh pacer",
            Mode::SdkAdaptive => "SDK adaptive",
        }
    }
}

/// One run's figures.
struct Run {
    seconds: f64,
    requests: usize,
    throttled: usize,
    /// Throttled share of the requests sent after the first second.
    throttled_after_first_second: f64,
    /// Accepted calls of the busiest quota.
    busiest: (String, usize),
}

fn main() {
    if std::env::var_os("IDCSH_BENCH").is_none() {
        eprintln!("skipped: run scripts/bench-throttling.sh");
        return;
    }
    let runs: usize = std::env::var("IDCSH_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let only = std::env::var("IDCSH_BENCH_ONLY").ok();
    let idcsh = std::env::var("IDCSH_BIN").unwrap_or_else(|_| "target/release/idcsh".into());
    // `IDCSH_BASELINE_BIN`: another build whose pacer runs alternate with
    // this one's, for before/after figures from the same run.
    let baseline = std::env::var("IDCSH_BASELINE_BIN").ok();
    let endpoint = common::moto::endpoint().to_owned();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let started = Instant::now();
    let scale = runtime.block_on(async {
        let aws = Aws::connect(&endpoint, REGION).await;
        fixture::build_scale(&aws).await
    });
    println!(
        "directory: {} users, {} groups, {} memberships, {} accounts × {} permission sets, {} assignments (built in {:.0} s)",
        scale.users.len(),
        scale.groups.len(),
        scale.memberships.len(),
        scale.accounts.len(),
        scale.permission_sets.len(),
        scale.assignments.len(),
        started.elapsed().as_secs_f64()
    );
    println!("runs per cell: {runs}; figures are medians\n");
    println!(
        "| line | scenario | handled by | time | × fault-free | floor | × floor | requests | throttled | throttled after 1st s |"
    );
    println!("|---|---|---|---:|---:|---:|---:|---:|---:|---:|");
    let scenarios = [
        Scenario::Bucket,
        Scenario::Window,
        Scenario::Random,
        Scenario::Mixed,
    ]
    .into_iter()
    .filter(|s| only.as_deref().is_none_or(|o| o == s.key()));
    let scenarios: Vec<Scenario> = scenarios.collect();
    // `IDCSH_BENCH_LINE` runs one line (`AccountAssignments` or
    // `GroupMemberships`).
    let line_wanted = std::env::var("IDCSH_BENCH_LINE").ok();
    // `IDCSH_BENCH_MODE` one way of handling throttling (`pacer`,
    // `sdk-adaptive`).
    let mode_wanted = std::env::var("IDCSH_BENCH_MODE").ok();
    let lines = LINES
        .into_iter()
        .filter(|(label, _)| line_wanted.as_deref().is_none_or(|l| l == *label));
    for (label, line) in lines {
        let (clean_runs, want, _) = repeat(runs, || {
            measure(&idcsh, &endpoint, line, Scenario::Clean, Mode::Pacer, 0)
        });
        assert!(
            !clean_runs.is_empty(),
            "{label} did not finish without faults"
        );
        let clean = median(clean_runs.iter().map(|r| r.seconds));
        row(
            label,
            Scenario::Clean,
            Mode::Pacer.name(),
            &clean_runs,
            0,
            clean,
            clean,
        );
        for &scenario in &scenarios {
            let modes = [Mode::Pacer, Mode::SdkAdaptive]
                .into_iter()
                .filter(|m| mode_wanted.as_deref().is_none_or(|w| w == m.key()));
            for mode in modes {
                // This build, and the baseline build when one is named,
                // their runs alternated.
                let mut builds: Vec<(String, &str)> = vec![(mode.name().to_owned(), &idcsh)];
                if let (Some(baseline), Mode::Pacer) = (&baseline, mode) {
                    builds.push((format!("{} (baseline build)", mode.name()), baseline));
                }
                let mut cells: Vec<(Vec<Run>, Vec<String>, usize)> =
                    builds.iter().map(|_| (Vec::new(), Vec::new(), 0)).collect();
                for _ in 0..runs {
                    for ((_, bin), cell) in builds.iter().zip(cells.iter_mut()) {
                        let seed = fastrand::u64(..);
                        match measure(bin, &endpoint, line, scenario, mode, seed) {
                            Some((run, output)) => {
                                cell.0.push(run);
                                cell.1.push(output);
                            }
                            None => cell.2 += 1,
                        }
                    }
                }
                for ((handled_by, _), (results, outputs, unfinished)) in builds.iter().zip(cells) {
                    for output in &outputs {
                        assert_eq!(
                            output,
                            &want[0],
                            "{label} under {} ({handled_by}) differs from the fault-free answer",
                            scenario.name(),
                        );
                    }
                    if results.is_empty() {
                        println!(
                            "| `{label}` | {} | {handled_by} | failed or did not finish in {} s ({runs} of {runs} runs) | > {:.0} | | | | | |",
                            scenario.name(),
                            run_timeout().as_secs(),
                            run_timeout().as_secs_f64() / clean
                        );
                        continue;
                    }
                    let floor = median(
                        results
                            .iter()
                            .map(|r| clean.max(scenario.quota_floor(r.busiest.1))),
                    );
                    row(
                        label, scenario, handled_by, &results, unfinished, clean, floor,
                    );
                }
            }
        }
    }
}

/// `runs` runs of `one`: the finished runs' figures and answers, and how
/// many did not finish in time.
fn repeat<T>(
    runs: usize,
    mut one: impl FnMut() -> Option<(T, String)>,
) -> (Vec<T>, Vec<String>, usize) {
    let finished: Vec<(T, String)> = (0..runs).filter_map(|_| one()).collect();
    let unfinished = runs - finished.len();
    let (figures, answers) = finished.into_iter().unzip();
    (figures, answers, unfinished)
}

/// One table row: medians of the finished runs.
fn row(
    label: &str,
    scenario: Scenario,
    handled_by: &str,
    runs: &[Run],
    unfinished: usize,
    clean: f64,
    floor: f64,
) {
    let time = median(runs.iter().map(|r| r.seconds));
    let requests = median(runs.iter().map(|r| r.requests as f64));
    let throttled = median(runs.iter().map(|r| r.throttled as f64));
    let after = median(runs.iter().map(|r| r.throttled_after_first_second));
    let mut times: Vec<String> = runs.iter().map(|r| format!("{:.1}", r.seconds)).collect();
    times.extend((0..unfinished).map(|_| format!("failed or > {}", run_timeout().as_secs())));
    let busiest = &runs[0].busiest;
    println!(
        "| `{label}` | {} | {handled_by} | {time:.2} s ({}) | {:.2} | {floor:.2} s ({} {}) | {:.2} | {requests:.0} | {throttled:.0} | {:.1}% |",
        scenario.name(),
        times.join(", "),
        time / clean,
        busiest.0,
        busiest.1,
        time / floor,
        after * 100.0
    );
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Runs `line` in a fresh idcsh behind a proxy with `scenario`'s faults.
fn measure(
    idcsh: &str,
    endpoint: &str,
    line: &str,
    scenario: Scenario,
    mode: Mode,
    seed: u64,
) -> Option<(Run, String)> {
    let proxy = Proxy::start(endpoint, scenario.faults(seed));
    let mut command = Command::new("timeout");
    command
        .arg(run_timeout().as_secs().to_string())
        .arg(idcsh)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", REGION)
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args(["--no-cache", "--endpoint-url", &proxy.url, "-o", "json"])
        .args(["-c", line]);
    if let Mode::SdkAdaptive = mode {
        command.env("IDCSH_THROTTLING", "sdk-adaptive");
    }
    let started = Instant::now();
    let output = command.output().expect("idcsh runs");
    let seconds = started.elapsed().as_secs_f64();
    // timeout(1) exits 124 when it stopped the run.
    if output.status.code() == Some(124) {
        return None;
    }
    // A run that fails (a build whose retries run out, say) is reported,
    // one line, and counted with those that did not finish.
    if !output.status.success() {
        eprintln!(
            "{line} under {} ({}) failed: {}",
            scenario.name(),
            mode.name(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
        return None;
    }
    let calls = proxy.calls();
    if std::env::var_os("IDCSH_BENCH_TRACE").is_some() {
        trace(&calls);
    }
    let run = Run {
        seconds,
        requests: calls.len(),
        throttled: calls.iter().filter(|c| throttled(c)).count(),
        throttled_after_first_second: throttled_after_first_second(&calls),
        busiest: busiest_quota(&calls),
    };
    Some((run, String::from_utf8_lossy(&output.stdout).into_owned()))
}

/// Per second of the run, each quota's accepted and throttled requests
/// (`IDCSH_BENCH_TRACE=1`), to see how a quota was spent.
fn trace(calls: &[Call]) {
    let Some(first) = calls.iter().map(|c| c.at).min() else {
        return;
    };
    let mut seconds: BTreeMap<(u64, &str), (usize, usize)> = BTreeMap::new();
    for call in calls {
        let second = call.at.duration_since(first).as_secs();
        let cell = seconds
            .entry((second, quota_of(&call.operation)))
            .or_default();
        if call.throttled {
            cell.1 += 1;
        } else {
            cell.0 += 1;
        }
    }
    for ((second, quota), (accepted, throttled)) in seconds {
        eprintln!("{second:>4} s {quota:<24} accepted {accepted:>3} throttled {throttled:>3}");
    }
}

fn throttled(call: &Call) -> bool {
    call.throttled
}

fn throttled_after_first_second(calls: &[Call]) -> f64 {
    let Some(first) = calls.iter().map(|c| c.at).min() else {
        return 0.0;
    };
    let later: Vec<&Call> = calls
        .iter()
        .filter(|c| c.at.duration_since(first) >= Duration::from_secs(1))
        .collect();
    if later.is_empty() {
        return 0.0;
    }
    later.iter().filter(|c| throttled(c)).count() as f64 / later.len() as f64
}

/// The quota with the most accepted calls, and how many.
fn busiest_quota(calls: &[Call]) -> (String, usize) {
    let mut per_quota: BTreeMap<&str, usize> = BTreeMap::new();
    for call in calls.iter().filter(|c| !c.faulted) {
        *per_quota.entry(quota_of(&call.operation)).or_default() += 1;
    }
    per_quota
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(q, n)| (q.to_owned(), n))
        .unwrap_or_default()
}
