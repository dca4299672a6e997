//! The replicated state machine: a key-value store that applies committed log entries in order and
//! remembers each operation's result, so a retried operation takes effect exactly once.

use crate::engine::ids::OpId;
use crate::engine::protocol::ViewTable;
use crate::engine::shared::SharedVec;
use crate::protocols::kv::{Command, KvResponse};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Hash, Default, PartialEq, Eq)]
pub struct KvStore {
    data: BTreeMap<String, String>,
    /// The result of every operation applied so far, by operation id (ids are dense), shared
    /// between checkpoints.
    results: SharedVec<Option<KvResponse>>,
}

impl KvStore {
    /// Applies one committed command and returns its result (none for a no-op). A duplicate of an
    /// operation already applied changes nothing and returns the first result.
    pub fn apply(&mut self, command: &Command) -> Option<KvResponse> {
        let op = command.op()?;
        if let Some(result) = self.result(op) {
            return Some(result.clone());
        }
        let result = match command {
            Command::Noop => return None,
            Command::Put { key, value, .. } => {
                self.data.insert(key.clone(), value.clone());
                KvResponse::Ok
            }
            Command::Append { key, value, .. } => {
                self.data.entry(key.clone()).or_default().push_str(value);
                KvResponse::Ok
            }
            Command::Get { key, .. } => self.read(key),
            Command::Sync { .. } => KvResponse::Ok,
        };
        while self.results.len() <= op.index() {
            self.results.push(None);
        }
        if let Some(slot) = self.results.get_mut(op.index()) {
            *slot = Some(result.clone());
        }
        Some(result)
    }

    /// The current value of `key`, as a get's reply.
    pub fn read(&self, key: &str) -> KvResponse {
        KvResponse::Value(self.data.get(key).cloned())
    }

    /// The result of `op` if it has been applied.
    pub fn result(&self, op: OpId) -> Option<&KvResponse> {
        self.results.get(op.index()).and_then(Option::as_ref)
    }

    pub fn data(&self) -> &BTreeMap<String, String> {
        &self.data
    }

    /// The store as the inspector shows it: a table of keys and values.
    pub fn table(&self) -> ViewTable {
        ViewTable {
            title: "Key-value store".into(),
            columns: vec!["key".into(), "value".into()],
            rows: self
                .data
                .iter()
                .map(|(k, v)| vec![k.clone(), v.clone()])
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_take_effect_once() {
        let mut kv = KvStore::default();
        let append = Command::Append {
            op: OpId(1),
            key: "x".into(),
            value: "a".into(),
        };
        kv.apply(&append);
        kv.apply(&append);
        assert_eq!(kv.read("x"), KvResponse::Value(Some("a".into())));
        assert_eq!(kv.apply(&Command::Noop), None);
    }
}
