//! cis-processor
