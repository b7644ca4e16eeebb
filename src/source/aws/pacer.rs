//! Spending a throttled quota well: a learned request window per quota.
//!
//! AWS counts requests per second against a quota (20 a second for
//! sso-admin as a whole, 20 per Identity Store API), as a token bucket
//! (a burst, then a steady rate) or as a window. The pacer starts at that
//! documented default: a request is sent only while fewer than the limit
//! were sent or answered in the last second, so the first burst of a
//! fan-out is not refused wholesale. From three seconds after the first
//! request (a short fetch never probes), a full second at the limit
//! without a throttle probes higher: by 2, 4, 8, ... (each held two
//! seconds before the next) until AWS first
//! throttles (a raised quota, or none, is found in a few seconds), by one
//! after that.
//!
//! Under a limit, the quota should refuse nothing. A throttle within ten
//! seconds of a probe is the probe in force when the throttled request was
//! sent: back to the limit that held before it, the probe's accepted
//! requests prove nothing, and nothing is sent until what the probe took
//! above that limit is repaid (at most a second), so that a token bucket
//! it spent to nothing is not then held at exactly its rate, where
//! whatever a busy machine or network bunches together is refused. A
//! throttle of a request sent under a lower limit than the one now held
//! condemns the higher one too. Another throttle
//! lowers the limit by one, or to what AWS accepted in the last second
//! when that filled most of the window (a token bucket's burst, spent,
//! leaves its steady rate); two within a second lower it to what AWS
//! accepted. Requests
//! accepted within one second of being sent prove that AWS accepts that
//! many a second and raise the limit. No probe follows a throttle for five
//! seconds, and each probe throttled in a row doubles that pause, up to a
//! minute: at a quota that has not moved, a probe costs one request in
//! five seconds at first and one a minute after a few.
//!
//! Throttles that go on after the limit has fallen below half of the
//! highest one it held are not a rate (random faults, or a fault mix on top
//! of the quota): the pacer goes back to the default quota and takes no
//! throttle as a lesson for ten seconds. It never goes back to unpaced:
//! hammering a quota with retries is what exhausts them.
//!
//! An accepted request counts from the moment its answer arrived, which is
//! never before AWS counted it, so the window here closes no earlier than
//! AWS's does. A throttled request keeps its place in the window until the
//! window moves on, so that its retry waits for room rather than hammering.
//!
//! The tests drive the pacer in simulated time against both kinds of quota,
//! against random throttles, and against a quota with random faults on
//! top, with the targets of issues 13 and 20.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::AwsError;

/// The quota's period.
const WINDOW: Duration = Duration::from_secs(1);
/// Requests a second AWS documents as each quota's default (sso-admin as
/// a whole, each Identity Store API): where every pacer starts.
pub(crate) const DEFAULT_QUOTA: usize = 20;
/// The first probe above the start: two requests more a second, so that a
/// quota at its default refuses two requests, once.
const FIRST_STEP: usize = 2;
/// How long after the first request the first probe may be made: a
/// fetch shorter than this (sixty requests at the default) never
/// probes, so a quota at its default refuses it nothing.
const FIRST_PROBE_AFTER: Duration = Duration::from_secs(3);
/// After a probe was throttled, how long until the next; each probe that
/// fails in a row doubles it, up to `LONGEST_PROBE_PAUSE`.
const FAILED_PROBE_PAUSE: Duration = Duration::from_secs(5);
/// The longest pause between probes, however many failed.
const LONGEST_PROBE_PAUSE: Duration = Duration::from_secs(60);
/// How long after a probe a throttle is blamed on it: a token bucket lets
/// a rate a little above its own run until the burst left in it is spent,
/// which at two requests a second too many takes seconds.
const PROBE_BLAMED_FOR: Duration = Duration::from_secs(10);
/// Answers a second must hold for throttles in it to teach a limit: 30%
/// random throttles make half of 40 answers about one second in three
/// hundred, half of a few answers often. A quota exceeded by a burst at
/// `--concurrency` gives forty answers within a fraction of a second.
const PATTERN_ANSWERS: usize = 40;
/// After a limit is given up, how long before another is learned.
const GIVEN_UP_FOR: Duration = Duration::from_secs(10);
/// How long to wait when every counted request is still in flight.
const IN_FLIGHT_POLL: Duration = Duration::from_millis(5);

/// Before the pacer has learned a limit, the wait before sending a
/// throttled request again: 10 ms doubling per attempt up to the quota's
/// one-second window, times `jitter` (0 to 1). Short, because a throttle
/// then is as likely a fault as a quota, and a quota shows itself as a
/// pattern within a second anyway.
pub(crate) fn backoff_before_a_limit(attempt: u32, jitter: f64) -> Duration {
    Duration::from_millis(10)
        .saturating_mul(1 << attempt.saturating_sub(1).min(7))
        .min(WINDOW)
        .mul_f64(jitter)
}

/// The request window for one quota.
#[derive(Debug)]
pub(crate) struct Pacer {
    state: Mutex<State>,
}

impl Default for Pacer {
    fn default() -> Pacer {
        Pacer::starting_at(Some(DEFAULT_QUOTA))
    }
}

