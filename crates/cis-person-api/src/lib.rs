//! cis-person-api
