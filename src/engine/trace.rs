//! The trace: every event of a run, in the order the engine processed them, with true time, the
//! node's clock reading, a Lamport timestamp and causal parents. Vector timestamps are derived from
//! the parents on demand (see `causality`), so an event's size does not grow with the node count.

use crate::engine::byzantine::Strategy;
use crate::engine::ids::{EventId, MsgId, NodeId, OpId, RequestId, TimerId};
use crate::engine::network::LinkConfig;
use crate::engine::time::SimTime;
use serde::Serialize;
use std::rc::Rc;

/// Why a message never reached its destination's protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    /// The link lost it (its loss ratio).
    Lost,
    /// A partition stood between sender and receiver.
    Partitioned,
    /// The destination was crashed when it arrived.
    DestinationCrashed,
    /// It had arrived, but the destination crashed before processing it.
    CrashedBeforeProcessing,
    /// Someone dropped it by hand.
    ByUser,
}

impl DropReason {
    pub fn describe(self) -> &'static str {
        match self {
            DropReason::Lost => "lost by the link",
            DropReason::Partitioned => "blocked by a partition",
            DropReason::DestinationCrashed => "the destination was crashed",
            DropReason::CrashedBeforeProcessing => "the destination crashed before processing it",
            DropReason::ByUser => "dropped by hand",
        }
    }
}

/// A safety or liveness property found broken, pointing at the events that show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub property: String,
    pub message: String,
    pub involved: Vec<EventId>,
}

/// What happened. Node events (`node` is set) take part in causality; network events (drops,
/// duplicates, partitions, …) and violations have no node and no timestamps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    Start,
    Send {
        to: NodeId,
        msg: MsgId,
    },
    Deliver {
        from: NodeId,
        msg: MsgId,
        send: EventId,
    },
    Drop {
        from: NodeId,
        to: NodeId,
        msg: MsgId,
        send: EventId,
        reason: DropReason,
    },
    Duplicate {
        from: NodeId,
        to: NodeId,
        msg: MsgId,
        send: EventId,
    },
    /// The link `from → to` altered a copy of message `msg` on the way: it arrives as `forged`.
    Corrupt {
        from: NodeId,
        to: NodeId,
        msg: MsgId,
        forged: MsgId,
        send: EventId,
    },
    TimerSet {
        timer: TimerId,
        name: &'static str,
        after_us: u64,
    },
    TimerFire {
        timer: TimerId,
        name: &'static str,
    },
    TimerCancel {
        timer: TimerId,
        name: &'static str,
    },
    Crash,
    Restart,
    Pause,
    Resume,
    Partition {
        groups: Box<Vec<Vec<NodeId>>>,
    },
    PartitionOneWay {
        from: Box<Vec<NodeId>>,
        to: Box<Vec<NodeId>>,
    },
    Heal,
    Hold {
        from: NodeId,
        to: NodeId,
    },
    Release {
        from: NodeId,
        to: NodeId,
    },
    LinkChange {
        from: NodeId,
        to: NodeId,
        config: Box<LinkConfig>,
    },
    ClockJump {
        by_us: i64,
    },
    ClockDrift {
        ppm: i32,
    },
    /// The node turned traitor: from now on it lies by `strategy`.
    Traitor {
        strategy: Strategy,
    },
    Request {
        id: RequestId,
        op: OpId,
        attempt: u32,
    },
    RequestDrop {
        id: RequestId,
        op: OpId,
        node: NodeId,
    },
    Response {
        id: RequestId,
        op: OpId,
    },
    /// The client stopped retrying an operation.
    GiveUp {
        op: OpId,
    },
    Persist {
        what: &'static str,
    },
    Annotate {
        /// Shared, so copying a trace (the explorer forks runs) copies no text.
        text: Rc<str>,
    },
    Violation(Box<Violation>),
}

/// A set of event kinds, one bit each, plus `STATE` and one per kind of fact: properties name the
/// kinds of event that can change their verdict, and the engine skips a property after a step with
/// none of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Kinds(u64);