#[derive(Debug, Default)]
struct State {
    /// Requests a window may hold; `None`: unpaced.
    limit: Option<usize>,
    /// When the first request was sent: the first probe waits
    /// `FIRST_PROBE_AFTER`.
    first_sent: Option<Instant>,
    /// The limit it started with, and goes back to after faults.
    started_at: Option<usize>,
    /// Whether AWS has throttled under a limit yet: until it has, probes
    /// grow the limit by a step that doubles.
    throttled_ever: bool,
    /// The next probe's step while AWS has not throttled.
    next_step: usize,
    /// When the limit last changed; answers to requests sent before then
    /// say nothing about it.
    changed_at: Option<Instant>,
    /// When a request sent under the current limit was last throttled.
    throttled_at: Option<Instant>,
    /// When the limit was last probed one higher, until the probe holds.
    probed_at: Option<Instant>,
    /// The probes made within `PROBE_BLAMED_FOR`, oldest first: when, and
    /// the limit each started from. A throttle is blamed on the last.
    recent_probes: Vec<Probe>,
    /// Requests accepted so far, under any limit.
    accepted: u64,
    /// Nothing is sent before then: a failed probe's debt to a token
    /// bucket is being repaid.
    resume_at: Option<Instant>,
    /// Probes throttled in a row.
    failed_probes: u32,
    /// Requests sent before then prove no limit (a failed probe's).
    no_proof_before: Option<Instant>,
    /// No probe before then (a failed probe waits a few windows).
    next_probe: Option<Instant>,
    /// Answers to requests sent under the current limit, within the last
    /// window: when, and whether throttled.
    answers: Vec<(Instant, bool)>,
    /// Requests in flight, and those answered within the last window.
    entries: Vec<Entry>,
    next_ticket: u64,
    throttles: u64,
    /// The highest limit held since AWS first throttled under one (or the
    /// first learned, for a pacer that started unpaced).
    first_limit: Option<usize>,
    /// No limit is learned before then (after one was given up).
    deaf_until: Option<Instant>,
}

/// A probe above a limit that held.
#[derive(Debug, Clone, Copy)]
struct Probe {
    at: Instant,
    /// The limit it started from.
    from: usize,
    /// `State::accepted` when it started.
    accepted_before: u64,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    ticket: u64,
    sent: Instant,
    /// When the answer came (accepted, failed, or throttled under a limit).
    accepted_at: Option<Instant>,
    throttled: bool,
}

impl Entry {
    /// The moment this request counts from.
    fn counts_from(&self) -> Instant {
        self.accepted_at.unwrap_or(self.sent)
    }
}

/// A request the pacer let through; hand it back with the answer.
#[derive(Debug)]
pub(crate) struct Ticket {
    id: u64,
    sent: Instant,
    /// The limit it was sent under.
    under: Option<usize>,
}

/// What AWS made of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Accepted,
    Throttled,
    /// Failed otherwise (a fault, a refusal): it may have counted.
    Failed,
}

impl Pacer {
    /// A pacer that starts with `limit` requests a second (`None`: unpaced
    /// until AWS throttles, for tests of learning).
    pub(crate) fn starting_at(limit: Option<usize>) -> Pacer {
        Pacer {
            state: Mutex::new(State {
                limit,
                started_at: limit,
                ..State::default()
            }),
        }
    }

    /// Lets a request through now, or says how long to wait before asking again.
    pub(crate) fn try_send(&self, now: Instant) -> Result<Ticket, Duration> {
        let Ok(mut state) = self.state.lock() else {
            return Ok(Ticket {
                id: 0,
                sent: now,
                under: None,
            });
        };
        state.entries.retain(|e| {
            e.accepted_at
                .is_none_or(|at| now.duration_since(at) < WINDOW)
        });
        if let Some(wait) = state
            .resume_at
            .and_then(|at| at.checked_duration_since(now))
            .filter(|wait| !wait.is_zero())
        {
            return Err(wait);
        }
        if let Some(limit) = state.limit
            && state.entries.len() >= limit
        {
            let mut times: Vec<Instant> = state.entries.iter().map(Entry::counts_from).collect();
            times.sort_unstable();
            let frees_at = times[state.entries.len() - limit] + WINDOW;
            return Err(frees_at
                .checked_duration_since(now)
                .filter(|wait| !wait.is_zero())
                .unwrap_or(IN_FLIGHT_POLL));
        }
        state.first_sent.get_or_insert(now);
        state.next_ticket += 1;
        let ticket = state.next_ticket;
        state.entries.push(Entry {
            ticket,
            sent: now,
            accepted_at: None,
            throttled: false,
        });
        Ok(Ticket {
            id: ticket,
            sent: now,
            under: state.limit,
        })
    }

    /// Waits until a request may be sent.
    pub(crate) async fn send(&self) -> Ticket {
        loop {
            match self.try_send(Instant::now()) {
                Ok(ticket) => return ticket,
                Err(wait) => tokio::time::sleep(wait).await,
            }
        }
    }

    /// Records AWS's answer to a request the pacer let through.
    pub(crate) fn answered(&self, ticket: Ticket, verdict: Verdict, now: Instant) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        let position = state.entries.iter().position(|e| e.ticket == ticket.id);
        match verdict {
            Verdict::Accepted | Verdict::Failed => {
                if verdict == Verdict::Accepted {
                    state.accepted += 1;
                }
                match position {
                    Some(i) => state.entries[i].accepted_at = Some(now),
                    None => state.entries.push(Entry {
                        ticket: ticket.id,
                        sent: ticket.sent,
                        accepted_at: Some(now),
                        throttled: false,
                    }),
                }
                if verdict == Verdict::Accepted {
                    state.learn_from_acceptance(&ticket, now);
                }
            }
            Verdict::Throttled => {
                // Before a limit, a throttled request is forgotten: it did
                // not count. Under one, it keeps its place until the window
                // moves on, so that its retry waits for room instead of
                // taking its own place again at once.
                match position {
                    Some(i) if state.limit.is_none() => {
                        state.entries.swap_remove(i);
                    }
                    Some(i) => {
                        state.entries[i].accepted_at = Some(now);
                        state.entries[i].throttled = true;
                    }
                    None => {}
                }
                state.learn_from_throttle(&ticket, now);
            }
        }
    }

    /// True once the pacer has learned a limit.
    pub(crate) fn is_limiting(&self) -> bool {
        self.state.lock().is_ok_and(|state| state.limit.is_some())
    }

    /// The learned limit, if AWS has throttled.
    #[cfg(test)]
    pub(crate) fn limit(&self) -> Option<usize> {
        self.state.lock().ok().and_then(|state| state.limit)
    }
}

