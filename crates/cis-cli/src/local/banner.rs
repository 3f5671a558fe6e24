//! The start-up banner of `cis serve`: where everything listens and how to get a token. Printed to stderr;
//! it names no secret (client secrets stay in `<data-dir>/clients.json`).

use crate::local::wiring::Urls;
use cis_common::Config;
use std::path::Path;

pub fn print(
    urls: &Urls,
    data_dir: &Path,
    trusted_from: &str,
    processing: bool,
    webhooks: &[String],
    config: &Config,
) {
    let webhooks = if webhooks.is_empty() {
        "none (cis serve --subscriptions FILE)".to_string()
    } else {
        format!(
            "{} (cis webhooks status --data-dir {})",
            webhooks.join(", "),
            data_dir.display()
        )
    };
    let mode = if config.cis.stream_bypass {
        "direct (the Change API writes the vault)"
    } else {
        "stream (outbox → processor)"
    };
    let processor = if processing {
        "running"
    } else {
        "HELD (--hold-processing): changes wait in the outbox"
    };
    let dd = data_dir.display();
    eprintln!(
        "\
CIS is running (environment {env})
  Change API   {change}/v2      audience {ca}
  Person API   {person}/v2      audience {pa}
  Authorizer   {auth}/oauth/token, {auth}/.well-known/mozilla-iam
  Data         {dd} (SQLite vault, development keys)
  Mode         {mode}; processor {processor}
  Trusted keys {trusted_from}
  Webhooks     {webhooks}
Get a token:   cis token --data-dir {dd} --scopes 'classification:public display:public'
Publish:       cis profile fake --seed 1 > jane.json && cis publish --data-dir {dd} --publisher ldap --wait jane.json
Clients for the OAuth flow are in {dd}/clients.json. Stop with Ctrl-C.",
        env = config.cis.environment,
        change = urls.change,
        person = urls.person,
        auth = urls.auth,
        ca = config.change_service.api_identifier,
        pa = config.person_api.api_identifier,
    );
}
