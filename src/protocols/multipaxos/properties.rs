//! Multi-Paxos's checkers: one command chosen per slot (the library's tally of votes, read from
//! the acceptors' messages), the same command applied at each slot on every replica, linearizable
//! reads, and, once faults heal, a leader and completed requests.

use super::{MpMsg, MultiPaxos, MultiPaxosParams, Role};
use crate::checks::chosen::{Vote, one_value_chosen_from};
use crate::checks::heal::{FAULTS, FaultWatch, requests_after_heal};
use crate::engine::fact::Fact;
use crate::engine::ids::EventId;
use crate::engine::property::{always, eventually, sometimes};
use crate::engine::protocol::{CheckCx, Property, Verdict};
use crate::engine::shared::SharedVec;
use crate::engine::trace::{EventKind, Kinds};
use crate::protocols::kv::Command;
use crate::protocols::kv::linearizable::linearizable_reads;
use std::rc::Rc;

pub fn all(params: &MultiPaxosParams) -> Vec<Box<dyn Property<MultiPaxos>>> {
    vec![
        one_value_chosen_from(None, "slot", Kinds::SEND, votes),
        applied_logs_agree(),
        linearizable_reads(),
        leader_after_heal(params.liveness_bound_us),
        requests_after_heal(params.liveness_bound_us),
        sometimes(
            "A leader",
            "Some node's ballot is promised by a majority, so it leads.",
            Kinds::ANNOTATE,
            |cx| {
                cx.new_facts()
                    .any(|(_, _, fact)| matches!(fact, Fact::RoleChanged { role: "leader", .. }))
            },
        ),
        sometimes(
            "A slot chosen",
            "Some replica learns a chosen command, so the agreement checkers have slots to judge.",
            Kinds::STATE,
            |cx| {
                cx.touched.iter().any(|t| {
                    cx.nodes[t.node.index()]
                        .state()
                        .is_some_and(|n| n.learned() > 0)
                })
            },
        ),
    ]
}

/// The votes a step records: a leader sends `accept` only after accepting the command itself, and
/// an acceptor sends `accepted` only after writing its vote, which its stable storage still holds.
fn votes(cx: &CheckCx<'_, MultiPaxos>) -> Vec<Vote> {
    let mut votes = Vec::new();
    for (event, e) in cx.new_events() {
        let (EventKind::Send { msg, .. }, Some(node)) = (&e.kind, e.node) else {
            continue;
        };
        let (ballot, slot, command) = match cx.message(*msg) {
            MpMsg::Accept {
                ballot,
                slot,
                command,
                ..
            } => (*ballot, *slot, command.clone()),
            MpMsg::Accepted { ballot, slot, .. } => {
                let stable = cx.nodes[node.index()].stable();
                let Some(Some(vote)) = stable.accepted.get(*slot as usize - 1) else {
                    continue;
                };
                if vote.ballot != *ballot {
                    continue;
                }
                (*ballot, *slot, vote.command.clone())
            }
            _ => continue,
        };
        votes.push(Vote {
            event,
            node,
            instance: slot,
            ballot: ballot.key(),
            value: command.describe().into(),
        });
    }
    votes
}

/// Every command any replica has applied, slot by slot, with the event that applied it first.
#[derive(Clone, Debug, Default)]
struct Applied {
    log: SharedVec<(Rc<Command>, EventId)>,
    /// Per node, how many slots it had applied when last seen (a restart starts it again at 0).
    seen: Vec<usize>,
}

/// Always: no two replicas apply different commands at the same slot.
fn applied_logs_agree() -> Box<dyn Property<MultiPaxos>> {
    always(
        "Applied logs agree",
        "Every replica applies the same command at each slot: the applied logs are prefixes of \
         one another.",
        Kinds::STATE,
        Applied::default(),
        |applied, cx| {
            if applied.seen.len() != cx.nodes.len() {
                applied.seen = vec![0; cx.nodes.len()];
            }
            for touched in cx.touched {
                let i = touched.node.index();
                let Some(node) = cx.nodes[i].state() else {
                    continue;
                };
                let log = node.log();
                let from = applied.seen[i].min(log.len());
                applied.seen[i] = log.len();
                for (k, command) in log.range(from..log.len()).enumerate() {
                    let slot = from + k;
                    match applied.log.get(slot) {
                        None => applied.log.push((command.clone(), touched.first)),
                        Some((first, _)) if first == command => {}
                        Some((first, at)) => {
                            return Verdict::Violated {
                                message: format!(
                                    "{} applied {} at slot {}, but {} was applied there before",
                                    touched.node,
                                    command.describe(),
                                    slot + 1,
                                    first.describe()
                                ),
                                involved: vec![*at, touched.first],
                            };
                        }
                    }
                }
            }
            Verdict::Holds
        },
    )
}

/// Eventually: once every fault has healed for `bound_us`, some node leads with a ballot no
/// acceptor has promised past.
fn leader_after_heal(bound_us: u64) -> Box<dyn Property<MultiPaxos>> {
    eventually(
        "Leader after heal",
        "Once every fault has healed, a node leads with the highest ballot within the bound.",
        FAULTS,
        (bound_us, FaultWatch::default()),
        |(_, faults), cx| {
            faults.observe(cx);
            Verdict::Holds
        },
        |(bound_us, faults), cx| {
            let Some(since) = faults.healed_for(cx, *bound_us) else {
                return Verdict::Satisfied;
            };
            let highest = cx.nodes.iter().filter_map(|n| n.stable().promised).max();
            let leads =
                cx.nodes.iter().filter_map(|n| n.state()).any(|n| {
                    n.role() == Role::Leader && n.ballot().is_some() && n.ballot() >= highest
                });
            if leads {
                return Verdict::Satisfied;
            }
            Verdict::Violated {
                message: format!(
                    "no leader at {}, though the system has been whole since {since}",
                    cx.now
                ),
                involved: faults.last.into_iter().collect(),
            }
        },
    )
}
