//! Attribute search (`/v2/users/id/all/by_attribute_contains`): a paged `Scan` of full profiles, each
//! decided by `crate::search::query_matches`, the one definition of what matches that every adapter shares.

use super::DynamoVault;
use super::scan::{Source, Walk, start_key};
use crate::error::VaultResult;
use crate::model::{AttributeQuery, Page, StoredProfile};
use crate::search::query_matches;

impl DynamoVault {
    pub(crate) async fn walk_search(
        &self,
        query: &AttributeQuery,
    ) -> VaultResult<Page<StoredProfile>> {
        let mut source = Source::profiles(query.active);
        source.filtered_locally = true;
        let start = start_key(Walk::Table, query.cursor.as_ref(), None)?;
        let walked = self
            .walk(&source, start, query.limit, |item| {
                let stored = StoredProfile::try_from(item)?;
                Ok(query_matches(&stored.profile, query).then_some(stored))
            })
            .await?;
        let mut items = walked.items;
        items.sort_by(|a, b| a.profile.user_id().cmp(&b.profile.user_id()));
        Ok(Page {
            items,
            next: walked.next,
        })
    }
}
