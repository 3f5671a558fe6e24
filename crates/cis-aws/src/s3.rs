//! [`WellKnownBucket`]: uploads a stage's well-known documents to its S3 bucket (deploy/well-known.yml),
//! each with `Content-Type: application/json` and the `Cache-Control` CloudFront and readers follow.
//! What is uploaded, and in which order, is the caller's choice (`cis well-known publish`).

use crate::error::AwsError;
use aws_config::SdkConfig;
use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::primitives::ByteStream;

/// An S3 client for `config`; path-style addressing when an endpoint override is set (moto_server).
pub fn s3_client(config: &SdkConfig) -> aws_sdk_s3::Client {
    let builder =
        aws_sdk_s3::config::Builder::from(config).force_path_style(config.endpoint_url().is_some());
    aws_sdk_s3::Client::from_conf(builder.build())
}

/// One object as S3 stored it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uploaded {
    pub key: String,
    pub bytes: usize,
    /// The object's version (the bucket is versioned in a deployment), when S3 answered one.
    pub version_id: Option<String>,
}

/// The bucket the documents are served from, under a key prefix (`.well-known`).
#[derive(Debug, Clone)]
pub struct WellKnownBucket {
    client: aws_sdk_s3::Client,
    bucket: String,
    prefix: String,
}

impl WellKnownBucket {
    pub fn new(client: aws_sdk_s3::Client, bucket: &str, prefix: &str) -> WellKnownBucket {
        WellKnownBucket {
            client,
            bucket: bucket.to_string(),
            prefix: prefix.trim_matches('/').to_string(),
        }
    }

    /// The object key of the document `name`.
    pub fn key(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            name.to_string()
        } else {
            format!("{}/{name}", self.prefix)
        }
    }

    /// Uploads one JSON document, cacheable for `max_age_seconds`.
    pub async fn put_json(
        &self,
        name: &str,
        body: &str,
        max_age_seconds: u32,
    ) -> Result<Uploaded, AwsError> {
        let key = self.key(name);
        let answer = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(&key)
            .content_type("application/json")
            .cache_control(format!("public, max-age={max_age_seconds}"))
            .body(ByteStream::from(body.as_bytes().to_vec()))
            .send()
            .await
            .map_err(|e| AwsError::S3 {
                bucket: self.bucket.clone(),
                key: key.clone(),
                message: DisplayErrorContext(&e).to_string(),
            })?;
        Ok(Uploaded {
            key,
            bytes: body.len(),
            version_id: answer.version_id().map(str::to_string),
        })
    }
}
