//! `sim check FILE --model register|kv`: judges a Jepsen history; `sim bench check`: how fast,
//! on generated register histories that other checkers can read too (`--write-dir`).

use causeway::checks::linearizability::jepsen::{self, ModelKind, Verdict};
use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Instant;

/// The default search budget (model applications).
pub const BUDGET: u64 = 100_000_000;

/// Exit 0 linearizable, 1 not, 3 unknown, 2 for a file that cannot be read or is malformed.
pub fn command(file: &str, model: &str, budget: u64) -> ExitCode {
    let kind = match model {
        "register" => ModelKind::Register,
        "kv" => ModelKind::Kv,
        other => {
            eprintln!("sim: no model `{other}` (try `register` or `kv`)");
            return ExitCode::from(2);
        }
    };
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("sim: cannot read {file}: {e}");
            return ExitCode::from(2);
        }
    };
    let Ok(text) = String::from_utf8(bytes.clone()) else {
        let line = bytes
            .utf8_chunks()
            .next()
            .map_or(1, |chunk| 1 + chunk.valid().matches('\n').count());
        eprintln!("sim: {file}: line {line}: expected UTF-8 text");
        return ExitCode::from(2);
    };
    let verdict = jepsen::parse(&text).and_then(|h| Ok((jepsen::check(&h, kind, budget)?, h)));
    match verdict {
        Err(e) => {
            eprintln!("sim: {file}: {e}");
            ExitCode::from(2)
        }
        Ok((verdict, history)) => {
            say!("{}", jepsen::explain(&history, &verdict).trim_end());
            ExitCode::from(match verdict {
                Verdict::Linearizable => 0,
                Verdict::NotLinearizable { .. } => 1,
                Verdict::Unknown { .. } => 3,
            })
        }
    }
}

/// SplitMix64: a small deterministic generator for the benchmark's histories.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum F {
    Read,
    Write,
    Cas,
}

/// One generated operation: what it did, when, and when it took effect.
struct GenOp {
    process: u64,
    f: F,
    /// Write: the value; cas: the new value (`old` is the expected one); read: what it saw.
    value: i64,
    old: i64,
    start: u64,
    effect: u64,
    end: u64,
    ok: bool,
    /// Crashed (`:info`): whether it took effect is unknown to the checker.
    info: bool,
}

/// A Jepsen log of `ops` register operations by `clients` concurrent clients: each client's
/// operations follow each other, each takes effect at a random instant inside its interval, and
/// the values read follow from that order, so the history is linearizable. With `corrupt`, one
/// late read instead returns a value overwritten before it was invoked (a stale read).
pub fn generate(ops: usize, clients: u64, seed: u64, corrupt: bool) -> String {
    let mut rng = Rng(seed);
    let mut clock = vec![0u64; clients as usize];
    let mut process: Vec<u64> = (0..clients).collect();
    let mut list = Vec::with_capacity(ops);
    for k in 0..ops {
        let c = (k as u64 % clients) as usize;
        let start = clock[c] + 1 + rng.below(20);
        let end = start + 1 + rng.below(20 * clients);
        let effect = start + rng.below(end - start);
        clock[c] = end;
        let f = match rng.below(10) {
            0..5 => F::Read,
            5..8 => F::Write,
            _ => F::Cas,
        };
        let fresh = k as i64 + 1;
        let info = f != F::Read && rng.below(200) == 0;
        list.push(GenOp {
            process: process[c],
            f,
            value: fresh,
            old: 0,
            start,
            effect,
            end,
            ok: true,
            info,
        });
        if info {
            process[c] += clients;
        }
    }
    // Apply in effect order; a cas expects the current value half the time.
    let mut by_effect: Vec<usize> = (0..list.len()).collect();
    by_effect.sort_by_key(|&i| (list[i].effect, i));
    let mut state = 0i64;
    for &i in &by_effect {
        let op = &mut list[i];
        let takes = !op.info || rng.below(2) == 0;
        match op.f {
            F::Read => op.value = state,
            F::Write if takes => state = op.value,
            F::Write => {}
            F::Cas => {
                op.old = if rng.below(2) == 0 { state } else { state + 1 };
                op.ok = op.old == state;
                if op.ok && takes {
                    state = op.value;
                }
            }
        }
    }
    if corrupt {
        corrupt_a_late_read(&mut list);
    }
    let mut events: Vec<(u64, bool, usize)> = Vec::with_capacity(2 * list.len());
    for (i, op) in list.iter().enumerate() {
        events.push((op.start, false, i));
        events.push((op.end, true, i));
    }
    events.sort();
    let mut out = String::new();
    for (_, done, i) in events {
        let op = &list[i];
        // The register starts as nil, which the generator calls 0.
        let show = |v: i64| {
            if v == 0 {
                "nil".to_string()
            } else {
                v.to_string()
            }
        };
        let (f, value) = match op.f {
            F::Read if done => ("read", show(op.value)),
            F::Read => ("read", "nil".to_string()),
            F::Write => ("write", show(op.value)),
            F::Cas => ("cas", format!("[{} {}]", show(op.old), show(op.value))),
        };
        let kind = match (done, op.info, op.ok) {
            (false, ..) => ":invoke",
            (true, true, _) => ":info",
            (true, false, true) => ":ok",
            (true, false, false) => ":fail",
        };
        let _ = writeln!(
            out,
            "INFO  jepsen.util - {}\t{kind}\t:{f}\t{value}",
            op.process
        );
    }
    out
}