impl State {
    /// Requests accepted within the last window; with `sent_within`, only
    /// those also sent within it (so AWS counted them all in one window)
    /// and after `no_proof_before`.
    fn accepted_within_window(&self, now: Instant, sent_within: bool) -> usize {
        self.entries
            .iter()
            .filter(|e| !e.throttled)
            .filter(|e| !sent_within || self.no_proof_before.is_none_or(|at| e.sent > at))
            .filter(|e| {
                e.accepted_at
                    .is_some_and(|at| now.duration_since(at) < WINDOW)
            })
            .filter(|e| !sent_within || now.duration_since(e.sent) < WINDOW)
            .count()
    }

    /// Forgets the probes older than `PROBE_BLAMED_FOR` (no throttle can
    /// be blamed on them now); true if there were any.
    fn forget_old_probes(&mut self, now: Instant) -> bool {
        let before = self.recent_probes.len();
        self.recent_probes
            .retain(|probe| now.duration_since(probe.at) < PROBE_BLAMED_FOR);
        self.recent_probes.len() < before
    }

    fn quiet_for_a_window(since: Option<Instant>, now: Instant) -> bool {
        since.is_none_or(|at| now.duration_since(at) >= WINDOW)
    }

    /// Notes an answer to a request sent under the current limit; false
    /// for one sent before the limit last changed, unless it was sent
    /// under a lower limit and throttled (what a lower limit could not
    /// send, a higher one cannot either).
    fn note(&mut self, sent: Instant, under: Option<usize>, throttled: bool, now: Instant) -> bool {
        let raised_since =
            throttled && under.is_some_and(|under| self.limit.is_some_and(|limit| under < limit));
        let stale = under != self.limit || self.changed_at.is_some_and(|at| sent < at);
        if stale && !raised_since {
            return false;
        }
        self.answers
            .retain(|(at, _)| now.duration_since(*at) < WINDOW);
        self.answers.push((now, throttled));
        true
    }

    /// Raises the limit on proof that AWS accepted more, or probes one
    /// higher after a full window at the limit without a throttle.
    fn learn_from_acceptance(&mut self, ticket: &Ticket, now: Instant) {
        self.note(ticket.sent, ticket.under, false, now);
        let Some(limit) = self.limit else {
            return;
        };
        let proven = self.accepted_within_window(now, true);
        if proven > limit {
            self.limit = Some(proven);
            self.changed_at = Some(now);
            self.probed_at = None;
        } else if self.probed_at.is_some_and(|at| {
            // A probe holds after two windows at it: one is often the
            // burst left in a token bucket.
            now.duration_since(at) >= 2 * WINDOW
        }) {
            self.probed_at = None;
        } else if self.entries.len() >= limit
            && self.probed_at.is_none()
            && self.next_probe.is_none_or(|at| now >= at)
            && State::quiet_for_a_window(self.throttled_at, now)
            && State::quiet_for_a_window(self.changed_at, now)
            && self
                .first_sent
                .is_none_or(|at| now.duration_since(at) >= FIRST_PROBE_AFTER)
        {
            // Until AWS first throttles, each probe that holds doubles the
            // next one's step (a raised quota, or no quota at all, is
            // reached in a few seconds); a failed probe costs the few
            // requests of its step, once. After that, one at a time.
            let step = if self.throttled_ever {
                1
            } else {
                self.next_step.max(FIRST_STEP)
            };
            self.next_step = step * 2;
            self.limit = Some(limit + step);
            self.changed_at = Some(now);
            self.probed_at = Some(now);
            // A probe nothing was blamed on for a while held.
            if self.forget_old_probes(now) {
                self.failed_probes = 0;
            }
            self.recent_probes.push(Probe {
                at: now,
                from: limit,
                accepted_before: self.accepted,
            });
        }
    }

    /// The probe a throttle of a request sent at `sent` is blamed on: the
    /// one in force then (or, for a request sent before any, the first),
    /// forgotten with every probe since (each went higher still).
    fn blame_probe(&mut self, sent: Instant) -> Option<Probe> {
        let before = self
            .recent_probes
            .iter()
            .filter(|probe| probe.at < sent)
            .count();
        let blamed = before.saturating_sub(1);
        let probe = self.recent_probes.get(blamed).copied()?;
        self.recent_probes.truncate(blamed);
        Some(probe)
    }

