//! The outbound pipeline: plan → sign → send → record, emitting typed events and
//! never printing. Shared by `send` (once, with retries, as a batch, as load),
//! `simulate --to`, `replay`, `audit` and the web inspector, so that no command
//! imports another.

pub mod batch;
pub mod deliver;
pub mod load;
pub mod plan;
pub mod replay;

pub use deliver::{DeliverOptions, Delivered, Report, deliver};
pub use plan::{Craft, Draft, Plan, Prepared, set_path};
