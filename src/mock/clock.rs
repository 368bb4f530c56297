//! The mock's virtual clock: it runs `speed` times faster than real time and can be
//! moved forward at once (`POST /_hookctl/clock/advance?by=72h`), waking whatever
//! waits for a moment it passed.

use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

pub struct Clock {
    started: Instant,
    speed: f64,
    /// Time added by `advance`.
    jumped: Mutex<Duration>,
    moved: Notify,
}

/// The furthest the clock goes: 100 years.
const MAX: Duration = crate::envelope::profile::MAX_DURATION;

impl Clock {
    pub fn new(speed: f64) -> Clock {
        Clock {
            started: Instant::now(),
            speed,
            jumped: Mutex::new(Duration::ZERO),
            moved: Notify::new(),
        }
    }

    /// Virtual time since the start.
    pub fn now(&self) -> Duration {
        let real = self.started.elapsed().as_secs_f64() * self.speed;
        let run = Duration::try_from_secs_f64(real).unwrap_or(MAX).min(MAX);
        run.saturating_add(*self.jumped.lock().expect("clock lock"))
            .min(MAX)
    }

    /// Moves the clock forward by `by`; returns the new time.
    pub fn advance(&self, by: Duration) -> Duration {
        {
            let mut j = self.jumped.lock().expect("clock lock");
            *j = j.saturating_add(by).min(MAX);
        }
        self.moved.notify_waiters();
        self.now()
    }

    /// Waits until virtual time `at`.
    pub async fn sleep_until(&self, at: Duration) {
        loop {
            let now = self.now();
            if now >= at {
                return;
            }
            let left = crate::envelope::retry::at_speed(at - now, self.speed);
            let moved = self.moved.notified();
            tokio::select! {
                _ = tokio::time::sleep(left) => {}
                _ = moved => {}
            }
        }
    }
}
