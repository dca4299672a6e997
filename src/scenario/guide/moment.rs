//! A moment of a run a guide step pauses at: a time, or the first event of a kind or the first
//! fact, optionally on a node, from or to a node, in a role, after a time.

use serde::{Deserialize, Serialize};

use crate::engine::fact::Fact;
use crate::engine::ids::{EventId, NodeId};
use crate::engine::run::Run;
use crate::engine::time::SimTime;
use crate::engine::trace::{EventKind, TraceEvent};
use crate::scenario::{Scenario, ScenarioError, err};

/// Where a step paused: at a time, or just after an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    Time(SimTime),
    Event(EventId),
}

/// The event kinds a moment can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventName {
    Send,
    Deliver,
    Drop,
    Duplicate,
    Crash,
    Restart,
    Pause,
    Resume,
    Partition,
    Heal,
    Hold,
    Release,
    /// A link's configuration changed (`set_link`).
    LinkChange,
    ClockJump,
    ClockDrift,
    /// A node turned traitor.
    Traitor,
    Request,
    Response,
    GiveUp,
    Timer,
    Violation,
}

/// The facts a moment can name (see `engine::fact`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactName {
    Delivered,
    Proposed,
    Decided,
    /// A node blocked, waiting for a decision (`in_doubt`).
    InDoubt,
    Accepted,
    ClockAdjusted,
    Suspects,
    Trusts,
    RoleChanged,
}

/// `{"at_us": 1000000}`, or `{"event": "crash", "role": "leader"}`, or
/// `{"fact": "role_changed", "role": "leader", "after_us": 1000000}`: see `docs/scenario-format.md`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Moment {
    /// A time: the run pauses when it gets there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_us: Option<SimTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<EventName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fact: Option<FactName>,
    /// The node it happens on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<NodeId>,
    /// The sender of a delivered or dropped message, or the origin of a delivered broadcast.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NodeId>,
    /// The addressee of a sent or dropped message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NodeId>,
    /// The peer a failure detector suspects or trusts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<NodeId>,
    /// The role taken (`role_changed`), or held by the node when the event happens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The violated property (`violation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
    /// Only events at or after this time count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_us: Option<SimTime>,
}

impl Moment {
    /// Checks the moment's shape; `timed` says whether a bare time is allowed here.
    pub(in crate::scenario) fn validate(
        &self,
        place: &str,
        scenario: &Scenario,
        timed: bool,
    ) -> Result<(), ScenarioError> {
        let named = usize::from(self.at_us.is_some())
            + usize::from(self.event.is_some())
            + usize::from(self.fact.is_some());
        if named != 1 {
            let what = if timed {
                "one of `at_us`, `event` or `fact`"
            } else {
                "one of `event` or `fact`"
            };
            return err(format!("{place} must name exactly {what}"));
        }
        if let Some(at) = self.at_us {
            if !timed {
                return err(format!(
                    "{place}: a task is done when something happens, so name an `event` or a \
                     `fact`, not `at_us`"
                ));
            }
            let others = self.node.is_some()
                || self.from.is_some()
                || self.to.is_some()
                || self.peer.is_some()
                || self.role.is_some()
                || self.property.is_some()
                || self.after_us.is_some();
            if others {
                return err(format!(
                    "{place}: `at_us` is a time, and takes no other fields"
                ));
            }
            return scenario.check_time(&place, at);
        }
        for node in [self.node, self.from, self.to, self.peer]
            .into_iter()
            .flatten()
        {
            scenario.check_node(&place, node)?;
        }
        if let Some(after) = self.after_us {
            scenario.check_time(&place, after)?;
        }
        let allowed = self.allowed();
        for (field, set) in [
            ("from", self.from.is_some()),
            ("to", self.to.is_some()),
            ("peer", self.peer.is_some()),
            ("property", self.property.is_some()),
            ("role", self.role.is_some()),
        ] {
            if set && !allowed.contains(&field) {
                let what = match (self.event, self.fact) {
                    (Some(e), _) => format!("the event `{}`", name_of(&e)),
                    (_, Some(f)) => format!("the fact `{}`", name_of(&f)),
                    _ => unreachable!("named is 1 and at_us is none"),
                };
                return err(format!("{place}: `{field}` does not apply to {what}"));
            }
        }
        Ok(())
    }

