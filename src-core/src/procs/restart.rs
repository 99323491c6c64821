//! When a supervised process that exited on its own is started again: the
//! one policy code-server instances and MCP servers share (each with its
//! own limits). An exit within `min_uptime` of the start is a quick crash;
//! quick crashes in a row delay the next start, doubling, and after
//! `max_quick_crashes` the process is left failed until the user starts it.
//! A process that ran longer starts the count afresh.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestartPolicy {
    /// An exit sooner than this after the start counts as a quick crash.
    pub min_uptime: Duration,
    /// Quick crashes in a row after which it is left failed.
    pub max_quick_crashes: u32,
    /// The wait before the first restart; doubled per further quick crash.
    pub first_delay: Duration,
    /// The longest wait.
    pub max_delay: Duration,
}

impl RestartPolicy {
    /// Counts the exit of a process that ran for `ran_for` (`None`: its
    /// start time is unknown, not counted as quick) into `quick_crashes`, and
    /// says when to start it again: `Some(delay)`, or `None` to give up.
    pub fn after_exit(
        &self,
        ran_for: Option<Duration>,
        quick_crashes: &mut u32,
    ) -> Option<Duration> {
        let quick = ran_for.is_some_and(|d| d < self.min_uptime);
        *quick_crashes = if quick { *quick_crashes + 1 } else { 0 };
        if *quick_crashes >= self.max_quick_crashes {
            return None;
        }
        let doublings = quick_crashes.saturating_sub(1).min(16);
        Some(
            self.first_delay
                .saturating_mul(1 << doublings)
                .min(self.max_delay),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: RestartPolicy = RestartPolicy {
        min_uptime: Duration::from_secs(10),
        max_quick_crashes: 5,
        first_delay: Duration::from_secs(2),
        max_delay: Duration::from_secs(30),
    };

    #[test]
    fn quick_crashes_double_the_delay_then_give_up() {
        let mut n = 0;
        let quick = Some(Duration::from_secs(1));
        let delays: Vec<_> = (0..5).map(|_| POLICY.after_exit(quick, &mut n)).collect();
        let s = Duration::from_secs;
        assert_eq!(
            delays,
            [Some(s(2)), Some(s(4)), Some(s(8)), Some(s(16)), None]
        );
        assert_eq!(n, 5);
    }

    #[test]
    fn a_long_run_starts_the_count_afresh_and_the_delay_is_capped() {
        let mut n = 3;
        assert_eq!(
            POLICY.after_exit(Some(Duration::from_secs(60)), &mut n),
            Some(Duration::from_secs(2))
        );
        assert_eq!(n, 0);
        let capped = RestartPolicy {
            max_quick_crashes: 100,
            ..POLICY
        };
        let mut n = 40;
        assert_eq!(
            capped.after_exit(Some(Duration::ZERO), &mut n),
            Some(Duration::from_secs(30))
        );
    }
}
