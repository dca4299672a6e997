use super::*;

const KINDS: [Kind; 5] = [
    Kind::GCounter,
    Kind::PnCounter,
    Kind::LwwRegister,
    Kind::OrSet,
    Kind::Rga,
];

const NODES: usize = 3;

/// A tiny deterministic xorshift generator.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn replicas(kind: Kind) -> Vec<Replica> {
    (0..NODES as u32)
        .map(|i| Replica::new(kind, i, NODES as u32))
        .collect()
}

fn visible_len(r: &Replica) -> usize {
    match &r.state {
        State::Text { elems } => visible_ids(elems).len(),
        _ => 0,
    }
}

fn random_update(kind: Kind, rng: &mut Rng, r: &Replica) -> Update {
    let word = |rng: &mut Rng| ["a", "b", "c", "d"][rng.below(4)].to_string();
    match kind {
        Kind::GCounter => Update::Inc(1 + rng.below(4) as u64),
        Kind::PnCounter if rng.below(2) == 0 => Update::Dec(1 + rng.below(4) as u64),
        Kind::PnCounter => Update::Inc(1 + rng.below(4) as u64),
        Kind::LwwRegister => Update::Set(word(rng)),
        Kind::OrSet if rng.below(3) == 0 => Update::Remove(word(rng)),
        Kind::OrSet => Update::Add(word(rng)),
        Kind::Rga => {
            let len = visible_len(r);
            if rng.below(3) == 0 {
                Update::Delete {
                    at: rng.below(len + 2),
                    len: rng.below(3),
                }
            } else {
                let text = (0..1 + rng.below(3))
                    .map(|_| ['a', 'b', 'x', 'y', ' '][rng.below(5)])
                    .collect();
                Update::Insert {
                    at: rng.below(len + 2),
                    text,
                }
            }
        }
    }
}

/// The state with the node it runs on left out, to compare replicas of different nodes.
fn norm(r: &Replica) -> Replica {
    Replica {
        node: 0,
        ..r.clone()
    }
}

fn merged(a: &Replica, b: &Replica) -> Replica {
    let mut m = a.clone();
    m.merge(b);
    m
}

/// Three replicas of `kind` after random updates and random state exchanges.
fn random_states(kind: Kind, rng: &mut Rng) -> Vec<Replica> {
    let mut rs = replicas(kind);
    for _ in 0..rng.below(16) {
        let i = rng.below(NODES);
        if rng.below(4) == 0 {
            let from = rs[rng.below(NODES)].clone();
            rs[i].merge(&from);
        } else {
            let update = random_update(kind, rng, &rs[i]);
            rs[i].prepare(&update).unwrap();
        }
    }
    rs
}

#[test]
fn merge_is_a_join() {
    for kind in KINDS {
        let mut rng = Rng::new(kind as u64 + 1);
        for _ in 0..200 {
            let rs = random_states(kind, &mut rng);
            let (a, b, c) = (&rs[0], &rs[1], &rs[2]);
            assert_eq!(
                norm(&merged(a, b)),
                norm(&merged(b, a)),
                "{kind:?} commutes"
            );
            assert_eq!(
                norm(&merged(&merged(a, b), c)),
                norm(&merged(a, &merged(b, c))),
                "{kind:?} associates"
            );
            assert_eq!(merged(a, a), *a, "{kind:?} idempotent");
            assert_eq!(merged(&merged(a, b), b), merged(a, b), "{kind:?} absorbs");
            let orders = [
                [0, 1, 2],
                [0, 2, 1],
                [1, 0, 2],
                [1, 2, 0],
                [2, 0, 1],
                [2, 1, 0],
            ];
            let all: Vec<Replica> = orders
                .iter()
                .map(|o| {
                    let mut m = rs[o[0]].clone();
                    m.merge(&rs[o[1]]);
                    m.merge(&rs[o[2]]);
                    norm(&m)
                })
                .collect();
            for m in &all {
                assert_eq!(m.value(), all[0].value(), "{kind:?}");
                assert_eq!(*m, all[0], "{kind:?}");
            }
        }
    }
}

