//! Input helpers shared by the commands: read a file argument or `-`/nothing for stdin.

use anyhow::Context;
use std::io::Read;
use std::path::Path;

/// Reads the whole input: the file at `path`, or standard input when `path` is `None` or `-`.
pub fn read_input(path: Option<&Path>) -> anyhow::Result<Vec<u8>> {
    match path {
        Some(p) if p != Path::new("-") => {
            std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))
        }
        _ => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .context("cannot read standard input")?;
            Ok(buf)
        }
    }
}
