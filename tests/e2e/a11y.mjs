// Accessibility, end to end: axe-core (from npm) finds no serious or critical violation on the
// course map and on every lesson, in the light and the dark theme, both during a guided step and in
// free play after the run has played a little.

import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { readFile } from "node:fs/promises";

import { presetIds, withPage } from "./shell.mjs";
import { DESKTOP, waitFor } from "./sandbox.mjs";

const require = createRequire(import.meta.url);
const AXE = await readFile(require.resolve("axe-core/axe.min.js"), "utf8");

/** Runs axe on the page; returns the serious and critical violations as readable lines. */
export async function axeProblems(page, where) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) {
    await page.addScriptTag({ content: AXE });
  }
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary.split("\n").slice(1, 2).join("").trim()}`) }));
  });
  return violations.map((v) => `${where}: ${v.id} (${v.impact}) on ${v.nodes.length}: ${v.nodes.slice(0, 40).join(" | ")}`);
}

/** Checks the course map (with `course`) and the presets in `ids` in one theme. */
async function check({ browser, origin }, colorScheme, ids, course) {
  const problems = [];
  await withPage(browser, `${origin}/`, { viewport: DESKTOP, colorScheme }, async ({ page, goto }) => {
    await goto();
    await page.locator("[data-region=course]").waitFor();
    if (course) problems.push(...(await axeProblems(page, `course (${colorScheme})`)));
    for (const id of ids) {
      await page.goto(`${origin}/?preset=${id}`, { waitUntil: "load" });
      const guide = page.locator("[data-region=guide]");
      await guide.locator(".guide-text").waitFor();
      await page.getByLabel("Playback speed").selectOption({ label: "20×" });
      // A guided step: the second, with its question answered if it asks one, paused at its moment.
      await guide.locator("[data-action=guide-next]").click();
      const choice = guide.locator(".choice").first();
      if (await choice.count()) await choice.click();
      await waitFor(`${id}: the step to pause`, async () => !(await guide.locator(".guide-status.phase-play").count()), 60_000);
      problems.push(...(await axeProblems(page, `${id} guided (${colorScheme})`)));
      // Free play, after the run has played on a little.
      await guide.locator("[data-action=guide-leave]").click();
      await page.keyboard.press("ArrowRight");
      await page.keyboard.press("ArrowRight");
      problems.push(...(await axeProblems(page, `${id} free play (${colorScheme})`)));
    }
  });
  assert.deepEqual(problems, [], `\n${problems.join("\n")}`);
}

const PRESETS = await presetIds();
const HALF = Math.ceil(PRESETS.length / 2);

export const tests = ["light", "dark"].flatMap((colorScheme) =>
  [PRESETS.slice(0, HALF), PRESETS.slice(HALF)].map((ids, half) => ({
    name: `axe-core: no serious or critical violation ${half === 0 ? "on the course map and" : "on"} lessons ${half * HALF + 1}–${half * HALF + ids.length}, guided and in free play, ${colorScheme} theme`,
    run: (context) => check(context, colorScheme, ids, half === 0),
  })),
);