/// An operation as sent: its origin, its number among the origin's operations, how many
/// operations of each origin the origin had applied when it prepared it, and the origin's
/// state right after.
struct Sent {
    origin: usize,
    seq: usize,
    deps: Vec<usize>,
    op: Op,
    snapshot: Replica,
}

#[test]
fn causal_delivery_converges_to_the_state_based_result() {
    for kind in KINDS {
        let mut rng = Rng::new(100 + kind as u64);
        for _ in 0..200 {
            let mut rs = replicas(kind);
            let mut log: Vec<Sent> = Vec::new();
            // applied[j][o]: how many of o's operations replica j has (its own included).
            let mut applied = vec![vec![0usize; NODES]; NODES];
            let deliverable = |applied: &[Vec<usize>], j: usize, m: &Sent| {
                m.origin != j
                    && applied[j][m.origin] == m.seq
                    && (0..NODES).all(|k| k == m.origin || applied[j][k] >= m.deps[k])
            };
            let steps = rng.below(20);
            for step in 0.. {
                let pending: Vec<(usize, usize)> = (0..NODES)
                    .flat_map(|j| (0..log.len()).map(move |m| (j, m)))
                    .filter(|&(j, m)| deliverable(&applied, j, &log[m]))
                    .collect();
                if step < steps && (pending.is_empty() || rng.below(2) == 0) {
                    let i = rng.below(NODES);
                    let update = random_update(kind, &mut rng, &rs[i]);
                    let op = rs[i].prepare(&update).unwrap();
                    log.push(Sent {
                        origin: i,
                        seq: applied[i][i],
                        deps: applied[i].clone(),
                        op,
                        snapshot: rs[i].clone(),
                    });
                    applied[i][i] += 1;
                } else if let Some(&(j, m)) = pending.get(rng.below(pending.len().max(1))) {
                    rs[j].apply(&log[m].op).unwrap();
                    applied[j][log[m].origin] += 1;
                } else {
                    break;
                }
            }
            let mut joined = Replica::new(kind, 0, NODES as u32);
            for m in &log {
                joined.merge(&m.snapshot);
            }
            for (j, r) in rs.iter().enumerate() {
                for (o, &count) in applied[j].iter().enumerate() {
                    assert_eq!(count, log.iter().filter(|m| m.origin == o).count());
                }
                assert_eq!(r.value(), rs[0].value(), "{kind:?}");
                assert_eq!(r.value(), joined.value(), "{kind:?}");
                assert_eq!(norm(r), norm(&joined), "{kind:?}");
            }
        }
    }
}

fn prepare(r: &mut Replica, update: Update) -> Op {
    r.prepare(&update).unwrap()
}

fn insert(at: usize, text: &str) -> Update {
    Update::Insert {
        at,
        text: text.to_string(),
    }
}

#[test]
fn or_set_add_wins_over_a_concurrent_remove() {
    let [mut a, mut b, _] = <[Replica; 3]>::try_from(replicas(Kind::OrSet)).unwrap();
    let add = prepare(&mut a, Update::Add("x".into()));
    b.apply(&add).unwrap();
    let remove = prepare(&mut b, Update::Remove("x".into()));
    let again = prepare(&mut a, Update::Add("x".into()));
    a.apply(&remove).unwrap();
    b.apply(&again).unwrap();
    assert_eq!(a.value(), "{x}");
    assert_eq!(b.value(), "{x}");

    // The same, state-based.
    let mut a2 = Replica::new(Kind::OrSet, 0, 2);
    let mut b2 = Replica::new(Kind::OrSet, 1, 2);
    prepare(&mut a2, Update::Add("x".into()));
    b2.merge(&a2);
    prepare(&mut b2, Update::Remove("x".into()));
    prepare(&mut a2, Update::Add("x".into()));
    assert_eq!(merged(&a2, &b2).value(), "{x}");
    assert_eq!(merged(&b2, &a2).value(), "{x}");
}

