//! Authentication and scopes for the Change API (docs/contract/change-api.md §3): the bearer token is checked before the
//! body is read; POST, PUT and DELETE need `write`, `/v2/changes` needs `read:changes`, `/v2/status` any
//! valid token.
//!
//! Token validation itself is `cis_common::auth::TokenValidator`'s; this module only decides which scope a
//! route needs and names the caller for the audit trail. It never logs the token or the header.

use cis_common::auth::Claims;
use http::HeaderMap;

use crate::error::ChangeError;
use crate::state::ChangeServiceState;

/// The scope the write routes require.
pub const WRITE_SCOPE: &str = "write";

/// The scope of `GET /v2/changes` (a user's change history).
pub const CHANGES_SCOPE: &str = "read:changes";

/// What a route needs from the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// A valid token with the `write` scope.
    Write,
    /// A valid token with the `read:changes` scope.
    Changes,
    /// A valid token, any scope.
    AnyScope,
}

/// The caller of an authenticated request.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    /// `azp` (else `sub`) of the token, for the change envelope's `client_id`; `None` under the bypass.
    pub client_id: Option<String>,
}

/// Validates the `Authorization` header and the scope `need` asks for.
pub async fn authorize(
    state: &ChangeServiceState,
    headers: &HeaderMap,
    need: Need,
) -> Result<Caller, ChangeError> {
    let claims = state.tokens.validate_headers(headers).await?;
    if need == Need::Write && !claims.scopes.contains(WRITE_SCOPE) {
        return Err(ChangeError::ScopeMissing);
    }
    if need == Need::Changes && !claims.scopes.contains(CHANGES_SCOPE) {
        return Err(ChangeError::ScopeRequired(CHANGES_SCOPE));
    }
    Ok(Caller {
        client_id: client_id(&claims),
    })
}

impl Caller {
    /// The pipeline's view of this caller: its client, or none to check under the local bypass.
    pub fn of_change(&self) -> cis_change::Caller {
        cis_change::Caller::of(self.client_id.as_deref())
    }
}

fn client_id(claims: &Claims) -> Option<String> {
    if claims.bypass {
        return None;
    }
    claims.azp.clone().or_else(|| claims.sub.clone())
}
