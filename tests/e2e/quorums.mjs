// The ABD lessons in the page: a read that skips the write-back gives a new-old inversion that the
// Linearizable checker names, and a write caught by slow links waits in its coordinator's
// inspector, phase two with two of three stores, while a read writes back. And the clients'
// history beside the diagram: its verdict, the explanation of a history that is not
// linearizable, picking an operation, faults drawn across it, and its keyboard shortcut.

import assert from "node:assert/strict";
import { join } from "node:path";

import { axeProblems } from "./a11y.mjs";
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

/** Opens the history beside the diagram with its button. */
async function openHistory(page) {
  await page.locator("[data-action=history]").click();
  await page.locator("[data-region=history] .history-op").first().waitFor();
}

tests.push(
  {
    name: "History: ABD without the write-back is not linearizable, with the order that works numbered and the stuck read in red",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "abd-break-skip-write-back");
        await jump(page, "800ms", 800_000);
        await openHistory(page);
        const history = page.locator("[data-region=history]");
        assert.equal(await history.getAttribute("data-verdict"), "not-linearizable");
        assert.equal(await history.locator(".history-verdict").textContent(), "Not linearizable on key x");
        assert.match(await page.locator("[data-region=history-explain]").textContent(), /new-old inversion/);
        assert.equal(await history.locator(".history-point").count(), 3);
        const stuck = history.locator(".history-op.is-stuck");
        assert.equal(await stuck.count(), 1);
        assert.match(await stuck.locator("title").textContent(), /read x \(op3/);
        // Only the stuck operation's words are in red.
        const fill = (bar) => bar.locator(".history-text").first().evaluate((t) => getComputedStyle(t).fill);
        const placed = history.locator(".history-op.is-placed").first();
        assert.notEqual(await fill(placed), await fill(stuck));
        await page.screenshot({ path: join(shots, "history-not-linearizable.png") });
        assert.deepEqual(await axeProblems(page, "the history, not linearizable"), []);
        // Picking the stuck read shows it in the inspector and marks its request and answer in
        // the diagram.
        await stuck.click();
        const inspector = page.locator("[data-region=inspector]");
        await inspector.locator(".inspect-name", { hasText: "Operation op3" }).waitFor();
        assert.match(await inspector.locator("[data-testid=op-verdict]").textContent(), /cannot be placed/);
        assert.equal(await page.locator("svg.diagram .mark.is-selected").count(), 1);
        assert.ok((await page.locator("svg.diagram .mark.is-involved").count()) >= 1);
        // The history follows the scrubber: back at 300 ms the stuck read has not happened yet.
        await jump(page, "300ms", 300_000);
        await waitFor("the verdict of the history so far", async () =>
          (await history.getAttribute("data-verdict")) === "linearizable");
        assert.deepEqual(problems, []);
      });
    },
  },
  {
    name: "History: the keyboard opens it, a bar is selected with Enter, and a partition is drawn across it",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "abd-partition");
        // The partition began at 400 ms, in the 400 ms window that ends now.
        await jump(page, "750ms", 750_000);
        // Out of the time field, where H is a letter.
        await page.evaluate(() => document.activeElement?.blur());
        await page.keyboard.press("h");
        const history = page.locator("[data-region=history]");
        await history.locator(".history-op").first().waitFor();
        assert.equal(await page.locator("[data-action=history]").getAttribute("aria-pressed"), "true");
        assert.match(await history.locator(".history-verdict").textContent(), /^Linearizable: \d+ operations so far$/);
        assert.ok((await history.locator(".history-fault text", { hasText: "partition" }).count()) >= 1);
        const bar = history.locator(".history-op").first();
        await bar.focus();
        await page.keyboard.press("Enter");
        await page.locator("[data-region=inspector] .inspect-operation").waitFor();
        assert.equal(await bar.getAttribute("aria-pressed"), "true");
        await page.screenshot({ path: join(shots, "history-partition.png") });
        await page.evaluate(() => document.activeElement?.blur());
        await page.keyboard.press("h");
        await waitFor("the history closed", async () => (await history.count()) === 0);
        assert.deepEqual(problems, []);
      });
    },
  },
);
