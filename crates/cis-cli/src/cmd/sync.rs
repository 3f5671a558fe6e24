//! `cis sync scim --target NAME`: reconciles one SCIM application with the local vault of a data
//! directory (docs/scim.md §3). Targets come from a JSON file (`--targets`, default
//! `<data dir>/scim-targets.json`); the bearer token from the environment variable or SSM parameter the
//! target names. `--dry-run` prints the plan and writes nothing; `--json` prints the report as JSON.
//! Exit code 1 when an action failed, 2 when the run could not start.

use anyhow::Context;
use cis_aws::{AwsSettings, load_sdk_config};
use cis_identity_vault::SqliteVault;
use cis_scim_sync::{HttpTarget, Options, TargetsFile, TokenSource, sync};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::local::datadir::DataDir;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Reconcile a SCIM 2.0 application with CIS: create, update, disable users; group members.
    Scim(ScimArgs),
}

#[derive(clap::Args)]
#[command(after_help = "Example targets file (docs/scim.md §3):
  {\"targets\": [{\"name\": \"chat\", \"url\": \"https://chat.example/scim/v2\",
                 \"token\": {\"env\": \"CHAT_SCIM_TOKEN\"},
                 \"select\": \"groups.value eq \\\"ldap:team_moco\\\"\",
                 \"groups\": [{\"cis\": \"ldap:team_moco\", \"name\": \"MoCo\"}]}]}

  cis sync scim --target chat --dry-run      # the plan, nothing written
  cis sync scim --target chat                # create, update, disable; then the report")]
struct ScimArgs {
    /// The target's name in the targets file.
    #[arg(long)]
    target: String,
    /// The targets file (JSON). Default: `[cis] scim_targets` (CIS_SCIM_TARGETS), else
    /// <data dir>/scim-targets.json.
    #[arg(long)]
    targets: Option<PathBuf>,
    /// Data directory of `cis serve` (its vault is the source).
    #[arg(long, env = "CIS_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Plan only: print what would change and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print the report as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    match args.command {
        Command::Scim(args) => runtime.block_on(scim(args)),
    }
}

/// The SCIM targets: `file`, else `[cis] scim_targets` (inline JSON or a path), else
/// `<data dir>/scim-targets.json` — an error when `required` and there is none.
pub fn load_targets(
    dir: &DataDir,
    file: Option<&Path>,
    setting: Option<&str>,
    required: bool,
) -> anyhow::Result<Option<TargetsFile>> {
    let default = dir.root().join("scim-targets.json");
    let path = match (file, setting) {
        (Some(path), _) => path.to_path_buf(),
        (None, Some(setting)) => return Ok(Some(TargetsFile::from_setting(setting)?)),
        (None, None) if required || default.exists() => default,
        (None, None) => return Ok(None),
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("reading the SCIM targets file {}", path.display()))?;
    Ok(Some(TargetsFile::parse(&text)?))
}

/// The target's bearer token, from where the target says (SSM through the default AWS configuration).
async fn token(source: &TokenSource) -> anyhow::Result<Option<String>> {
    let ssm = match source {
        TokenSource::Ssm(_) => {
            let sdk = load_sdk_config(&AwsSettings::default()).await;
            Some(cis_aws::ssm::SsmParameters::new(cis_aws::ssm_client(
                &sdk, None,
            )))
        }
        _ => None,
    };
    cis_runtime::webhooks::scim::resolve_token(source, ssm.as_ref())
        .await
        .map_err(anyhow::Error::msg)
}

async fn scim(args: ScimArgs) -> anyhow::Result<ExitCode> {
    let dir = DataDir::resolve(args.data_dir.as_deref());
    let config = cis_runtime::start::load_local_config(None).context("invalid configuration")?;
    let file = load_targets(
        &dir,
        args.targets.as_deref(),
        config.webhooks.scim_targets.as_deref(),
        true,
    )?
    .context("no targets file")?;
    let config = file.target(&args.target)?;
    let vault = SqliteVault::open(dir.root()).context("opening the vault")?;
    let token = token(&config.token).await?;
    let target = match HttpTarget::connect(&config.url, token, config.rate_limit).await {
        Ok(target) => target,
        Err(e) => {
            eprintln!("cannot reach target {}: {e}", config.name);
            return Ok(ExitCode::from(2));
        }
    };
    let options = Options {
        dry_run: args.dry_run,
    };
    let report = match sync(&vault, &target, config, options).await {
        Ok(report) => report,
        Err(e) => {
            eprintln!("sync of {} did not start: {e}", config.name);
            return Ok(ExitCode::from(2));
        }
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.table());
    }
    Ok(if report.failed() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
