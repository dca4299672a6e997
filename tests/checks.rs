//! The shared checker library on scripted stories. A tiny protocol, `Scripted`, states whatever
//! facts its client requests ask for (`{"propose": …}`, `{"decide": …}`, `{"deliver": …}`), so each
//! checker can be shown both firing on the story it exists to catch and staying quiet on a good one.

use causeway::checks::{broadcast, commit, consensus, convergence};
use causeway::engine::action::{Action, Scheduled};
use causeway::engine::clock::ClockConfig;
use causeway::engine::fact::Fact;
use causeway::engine::network::NetworkConfig;
use causeway::engine::protocol::{NodeView, Property, Protocol, RequestInfo};
use causeway::engine::sim::{Ctx, PropertyState, ScheduledRequest, Setup, Sim, Workload};
use causeway::engine::{EventKind, NodeId, Run, SimTime};
use serde::{Deserialize, Serialize};

/// Which checkers a story runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Library {
    Consensus,
    Broadcast,
    Convergence,
    Commit,
}

/// A request is one fact for the node to state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Say {
    Propose {
        instance: u64,
        value: String,
    },
    Decide {
        instance: u64,
        value: String,
    },
    Deliver {
        origin: NodeId,
        seq: u32,
    },
    /// A participant's vote on a transaction; a yes vote that binds it is stated as in doubt.
    Vote {
        instance: u64,
        yes: bool,
        binding: bool,
    },
    /// Set this node's replica to `value` and send it to every other node, which adopts it.
    Set {
        value: String,
    },
}

impl std::fmt::Display for Say {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

/// A node's replica: the last value it set or adopted.
#[derive(Clone, Debug, Hash)]
struct Scripted {
    value: String,
}

impl Protocol for Scripted {
    type Msg = String;
    type Timer = ();
    type Request = Say;
    type Response = ();
    type Stable = ();
    type Params = Library;
    type Note = Say;

    const NAME: &'static str = "scripted";

    fn new(_id: NodeId, _nodes: u32, _params: &Library) -> Self {
        Scripted {
            value: String::new(),
        }
    }

    fn on_start(&mut self, _ctx: &mut Ctx<'_, Self>) {}

    fn on_message(&mut self, _ctx: &mut Ctx<'_, Self>, _from: NodeId, value: &String) {
        self.value = value.clone();
    }

    fn on_timer(&mut self, _ctx: &mut Ctx<'_, Self>, _timer: ()) {}

    fn on_request(&mut self, ctx: &mut Ctx<'_, Self>, _req: RequestInfo, op: &Say) {
        if let Say::Set { value } = op {
            self.value = value.clone();
            ctx.broadcast(value.clone());
        }
        ctx.note(op.clone());
    }

    fn fact(note: &Say) -> Option<Fact> {
        Some(match note.clone() {
            Say::Propose { instance, value } => Fact::Proposed {
                instance,
                value: value.into(),
            },
            Say::Decide { instance, value } => Fact::Decided {
                instance,
                value: value.into(),
            },
            Say::Deliver { origin, seq } => Fact::Delivered {
                origin,
                seq,
                text: "".into(),
                hops: 1,
            },
            Say::Vote {
                instance,
                yes: true,
                binding: true,
            } => Fact::InDoubt { instance },
            Say::Vote { instance, yes, .. } => Fact::Voted { instance, yes },
            Say::Set { .. } => return None,
        })
    }

    fn msg_label(value: &String) -> String {
        value.clone()
    }

    fn timer_name(_timer: &()) -> &'static str {
        "none"
    }

    fn view(&self) -> NodeView {
        NodeView::default()
    }

    fn properties(library: &Library) -> Vec<Box<dyn Property<Self>>> {
        match library {
            Library::Consensus => vec![
                consensus::agreement(),
                consensus::validity(),
                consensus::integrity(),
                consensus::termination(100_000),
            ],
            Library::Broadcast => vec![
                broadcast::no_duplication(),
                broadcast::agreement(),
                broadcast::fifo_order(),
                broadcast::causal_order(),
                broadcast::total_order(),
            ],
            Library::Convergence => vec![convergence::convergence(
                100_000,
                convergence::TRAFFIC,
                |s| s.value.clone(),
            )],
            Library::Commit => vec![commit::commit_validity()],
        }
    }
}

fn n(one_based: u32) -> NodeId {
    NodeId(one_based - 1)
}

/// Runs a story of three nodes: each `(ms, node, fact)` is a request at that time, and each
/// `(ms, action)` a scripted fault. Returns the run at its horizon.
fn story(
    library: Library,
    says: &[(u64, u32, serde_json::Value)],
    faults: &[(u64, Action)],
) -> Sim<Scripted> {
    let setup = Setup::<Scripted> {
        nodes: 3,
        seed: 1,
        horizon: SimTime(1_000_000),
        network: NetworkConfig::default(),
        clocks: vec![ClockConfig::default(); 3],
        workload: Workload {
            requests: says
                .iter()
                .map(|(ms, node, op)| ScheduledRequest {
                    at_us: SimTime(ms * 1_000),
                    node: n(*node),
                    op: op.clone(),
                    client: None,
                })
                .collect(),
            ..Workload::default()
        },
        faults: faults
            .iter()
            .map(|(ms, action)| Scheduled {
                at_us: SimTime(ms * 1_000),
                action: action.clone(),
            })
            .collect(),
        interventions: Vec::new(),
        params: library,
        model: None,
    };
    let mut sim = Sim::new(setup).expect("the story is valid");
    sim.run();
    sim
}

/// Every violation in the run: (property, message).
fn violations(run: &dyn Run) -> Vec<(String, String)> {
    run.events()
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Violation(v) => Some((v.property.clone(), v.message.clone())),
            _ => None,
        })
        .collect()
}

