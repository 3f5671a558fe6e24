//! `GET /v2/users/id/all/by_attribute_contains?<attribute>=<value>` (mounted when `advanced_search` is on):
//! the users whose attribute matches, through `ProfileLister::search`, in pages.
//!
//! Needs `search:all` (403 `scope_missing` otherwise). Exactly one search parameter, from the original's
//! whitelist ([`SEARCHABLE`]), optionally as `not_<attribute>`; group and text attributes take a non-empty
//! text, boolean ones `true|false` (any case; the original's `bool(str)` made `False` mean true). Other
//! parameters: `active` (default true; `true|false|any`), `fullProfiles` (`true|false`, default false),
//! `filterDisplay`, `nextPage`. A user is listed only when the caller's scopes (and `filterDisplay`) would
//! show the searched attribute in that user's profile, so a search cannot reveal what a profile read would
//! hide (the original's ids-only mode was such an oracle). Answers as the original:
//! `{"users": [{"id": "<user_id>"}...], "nextPage": ...}`, or with `fullProfiles=true`
//! `{"users": [{"id": <the stored user_id attribute>, "profile": <filtered profile>}...], "nextPage": ...}`.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use cis_identity_vault::{AttributeQuery, SearchValue, StoredProfile};
use cis_profile::filter::filter_into;
use cis_profile::{AttrPath, Display, Kind};
use http::{HeaderMap, Uri};
use serde_json::{Value, json};

use crate::auth::{Caller, SEARCH_ALL, authenticate};
use crate::error::PersonApiError;
use crate::paging::{gather, page_response};
use crate::params::{Params, must_be_bool, parse_bool};
use crate::state::PersonApiState;
use crate::token::{self, Route};

/// The attributes a client may search, as the original's whitelist (in its declaration order).
pub const SEARCHABLE: [&str; 10] = [
    "access_information.ldap",
    "access_information.mozilliansorg",
    "staff_information.cost_center",
    "staff_information.office_location",
    "staff_information.team",
    "staff_information.title",
    "staff_information.worker_type",
    "staff_information.director",
    "staff_information.manager",
    "staff_information.staff",
];

/// The parameters that are not search attributes.
const RESERVED: [&str; 5] = [
    "active",
    "fullProfiles",
    "filterDisplay",
    "nextPage",
    "cached",
];

/// The one search of a request: attribute, value, negation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    pub attribute: AttrPath,
    pub value: SearchValue,
    pub negate: bool,
}

/// The search the parameters ask for: exactly one whitelisted attribute (or its `not_` form) with a value
/// of its type. 400 for none, several, an attribute outside the whitelist, or a badly typed value.
pub fn parse_search(params: &Params) -> Result<Search, PersonApiError> {
    let mut found: Vec<(&str, AttrPath, bool)> = Vec::new();
    for name in params.names().filter(|n| !RESERVED.contains(n)) {
        let (dotted, negate) = match name.strip_prefix("not_") {
            Some(rest) => (rest, true),
            None => (name, false),
        };
        if SEARCHABLE.contains(&dotted) {
            if let Some(path) = AttrPath::parse(dotted) {
                found.push((name, path, negate));
            }
        } else if AttrPath::parse(dotted).is_some() {
            return Err(PersonApiError::invalid(
                name,
                format!(
                    "not a searchable attribute; searchable: {}",
                    SEARCHABLE.join(", ")
                ),
            ));
        }
    }
    let (name, attribute, negate) = match found.as_slice() {
        [one] => *one,
        [] => {
            return Err(PersonApiError::invalid(
                "(search attribute)",
                format!(
                    "give exactly one of {} (or its not_ form)",
                    SEARCHABLE.join(", ")
                ),
            ));
        }
        many => {
            let names: Vec<&str> = many.iter().map(|(n, _, _)| *n).collect();
            return Err(PersonApiError::invalid(
                "(search attribute)",
                format!(
                    "give exactly one search attribute, not {}",
                    names.join(", ")
                ),
            ));
        }
    };
    let text = params.get(name)?.unwrap_or_default();
    let value = match attribute.kind() {
        Kind::Bool => SearchValue::Bool(
            parse_bool(text).ok_or_else(|| PersonApiError::invalid(name, must_be_bool(text)))?,
        ),
        _ if text.is_empty() => return Err(PersonApiError::invalid(name, "must not be empty")),
        _ => SearchValue::Text(text.to_owned()),
    };
    Ok(Search {
        attribute,
        value,
        negate,
    })
}

