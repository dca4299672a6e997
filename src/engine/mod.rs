//! The deterministic discrete-event simulator: time and clocks, seeded randomness, the event queue,
//! the network, nodes and stable storage, interventions, the trace and happens-before, checkpoints,
//! and the plumbing for properties.
//!
//! Nothing here touches the browser, a wall clock or ambient randomness (see ARCHITECTURE.md).

pub mod action;
pub mod byzantine;
pub mod causality;
pub mod clock;
pub mod fact;
pub mod ids;
pub mod model;
pub mod network;
pub mod property;
pub mod protocol;
pub mod queue;
pub mod register;
pub mod rng;
pub mod run;
pub mod shared;
pub mod sim;
pub mod time;
pub mod trace;
pub mod workload;
mod world;

pub use action::{Action, Scheduled};
pub use fact::Fact;
pub use ids::{EventId, MsgId, NodeId, RequestId, TimerId};
pub use protocol::{NodeStatus, NodeView, Protocol};
pub use run::Run;
pub use sim::{Ctx, Setup, Sim, Snapshot};
pub use time::SimTime;
pub use trace::{EventKind, TraceEvent};
