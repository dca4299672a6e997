//! Randomized Raft runs (VOPR-style): each seed draws a fault schedule, faults for the first half
//! of the run and everything healed for the second. Correct Raft must violate nothing; the broken
//! variants that random faults find quickly must be found within their documented seed counts
//! (docs/raft.md). `CAUSEWAY_SEEDS` widens the sweep; CI runs 1,000 seeds through `sim sweep`.

mod common;

use causeway::engine::run::trace_hash;
use causeway::engine::trace::EventKind;
use causeway::protocols::raft::{BreakIt, ReadMode};
use causeway::scenario::{ProtocolConfig, Scenario, sweep};
use common::*;

/// The violations of one seed, as "property: message".
fn violations(base: &Scenario, seed: u64) -> (Scenario, Vec<String>) {
    let scenario = sweep::with_random_faults(base, seed);
    let mut run = scenario.build().expect("sweep scenarios are valid");
    run.run_until(scenario.horizon_us);
    let found = run
        .events()
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Violation(v) => Some(format!("{}: {}", v.property, v.message)),
            _ => None,
        })
        .collect();
    (scenario, found)
}

fn assert_clean(base: &Scenario, seeds: u64) {
    for seed in 0..seed_count(seeds) {
        let (scenario, found) = violations(base, seed);
        assert!(
            found.is_empty(),
            "seed {seed}: {found:?}\n{}",
            reproduce(&scenario)
        );
    }
}

/// The first seed below `within` whose run violates `property`.
fn caught(base: &Scenario, property: &str, within: u64) -> Option<u64> {
    (0..within).find(|&seed| {
        violations(base, seed)
            .1
            .iter()
            .any(|v| v.starts_with(property))
    })
}

#[test]
fn correct_raft_survives_random_faults() {
    assert_clean(&raft_base(|_| {}), 60);
}

#[test]
fn read_index_and_slow_backtracking_survive_random_faults() {
    assert_clean(
        &raft_base(|p| {
            p.reads = ReadMode::ReadIndex;
            p.fast_backtrack = false;
            p.max_entries_per_message = 2;
        }),
        30,
    );
}

/// ZooKeeper-style local reads are stale by design: every violation but linearizability's counts.
fn violations_but_stale_reads(base: &Scenario, seed: u64) -> (Scenario, Vec<String>) {
    let (scenario, found) = violations(base, seed);
    let found = found
        .into_iter()
        .filter(|v| !v.starts_with("Linearizable reads"))
        .collect();
    (scenario, found)
}

/// The coordination-service sweep base (docs/coordination-service.md): raft-basic's workload with
/// local reads, and a sync followed by a get every 250 ms.
fn zk_base(break_it: BreakIt) -> Scenario {
    let mut scenario = Scenario::from_json(include_str!("../docs/zk-sweep.json"))
        .expect("the sweep base is valid");
    let ProtocolConfig::Raft(params) = &mut scenario.protocol else {
        panic!("the sweep base runs Raft");
    };
    params.break_it = break_it;
    scenario
}

#[test]
fn local_reads_stay_sequentially_consistent_and_fresh_after_sync_under_random_faults() {
    let base = zk_base(BreakIt::None);
    let mut stale = 0;
    for seed in 0..seed_count(30) {
        let (scenario, found) = violations(&base, seed);
        let (stale_reads, others): (Vec<_>, Vec<_>) = found
            .into_iter()
            .partition(|v| v.starts_with("Linearizable reads"));
        assert!(
            others.is_empty(),
            "seed {seed}: {others:?}\n{}",
            reproduce(&scenario)
        );
        stale += usize::from(!stale_reads.is_empty());
    }
    // The lesson's point: reads from a follower's own state are often not linearizable.
    assert!(stale > 5, "only {stale} seeds had a stale read");
}

