//! The bench page (`?bench`): runs the engine's standard workloads in this browser and prints the
//! same lines as `sim bench` and `sim bench raft`, so the wasm build can be compared with native and
//! with other simulators. `?bench&events=N` sets the events per heartbeat workload,
//! `&raft_seconds=S` the simulated seconds per Raft workload and `&raft_nodes=5,25` its cluster
//! sizes (`&events=0` skips the heartbeat workloads).

use std::time::Duration;

use yew::prelude::*;

use crate::bench::{self, Replication};

const DEFAULT_EVENTS: u64 = 2_000_000;
const SIZES: [u32; 3] = [5, 50, 500];
const DEFAULT_RAFT_SECONDS: u64 = 100;
const RAFT_SIZES: [u32; 3] = [5, 25, 101];

/// Milliseconds from the page's time origin, from the browser's high-resolution clock.
fn wall_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// The query parameter `name`, if the page's address has it.
fn param(name: &str) -> Option<String> {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()
        .and_then(|params| params.get(name))
}

/// A numeric query parameter within `range`, or `default`.
fn number_param(name: &str, range: std::ops::RangeInclusive<u64>, default: u64) -> u64 {
    param(name)
        .and_then(|text| text.parse().ok())
        .filter(|n| range.contains(n))
        .unwrap_or(default)
}

/// The Raft cluster sizes from `raft_nodes` (a comma-separated list of 1 to 201), or the defaults.
fn raft_sizes() -> Vec<u32> {
    let sizes: Option<Vec<u32>> = param("raft_nodes").and_then(|text| {
        text.split(',')
            .map(|n| n.trim().parse().ok().filter(|n| (1..=201).contains(n)))
            .collect()
    });
    sizes
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| RAFT_SIZES.to_vec())
}

/// Lets the page paint what it has before the next run keeps the thread busy.
async fn yield_to_page() {
    yew::platform::time::sleep(Duration::from_millis(20)).await;
}

#[function_component]
pub fn BenchPage() -> Html {
    let lines = use_state(Vec::<String>::new);
    let done = use_state(|| false);
    {
        let lines = lines.clone();
        let done = done.clone();
        use_effect_with((), move |()| {
            yew::platform::spawn_local(async move {
                let events = match number_param("events", 0..=50_000_000, DEFAULT_EVENTS) {
                    0 => 0,
                    n => n.max(1_000),
                };
                let raft_seconds = number_param("raft_seconds", 1..=3_600, DEFAULT_RAFT_SECONDS);
                let mut out = Vec::new();
                let mut clock = wall_ms;
                // `events=0` skips the heartbeat workloads.
                let shapes = if events == 0 {
                    &[][..]
                } else {
                    &bench::SHAPES[..]
                };
                if !shapes.is_empty() {
                    out.push(format!(
                        "engine speed (wasm, {events} events per workload):"
                    ));
                    lines.set(out.clone());
                    yield_to_page().await;
                    bench::warm_up(events, &mut clock);
                }
                for &shape in shapes {
                    out.push(format!("  {}", shape.title()));
                    let mut first = None;
                    for nodes in SIZES {
                        yield_to_page().await;
                        let result = bench::run_heartbeat(shape, nodes, events, &mut clock);
                        out.push(format!("    {}", result.line()));
                        match first {
                            Some(first) => {
                                out.push(format!(
                                    "    {}",
                                    bench::cost_ratio_line(&first, &result)
                                ));
                            }
                            None => first = Some(result),
                        }
                        lines.set(out.clone());
                    }
                }
                out.push(format!(
                    "raft workload (wasm): latency 10–15 ms, election timeout 100–200 ms, heartbeat 50 ms, a request \
                     every 100 ms, {raft_seconds} simulated seconds, {}:",
                    bench::replication_method()
                ));
                let mut first = None;
                for nodes in raft_sizes() {
                    yield_to_page().await;
                    let result =
                        bench::run_replication(Replication::Raft, nodes, raft_seconds, &mut clock);
                    out.push(format!("  {}", result.message_line(Replication::Raft)));
                    match first {
                        Some(first) => out.push(format!(
                            "  {}",
                            bench::message_cost_ratio_line(&first, &result)
                        )),
                        None => first = Some(result),
                    }
                    lines.set(out.clone());
                }
                done.set(true);
            });
        });
    }
    html! {
        <main class="bench">
            <h1>{ "Causeway engine benchmark" }</h1>
            <p>{ "The engine's standard workloads (all-to-all and ring heartbeats, then Raft), run by the wasm build in this tab. Compare with `sim bench` and `sim bench raft` natively." }</p>
            <pre id="bench-output" data-done={ (*done).to_string() }>{ lines.join("\n") }</pre>
        </main>
    }
}
