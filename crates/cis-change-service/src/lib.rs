//! cis-change-service
