//! The two generals. n1 and n2 must attack together or not at all, and can only talk through
//! messengers who may be captured (lost messages). n1 sends messenger 1 ("attack at dawn"); each
//! general answers messenger k with messenger k + 1 ("I got your k"), up to `messengers` in all.
//! At `decide_at_us` each general attacks only if it received the last messenger addressed to it.
//!
//! Whatever the number of messengers, the sender of the last one cannot know whether it arrived,
//! and the receiver decides differently depending on whether it did: dropping the last messenger
//! makes the generals disagree, which the *Agreement* checker flags. With `retry_us`, a general
//! resends its latest messenger until the answer arrives, except the last, which nobody answers.

use crate::engine::fact::Fact;
use crate::engine::ids::{EventId, NodeId, TimerId};
use crate::engine::model::Assumption;
use crate::engine::property::sometimes;
use crate::engine::protocol::{CheckCx, NodeView, Property, PropertyKind, Protocol, Verdict};
use crate::engine::sim::Ctx;
use crate::engine::time::HOUR_US;
use crate::engine::trace::{EventKind, Kinds};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeneralsParams {
    /// How many messengers the protocol sends in all, alternating n1 → n2 → n1 ….
    #[serde(default = "default_messengers")]
    pub messengers: u32,
    /// When both generals decide, on their own clocks.
    #[serde(default = "default_decide_at")]
    pub decide_at_us: u64,
    /// Resend the latest unanswered messenger this often (0: never).
    #[serde(default)]
    pub retry_us: u64,
}

fn default_messengers() -> u32 {
    4
}

fn default_decide_at() -> u64 {
    1_000_000
}

impl Default for GeneralsParams {
    fn default() -> Self {
        GeneralsParams {
            messengers: default_messengers(),
            decide_at_us: default_decide_at(),
            retry_us: 0,
        }
    }
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, Serialize)]
pub struct Messenger {
    /// 1 is the order to attack; k > 1 acknowledges messenger k − 1.
    pub number: u32,
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum GeneralsTimer {
    Decide,
    Retry,
}

/// What a general notes: its decision at dawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum GeneralsNote {
    Decides { attack: bool },
}

impl GeneralsNote {
    fn plan(attack: bool) -> &'static str {
        if attack {
            "attack at dawn"
        } else {
            "do not attack"
        }
    }
}

impl std::fmt::Display for GeneralsNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let GeneralsNote::Decides { attack } = *self;
        write!(f, "decides: {}", GeneralsNote::plan(attack))
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct Generals {
    id: NodeId,
    params: GeneralsParams,
    /// The highest messenger received (0: none).
    received: u32,
    /// The highest messenger sent (0: none).
    sent: u32,
    decision: Option<bool>,
    retry: Option<TimerId>,
}

impl Generals {
    /// The last messenger addressed to this general, if any: n1 receives the even ones.
    fn last_for_me(&self) -> Option<u32> {
        let total = self.params.messengers;
        let mine = |k: u32| k.is_multiple_of(2) == (self.id == NodeId(0));
        (1..=total).rev().find(|&k| mine(k))
    }

    fn send(&mut self, ctx: &mut Ctx<'_, Self>, number: u32) {
        self.sent = number;
        let other = NodeId(1 - self.id.0.min(1));
        ctx.send(other, Messenger { number });
        if let Some(timer) = self.retry.take() {
            ctx.cancel_timer(timer);
        }
        // The last messenger is never answered, so resending it on a timer would go on for ever;
        // it is resent only in answer to a copy of the one before.
        if self.params.retry_us > 0 && number < self.params.messengers {
            self.retry = Some(ctx.set_timer(self.params.retry_us, GeneralsTimer::Retry));
        }
    }
}

impl Protocol for Generals {
    type Msg = Messenger;
    type Timer = GeneralsTimer;
    type Request = ();
    type Response = ();
    type Stable = ();
    type Params = GeneralsParams;
    type Note = GeneralsNote;

    const NAME: &'static str = "generals";

