//! Byzantine nodes: a node turned traitor (`Action::Traitor`) keeps running the protocol's code,
//! but every message it sends passes through the protocol's [`Protocol::lie`] with the traitor's
//! [`Strategy`] first, and a silent traitor sends nothing at all. Signatures are values only the
//! engine makes ([`Signature`] has no public constructor and cannot be deserialised): a node signs
//! as itself through its `Ctx` (or its [`Lie`]), so no node can produce another node's signature,
//! and a signature checks the content it was made for, so a tampered message fails
//! [`Signature::signs`].
//!
//! [`Protocol::lie`]: crate::engine::protocol::Protocol::lie

use crate::engine::ids::NodeId;
use crate::engine::rng::SimRng;
use serde::{Deserialize, Serialize};

/// How a traitor lies.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Tells some peers the truth and the others its opposite: the even-numbered peers (n2, n4,
    /// …) get the opposite.
    TwoFaced,
    /// Sends each peer a value drawn at random.
    Random,
    /// Sends nothing.
    Silent,
    /// Every traitor follows one plan: the first half of the loyal nodes hear one value and the
    /// rest the other, whatever the truth, so the traitors' lies back each other up.
    Collude,
}

impl Strategy {
    pub const ALL: [Strategy; 4] = [
        Strategy::TwoFaced,
        Strategy::Random,
        Strategy::Silent,
        Strategy::Collude,
    ];