fn propose(instance: u64, value: &str) -> serde_json::Value {
    serde_json::json!({"propose": {"instance": instance, "value": value}})
}

fn decide(instance: u64, value: &str) -> serde_json::Value {
    serde_json::json!({"decide": {"instance": instance, "value": value}})
}

fn vote(instance: u64, yes: bool, binding: bool) -> serde_json::Value {
    serde_json::json!({"vote": {"instance": instance, "yes": yes, "binding": binding}})
}

#[test]
fn commit_validity_needs_every_participants_yes_whatever_the_order() {
    // n2 and n3 are the participants; n1 decides.
    let good = story(
        Library::Commit,
        &[
            (10, 2, vote(7, true, true)),
            (11, 3, vote(7, true, false)),
            (20, 1, decide(7, "commit")),
            (30, 2, vote(8, false, false)),
            (40, 1, decide(8, "abort")),
        ],
        &[],
    );
    assert_eq!(violations(&good), vec![]);
    let early = story(
        Library::Commit,
        &[(10, 2, vote(0, true, true)), (20, 1, decide(0, "commit"))],
        &[],
    );
    assert_eq!(
        violations(&early),
        [(
            "Commit validity".to_string(),
            "n1 committed t0, but n3 did not vote yes: a transaction commits only if every \
             participant voted yes"
                .to_string()
        )]
    );
    // A no vote that comes after the commit is caught too, naming the voter.
    let late_no = story(
        Library::Commit,
        &[
            (10, 2, vote(0, true, true)),
            (11, 3, vote(0, true, true)),
            (20, 1, decide(0, "commit")),
            (30, 3, vote(0, false, false)),
        ],
        &[],
    );
    assert_eq!(
        violations(&late_no)[0].1,
        "n1 committed t0, but n3 voted no: a transaction commits only if every participant voted yes"
    );
}

fn deliver(origin: u32, seq: u32) -> serde_json::Value {
    serde_json::json!({"deliver": {"origin": format!("n{origin}"), "seq": seq}})
}

#[test]
fn a_good_consensus_story_is_clean_and_terminates() {
    let run = story(
        Library::Consensus,
        &[
            (10, 1, propose(0, "a")),
            (20, 2, propose(0, "b")),
            (30, 1, decide(0, "b")),
            (40, 2, decide(0, "b")),
            (50, 3, decide(0, "b")),
        ],
        &[],
    );
    assert_eq!(violations(&run), vec![]);
    let termination = run
        .properties()
        .into_iter()
        .find(|p| p.name == "Termination")
        .expect("termination is checked");
    assert!(matches!(termination.state, PropertyState::Satisfied { .. }));
}

