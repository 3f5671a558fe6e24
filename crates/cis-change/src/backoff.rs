//! Full-jitter exponential backoff (docs/contract/processor-and-vault.md §5.3: 20 ms base, 500 ms cap), used
//! between conditional-write attempts and by change-stream adapters between retries of records the stream
//! did not take. Owns only the delay; the loops that retry live beside the calls they retry.

use rand::Rng;
use std::time::Duration;

const BASE_MS: u64 = 20;
const CAP_MS: u64 = 500;

/// The delay before retry number `attempt` (0 = the first retry): uniform in `0..=min(cap, base * 2^attempt)`.
pub fn backoff(attempt: u32) -> Duration {
    let ceiling = BASE_MS.saturating_mul(1u64 << attempt.min(16)).min(CAP_MS);
    Duration::from_millis(rand::rng().random_range(0..=ceiling))
}

/// Sleeps for [`backoff`]`(attempt)`.
pub async fn sleep(attempt: u32) {
    tokio::time::sleep(backoff(attempt)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_from_the_base_and_never_pass_the_cap() {
        for _ in 0..200 {
            assert!(backoff(0) <= Duration::from_millis(20));
            assert!(backoff(2) <= Duration::from_millis(80));
            assert!(backoff(10) <= Duration::from_millis(500));
            assert!(backoff(60) <= Duration::from_millis(500));
        }
        // Full jitter: over many draws the late attempts use more of their range than the first.
        let late_max = (0..200).map(|_| backoff(10)).max().unwrap();
        assert!(late_max > Duration::from_millis(20), "{late_max:?}");
    }
}
