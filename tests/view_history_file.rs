//! Histories read from Jepsen files ("Open history…"): the same verdict as `sim check`, the
//! explanation in the file's lines, the nemesis's faults on the timeline, and clear errors.

use causeway::checks::linearizability::jepsen::{self, ModelKind, Verdict};
use causeway::view::history::{
    self, BarState, FileHistory, HistoryInput, HistoryLayout, HistoryVerdict, OpInput, PAGE_BUDGET,
};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/jepsen/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The whole file in one window of `height` pixels.
fn whole(file: &FileHistory, height: f64) -> HistoryLayout {
    history::layout(&HistoryInput {
        history: &file.index,
        verdict: file.verdict.clone(),
        judged_at: None,
        now_us: file.end,
        start_us: 0,
        origin_us: 0,
        span_us: file.end,
        width_px: 600.0,
        height_px: height,
        selected: None,
    })
}

#[test]
fn a_stale_read_gets_the_verdict_sim_check_gives_with_its_lines_and_points() {
    let text = fixture("register-partition.log");
    let file = history::open("register-partition.log", &text, None, PAGE_BUDGET).unwrap();
    assert_eq!(file.model, ModelKind::Register, "no keys: a register");
    assert_eq!(file.failed, 1, "the :fail'ed write is left out");
    let parsed = jepsen::parse(&text).unwrap();
    let Verdict::NotLinearizable { prefix, stuck, .. } =
        jepsen::check(&parsed, ModelKind::Register, PAGE_BUDGET).unwrap()
    else {
        panic!("sim check's verdict changed");
    };
    let HistoryVerdict::NotLinearizable {
        order, stuck: s, ..
    } = &*file.verdict
    else {
        panic!("{:?}", file.verdict);
    };
    assert_eq!(*s, stuck);
    assert_eq!(order.iter().map(|p| p.index).collect::<Vec<_>>(), prefix);
    // Each point lies within its operation (or after it began, when its outcome is unknown), in
    // order.
    let ops = file.index.ops();
    let mut last = 0;
    for placed in order {
        let op = &ops[placed.index];
        assert!(placed.at_us >= op.invoked_us && placed.at_us >= last);
        if op.completed.is_some() {
            assert!(placed.at_us <= op.finished_us.unwrap());
        }
        last = placed.at_us;
    }

    let layout = whole(&file, 900.0);
    let stuck_bar = layout
        .bars
        .iter()
        .find(|b| b.state == BarState::Stuck)
        .unwrap();
    assert!(
        stuck_bar.title.contains("p0 :read") && stuck_bar.title.contains("lines 11–12"),
        "{}",
        stuck_bar.title
    );
    let cas = layout
        .bars
        .iter()
        .find(|b| b.title.contains(":cas"))
        .unwrap();
    assert!(cas.open, "an :info operation is open to the end");
    assert!(cas.title.contains("outcome unknown"), "{}", cas.title);
    assert_eq!(layout.points.len(), prefix.len());
    assert_eq!(
        layout.summary,
        "Not linearizable on the register as a register"
    );
    let why = layout.explanation.join(" ");
    assert!(
        why.contains("op5 (process 0 :read → 1, lines 11–12) cannot come next"),
        "{why}"
    );
    assert!(
        why.contains("op3 (process 2 :write 2, lines 8–9) completed before it began"),
        "{why}"
    );
}

#[test]
fn the_nemesis_partition_is_drawn_and_shaded_until_it_heals() {
    let file = history::open(
        "register-partition.log",
        &fixture("register-partition.log"),
        None,
        PAGE_BUDGET,
    )
    .unwrap();
    let layout = whole(&file, 900.0);
    let labels: Vec<&str> = layout.faults.iter().map(|f| f.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "nemesis :start \"Cut off {:n1 #{:n3 :n2}}\"",
            "nemesis :stop :network-healed"
        ]
    );
    assert_eq!(layout.partitioned.len(), 1);
    let (top, bottom) = layout.partitioned[0];
    assert!((top - layout.faults[0].y).abs() < 1e-9 && (bottom - layout.faults[1].y).abs() < 1e-9);
}

#[test]
fn a_key_value_file_is_read_as_one_and_each_key_judged_on_its_own() {
    let text = fixture("kv.edn");
    let file = history::open("kv.edn", &text, None, PAGE_BUDGET).unwrap();
    assert_eq!(file.model, ModelKind::Kv);
    assert!(matches!(*file.verdict, HistoryVerdict::Linearizable { .. }));
    let layout = whole(&file, 600.0);
    assert!(
        layout
            .summary
            .starts_with("Linearizable as a key-value store"),
        "{}",
        layout.summary
    );
    assert!(layout.bars.iter().all(|b| b.state == BarState::Done));

    let stale = history::open("kv-stale.edn", &fixture("kv-stale.edn"), None, PAGE_BUDGET).unwrap();
    let HistoryVerdict::NotLinearizable { key, .. } = &*stale.verdict else {
        panic!("{:?}", stale.verdict);
    };
    let layout = whole(&stale, 600.0);
    // The other key's operations are set aside, the violation's key drawn in full.
    let mut aside = 0;
    for bar in &layout.bars {
        let Some(OpInput::Named { key: k, .. }) = stale.index.op(bar.op).map(|o| &o.input) else {
            panic!("a file's operation is named");
        };
        assert_eq!(k == key, bar.state != BarState::Aside, "{}", bar.title);
        aside += usize::from(bar.state == BarState::Aside);
    }
    assert!(aside > 0, "the other key has operations");
    assert!(
        layout.summary.contains(&format!("on {key}")),
        "{}",
        layout.summary
    );
}

#[test]
fn a_model_the_file_does_not_fit_and_a_malformed_file_name_the_line() {
    let kv = fixture("kv.edn");
    let wrong = history::open("kv.edn", &kv, Some(ModelKind::Register), PAGE_BUDGET).unwrap_err();
    assert_eq!(wrong.line, 1);
    assert!(wrong.expected.contains("register operation"), "{wrong}");

    let broken = history::open(
        "malformed.log",
        &fixture("malformed.log"),
        None,
        PAGE_BUDGET,
    )
    .unwrap_err();
    let cli = jepsen::parse(&fixture("malformed.log")).unwrap_err();
    assert_eq!(broken, cli, "the page and sim check name the same line");
    for junk in ["", "\u{0}\u{1}garbage", "{:process", "[{:process 0}]"] {
        assert!(
            history::open("junk", junk, None, PAGE_BUDGET).is_err(),
            "{junk:?}"
        );
    }
}

#[test]
fn a_budget_too_small_is_unknown_never_a_pass() {
    let text = fixture("budget.log");
    let file = history::open("budget.log", &text, None, 50).unwrap();
    assert!(
        matches!(*file.verdict, HistoryVerdict::Unknown { .. }),
        "{:?}",
        file.verdict
    );
    let layout = whole(&file, 600.0);
    assert!(layout.summary.starts_with("Unknown"), "{}", layout.summary);
    assert!(layout.summary.contains("not a pass"));
}
