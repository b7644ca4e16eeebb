//! Spending a throttled quota well: a learned request window per quota.
//!
//! AWS counts requests per second against a quota (20 a second for
//! sso-admin as a whole, 20 per Identity Store API). Until AWS throttles,
//! requests go as fast as `--concurrency` allows. Throttling teaches the
//! pacer the quota: as many requests as AWS accepted in the second before.
//! From then on, a request is sent only while fewer than that many were
//! sent or answered in the last second, so the rate sits at the quota
//! instead of hammering and backing off.
//!
//! Throttling teaches only as a pattern: at least three throttles within a
//! second, and at least half of the answers in it. A lone unlucky
//! request, or throttles on a small fixed share of requests, say nothing
//! about the rate. The first pattern sets the limit to what AWS accepted in that
//! second; a later one, among requests sent under the limit, lowers it to
//! what AWS accepted (someone else is spending the quota), at most once a
//! second. Requests accepted within one second of being sent prove that AWS
//! accepts that many a second and raise the limit (the first burst is still
//! in flight when the limit is set). A second at the limit without a
//! throttle probes one request higher; a throttle under the probe takes it
//! back and waits five seconds before the next, so at the quota about one
//! request in six seconds is refused.
//!
//! An accepted request counts from the moment its answer arrived, which is
//! never before AWS counted it, so the window here closes no earlier than
//! AWS's does. A throttled request did not count against the quota: before
//! a limit it is forgotten; under one it keeps its place in the window, so
//! that its retry waits for room rather than hammering.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::AwsError;

/// The quota's period.
const WINDOW: Duration = Duration::from_secs(1);
/// After a probe one higher was throttled, how long until the next.
const FAILED_PROBE_PAUSE: Duration = Duration::from_secs(5);
/// How long to wait when every counted request is still in flight.
const IN_FLIGHT_POLL: Duration = Duration::from_millis(5);