#[test]
fn each_consensus_checker_catches_its_own_failure() {
    let disagree = story(
        Library::Consensus,
        &[
            (10, 1, propose(0, "a")),
            (11, 2, propose(0, "b")),
            (20, 1, decide(0, "a")),
            (30, 2, decide(0, "b")),
            (40, 3, decide(0, "a")),
        ],
        &[],
    );
    assert_eq!(
        violations(&disagree),
        vec![(
            "Agreement".to_string(),
            "n2 decided \"b\" in instance 0, but n1 decided \"a\"".to_string()
        )]
    );

    let invented = story(
        Library::Consensus,
        &[
            (10, 1, propose(0, "a")),
            (20, 1, decide(0, "z")),
            (21, 2, decide(0, "z")),
            (22, 3, decide(0, "z")),
        ],
        &[],
    );
    assert_eq!(
        violations(&invented),
        vec![(
            "Validity".to_string(),
            "n1 decided \"z\" in instance 0, but only \"a\" were proposed".to_string()
        )]
    );

    let twice = story(
        Library::Consensus,
        &[
            (10, 1, propose(0, "a")),
            (20, 1, decide(0, "a")),
            (30, 1, decide(0, "a")),
            (31, 2, decide(0, "a")),
            (32, 3, decide(0, "a")),
        ],
        &[],
    );
    assert_eq!(
        violations(&twice),
        vec![(
            "Integrity".to_string(),
            "n1 decided \"a\" in instance 0 twice".to_string()
        )]
    );

    let unfinished = story(
        Library::Consensus,
        &[
            (10, 1, propose(7, "a")),
            (20, 1, decide(7, "a")),
            (21, 2, decide(7, "a")),
        ],
        &[],
    );
    let found = violations(&unfinished);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "Termination");
    assert!(
        found[0].1.starts_with("n3 never decided instance 7"),
        "{found:?}"
    );
}

#[test]
fn a_restarted_node_may_decide_again_but_only_the_same_value() {
    let crash_and_restart = [
        (100, Action::Crash { node: n(1) }),
        (200, Action::Restart { node: n(1) }),
    ];
    let same = story(
        Library::Consensus,
        &[
            (10, 1, propose(0, "a")),
            (20, 1, decide(0, "a")),
            (300, 1, decide(0, "a")),
            (301, 2, decide(0, "a")),
            (302, 3, decide(0, "a")),
        ],
        &crash_and_restart,
    );
    assert_eq!(violations(&same), vec![]);
    let changed = story(
        Library::Consensus,
        &[
            (10, 1, propose(0, "a")),
            (11, 1, propose(0, "b")),
            (20, 1, decide(0, "a")),
            (300, 1, decide(0, "b")),
        ],
        &crash_and_restart,
    );
    let found = violations(&changed);
    assert!(
        found.contains(&(
            "Integrity".to_string(),
            "n1 decided \"b\" in instance 0, but it had decided \"a\"".to_string()
        )),
        "{found:?}"
    );
}

#[test]
fn each_broadcast_checker_catches_its_own_failure() {
    // Everyone delivers n1#1 then n1#2, n2#1 after it: clean.
    let good = story(
        Library::Broadcast,
        &[
            (10, 1, deliver(1, 1)),
            (11, 1, deliver(1, 2)),
            (12, 2, deliver(1, 1)),
            (13, 2, deliver(1, 2)),
            (14, 2, deliver(2, 1)),
            (15, 3, deliver(1, 1)),
            (16, 3, deliver(1, 2)),
            (17, 3, deliver(2, 1)),
            (18, 1, deliver(2, 1)),
        ],
        &[],
    );
    assert_eq!(violations(&good), vec![]);

    let firsts = |says: &[(u64, u32, serde_json::Value)]| -> Vec<String> {
        violations(&story(Library::Broadcast, says, &[]))
            .into_iter()
            .map(|(property, _)| property)
            .collect()
    };
    assert!(
        firsts(&[(10, 1, deliver(1, 1)), (11, 1, deliver(1, 1))])
            .contains(&"No duplication".to_string())
    );
    assert!(firsts(&[(10, 1, deliver(1, 1))]).contains(&"Agreement".to_string()));
    assert!(
        firsts(&[(10, 1, deliver(1, 1)), (11, 2, deliver(1, 2))])
            .contains(&"FIFO order".to_string())
    );
    // n2 delivered n1#1 before broadcasting n2#1; n3 delivers n2#1 first.
    assert!(
        firsts(&[
            (10, 1, deliver(1, 1)),
            (11, 2, deliver(1, 1)),
            (12, 2, deliver(2, 1)),
            (13, 3, deliver(2, 1)),
        ])
        .contains(&"Causal order".to_string())
    );
    assert!(
        firsts(&[
            (10, 1, deliver(1, 1)),
            (11, 1, deliver(2, 1)),
            (12, 2, deliver(2, 1)),
            (13, 2, deliver(1, 1)),
        ])
        .contains(&"Total order".to_string())
    );
}

