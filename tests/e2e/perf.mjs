// Frame-time benchmark of the sandbox on a long run (not a pass/fail test; it prints numbers).
//
// Opens a heartbeat scenario with 8 nodes and a 20 s horizon (about 22,000 messages) through the
// `?scenario=` link parameter, runs it to the end (the page catches up in bounded slices per animation
// frame), then scrolls the diagram through the whole run and plays it at 4×, measuring the interval
// between animation frames in the page and every long task (> 50 ms) the browser reports. Usage, after
// `trunk build --release --offline`:
//
//   node tests/e2e/perf.mjs

import { resolve } from "node:path";
import { launchChromium } from "./browser.mjs";
import { instrument, measure, report } from "./frames.mjs";
import { serve } from "./server.mjs";

const SCENARIO = {
  name: "Frame-time benchmark",
  protocol: { name: "heartbeat", interval_us: 100000, timeout_us: 350000 },
  nodes: 8,
  seed: 1,
  horizon_us: 20000000,
  network: { default: { delay: { uniform: { min_us: 2000, max_us: 8000 } } } },
};

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
      await page.locator(".jump input").fill("20s");
      await page.locator(".jump input").press("Enter");
      await page.locator("[data-testid=now]", { hasText: /^20s/ }).waitFor({ timeout: 120_000 });
    });
    const messages = await page.locator(".readout-item", { hasText: "Events" }).locator("dd").textContent();
    console.log(`run to 20 s: ${messages} events, catching up in slices`);
    report("catching up to the end", run);

    const box = await page.locator(".diagram-canvas").boundingBox();
    const scroll = await measure(page, async () => {
      // Back to the start, then scroll through the run one wheel notch per frame.
      await page.evaluate(async ({ x, y }) => {
        const canvas = document.querySelector(".diagram-canvas");
        const wheel = (deltaY, ctrlKey = false) =>
          canvas.dispatchEvent(new WheelEvent("wheel", { deltaY, ctrlKey, clientX: x, clientY: y, bubbles: true, cancelable: true }));
        wheel(-1e9);
        for (let i = 0; i < 200; i += 1) {
          await new Promise((done) => requestAnimationFrame(done));
          wheel(-400);
        }
        for (let i = 0; i < 300; i += 1) {
          await new Promise((done) => requestAnimationFrame(done));
          wheel(120);
        }
      }, { x: box.x + box.width / 2, y: box.y + box.height / 2 });
    });
    report("scrolling (300 frames)", scroll);

    const zoomed = await measure(page, async () => {
      await page.evaluate(async ({ x, y }) => {
        const canvas = document.querySelector(".diagram-canvas");
        for (let i = 0; i < 60; i += 1) {
          await new Promise((done) => requestAnimationFrame(done));
          canvas.dispatchEvent(new WheelEvent("wheel", { deltaY: i < 30 ? 60 : -60, ctrlKey: true, clientX: x, clientY: y, bubbles: true, cancelable: true }));
        }
      }, { x: box.x + box.width / 2, y: box.y + box.height / 2 });
    });
    report("zooming out and in (60 frames)", zoomed);

    await page.locator(".jump input").fill("5s");
    await page.locator(".jump input").press("Enter");
    await page.locator("[data-testid=now]", { hasText: /^5s/ }).waitFor();
    await page.getByLabel("Playback speed").selectOption({ label: "4×" });
    const playing = await measure(page, async () => {
      await page.locator("[data-action=play]").click();
      await page.waitForTimeout(4_000);
      await page.locator("[data-action=play]").click();
    });
    report("playing at 4× (4 s)", playing);
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
