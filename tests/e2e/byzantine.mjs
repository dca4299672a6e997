// The Byzantine generals in the page: traitors are marked on their lane and in the topology, a
// student makes a loyal general a traitor from the inspector and IC2 breaks, and "Change the
// settings" runs the lesson with another number of generals.

import assert from "node:assert/strict";
import { join } from "node:path";

import { axeProblems } from "./a11y.mjs";
import { withPage } from "./shell.mjs";
import { DESKTOP, jump, openPreset, waitFor } from "./sandbox.mjs";

/** The nodes whose lane header and topology node say they are traitors. */
async function traitors(page) {
  const lanes = await page.locator("svg.diagram .lane-header.is-traitor").evaluateAll((els) => els.map((e) => e.dataset.node));
  const ring = await page.locator("svg.topology .topo-node.is-traitor").evaluateAll((els) => els.map((e) => e.dataset.node));
  assert.deepEqual(lanes, ring, "the lanes and the topology agree");
  return lanes;
}

/** The names of the violated checkers. */
async function violated(page) {
  return page.locator("[data-region=checkers] .is-violated .checker-name").evaluateAll((els) =>
    els.map((e) => e.firstChild.textContent.trim()),
  );
}

export const tests = [
  {
    name: "Byzantine generals: the traitor is marked, the model refuses a second one, and allowing it in the settings lets the inspector make one that breaks IC2",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "byzantine-om-lieutenant");
        await page.locator("[data-action=guide-leave]").click();
        await jump(page, "150ms", 150_000);
        assert.deepEqual(await traitors(page), ["n4"]);
        assert.deepEqual(await violated(page), []);
        await page.locator('svg.topology .topo-node[data-node="n4"]').click();
        await page.locator("[data-testid=traitor]", { hasText: "Traitor (two-faced)" }).waitFor();
        await page.screenshot({ path: join(shots, "byzantine-om1.png") });

        // The lesson's model allows one faulty node: the control says why it is off.
        await page.locator('svg.topology .topo-node[data-node="n3"]').click();
        const refused = page.getByRole("group", { name: "Make n3 a traitor" }).locator("[data-action=make-traitor]");
        assert.ok(await refused.isDisabled());
        assert.match(await refused.getAttribute("title"), /at most 1 faulty node, and n4 already is/);
        assert.match(await page.locator("[data-testid=model]").textContent(), /reliable links · Byzantine · synchronous/);
        await page.locator(".model-forbids", { hasText: "Make traitor: the model allows at most 1 faulty node" }).waitFor();

        // Two faulty nodes allowed: n3 turns traitor as the commander's order goes out, and round
        // 2's relays lie.
        const settings = page.locator("[data-region=settings]");
        await settings.locator("summary").click();
        const model = settings.getByLabel("System model as JSON");
        await model.fill((await model.inputValue()).replace('"faulty":1', '"faulty":2'));
        await settings.locator("[data-action=rerun]").click();
        await page.locator(".lesson-title", { hasText: "(edited)" }).waitFor();
        await jump(page, "10ms", 10_000);
        await page.locator('svg.topology .topo-node[data-node="n3"]').click();
        const form = page.getByRole("group", { name: "Make n3 a traitor" });
        await form.getByLabel("How the traitor lies").selectOption("two_faced");
        await form.locator("[data-action=make-traitor]").click();
        await waitFor("n3 marked a traitor", async () => (await traitors(page)).length === 2);
        assert.deepEqual(await traitors(page), ["n3", "n4"]);
        await jump(page, "150ms", 150_000);
        await waitFor("IC2 broken", async () => (await violated(page)).length > 0);
        assert.deepEqual(await violated(page), ["IC2: loyal commander obeyed"]);
        assert.deepEqual(await axeProblems(page, "two traitors"), []);
        await page.screenshot({ path: join(shots, "byzantine-two-traitors.png") });
        assert.deepEqual(problems, []);
      });
    },
  },
  {
    name: "Byzantine generals: the settings change the number of generals, and a bad count is named",
    async run({ browser, origin }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "byzantine-om-three");
        await page.locator("[data-action=guide-leave]").click();
        const settings = page.locator("[data-region=settings]");
        await settings.locator("summary").click();
        const nodes = settings.getByLabel("Number of nodes");
        assert.equal(await nodes.inputValue(), "3");
        await nodes.fill("11");
        await settings.locator("[data-action=rerun]").click();
        await settings.locator("[data-testid=settings-error]", { hasText: "must be from 3 to 10" }).waitFor();
        assert.equal(await nodes.inputValue(), "11", "the student's text is kept");

        // Four generals outvote the same traitor: IC2 holds.
        await nodes.fill("4");
        await settings.locator("[data-action=rerun]").click();
        await page.locator(".lesson-title", { hasText: "(edited)" }).waitFor();
        assert.equal(await page.locator("svg.diagram .lane-header").count(), 4);
        await jump(page, "150ms", 150_000);
        assert.deepEqual(await violated(page), []);
        assert.deepEqual(await traitors(page), ["n3"]);
        assert.deepEqual(problems, []);
      });
    },
  },
  {
    name: "Byzantine generals: a forging link's arrow is drawn forged, and Corrupt on a message is refused past the model's faulty budget with the reason",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "byzantine-forged-link");
        await page.locator("[data-action=guide-leave]").click();
        await jump(page, "15ms", 15_000);
        const flying = page.locator("svg.diagram .arrow-inflight");
        const inspector = page.locator("[data-region=inspector]");
        const count = await flying.count();
        let found = false;
        for (let i = 0; i < count && !found; i += 1) {
          await flying.nth(i).locator(".head").click();
          found = /n1 → n3/.test(await inspector.textContent());
        }
        assert.ok(found, "n1's order to n3 is in flight at 15ms");
        const corrupt = inspector.getByRole("button", { name: "Corrupt" });
        assert.equal(await corrupt.isDisabled(), true);
        assert.match(await corrupt.getAttribute("title"), /makes it faulty, and the model allows at most 1 faulty node, and n2 already is/);
        await jump(page, "150ms", 150_000);
        await page.locator("svg.diagram path.arrow-forged").first().waitFor();
        assert.deepEqual(await violated(page), []);
        assert.deepEqual(await axeProblems(page), []);
        assert.deepEqual(problems, []);
        await page.screenshot({ path: join(shots, "byzantine-forged-link.png") });
      });
    },
  },
];

