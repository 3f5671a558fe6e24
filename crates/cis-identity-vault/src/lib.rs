//! cis-identity-vault