    /// The optional fields this moment's kind takes (besides `node` and `after_us`).
    fn allowed(&self) -> &'static [&'static str] {
        match (self.event, self.fact) {
            (Some(EventName::Send), _) => &["to", "role"],
            (Some(EventName::Deliver), _) => &["from", "role"],
            (Some(EventName::Drop | EventName::Duplicate), _) => &["from", "to"],
            (Some(EventName::Hold | EventName::Release | EventName::LinkChange), _) => {
                &["from", "to"]
            }
            (Some(EventName::Violation), _) => &["property"],
            (Some(_), _) => &["role"],
            (_, Some(FactName::Delivered)) => &["from"],
            (_, Some(FactName::Suspects | FactName::Trusts)) => &["peer"],
            (_, Some(FactName::RoleChanged)) => &["role"],
            _ => &[],
        }
    }

    /// The time this moment is, if it is a bare time.
    pub fn time(&self) -> Option<SimTime> {
        self.at_us
    }

    /// The first event from index `from` on that this moment names (never, for a bare time).
    pub fn find(&self, run: &dyn Run, from: usize) -> Option<EventId> {
        let events = run.events();
        if let Some(fact) = self.fact {
            let facts = run.facts();
            let start = facts.partition_point(|(e, _)| e.index() < from);
            return facts[start..]
                .iter()
                .find(|(e, f)| self.fact_matches(fact, &events[e.index()], f))
                .map(|(e, _)| *e);
        }
        let name = self.event?;
        (from..events.len())
            .find(|&i| self.event_matches(run, name, i, &events[i]))
            .map(|i| EventId(i as u32))
    }

    fn common(&self, event: &TraceEvent) -> bool {
        self.after_us.is_none_or(|after| event.time >= after)
            && self.node.is_none_or(|node| event.node == Some(node))
    }

    fn fact_matches(&self, name: FactName, event: &TraceEvent, fact: &Fact) -> bool {
        if !self.common(event) {
            return false;
        }
        match (name, fact) {
            (FactName::Delivered, Fact::Delivered { origin, .. }) => {
                self.from.is_none_or(|from| from == *origin)
            }
            (FactName::Proposed, Fact::Proposed { .. })
            | (FactName::Decided, Fact::Decided { .. })
            | (FactName::InDoubt, Fact::InDoubt { .. })
            | (FactName::Accepted, Fact::Accepted { .. })
            | (FactName::ClockAdjusted, Fact::ClockAdjusted { .. }) => true,
            (FactName::Suspects, Fact::Suspects { peer })
            | (FactName::Trusts, Fact::Trusts { peer }) => {
                self.peer.is_none_or(|want| want == *peer)
            }
            (FactName::RoleChanged, Fact::RoleChanged { role, .. }) => {
                self.role.as_deref().is_none_or(|want| want == *role)
            }
            _ => false,
        }
    }

    fn event_matches(
        &self,
        run: &dyn Run,
        name: EventName,
        index: usize,
        event: &TraceEvent,
    ) -> bool {
        if !self.common(event) {
            return false;
        }
        let kind = match (name, &event.kind) {
            (EventName::Send, EventKind::Send { to, .. }) => self.to.is_none_or(|want| want == *to),
            (EventName::Deliver, EventKind::Deliver { from, .. }) => {
                self.from.is_none_or(|want| want == *from)
            }
            (EventName::Drop, EventKind::Drop { from, to, .. }) => {
                self.from.is_none_or(|want| want == *from) && self.to.is_none_or(|want| want == *to)
            }
            (EventName::Duplicate, EventKind::Duplicate { from, to, .. })
            | (EventName::Hold, EventKind::Hold { from, to })
            | (EventName::Release, EventKind::Release { from, to })
            | (EventName::LinkChange, EventKind::LinkChange { from, to, .. }) => {
                self.from.is_none_or(|want| want == *from) && self.to.is_none_or(|want| want == *to)
            }
            (EventName::Violation, EventKind::Violation(v)) => self
                .property
                .as_deref()
                .is_none_or(|want| want == v.property),
            (EventName::Crash, EventKind::Crash)
            | (EventName::Restart, EventKind::Restart)
            | (EventName::Pause, EventKind::Pause)
            | (EventName::Resume, EventKind::Resume)
            | (
                EventName::Partition,
                EventKind::Partition { .. } | EventKind::PartitionOneWay { .. },
            )
            | (EventName::Heal, EventKind::Heal)
            | (EventName::ClockJump, EventKind::ClockJump { .. })
            | (EventName::ClockDrift, EventKind::ClockDrift { .. })
            | (EventName::Traitor, EventKind::Traitor { .. })
            | (EventName::Request, EventKind::Request { .. })
            | (EventName::Response, EventKind::Response { .. })
            | (EventName::GiveUp, EventKind::GiveUp { .. })
            | (EventName::Timer, EventKind::TimerFire { .. }) => true,
            _ => false,
        };
        kind && self.role.as_deref().is_none_or(|want| {
            event.node.and_then(|node| role_before(run, node, index)) == Some(want)
        })
    }
}

/// The role `node` last took before the event at `index`, from its `role_changed` facts.
fn role_before(run: &dyn Run, node: NodeId, index: usize) -> Option<&'static str> {
    let events = run.events();
    let facts = run.facts();
    let end = facts.partition_point(|(e, _)| e.index() < index);
    facts[..end].iter().rev().find_map(|(e, fact)| match fact {
        Fact::RoleChanged { role, .. } if events[e.index()].node == Some(node) => Some(*role),
        _ => None,
    })
}

/// The snake-case name serde gives a unit variant.
fn name_of<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
