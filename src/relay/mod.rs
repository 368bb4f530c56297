//! The relay: a public URL that reaches a laptop. [`server`] is `hookctl relay`,
//! [`client`] is `listen --relay`, and [`wire`] is what crosses between them.

pub mod client;
pub mod server;
pub mod wire;