    /// Sets the limit when throttles form a pattern, lowers it when they
    /// recur under it, and gives it up when lowering does not stop them.
    fn learn_from_throttle(&mut self, ticket: &Ticket, now: Instant) {
        self.throttles += 1;
        if !self.note(ticket.sent, ticket.under, true, now) {
            return;
        }
        self.throttled_at = Some(now);
        if self.deaf_until.is_some_and(|at| now < at) {
            return;
        }
        self.throttled_ever = true;
        if let Some(limit) = self.limit {
            self.first_limit = Some(self.first_limit.unwrap_or(limit).max(limit));
        }
        let throttled = self.answers.iter().filter(|(_, t)| *t).count();
        self.forget_old_probes(now);
        let blamed = self.limit.and_then(|_| self.blame_probe(ticket.sent));
        let lower = if let Some(Probe {
            at,
            from,
            accepted_before,
        }) = blamed
        {
            // A throttle soon after a probe is the probe's: back to the
            // limit that held before it (one step lower would be throttled
            // again a little later, as a token bucket's burst runs out),
            // and a longer wait for each probe throttled in a row. What the
            // probe's requests got through was the burst left in a bucket,
            // not proof of a higher rate. That burst is repaid before
            // anything more is sent: a bucket spent to nothing and then
            // held at exactly its rate refuses whatever a busy machine or
            // network bunches together.
            self.no_proof_before = Some(now);
            let allowed = from as f64 * now.duration_since(at).as_secs_f64();
            let excess = (self.accepted - accepted_before) as f64 - allowed;
            if excess > 0.0 {
                let repaid = WINDOW.mul_f64((excess / from.max(1) as f64).min(1.0));
                self.resume_at = Some(now + repaid);
            }
            let pause = FAILED_PROBE_PAUSE
                .saturating_mul(1 << self.failed_probes.min(8))
                .min(LONGEST_PROBE_PAUSE);
            self.failed_probes += 1;
            self.next_probe = Some(now + pause);
            (from.max(1), false)
        } else if let Some(limit) = self.limit
            && throttled < 2
        {
            // One throttle under a limit no probe explains: a limit above
            // the quota's sustained rate (a token bucket lets it through
            // until its burst is spent). One lower, or down to what AWS
            // accepted in the last second if that filled most of the
            // window; and no probe for a while.
            let accepted = self.accepted_within_window(now, false);
            let lower = if accepted * 2 >= limit {
                accepted.min(limit - 1)
            } else {
                limit - 1
            };
            self.next_probe = Some(now + FAILED_PROBE_PAUSE);
            (lower.max(1), false)
        } else {
            let answers = self.answers.len();
            let pattern = match self.limit {
                // A quota: at least half of a second's answers, and enough of
                // them that a share of random throttles does not look like one.
                None => {
                    throttled >= 3
                        && throttled * 2 >= answers
                        && answers >= PATTERN_ANSWERS
                        && self.deaf_until.is_none_or(|at| now >= at)
                }
                // Under a limit the quota should refuse nothing but a probe:
                // two throttles in a second mean the limit is too high.
                Some(_) => throttled >= 2,
            };
            if !pattern {
                return;
            }
            let accepted = self.accepted_within_window(now, false).max(1);
            let lower = match self.limit {
                None => accepted,
                Some(limit) => accepted.min(limit - 1).max(1),
            };
            (lower, true)
        };
        let (lower, pattern) = lower;
        // A quota's throttles stop at its rate. When halving the limit has
        // not stopped them, they are faults, not a rate: back to where the
        // pacer started (the default quota), and no throttle is a lesson
        // for a while.
        if self.first_limit.is_some_and(|first| lower * 2 < first) {
            *self = State {
                limit: self.started_at,
                started_at: self.started_at,
                throttled_ever: true,
                first_sent: self.first_sent,
                entries: std::mem::take(&mut self.entries),
                next_ticket: self.next_ticket,
                throttles: self.throttles,
                deaf_until: Some(now + GIVEN_UP_FOR),
                ..State::default()
            };
            return;
        }
        self.first_limit.get_or_insert(lower);
        self.limit = Some(lower);
        self.changed_at = Some(now);
        self.probed_at = None;
        if pattern {
            self.answers.clear();
        }
    }
}

/// An answer from AWS, as the pacer judges it.
pub(crate) trait Answer {
    fn verdict(&self) -> Verdict;
}

impl<O, E: ProvideErrorMetadata> Answer for Result<O, SdkError<E, HttpResponse>> {
    fn verdict(&self) -> Verdict {
        match self {
            Ok(_) => Verdict::Accepted,
            Err(err) => {
                let status = err.raw_response().map_or(0, |r| r.status().as_u16());
                if is_throttling(status, err.code()) {
                    Verdict::Throttled
                } else {
                    Verdict::Failed
                }
            }
        }
    }
}

impl<O> Answer for Result<O, AwsError> {
    fn verdict(&self) -> Verdict {
        match self {
            Ok(_) => Verdict::Accepted,
            Err(AwsError::Throttled { .. }) => Verdict::Throttled,
            Err(_) => Verdict::Failed,
        }
    }
}

/// True for a throttling answer, by its error code or status.
pub(crate) fn is_throttling(status: u16, error_code: Option<&str>) -> bool {
    status == 429
        || error_code.is_some_and(|t| {
            t.contains("ThrottlingException")
                || t.contains("TooManyRequestsException")
                || t.contains("Throttling")
        })
}

/// Request pacers, one per AWS quota: sso-admin shares one, each Identity
/// Store API has its own, Organizations has one; STS is not paced.
#[derive(Debug, Default)]
pub(super) struct Pacers {
    by_quota: Mutex<HashMap<&'static str, Arc<Pacer>>>,
}

impl Pacers {
    /// The pacer for the quota `operation` counts against.
    pub(super) fn of(&self, operation: &'static str) -> Option<Arc<Pacer>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_pacer_starts_at_the_documented_default_quota() {
        let pacer = Pacer::default();
        let start = Instant::now();
        for _ in 0..DEFAULT_QUOTA {
            assert!(pacer.try_send(start).is_ok());
        }
        assert!(pacer.try_send(start).is_err());
        assert_eq!(pacer.limit(), Some(DEFAULT_QUOTA));
    }

    #[test]
    fn unpaced_until_the_first_throttle() {
        let pacer = Pacer::starting_at(None);
        let start = Instant::now();
        for _ in 0..100 {
            assert!(pacer.try_send(start).is_ok());
        }
        assert_eq!(pacer.limit(), None);
    }

    /// `accepted` answered at `start + 1 ms`, then `throttled` answered at
    /// `start + 3 ms`.
    fn burst(pacer: &Pacer, start: Instant, accepted: usize, throttled: usize) {
        for _ in 0..accepted {
            let t = pacer.try_send(start).unwrap();
            pacer.answered(t, Verdict::Accepted, start + ms(1));
        }
        for _ in 0..throttled {
            let t = pacer.try_send(start + ms(2)).unwrap();
            pacer.answered(t, Verdict::Throttled, start + ms(3));
        }
    }

