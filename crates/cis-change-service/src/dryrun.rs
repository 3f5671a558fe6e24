//! Dry runs (`POST /v2/user?dryRun=true`, `POST /v2/users?dryRun=true`; docs/change-api.md): every check the
//! real request runs — token, body, schema, user, signatures, the caller's publishers, the publisher rules
//! and the size, against the profile stored now — and nothing written: no stream record, no vault write, no
//! status record, no pending mark. An accepted item is answered with the attribute paths it would create or
//! update (and those it sends unchanged), with the publisher of each; never a stored value. A refused item
//! gets exactly the error the real request would get.

use cis_change::{Checked, Incoming};
use cis_profile::AttrPath;
use futures::StreamExt;
use http::Uri;
use serde::Serialize;

use crate::error::ChangeError;
use crate::responses::ProfileAnswer;
use crate::state::ChangeServiceState;
use crate::user::query_param;

/// What a dry run says of one attribute the profile sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AttributeVerdict {
    /// Dotted path: `staff_information.title`.
    pub path: &'static str,
    /// `create` (the stored profile did not set it), `update`, or `unchanged`.
    pub change: &'static str,
    /// The publisher that signed the value sent.
    pub publisher: Option<String>,
}

/// Whether the request asks for a dry run (`dryRun=true`; `false` or absent: no).
pub fn requested(uri: &Uri) -> Result<bool, ChangeError> {
    match query_param(uri, "dryRun").as_deref() {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(ChangeError::InvalidParameter(format!(
            "dryRun={other:?}: expected true or false"
        ))),
    }
}

/// Judges each item against the profile stored now, at most `write_concurrency` at once; verdicts in order.
pub async fn judge(
    state: &ChangeServiceState,
    items: Vec<Incoming>,
) -> Vec<Result<ProfileAnswer, ChangeError>> {
    futures::stream::iter(items)
        .map(|item| async move {
            let checked = state.pipeline.check_upsert(&item.change).await?;
            Ok(answer(&item, &checked))
        })
        .buffered(state.limits.write_concurrency.max(1))
        .collect()
        .await
}

fn answer(item: &Incoming, checked: &Checked) -> ProfileAnswer {
    let incoming = &item.change.profile;
    let attributes = AttrPath::all()
        .filter(|p| *p != AttrPath::LAST_MODIFIED)
        .filter_map(|path| {
            let attr = incoming.attr(path).filter(|a| !a.is_null())?;
            let change = if checked.created.contains(&path) {
                "create"
            } else if checked.changed.contains(&path) {
                "update"
            } else {
                "unchanged"
            };
            Some(AttributeVerdict {
                path: path.dotted(),
                change,
                publisher: attr.publisher_name().map(str::to_string),
            })
        })
        .collect();
    let condition = if checked.noop {
        "noop"
    } else {
        checked.condition.as_str()
    };
    ProfileAnswer {
        sequence_number: None,
        status_code: if checked.noop { 202 } else { 200 },
        condition: Some(condition),
        code: None,
        description: None,
        user_id: Some(item.change.user_id.as_str().to_string()),
        dry_run: Some(true),
        attributes: Some(attributes),
    }
}
