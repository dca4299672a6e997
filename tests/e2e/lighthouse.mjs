// Measures load performance with Lighthouse's mobile profile (slow 4G, 4x CPU slowdown)
// against the release build in dist/, served compressed as static hosts serve it, and prints the
// figures against the goals: Largest Contentful Paint ≤ 2.5 s and Total Blocking Time ≤ 200 ms for
// the home page, a preset and an embed. Exits 1 if a goal is missed.
//
//   trunk build --release --offline && node tests/e2e/lighthouse.mjs [--runs N] [--save DIR]
//
// Each page is measured `--runs` times (3 by default) and the median run reported, as Lighthouse's
// own guidance suggests for variance. Timings depend on the machine: measure on an idle one.

import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { serve } from "./server.mjs";

const GOALS = { lcpMs: 2500, tbtMs: 200 };

const PAGES = [
  { name: "home page", path: "/" },
  { name: "preset (raft-basic)", path: "/?preset=raft-basic" },
  { name: "embed (raft-basic)", path: "/?embed&preset=raft-basic" },
];

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

const runs = Number(option("--runs", "3"));
const save = option("--save", null);

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const server = await serve("dist", { gzip: true });
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH ?? "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu"],
});
let missed = 0;
try {
  console.log(`Lighthouse ${(await import("lighthouse/package.json", { with: { type: "json" } })).default.version}, mobile profile, ${runs} runs per page, median shown\n`);
  console.log("page                      score    LCP      TBT      FCP      TTI      CLS    bytes");
  for (const page of PAGES) {
    const results = [];
    for (let run = 0; run < runs; run++) {
      const result = await lighthouse(server.origin + page.path, {
        port: chrome.port,
        onlyCategories: ["performance"],
        // The mobile profile's slow 4G and 4x CPU slowdown, applied while the page loads rather
        // than simulated afterwards from an unthrottled load: on localhost the whole engine
        // arrives within 0.2 s, so the simulation would see the engine's first paint come before
        // the poster's, the reverse of what a phone on a slow network sees.
        throttlingMethod: "devtools",
        logLevel: "error",
        output: "html",
      });
      const audits = result.lhr.audits;
      results.push({
        score: Math.round(result.lhr.categories.performance.score * 100),
        lcp: audits["largest-contentful-paint"].numericValue,
        tbt: audits["total-blocking-time"].numericValue,
        fcp: audits["first-contentful-paint"].numericValue,
        tti: audits["interactive"].numericValue,
        cls: audits["cumulative-layout-shift"].numericValue,
        bytes: audits["total-byte-weight"].numericValue,
        report: result.report,
      });
    }
    const lcp = median(results.map((r) => r.lcp));
    const tbt = median(results.map((r) => r.tbt));
    const middle = results.find((r) => r.lcp === lcp) ?? results[0];
    const ok = lcp <= GOALS.lcpMs && tbt <= GOALS.tbtMs;
    missed += ok ? 0 : 1;
    const s = (ms) => `${(ms / 1000).toFixed(2)} s`.padEnd(9);
    console.log(
      `${page.name.padEnd(26)}${String(median(results.map((r) => r.score))).padEnd(9)}${s(lcp)}` +
        `${`${Math.round(tbt)} ms`.padEnd(9)}${s(median(results.map((r) => r.fcp)))}` +
        `${s(median(results.map((r) => r.tti)))}${median(results.map((r) => r.cls)).toFixed(3).padEnd(7)}` +
        `${Math.round(middle.bytes / 1024)} KB  ${ok ? "ok" : "MISSED"}`,
    );
    if (save) {
      mkdirSync(save, { recursive: true });
      writeFileSync(join(save, `${page.name.replace(/\W+/g, "-")}.html`), middle.report);
    }
  }
  console.log(`\ngoals: LCP ≤ ${GOALS.lcpMs / 1000} s and TBT ≤ ${GOALS.tbtMs} ms on every page`);
} finally {
  await chrome.kill();
  await server.close();
}
if (missed > 0) {
  console.log(`${missed} of ${PAGES.length} pages miss a goal`);
  process.exit(1);
}
