//! Protocols: sans-IO state machines run by the engine, one module each.

pub mod heartbeat;
pub mod raft;
