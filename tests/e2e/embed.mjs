// Embed mode, end to end: the embed code from the share bar, pasted into a page served from another
// origin, shows a compact player that autoplays from its start time, pauses and scrubs.

import assert from "node:assert/strict";
import { createServer } from "node:http";
import { join } from "node:path";

import { withPage } from "./shell.mjs";
import { DESKTOP, now, openPreset, waitFor } from "./sandbox.mjs";

/** Serves one HTML page on 127.0.0.1 at a free port; resolves to { origin, close }. */
export async function serveHost(html) {
  const server = createServer((request, response) => {
    if (request.url !== "/") {
      response.writeHead(404);
      response.end();
      return;
    }
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(html);
  });
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((done) => server.close(done)),
  };
}

export const tests = [
  {
    name: "embed: the embed code plays in a page served from another port",
    async run({ browser, origin, shots }) {
      let code;
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "heartbeat-crash");
        await page.locator("[data-action=share]").click();
        code = await page.locator("[data-testid=embed-code]").inputValue();
        assert.match(code, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/\?embed#c1\.[A-Za-z0-9_-]+" [^<>]*><\/iframe>$/);
        await page.locator("[data-action=copy-embed]").click();
        await page.locator(".share-status", { hasText: /Embed code copied|Copy the selected text/ }).waitFor();
        assert.deepEqual(problems, []);
      });

      const options = code.replace("?embed#", "?embed&autoplay&t=0.2s&panels=checkers#");
      const host = await serveHost(
        `<!doctype html><html><head><title>Notes</title><link rel="icon" href="data:,"></head><body style="margin:24px;font-family:sans-serif">` +
          `<h1>My notes on failure detectors</h1>${options}</body></html>`,
      );
      try {
        assert.notEqual(new URL(host.origin).port, new URL(origin).port);
        await withPage(browser, host.origin, { viewport: DESKTOP }, async ({ page, problems, goto }) => {
          await goto();
          const frame = page.frameLocator("iframe");
          await frame.locator("svg.diagram .lane-header").first().waitFor();
          assert.equal(await frame.locator("[data-region=scenarios]").count(), 0, "no scenario list");
          assert.equal(await frame.locator("[data-region=inspector]").count(), 0, "no inspector");
          await frame.locator("[data-region=checkers]").waitFor();
          await waitFor("autoplay from 0.2s", async () => (await now(frame)) > 260_000);
          const pause = frame.getByRole("button", { name: "Pause" });
          await pause.click();
          await frame.getByRole("button", { name: "Play", exact: true }).waitFor();
          const paused = await now(frame);
          // Twenty animation frames pass, each a chance for the frame loop to advance the run.
          await frame.locator("body").evaluate(
            () =>
              new Promise((done) => {
                let frames = 0;
                const tick = () => (++frames >= 20 ? done() : requestAnimationFrame(tick));
                requestAnimationFrame(tick);
              }),
          );
          assert.equal(await now(frame), paused, "paused");

          await frame.getByLabel("Scrub through the run").fill("1500000");
          await waitFor("the scrub", async () => (await now(frame)) === 1_500_000);
          await page.screenshot({ path: join(shots, "embed.png") });
          assert.deepEqual(problems, []);
        });
      } finally {
        await host.close();
      }
    },
  },
  {
    name: "embed on a 390 px phone with the checkers: the player and the diagram come first, nothing overflows",
    async run({ browser, origin, shots }) {
      const phone = { viewport: { width: 390, height: 700 }, isMobile: true, hasTouch: true };
      await withPage(browser, `${origin}/?preset=raft-basic&embed&panels=checkers`, phone, async ({ page, problems, goto }) => {
        await goto();
        // An embed shows a poster until it is played (tests/e2e/poster.mjs).
        await page.getByRole("button", { name: /^Play: load the simulator/ }).tap();
        await page.locator("[data-region=checkers]").waitFor();
        const play = await page.locator("[data-action=play]").boundingBox();
        const diagram = await page.locator("[data-region=diagram]").boundingBox();
        const checkers = await page.locator("[data-region=checkers]").boundingBox();
        const open = await page.locator(".player-open").boundingBox();
        assert.ok(play.y < 100, `Play is at the top (y ${play.y})`);
        assert.ok(diagram.y < checkers.y, "the diagram comes before the checkers");
        assert.ok(open.x + open.width <= 390, `"Open in Causeway" fits (right edge ${open.x + open.width})`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.equal(overflow, 0, "no horizontal overflow");
        await page.screenshot({ path: join(shots, "embed-phone.png"), fullPage: true });
        assert.deepEqual(problems, []);
      });
    },
  },
];
