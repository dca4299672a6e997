//! Properties written as one expression each, in Stateright's shape: `always`, `eventually` and
//! `sometimes`, each with a name, a one-sentence description, the event kinds after which its
//! verdict can change, and a closure. The closure keeps whatever state it needs in `S`, which is
//! cloned into checkpoints with the rest of the run.
//!
//! `sometimes` guards a checker against vacuity: it is satisfied the first time its closure sees
//! what the checker needs (a decision, a delivery, a suspicion), and a preset that should exercise
//! the checker fails its test if that never happens. It never records a violation in the trace.

use crate::engine::model::Assumption;
use crate::engine::protocol::{CheckCx, Property, PropertyKind, Protocol, Verdict};
use crate::engine::trace::Kinds;
use std::fmt;
use std::rc::Rc;

/// What a property checks after a step: its state and the step's context in, a verdict out.
pub type Check<P, S> = fn(&mut S, &CheckCx<'_, P>) -> Verdict;

/// A property built by [`always`], [`eventually`] or [`sometimes`].
pub struct Expr<P: Protocol, S> {
    name: &'static str,
    description: &'static str,
    kind: PropertyKind,
    watches: Kinds,
    state: S,
    check: Check<P, S>,
    at_end: Option<Check<P, S>>,
}

impl<P: Protocol, S: Clone> Clone for Expr<P, S> {
    fn clone(&self) -> Self {
        Expr {
            state: self.state.clone(),
            ..*self
        }
    }
}

impl<P: Protocol, S> fmt::Debug for Expr<P, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Expr")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl<P: Protocol, S: Clone + 'static> Property<P> for Expr<P, S> {
    fn name(&self) -> &'static str {
        self.name
    }

    fn kind(&self) -> PropertyKind {
        self.kind
    }

    fn description(&self) -> &'static str {
        self.description
    }

    fn watches(&self) -> Kinds {
        self.watches
    }

    fn check(&mut self, cx: &CheckCx<'_, P>) -> Verdict {
        (self.check)(&mut self.state, cx)
    }

    fn at_end(&mut self, cx: &CheckCx<'_, P>) -> Verdict {
        match self.at_end {
            Some(at_end) => at_end(&mut self.state, cx),
            None => Verdict::Holds,
        }
    }

    fn clone_box(&self) -> Box<dyn Property<P>> {
        Box::new(self.clone())
    }

    fn clone_rc(&self) -> Rc<dyn Property<P>> {
        Rc::new(self.clone())
    }
}

/// Must hold after every step that produced an event of a kind in `watches`.
pub fn always<P: Protocol, S: Clone + 'static>(
    name: &'static str,
    description: &'static str,
    watches: Kinds,
    state: S,
    check: Check<P, S>,
) -> Box<dyn Property<P>> {
    Box::new(Expr {
        name,
        description,
        kind: PropertyKind::Always,
        watches,
        state,
        check,
        at_end: None,
    })
}

/// Must become true by the horizon: `check` may answer `Satisfied` after a step, and `at_end`
/// judges what is still pending when the run ends.
pub fn eventually<P: Protocol, S: Clone + 'static>(
    name: &'static str,
    description: &'static str,
    watches: Kinds,
    state: S,
    check: Check<P, S>,
    at_end: Check<P, S>,
) -> Box<dyn Property<P>> {
    Box::new(Expr {
        name,
        description,
        kind: PropertyKind::Eventually,
        watches,
        state,
        check,
        at_end: Some(at_end),
    })
}

/// `property`, promised only under a system model that meets `assumes` (see
/// [`crate::engine::model::SystemModel::unmet`]): a timeout detector's accuracy needs synchrony, and
/// Paxos terminates only once the network settles.
pub fn assuming<P: Protocol>(
    assumes: &'static [Assumption],
    property: Box<dyn Property<P>>,
) -> Box<dyn Property<P>> {
    Box::new(Assuming { assumes, property })
}

/// A property with the assumptions it rests on.
#[derive(Debug)]
struct Assuming<P: Protocol> {
    assumes: &'static [Assumption],
    property: Box<dyn Property<P>>,
}

impl<P: Protocol> Property<P> for Assuming<P> {
    fn name(&self) -> &'static str {
        self.property.name()
    }

    fn kind(&self) -> PropertyKind {
        self.property.kind()
    }

    fn description(&self) -> &'static str {
        self.property.description()
    }

    fn watches(&self) -> Kinds {
        self.property.watches()
    }

    fn assumes(&self) -> &'static [Assumption] {
        self.assumes
    }

    fn check(&mut self, cx: &CheckCx<'_, P>) -> Verdict {
        self.property.check(cx)
    }

    fn at_end(&mut self, cx: &CheckCx<'_, P>) -> Verdict {
        self.property.at_end(cx)
    }

    fn clone_box(&self) -> Box<dyn Property<P>> {
        Box::new(Assuming {
            assumes: self.assumes,
            property: self.property.clone_box(),
        })
    }
}

/// Satisfied the first time `seen` holds after a step; never a violation (see the module docs).
pub fn sometimes<P: Protocol>(
    name: &'static str,
    description: &'static str,
    watches: Kinds,
    seen: fn(&CheckCx<'_, P>) -> bool,
) -> Box<dyn Property<P>> {
    Box::new(Expr {
        name,
        description,
        kind: PropertyKind::Sometimes,
        watches,
        state: seen,
        check: |seen, cx| {
            if seen(cx) {
                Verdict::Satisfied
            } else {
                Verdict::Holds
            }
        },
        at_end: None,
    })
}
