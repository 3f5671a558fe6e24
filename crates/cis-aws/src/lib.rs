//! cis-aws
