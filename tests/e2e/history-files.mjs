// "Open history…": a Jepsen history read from a file into the history view, with the verdict
// `sim check` gives it, the explanation in the file's lines, the nemesis's partition across it, a
// model that does not fit refused with the line, a malformed file named, and a long file fitted and
// scrolled.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";

import { axeProblems } from "./a11y.mjs";
import { withPage } from "./shell.mjs";
import { DESKTOP, openPreset, waitFor } from "./sandbox.mjs";

const jepsen = resolve(import.meta.dirname, "../jepsen");

async function openHistory(page, name, text) {
  await page.getByLabel("Open a Jepsen history file").setInputFiles({
    name,
    mimeType: "text/plain",
    buffer: Buffer.from(text),
  });
}

/// A linearizable register history of `n` operations, `clients` processes taking turns.
function longHistory(n, clients) {
  const lines = [];
  for (let i = 0; i < n; i += 1) {
    const p = i % clients;
    const [f, v, got] = i % 2 === 0 ? ["write", i, i] : ["read", "nil", i - 1];
    lines.push(`INFO  jepsen.util - ${p}\t:invoke\t:${f}\t${v}`, `INFO  jepsen.util - ${p}\t:ok\t:${f}\t${got}`);
  }
  return lines.join("\n");
}

export const tests = [
  {
    name: "Open history: a Jepsen log with a stale read is not linearizable, explained in its lines, with the nemesis's partition",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "abd-basic");
        const text = await readFile(join(jepsen, "register-partition.log"), "utf8");
        await openHistory(page, "register-partition.log", text);
        const panel = page.locator("[data-region=history-file]");
        await panel.waitFor();
        assert.equal(await page.locator("[data-region=diagram]").count(), 0, "the file takes the diagram's place");
        assert.equal(await panel.getAttribute("data-verdict"), "not-linearizable");
        assert.equal(await panel.locator(".history-verdict").textContent(), "Not linearizable on the register as a register");
        await panel.locator(".history-explain", { hasText: "op5 (process 0 :read → 1, lines 11–12) cannot come next" }).waitFor();
        assert.match(await panel.locator(".history-explain").textContent(), /op3 \(process 2 :write 2, lines 8–9\) completed before it began/);
        // The whole file in view.
        await panel.getByRole("button", { name: "Fit" }).click();
        assert.equal(await panel.locator(".history-op.is-stuck").count(), 1);
        assert.equal(await panel.locator(".history-point").count(), 4, "the longest order has four operations");
        assert.equal(await panel.locator(".history-fault text", { hasText: "nemesis :start" }).count(), 1);
        assert.equal(await panel.locator(".history-partitioned").count(), 1);
        // The stuck read, picked, says what it is.
        await panel.locator(".history-op.is-stuck").click();
        await panel.locator("[data-testid=history-file-picked]", { hasText: "lines 11–12" }).waitFor();
        assert.deepEqual(await axeProblems(page, "history file"), []);
        await page.screenshot({ path: join(shots, "history-file.png") });

        // A register's history is not a key-value store's: refused, naming the line, keeping the verdict.
        await panel.locator("[data-action=history-model]").selectOption("kv");
        await panel.locator(".history-file-problem", { hasText: "line 2" }).waitFor();
        assert.equal(await panel.locator("[data-action=history-model]").inputValue(), "register");
        assert.equal(await panel.getAttribute("data-verdict"), "not-linearizable");

        await panel.locator("[data-action=history-file-close]").click();
        await page.locator("[data-region=diagram]").waitFor();
        await openHistory(page, "malformed.log", await readFile(join(jepsen, "malformed.log"), "utf8"));
        await page.locator("[data-testid=saved-status]", { hasText: "malformed.log is not a Jepsen history this page reads: line 4" }).waitFor();
        assert.equal(await panel.count(), 0);
        assert.deepEqual(problems, []);
      });
    },
  },
  {
    name: "Open history: a key-value file is judged key by key, and a long file fits and scrolls",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "abd-basic");
        await openHistory(page, "kv.edn", await readFile(join(jepsen, "kv.edn"), "utf8"));
        const panel = page.locator("[data-region=history-file]");
        await panel.waitFor();
        assert.equal(await panel.locator("[data-action=history-model]").inputValue(), "kv");
        assert.match(await panel.locator(".history-verdict").textContent(), /^Linearizable as a key-value store: \d+ operations$/);

        await openHistory(page, "long.log", longHistory(1000, 10));
        await panel.locator(".history-verdict", { hasText: "Linearizable as a register: 1000 operations" }).waitFor();
        const scroller = panel.locator(".history-file-scroll");
        const firstBar = async () => panel.locator(".history-op").first().locator("title").textContent();
        const atTop = await firstBar();
        assert.match(atTop, /op1\b/);
        await scroller.evaluate((el) => { el.scrollTop = el.scrollHeight / 2; });
        await waitFor("bars from the middle of the file", async () => !(await firstBar()).match(/op1\b/));
        await panel.getByRole("button", { name: "Fit" }).click();
        await panel.locator(".history-notice", { hasText: "Zoom in" }).waitFor();
        assert.ok((await panel.locator("path.history-batch").count()) >= 1, "the whole file, in batches");
        await page.screenshot({ path: join(shots, "history-file-long.png") });
        await panel.getByRole("button", { name: "Zoom in" }).click();
        assert.deepEqual(problems, []);
      });
    },
  },
];
