//! Protocols: sans-IO state machines run by the engine, one module each.

pub mod abd;
pub mod broadcast;
pub mod byzantine;
pub mod chain;
pub mod clocksync;
pub mod crdt;
pub mod dynamo;
pub mod generals;
pub mod heartbeat;
pub mod kv;
pub mod logical;
pub mod multipaxos;
pub mod paxos;
pub mod paxos_commit;
pub mod primary_backup;
pub mod raft;
pub mod rpc;
pub mod three_phase_commit;
pub mod two_phase_commit;