/// Documented in docs/coordination-service.md: `sim sweep docs/zk-sweep.json --set
/// break_it=read_before_catch_up` fails first at seed 1, and `--set break_it=sync_locally` at
/// seed 2.
#[test]
fn the_local_read_break_its_are_caught_within_the_documented_seeds() {
    let first = |break_it, property: &str| {
        let base = zk_base(break_it);
        (0..3).find(|&seed| {
            violations_but_stale_reads(&base, seed)
                .1
                .iter()
                .any(|v| v.starts_with(property))
        })
    };
    assert_eq!(
        first(BreakIt::ReadBeforeCatchUp, "Sequentially consistent"),
        Some(1)
    );
    assert_eq!(first(BreakIt::SyncLocally, "Fresh after sync"), Some(2));
}

#[test]
fn voting_without_the_log_check_is_caught_within_a_few_seeds() {
    let scenario = raft_base(|p| p.break_it = BreakIt::VoteWithoutLogCheck);
    let seed = (0..5).find(|&s| !violations(&scenario, s).1.is_empty());
    assert!(seed.is_some(), "not caught within 5 seeds");
}

#[test]
fn fixed_election_timeouts_are_caught_at_once() {
    let scenario = raft_base(|p| p.break_it = BreakIt::FixedElectionTimeout);
    assert_eq!(caught(&scenario, "Leader after heal", 2), Some(0));
}

/// Documented in docs/raft.md: the first seed of `sim sweep raft-basic --set
/// break_it=forget_voted_for` that fails.
const FORGET_VOTED_FOR_FIRST_SEED: u64 = 97;
/// Documented in docs/raft.md: `sim sweep raft-basic --set break_it=commit_earlier_term --set leader_noop=false` fails
/// first at seed 1 (Figure 8 on cue, in a quarter of the seeds).
const COMMIT_EARLIER_TERM_SEEDS: u64 = 2;

#[test]
fn forgetting_voted_for_is_caught_within_the_documented_seeds() {
    let scenario = raft_base(|p| p.break_it = BreakIt::ForgetVotedFor);
    let seed = FORGET_VOTED_FOR_FIRST_SEED;
    // The documented seed fails (the seeds before it are clean; `sim sweep --expect-violation`
    // checks that in CI-sized runs).
    let (scenario, found) = violations(&scenario, seed);
    assert!(
        found.iter().any(|v| v.starts_with("Election Safety")),
        "seed {seed}: {found:?}\n{}",
        reproduce(&scenario)
    );
}

#[test]
fn committing_an_earlier_term_is_caught_within_the_documented_seeds() {
    let scenario = raft_base(|p| {
        p.break_it = BreakIt::CommitEarlierTerm;
        p.leader_noop = false;
    });
    assert_eq!(
        caught(&scenario, "Leader Completeness", COMMIT_EARLIER_TERM_SEEDS),
        Some(COMMIT_EARLIER_TERM_SEEDS - 1)
    );
}

/// The checkers skip steps that change nothing they watch (ARCHITECTURE.md, invariant 10). Over
/// random faults, every variant's trace, violations included, is the same when every property runs
/// after every step, so no checker misses a step that matters.
#[test]
fn skipping_unwatched_steps_never_changes_a_verdict() {
    let variants = [
        BreakIt::None,
        BreakIt::VoteWithoutLogCheck,
        BreakIt::CommitEarlierTerm,
        BreakIt::ForgetVotedFor,
        BreakIt::FixedElectionTimeout,
    ];
    let mut violations = 0;
    for break_it in variants {
        let base = raft_base(|p| {
            p.break_it = break_it;
            p.leader_noop = break_it != BreakIt::CommitEarlierTerm;
        });
        for seed in 0..seed_count(12) {
            let scenario = sweep::with_random_faults(&base, seed);
            let mut hashes = Vec::new();
            for every_step in [false, true] {
                let mut run = scenario.build().expect("sweep scenarios are valid");
                if every_step {
                    run.check_every_step();
                }
                run.run_until(scenario.horizon_us);
                violations += run
                    .events()
                    .iter()
                    .filter(|e| matches!(e.kind, EventKind::Violation(_)))
                    .count();
                hashes.push(trace_hash(&*run));
            }
            assert_eq!(
                hashes[0],
                hashes[1],
                "{break_it:?}, seed {seed}\n{}",
                reproduce(&scenario)
            );
        }
    }
    // The comparison means something only if some runs found violations.
    assert!(violations > 10, "only {violations} violations");
}
