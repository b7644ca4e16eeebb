//! Spending a throttled quota well: a per-service pacer.
//!
//! Identity Center allows about 20 requests a second per service. Until
//! AWS throttles, requests go as fast as `--concurrency` allows. After the
//! first throttling answer, requests to that service are spaced 60 ms apart
//! (about 17 a second, a sixth under the quota). A further throttle stretches the
//! spacing by a quarter (at most once a second: the requests already in
//! flight when the first one came back do not count again), and each
//! success shrinks it by 1% back towards 60 ms, so the rate settles just
//! under the quota instead of hammering and backing off.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The spacing once AWS has throttled: AWS's 20 requests a second, less a
/// sixth, so that paced requests alone never reach the quota (throttled
/// requests are retried by the SDK outside the pacer and need the room).
const QUOTA_SPACING: Duration = Duration::from_millis(60);
const MAX_SPACING: Duration = Duration::from_secs(2);

/// Request spacing for one service.
#[derive(Debug, Default)]
pub struct Pacer {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    spacing: Option<Duration>,
    next: Option<Instant>,
    widened_at: Option<Instant>,
    throttles: u64,
}

impl Pacer {
    /// Records a throttling answer from the service.
    pub fn throttled(&self) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        state.throttles += 1;
        let now = Instant::now();
        if state
            .widened_at
            .is_some_and(|at| now.duration_since(at) < Duration::from_secs(1))
        {
            return;
        }
        state.widened_at = Some(now);
        state.spacing = Some(match state.spacing {
            None => QUOTA_SPACING,
            Some(spacing) => (spacing + spacing / 4).min(MAX_SPACING),
        });
    }

    /// Records a successful answer: the spacing eases back towards the quota.
    pub fn succeeded(&self) {
        if let Ok(mut state) = self.state.lock()
            && let Some(spacing) = state.spacing
        {
            state.spacing = Some((spacing - spacing / 100).max(QUOTA_SPACING));
        }
    }

    /// Takes the next slot; returns how long to wait for it.
    pub fn reserve(&self) -> Duration {
        let Ok(mut state) = self.state.lock() else {
            return Duration::ZERO;
        };
        let Some(spacing) = state.spacing else {
            return Duration::ZERO;
        };
        let now = Instant::now();
        let slot = state.next.filter(|next| *next > now).unwrap_or(now);
        state.next = Some(slot + spacing);
        slot - now
    }

    /// Waits for the next slot.
    pub async fn wait(&self) {
        let delay = self.reserve();
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
    }
}

/// True for a throttling answer, by its error type header or status.
pub fn is_throttling(status: u16, error_type: Option<&str>) -> bool {
    status == 429
        || error_type.is_some_and(|t| {
            t.contains("ThrottlingException")
                || t.contains("TooManyRequestsException")
                || t.contains("Throttling")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpaced_until_throttled_then_spaced_at_the_quota() {
        let pacer = Pacer::default();
        assert_eq!(pacer.reserve(), Duration::ZERO);
        assert_eq!(pacer.reserve(), Duration::ZERO);
        pacer.throttled();
        let first = pacer.reserve();
        let second = pacer.reserve();
        let third = pacer.reserve();
        assert!(first <= Duration::from_millis(1));
        assert!(second > QUOTA_SPACING - Duration::from_millis(5) && second <= QUOTA_SPACING);
        assert!(third > QUOTA_SPACING * 2 - Duration::from_millis(5) && third <= QUOTA_SPACING * 2);
    }

    #[test]
    fn a_burst_of_throttles_widens_once_and_successes_ease_back() {
        let pacer = Pacer::default();
        for _ in 0..50 {
            pacer.throttled();
        }
        assert_eq!(pacer.state.lock().unwrap().throttles, 50);
        assert_eq!(pacer.state.lock().unwrap().spacing, Some(QUOTA_SPACING));
        // A throttle a second later widens again, by a quarter.
        pacer.state.lock().unwrap().widened_at = Some(Instant::now() - Duration::from_secs(2));
        pacer.throttled();
        let widened = pacer.state.lock().unwrap().spacing.unwrap();
        assert_eq!(widened, QUOTA_SPACING + QUOTA_SPACING / 4);
        for _ in 0..100 {
            pacer.succeeded();
        }
        assert_eq!(pacer.state.lock().unwrap().spacing, Some(QUOTA_SPACING));
    }

    #[test]
    fn throttling_is_recognised_by_type_or_status() {
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
