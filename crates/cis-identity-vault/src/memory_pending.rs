//! The in-memory adapter of [`PendingChanges`]: one mark per user, in the vault's state.

use super::MemoryVault;
use crate::error::VaultResult;
use crate::ports::PendingChanges;
use async_trait::async_trait;

#[async_trait]
impl PendingChanges for MemoryVault {
    async fn mark_pending(
        &self,
        user_id: &str,
        sequence_number: &str,
        expires_at: i64,
    ) -> VaultResult<()> {
        let mark = (sequence_number.to_string(), expires_at);
        self.state()?.pending.insert(user_id.to_string(), mark);
        Ok(())
    }

    async fn is_pending(&self, user_id: &str, now: i64) -> VaultResult<bool> {
        let state = self.state()?;
        Ok(state.pending.get(user_id).is_some_and(|(_, at)| *at > now))
    }

    async fn clear_pending(&self, user_id: &str, sequence_number: &str) -> VaultResult<()> {
        let mut state = self.state()?;
        if state
            .pending
            .get(user_id)
            .is_some_and(|(s, _)| s == sequence_number)
        {
            state.pending.remove(user_id);
        }
        Ok(())
    }
}
