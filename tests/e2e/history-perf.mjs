// Frame-time benchmark of the history beside the diagram (not a pass/fail test; it prints numbers).
//
// Opens an ABD scenario whose generator sends 2,000 reads and writes of two keys (one every 5 ms
// for 10 s, to five replicas with 5–15 ms links, so several clients at once) through the
// `?scenario=` link parameter, runs it to the end, scrolls through the run zoomed in and pans
// zoomed out to the whole run, each with the diagram alone and then with the history open, and
// plays it at 4× with and without the history, measuring the interval between animation frames in
// the page and every long task (> 50 ms) the browser reports. The goal is under 16 ms per frame.
// Usage, after `trunk build --release --offline`:
//
//   node tests/e2e/history-perf.mjs

import { resolve } from "node:path";
import { launchChromium } from "./browser.mjs";
import { instrument, measure, report } from "./frames.mjs";
import { serve } from "./server.mjs";

const SCENARIO = {
  name: "History frame-time benchmark",
  protocol: { name: "abd" },
  nodes: 5,
  seed: 1,
  horizon_us: 10_100_000,
  network: { default: { delay: { uniform: { min_us: 5000, max_us: 15000 } } } },
  workload: { generator: { start_us: 100_000, every_us: 5_000, target: "round_robin", count: 2000 } },
};

/** Sends `count` wheel events over the history (or `over`), one per animation frame. */
async function wheel(page, count, deltaY, ctrlKey, over = ".history-canvas") {
  const box = await page.locator(over).boundingBox();
  await page.evaluate(
    async ({ x, y, count, deltaY, ctrlKey, over }) => {
      const canvas = document.querySelector(over);
      for (let i = 0; i < count; i += 1) {
        await new Promise((done) => requestAnimationFrame(done));
        const delta = typeof deltaY === "number" ? deltaY : deltaY[i % deltaY.length];
        canvas.dispatchEvent(new WheelEvent("wheel", { deltaY: delta, ctrlKey, clientX: x, clientY: y, bubbles: true, cancelable: true }));
      }
    },
    { x: box.x + box.width / 2, y: box.y + box.height / 2, count, deltaY, ctrlKey, over },
  );
}

async function main() {
  const server = await serve(resolve(import.meta.dirname, "../../dist"));
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const url = `${server.origin}/?scenario=${encodeURIComponent(JSON.stringify(SCENARIO))}`;
    await page.goto(url, { waitUntil: "load" });
    await page.locator("svg.diagram .lane-header").first().waitFor();
    await instrument(page);

    const run = await measure(page, async () => {
      await page.locator(".jump input").fill("10.1s");
      await page.locator(".jump input").press("Enter");
      await page.locator("[data-testid=now]", { hasText: /^10\.1s/ }).waitFor({ timeout: 180_000 });
    });
    const events = await page.locator(".readout-item", { hasText: "Events" }).locator("dd").textContent();
    console.log(`run to 10.1 s: ${events} events`);
    report("catching up to the end", run);

    // Zoomed in (400 ms), through much of the run: back to the start (a notch moves at most
    // 400 px), then 300 notches of 12 px; the diagram alone, then with the history beside it.
    const scrollThrough = async (over) => {
      await wheel(page, 40, -400, false, over);
      await wheel(page, 300, 12, false, over);
    };
    const scrollAlone = await measure(page, () => scrollThrough(".diagram-canvas"));
    report("scrolling zoomed in, diagram alone", scrollAlone);
    await page.locator("[data-action=history]").click();
    await page.locator("[data-region=history] .history-op").first().waitFor();
    const scroll = await measure(page, () => scrollThrough(".history-canvas"));
    const bars = await page.locator("[data-region=history] .history-op").count();
    const ticks = await page.locator("svg.diagram .tick text").allTextContents();
    console.log(`bars drawn one by one in the last window (${ticks[0]} to ${ticks.at(-1)}): ${bars}`);
    report("scrolling zoomed in, with the history", scroll);
    await page.locator("[data-action=history]").click();

    // Zoomed out until the window holds thousands of operations, the diagram alone and then with
    // the history beside it.
    await wheel(page, 40, -400, false, ".diagram-canvas");
    // Five notches zoom 400 ms out to about 11 s: the whole run.
    await wheel(page, 5, 200, true, ".diagram-canvas");
    const alone = await measure(page, async () => {
      await wheel(page, 120, [40, -40], false, ".diagram-canvas");
    });
    report("panning zoomed out, diagram alone", alone);

    const open = await measure(page, async () => {
      await page.locator("[data-action=history]").click();
      await page.locator("[data-region=history] .history-batch").first().waitFor();
    });
    const verdict = await page.locator(".history-verdict").textContent();
    console.log(`history: ${verdict}`);
    report("opening the history", open);
    const zoomedOut = await measure(page, async () => {
      await wheel(page, 120, [40, -40], false);
    });
    report("panning zoomed out, with the history", zoomedOut);

    await wheel(page, 5, -200, true);
    await page.locator(".jump input").fill("5s");
    await page.locator(".jump input").press("Enter");
    await page.locator("[data-testid=now]", { hasText: /^5s/ }).waitFor({ timeout: 120_000 });
    await page.getByLabel("Playback speed").selectOption({ label: "4×" });
    const playing = await measure(page, async () => {
      await page.locator("[data-action=play]").click();
      await page.waitForTimeout(4_000);
      await page.locator("[data-action=play]").click();
    });
    report("playing at 4× with the history (4 s)", playing);

    // The same stretch again with the history closed, once the run has surely paused.
    await page.locator("[data-action=play]", { hasText: "Play" }).waitFor();
    await page.locator("[data-action=history]").click();
    await page.locator(".jump input").fill("5s");
    await page.locator(".jump input").press("Enter");
    await page.locator("[data-testid=now]", { hasText: /^5s/ }).waitFor({ timeout: 120_000 });
    const closed = await measure(page, async () => {
      await page.locator("[data-action=play]").click();
      await page.waitForTimeout(4_000);
      await page.locator("[data-action=play]").click();
    });
    report("playing at 4×, history closed (4 s)", closed);
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