    fn new(id: NodeId, _nodes: u32, params: &GeneralsParams) -> Self {
        Generals {
            id,
            params: *params,
            received: 0,
            sent: 0,
            decision: None,
            retry: None,
        }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        ctx.set_timer(self.params.decide_at_us, GeneralsTimer::Decide);
        if self.id == NodeId(0) && self.params.messengers > 0 {
            self.send(ctx, 1);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, _from: NodeId, msg: &Messenger) {
        if msg.number < self.received || self.decision.is_some() {
            return;
        }
        // A copy of the latest messenger means our answer was lost: answer again.
        self.received = msg.number;
        if msg.number < self.params.messengers {
            self.send(ctx, msg.number + 1);
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: GeneralsTimer) {
        match timer {
            GeneralsTimer::Retry => {
                self.retry = None;
                let answered = self.received > self.sent;
                if !answered && self.decision.is_none() {
                    self.send(ctx, self.sent);
                }
            }
            GeneralsTimer::Decide => {
                let attack = self.last_for_me().is_none_or(|k| self.received >= k);
                self.decision = Some(attack);
                ctx.note(GeneralsNote::Decides { attack });
            }
        }
    }

    fn validate(p: &GeneralsParams, nodes: u32) -> Result<(), String> {
        if nodes != 2 {
            return Err(format!(
                "generals is a story about exactly 2 nodes, but `nodes` is {nodes}"
            ));
        }
        if p.messengers == 0 || p.messengers > 100 {
            return Err(format!(
                "`protocol.messengers` is {}, but must be from 1 to 100",
                p.messengers
            ));
        }
        if p.decide_at_us == 0 || p.decide_at_us > HOUR_US {
            return Err("`protocol.decide_at_us` must be from 1µs to one hour".into());
        }
        if p.retry_us != 0 && p.retry_us < 1_000 {
            return Err(format!(
                "`protocol.retry_us` is {}, but must be 0 (no resending) or at least 1ms",
                p.retry_us
            ));
        }
        Ok(())
    }

    fn fact(note: &GeneralsNote) -> Option<Fact> {
        let GeneralsNote::Decides { attack } = *note;
        Some(Fact::Decided {
            instance: 0,
            value: GeneralsNote::plan(attack).into(),
        })
    }

    fn msg_label(msg: &Messenger) -> String {
        if msg.number == 1 {
            "1: attack at dawn".into()
        } else {
            format!("{}: got your {}", msg.number, msg.number - 1)
        }
    }

    fn timer_name(timer: &GeneralsTimer) -> &'static str {
        match timer {
            GeneralsTimer::Decide => "dawn",
            GeneralsTimer::Retry => "resend",
        }
    }

    fn view(&self) -> NodeView {
        let expects = self
            .last_for_me()
            .map_or_else(|| "nothing".to_string(), |k| format!("messenger {k}"));
        NodeView {
            role: Some(
                match self.decision {
                    None => "waiting for dawn",
                    Some(true) => "attacking",
                    Some(false) => "holding back",
                }
                .into(),
            ),
            fields: vec![
                (
                    "highest messenger received".into(),
                    self.received.to_string(),
                ),
                ("highest messenger sent".into(), self.sent.to_string()),
                ("attacks only if it receives".into(), expects),
            ],
            tables: Vec::new(),
            log: Vec::new(),
        }
    }

    fn properties(_params: &GeneralsParams) -> Vec<Box<dyn Property<Self>>> {
        vec![
            Box::new(Agreement::default()),
            sometimes(
                "A decision",
                "A general decides at dawn, so Agreement has a decision to judge.",
                Kinds::ANNOTATE,
                |cx| {
                    cx.new_facts()
                        .any(|(_, _, fact)| matches!(fact, Fact::Decided { .. }))
                },
            ),
        ]
    }
}

/// Always: once both generals have decided, they decided the same.
#[derive(Clone, Debug, Default)]
struct Agreement {
    decided: Vec<Option<(bool, EventId)>>,
}

impl Property<Generals> for Agreement {
    fn name(&self) -> &'static str {
        "Agreement"
    }

    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }

    fn description(&self) -> &'static str {
        "Both generals attack, or neither does."
    }

    /// The two generals' impossibility: over links that may lose a messenger, or deliver it after
    /// dawn, no protocol can promise it.
    fn assumes(&self) -> &'static [Assumption] {
        &[Assumption::ReliableLinks, Assumption::Synchrony]
    }

    fn check(&mut self, cx: &CheckCx<'_, Generals>) -> Verdict {
        self.decided.resize(cx.nodes.len(), None);
        for (event, e) in cx.new_events() {
            let (Some(node), EventKind::Annotate { .. }) = (e.node, &e.kind) else {
                continue;
            };
            let Some(GeneralsNote::Decides { attack }) = cx.note(event).copied() else {
                continue;
            };
            self.decided[node.index()] = Some((attack, event));
            let other = self.decided.iter().enumerate().find_map(|(i, d)| {
                d.filter(|(a, _)| i != node.index() && *a != attack)
                    .map(|d| (i, d))
            });
            if let Some((i, (_, other_event))) = other {
                let (attacker, holder) = if attack {
                    (node, NodeId(i as u32))
                } else {
                    (NodeId(i as u32), node)
                };
                return Verdict::Violated {
                    message: format!(
                        "{attacker} attacks at dawn but {holder} does not: the generals disagree"
                    ),
                    involved: vec![other_event, event],
                };
            }
        }
        Verdict::Holds
    }

    fn clone_box(&self) -> Box<dyn Property<Generals>> {
        Box::new(self.clone())
    }
}