    #[test]
    fn a_pattern_of_throttles_teaches_the_quota_and_the_window_holds_it() {
        let pacer = Pacer::starting_at(None);
        let start = Instant::now();
        // 20 accepted within 100 ms, then throttles until they are half.
        for i in 0..20 {
            let ticket = pacer.try_send(start + ms(i * 5)).unwrap();
            pacer.answered(ticket, Verdict::Accepted, start + ms(i * 5 + 2));
        }
        for i in 0..20 {
            assert_eq!(pacer.limit(), None, "{i} throttles among 20 accepted");
            let ticket = pacer.try_send(start + ms(100)).unwrap();
            pacer.answered(ticket, Verdict::Throttled, start + ms(102));
        }
        assert_eq!(pacer.limit(), Some(20));
        // No room until the first accepted answer (at 2 ms) is a second old.
        let wait = pacer.try_send(start + ms(500)).unwrap_err();
        assert_eq!(wait, ms(502));
        assert!(pacer.try_send(start + ms(1001)).is_err());
        let ticket = pacer.try_send(start + ms(1002)).unwrap();
        pacer.answered(ticket, Verdict::Accepted, start + ms(1004));
        // The second answer (7 ms) frees the next place.
        assert_eq!(pacer.try_send(start + ms(1003)).unwrap_err(), ms(4));
        assert!(pacer.try_send(start + ms(1007)).is_ok());
    }

    #[test]
    fn a_fixed_share_of_throttles_under_a_quarter_is_not_a_quota() {
        let pacer = Pacer::starting_at(None);
        let start = Instant::now();
        for i in 0..500 {
            let t = pacer.try_send(start + ms(i)).unwrap();
            let verdict = if i % 5 == 4 {
                Verdict::Throttled
            } else {
                Verdict::Accepted
            };
            pacer.answered(t, verdict, start + ms(i + 1));
        }
        assert_eq!(pacer.limit(), None);
    }

    #[test]
    fn answers_still_coming_from_the_first_burst_raise_the_limit() {
        let pacer = Pacer::starting_at(None);
        let start = Instant::now();
        // Fifty in flight at once; some answered before the pattern.
        let tickets: Vec<Ticket> = (0..50).map(|_| pacer.try_send(start).unwrap()).collect();
        let mut tickets = tickets.into_iter();
        for t in tickets.by_ref().take(10) {
            pacer.answered(t, Verdict::Accepted, start + ms(10));
        }
        for t in tickets.by_ref().take(30) {
            pacer.answered(t, Verdict::Throttled, start + ms(11));
        }
        assert_eq!(pacer.limit(), Some(10));
        for t in tickets {
            pacer.answered(t, Verdict::Accepted, start + ms(12));
        }
        assert_eq!(pacer.limit(), Some(20), "twenty accepted within one second");
    }

    #[test]
    fn throttles_of_a_few_answers_teach_nothing() {
        let pacer = Pacer::starting_at(None);
        let start = Instant::now();
        // 30% random throttles make half of a few answers often.
        burst(&pacer, start, 3, 5);
        assert_eq!(pacer.limit(), None, "eight answers are too few");
        burst(&pacer, start + ms(10), 6, 26);
        assert_eq!(pacer.limit(), Some(9), "forty are enough");
    }

    #[test]
    fn a_throttle_under_the_limit_lowers_it() {
        let start = Instant::now();
        let pacer = Pacer::starting_at(None);
        burst(&pacer, start, 10, 30);
        assert_eq!(pacer.limit(), Some(10));
        // Two of the window's ten places used: one lower.
        let later = start + ms(1500);
        let sent: Vec<Ticket> = (0..3).map(|_| pacer.try_send(later).unwrap()).collect();
        let mut sent = sent.into_iter();
        for t in sent.by_ref().take(2) {
            pacer.answered(t, Verdict::Accepted, later + ms(1));
        }
        pacer.answered(sent.next().unwrap(), Verdict::Throttled, later + ms(2));
        assert_eq!(pacer.limit(), Some(9));
        // A window mostly used: down to what AWS accepted in it.
        let later = start + ms(3000);
        let sent: Vec<Ticket> = (0..8).map(|_| pacer.try_send(later).unwrap()).collect();
        let mut sent = sent.into_iter();
        for t in sent.by_ref().take(7) {
            pacer.answered(t, Verdict::Accepted, later + ms(1));
        }
        pacer.answered(sent.next().unwrap(), Verdict::Throttled, later + ms(2));
        assert_eq!(pacer.limit(), Some(7));
        assert_eq!(pacer.state.lock().unwrap().throttles, 32);
    }

    #[test]
    fn throttles_that_halving_the_limit_does_not_stop_are_not_a_quota() {
        let start = Instant::now();
        let pacer = Pacer::starting_at(None);
        burst(&pacer, start, 10, 30);
        assert_eq!(pacer.limit(), Some(10));
        // Under the limit, a throttle lowers it by one; another among the
        // next few sent lowers it to the few accepted, less than half the
        // limit first learned: the throttles are not a rate, so given up.
        let later = start + ms(1500);
        let t = pacer.try_send(later).unwrap();
        pacer.answered(t, Verdict::Throttled, later + ms(1));
        assert_eq!(pacer.limit(), Some(9));
        let sent: Vec<Ticket> = (0..3)
            .map(|_| pacer.try_send(later + ms(2)).unwrap())
            .collect();
        let mut sent = sent.into_iter();
        for t in sent.by_ref().take(2) {
            pacer.answered(t, Verdict::Accepted, later + ms(3));
        }
        pacer.answered(sent.next().unwrap(), Verdict::Throttled, later + ms(4));
        assert_eq!(pacer.limit(), None);
        // No new limit for a while, whatever the throttles.
        burst(&pacer, later + ms(100), 10, 30);
        assert_eq!(pacer.limit(), None);
        burst(&pacer, later + ms(10_100), 10, 30);
        assert_eq!(pacer.limit(), Some(10));
    }

    #[test]
    fn throttles_of_requests_sent_before_the_limit_do_not_lower_it() {
        let start = Instant::now();
        let pacer = Pacer::starting_at(None);
        let early: Vec<Ticket> = (0..8).map(|_| pacer.try_send(start).unwrap()).collect();
        burst(&pacer, start, 10, 30);
        assert_eq!(pacer.limit(), Some(10));
        for t in early {
            pacer.answered(t, Verdict::Throttled, start + ms(4));
        }
        assert_eq!(pacer.limit(), Some(10));
    }

