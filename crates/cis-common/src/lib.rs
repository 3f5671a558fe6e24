//! cis-common
