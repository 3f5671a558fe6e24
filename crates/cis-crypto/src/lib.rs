//! cis-crypto