    #[test]
    fn a_quiet_window_at_the_limit_probes_one_higher() {
        let start = Instant::now();
        let pacer = Pacer::starting_at(None);
        burst(&pacer, start, 10, 30);
        assert_eq!(pacer.limit(), Some(10));
        // A full window of ten, three seconds after the first request
        // (the first probe waits that long).
        let later = start + ms(3100);
        for _ in 0..10 {
            let t = pacer.try_send(later).unwrap();
            pacer.answered(t, Verdict::Accepted, later + ms(1));
        }
        assert_eq!(pacer.limit(), Some(11));
        // Not again within the same window.
        let t = pacer.try_send(later + ms(2)).unwrap();
        pacer.answered(t, Verdict::Accepted, later + ms(3));
        assert_eq!(pacer.limit(), Some(11));
        // A throttle under the probe takes it back.
        let t = Ticket {
            id: 0,
            sent: later + ms(4),
            under: Some(11),
        };
        pacer.answered(t, Verdict::Throttled, later + ms(5));
        assert_eq!(pacer.limit(), Some(10));
        // Quiet full windows later, no probe until five seconds have passed.
        for (second, limit) in [(2, 10), (3, 10), (4, 10), (5, 11)] {
            let at = later + ms(second * 1000 + 10);
            for _ in 0..10 {
                let t = pacer.try_send(at).unwrap();
                pacer.answered(t, Verdict::Accepted, at);
            }
            assert_eq!(pacer.limit(), Some(limit), "{second} s after the probe");
        }
        // That probe is throttled too: the next waits ten seconds.
        let failed_at = later + ms(5020);
        let t = pacer.try_send(failed_at).unwrap();
        pacer.answered(t, Verdict::Throttled, failed_at);
        assert_eq!(
            pacer.limit(),
            Some(10),
            "back to the limit before the probe"
        );
        for (second, limit) in [(6, 10), (10, 10), (14, 10), (15, 11)] {
            let at = later + ms(second * 1000 + 30);
            for _ in 0..10 {
                if let Ok(t) = pacer.try_send(at) {
                    pacer.answered(t, Verdict::Accepted, at);
                }
            }
            assert_eq!(
                pacer.limit(),
                Some(limit),
                "{second} s after the first probe"
            );
        }
    }

    #[test]
    fn a_throttled_probe_goes_back_to_where_it_started() {
        let start = Instant::now();
        let pacer = Pacer::default();
        let full_window = |at: Instant| {
            for _ in 0..DEFAULT_QUOTA {
                let t = pacer.try_send(at).unwrap();
                pacer.answered(t, Verdict::Accepted, at + ms(5));
            }
        };
        full_window(start);
        full_window(start + ms(1100));
        assert_eq!(
            pacer.limit(),
            Some(DEFAULT_QUOTA),
            "no probe in the first seconds"
        );
        full_window(start + ms(3100));
        assert_eq!(pacer.limit(), Some(DEFAULT_QUOTA + FIRST_STEP), "the probe");
        // Of the probe's two extra requests, one is in flight when the
        // other is throttled (a bucket's burst spent).
        let extra = start + ms(3110);
        let in_flight = pacer.try_send(extra).unwrap();
        let throttled = pacer.try_send(extra + ms(1)).unwrap();
        pacer.answered(throttled, Verdict::Throttled, extra + ms(10));
        assert_eq!(
            pacer.limit(),
            Some(DEFAULT_QUOTA),
            "back to the limit before the probe"
        );
        // Twenty-one sent and accepted within a second is no proof of a
        // higher rate when the probe's request is one of them.
        pacer.answered(in_flight, Verdict::Accepted, extra + ms(12));
        assert_eq!(pacer.limit(), Some(DEFAULT_QUOTA));
    }

    /// At a quota that does not move, probing costs less and less: over
    /// two minutes at the default, a handful of requests (at most ten: a
    /// failed probe costs what was in flight when the bucket ran dry), not
    /// one or two every six seconds.
    #[test]
    fn probes_of_a_quota_that_holds_grow_rare() {
        for latency in [5, 30, 80] {
            let outcome = simulate(2400, 8, ms(latency), Quota::bucket());
            assert!(
                outcome.throttled <= 10,
                "{latency} ms: {} of {} throttled: {outcome:?}",
                outcome.throttled,
                outcome.sent
            );
        }
    }

    #[test]
    fn throttles_under_a_limit_hold_their_place_and_failures_count() {
        let pacer = Pacer::starting_at(None);
        let start = Instant::now();
        burst(&pacer, start, 1, 39);
        assert_eq!(pacer.limit(), Some(1), "the throttles were forgotten");
        assert!(pacer.try_send(start + ms(4)).is_err());
        pacer.state.lock().unwrap().limit = Some(2);
        let t = pacer.try_send(start + ms(5)).unwrap();
        pacer.answered(t, Verdict::Throttled, start + ms(6));
        assert_eq!(pacer.limit(), Some(1), "a throttle under the limit");
        assert_eq!(
            pacer.try_send(start + ms(7)).unwrap_err(),
            ms(999),
            "the throttled request holds its place"
        );
        pacer.state.lock().unwrap().limit = Some(1);
        let t = pacer.try_send(start + ms(1006)).unwrap();
        pacer.answered(t, Verdict::Failed, start + ms(1007));
        assert!(pacer.try_send(start + ms(1500)).is_err());
        assert!(pacer.try_send(start + ms(2007)).is_ok());
    }

    #[test]
    fn throttling_is_recognised_by_code_or_status() {
        assert!(is_throttling(400, Some("ThrottlingException")));
        assert!(is_throttling(
            400,
            Some("TooManyRequestsException:http://internal")
        ));
        assert!(is_throttling(429, None));
        assert!(!is_throttling(400, Some("AccessDeniedException")));
        assert!(!is_throttling(500, None));
    }

