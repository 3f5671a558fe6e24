//! `GET /scim/v2/Groups` and `GET /scim/v2/Groups/{id}`: the groups of the profiles the caller can read
//! (`access_information.ldap` and `.mozilliansorg` keys), each with its members. A list walks the vault;
//! one group reads only its members through the vault's attribute search.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::response::Response;
use cis_identity_vault::{AttributeQuery, SearchValue};
use cis_profile::AttrPath;
use cis_scim::group::{GroupRef, Member, of_profile, to_group};
use cis_scim::user::{UserContext, to_user};
use http::{HeaderMap, StatusCode, Uri};
use serde_json::Value;

use super::users::{Matcher, scan};
use super::{Failure, ListParams, OneRequest, base_url, scim_json};
use crate::auth::{Caller, authenticate};
use crate::error::PersonApiError;
use crate::params::Params;
use crate::state::PersonApiState;
use crate::users::{profile_json, stored_json};

/// The groups and member of one visible profile.
fn member_of(profile: &Value, base: &str) -> Option<(Member, Vec<GroupRef>)> {
    let user = to_user(
        profile,
        UserContext {
            base,
            version: None,
        },
    )?;
    let member = Member {
        id: user["id"].as_str()?.to_string(),
        display: user["displayName"].as_str().map(str::to_string),
    };
    Some((member, of_profile(profile)))
}

fn parse(bytes: &[u8]) -> Result<Value, Failure> {
    serde_json::from_slice(bytes).map_err(|e| {
        PersonApiError::Internal(format!("a filtered profile is not JSON: {e}")).into()
    })
}

/// `GET /scim/v2/Groups`.
pub async fn list(
    State(state): State<PersonApiState>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, Failure> {
    let caller = authenticate(&state, &headers).await?;
    let params = Params::from_uri(&uri)?;
    let list = ListParams::parse(&params)?;
    let base = base_url(&headers);
    let mut groups: BTreeMap<GroupRef, Vec<Member>> = BTreeMap::new();
    scan(&state, None, |stored| {
        let profile = parse(&stored_json(stored, &caller, None)?)?;
        if let Some((member, of)) = member_of(&profile, &base) {
            for group in of {
                groups.entry(group).or_default().push(member.clone());
            }
        }
        Ok(())
    })
    .await?;
    let mut matcher = Matcher::new(&list);
    for (group, members) in &groups {
        matcher.offer(to_group(group, members, &base));
    }
    Ok(scim_json(StatusCode::OK, &matcher.finish()))
}

/// `GET /scim/v2/Groups/{id}`: 404 for an id that is not `ldap:<name>` / `mozilliansorg:<name>` or a
/// group no visible profile holds.
pub async fn one(
    State(state): State<PersonApiState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, Failure> {
    let OneRequest {
        caller,
        projection,
        base,
    } = OneRequest::read(&state, &headers, &uri).await?;
    let missing = || {
        Failure::from(cis_scim::ScimError::not_found(format!(
            "no Group with id {id:?}"
        )))
    };
    let group = GroupRef::parse(&id).ok_or_else(missing)?;
    let members = members(&state, &caller, &group, &base).await?;
    if members.is_empty() {
        return Err(missing());
    }
    Ok(scim_json(
        StatusCode::OK,
        &projection.apply(to_group(&group, &members, &base)),
    ))
}

/// The members of `group` the caller can see holding it, in user_id order.
async fn members(
    state: &PersonApiState,
    caller: &Caller,
    group: &GroupRef,
    base: &str,
) -> Result<Vec<Member>, Failure> {
    let attribute = AttrPath::parse(&group.attribute()).ok_or_else(|| {
        PersonApiError::Internal(format!("{} is not an attribute", group.attribute()))
    })?;
    let mut members = Vec::new();
    let mut cursor = None;
    loop {
        let query = AttributeQuery {
            attribute,
            value: SearchValue::Text(group.name.clone()),
            negate: false,
            active: None,
            cursor,
            limit: 500,
        };
        let page = state
            .vault
            .search(&query)
            .await
            .map_err(PersonApiError::from)?;
        for stored in page.items {
            let profile = parse(&profile_json(stored.profile, caller, None)?)?;
            if let Some((member, of)) = member_of(&profile, base)
                && of.contains(group)
            {
                members.push(member);
            }
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(members),
        }
    }
}