/// How each found user is rendered.
struct Render<'a> {
    caller: &'a Caller,
    attribute: AttrPath,
    filter_display: Option<Display>,
    full_profiles: bool,
}

impl Render<'_> {
    /// The user's entry, or `None` when the caller would not see the searched attribute.
    fn entry(&self, stored: StoredProfile) -> Result<Option<Vec<u8>>, PersonApiError> {
        let profile = stored.profile;
        let visible = profile
            .attr(self.attribute)
            .is_some_and(|attr| self.caller.sees(attr, self.filter_display));
        if !visible {
            return Ok(None);
        }
        let entry = if self.full_profiles {
            let id = profile
                .attr_map(AttrPath::USER_ID)
                .map_or(Value::Null, |attr| Value::Object(attr.clone()));
            let filtered = filter_into(profile, &self.caller.scopes, self.filter_display);
            json!({"id": id, "profile": filtered})
        } else {
            json!({"id": profile.user_id()})
        };
        serde_json::to_vec(&entry)
            .map(Some)
            .map_err(|e| PersonApiError::Internal(e.to_string()))
    }
}

/// `GET /v2/users/id/all/by_attribute_contains`.
#[utoipa::path(get, path = "/v2/users/id/all/by_attribute_contains", summary = "Search users by one attribute", description = "The users whose attribute matches, among those whose profile would show it to the caller; needs `search:all` and a deployment that enables the search.", tag = "users",
    params(
        ("access_information.ldap" = Option<String>, Query, min_length = 1, description = "Members of this group (exactly one search parameter per request; `not_access_information.ldap` for the others)"),
        ("access_information.mozilliansorg" = Option<String>, Query, min_length = 1, description = "Members of this group (exactly one search parameter per request; `not_access_information.mozilliansorg` for the others)"),
        ("staff_information.cost_center" = Option<String>, Query, min_length = 1, description = "Users whose value contains this text (exactly one search parameter per request; `not_staff_information.cost_center` negates)"),
        ("staff_information.office_location" = Option<String>, Query, min_length = 1, description = "Users whose value contains this text (exactly one search parameter per request; `not_staff_information.office_location` negates)"),
        ("staff_information.team" = Option<String>, Query, min_length = 1, description = "Users whose value contains this text (exactly one search parameter per request; `not_staff_information.team` negates)"),
        ("staff_information.title" = Option<String>, Query, min_length = 1, description = "Users whose value contains this text (exactly one search parameter per request; `not_staff_information.title` negates)"),
        ("staff_information.worker_type" = Option<String>, Query, min_length = 1, description = "Users whose value contains this text (exactly one search parameter per request; `not_staff_information.worker_type` negates)"),
        ("staff_information.director" = Option<String>, Query, min_length = 1, description = "`true` or `false` (exactly one search parameter per request; `not_staff_information.director` negates)"),
        ("staff_information.manager" = Option<String>, Query, min_length = 1, description = "`true` or `false` (exactly one search parameter per request; `not_staff_information.manager` negates)"),
        ("staff_information.staff" = Option<String>, Query, min_length = 1, description = "`true` or `false` (exactly one search parameter per request; `not_staff_information.staff` negates)"),
        ("active" = Option<crate::openapi::Active>, Query, description = "`true` (default), `false` or `any`"),
        ("fullProfiles" = Option<bool>, Query, description = "`true`: each hit with its filtered profile"),
        ("filterDisplay" = Option<crate::openapi::DisplayLevel>, Query, description = "Show only attributes of this display level and more public ones"),
        ("nextPage" = Option<String>, Query, description = "The `nextPage.id` of the previous page"),
    ),
    security(("oauth2" = ["search:all"])),
    responses(
        (status = 200, description = "A page of the users whose attribute matches and whose profile would show it to the caller", body = crate::openapi::SearchPage),
        (status = 404, description = "The attribute search is not enabled on this deployment (`[person_api] advanced_search`)", body = cis_common::openapi::ErrorBody),
    ))]
