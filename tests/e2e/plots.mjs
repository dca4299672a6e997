// The lesson plots, end to end: a clock-synchronisation preset shows each node's clock error against
// true time, a gossip preset shows how far each message has spread, the chain-replication presets
// count the reads each server answered; they follow the scrubber, read well in both themes and fit
// a phone. Screenshots of each plot go to target/e2e/.

import assert from "node:assert/strict";
import { join } from "node:path";

import { withPage } from "./shell.mjs";
import { DESKTOP, now, openPreset, waitFor } from "./sandbox.mjs";

/** Moves the scrubber to `us` and waits until the run is there. */
async function scrubTo(page, us) {
  await page.locator("input.scrubber").evaluate((input, value) => {
    input.value = String(value);
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }, us);
  await waitFor(`the run at ${us} µs`, async () => (await now(page)) === us);
}

/** The x and y coordinates of every point of an SVG path made of M and L commands. */
function pathPoints(d) {
  return [...d.matchAll(/[ML]([-\d.]+) ([-\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

async function seriesPoints(plot) {
  return plot.locator("svg.plot .plot-series .plot-line").evaluateAll((paths) => paths.map((p) => p.getAttribute("d")));
}

async function cursorX(plot) {
  return Number(await plot.locator(".plot-cursor line").first().getAttribute("x1"));
}

export const tests = [
  {
    name: "a clock-sync preset plots each node's clock error against true time, following the scrubber",
    async run({ browser, origin, shots }) {
      for (const colorScheme of ["light", "dark"]) {
        await withPage(browser, `${origin}/`, { viewport: DESKTOP, colorScheme }, async ({ page, problems }) => {
          await openPreset(page, origin, "clock-cristian");
          const plot = page.locator("[data-region=plot][data-plot=clock-error]");
          await plot.waitFor();
          await scrubTo(page, 5_000_000);
          assert.equal(await plot.locator("svg.plot .plot-series").count(), 4, "one line per node");
          assert.deepEqual(
            await plot.locator(".plot-key .plot-key-name").allTextContents(),
            ["n1 · time server", "n2", "n3", "n4"],
          );
          assert.equal(await plot.locator("svg.plot .plot-mark").count(), 12, "a dot per synchronisation");
          assert.equal(await plot.locator(".plot-title-y").textContent(), "clock error (ms)");
          const ends = (await seriesPoints(plot)).map((d) => Math.max(...pathPoints(d).map(([x]) => x)));
          const atEnd = await cursorX(plot);
          for (const end of ends) assert.ok(Math.abs(end - atEnd) < 1, `every line reaches now (${end} vs ${atEnd})`);

          // Zoomed in after the first sync, then the whole range: the scale changes.
          const zoom = plot.locator("[data-action=plot-zoom]");
          assert.equal(await zoom.getAttribute("aria-pressed"), "true");
          const zoomedTicks = await plot.locator(".plot-ytick text").allTextContents();
          if (colorScheme === "light") {
            await plot.screenshot({ path: join(shots, "plot-clock-error.png") });
          } else {
            await plot.screenshot({ path: join(shots, "plot-clock-error-dark.png") });
          }
          await zoom.click();
          await plot.locator("[data-action=plot-zoom][aria-pressed=false]").waitFor();
          await waitFor("the whole range's scale", async () => {
            const ticks = await plot.locator(".plot-ytick text").allTextContents();
            return JSON.stringify(ticks) !== JSON.stringify(zoomedTicks);
          });
          if (colorScheme === "light") {
            await plot.screenshot({ path: join(shots, "plot-clock-error-whole.png") });
          }

          // Back to 1.5 s: nothing is drawn after now.
          await scrubTo(page, 1_500_000);
          const cursor = await cursorX(plot);
          assert.ok(cursor < atEnd / 2, "the cursor moved back");
          for (const d of await seriesPoints(plot)) {
            assert.ok(pathPoints(d).every(([x]) => x <= cursor + 0.5), "no data after now");
          }
          assert.deepEqual(problems, []);
          if (colorScheme === "light") await page.screenshot({ path: join(shots, "plot-clock-sandbox.png") });
        });
      }
    },
  },
  {
    name: "a gossip preset plots each message's spread until it reaches every node",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "broadcast-gossip");
        const plot = page.locator("[data-region=plot][data-plot=gossip]");
        await plot.waitFor();
        await plot.locator(".plot-empty").waitFor();

        // Mid-spread: one message, a cursor at now.
        await scrubTo(page, 60_000);
        assert.equal(await plot.locator("svg.plot .plot-series").count(), 1);
        assert.match(await plot.locator(".plot-key-detail").first().textContent(), /^\d+ of 16 so far$/);
        assert.equal(await plot.locator(".plot-cursor").count(), 1);
        await plot.screenshot({ path: join(shots, "plot-gossip-spreading.png") });

        await scrubTo(page, 1_000_000);
        assert.equal(await plot.locator("svg.plot .plot-series").count(), 2, "one curve per message");
        const details = await plot.locator(".plot-key-detail").allTextContents();
        assert.match(details[0], /^all 16 after [\d.]+ms, \d hops$/);
        assert.equal(details[1], "14 of 16: it died out");
        await plot.locator(".plot-guide text", { hasText: /^all 16 after / }).waitFor();
        // The first curve climbs to the 100 % line; the second stops below it.
        const full = Number(
          await plot.locator(".plot-ytick", { hasText: "100 %" }).locator("line").getAttribute("y1"),
        );
        const tops = (await seriesPoints(plot)).map((d) => Math.min(...pathPoints(d).map(([, y]) => y)));
        assert.ok(Math.abs(tops[0] - full) < 0.5, `the rumour reaches every node (${tops[0]} vs ${full})`);
        assert.ok(tops[1] > full + 5, "the correction does not");
        assert.equal(await plot.locator("svg.plot .plot-mark").count(), 16 + 14, "a dot per delivery");
        assert.deepEqual(problems, []);
        await plot.screenshot({ path: join(shots, "plot-gossip.png") });
      });
    },
  },
  {
    name: "chain replication's reads plot shows the tail answering every get, CRAQ's spreads them over the chain",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "chain-reads");
        let plot = page.locator("[data-region=plot][data-plot=reads]");
        await plot.waitFor();
        await scrubTo(page, 2_000_000);
        assert.deepEqual(await plot.locator(".plot-key .plot-key-name").allTextContents(), ["n5 · tail"]);
        assert.deepEqual(await plot.locator(".plot-key-detail").allTextContents(), ["46 reads, 100 %"]);
        await plot.screenshot({ path: join(shots, "plot-reads-chain.png") });

        await openPreset(page, origin, "craq-reads");
        plot = page.locator("[data-region=plot][data-plot=reads]");
        await plot.waitFor();
        await scrubTo(page, 2_000_000);
        assert.deepEqual(await plot.locator(".plot-key .plot-key-name").allTextContents(), [
          "n2 · head",
          "n3 · middle",
          "n4 · middle",
          "n5 · tail",
        ]);
        assert.deepEqual(await plot.locator(".plot-key-detail").allTextContents(), [
          "14 reads, 30 %",
          "10 reads, 21 %",
          "9 reads, 19 %",
          "13 reads, 28 %",
        ]);
        assert.equal(await plot.locator("svg.plot .plot-series").count(), 4, "one line per server that read");
        assert.deepEqual(problems, []);
        await plot.screenshot({ path: join(shots, "plot-reads-craq.png") });
      });
    },
  },
  {
    name: "on a 390 px phone the plot fits the screen",
    async run({ browser, origin, shots }) {
      const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
      await withPage(browser, `${origin}/?preset=clock-berkeley`, phone, async ({ page, problems, goto }) => {
        await goto();
        const plot = page.locator("[data-region=plot][data-plot=clock-error]");
        await plot.waitFor();
        await scrubTo(page, 4_500_000);
        assert.equal(await plot.locator("svg.plot .plot-series").count(), 4);
        const box = await plot.locator("svg.plot").boundingBox();
        assert.ok(box.x >= 0 && box.x + box.width <= 390, `the plot fits: ${JSON.stringify(box)}`);
        const widths = await page.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          client: document.documentElement.clientWidth,
        }));
        assert.ok(widths.scroll <= widths.client, `page is ${widths.scroll} px wide in a ${widths.client} px viewport`);
        assert.deepEqual(problems, []);
        await plot.screenshot({ path: join(shots, "plot-phone.png") });
      });
    },
  },
  {
    name: "other protocols get no plot, and switching away from a plot gives the diagram its room back",
    async run({ browser, origin }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "clock-drift");
        await page.locator("[data-region=plot] .plot-empty").waitFor();
        await scrubTo(page, 1_000_000);
        await page.locator("[data-region=plot] svg.plot").waitFor();
        const withPlot = (await page.locator("svg.diagram").boundingBox()).height;
        await page.locator(`button[data-preset="raft-basic"]`).click();
        await page.locator("[data-region=plot]").waitFor({ state: "detached" });
        await waitFor("the diagram to grow back", async () => {
          const height = (await page.locator("svg.diagram").boundingBox()).height;
          return height > withPlot + 150;
        });
        assert.deepEqual(problems, []);
      });
    },
  },
];