#[test]
fn or_set_remove_after_observing_the_add_removes() {
    let mut a = Replica::new(Kind::OrSet, 0, 2);
    let mut b = Replica::new(Kind::OrSet, 1, 2);
    let add_x = prepare(&mut a, Update::Add("x".into()));
    let add_y = prepare(&mut a, Update::Add("y".into()));
    b.apply(&add_x).unwrap();
    b.apply(&add_y).unwrap();
    let remove = prepare(&mut b, Update::Remove("x".into()));
    assert_eq!(
        remove,
        Op::Remove {
            elem: "x".into(),
            tags: vec![Stamp { time: 1, node: 0 }]
        }
    );
    a.apply(&remove).unwrap();
    assert_eq!(a.value(), "{y}");
    assert_eq!(b.value(), "{y}");
    // Op-based, a remove that overtakes its add (no causal delivery) removes nothing, and the
    // add arriving later stays: the replicas diverge.
    let mut c = Replica::new(Kind::OrSet, 1, 2);
    c.apply(&remove).unwrap();
    c.apply(&add_x).unwrap();
    c.apply(&add_y).unwrap();
    assert_eq!(c.value(), "{x, y}");
    // Removing what is not there is an operation with no tags.
    assert_eq!(
        prepare(&mut a, Update::Remove("z".into())),
        Op::Remove {
            elem: "z".into(),
            tags: vec![]
        }
    );
}

#[test]
fn rga_concurrent_inserts_do_not_interleave() {
    let mut rng = Rng::new(7);
    for case in 0..100 {
        let mut a = Replica::new(Kind::Rga, (case % 2) as u32, 2);
        let mut b = Replica::new(Kind::Rga, 1 - (case % 2) as u32, 2);
        let base = prepare(&mut a, insert(0, "12"));
        b.apply(&base).unwrap();
        // Unequal clocks now and then, so either side may have the greater ids.
        for _ in 0..rng.below(3) {
            let op = prepare(&mut b, insert(0, "-"));
            a.apply(&op).unwrap();
        }
        let at = visible_len(&a) - 1;
        let ab = prepare(&mut a, insert(at, "ab"));
        let xy = prepare(&mut b, insert(at, "xy"));
        a.apply(&xy).unwrap();
        b.apply(&ab).unwrap();
        let text = a.value();
        assert_eq!(text, b.value());
        assert!(
            text.contains("1abxy2") || text.contains("1xyab2"),
            "{text} interleaves"
        );
        assert_eq!(text, merged(&a, &b).value());
    }
}

#[test]
fn rga_delete_then_insert() {
    let mut a = Replica::new(Kind::Rga, 0, 2);
    let mut b = Replica::new(Kind::Rga, 1, 2);
    let ops = [
        prepare(&mut a, insert(0, "hello")),
        prepare(&mut a, Update::Delete { at: 1, len: 3 }),
        prepare(&mut a, insert(1, "EY")),
        prepare(&mut a, insert(99, "!")),
    ];
    assert_eq!(a.value(), "\"hEYo!\"");
    for op in &ops {
        b.apply(op).unwrap();
    }
    assert_eq!(b.value(), a.value());
    // Deleting past the end deletes nothing.
    assert_eq!(
        prepare(&mut a, Update::Delete { at: 5, len: 2 }),
        Op::Delete { ids: vec![] }
    );
    // Deleting over the end deletes what there is.
    prepare(&mut a, Update::Delete { at: 3, len: 9 });
    assert_eq!(a.value(), "\"hEY\"");
}