    /// A quota as AWS might count it, in simulated time.
    enum Quota {
        /// `burst` tokens refilled at `rate` a second.
        Bucket {
            tokens: f64,
            burst: f64,
            rate: f64,
            at: Duration,
        },
        /// At most `rate` accepted in any one second.
        Window {
            rate: usize,
            accepted: std::collections::VecDeque<Duration>,
        },
        /// No quota: this share of requests throttled at random.
        Random { share: f64, rng: fastrand::Rng },
        /// A quota, and this share of the requests it admits throttled at
        /// random anyway (as the test proxy's fault mix does).
        Mixed {
            quota: Box<Quota>,
            share: f64,
            rng: fastrand::Rng,
        },
    }

    impl Quota {
        fn bucket() -> Quota {
            Quota::Bucket {
                tokens: 20.0,
                burst: 20.0,
                rate: 20.0,
                at: Duration::ZERO,
            }
        }

        fn window() -> Quota {
            Quota::Window {
                rate: 20,
                accepted: Default::default(),
            }
        }

        fn admits(&mut self, at: Duration) -> bool {
            match self {
                Quota::Bucket {
                    tokens,
                    burst,
                    rate,
                    at: counted,
                } => {
                    *tokens = (*tokens + (at - *counted).as_secs_f64() * *rate).min(*burst);
                    *counted = at;
                    if *tokens < 1.0 {
                        return false;
                    }
                    *tokens -= 1.0;
                    true
                }
                Quota::Window { rate, accepted } => {
                    while accepted.front().is_some_and(|t| at - *t >= WINDOW) {
                        accepted.pop_front();
                    }
                    if accepted.len() >= *rate {
                        return false;
                    }
                    accepted.push_back(at);
                    true
                }
                Quota::Random { share, rng } => rng.f64() >= *share,
                Quota::Mixed { quota, share, rng } => quota.admits(at) && rng.f64() >= *share,
            }
        }
    }

    /// What a simulated fetch saw.
    #[derive(Debug)]
    struct Outcome {
        /// When the last answer came.
        took: Duration,
        sent: usize,
        throttled: usize,
        /// Requests sent after the first second, and how many throttled.
        later: (usize, usize),
        /// The limit learned at the end.
        limit: Option<usize>,
        /// The most attempts one request took.
        most_attempts: u32,
    }

    /// `requests` sent by `workers` concurrent tasks as `AwsSource::paced`
    /// sends them (each answered `latency` after it is sent, counted by
    /// the quota halfway), with the pacer in simulated time.
    fn simulate(requests: usize, workers: usize, latency: Duration, quota: Quota) -> Outcome {
        simulate_jittered(requests, workers, latency, (0.0, 0), quota)
    }

    /// As `simulate`, with each request's way to the quota and back varied:
    /// with `jitter` 1.0, each leg takes anywhere from none to the whole of
    /// `latency` (a loaded machine or network bunches what was sent
    /// evenly). Answers reach the pacer in the order they arrive.
    fn simulate_jittered(
        requests: usize,
        workers: usize,
        latency: Duration,
        (jitter, seed): (f64, u64),
        mut quota: Quota,
    ) -> Outcome {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        let pacer = Pacer::default();
        let start = Instant::now();
        let mut rng = fastrand::Rng::with_seed(7);
        let mut legs = fastrand::Rng::with_seed(seed);
        let leg = |rng: &mut fastrand::Rng| {
            let half = latency / 2;
            half.mul_f64(1.0 - jitter) + latency.mul_f64(jitter * rng.f64())
        };
        // (when, worker, what happens): a worker ready to send, its
        // request reaching the quota, or its answer arriving.
        const READY: u8 = 0;
        const COUNTED: u8 = 1;
        const ANSWERED: u8 = 2;
        let mut queue: BinaryHeap<Reverse<(Duration, usize, u8)>> = (0..workers)
            .map(|w| Reverse((Duration::ZERO, w, READY)))
            .collect();
        let mut attempts = vec![0u32; workers];
        let mut busy = vec![false; workers];
        let mut in_flight: Vec<Option<(Ticket, bool, Duration)>> =
            (0..workers).map(|_| None).collect();
        let (mut left, mut outcome) = (
            requests,
            Outcome {
                took: Duration::ZERO,
                sent: 0,
                throttled: 0,
                later: (0, 0),
                limit: None,
                most_attempts: 0,
            },
        );
        while let Some(Reverse((now, w, event))) = queue.pop() {
            if event == COUNTED {
                if let Some((_, admitted, _)) = in_flight[w].as_mut() {
                    *admitted = quota.admits(now);
                }
                queue.push(Reverse((now + leg(&mut legs), w, ANSWERED)));
                continue;
            }
            if event == ANSWERED {
                let Some((ticket, admitted, sent)) = in_flight[w].take() else {
                    continue;
                };
                outcome.took = outcome.took.max(now);
                let verdict = if admitted {
                    Verdict::Accepted
                } else {
                    Verdict::Throttled
                };
                pacer.answered(ticket, verdict, start + now);
                if admitted {
                    busy[w] = false;
                    queue.push(Reverse((now, w, READY)));
                    continue;
                }
                outcome.throttled += 1;
                if sent >= WINDOW {
                    outcome.later.1 += 1;
                }
                if std::env::var_os("SIM_TRACE").is_some() {
                    eprintln!(
                        "throttle at {:.3} limit {:?}",
                        sent.as_secs_f64(),
                        pacer.limit()
                    );
                }
                let mut next = now;
                if !pacer.is_limiting() {
                    next += backoff_before_a_limit(attempts[w], rng.f64());
                }
                attempts[w] += 1;
                outcome.most_attempts = outcome.most_attempts.max(attempts[w]);
                queue.push(Reverse((next, w, READY)));
                continue;
            }
            if !busy[w] {
                if left == 0 {
                    continue;
                }
                left -= 1;
                busy[w] = true;
                attempts[w] = 1;
            }
            let ticket = match pacer.try_send(start + now) {
                Ok(ticket) => ticket,
                Err(wait) => {
                    queue.push(Reverse((now + wait, w, READY)));
                    continue;
                }
            };
            outcome.sent += 1;
            if now >= WINDOW {
                outcome.later.0 += 1;
            }
            in_flight[w] = Some((ticket, false, now));
            queue.push(Reverse((now + leg(&mut legs), w, COUNTED)));
        }
        outcome.limit = pacer.limit();
        outcome
    }

