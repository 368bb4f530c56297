//! `send --count N --retry`: N events, each taken through the profile's retry policy
//! as a single `send --retry` takes one, up to `width` at once, on one task so that
//! the store's connection is shared.

use super::{DeliverOptions, Plan, Report, deliver};
use crate::clock::now_unix;
use crate::http::client::HttpClient;
use crate::store::{State, Store};
use anyhow::Result;
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

/// How a batch ended.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tally {
    pub delivered: u64,
    pub failed: u64,
}

/// Sends `count` events; `report` gets every event's reports as they come.
pub async fn deliver_many(
    plan: &Plan,
    count: u64,
    width: usize,
    client: &HttpClient,
    store: Option<&Store>,
    opts: &DeliverOptions,
    report: &dyn Fn(Report<'_>) -> Result<()>,
) -> Result<Tally> {
    type Pending<'a> = Pin<Box<dyn Future<Output = Result<bool>> + 'a>>;
    let width = width.max(1);
    let mut tally = Tally::default();
    let mut in_flight: Vec<Pending<'_>> = Vec::with_capacity(width);
    let mut started = 0u64;
    loop {
        while in_flight.len() < width && started < count {
            let prepared = plan.prepare(None, now_unix())?;
            in_flight.push(Box::pin(async move {
                let done = deliver(plan, prepared, client, store, opts, &mut |r| report(r)).await?;
                Ok(done.state == State::Delivered)
            }));
            started += 1;
        }
        if in_flight.is_empty() {
            return Ok(tally);
        }
        // Wait for any of them.
        let done: Vec<(usize, Result<bool>)> = std::future::poll_fn(|cx| {
            let ready: Vec<(usize, Result<bool>)> = in_flight
                .iter_mut()
                .enumerate()
                .filter_map(|(i, f)| match f.as_mut().poll(cx) {
                    Poll::Ready(r) => Some((i, r)),
                    Poll::Pending => None,
                })
                .collect();
            if ready.is_empty() {
                Poll::Pending
            } else {
                Poll::Ready(ready)
            }
        })
        .await;
        for (i, result) in done.into_iter().rev() {
            drop(in_flight.swap_remove(i));
            if result? {
                tally.delivered += 1;
            } else {
                tally.failed += 1;
            }
        }
    }
}
