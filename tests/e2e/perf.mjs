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

import { serve } from "./server.mjs";


const SCENARIO = {
  name: "Frame-time benchmark",
  protocol: { name: "heartbeat", interval_us: 100000, timeout_us: 350000 },
  nodes: 8,
  seed: 1,
  horizon_us: 20000000,
  network: { default: { delay: { uniform: { min_us: 2000, max_us: 8000 } } } },
};

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { n: sorted.length, median: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? NaN };
}

const fmt = (ms) => `${ms.toFixed(1)} ms`;

/** Installs the frame and long-task recorders in the page. */
async function instrument(page) {
  await page.evaluate(() => {
    window.perf = { frames: [], longTasks: [], recording: false };
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.perf.longTasks.push(entry.duration);
    }).observe({ type: "longtask" });
    let last = null;
    const tick = (t) => {
      if (window.perf.recording && last !== null) window.perf.frames.push(t - last);
      last = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

async function measure(page, body) {
  await page.evaluate(() => {
    window.perf.frames = [];
    window.perf.longTasks = [];
    window.perf.recording = true;
  });
  await body();
  return page.evaluate(() => {
    window.perf.recording = false;
    return { frames: window.perf.frames, longTasks: window.perf.longTasks };
  });
}

function report(what, { frames, longTasks }) {
  const f = stats(frames);
  const longest = longTasks.length ? Math.max(...longTasks) : 0;
  console.log(
    `${what.padEnd(34)} frames ${String(f.n).padStart(4)}  median ${fmt(f.median)}  p95 ${fmt(f.p95)}  ` +
      `max ${fmt(f.max)}  long tasks ${longTasks.length} (longest ${fmt(longest)})`,
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
