// The consistency-models lesson in the page: a scenario that names its clients opens with their
// history, one column per client, and the table under the diagram says which models the run keeps
// and names the operations that break the others; picking one selects it in the history.

import assert from "node:assert/strict";
import { join } from "node:path";

import { axeProblems } from "./a11y.mjs";
import { withPage } from "./shell.mjs";
import { DESKTOP, jump, openPreset, waitFor } from "./sandbox.mjs";

/// Each model's row: its name and standing, in table order.
async function standings(page) {
  return page.locator("[data-region=models] tbody tr").evaluateAll((rows) =>
    rows.map((row) => [row.dataset.model, row.dataset.standing]),
  );
}

/// What the design switch says: the current design, requests answered and asked, the verdicts.
async function design(page) {
  const region = page.locator("[data-region=design]");
  const served = region.locator(".design-served");
  return {
    current: await region.locator(".design-option.is-current").getAttribute("data-design"),
    answered: Number(await served.getAttribute("data-served")),
    asked: Number(await served.getAttribute("data-asked")),
    verdicts: (await region.locator(".design-verdict").allTextContents()).map((t) => t.trim()),
  };
}

export const tests = [
  {
    name: "CAP: one click switches between the consistent and the available design at the same moment, with requests answered and verdicts for each",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "cap-cp");
        await jump(page, "1.3s", 1_300_000);
        await waitFor("the consistent design's run to its end", async () => (await design(page)).asked === 6);
        assert.deepEqual(await design(page), {
          current: "cap-cp",
          answered: 4,
          asked: 6,
          verdicts: ["✓ Fresh reads", "✗ Available"],
        });
        await page.screenshot({ path: join(shots, "cap-design-cp.png") });
        await page.locator("[data-region=design] [data-design=cap-ap]").click();
        await waitFor("the available design at the same moment", async () => {
          const now = await design(page);
          return now.current === "cap-ap" && now.asked === 6;
        });
        assert.deepEqual(await design(page), {
          current: "cap-ap",
          answered: 6,
          asked: 6,
          verdicts: ["✗ Fresh reads", "✓ Available"],
        });
        assert.deepEqual(await axeProblems(page, "design switch"), []);
        await page.screenshot({ path: join(shots, "cap-design-ap.png") });
        assert.deepEqual(problems, []);
      });
    },
  },
  {
    name: "Consistency models: writes follow reads broken, named and picked; the other session guarantees kept",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "models-writes-follow-reads");
        await jump(page, "1s", 1_000_000);
        await page.locator("[data-region=history]").waitFor();
        const columns = await page.locator(".history-client").allTextContents();
        assert.deepEqual(columns, ["alice", "bob", "carol"], "one column per named client, open at once");
        await waitFor("the table judged the whole run", async () => (await standings(page)).length === 8);
        assert.deepEqual(await standings(page), [
          ["Linearizability", "violated"],
          ["Sequential consistency", "violated"],
          ["Causal consistency", "violated"],
          ["Read your writes", "holds"],
          ["Monotonic reads", "holds"],
          ["Monotonic writes", "holds"],
          ["Writes follow reads", "violated"],
          ["Eventual consistency", "holds"],
        ]);
        const row = page.locator('[data-region=models] tr[data-model="Writes follow reads"]');
        assert.match(await row.textContent(), /carol's read x → nothing \(op4\) returned nothing, though alice's write x=question \(op0\) comes before it: op0 → op1 → op2 → op3 → op4/);
        await row.getByRole("button", { name: "Pick op4 in the history" }).click();
        await page.locator('.history-op.is-selected[data-op="4"]').waitFor();
        assert.deepEqual(await axeProblems(page, "consistency models"), []);
        await page.screenshot({ path: join(shots, "models-writes-follow-reads.png") });
        await page.locator("[data-action=models-toggle]").click();
        assert.equal(await page.locator("[data-region=models] table").count(), 0, "Hide folds the table");
        assert.deepEqual(problems, []);
      });
    },
  },
];