#[test]
fn rga_op_before_its_reference_is_refused() {
    let mut a = Replica::new(Kind::Rga, 0, 2);
    let mut b = Replica::new(Kind::Rga, 1, 2);
    let first = prepare(&mut a, insert(0, "h"));
    let second = prepare(&mut a, insert(1, "i"));
    let delete = prepare(&mut a, Update::Delete { at: 0, len: 1 });
    let before = b.clone();
    assert_eq!(
        b.apply(&second),
        Err("inserts after 1.n1, which has not arrived".to_string())
    );
    assert_eq!(
        b.apply(&delete),
        Err("deletes 1.n1, which has not arrived".to_string())
    );
    assert_eq!(b, before);
    b.apply(&first).unwrap();
    b.apply(&second).unwrap();
    b.apply(&delete).unwrap();
    assert_eq!(b.value(), "\"i\"");
    // Applying an insert again changes nothing.
    b.apply(&first).unwrap();
    assert_eq!(b.value(), "\"i\"");
}

#[test]
fn counters_double_count_a_duplicated_inc() {
    let mut a = Replica::new(Kind::GCounter, 0, 2);
    let mut b = Replica::new(Kind::GCounter, 1, 2);
    let op = prepare(&mut a, Update::Inc(3));
    assert_eq!(op, Op::Inc { node: 0, by: 3 });
    b.apply(&op).unwrap();
    b.apply(&op).unwrap();
    assert_eq!(a.value(), "3");
    assert_eq!(b.value(), "6");
    // The state-based join does not double count.
    assert_eq!(merged(&a, &a).value(), "3");
}

#[test]
fn pn_counter_can_go_negative() {
    let mut a = Replica::new(Kind::PnCounter, 0, 2);
    let mut b = Replica::new(Kind::PnCounter, 1, 2);
    prepare(&mut a, Update::Dec(5));
    prepare(&mut a, Update::Inc(2));
    let op = prepare(&mut b, Update::Dec(1));
    assert_eq!(a.value(), "-3");
    a.apply(&op).unwrap();
    assert_eq!(a.value(), "-4");
    assert_eq!(merged(&b, &a).value(), "-4");
    assert_eq!(
        a.rows(),
        vec![
            ("n1".to_string(), "+2 −5".to_string()),
            ("n2".to_string(), "+0 −1".to_string())
        ]
    );
}

#[test]
fn prepare_and_apply_refuse_what_the_type_does_not_take() {
    let cases = [
        (
            Kind::GCounter,
            Update::Dec(1),
            "a G-Counter takes inc, not dec",
        ),
        (
            Kind::OrSet,
            Update::Inc(1),
            "an OR-Set takes add and remove, not inc",
        ),
        (
            Kind::LwwRegister,
            Update::Add("a".into()),
            "an LWW-register takes set, not add",
        ),
        (
            Kind::PnCounter,
            Update::Set("a".into()),
            "a PN-Counter takes inc and dec, not set",
        ),
        (
            Kind::Rga,
            Update::Remove("a".into()),
            "an RGA text takes insert and delete, not remove",
        ),
        (Kind::Rga, insert(0, ""), "nothing to insert"),
    ];
    for (kind, update, error) in cases {
        let mut r = Replica::new(kind, 0, 2);
        assert_eq!(r.prepare(&update), Err(error.to_string()));
        assert_eq!(r, Replica::new(kind, 0, 2));
    }
    let mut g = Replica::new(Kind::GCounter, 0, 2);
    assert_eq!(
        g.apply(&Op::Dec { node: 1, by: 1 }),
        Err("a G-Counter takes inc, not dec".to_string())
    );
    for kind in KINDS {
        let mut rng = Rng::new(kind as u64 + 50);
        for _ in 0..30 {
            let r = Replica::new(kind, 0, 2);
            for other in KINDS {
                let update = random_update(other, &mut rng, &r);
                assert_eq!(kind.accepts(&update), r.clone().prepare(&update).is_ok());
            }
        }
    }
}

