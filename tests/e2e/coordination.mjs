// The coordination-service lessons in the page: a stale read from a lagging follower shows both
// verdicts side by side (linearizability broken, sequential consistency kept), and a sync makes the
// get behind it wait, with the pending sync in the server's inspector.

import assert from "node:assert/strict";
import { join } from "node:path";

import { withPage } from "./shell.mjs";
import { DESKTOP, jump, openPreset, waitFor } from "./sandbox.mjs";

/// Each checker's name and whether it is shown violated.
async function verdicts(page) {
  const checkers = page.locator("[data-region=checkers] .checker");
  const out = {};
  for (let i = 0; i < (await checkers.count()); i += 1) {
    const name = (await checkers.nth(i).locator(".checker-name").textContent()).trim();
    out[name] = (await checkers.nth(i).getAttribute("class")).includes("is-violated");
  }
  return out;
}

function verdict(all, prefix) {
  const name = Object.keys(all).find((n) => n.startsWith(prefix));
  assert.ok(name, `a checker named ${prefix}: ${Object.keys(all).join(" | ")}`);
  return all[name];
}

export const tests = [
  {
    name: "a stale read from a lagging follower is flagged by linearizability while sequential consistency holds",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "zk-stale-read");
        await jump(page, "1.35s", 1_350_000);
        await page.locator("[data-region=checkers] .checker.is-violated").first().waitFor();
        const all = await verdicts(page);
        assert.equal(verdict(all, "Linearizable reads"), true);
        assert.equal(verdict(all, "Sequentially consistent"), false);
        assert.equal(verdict(all, "Fresh after sync"), false);
        assert.deepEqual(problems, []);
        await page.screenshot({ path: join(shots, "zk-stale-read.png") });
      });
    },
  },
  {
    name: "a get sent behind a sync waits in the follower's Syncs table and then reads the fresh value",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "zk-sync");
        await jump(page, "1.4s", 1_400_000);
        await page.locator("svg.diagram .lane-header[data-node=n5]").click();
        const inspector = page.locator("[data-region=inspector]");
        const syncs = inspector.locator(".table-wrap", { hasText: "Syncs" });
        await syncs.locator("td", { hasText: "get x" }).waitFor();
        assert.match(await syncs.textContent(), /a client.*asked/s);
        await syncs.scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(shots, "zk-sync-waiting.png") });
        await jump(page, "2s", 2_000_000);
        await waitFor("the sync answered", async () => (await syncs.count()) === 0);
        assert.equal(await page.locator("[data-region=checkers] .is-violated").count(), 0);
        assert.deepEqual(problems, []);
      });
    },
  },
];
