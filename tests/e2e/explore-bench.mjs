// States per second of "Explore all runs": in the page (the search worker, in Chromium) and
// natively (`sim explore`), on the figures' scenarios of docs/explore.md.
// Usage: node tests/e2e/explore-bench.mjs   (after `trunk build --release --offline` and
// `cargo build --release --offline --bin sim`)

import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { launchChromium } from "./browser.mjs";
import { serve } from "./server.mjs";
import { DESKTOP, waitFor } from "./sandbox.mjs";

const root = resolve(import.meta.dirname, "../..");
const sim = resolve(root, "target/release/sim");
// [scenario (a preset or a file), state budget]
const CASES = [
  ["2pc-commit", 100_000],
  ["docs/explore/2pc-5-rms.json", 1_000_000],
  ["docs/explore/paxos-3-acceptors-2-proposers.json", 1_000_000],
  ["docs/explore/raft-election-3.json", 200_000],
];

function native(scenario, states) {
  const out = execFileSync(sim, ["explore", scenario, "--max-states", String(states)], { cwd: root, encoding: "utf8" });
  const [, count, seconds] = out.match(/  ([\d,]+) states, [\d,]+ transitions, depth \d+, ([\d.]+)s/);
  return { states: Number(count.replace(/,/g, "")), seconds: Number(seconds) };
}

const server = await serve(resolve(root, "dist"));
const browser = await launchChromium();
try {
  console.log("scenario                                          states   page/s   native/s   page ÷ native");
  for (const [scenario, states] of CASES) {
    const link = execFileSync(sim, ["link", scenario], { cwd: root, encoding: "utf8" }).trim();
    const page = await browser.newPage({ viewport: DESKTOP });
    await page.goto(`${server.origin}/#${link}`, { waitUntil: "load" });
    await page.locator("svg.diagram .lane-header").first().waitFor();
    const leave = page.locator("[data-action=guide-leave]");
    if (await leave.count()) await leave.click();
    const region = page.locator("[data-region=explore]");
    await region.getByLabel("States").fill(String(states));
    const started = Date.now();
    await region.locator("[data-action=explore-start]").click();
    const status = page.locator("[data-testid=explore-status]");
    const over = /^(found a violation|explored every|reached the state budget)/;
    await waitFor(`the exploration of ${scenario}`, async () => over.test((await status.textContent()) ?? ""), 900_000);
    const seconds = (Date.now() - started) / 1000;
    const explored = Number((await status.textContent()).match(/([\d,]+) states ·/)[1].replace(/,/g, ""));
    await page.close();
    const n = native(scenario, states);
    const pageRate = explored / seconds;
    const nativeRate = n.states / n.seconds;
    console.log(
      `${scenario.padEnd(48)} ${String(explored).padStart(8)} ${pageRate.toFixed(0).padStart(8)} ${nativeRate.toFixed(0).padStart(10)} ${(pageRate / nativeRate).toFixed(2).padStart(15)}`,
    );
  }
} finally {
  await browser.close();
  await server.close();
}
