//! The shared checker library: guarantees that many protocols promise, written once over the
//! engine's facts (`engine::fact::Fact`) so a new lesson mostly reuses them. Each function returns
//! a property for any protocol whose notes state the facts it reads.
//!
//! - `byzantine`: the Byzantine generals' IC1 and IC2, judged among the loyal nodes only.
//! - `broadcast`: no duplication, agreement, FIFO, causal and total order, over `Delivered` facts.
//! - `causal`: causal consistency, the session guarantees and eventual consistency of a
//!   key-value history, from reads-from and each session's order.
//! - `chosen`: at most one value chosen per instance, and learned only once chosen, over
//!   `Accepted` and `Decided` facts (Paxos's definition of chosen: a majority in one ballot).
//! - `commit`: atomic commit's validity (a commit needs every participant's yes), over `Voted`,
//!   `InDoubt` and `Decided` facts.
//! - `consensus`: agreement, validity, integrity and termination, over `Proposed` and `Decided`
//!   facts.
//! - `convergence`: replicas equal once the network has been quiet for a given time.
//! - `heal`: client requests complete once faults have healed (and when the system became whole).
//! - `linearizability`: client histories against a sequential model (a register; a key-value store,
//!   each key on its own), with a bounded search that answers "unknown" rather than freeze, and an
//!   explanation when no order works; and a stale-read screen cheap enough to run after every step.
//! - `sequential`: sequential consistency of client histories (each client's order kept, real time
//!   between clients ignored), over a whole key-value store at once, with the same bounded search.

pub mod broadcast;
pub mod byzantine;
pub mod causal;
pub mod chosen;
pub mod commit;
pub mod consensus;
pub mod convergence;
pub mod heal;
pub mod linearizability;
pub mod sequential;