/// The request window for one quota.
#[derive(Debug, Default)]
pub(crate) struct Pacer {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Requests a window may hold; `None` until AWS throttles.
    limit: Option<usize>,
    /// When the limit last changed; answers to requests sent before then
    /// say nothing about it.
    changed_at: Option<Instant>,
    /// When a throttling pattern last lowered the limit.
    lowered_at: Option<Instant>,
    /// When a request sent under the current limit was last throttled.
    throttled_at: Option<Instant>,
    /// When the limit was last probed one higher, until the probe holds.
    probed_at: Option<Instant>,
    /// No probe before then (a failed probe waits a few windows).
    next_probe: Option<Instant>,
    /// Answers to requests sent under the current limit, within the last
    /// window: when, and whether throttled.
    answers: Vec<(Instant, bool)>,
    /// Requests in flight, and those answered within the last window.
    entries: Vec<Entry>,
    next_ticket: u64,
    throttles: u64,
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
    /// Lets a request through now, or says how long to wait before asking again.
    pub(crate) fn try_send(&self, now: Instant) -> Result<Ticket, Duration> {
        let Ok(mut state) = self.state.lock() else {
            return Ok(Ticket { id: 0, sent: now });
        };
        state.entries.retain(|e| {
            e.accepted_at
                .is_none_or(|at| now.duration_since(at) < WINDOW)
        });
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
                    state.learn_from_acceptance(ticket.sent, now);
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
                state.learn_from_throttle(ticket.sent, now);
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
    /// those also sent within it (so AWS counted them all in one window).
    fn accepted_within_window(&self, now: Instant, sent_within: bool) -> usize {
        self.entries
            .iter()
            .filter(|e| !e.throttled)
            .filter(|e| {
                e.accepted_at
                    .is_some_and(|at| now.duration_since(at) < WINDOW)
            })
            .filter(|e| !sent_within || now.duration_since(e.sent) < WINDOW)
            .count()
    }

    fn quiet_for_a_window(since: Option<Instant>, now: Instant) -> bool {
        since.is_none_or(|at| now.duration_since(at) >= WINDOW)
    }

    /// Notes an answer to a request sent under the current limit; false
    /// for one sent before the limit last changed.
    fn note(&mut self, sent: Instant, throttled: bool, now: Instant) -> bool {
        if self.changed_at.is_some_and(|at| sent <= at) {
            return false;
        }
        self.answers
            .retain(|(at, _)| now.duration_since(*at) < WINDOW);
        self.answers.push((now, throttled));
        true
    }

    /// Raises the limit on proof that AWS accepted more, or probes one
    /// higher after a full window at the limit without a throttle.
    fn learn_from_acceptance(&mut self, sent: Instant, now: Instant) {
        self.note(sent, false, now);
        let Some(limit) = self.limit else {
            return;
        };
        let proven = self.accepted_within_window(now, true);
        if proven > limit {
            self.limit = Some(proven);
            self.changed_at = Some(now);
            self.probed_at = None;
        } else if self
            .probed_at
            .is_some_and(|at| now.duration_since(at) >= 2 * WINDOW)
        {
            self.probed_at = None;
        } else if self.entries.len() >= limit
            && self.probed_at.is_none()
            && self.next_probe.is_none_or(|at| now >= at)
            && State::quiet_for_a_window(self.throttled_at, now)
            && State::quiet_for_a_window(self.changed_at, now)
        {
            self.limit = Some(limit + 1);
            self.changed_at = Some(now);
            self.probed_at = Some(now);
        }
    }

    /// Sets or lowers the limit when throttles form a pattern.
    fn learn_from_throttle(&mut self, sent: Instant, now: Instant) {
        self.throttles += 1;
        if !self.note(sent, true, now) {
            return;
        }
        self.throttled_at = Some(now);
        if let (Some(limit), Some(probed)) = (self.limit, self.probed_at)
            && sent > probed
        {
            self.limit = Some((limit - 1).max(1));
            self.changed_at = Some(now);
            self.probed_at = None;
            self.next_probe = Some(now + FAILED_PROBE_PAUSE);
            return;
        }
        let throttled = self.answers.iter().filter(|(_, t)| *t).count();
        let pattern = throttled >= 3 && throttled * 2 >= self.answers.len();
        if !pattern || !State::quiet_for_a_window(self.lowered_at, now) {
            return;
        }
        let accepted = self.accepted_within_window(now, false);
        self.limit = Some(match self.limit {
            None => accepted.max(1),
            Some(limit) => accepted.min(limit - 1).max(1),
        });
        self.changed_at = Some(now);
        self.lowered_at = Some(now);
        self.answers.clear();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn unpaced_until_the_first_throttle() {
        let pacer = Pacer::default();
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
        let pacer = Pacer::default();
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
        let pacer = Pacer::default();
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
        let pacer = Pacer::default();
        let start = Instant::now();
        // Eight in flight at once; only some answered before the pattern.
        let tickets: Vec<Ticket> = (0..8).map(|_| pacer.try_send(start).unwrap()).collect();
        let mut tickets = tickets.into_iter();
        for t in tickets.by_ref().take(3) {
            pacer.answered(t, Verdict::Accepted, start + ms(10));
        }
        for t in tickets.by_ref().take(3) {
            pacer.answered(t, Verdict::Throttled, start + ms(11));
        }
        assert_eq!(pacer.limit(), Some(3));
        for t in tickets {
            pacer.answered(t, Verdict::Accepted, start + ms(12));
        }
        assert_eq!(pacer.limit(), Some(5), "five accepted within one second");
    }

    #[test]
    fn a_lone_throttle_leaves_the_limit_and_a_pattern_lowers_it() {
        let start = Instant::now();
        let pacer = Pacer::default();
        burst(&pacer, start, 10, 10);
        assert_eq!(pacer.limit(), Some(10));
        let later = start + ms(1500);
        let sent: Vec<Ticket> = (0..5).map(|_| pacer.try_send(later).unwrap()).collect();
        let mut sent = sent.into_iter();
        for t in sent.by_ref().take(2) {
            pacer.answered(t, Verdict::Accepted, later + ms(1));
        }
        pacer.answered(sent.next().unwrap(), Verdict::Throttled, later + ms(2));
        assert_eq!(pacer.limit(), Some(10), "one throttle is not a pattern");
        pacer.answered(sent.next().unwrap(), Verdict::Throttled, later + ms(3));
        assert_eq!(pacer.limit(), Some(10), "nor two among four");
        pacer.answered(sent.next().unwrap(), Verdict::Throttled, later + ms(4));
        assert_eq!(pacer.limit(), Some(2), "what AWS accepted in the window");
        // Lowered at most once a window: more throttles within it change
        // nothing, though the window has room.
        pacer.state.lock().unwrap().limit = Some(5);
        for at in [600, 700, 800] {
            let t = Ticket {
                id: 0,
                sent: later + ms(at),
            };
            pacer.answered(t, Verdict::Throttled, later + ms(at + 1));
        }
        assert_eq!(pacer.limit(), Some(5));
        assert_eq!(pacer.state.lock().unwrap().throttles, 16);
    }

    #[test]
    fn throttles_of_requests_sent_before_the_limit_do_not_lower_it() {
        let start = Instant::now();
        let pacer = Pacer::default();
        let early: Vec<Ticket> = (0..8).map(|_| pacer.try_send(start).unwrap()).collect();
        burst(&pacer, start, 10, 10);
        assert_eq!(pacer.limit(), Some(10));
        for t in early {
            pacer.answered(t, Verdict::Throttled, start + ms(4));
        }
        assert_eq!(pacer.limit(), Some(10));
    }

    #[test]
    fn a_quiet_window_at_the_limit_probes_one_higher() {
        let start = Instant::now();
        let pacer = Pacer::default();
        burst(&pacer, start, 10, 10);
        assert_eq!(pacer.limit(), Some(10));
        // A full window of ten, a second after the pattern.
        let later = start + ms(1100);
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
    }

    #[test]
    fn throttles_under_a_limit_hold_their_place_and_failures_count() {
        let pacer = Pacer::default();
        let start = Instant::now();
        burst(&pacer, start, 1, 3);
        assert_eq!(pacer.limit(), Some(1), "the three throttles were forgotten");
        assert!(pacer.try_send(start + ms(4)).is_err());
        pacer.state.lock().unwrap().limit = Some(2);
        let t = pacer.try_send(start + ms(5)).unwrap();
        pacer.answered(t, Verdict::Throttled, start + ms(6));
        assert_eq!(
            pacer.try_send(start + ms(7)).unwrap_err(),
            ms(994),
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
}
