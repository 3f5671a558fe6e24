//! Start-up helpers of `functions/change-api` and `cis serve`. The publisher rules and the file-mode `cis`
//! key are loaded exactly as the processor loads them (one implementation, in `cis_processor::startup`);
//! `cis_common::VerificationKeys` is itself the pipeline's key provider.

pub use cis_processor::startup::{
    StartupError as WiringError, cis_signer_from_files, publisher_rules,
};