    /// The least time a quota of 20 a second allows for `n` accepted
    /// requests counted as a token bucket (a full bucket first).
    fn bucket_floor(n: usize) -> Duration {
        Duration::from_secs_f64(n.saturating_sub(20) as f64 / 20.0)
    }

    fn window_floor(n: usize) -> Duration {
        Duration::from_secs((n.div_ceil(20) - 1) as u64)
    }

    /// Where `outcome` misses the targets: more than 2% of requests
    /// throttled over the whole line, from the first call (issue 20), or
    /// more than 1.15× the floor.
    fn misses(name: &str, outcome: &Outcome, floor: Duration) -> Option<String> {
        let share = outcome.throttled as f64 / outcome.sent.max(1) as f64;
        let ratio = outcome.took.as_secs_f64() / floor.as_secs_f64();
        (share > 0.02 || ratio > 1.15)
            .then(|| format!("{name}: {share:.3} throttled, {ratio:.2}× the floor: {outcome:?}"))
    }

    #[test]
    fn a_token_bucket_quota_is_spent_at_its_rate() {
        let missed: Vec<String> = [5, 30, 80]
            .into_iter()
            .filter_map(|latency| {
                let outcome = simulate(460, 8, ms(latency), Quota::bucket());
                misses(
                    &format!("bucket, {latency} ms"),
                    &outcome,
                    bucket_floor(460),
                )
            })
            .collect();
        assert!(missed.is_empty(), "{missed:#?}");
    }

    #[test]
    fn a_sliding_window_quota_is_spent_at_its_rate() {
        let missed: Vec<String> = [5, 30, 80]
            .into_iter()
            .filter_map(|latency| {
                let outcome = simulate(460, 8, ms(latency), Quota::window());
                misses(
                    &format!("window, {latency} ms"),
                    &outcome,
                    window_floor(460),
                )
            })
            .collect();
        assert!(missed.is_empty(), "{missed:#?}");
    }

    /// Issue 20: a 20/s quota with 30% of what it admits throttled at
    /// random on top (and a fault-free run of the same quota to compare):
    /// every request gets through within the attempts `AwsSource::paced`
    /// allows, in at most three times the fault-free time, on five seeds.
    #[test]
    fn a_quota_with_random_throttles_on_top_finishes_within_the_attempts() {
        let mut missed = Vec::new();
        for latency in [5, 30, 80] {
            let clean = simulate(460, 8, ms(latency), Quota::bucket());
            for seed in 1..=5 {
                let mixed = Quota::Mixed {
                    quota: Box::new(Quota::bucket()),
                    share: 0.3,
                    rng: fastrand::Rng::with_seed(seed),
                };
                let outcome = simulate(460, 8, ms(latency), mixed);
                let ratio = outcome.took.as_secs_f64() / clean.took.as_secs_f64();
                if ratio > 3.0 || outcome.most_attempts > super::super::DEFAULT_MAX_ATTEMPTS {
                    missed.push(format!(
                        "{latency} ms, seed {seed}: {ratio:.2}× fault-free: {outcome:?}"
                    ));
                }
            }
        }
        assert!(missed.is_empty(), "{missed:#?}");
    }

    /// A loaded machine or network delivers what the pacer spaced out in
    /// bunches (each request's way to AWS and back anywhere from nothing
    /// to the whole latency). Under either kind of quota, a short fetch
    /// (the live tests' 145 requests) and a longer one stay within issue
    /// 20's 2% of requests throttled, on five seeds.
    #[test]
    fn requests_bunched_on_the_way_stay_under_the_quota() {
        let mut missed = Vec::new();
        for (name, quota) in [
            ("bucket", Quota::bucket as fn() -> Quota),
            ("window", Quota::window),
        ] {
            for requests in [145, 460] {
                for latency in [5, 30, 80] {
                    for seed in 1..=5 {
                        let outcome =
                            simulate_jittered(requests, 8, ms(latency), (1.0, seed), quota());
                        if outcome.throttled * 50 > outcome.sent {
                            missed.push(format!(
                                "{name}, {requests} requests, {latency} ms, seed {seed}: {outcome:?}"
                            ));
                        }
                    }
                }
            }
        }
        assert!(missed.is_empty(), "{missed:#?}");
    }

    /// Random throttles without a quota: they lower the limit for a while,
    /// then the pacer sees they are no rate and goes back to the default,
    /// where it stays (a throttle stops the growth a fault-free run makes
    /// past the default). So the time to compare with is what the default
    /// quota allows: the token bucket's fault-free run.
    #[test]
    fn random_throttles_leave_the_default_quota_and_cost_little_time() {
        let mut missed = Vec::new();
        for latency in [5, 30, 80] {
            let random = |share, seed| Quota::Random {
                share,
                rng: fastrand::Rng::with_seed(seed),
            };
            let clean = simulate(460, 8, ms(latency), Quota::bucket());
            for seed in 1..=5 {
                let outcome = simulate(460, 8, ms(latency), random(0.3, seed));
                let ratio = outcome.took.as_secs_f64() / clean.took.as_secs_f64();
                if ratio > 3.0
                    || outcome.limit.is_none_or(|limit| limit < DEFAULT_QUOTA)
                    || outcome.most_attempts > super::super::DEFAULT_MAX_ATTEMPTS
                {
                    missed.push(format!(
                        "{latency} ms, seed {seed}: {ratio:.2}× fault-free: {outcome:?}"
                    ));
                }
            }
        }
        assert!(missed.is_empty(), "{missed:#?}");
    }
}
