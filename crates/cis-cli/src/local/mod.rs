//! The local, single-machine side of CIS: the data directory with its development material, and the
//! development authorizer and the webhook notifier that `cis serve` runs. Nothing here is used on Lambda.

pub mod banner;
pub mod datadir;
pub mod devauth;
pub mod server;
pub mod session;
pub mod webhooks;
pub mod wiring;