/// Makes one read in the last tenth return a value that two completed writes had overwritten
/// before it was invoked.
fn corrupt_a_late_read(list: &mut [GenOp]) {
    let writes: Vec<usize> = (0..list.len())
        .filter(|&i| list[i].f == F::Write && !list[i].info)
        .collect();
    for r in (list.len() * 9 / 10..list.len()).rev() {
        if list[r].f != F::Read {
            continue;
        }
        let view: &[GenOp] = list;
        let last_done_before = |t: u64| {
            writes
                .iter()
                .copied()
                .filter(|&w| view[w].end < t)
                .max_by_key(|&w| view[w].end)
        };
        // The last write done before the read; a write done before that one began.
        let Some(w2) = last_done_before(view[r].start) else {
            continue;
        };
        let Some(w1) = last_done_before(view[w2].start) else {
            continue;
        };
        if list[w1].value != list[r].value {
            list[r].value = list[w1].value;
            return;
        }
    }
}

/// The benchmark's budget per history: past it a history counts as unknown.
const BENCH_BUDGET: u64 = 20_000_000;

/// `sim bench check`: times the checker on generated histories; `--write-dir` keeps them.
pub fn bench(write_dir: Option<&str>) -> ExitCode {
    say!(
        "linearizability check, register model (native, {} build): generated Jepsen histories",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    say!(
        "  {:<28} {:>8} {:>8} {:>12} {:>14}  verdict",
        "file",
        "ops",
        "clients",
        "ms",
        "ops/s"
    );
    if let Some(dir) = write_dir
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        eprintln!("sim: cannot create {dir}: {e}");
        return ExitCode::from(2);
    }
    let mut wrong = false;
    for ops in [1_000, 10_000, 20_000] {
        for clients in [10, 50] {
            for corrupt in [false, true] {
                let name = format!(
                    "register-{ops}-c{clients}-{}.log",
                    if corrupt { "bad" } else { "ok" }
                );
                let text = generate(ops, clients, ops as u64 * 1000 + clients, corrupt);
                if let Some(dir) = write_dir {
                    let path = std::path::Path::new(dir).join(&name);
                    if let Err(e) = std::fs::write(&path, &text) {
                        eprintln!("sim: cannot write {}: {e}", path.display());
                        return ExitCode::from(2);
                    }
                }
                let started = Instant::now();
                let verdict = jepsen::parse(&text)
                    .and_then(|h| jepsen::check(&h, ModelKind::Register, BENCH_BUDGET));
                let seconds = started.elapsed().as_secs_f64();
                let word = match verdict {
                    Ok(Verdict::Linearizable) => "linearizable",
                    Ok(Verdict::NotLinearizable { .. }) => "NOT linearizable",
                    Ok(Verdict::Unknown { .. }) => "unknown (budget)",
                    Err(_) => "malformed",
                };
                wrong |= word
                    != if corrupt {
                        "NOT linearizable"
                    } else {
                        "linearizable"
                    };
                say!(
                    "  {name:<28} {ops:>8} {clients:>8} {:>12.1} {:>14.0}  {word}",
                    seconds * 1e3,
                    ops as f64 / seconds
                );
            }
        }
    }
    say!("  (times include parsing; ops/s = operations in the file / seconds)");
    ExitCode::from(if wrong { 1 } else { 0 })
}
