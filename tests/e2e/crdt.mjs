// The CRDT lessons in the page: a student types into two replicas of the text during the
// partition, and after the heal every replica shows the same merged text; the best-effort break
// turns Strong convergence red.

import assert from "node:assert/strict";
import { join } from "node:path";

import { axeProblems } from "./a11y.mjs";
import { withPage } from "./shell.mjs";
import { DESKTOP, jump, openPreset, waitFor } from "./sandbox.mjs";

/// Selects `node` and types `to` over its text, then applies the edit.
async function typeInto(page, node, from, to) {
  await page.locator(`svg.diagram .lane-header[data-node=${node}]`).click();
  const form = page.locator("[data-region=inspector] [data-testid=text-edit]");
  const field = form.getByLabel(`Type into ${node}'s text`);
  assert.equal(await field.inputValue(), from);
  await field.fill(to);
  await form.getByRole("button", { name: "Apply the edit" }).click();
}

/// The text field of `node`, selected.
async function textOf(page, node) {
  await page.locator(`svg.diagram .lane-header[data-node=${node}]`).click();
  return page.locator("[data-region=inspector]").getByLabel(`Type into ${node}'s text`).inputValue();
}

export const tests = [
  {
    name: "CRDT text: typing into n1 and n3 during the partition, and every replica reads the same merged text after the heal",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "crdt-text");
        await jump(page, "700ms", 700_000);
        await typeInto(page, "n1", "cat sat", "cat sat!");
        await typeInto(page, "n3", "at ran", "at ran?");
        await waitFor("n1's edit applied", async () => (await textOf(page, "n1")) === "cat sat!");
        await page.screenshot({ path: join(shots, "crdt-text-partition.png") });
        await jump(page, "1.5s", 1_500_000);
        for (const node of ["n1", "n2", "n3"]) {
          assert.equal(await textOf(page, node), "at ran? sat!", node);
        }
        const interventions = page.locator("[data-region=interventions] li");
        assert.ok((await interventions.count()) >= 2, "the edits are listed as the student's changes");
        assert.deepEqual(await axeProblems(page, "crdt text"), []);
        await page.screenshot({ path: join(shots, "crdt-text-merged.png") });
        assert.deepEqual(problems, []);
      });
    },
  },
  {
    name: "CRDT break-it: over best-effort broadcast, Strong convergence names the replicas that disagree",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "crdt-break-best-effort");
        await jump(page, "800ms", 800_000);
        const violated = page.locator("[data-region=checkers] .checker.is-violated");
        await violated.first().waitFor();
        assert.match(await violated.first().locator(".checker-name").textContent(), /^Strong convergence/);
        await violated.first().click();
        await page.locator("[data-region=inspector]", { hasText: "include the same 3 updates" }).waitFor();
        await page.screenshot({ path: join(shots, "crdt-best-effort.png") });
        assert.deepEqual(problems, []);
      });
    },
  },
];
