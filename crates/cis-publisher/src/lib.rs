//! cis-publisher