mod linearizability {
    use causeway::checks::linearizability::{
        KeyedOperation, KvOutcome, Operation, Outcome, Register, RegisterInput as In,
        RegisterOutput as Out, StaleReads, check, check_kv, state_after,
    };

    fn write(value: &str, invoked: u64, completed: Option<u64>) -> Operation<In, Out> {
        Operation {
            input: In::Write(value.into()),
            invoked,
            completed: completed.map(|at| (Out::Written, at)),
        }
    }

    fn read(value: Option<&str>, invoked: u64, completed: u64) -> Operation<In, Out> {
        Operation {
            input: In::Read,
            invoked,
            completed: Some((Out::Value(value.map(str::to_string)), completed)),
        }
    }

    #[test]
    fn a_read_after_a_write_must_see_it() {
        let fresh = [write("1", 0, Some(1)), read(Some("1"), 2, 3)];
        assert_eq!(check(&Register, &fresh, 1_000), Outcome::Linearizable);
        let stale = [write("1", 0, Some(1)), read(None, 2, 3)];
        assert_eq!(
            check(&Register, &stale, 1_000),
            Outcome::NotLinearizable {
                prefix: vec![0],
                stuck: 1
            }
        );
    }

    #[test]
    fn a_read_concurrent_with_a_write_may_see_either_value() {
        for seen in [None, Some("1")] {
            let history = [write("1", 0, Some(10)), read(seen, 2, 5)];
            assert_eq!(check(&Register, &history, 1_000), Outcome::Linearizable);
        }
        // But once one read saw the new value, a later read cannot go back.
        let back = [
            write("1", 0, Some(10)),
            read(Some("1"), 2, 3),
            read(None, 4, 5),
        ];
        assert!(matches!(
            check(&Register, &back, 1_000),
            Outcome::NotLinearizable { stuck: 2, .. }
        ));
    }

    #[test]
    fn an_operation_that_never_completed_may_or_may_not_have_taken_effect() {
        for seen in [None, Some("1")] {
            let history = [write("1", 0, None), read(seen, 5, 6)];
            assert_eq!(check(&Register, &history, 1_000), Outcome::Linearizable);
        }
        // A value nobody wrote is never explained by a pending write.
        let invented = [write("1", 0, None), read(Some("2"), 5, 6)];
        assert!(matches!(
            check(&Register, &invented, 1_000),
            Outcome::NotLinearizable { stuck: 1, .. }
        ));
    }

    #[test]
    fn appends_build_the_value_in_one_order() {
        let append = |v: &str, invoked, completed| Operation {
            input: In::Append(v.into()),
            invoked,
            completed: Some((Out::Written, completed)),
        };
        let history = [
            append("a", 0, 10),
            append("b", 1, 11),
            read(Some("ba"), 12, 13),
        ];
        assert_eq!(check(&Register, &history, 1_000), Outcome::Linearizable);
        let torn = [
            append("a", 0, 10),
            append("b", 1, 11),
            read(Some("b"), 12, 13),
        ];
        assert!(matches!(
            check(&Register, &torn, 1_000),
            Outcome::NotLinearizable { .. }
        ));
    }

    #[test]
    fn reads_never_multiply_the_search() {
        // Twelve reads overlapping a write, then a read after the write that misses it. Proving
        // no order works would try every subset of the twelve reads if reads were placed
        // anywhere; placed as soon as they fit, a few hundred steps suffice.
        let mut history = vec![write("1", 0, Some(100))];
        history.extend((1..=12).map(|i| read(None, i, 90 + i)));
        history.push(read(None, 200, 201));
        assert!(matches!(
            check(&Register, &history, 500),
            Outcome::NotLinearizable { stuck: 13, .. }
        ));
    }

    #[test]
    fn the_state_after_an_order_replays_it() {
        let history = [write("a", 0, Some(1)), read(Some("a"), 2, 3)];
        assert_eq!(state_after(&Register, &history, &[0, 1]), Some("a".into()));
        assert_eq!(state_after(&Register, &history, &[]), None);
    }