impl Kinds {
    pub const NONE: Kinds = Kinds(0);
    pub const ALL: Kinds = Kinds(u64::MAX);
    pub const START: Kinds = Kinds(1 << 0);
    pub const SEND: Kinds = Kinds(1 << 1);
    pub const DELIVER: Kinds = Kinds(1 << 2);
    pub const DROP: Kinds = Kinds(1 << 3);
    pub const DUPLICATE: Kinds = Kinds(1 << 4);
    pub const TIMER_SET: Kinds = Kinds(1 << 5);
    pub const TIMER_FIRE: Kinds = Kinds(1 << 6);
    pub const TIMER_CANCEL: Kinds = Kinds(1 << 7);
    pub const CRASH: Kinds = Kinds(1 << 8);
    pub const RESTART: Kinds = Kinds(1 << 9);
    pub const PAUSE: Kinds = Kinds(1 << 10);
    pub const RESUME: Kinds = Kinds(1 << 11);
    pub const PARTITION: Kinds = Kinds(1 << 12);
    pub const PARTITION_ONE_WAY: Kinds = Kinds(1 << 13);
    pub const HEAL: Kinds = Kinds(1 << 14);
    pub const HOLD: Kinds = Kinds(1 << 15);
    pub const RELEASE: Kinds = Kinds(1 << 16);
    pub const LINK_CHANGE: Kinds = Kinds(1 << 17);
    pub const CLOCK_JUMP: Kinds = Kinds(1 << 18);
    pub const CLOCK_DRIFT: Kinds = Kinds(1 << 19);
    pub const REQUEST: Kinds = Kinds(1 << 20);
    pub const REQUEST_DROP: Kinds = Kinds(1 << 21);
    pub const RESPONSE: Kinds = Kinds(1 << 22);
    pub const GIVE_UP: Kinds = Kinds(1 << 23);
    pub const PERSIST: Kinds = Kinds(1 << 24);
    pub const ANNOTATE: Kinds = Kinds(1 << 25);
    pub const VIOLATION: Kinds = Kinds(1 << 26);
    /// Not an event: the step changed what `Protocol::watched` reads on a node it touched.
    pub const STATE: Kinds = Kinds(1 << 27);
    pub const TRAITOR: Kinds = Kinds(1 << 28);
    pub const CORRUPT: Kinds = Kinds(1 << 29);
    /// Not events: the step stated a fact of this kind (a note for which `Protocol::fact` gives
    /// one; see [`crate::engine::fact::Fact::kinds`]). What a checker reading only facts
    /// watches, rather than every note.
    pub const DELIVERED: Kinds = Kinds(1 << 32);
    pub const PROPOSED: Kinds = Kinds(1 << 33);
    pub const DECIDED: Kinds = Kinds(1 << 34);
    pub const IN_DOUBT: Kinds = Kinds(1 << 35);
    pub const VOTED: Kinds = Kinds(1 << 36);
    pub const ACCEPTED: Kinds = Kinds(1 << 37);
    pub const CLOCK_ADJUSTED: Kinds = Kinds(1 << 38);
    pub const SUSPECTS: Kinds = Kinds(1 << 39);
    pub const TRUSTS: Kinds = Kinds(1 << 40);
    pub const ROLE_CHANGED: Kinds = Kinds(1 << 41);

    /// Both sets together.
    pub const fn or(self, other: Kinds) -> Kinds {
        Kinds(self.0 | other.0)
    }

    /// True when the sets share a kind.
    pub const fn meets(self, other: Kinds) -> bool {
        self.0 & other.0 != 0
    }
}

impl EventKind {
    /// A short lowercase name for the kind, as used in JSON (`"send"`, `"timer_fire"`, …).
    pub fn name(&self) -> &'static str {
        self.tag().0
    }

    /// The kind as a one-element set.
    pub fn kinds(&self) -> Kinds {
        self.tag().1
    }

    fn tag(&self) -> (&'static str, Kinds) {
        match self {
            EventKind::Start => ("start", Kinds::START),
            EventKind::Send { .. } => ("send", Kinds::SEND),
            EventKind::Deliver { .. } => ("deliver", Kinds::DELIVER),
            EventKind::Drop { .. } => ("drop", Kinds::DROP),
            EventKind::Duplicate { .. } => ("duplicate", Kinds::DUPLICATE),
            EventKind::Corrupt { .. } => ("corrupt", Kinds::CORRUPT),
            EventKind::TimerSet { .. } => ("timer_set", Kinds::TIMER_SET),
            EventKind::TimerFire { .. } => ("timer_fire", Kinds::TIMER_FIRE),
            EventKind::TimerCancel { .. } => ("timer_cancel", Kinds::TIMER_CANCEL),
            EventKind::Crash => ("crash", Kinds::CRASH),
            EventKind::Restart => ("restart", Kinds::RESTART),
            EventKind::Pause => ("pause", Kinds::PAUSE),
            EventKind::Resume => ("resume", Kinds::RESUME),
            EventKind::Partition { .. } => ("partition", Kinds::PARTITION),
            EventKind::PartitionOneWay { .. } => ("partition_one_way", Kinds::PARTITION_ONE_WAY),
            EventKind::Heal => ("heal", Kinds::HEAL),
            EventKind::Hold { .. } => ("hold", Kinds::HOLD),
            EventKind::Release { .. } => ("release", Kinds::RELEASE),
            EventKind::LinkChange { .. } => ("link_change", Kinds::LINK_CHANGE),
            EventKind::ClockJump { .. } => ("clock_jump", Kinds::CLOCK_JUMP),
            EventKind::ClockDrift { .. } => ("clock_drift", Kinds::CLOCK_DRIFT),
            EventKind::Traitor { .. } => ("traitor", Kinds::TRAITOR),
            EventKind::Request { .. } => ("request", Kinds::REQUEST),
            EventKind::RequestDrop { .. } => ("request_drop", Kinds::REQUEST_DROP),
            EventKind::Response { .. } => ("response", Kinds::RESPONSE),
            EventKind::GiveUp { .. } => ("give_up", Kinds::GIVE_UP),
            EventKind::Persist { .. } => ("persist", Kinds::PERSIST),
            EventKind::Annotate { .. } => ("annotate", Kinds::ANNOTATE),
            EventKind::Violation(_) => ("violation", Kinds::VIOLATION),
        }
    }
}

/// One event of the run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TraceEvent {
    /// True simulated time.
    pub time: SimTime,
    /// The node it happened on; `None` for network events and violations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<NodeId>,
    /// The node's wall-clock reading at that instant (0 for network events).
    pub local_us: i64,
    /// Lamport timestamp (0 for network events).
    pub lamport: u64,
    /// The previous event on the same node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev: Option<EventId>,
    /// The other causal parent: the send of a delivery, the timer set of a fire, the request of a
    /// response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<EventId>,
    #[serde(flatten)]
    pub kind: EventKind,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_stay_small() {
        // Memory per event must not grow with the cluster: keep the fixed part compact.
        assert!(
            std::mem::size_of::<TraceEvent>() <= 88,
            "{}",
            std::mem::size_of::<TraceEvent>()
        );
    }
}
