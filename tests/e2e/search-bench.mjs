// Seeds per second of a counterexample search: in the page (the search workers, in Chromium) and
// natively (`sim sweep` on one core, and on every core), on the same scenarios and seeds. The page
// runs each search twice: the first in a fresh page, while the browser is still optimising the
// workers' code (V8 compiles hot functions a second time, better, once they have run a while), and
// then again, with the code the page's one compiled module has kept (src/ui/worker.rs).
// Usage: [SEEDS=short] node tests/e2e/search-bench.mjs   (after `trunk build --release --offline`
// and `cargo build --release --offline --bin sim`)

import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { launchChromium } from "./browser.mjs";
import { serve } from "./server.mjs";
import { DESKTOP, openPreset, waitFor } from "./sandbox.mjs";

const root = resolve(import.meta.dirname, "../..");
const sim = resolve(root, "target/release/sim");
// Seeds enough for about two seconds of `sim sweep` on two cores, so that neither side's start-up
// decides the rate. `SEEDS=short` runs the counts earlier rounds measured, where the page's first
// search is largely the browser optimising the workers' code (docs/search.md).
const SHORT = process.env.SEEDS === "short";
const CASES = [
  ["raft-basic", 1000, 1000],
  ["paxos-basic", 50000, 10000],
  ["2pc-break-unlogged", 50000, 20000],
  ["broadcast-causal", 60000, 20000],
].map(([preset, long, short]) => [preset, SHORT ? short : long]);

function native(preset, seeds, oneCore) {
  const args = ["sweep", preset, "--seeds", `0..${seeds}`, "--quiet"];
  const started = process.hrtime.bigint();
  try {
    if (oneCore) execFileSync("taskset", ["-c", "0", sim, ...args], { stdio: "pipe" });
    else execFileSync(sim, args, { stdio: "pipe" });
  } catch (error) {
    if (error.status !== 1) throw error; // 1: some seed violated, which is fine here
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return seeds / seconds;
}

const server = await serve(resolve(root, "dist"));
const browser = await launchChromium();
try {
  console.log("scenario              seeds   page first/s   page again/s   native 1 core/s   native all cores/s   page ÷ native (first, again)");
  for (const [preset, seeds] of CASES) {
    const page = await browser.newPage({ viewport: DESKTOP });
    await openPreset(page, server.origin, preset);
    await page.locator("[data-action=guide-leave]").click();
    const search = page.locator("[data-region=search]");
    const rates = [];
    for (const round of ["first", "again"]) {
      await search.getByLabel("Seeds", { exact: true }).fill(String(seeds));
      await search.locator("[data-action=search-start]").click();
      const status = page.locator("[data-testid=search-status]");
      await waitFor(`the ${round} search of ${preset}`, async () => / · done$/.test((await status.textContent()) ?? ""), 600_000);
      const text = await status.textContent();
      rates.push(Number(text.match(/([\d,]+) seeds\/s/)[1].replace(/,/g, "")));
    }
    await page.close();
    const one = native(preset, seeds, true);
    const all = native(preset, seeds, false);
    const [first, again] = rates;
    console.log(
      `${preset.padEnd(20)} ${String(seeds).padStart(6)} ${first.toFixed(0).padStart(14)} ${again.toFixed(0).padStart(14)} ${one.toFixed(0).padStart(17)} ${all.toFixed(0).padStart(20)} ${(first / all).toFixed(2).padStart(16)}, ${(again / all).toFixed(2)}`,
    );
  }
  // Figure 8 (raft-basic with break_it=commit_earlier_term, leader_noop=false, docs/raft.md):
  // how long the page takes to find it, from the click to the first seed offered.
  const scenario = JSON.parse(execFileSync(sim, ["show", "raft-basic"], { encoding: "utf8" }));
  Object.assign(scenario.protocol, { break_it: "commit_earlier_term", leader_noop: false });
  delete scenario.guide;
  scenario.name = "Raft, Figure 8 broken";
  const file = resolve(root, "target/figure8.json");
  (await import("node:fs")).writeFileSync(file, JSON.stringify(scenario));
  const link = execFileSync(sim, ["link", file], { encoding: "utf8" }).trim();
  const page = await browser.newPage({ viewport: DESKTOP });
  await page.goto(`${server.origin}/#${link}`, { waitUntil: "load" });
  await page.locator("svg.diagram .lane-header").first().waitFor();
  const search = page.locator("[data-region=search]");
  await search.getByLabel("Seeds", { exact: true }).fill("1000");
  const clicked = Date.now();
  await search.locator("[data-action=search-start]").click();
  await search.locator("[data-action=search-open]").first().waitFor({ timeout: 60_000 });
  const seed = await search.locator(".search-found li").first().getAttribute("data-seed");
  console.log(`Figure 8 (commit_earlier_term): found at seed ${seed} in ${((Date.now() - clicked) / 1000).toFixed(2)} s from the click, worker start-up included`);
  await page.close();
} finally {
  await browser.close();
  await server.close();
}
