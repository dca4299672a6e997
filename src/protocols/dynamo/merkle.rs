//! Anti-entropy with Merkle trees (`anti_entropy_every_us`). Every period a node sends the next
//! peer (in turn) the Merkle tree of the keys they both replicate: `BUCKETS` leaves, each the hash
//! of one bucket's keys (by the key's hash) with their versions, under a root hash of the leaves.
//! The peer builds its own: equal roots end the exchange with no key sent. Otherwise it sends
//! back, for every leaf that differs, its keys of that bucket with their versions, and the first
//! node answers with its own keys of those buckets; both merge what they receive. So replicas
//! that missed puts catch up without a read, and only the keys of differing buckets travel.

use super::{Dynamo, DynamoMsg, DynamoNote, DynamoTimer, Version};
use crate::engine::ids::NodeId;
use crate::engine::sim::Ctx;

/// Leaves of a tree.
pub const BUCKETS: usize = 8;

/// The keys of some buckets with their versions, as exchanged.
pub type Entries = Vec<(String, Vec<Version>)>;

/// FNV-1a: a fixed hash, the same on every platform and in every version.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn bucket(key: &str) -> usize {
    (fnv(key.as_bytes()) % BUCKETS as u64) as usize
}

impl Dynamo {
    /// The keys this node holds that `peer` replicates too, with their versions.
    fn shared(&self, peer: NodeId) -> impl Iterator<Item = (&String, &Vec<Version>)> {
        self.store
            .iter()
            .filter(move |(key, _)| self.replicas(key).contains(&peer))
    }

    /// The leaf hashes of the tree of the keys shared with `peer`; the root hashes them.
    fn leaves(&self, peer: NodeId) -> Vec<u64> {
        let mut text = vec![String::new(); BUCKETS];
        for (key, versions) in self.shared(peer) {
            let versions = serde_json::to_string(versions).unwrap_or_default();
            text[bucket(key)] += &format!("{key}={versions};");
        }
        text.iter().map(|t| fnv(t.as_bytes())).collect()
    }

    fn entries(&self, peer: NodeId, buckets: &[usize]) -> Entries {
        self.shared(peer)
            .filter(|(key, _)| buckets.contains(&bucket(key)))
            .map(|(key, versions)| (key.clone(), versions.clone()))
            .collect()
    }

    /// Sends the next peer the tree of the keys they share, and sets the next round.
    pub(super) fn anti_entropy(&mut self, ctx: &mut Ctx<'_, Self>, every_us: u64) {
        self.turn = (self.turn + 1) % self.nodes.max(1);
        if self.turn == self.id.0 {
            self.turn = (self.turn + 1) % self.nodes.max(1);
        }
        let peer = NodeId(self.turn);
        if peer != self.id {
            let leaves = self.leaves(peer);
            ctx.send(
                peer,
                DynamoMsg::Tree {
                    root: fnv(&leaves
                        .iter()
                        .flat_map(|l| l.to_le_bytes())
                        .collect::<Vec<_>>()),
                    leaves,
                },
            );
        }
        ctx.set_timer(every_us, DynamoTimer::AntiEntropy);
    }

    /// A peer's tree: compare, and send the keys of the buckets that differ.
    pub(super) fn compare(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        root: u64,
        leaves: &[u64],
    ) {
        let mine = self.leaves(from);
        let my_root = fnv(&mine
            .iter()
            .flat_map(|l| l.to_le_bytes())
            .collect::<Vec<_>>());
        if my_root == root {
            return;
        }
        let buckets: Vec<usize> = (0..BUCKETS)
            .filter(|&b| mine.get(b) != leaves.get(b))
            .collect();
        let entries = self.entries(from, &buckets);
        ctx.send(from, DynamoMsg::Differ { buckets, entries });
    }

    /// The peer's keys of the buckets that differ: merge them, and send ours.
    pub(super) fn differ(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        buckets: &[usize],
        theirs: &Entries,
    ) {
        let ours = self.entries(from, buckets);
        ctx.note(DynamoNote::Syncs {
            with: from,
            buckets: buckets.len() as u32,
            keys: (theirs.len() + ours.len()) as u32,
        });
        self.take(ctx, theirs);
        ctx.send(from, DynamoMsg::Entries { entries: ours });
    }

    /// Merges the versions of keys another replica sent.
    pub(super) fn take(&mut self, ctx: &mut Ctx<'_, Self>, entries: &Entries) {
        for (key, versions) in entries {
            self.keep(ctx, key, versions);
        }
    }
}
