//! `cis token`: prints a development bearer token for the `cis serve` of a data directory, signed with its
//! issuer key and valid for an hour for both the Change API and the Person API. Local development only.

use crate::local::datadir::{ALL_SCOPES, DataDir};
use crate::local::devauth::TOKEN_TTL;
use crate::local::session::{ServeSession, dev_issuer};
use anyhow::bail;
use std::path::PathBuf;
use std::process::ExitCode;

/// Print a development bearer token for `cis serve`.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  curl -H \"Authorization: Bearer $(cis token --scopes 'classification:public display:public')\" \\\n       http://127.0.0.1:8001/v2/users"
)]
pub struct Args {
    /// Space-separated scopes, e.g. "write" or "read:fullprofile display:all"; "all" for every scope.
    #[arg(long, default_value = "classification:public display:public")]
    scopes: String,
    /// The data directory of the `cis serve` the token is for (default: $CIS_DATA_DIR or ~/.local/share/cis).
    #[arg(long, env = "CIS_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Subject of the token (the client id). With `write`, the client decides which publishers the token
    /// may publish as (`clients.json`): `publisher` may publish as any, `ldap-publisher` only as ldap, ...
    #[arg(long, default_value = "publisher")]
    client_id: String,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let dir = DataDir::resolve(args.data_dir.as_deref());
    let session = ServeSession::read(dir.root())?;
    let material = dir.load()?;
    let scopes: Vec<&str> = if args.scopes.trim() == "all" {
        ALL_SCOPES.to_vec()
    } else {
        args.scopes.split_whitespace().collect()
    };
    if let Some(unknown) = scopes.iter().find(|s| !ALL_SCOPES.contains(s)) {
        bail!(
            "unknown scope `{unknown}` (known: {})",
            ALL_SCOPES.join(" ")
        );
    }
    let issuer = dev_issuer(
        material.issuer_key,
        &session.issuer,
        &session.change_audience,
    );
    let mut claims = issuer.claims(&format!("{}@clients", args.client_id), &scopes, TOKEN_TTL);
    claims["aud"] = serde_json::Value::from(session.audiences());
    let token = issuer.try_sign(&claims)?;
    println!("{token}");
    Ok(ExitCode::SUCCESS)
}
