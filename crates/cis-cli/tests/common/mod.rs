//! Shared by the CLI tests: run the built `cis` binary with arguments and standard input.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `cis args…`, feeding `stdin`. A command that fails on its arguments may exit before reading its
/// input; the broken pipe that causes is not a test failure.
pub fn run_cis(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cis"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn cis");
    let mut input = child.stdin.take().expect("stdin");
    if let Err(e) = input.write_all(stdin) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    drop(input);
    child.wait_with_output().expect("wait for cis")
}
