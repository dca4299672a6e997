//! The replicated key-value store that Raft and the other replication lessons share: the clients'
//! requests and replies, the commands a replicated log carries, the state machine that applies
//! them (`store`), and the check that reads are linearizable (`linearizable`).

pub mod history;
pub mod linearizable;
pub mod sequential;
pub mod store;

use crate::engine::ids::{NodeId, OpId};
use crate::engine::protocol::Outcome;
use crate::engine::register::{RegisterInput, RegisterOutput};
use crate::engine::rng::SimRng;
use serde::{Deserialize, Serialize};

/// What a log entry asks the key-value state machine to do.
#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    /// Fills a log position without an operation: Raft's new leader appends one so it can commit
    /// entries of earlier terms (paper, section 8); a Multi-Paxos leader fills gaps with them.
    Noop,
    Put {
        op: OpId,
        key: String,
        value: String,
    },
    Append {
        op: OpId,
        key: String,
        value: String,
    },
    /// A read through the log.
    Get { op: OpId, key: String },
    /// A client's sync: changes nothing, and completes once everything before it has.
    Sync { op: OpId, key: String },
}

impl Command {
    /// The command that carries client operation `op`.
    pub fn from_request(op: OpId, request: &KvRequest) -> Command {
        match request.clone() {
            KvRequest::Put { key, value } => Command::Put { op, key, value },
            KvRequest::Append { key, value } => Command::Append { op, key, value },
            KvRequest::Get { key } => Command::Get { op, key },
            KvRequest::Sync { key } => Command::Sync { op, key },
        }
    }

    /// The client operation this entry carries, if any.
    pub fn op(&self) -> Option<OpId> {
        match self {
            Command::Noop => None,
            Command::Put { op, .. }
            | Command::Append { op, .. }
            | Command::Get { op, .. }
            | Command::Sync { op, .. } => Some(*op),
        }
    }

    /// For tables and violation messages, e.g. `put x=3 (op7)`.
    pub fn describe(&self) -> String {
        match self {
            Command::Noop => "no-op".to_string(),
            Command::Put { op, key, value } => format!("put {key}={value} ({op})"),
            Command::Append { op, key, value } => format!("append {key}+={value} ({op})"),
            Command::Get { op, key } => format!("get {key} ({op})"),
            Command::Sync { op, key } => format!("sync {key} ({op})"),
        }
    }
}

/// A client operation on the replicated key-value store.
#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum KvRequest {
    Put {
        key: String,
        value: String,
    },
    Get {
        key: String,
    },
    Append {
        key: String,
        value: String,
    },
    /// ZooKeeper's sync: the next read at the same server sees every write completed before it.
    Sync {
        key: String,
    },
}

impl KvRequest {
    pub fn key(&self) -> &str {
        match self {
            KvRequest::Put { key, .. }
            | KvRequest::Get { key }
            | KvRequest::Append { key, .. }
            | KvRequest::Sync { key } => key,
        }
    }
}

/// A reply to a client.
#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KvResponse {
    /// A put or append took effect.
    Ok,
    /// A get's result (`null` when the key was never written).
    Value(Option<String>),
    /// Not the leader (or primary): try the node this one names.
    Redirect(NodeId),
}

impl KvResponse {
    /// A redirect names where to go; anything else completes the operation.
    pub fn outcome(&self) -> Outcome {
        match self {
            KvResponse::Redirect(node) => Outcome::Redirect(Some(*node)),
            KvResponse::Ok | KvResponse::Value(_) => Outcome::Done,
        }
    }
}

/// A request as a register operation (`Protocol::register_op`); a sync reads and writes nothing.
pub fn register_op(request: &KvRequest) -> Option<(&str, RegisterInput)> {
    match request {
        KvRequest::Put { key, value } => Some((key, RegisterInput::Write(value.clone()))),
        KvRequest::Append { key, value } => Some((key, RegisterInput::Append(value.clone()))),
        KvRequest::Get { key } => Some((key, RegisterInput::Read)),
        KvRequest::Sync { .. } => None,
    }
}

/// What a reply answers (`Protocol::register_answer`); a redirect answers nothing.
pub fn register_answer(response: &KvResponse) -> Option<RegisterOutput> {
    match response {
        KvResponse::Ok => Some(RegisterOutput::Written),
        KvResponse::Value(value) => Some(RegisterOutput::Value(value.clone())),
        KvResponse::Redirect(_) => None,
    }
}

/// A key's value in words, for notes and violation messages: `"ab"`, or `nothing` for a key
/// never written.
pub fn shown(value: Option<&str>) -> String {
    value.map_or_else(|| "nothing".to_string(), |v| format!("{v:?}"))
}

/// The workload generator's `seq`-th request: puts, gets and appends over three keys.
pub fn generate_request(seq: u64, rng: &mut SimRng) -> KvRequest {
    let key = ["x", "y", "z"][rng.index(3)].to_string();
    match rng.range_u64(0, 10) {
        0..=3 => KvRequest::Put {
            key,
            value: seq.to_string(),
        },
        4..=6 => KvRequest::Get { key },
        _ => KvRequest::Append {
            key,
            value: format!("+{seq}"),
        },
    }
}
