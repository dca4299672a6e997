//! The shared checker library: guarantees that many protocols promise, written once over the
//! engine's facts (`engine::fact::Fact`) so a new lesson mostly reuses them. Each function returns
//! a property for any protocol whose notes state the facts it reads.
//!
//! - `broadcast`: no duplication, agreement, FIFO, causal and total order, over `Delivered` facts.
//! - `consensus`: agreement, validity, integrity and termination, over `Proposed` and `Decided`
//!   facts.

pub mod broadcast;
pub mod consensus;
