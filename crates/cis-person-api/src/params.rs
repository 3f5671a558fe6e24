//! Query parameters, parsed once at the edge into types: [`Params`] (the decoded pairs, a parameter given
//! twice is refused), `active` ([`Params::active`]: one meaning on every route), `filterDisplay`
//! ([`Params::filter_display`]), booleans ([`Params::flag`]).
//!
//! Parameter names are case-sensitive (as in the original); values of `active`, `filterDisplay` and the
//! booleans are not. Which parameters a route reads is the route's business; others are ignored.

use axum::extract::Query;
use cis_profile::Display;
use http::Uri;

use crate::error::PersonApiError;

/// The decoded query string of one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// The pairs of `uri`'s query (`application/x-www-form-urlencoded`: `%xx` and `+` decoded).
    pub fn from_uri(uri: &Uri) -> Result<Params, PersonApiError> {
        if uri.query().is_none() {
            return Ok(Params::default());
        }
        let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(uri).map_err(|e| {
            PersonApiError::invalid("(query string)", format!("cannot be decoded: {e}"))
        })?;
        Ok(Params { pairs })
    }

    /// Params from pairs (tests).
    #[cfg(test)]
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Params {
        Params {
            pairs: pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    /// The value of `name`; 400 when it is given more than once (which one was meant is unknowable).
    pub fn get(&self, name: &str) -> Result<Option<&str>, PersonApiError> {
        let mut values = self.pairs.iter().filter(|(k, _)| k == name);
        let first = values.next().map(|(_, v)| v.as_str());
        if values.next().is_some() {
            return Err(PersonApiError::invalid(name, "given more than once"));
        }
        Ok(first)
    }

    /// The names present, in order of appearance (duplicates included).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.pairs.iter().map(|(k, _)| k.as_str())
    }

    /// `active`: absent → only active users (`Some(true)`); `true` / `false` → that state; `any` → both
    /// (`None`). Any case. Anything else (the empty text included) → 400.
    pub fn active(&self) -> Result<Option<bool>, PersonApiError> {
        match self.get("active")? {
            None => Ok(Some(true)),
            Some(text) => parse_active(text),
        }
    }

    /// `filterDisplay`: absent → `None`; a display level in any case → that level; anything else → 400.
    pub fn filter_display(&self) -> Result<Option<Display>, PersonApiError> {
        let Some(text) = self.get("filterDisplay")? else {
            return Ok(None);
        };
        Display::parse(&text.trim().to_ascii_lowercase())
            .map(Some)
            .ok_or_else(|| {
                PersonApiError::invalid(
                    "filterDisplay",
                    format!(
                        "{text:?} is not a display level (public, authenticated, vouched, ndaed, staff, private)"
                    ),
                )
            })
    }

    /// A boolean parameter: absent → `default`; `true` / `false` in any case; anything else → 400.
    pub fn flag(&self, name: &str, default: bool) -> Result<bool, PersonApiError> {
        match self.get(name)? {
            None => Ok(default),
            Some(text) => {
                parse_bool(text).ok_or_else(|| PersonApiError::invalid(name, must_be_bool(text)))
            }
        }
    }

    /// A text parameter that must not be empty when present.
    pub fn text(&self, name: &str) -> Result<Option<&str>, PersonApiError> {
        match self.get(name)? {
            Some("") => Err(PersonApiError::invalid(name, "must not be empty")),
            other => Ok(other),
        }
    }

    /// `nextPage`: absent or empty → first page.
    pub fn next_page(&self) -> Result<Option<&str>, PersonApiError> {
        Ok(self.get("nextPage")?.filter(|t| !t.trim().is_empty()))
    }
}

/// `true` / `false` in any case (surrounding spaces ignored).
pub fn parse_bool(text: &str) -> Option<bool> {
    // Exactly the word, in any case: `true ` (a trailing space) is not `true` (docs/person-api.md).
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// The `active` filter of a value: `true`, `false` or `any` (any case).
pub fn parse_active(text: &str) -> Result<Option<bool>, PersonApiError> {
    if text.eq_ignore_ascii_case("any") {
        return Ok(None);
    }
    parse_bool(text).map(Some).ok_or_else(|| {
        PersonApiError::invalid("active", format!("{text:?} is not true, false or any"))
    })
}

pub(crate) fn must_be_bool(text: &str) -> String {
    format!("{text:?} is not true or false")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_defaults_to_true_and_accepts_three_words_in_any_case() {
        assert_eq!(Params::default().active().unwrap(), Some(true));
        for (text, expected) in [
            ("true", Some(true)),
            ("True", Some(true)),
            ("FALSE", Some(false)),
            ("false", Some(false)),
            ("any", None),
            ("ANY", None),
            ("Any", None),
        ] {
            let params = Params::from_pairs(&[("active", text)]);
            assert_eq!(params.active().unwrap(), expected, "{text}");
        }
        for text in [
            "",
            "yes",
            "1",
            "0",
            "none",
            "anything",
            "true ",
            " false",
            "any\t",
            "t\u{a0}rue",
        ] {
            assert!(
                Params::from_pairs(&[("active", text)]).active().is_err(),
                "{text}"
            );
        }
    }

    #[test]
    fn filter_display_is_case_insensitive_and_strict() {
        let params = Params::from_pairs(&[("filterDisplay", "STAFF")]);
        assert_eq!(params.filter_display().unwrap(), Some(Display::Staff));
        assert_eq!(Params::default().filter_display().unwrap(), None);
        for text in ["", "map", "none", "null", "all"] {
            let params = Params::from_pairs(&[("filterDisplay", text)]);
            assert!(params.filter_display().is_err(), "{text}");
        }
    }

    #[test]
    fn booleans_are_true_or_false_only() {
        let params = Params::from_pairs(&[("fullProfiles", "False")]);
        assert!(!params.flag("fullProfiles", true).unwrap());
        assert!(Params::default().flag("fullProfiles", true).unwrap());
        let params = Params::from_pairs(&[("fullProfiles", "1")]);
        assert!(params.flag("fullProfiles", false).is_err());
    }

    #[test]
    fn a_parameter_given_twice_is_refused() {
        let params = Params::from_pairs(&[("active", "true"), ("active", "false")]);
        assert!(params.active().is_err());
    }

    #[test]
    fn the_query_string_is_percent_and_plus_decoded() {
        let uri: Uri = "/v2/users?primaryEmail=a%2Bb%40x.org&x=a+b"
            .parse()
            .unwrap();
        let params = Params::from_uri(&uri).unwrap();
        assert_eq!(params.get("primaryEmail").unwrap(), Some("a+b@x.org"));
        assert_eq!(params.get("x").unwrap(), Some("a b"));
        assert_eq!(params.get("missing").unwrap(), None);
    }

    #[test]
    fn an_empty_next_page_means_the_first_page() {
        assert_eq!(
            Params::from_pairs(&[("nextPage", "")]).next_page().unwrap(),
            None
        );
        assert_eq!(
            Params::from_pairs(&[("nextPage", "abc")])
                .next_page()
                .unwrap(),
            Some("abc")
        );
    }
}
