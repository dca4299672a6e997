// Explore all runs in the page: the explorer walks every order of a small scenario's messages in
// the search worker, ends at the shortest violation (which opens as an ordinary run at the
// violation) or proves the scenario clean, and Cancel stops it at once.

import assert from "node:assert/strict";
import { join } from "node:path";

import { axeProblems } from "./a11y.mjs";
import { withPage } from "./shell.mjs";
import { DESKTOP, now, openPreset, waitFor } from "./sandbox.mjs";

async function status(page) {
  return (await page.locator("[data-testid=explore-status]").textContent()) ?? "";
}

async function explore(page, origin, preset, { crashes = "0", states } = {}) {
  await openPreset(page, origin, preset);
  await page.locator("[data-action=guide-leave]").click();
  const region = page.locator("[data-region=explore]");
  await region.getByLabel("Crashes").fill(crashes);
  if (states) await region.getByLabel("States").fill(states);
  await region.locator("[data-action=explore-start]").click();
  return region;
}

export const tests = [
  {
    name: "explore: a broadcast break-it's shortest violation is found and opens at the violation",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        const region = await explore(page, origin, "broadcast-break-fifo");
        const found = region.locator("[data-testid=explore-found]");
        await found.waitFor();
        assert.match(await status(page), /^found a violation: the shortest run that shows it · 8 states · /);
        assert.match(await found.textContent(), /FIFO order violated after 3 moves, at 15 ?ms/);
        await found.locator("summary").click();
        assert.equal(await found.locator("ol li").count(), 3);
        assert.match(await found.locator("ol li").first().textContent(), /^time passes to 10 ?ms$/);
        await page.screenshot({ path: join(shots, "explore-found.png") });
        assert.deepEqual(await axeProblems(page, "explore results"), []);
        await found.locator("[data-action=explore-open]").click();
        await page.locator("[data-region=inspector] .inspect-name", { hasText: "FIFO order violated" }).waitFor();
        await waitFor("the run at the violation", async () => (await now(page)) === 15_000);
        const violated = page.locator("[data-region=checkers] .checker.is-violated.is-selected .checker-name");
        await violated.first().waitFor();
        assert.match(await violated.first().textContent(), /^FIFO order/);
        await page.locator(".lesson-title", { hasText: "(explored: FIFO order violated)" }).waitFor();
        await page.screenshot({ path: join(shots, "explore-opened.png") });
        assert.deepEqual(problems, []);
      });
    },
  },
  {
    name: "explore: two-phase commit is clean in all its states, and its break-it falls to one crash",
    async run({ browser, origin }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await explore(page, origin, "2pc-commit");
        await waitFor("the exploration to finish", async () => /^explored every reachable state/.test(await status(page)));
        assert.match(await status(page), /no property is violated · 2,575 states · [\d,]+ states\/s · 0 queued · depth 20/);
        const region = await explore(page, origin, "2pc-break-unlogged", { crashes: "1" });
        const found = region.locator("[data-testid=explore-found]");
        await found.waitFor();
        assert.match(await found.textContent(), /Agreement violated after 9 moves/);
        await found.locator("summary").click();
        const moves = (await found.locator("ol li").allTextContents()).join("\n");
        assert.match(moves, /crash n1\nrestart n1$/);
        assert.deepEqual(problems, []);
      });
    },
  },
  {
    name: "explore: Cancel stops a large exploration at once; bad limits are refused",
    async run({ browser, origin }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        const region = await explore(page, origin, "paxos-basic", { states: "2000000" });
        await waitFor("states to be explored", async () => /states\/s/.test(await status(page)));
        await region.locator("[data-action=explore-cancel]").click();
        await waitFor("the exploration to be cancelled", async () => /^cancelled · /.test(await status(page)));
        const stopped = await status(page);
        await page.getByRole("button", { name: "Step forward" }).click();
        await region.locator("[data-action=explore-start]").waitFor();
        assert.equal(await status(page), stopped, "a cancelled worker reports nothing more");
        await region.getByLabel("Crashes").fill("11");
        await region.locator("[data-action=explore-start]").click();
        await waitFor("the refusal", async () => /each be a whole number from 0 to 10/.test(await status(page)));
        assert.deepEqual(problems, []);
      });
    },
  },
];
