//! Checking properties after a step: which ones the step is due to wake, their verdicts, and the
//! violations they record.

use super::Sim;
use crate::engine::ids::EventId;
use crate::engine::protocol::{CheckCx, Property, PropertyKind, Protocol, Verdict};
use crate::engine::time::SimTime;
use crate::engine::trace::{EventKind, Kinds, Violation};
use serde::Serialize;
use std::collections::BTreeSet;
use std::rc::Rc;

/// A property's standing, for the checkers panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PropertyState {
    /// An always property with no violation so far.
    Holding,
    /// An eventually property not yet satisfied, or a sometimes property not yet seen.
    Pending,
    Satisfied {
        at: SimTime,
    },
    Violated {
        at: SimTime,
        event: EventId,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PropertyReport {
    pub name: &'static str,
    pub kind: PropertyKind,
    pub description: &'static str,
    pub state: PropertyState,
    /// Why the declared system model does not promise this property, if it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unpromised: Option<String>,
}

#[derive(Clone, Debug)]
pub(super) struct PropSlot<P: Protocol> {
    /// Shared between copies of the run (a checkpoint, a fork, the explorer's trial) until a step
    /// is judged by it, which copies it if it is still shared (`own`).
    property: Rc<dyn Property<P>>,
    /// What the property watches (asked once), while its verdict can still change; nothing once it
    /// is satisfied or violated.
    watches: Kinds,
    state: PropertyState,
}

impl<P: Protocol> PropSlot<P> {
    /// The protocol's properties for these parameters, none judged yet.
    pub(super) fn all(params: &P::Params) -> Vec<PropSlot<P>> {
        P::properties(params)
            .into_iter()
            .map(|property| {
                let state = match property.kind() {
                    PropertyKind::Always => PropertyState::Holding,
                    PropertyKind::Eventually | PropertyKind::Sometimes => PropertyState::Pending,
                };
                PropSlot {
                    watches: property.watches(),
                    property: Rc::from(property),
                    state,
                }
            })
            .collect()
    }
}

/// `property`, to judge a step with: copied first if a copy of the run still shares it.
fn own<P: Protocol>(property: &mut Rc<dyn Property<P>>) -> &mut dyn Property<P> {
    if Rc::get_mut(property).is_none() {
        *property = property.clone_rc();
    }
    Rc::get_mut(property).expect("a property just copied is not shared")
}

impl<P: Protocol> Sim<P> {
    /// Whether an `always` property watches the clients' events: a history checker, whose
    /// memory the explorer's fingerprint must then hold (`Sim::fingerprint`).
    pub(super) fn clients_judged(&self) -> bool {
        let clients = Kinds::REQUEST.or(Kinds::RESPONSE).or(Kinds::GIVE_UP);
        self.state.properties.iter().any(|slot| {
            slot.property.kind() == PropertyKind::Always && slot.property.watches().meets(clients)
        })
    }

    /// Judges the run's steps by the properties named in `names` only, and by no other: the
    /// explorer's run, which judges nothing else, then spends nothing on the rest.
    pub(super) fn judge_only(&mut self, names: &BTreeSet<String>) {
        self.state
            .properties
            .retain(|slot| names.contains(slot.property.name()));
    }

    pub fn properties(&self) -> Vec<PropertyReport> {
        self.state
            .properties
            .iter()
            .map(|p| PropertyReport {
                name: p.property.name(),
                kind: p.property.kind(),
                description: p.property.description(),
                state: p.state,
                unpromised: self
                    .model
                    .and_then(|model| model.unmet(p.property.assumes())),
            })
            .collect()
    }

    /// Adds `STATE` to the step's kinds if it changed what a touched node's protocol watches.
    pub(super) fn note_state_changes(&mut self) {
        for touched in &self.log.step.touched {
            let slot = &mut self.world.nodes[touched.node.index()];
            let watched = slot.state.as_deref().map(P::watched);
            if watched != slot.watched {
                slot.watched = watched;
                self.log.step.kinds = self.log.step.kinds.or(Kinds::STATE);
            }
        }
    }

    pub(super) fn check(&mut self, first_new: usize, at_end: bool) {
        let mut violations = Vec::new();
        let due = if self.check_every_step || at_end {
            Kinds::ALL
        } else {
            self.log.step.kinds
        };
        let world = &self.world;
        let cx = CheckCx {
            now: world.now,
            nodes: &world.nodes,
            events: &self.log.events,
            first_new,
            touched: &self.log.step.touched,
            messages: &self.messages.sent,
            ops: &world.ops,
            responses: &self.log.responses,
            notes: &self.log.notes,
            facts: &self.log.facts,
        };
        for (i, slot) in self.state.properties.iter_mut().enumerate() {
            if !slot.watches.meets(due) {
                continue;
            }
            let property = own(&mut slot.property);
            let verdict = if at_end {
                property.at_end(&cx)
            } else {
                property.check(&cx)
            };
            match verdict {
                Verdict::Holds => {}
                Verdict::Satisfied => {
                    slot.state = PropertyState::Satisfied { at: cx.now };
                    slot.watches = Kinds::NONE;
                }
                Verdict::Violated { message, involved } => violations.push((i, message, involved)),
            }
        }
        if violations.is_empty() {
            return;
        }
        for (i, message, involved) in violations {
            let property = self.state.properties[i].property.name().to_string();
            let event = self.world.record(
                &mut self.log,
                None,
                None,
                EventKind::Violation(Box::new(Violation {
                    property,
                    message,
                    involved,
                })),
            );
            self.world.stats.violations += 1;
            let slot = &mut self.state.properties[i];
            slot.state = PropertyState::Violated {
                at: self.world.now,
                event,
            };
            slot.watches = Kinds::NONE;
        }
    }
}