    /// The name scenarios use (`"two_faced"`).
    pub fn name(self) -> &'static str {
        match self {
            Strategy::TwoFaced => "two_faced",
            Strategy::Random => "random",
            Strategy::Silent => "silent",
            Strategy::Collude => "collude",
        }
    }

    /// The strategy's name as people say it.
    pub fn label(self) -> &'static str {
        match self {
            Strategy::TwoFaced => "two-faced",
            Strategy::Random => "random",
            Strategy::Silent => "silent",
            Strategy::Collude => "colluding",
        }
    }

    /// What the traitor does, in one sentence.
    pub fn describe(self) -> &'static str {
        match self {
            Strategy::TwoFaced => {
                "tells some peers the truth and the others its opposite (n2, n4, … hear the opposite)"
            }
            Strategy::Random => "sends each peer a value drawn at random",
            Strategy::Silent => "sends nothing at all",
            Strategy::Collude => {
                "follows the traitors' shared plan: the first half of the loyal nodes hear one \
                 value, the rest the other"
            }
        }
    }

    /// Parses the name scenarios use.
    pub fn from_name(name: &str) -> Option<Strategy> {
        Strategy::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// A node's signature over some content (the protocol's digest of what it signs, a `u64`).
/// Only the engine makes one, always as the node whose handler asks, so it is unforgeable: a
/// traitor can copy, drop or withhold signatures it received, never make another node's.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, Serialize)]
pub struct Signature {
    signer: NodeId,
    digest: u64,
}

impl Signature {
    /// `signer`'s signature over `content`. Reachable only from the engine (`Ctx::sign`,
    /// `Lie::sign`), which passes the node whose code is running.
    pub(in crate::engine) fn make(signer: NodeId, content: u64) -> Signature {
        Signature {
            signer,
            digest: digest(signer, content),
        }
    }

    /// Who signed.
    pub fn signer(&self) -> NodeId {
        self.signer
    }

    /// What a corrupting link puts where `signer`'s signature over `content` should be: it holds
    /// no key, so whatever it writes fails [`Signature::signs`].
    pub(in crate::engine) fn counterfeit(signer: NodeId, content: u64) -> Signature {
        Signature {
            signer,
            digest: !digest(signer, content),
        }
    }

    /// Whether this is a signature over `content` (false once the content was tampered with).
    pub fn signs(&self, content: u64) -> bool {
        self.digest == digest(self.signer, content)
    }
}

/// SplitMix64's finaliser over the signer and the content: a stand-in for a cryptographic
/// signature, whose unforgeability the type system gives (see [`Signature`]).
fn digest(signer: NodeId, content: u64) -> u64 {
    let mut z = content ^ (u64::from(signer.0) + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What a protocol's `lie` sees: the traitor, the message's destination, the strategy, every
/// traitor (for collusion), the traitor's own random stream, and its own signing key. A
/// corrupting link lies through the same door ([`Lie::forger`]): it flips whatever it can and
/// holds no key.
pub struct Lie<'a> {
    pub strategy: Strategy,
    pub from: NodeId,
    pub to: NodeId,
    /// Every traitor, in node order (the sender among them).
    pub traitors: &'a [NodeId],
    /// How many nodes the system has.
    pub nodes: u32,
    rng: &'a mut SimRng,
    /// The link `from → to` lies, not `from`: it cannot sign.
    forger: bool,
}

impl<'a> Lie<'a> {
    pub(in crate::engine) fn new(
        strategy: Strategy,
        from: NodeId,
        to: NodeId,
        traitors: &'a [NodeId],
        nodes: u32,
        rng: &'a mut SimRng,
    ) -> Lie<'a> {
        Lie {
            strategy,
            from,
            to,
            traitors,
            nodes,
            rng,
            forger: false,
        }
    }

    /// The link `from → to` altering a message `from` sent: it tells `to` the opposite of
    /// whatever it can ([`Lie::flips`] is always true), and a signature it writes is a
    /// counterfeit that fails [`Signature::signs`].
    pub(in crate::engine) fn forger(
        from: NodeId,
        to: NodeId,
        nodes: u32,
        rng: &'a mut SimRng,
    ) -> Lie<'a> {
        Lie {
            strategy: Strategy::TwoFaced,
            from,
            to,
            traitors: &[],
            nodes,
            rng,
            forger: true,
        }
    }

    /// The traitor's own random stream.
    pub fn rng(&mut self) -> &mut SimRng {
        self.rng
    }

    /// The traitor's signature over `content`: a traitor may sign anything as itself. A
    /// corrupting link can only counterfeit one.
    pub fn sign(&self, content: u64) -> Signature {
        if self.forger {
            Signature::counterfeit(self.from, content)
        } else {
            Signature::make(self.from, content)
        }
    }

    /// Whether the two-faced or colluding plan tells `to` the opposite of the truth (two-faced) or
    /// the second of the two values (collusion). For the other strategies, false; for a
    /// corrupting link, always true.
    pub fn flips(&self) -> bool {
        if self.forger {
            return true;
        }
        match self.strategy {
            Strategy::TwoFaced => self.to.0 % 2 == 1,
            Strategy::Collude => {
                let loyal: Vec<NodeId> = (0..self.nodes)
                    .map(NodeId)
                    .filter(|n| !self.traitors.contains(n))
                    .collect();
                let position = loyal.iter().position(|&n| n == self.to);
                position.is_some_and(|p| 2 * p >= loyal.len())
            }
            Strategy::Random | Strategy::Silent => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_checks_its_signer_and_content() {
        let signature = Signature::make(NodeId(0), 7);
        assert_eq!(signature.signer(), NodeId(0));
        assert!(signature.signs(7));
        assert!(!signature.signs(8), "tampered content fails");
        assert_ne!(Signature::make(NodeId(1), 7), signature);
    }

    #[test]
    fn two_faced_flips_the_even_numbered_peers_and_collusion_splits_the_loyal() {
        let mut rng = SimRng::derive(1, crate::engine::rng::Purpose::Node(NodeId(0)));
        let traitors = [NodeId(0), NodeId(3)];
        let flips = |strategy, to, rng: &mut SimRng| {
            Lie::new(strategy, NodeId(0), NodeId(to), &traitors, 7, rng).flips()
        };
        let two_faced: Vec<bool> = (1..7)
            .map(|to| flips(Strategy::TwoFaced, to, &mut rng))
            .collect();
        assert_eq!(two_faced, [true, false, true, false, true, false]);
        // Loyal: n2, n3, n5, n6, n7; the first half, rounded up (n2, n3, n5), hear one value and
        // the rest the other.
        let collude: Vec<bool> = [1, 2, 4, 5, 6]
            .into_iter()
            .map(|to| flips(Strategy::Collude, to, &mut rng))
            .collect();
        assert_eq!(collude, [false, false, false, true, true]);
        for strategy in Strategy::ALL {
            assert_eq!(Strategy::from_name(strategy.name()), Some(strategy));
        }
    }
}
