//! cis-logging
