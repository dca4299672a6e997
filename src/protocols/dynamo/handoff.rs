//! Sloppy quorums with hinted handoff (`sloppy: true`). A put that has not gathered `w` stores
//! from its preference list within half its timeout goes on along the ring: each next node stands
//! in for a replica that has not answered, stores the version as a *hint* naming that replica, and
//! its store counts towards `w`. Every `handoff_every_us` a node sends its hints to the replicas
//! they are for, and drops each once that replica has stored it. A get short of `r` replies goes
//! on along the ring likewise, and a stand-in answers with what it holds and the hints it keeps
//! for the key. So both sides of a partition answer, and a get can miss a put acknowledged on the
//! other side: with a sloppy quorum, R + W > N no longer makes reads fresh.

use std::collections::BTreeMap;

use super::{Dynamo, DynamoMsg, DynamoNote, DynamoTimer, Version, merge, preference_list};
use crate::engine::ids::{NodeId, OpId};
use crate::engine::sim::Ctx;

/// Per replica a hint is for, per key, the versions held for it.
pub type Hints = BTreeMap<NodeId, BTreeMap<String, Vec<Version>>>;

impl Dynamo {
    /// What this node answers a get of `key` with: its versions and the hints it keeps for it.
    pub(super) fn held_with_hints(&self, key: &str) -> Vec<Version> {
        let mut held = self.held(key);
        for keys in self.hints.values() {
            if let Some(hinted) = keys.get(key) {
                self.merge(&mut held, hinted);
            }
        }
        held
    }

    /// Half the timeout after a put began: if it still lacks stores, the next nodes of the ring
    /// stand in for the replicas that have not answered.
    pub(super) fn go_sloppy(&mut self, ctx: &mut Ctx<'_, Self>, op: OpId) {
        let Some(p) = self.pending.get(&op) else {
            return;
        };
        if p.answered {
            return;
        }
        let version = p.version.clone();
        let n = self.params.n.unwrap_or(self.nodes) as usize;
        let ring = preference_list(&p.key, self.nodes, self.nodes);
        let silent: Vec<NodeId> = ring[..n]
            .iter()
            .copied()
            .filter(|r| !p.replies.contains_key(r))
            .collect();
        let key = p.key.clone();
        let Some(version) = version else {
            // A get: the stand-ins are asked as the replicas were.
            for &stand_in in ring[n..].iter().take(silent.len()) {
                if stand_in == self.id {
                    let held = self.held_with_hints(&key);
                    self.fetched(ctx, op, stand_in, &held);
                } else {
                    ctx.send(
                        stand_in,
                        DynamoMsg::Fetch {
                            op,
                            key: key.clone(),
                        },
                    );
                }
            }
            return;
        };
        for (&stand_in, &for_node) in ring[n..].iter().zip(&silent) {
            if stand_in == self.id {
                self.hold(ctx, op, for_node, &key, std::slice::from_ref(&version));
                self.put_acked(ctx, op, stand_in);
            } else {
                ctx.send(
                    stand_in,
                    DynamoMsg::Hinted {
                        op,
                        key: key.clone(),
                        versions: vec![version.clone()],
                        for_node,
                    },
                );
            }
        }
    }

    /// Keeps `versions` of `key` as a hint for `for_node`, on stable storage too.
    pub(super) fn hold(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        op: OpId,
        for_node: NodeId,
        key: &str,
        versions: &[Version],
    ) {
        let held = self
            .hints
            .entry(for_node)
            .or_default()
            .entry(key.to_string())
            .or_default();
        merge(held, versions);
        ctx.note(DynamoNote::StandsIn {
            op,
            key: key.to_string(),
            for_node,
        });
        let hints = self.hints.clone();
        ctx.persist("hints", move |s| s.hints = hints);
    }

    /// Sends every hint to the replica it is for, and sets the next round.
    pub(super) fn hand_off(&mut self, ctx: &mut Ctx<'_, Self>) {
        for (&to, keys) in &self.hints {
            for (key, versions) in keys {
                ctx.send(
                    to,
                    DynamoMsg::HandOff {
                        key: key.clone(),
                        versions: versions.clone(),
                    },
                );
            }
        }
        ctx.set_timer(self.params.handoff_every_us, DynamoTimer::HandOff);
    }

    /// The replica a hint was for stored `versions` of `key`: they need no holding any more.
    pub(super) fn handed_off(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        to: NodeId,
        key: &str,
        versions: &[Version],
    ) {
        let Some(keys) = self.hints.get_mut(&to) else {
            return;
        };
        let Some(held) = keys.get_mut(key) else {
            return;
        };
        held.retain(|h| !versions.iter().any(|v| v.clock.descends(&h.clock)));
        if held.is_empty() {
            keys.remove(key);
        }
        if keys.is_empty() {
            self.hints.remove(&to);
        }
        ctx.note(DynamoNote::HandsOff {
            key: key.to_string(),
            to,
        });
        let hints = self.hints.clone();
        ctx.persist("hints", move |s| s.hints = hints);
    }
}
