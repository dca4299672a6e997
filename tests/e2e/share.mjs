// Share links, end to end: a link made after an intervention opens the same run at the same moment in
// a fresh page, and hostile links show a readable error (as text, never markup) and a way on.

import assert from "node:assert/strict";
import { join } from "node:path";
import { deflateRawSync, inflateRawSync } from "node:zlib";

import { withPage } from "./shell.mjs";
import { DESKTOP, eventCount, leader, now, openPreset, pause, play, setSpeed, waitFor } from "./sandbox.mjs";

/** The JSON document inside a `c1.` link, and back. */
function unpack(link) {
  const body = link.slice(link.indexOf("#c1.") + 4);
  return JSON.parse(inflateRawSync(Buffer.from(body, "base64url")).toString("utf8"));
}
function pack(envelope) {
  return `c1.${deflateRawSync(Buffer.from(JSON.stringify(envelope))).toString("base64url")}`;
}

/** What the controls say: the time readout and the event count. */
async function position(page) {
  return { now: await now(page), events: await eventCount(page) };
}

export const tests = [
  {
    name: "share: a link made after a crash opens the same run at the same moment in a fresh page",
    async run({ browser, origin, shots }) {
      let link;
      let expected;
      let crashed;
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "raft-basic");
        await setSpeed(page, "1×");
        await play(page);
        crashed = await waitFor("a leader", () => leader(page));
        await pause(page);
        await page.locator(`svg.diagram .lane-header[data-node=${crashed}]`).click();
        await page.locator("[data-region=inspector]").getByRole("button", { name: "Crash" }).click();
        await page.locator(`svg.diagram .lane-header.status-crashed[data-node=${crashed}]`).waitFor();
        for (let i = 0; i < 5; i += 1) await page.keyboard.press("ArrowRight");
        await page.getByLabel("Timestamps shown on events").selectOption("lamport");
        expected = await position(page);

        await page.locator("[data-action=share]").click();
        const field = page.locator("[data-testid=share-url]");
        await field.waitFor();
        link = await field.inputValue();
        assert.match(link, /#c1\.[A-Za-z0-9_-]+$/);
        assert.equal(page.url(), link, "the address bar holds the link");
        await page.locator(".share-status", { hasText: /copied|Copy the selected link/ }).waitFor();
        const envelope = unpack(link);
        assert.equal(envelope.scenario.interventions.length, 1, "the crash is in the link");
        assert.equal(envelope.view.timestamps, "lamport");
        assert.equal(envelope.view.speed, 1_000_000, "the speed travels with the link");
        assert.equal(envelope.view.selected, crashed);
        assert.deepEqual(problems, []);
        await page.screenshot({ path: join(shots, "share-bar.png") });
      });

      await withPage(browser, link, { viewport: DESKTOP }, async ({ page, problems, goto }) => {
        await goto();
        await waitFor("the same moment", async () => {
          const seen = await position(page);
          return seen.now === expected.now && seen.events === expected.events;
        });
        await page.locator(`svg.diagram .lane-header.status-crashed.is-selected[data-node=${crashed}]`).waitFor();
        assert.equal(await page.getByLabel("Timestamps shown on events").inputValue(), "lamport");
        const speed = page.getByLabel("Playback speed");
        assert.equal(await speed.locator("option:checked").textContent(), "1×");
        assert.equal(await page.locator("[data-testid=link-error]").count(), 0);
        assert.deepEqual(problems, []);
        await page.screenshot({ path: join(shots, "share-opened.png") });
      });
    },
  },
  {
    name: "share: hostile links show a specific error as text and lead on to the default scenario",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "heartbeat-basic");
        await page.locator("[data-action=share]").click();
        const good = unpack(await page.locator("[data-testid=share-url]").inputValue());
        await page.waitForLoadState("networkidle");
        const hostile = (change) => {
          const copy = structuredClone(good);
          change(copy);
          return pack(copy);
        };
        const trap = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;
        const cases = [
          [pack(good).slice(0, 40), /damaged/],
          ["c9.x", /format `c9`.*newer Causeway/],
          ["garbage!", /not a Causeway link/],
          [`c1.${deflateRawSync(Buffer.alloc(4_000_000, 32)).toString("base64url")}`, /expands to more than/],
          [hostile((e) => (e.scenario.nodes = 1_000_000)), /nodes/],
          [hostile((e) => (e.scenario.protocol = { name: "paxos9" })), /paxos9/],
          [hostile((e) => (e.at_us = 9e15)), /after the end of its run/],
          [hostile((e) => (e.scenario.protocol = { name: trap })), /img src=x/],
        ];
        for (const [fragment, message] of cases) {
          await page.goto("about:blank");
          await page.goto(`${origin}/#${fragment}`, { waitUntil: "load" });
          const text = page.locator("[data-testid=link-error-message]");
          await text.waitFor();
          assert.match(await text.textContent(), message, `the error for #${fragment.slice(0, 30)}…`);
          assert.equal(await page.locator("img[src=x], [data-region] script").count(), 0, "no markup injected");
          assert.equal(await page.evaluate(() => window.__pwned), undefined);
        }
        await page.screenshot({ path: join(shots, "share-hostile.png") });

        // A name with markup is a valid scenario: it opens, and the name shows as text.
        await page.goto("about:blank");
        await page.goto(`${origin}/#${hostile((e) => (e.scenario.name = trap))}`, { waitUntil: "load" });
        await page.locator("#guide-title, .lesson-title", { hasText: "<img src=x" }).waitFor();
        assert.equal(await page.locator("img[src=x]").count(), 0, "no markup injected");
        assert.equal(await page.evaluate(() => window.__pwned), undefined);
        await page.waitForLoadState("networkidle");

        await page.goto("about:blank");
        await page.goto(`${origin}/#c9.x`, { waitUntil: "load" });
        await page.getByRole("button", { name: "Open the default scenario" }).click();
        await page.locator("svg.diagram .lane-header").first().waitFor();
        assert.equal(await page.locator("[data-testid=link-error]").count(), 0);
        assert.equal(new URL(page.url()).hash, "", "the bad link left the address bar");
        assert.deepEqual(problems, []);
      });
    },
  },
];