pub async fn by_attribute_contains(
    State(state): State<PersonApiState>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, PersonApiError> {
    let caller = authenticate(&state, &headers).await?;
    caller.require(SEARCH_ALL)?;
    let params = Params::from_uri(&uri)?;
    let search = parse_search(&params)?;
    let active = params.active()?;
    let render = Render {
        caller: &caller,
        attribute: search.attribute,
        filter_display: params.filter_display()?,
        full_profiles: params.flag("fullProfiles", false)?,
    };
    let start = token::decode_opt(Route::Search, params.next_page()?)?;
    let vault = Arc::clone(&state.vault);
    let gathered = gather(
        &state.limits,
        state.limits.search_items,
        start,
        |cursor, limit| {
            let vault = Arc::clone(&vault);
            let query = AttributeQuery {
                attribute: search.attribute,
                value: search.value.clone(),
                negate: search.negate,
                active,
                cursor,
                limit,
            };
            async move { vault.search(&query).await }
        },
        |stored| render.entry(stored),
    )
    .await?;
    let next = gathered
        .next
        .as_ref()
        .map(|cursor| token::encode(Route::Search, cursor));
    Ok(page_response("users", &gathered.items, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<Search, PersonApiError> {
        parse_search(&Params::from_pairs(pairs))
    }

    #[test]
    fn every_whitelisted_attribute_and_its_not_form_parses_with_its_type() {
        for dotted in SEARCHABLE {
            let path = AttrPath::parse(dotted).unwrap();
            let value = if path.kind() == Kind::Bool {
                "True"
            } else {
                "team_moco"
            };
            let search = parse(&[(dotted, value), ("active", "any")]).unwrap();
            assert_eq!((search.attribute, search.negate), (path, false));
            let not = format!("not_{dotted}");
            let search = parse(&[(not.as_str(), value)]).unwrap();
            assert!(search.negate);
            let expected = if path.kind() == Kind::Bool {
                SearchValue::Bool(true)
            } else {
                SearchValue::Text("team_moco".into())
            };
            assert_eq!(search.value, expected);
        }
    }

    #[test]
    fn booleans_are_typed_properly() {
        let search = parse(&[("staff_information.staff", "False")]).unwrap();
        assert_eq!(search.value, SearchValue::Bool(false));
        assert!(parse(&[("staff_information.staff", "yes")]).is_err());
        assert!(parse(&[("staff_information.staff", "")]).is_err());
    }

    #[test]
    fn zero_or_several_search_attributes_are_refused() {
        assert!(parse(&[("active", "true"), ("fullProfiles", "true")]).is_err());
        let several = parse(&[
            ("staff_information.staff", "true"),
            ("not_staff_information.manager", "true"),
        ]);
        assert!(
            several
                .unwrap_err()
                .to_string()
                .contains("not_staff_information.manager")
        );
    }

    #[test]
    fn attributes_outside_the_whitelist_and_empty_texts_are_refused() {
        assert!(parse(&[("first_name", "Jane")]).is_err());
        assert!(parse(&[("not_primary_email", "a@b.c")]).is_err());
        assert!(parse(&[("access_information.ldap", "")]).is_err());
        // unrelated parameters are ignored
        assert!(parse(&[("access_information.ldap", "g"), ("_", "1")]).is_ok());
    }
}