#[test]
fn values_and_rows_in_words() {
    let mut lww = Replica::new(Kind::LwwRegister, 1, 2);
    assert_eq!(lww.value(), "(unset)");
    prepare(&mut lww, Update::Set("v".into()));
    let older = Op::Set {
        stamp: Stamp { time: 1, node: 0 },
        value: "old".into(),
    };
    lww.apply(&older).unwrap();
    assert_eq!(lww.value(), "\"v\"");
    assert_eq!(
        lww.rows(),
        vec![
            ("value".to_string(), "\"v\"".to_string()),
            ("written".to_string(), "1@n2".to_string()),
            ("clock".to_string(), "1".to_string())
        ]
    );
    lww.apply(&Op::Set {
        stamp: Stamp { time: 4, node: 0 },
        value: "new".into(),
    })
    .unwrap();
    assert_eq!(lww.value(), "\"new\"");
    // The clock rose to the stamp seen, so the next write wins.
    assert_eq!(
        prepare(&mut lww, Update::Set("w".into())),
        Op::Set {
            stamp: Stamp { time: 5, node: 1 },
            value: "w".into()
        }
    );

    let mut set = Replica::new(Kind::OrSet, 0, 2);
    for e in ["b", "a", "c"] {
        prepare(&mut set, Update::Add(e.into()));
    }
    prepare(&mut set, Update::Remove("c".into()));
    assert_eq!(set.value(), "{a, b}");
    let rows = set.rows();
    assert_eq!(rows[0], ("a".to_string(), "2@n1".to_string()));
    assert_eq!(rows[2], ("tombstones".to_string(), "3@n1".to_string()));
    for i in 0..20 {
        prepare(&mut set, Update::Add(format!("e{i:02}")));
    }
    let rows = set.rows();
    assert_eq!(rows[12], ("…".to_string(), "10 more elements".to_string()));

    let mut text = Replica::new(Kind::Rga, 0, 2);
    prepare(&mut text, insert(0, "hi you"));
    prepare(&mut text, Update::Delete { at: 1, len: 1 });
    assert_eq!(text.value(), "\"h you\"");
    assert_eq!(
        text.rows(),
        vec![
            ("text".to_string(), "\"h you\"".to_string()),
            ("characters".to_string(), "5".to_string()),
            ("tombstones".to_string(), "1".to_string()),
            (
                "elements".to_string(),
                "h@1.n1 ~i@2.n1 ␣@3.n1 y@4.n1 o@5.n1 u@6.n1".to_string()
            ),
            ("clock".to_string(), "6".to_string())
        ]
    );
    prepare(&mut text, insert(0, &"z".repeat(50)));
    let rows = text.rows();
    assert!(rows[0].1.ends_with("\"…"));
    assert!(rows[3].1.ends_with(" …"));
    assert_eq!(rows[3].1.split(' ').count(), 13);

    assert_eq!(Replica::new(Kind::GCounter, 0, 2).value(), "0");
    assert_eq!(Replica::new(Kind::OrSet, 0, 2).value(), "{}");
    assert_eq!(Replica::new(Kind::Rga, 0, 2).value(), "\"\"");
    assert_eq!(Kind::Rga.describe(), "RGA (text)");
}

#[test]
fn serializes_to_json() {
    for kind in KINDS {
        let mut rng = Rng::new(kind as u64 + 9);
        for r in random_states(kind, &mut rng) {
            assert!(serde_json::to_string(&r).is_ok(), "{kind:?}");
        }
    }
    let update: Update = serde_json::from_str(r#"{"insert":{"at":1,"text":"hi"}}"#).unwrap();
    assert_eq!(update, insert(1, "hi"));
    assert!(serde_json::from_str::<Update>(r#"{"delete":{"at":1,"len":2,"x":0}}"#).is_err());
    assert_eq!(
        serde_json::from_str::<Kind>(r#""pn_counter""#).unwrap(),
        Kind::PnCounter
    );
    let op = Op::Insert {
        after: None,
        chars: vec![(Stamp { time: 1, node: 0 }, 'a')],
    };
    let json = serde_json::to_string(&op).unwrap();
    assert_eq!(serde_json::from_str::<Op>(&json).unwrap(), op);
}
