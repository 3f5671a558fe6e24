//! A publishing run: post prepared profiles singly (concurrently) or in batches, optionally wait for the
//! processor's verdict on each accepted change, and summarise one line per profile.

use crate::client::{ChangeClient, ChangeResult, ClientError};
use cis_profile::Profile;
use futures::StreamExt;
use std::time::Duration;

/// How to publish.
#[derive(Debug, Clone)]
pub struct PublishOptions {
    /// 1 = one `POST /v2/user` per profile; more = `POST /v2/users` with up to this many profiles.
    pub batch_size: usize,
    /// Single posts in flight at once.
    pub concurrency: usize,
    /// Wait this long per change for `/v2/status` to say processed/noop/failed.
    pub wait: Option<Duration>,
}

impl Default for PublishOptions {
    fn default() -> Self {
        PublishOptions {
            batch_size: 1,
            concurrency: 8,
            wait: None,
        }
    }
}

/// What happened to one profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted by the Change API (durable), not waited for.
    Accepted {
        sequence_number: String,
        condition: String,
    },
    /// Nothing to change.
    Noop,
    /// Refused by the Change API or by the client before sending.
    Rejected {
        status: u16,
        code: String,
        description: String,
    },
    /// Stored by the processor (after `--wait`).
    Processed {
        sequence_number: String,
        condition: String,
    },
    /// Accepted, then refused by the processor against a newer stored profile.
    Failed {
        sequence_number: String,
        code: String,
        description: String,
    },
    /// Accepted, but still unprocessed when the wait ran out.
    Pending { sequence_number: String },
    /// Could not be sent (network, server error after retries).
    Error(String),
}

impl Outcome {
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Accepted { .. } => "accepted",
            Outcome::Noop => "noop",
            Outcome::Rejected { .. } => "rejected",
            Outcome::Processed { .. } => "processed",
            Outcome::Failed { .. } => "failed",
            Outcome::Pending { .. } => "pending",
            Outcome::Error(_) => "error",
        }
    }
    /// Accepted, processed, pending or noop: nothing for the publisher to fix.
    pub fn is_success(&self) -> bool {
        matches!(
            self,
            Outcome::Accepted { .. }
                | Outcome::Noop
                | Outcome::Processed { .. }
                | Outcome::Pending { .. }
        )
    }
}

/// One line of the summary: the profile's position in the input, its user and what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileReport {
    pub index: usize,
    pub user_id: Option<String>,
    pub outcome: Outcome,
}

/// Every profile's report, in input order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublishSummary {
    pub reports: Vec<ProfileReport>,
}

impl PublishSummary {
    pub fn count(&self, label: &str) -> usize {
        self.reports
            .iter()
            .filter(|r| r.outcome.label() == label)
            .count()
    }
    pub fn all_succeeded(&self) -> bool {
        self.reports.iter().all(|r| r.outcome.is_success())
    }
}

/// Posts `profiles` (already prepared and signed; `usize` is the input position) and reports on each.
/// `progress` is called with the number of profiles done so far.
pub async fn publish(
    client: &ChangeClient,
    profiles: Vec<(usize, Profile)>,
    options: &PublishOptions,
    progress: &(dyn Fn(usize) + Sync),
) -> PublishSummary {
    let mut reports = Vec::with_capacity(profiles.len());
    if options.batch_size > 1 {
        for chunk in profiles.chunks(options.batch_size) {
            let batch: Vec<Profile> = chunk.iter().map(|(_, p)| p.clone()).collect();
            match client.post_batch(&batch).await {
                Ok(results) => {
                    for ((index, profile), result) in chunk.iter().zip(results) {
                        reports.push(report(*index, profile, Ok(result)));
                    }
                }
                Err(e) => {
                    let msg = e.to_string();
                    reports.extend(
                        chunk
                            .iter()
                            .map(|(i, p)| report(*i, p, Err(ClientError::Unexpected(msg.clone())))),
                    );
                }
            }
            progress(reports.len());
        }
    } else {
        let mut stream = futures::stream::iter(profiles.iter())
            .map(|(index, profile)| async move {
                report(*index, profile, client.post_profile(profile).await)
            })
            .buffered(options.concurrency.max(1));
        while let Some(r) = stream.next().await {
            reports.push(r);
            progress(reports.len());
        }
    }
    if let Some(wait) = options.wait {
        for r in &mut reports {
            if let Outcome::Accepted {
                sequence_number,
                condition,
            } = &r.outcome
            {
                r.outcome = match client.wait_for(sequence_number, wait).await {
                    Ok(s) => match s.state.as_str() {
                        "processed" => Outcome::Processed {
                            sequence_number: s.sequence_number,
                            condition: condition.clone(),
                        },
                        "noop" => Outcome::Noop,
                        "failed" => {
                            let err = s.error.unwrap_or(crate::client::ErrorBody {
                                code: "failed".into(),
                                description: String::new(),
                            });
                            Outcome::Failed {
                                sequence_number: s.sequence_number,
                                code: err.code,
                                description: err.description,
                            }
                        }
                        _ => Outcome::Pending {
                            sequence_number: s.sequence_number,
                        },
                    },
                    Err(e) => Outcome::Error(format!("status of {sequence_number}: {e}")),
                };
            }
        }
    }
    reports.sort_by_key(|r| r.index);
    PublishSummary { reports }
}

fn report(
    index: usize,
    profile: &Profile,
    result: Result<ChangeResult, ClientError>,
) -> ProfileReport {
    let user_id = profile.user_id().map(str::to_string);
    let outcome = match result {
        Err(e) => Outcome::Error(e.to_string()),
        Ok(r) => match (r.status_code, r.sequence_number) {
            (200, Some(seq)) => Outcome::Accepted {
                sequence_number: seq,
                condition: r.condition.unwrap_or_default(),
            },
            (202, _) => Outcome::Noop,
            (503, _) => Outcome::Error(
                r.description
                    .unwrap_or_else(|| "backend unavailable".into()),
            ),
            (status, _) => Outcome::Rejected {
                status,
                code: r.code.unwrap_or_default(),
                description: r.description.unwrap_or_default(),
            },
        },
    };
    ProfileReport {
        index,
        user_id,
        outcome,
    }
}
