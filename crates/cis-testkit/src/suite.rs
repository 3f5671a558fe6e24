//! Shared suites: one set of scenarios that must hold on every vault adapter (the vault contract, the
//! Person API router suite). Each adapter's test file supplies a factory of fresh, empty vaults and
//! instantiates the suite with [`per_scenario!`](crate::per_scenario):
//!
//! ```text
//! async fn fresh() -> Subject { Subject::new(Arc::new(MemoryVault::new())) }
//! cis_testkit::per_scenario!(contract, fresh; a_stored_profile_reads_back_exactly, ...);
//! ```

use cis_identity_vault::Vault;
use std::any::Any;
use std::sync::Arc;

/// A fresh, empty vault under test, plus whatever must live as long as it (a temporary directory, a
/// server handle).
pub struct Subject {
    pub vault: Arc<dyn Vault>,
    _keep: Option<Box<dyn Any + Send + Sync>>,
}

impl Subject {
    pub fn new(vault: Arc<dyn Vault>) -> Subject {
        Subject { vault, _keep: None }
    }

    /// A vault that needs `keep` alive (dropped with the subject, after the vault).
    pub fn keeping(vault: Arc<dyn Vault>, keep: impl Any + Send + Sync) -> Subject {
        Subject {
            vault,
            _keep: Some(Box::new(keep)),
        }
    }
}

/// One `#[tokio::test]` per scenario: `$suite::$name($factory().await)` for each name. Attributes given
/// before the suite (e.g. `#[ignore = "needs moto_server"]`) go on every generated test.
#[macro_export]
macro_rules! per_scenario {
    (@one [$($attrs:tt)*] $suite:ident, $factory:path, $name:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        $($attrs)*
        async fn $name() {
            $suite::$name($factory().await).await;
        }
    };
    (@each $attrs:tt $suite:ident, $factory:path; $($name:ident),+ $(,)?) => {
        $( $crate::per_scenario!(@one $attrs $suite, $factory, $name); )+
    };
    ($(#[$meta:meta])* $suite:ident, $factory:path; $($name:ident),+ $(,)?) => {
        $crate::per_scenario!(@each [$(#[$meta])*] $suite, $factory; $($name),+);
    };
}