    #[test]
    fn the_stale_read_screen_flags_a_read_that_misses_a_completed_write() {
        let mut reads = StaleReads::default();
        reads.invoke(1, "x", &In::Write("1".into()), 0);
        assert_eq!(reads.complete(1, &Out::Written, 1), None);
        reads.invoke(2, "x", &In::Read, 2);
        let stale = reads
            .complete(2, &Out::Value(None), 3)
            .expect("the read missed the put");
        assert_eq!((stale.key.as_str(), stale.missed_op), ("x", 1));
        assert!(stale.missed_put);
        // Another key's read is judged on its own.
        reads.invoke(3, "y", &In::Read, 4);
        assert_eq!(reads.complete(3, &Out::Value(None), 5), None);
    }

    #[test]
    fn the_stale_read_screen_allows_what_a_concurrent_put_may_explain() {
        let mut reads = StaleReads::default();
        reads.invoke(1, "x", &In::Write("1".into()), 0);
        assert_eq!(reads.complete(1, &Out::Written, 1), None);
        // A put of "2" begins before the read ends: it may come after the first put, so a
        // read of "2" is fine; so is a read that overlaps an append.
        reads.invoke(2, "x", &In::Write("2".into()), 2);
        reads.invoke(3, "x", &In::Read, 3);
        assert_eq!(reads.complete(3, &Out::Value(Some("2".into())), 4), None);
        assert_eq!(reads.complete(2, &Out::Written, 5), None);
        reads.invoke(4, "x", &In::Append("+a".into()), 6);
        reads.invoke(5, "x", &In::Read, 7);
        assert_eq!(reads.complete(5, &Out::Value(Some("2".into())), 8), None);
        // Once the append completed, a later read must contain it.
        assert_eq!(reads.complete(4, &Out::Written, 9), None);
        reads.invoke(6, "x", &In::Read, 10);
        let stale = reads.complete(6, &Out::Value(Some("2".into())), 11);
        assert_eq!(
            stale.map(|s| (s.missed, s.missed_put)),
            Some(("+a".into(), false))
        );
    }

    #[test]
    fn a_search_past_its_budget_answers_unknown() {
        // Twenty overlapping writes and a read of a value none of them wrote: proving that no
        // order works means trying many orders.
        let mut history: Vec<_> = (0..20)
            .map(|i| write(&i.to_string(), i, Some(100 + i)))
            .collect();
        history.push(read(Some("none of them"), 200, 201));
        assert_eq!(
            check(&Register, &history, 50),
            Outcome::Unknown { steps: 50 }
        );
    }

    #[test]
    fn keys_are_checked_on_their_own_and_the_wrong_one_is_named() {
        let op = |key: &str, op| KeyedOperation {
            key: key.into(),
            op,
        };
        let history = [
            op("x", write("1", 0, Some(1))),
            op("y", write("2", 0, Some(1))),
            op("x", read(Some("1"), 2, 3)),
            op("y", read(Some("1"), 2, 3)),
        ];
        match check_kv(&history, 1_000) {
            KvOutcome::NotLinearizable(explanation) => {
                assert_eq!(explanation.key, "y");
                assert_eq!(explanation.prefix, vec![1]);
                assert_eq!(explanation.stuck, 3);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(check_kv(&history[..3], 1_000), KvOutcome::Linearizable);
    }
}

fn set(value: &str) -> serde_json::Value {
    serde_json::json!({"set": {"value": value}})
}

#[test]
fn replicas_that_heard_the_same_updates_converge_and_a_missed_update_is_caught() {
    let converged = story(
        Library::Convergence,
        &[(10, 1, set("a")), (20, 2, set("b"))],
        &[],
    );
    assert_eq!(violations(&converged), vec![]);
    let state = |run: &Sim<Scripted>| {
        run.properties()
            .into_iter()
            .find(|p| p.name == "Convergence")
            .expect("convergence is checked")
            .state
    };
    assert!(matches!(state(&converged), PropertyState::Satisfied { .. }));

    // n3 is cut off while n1 sets "a"; after the heal nobody resends it.
    let partition = Action::Partition {
        groups: vec![vec![n(1), n(2)], vec![n(3)]],
    };
    let diverged = story(
        Library::Convergence,
        &[(10, 1, set("a"))],
        &[(5, partition), (500, Action::Heal)],
    );
    let found = violations(&diverged);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "Convergence");
    assert!(
        found[0].1.starts_with("n3 holds \"\" but n1 holds \"a\""),
        "{found:?}"
    );

    // A run still busy at its end cannot be judged: the property stays pending.
    let busy = story(Library::Convergence, &[(950, 1, set("late"))], &[]);
    assert_eq!(violations(&busy), vec![]);
    assert_eq!(state(&busy), PropertyState::Pending);
}
