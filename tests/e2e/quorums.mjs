// The ABD lessons in the page: a read that skips the write-back gives a new-old inversion that the
// Linearizable checker names, and a write caught by slow links waits in its coordinator's
// inspector, phase two with two of three stores, while a read writes back.

import assert from "node:assert/strict";
import { join } from "node:path";

import { withPage } from "./shell.mjs";
import { DESKTOP, jump, openPreset, waitFor } from "./sandbox.mjs";

export const tests = [
  {
    name: "ABD without the write-back: the Linearizable checker names a new-old inversion between two readers",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "abd-break-skip-write-back");
        await jump(page, "800ms", 800_000);
        const violated = page.locator("[data-region=checkers] .checker.is-violated");
        await violated.first().waitFor();
        assert.equal(await violated.count(), 1);
        assert.match(await violated.locator(".checker-name").textContent(), /^Linearizable/);
        // Selecting it jumps to the violation, whose details say what went wrong.
        await violated.click();
        await page.screenshot({ path: join(shots, "abd-new-old-inversion.png") });
        await page.locator("[data-region=inspector]", { hasText: "new-old inversion" }).waitFor();
        assert.deepEqual(problems, []);
        await page.screenshot({ path: join(shots, "abd-new-old-inversion.png") });
      });
    },
  },
  {
    name: "ABD: the coordinator of a write caught by slow links shows it in phase two with two stores of three",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "abd-write-back");
        await jump(page, "650ms", 650_000);
        await page.locator("svg.diagram .lane-header[data-node=n1]").click();
        const inspector = page.locator("[data-region=inspector]");
        const ops = inspector.locator(".table-wrap", { hasText: "Operations it coordinates" });
        await ops.locator("td", { hasText: 'write x="2"' }).waitFor();
        assert.match(await ops.textContent(), /store \(2,n1\).*2\/3: n1 n2/s);
        const registers = inspector.locator(".table-wrap", { hasText: "Registers" });
        assert.match(await registers.textContent(), /"2"\s*\(2,n1\)/);
        await ops.scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(shots, "abd-write-in-progress.png") });
        await jump(page, "1.1s", 1_100_000);
        await waitFor("the write answered", async () => (await ops.locator("td").count()) === 0);
        assert.equal(await page.locator("[data-region=checkers] .is-violated").count(), 0);
        assert.deepEqual(problems, []);
      });
    },
  },
];
