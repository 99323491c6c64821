//! Whether anyone is looking: the window on screen, and which live figures
//! its page shows. Sampling that only feeds a view (CPU and memory of
//! deployments, system figures) runs while someone looks and stops
//! otherwise; what the tray needs (status transitions) comes from events.

use tokio::sync::watch;

/// What is on screen now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Looking {
    /// The main window is shown (not closed to the tray).
    pub window: bool,
    /// How many Deployments pages (with their CPU and memory columns) are
    /// open: a count, so that a page's "closed" arriving after the next
    /// page's "open" (two IPC calls, handled concurrently) leaves it open.
    pub deployments: u32,
}

impl Looking {
    /// Deployments' CPU and memory are worth sampling.
    pub fn at_deployments(&self) -> bool {
        self.window && self.deployments > 0
    }
}

pub struct Presence {
    tx: watch::Sender<Looking>,
}

impl Default for Presence {
    fn default() -> Self {
        Presence {
            tx: watch::Sender::new(Looking {
                window: true,
                deployments: 0,
            }),
        }
    }
}

impl Presence {
    pub fn now(&self) -> Looking {
        *self.tx.borrow()
    }

    /// The window was shown or hidden.
    pub fn set_window(&self, shown: bool) {
        self.tx
            .send_if_modified(|l| std::mem::replace(&mut l.window, shown) != shown);
    }

    /// A Deployments page opened or closed.
    pub fn set_deployments(&self, open: bool) {
        self.tx.send_modify(|l| {
            l.deployments = if open {
                l.deployments.saturating_add(1)
            } else {
                l.deployments.saturating_sub(1)
            }
        });
    }

    /// Returns once `wanted` holds (at once if it does).
    pub async fn until(&self, wanted: impl Fn(&Looking) -> bool) {
        let mut rx = self.tx.subscribe();
        let _ = rx.wait_for(|l| wanted(l)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn waits_until_someone_looks() {
        let presence = std::sync::Arc::new(Presence::default());
        assert!(!presence.now().at_deployments());
        let waiting = {
            let p = presence.clone();
            tokio::spawn(async move { p.until(Looking::at_deployments).await })
        };
        presence.set_window(false);
        presence.set_deployments(true);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "the window is hidden");
        presence.set_window(true);
        tokio::time::timeout(Duration::from_secs(1), waiting)
            .await
            .expect("woken when the window was shown")
            .unwrap();
    }

    #[test]
    fn a_late_close_of_the_previous_page_leaves_the_next_one_open() {
        let presence = Presence::default();
        presence.set_deployments(true);
        // Back to the page: the new page's open arrives before the old one's close.
        presence.set_deployments(true);
        presence.set_deployments(false);
        assert!(presence.now().at_deployments());
        presence.set_deployments(false);
        presence.set_deployments(false);
        assert!(!presence.now().at_deployments());
        presence.set_deployments(true);
        assert!(presence.now().at_deployments(), "never below zero");
    }
}
