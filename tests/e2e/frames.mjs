// Frame-time recording for the benchmarks (perf.mjs, history-perf.mjs): the interval between
// animation frames in the page and every long task (> 50 ms) the browser reports, summarised.

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { n: sorted.length, median: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? NaN };
}

const fmt = (ms) => `${ms.toFixed(1)} ms`;

/** Installs the frame and long-task recorders in the page. */
export async function instrument(page) {
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

export async function measure(page, body) {
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

export function report(what, { frames, longTasks }) {
  const f = stats(frames);
  const longest = longTasks.length ? Math.max(...longTasks) : 0;
  console.log(
    `${what.padEnd(34)} frames ${String(f.n).padStart(4)}  median ${fmt(f.median)}  p95 ${fmt(f.p95)}  ` +
      `max ${fmt(f.max)}  long tasks ${longTasks.length} (longest ${fmt(longest)})`,
  );
}
