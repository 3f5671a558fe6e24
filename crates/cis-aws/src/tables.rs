//! Which DynamoDB tables the vault uses (docs/contract/processor-and-vault.md §5.1, §6; docs/configuration.md §2):
//! `dynamodb_arn` (the name after `table/`) wins; else `<environment>-identity-vault` when it exists; else
//! the one table tagged `cis_environment=<environment>`, `application=identity-vault`, found by paging
//! through every table; else the default name (which the curator creates). The status table is
//! `status_table_name` or `<environment>-identity-vault-status`.

use crate::error::AwsError;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::describe_table::DescribeTableError;
use cis_identity_vault::dynamodb::{TableNames, table_name_from_arn};
use tracing::info;

/// The configuration keys that name the tables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableSettings {
    /// `environment`.
    pub environment: String,
    /// `dynamodb_arn`: skips name and tag discovery.
    pub dynamodb_arn: Option<String>,
    /// `status_table_name`.
    pub status_table_name: Option<String>,
}

impl TableSettings {
    pub fn new(environment: &str) -> TableSettings {
        TableSettings {
            environment: environment.to_string(),
            ..TableSettings::default()
        }
    }
}

/// The tag that marks the vault table's application.
pub const VAULT_APPLICATION: &str = "identity-vault";

fn dynamo_error<E, R>(operation: &str, err: &SdkError<E, R>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let message = match err {
        SdkError::ServiceError(s) => {
            format!(
                "{}: {}",
                s.err().code().unwrap_or("UnknownError"),
                s.err().message().unwrap_or("no message")
            )
        }
        other => aws_sdk_dynamodb::error::DisplayErrorContext(other).to_string(),
    };
    AwsError::DynamoDb {
        operation: operation.to_string(),
        message,
    }
}

/// Resolves the vault and status table names (see the module documentation).
pub async fn resolve_table_names(
    client: &Client,
    settings: &TableSettings,
) -> Result<TableNames, AwsError> {
    let defaults = TableNames::for_environment(&settings.environment);
    let status = settings
        .status_table_name
        .clone()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or(defaults.status);
    if let Some(arn) = settings
        .dynamodb_arn
        .as_deref()
        .filter(|a| !a.trim().is_empty())
    {
        let name = table_name_from_arn(arn.trim())
            .ok_or_else(|| AwsError::InvalidTableArn(arn.to_string()))?;
        return Ok(TableNames::new(name, status));
    }
    if table_arn(client, &defaults.vault).await?.is_some() {
        return Ok(TableNames::new(defaults.vault, status));
    }
    let found = tables_tagged(client, &settings.environment, VAULT_APPLICATION).await?;
    match found.as_slice() {
        [] => Ok(TableNames::new(defaults.vault, status)),
        [one] => {
            info!(table = %one, environment = %settings.environment, "vault table found by its tags");
            Ok(TableNames::new(one.clone(), status))
        }
        many => Err(AwsError::AmbiguousTables {
            environment: settings.environment.clone(),
            tables: many.join(", "),
        }),
    }
}

/// The table's ARN; `None` when it does not exist.
async fn table_arn(client: &Client, table: &str) -> Result<Option<String>, AwsError> {
    match client.describe_table().table_name(table).send().await {
        Ok(out) => Ok(out.table.and_then(|t| t.table_arn)),
        Err(e)
            if matches!(
                e.as_service_error(),
                Some(DescribeTableError::ResourceNotFoundException(_))
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(dynamo_error("DescribeTable", &e)),
    }
}

/// Every table tagged `cis_environment=<environment>` and `application=<application>`.
pub async fn tables_tagged(
    client: &Client,
    environment: &str,
    application: &str,
) -> Result<Vec<String>, AwsError> {
    let mut found = Vec::new();
    let mut start: Option<String> = None;
    loop {
        let page = client
            .list_tables()
            .set_exclusive_start_table_name(start.take())
            .send()
            .await
            .map_err(|e| dynamo_error("ListTables", &e))?;
        for table in page.table_names() {
            // A table deleted between the listing and here is simply not a candidate.
            let Some(arn) = table_arn(client, table).await? else {
                continue;
            };
            let tags = tags_of(client, &arn).await?;
            let has = |k: &str, v: &str| tags.iter().any(|(tk, tv)| tk == k && tv == v);
            if has("cis_environment", environment) && has("application", application) {
                found.push(table.clone());
            }
        }
        match page.last_evaluated_table_name {
            Some(last) if !last.is_empty() => start = Some(last),
            _ => return Ok(found),
        }
    }
}

async fn tags_of(client: &Client, arn: &str) -> Result<Vec<(String, String)>, AwsError> {
    let mut tags = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .list_tags_of_resource()
            .resource_arn(arn)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| dynamo_error("ListTagsOfResource", &e))?;
        tags.extend(
            page.tags()
                .iter()
                .map(|t| (t.key().to_string(), t.value().to_string())),
        );
        match page.next_token {
            Some(next) if !next.is_empty() => token = Some(next),
            _ => return Ok(tags),
        }
    }
}