tests.push({
  name: "System models: under synchrony the page disables Pause with the reason, and the model is shown by the lesson's name",
  async run({ browser, origin, shots }) {
    await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
      await openPreset(page, origin, "models-detector-sync");
      assert.match(await page.locator("[data-testid=model]").textContent(), /reliable links · crash-stop · synchronous \(≤ 10ms\)/);
      await page.locator("[data-action=guide-leave]").click();
      await jump(page, "500ms", 500_000);
      await page.locator('svg.topology .topo-node[data-node="n2"]').click();
      const pause = page.getByRole("group", { name: "Interventions on n2" }).getByRole("button", { name: "Pause" });
      assert.ok(await pause.isDisabled());
      assert.match(await pause.getAttribute("title"), /nodes run at a known speed, so none may pause/);
      await page.locator(".model-forbids", { hasText: "Pause: the model is synchronous now" }).waitFor();
      const partition = page.locator(".partition-actions button", { hasText: "Partition" });
      assert.ok(await partition.isDisabled(), "reliable links: no partitions");
      assert.match(await partition.getAttribute("title"), /the model.s links are reliable/);
      assert.deepEqual(await axeProblems(page, "model refusals"), []);
      await page.screenshot({ path: join(shots, "models-sync.png") });
      assert.deepEqual(problems, []);
    });
  },
});

tests.push({
  name: "System models: a guarantee the model does not promise is tagged, says why, and its violation is amber, not red",
  async run({ browser, origin, shots }) {
    await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
      await openPreset(page, origin, "models-detector-async");
      await jump(page, "2.5s", 2_500_000);
      const checker = (name) =>
        page.locator("[data-region=checkers] .checker").filter({ has: page.locator(".checker-name", { hasText: new RegExp(`^${name}`) }) });
      const accuracy = checker("Accuracy");
      await accuracy.waitFor();
      const classes = await accuracy.getAttribute("class");
      assert.ok(classes.includes("is-violated") && classes.includes("is-unpromised"), classes);
      assert.equal((await accuracy.locator(".checker-tag").textContent()).trim(), "not promised");
      assert.match(
        await accuracy.locator(".checker-unpromised").textContent(),
        /Not promised by this model: needs synchronous timing, but the model's timing is asynchronous/,
      );
      // A property the model does promise carries no tag.
      const integrity = checker("Echo integrity");
      assert.equal(await integrity.locator(".checker-tag").count(), 0);
      assert.deepEqual(await axeProblems(page, "an unpromised violation"), []);
      await page.locator("[data-region=checkers]").screenshot({ path: join(shots, "models-unpromised.png") });
      assert.deepEqual(problems, []);
    });
  },
});
