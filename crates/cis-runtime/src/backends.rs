//! [`Backends`]: what a deployment provides — on AWS (DynamoDB, Kinesis, SSM, the well-known keys) or
//! locally (SQLite, its outbox, development keys) — and the one wiring of the services on top of them:
//! the pipeline of each [`Role`], the Change API with its sink, the processor, the Person API.
//!
//! Direct or stream mode is decided here, once ([`Backends::change_service`]); so are the switches each
//! role's pipeline runs with. Nothing here talks to a backend: callers build the adapters.

use crate::start::StartupError;
use cis_change::{
    ChangeSink, ChangeStream, CisSigner, ClientPublishers, DirectSink, KeyProvider, Pipeline,
    PipelineDeps, StreamSink, Switches,
};
use cis_change_service::{ChangeServiceState, Limits};
use cis_common::Config;
use cis_common::auth::TokenValidator;
use cis_identity_vault::Vault;
use cis_person_api::PersonApiState;
use cis_processor::Processor;
use cis_profile::rules::PublisherRules;
use std::sync::Arc;

/// Which pipeline: the Change API runs with its `verify_*` switches, the processor with its
/// `processor_verify_*` ones (`validate_schema` is shared; all local-only, docs/configuration.md §1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    ChangeApi,
    Processor,
}

impl Role {
    pub fn switches(self, config: &Config) -> Switches {
        let cis = &config.cis;
        match self {
            Role::ChangeApi => Switches {
                verify_signatures: cis.verify_signatures,
                verify_publishers: cis.verify_publishers,
                validate_schema: cis.validate_schema,
            },
            Role::Processor => Switches {
                verify_signatures: cis.processor_verify_signatures,
                verify_publishers: cis.processor_verify_publishers,
                validate_schema: cis.validate_schema,
            },
        }
    }
}

/// The adapters of a deployment, built once per process.
#[derive(Clone)]
pub struct Backends {
    pub vault: Arc<dyn Vault>,
    /// Where the Change API appends changes in stream mode (Kinesis, the local outbox).
    pub stream: Arc<dyn ChangeStream>,
    /// The publishers' trusted keys.
    pub keys: Arc<dyn KeyProvider>,
    /// The `cis` key (only applying a change signs).
    pub cis_signer: Arc<dyn CisSigner>,
    pub rules: Arc<PublisherRules>,
    /// `None`: creates are refused with 503 rather than derive identifiers without a salt.
    pub uuid_salt: Option<String>,
    /// Which client may publish as which publisher.
    pub client_publishers: ClientPublishers,
}

impl std::fmt::Debug for Backends {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backends")
            .field("uuid_salt", &self.uuid_salt.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

impl Backends {
    /// The pipeline of `role`.
    pub fn pipeline(&self, role: Role, config: &Config) -> Arc<Pipeline> {
        let cis = &config.cis;
        Arc::new(Pipeline::new(PipelineDeps {
            vault: Arc::clone(&self.vault),
            keys: Arc::clone(&self.keys),
            cis_signer: Arc::clone(&self.cis_signer),
            rules: Arc::clone(&self.rules),
            uuid_salt: self.uuid_salt.clone(),
            switches: role.switches(config),
            write_retries: cis.vault_write_retries,
            status_retention_days: u32::try_from(cis.status_retention_days).unwrap_or(u32::MAX),
            client_publishers: self.client_publishers.clone(),
        }))
    }

    /// The Change API: its pipeline, and the sink `stream_bypass` chooses — the only place that choice
    /// is made (docs/contract/change-api.md §8).
    pub fn change_service(&self, config: &Config, tokens: TokenValidator) -> ChangeServiceState {
        let pipeline = self.pipeline(Role::ChangeApi, config);
        let concurrency = config.change_service.write_concurrency;
        let sink: Arc<dyn ChangeSink> = if config.cis.stream_bypass {
            Arc::new(DirectSink::new(Arc::clone(&pipeline), concurrency))
        } else {
            let stream = Arc::clone(&self.stream);
            Arc::new(StreamSink::new(Arc::clone(&pipeline), stream, concurrency))
        };
        let c = &config.change_service;
        let limits = Limits {
            max_body_bytes: c.max_body_bytes,
            max_batch_size: c.max_batch_size,
            write_concurrency: c.write_concurrency.max(1),
            body_timeout: std::time::Duration::from_secs(c.body_timeout_seconds),
        };
        ChangeServiceState::new(Arc::new(tokens), pipeline, sink, Arc::clone(&self.vault))
            .with_limits(limits)
            .with_allow_delete(config.cis.allow_delete)
    }

    /// The stream processor.
    pub fn processor(&self, config: &Config) -> Processor {
        Processor::new(self.pipeline(Role::Processor, config))
    }
}

/// The binding of `[cis] client_publishers`; unbound (any client, any publisher but `cis`) only in `local`.
pub fn client_publishers(config: &Config) -> Result<ClientPublishers, StartupError> {
    match &config.cis.client_publishers {
        Some(text) => ClientPublishers::from_json(text).map_err(StartupError::ClientPublishers),
        None if config.cis.environment.is_local() => Ok(ClientPublishers::Unrestricted),
        None => Err(StartupError::ClientPublishers(
            "[cis] client_publishers (CIS_CLIENT_PUBLISHERS) must say which OAuth client may publish as which \
             publisher outside environment = local"
                .into(),
        )),
    }
}

/// The Person API on `vault` (it needs nothing else of a deployment).
pub fn person_api(
    config: &Config,
    vault: Arc<dyn Vault>,
    tokens: TokenValidator,
) -> PersonApiState {
    PersonApiState::from_config(config, Arc::new(tokens), vault)
}
