// Guided lessons, end to end: a lesson completed with the keyboard alone (the step pauses at its
// moment, the prediction is answered and judged, the task is done for the student), and a guided
// step on a phone.

import assert from "node:assert/strict";
import { join } from "node:path";

import { presetIds, withPage } from "./shell.mjs";
import { DESKTOP, waitFor } from "./sandbox.mjs";

const PHONE = { width: 390, height: 844 };

const guide = (page) => page.locator("[data-region=guide]");

async function stepNumber(page) {
  const text = await guide(page).locator(".guide-count").textContent();
  return Number(text.match(/Step (\d+) of/)[1]);
}

async function status(page) {
  return (await guide(page).locator(".guide-status").textContent()).trim();
}

/** Presses Tab until `selector` has the focus (at most `limit` times). */
async function tabTo(page, selector, limit = 80) {
  for (let i = 0; i < limit; i += 1) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** A teacher's own guided lesson, written as scenario JSON. */
const TEACHER = {
  name: "My class: spot the crash",
  description: "Three nodes ping each other; one crashes.",
  protocol: { name: "heartbeat", interval_us: 100000, timeout_us: 350000 },
  nodes: 3,
  seed: 4,
  horizon_us: 2000000,
  faults: [{ at_us: 500000, action: "crash", node: "n2" }],
  guide: {
    steps: [
      { text: "Three nodes ping each other every 100 ms. *Watch* n2." },
      {
        text: "At 500 ms n2 crashes.",
        question: { ask: "Will its peers notice?", choices: ["Yes, once the timeout runs out", "No"], answer: 0 },
        until: { event: "crash", node: "n2" },
      },
      { text: "Its peers stop hearing from it, and suspect it.", until: { fact: "suspects", peer: "n2" } },
    ],
  },
};

export const tests = [
  {
    name: "a guided lesson can be completed with the keyboard alone: pauses at its moments, judges the prediction, does the task",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/?preset=raft-leader-crash`, { viewport: DESKTOP }, async ({ page, problems, goto }) => {
        await goto();
        await guide(page).locator(".guide-text").waitFor();
        assert.equal(await stepNumber(page), 1);
        assert.equal(await guide(page).locator(".guide-progress .dot").count(), 8);
        // The first Tab stop skips to the run controls.
        await page.keyboard.press("Tab");
        assert.equal(await page.evaluate(() => document.activeElement.className), "skip-link");
        await page.keyboard.press("Enter");
        assert.equal(await page.evaluate(() => document.activeElement.dataset.action), "play");

        // N: the next step asks before the run plays on; the run waits.
        await page.keyboard.press("n");
        await waitFor("step 2", async () => (await stepNumber(page)) === 2);
        assert.equal(await status(page), "Answer to play on");
        await tabTo(page, "[data-region=guide] .choice");
        // The third choice is n3, the server this run elects first.
        await page.keyboard.press("Tab");
        await page.keyboard.press("Tab");
        await page.keyboard.press("Enter");
        await waitFor("the run to pause at the first leader", async () => (await status(page)) === "Paused here");
        // A screen reader hears of the new leader.
        await waitFor("the announcement", async () =>
          (await page.locator("[data-testid=announcer]").textContent()).includes("n3 became leader of term 1"),
        );
        const verdict = await guide(page).locator(".guide-verdict").textContent();
        assert.match(verdict, /^Right\./, verdict);
        // Paused at the election: n3's lane says it leads.
        await page.locator("svg.diagram .lane-header.tone-lead[data-node=n3]").waitFor();
        await page.screenshot({ path: join(shots, "guide-step.png") });

        // N while a step plays runs it to its moment and goes on: through the crash to step 4.
        await page.keyboard.press("n");
        await waitFor("step 3", async () => (await stepNumber(page)) === 3);
        await page.locator("svg.diagram .lane-spotlight").waitFor();
        await page.keyboard.press("n");
        await waitFor("step 4", async () => (await stepNumber(page)) === 4);
        await page.locator("svg.diagram .lane-header.status-crashed[data-node=n3]").waitFor();
        // P goes back to step 3, shown where it paused (just after the crash).
        await page.keyboard.press("p");
        await waitFor("back at step 3", async () => (await stepNumber(page)) === 3);
        assert.equal(await status(page), "Paused here");
        await page.keyboard.press("n");
        await waitFor("step 4 again", async () => (await stepNumber(page)) === 4);
        await tabTo(page, "[data-region=guide] .choice");
        await page.keyboard.press("Tab");
        await page.keyboard.press("Enter");
        await waitFor("the new leader", async () => (await status(page)) === "Paused here");

        // On to the task: crash the leader, done for the student.
        while ((await stepNumber(page)) < 7) {
          await page.keyboard.press("n");
          await waitFor("the next step", async () => (await status(page)) !== "Answer to play on");
        }
        await waitFor("the task", async () => (await status(page)) === "Your turn");
        await tabTo(page, "[data-action=guide-do]");
        await page.keyboard.press("Enter");
        await guide(page).locator(".guide-task.is-done").waitFor();
        await page.locator("svg.diagram .lane-header.status-crashed[data-node=n5]").waitFor();

        await page.locator("body").click({ position: { x: 5, y: 5 } });
        await page.keyboard.press("n");
        await waitFor("the last step to finish", async () => (await status(page)) === "Lesson complete", 60_000);
        assert.equal(await guide(page).locator(".guide-progress .dot.is-done").count(), 8);

        // The diagram reads without a pointer: ] picks a lane, J walks its events into the
        // inspector (and the announcement), M goes from a send to its message.
        const inspector = page.locator("[data-region=inspector]");
        const heard = () => page.locator("[data-testid=announcer]").textContent();
        await page.keyboard.press("Escape");
        await page.keyboard.press("]");
        await page.keyboard.press("j");
        await waitFor("an event of n1's in the inspector", async () => / at \d/.test(await heard()));
        assert.match(await inspector.textContent(), /node\s*n1/);
        let sends = 0;
        while (!/ → n\d/.test(await heard())) {
          assert.ok((sends += 1) < 40, "n1 sends something");
          await page.keyboard.press("j");
        }
        await page.keyboard.press("m");
        await waitFor("the message", async () => (await heard()).startsWith("message "));
        assert.match(await inspector.textContent(), /Payload/);
        assert.deepEqual(problems, []);
      });
    },
  },
  {
    name: "a question's markup is rendered, not shown as backticks",
    async run({ browser, origin }) {
      await withPage(browser, `${origin}/?preset=paxos-basic`, {}, async ({ page, problems, goto }) => {
        await goto();
        await guide(page).locator("[data-action=guide-next]").click();
        const legend = guide(page).locator(".guide-question legend");
        await legend.waitFor();
        assert.equal(await legend.locator("code").first().textContent(), "x");
        assert.doesNotMatch(await legend.textContent(), /`/);
        assert.deepEqual(problems, []);
      });
    },
  },
  {
    name: "a guided step reads on a phone, in light and dark themes, with the run right under it",
    async run({ browser, origin, shots }) {
      for (const colorScheme of ["light", "dark"]) {
        await withPage(browser, `${origin}/?preset=raft-leader-crash`, { viewport: PHONE, colorScheme, isMobile: true, hasTouch: true }, async ({ page, problems, goto }) => {
          await goto();
          await guide(page).locator(".guide-text").waitFor();
          await guide(page).locator("[data-action=guide-next]").click();
          await guide(page).locator(".choice").nth(2).click();
          await waitFor("the pause", async () => (await status(page)) === "Paused here");
          const box = await guide(page).boundingBox();
          assert.ok(box.width <= PHONE.width, `the step fits the phone's width (${box.width})`);
          const play = await page.locator("[data-action=play]").boundingBox();
          assert.ok(play.y < 1.5 * PHONE.height, `Play is within reach under the step (at ${play.y})`);
          await page.screenshot({ path: join(shots, `guide-phone-${colorScheme}.png`) });
          assert.deepEqual(problems, []);
        });
      }
    },
  },
  {
    name: "a teacher's own guided lesson opens from a scenario URL, from its share link and in an embed",
    async run({ browser, origin, shots }) {
      const url = `${origin}/?scenario=${encodeURIComponent(JSON.stringify(TEACHER))}`;
      let link;
      await withPage(browser, url, { viewport: DESKTOP }, async ({ page, problems, goto }) => {
        await goto();
        await guide(page).locator("#guide-title", { hasText: "My class: spot the crash" }).waitFor();
        assert.equal(await guide(page).locator(".guide-count").textContent(), "Step 1 of 3");
        assert.equal(await guide(page).locator(".guide-text em").textContent(), "Watch");
        await guide(page).locator("[data-action=guide-next]").click();
        await guide(page).locator(".choice").first().click();
        await waitFor("the crash", async () => (await status(page)) === "Paused here");
        await page.locator("[data-action=share]").click();
        link = await page.locator("[data-testid=share-url]").inputValue();
        assert.deepEqual(problems, []);
      });
      await withPage(browser, link, { viewport: DESKTOP }, async ({ page, problems, goto }) => {
        await goto();
        // The link opens where it was made, in free play, with the teacher's guide to resume.
        await guide(page).locator("[data-action=guide-resume]").click();
        await guide(page).locator(".guide-text", { hasText: "Three nodes ping each other" }).waitFor();
        assert.deepEqual(problems, []);
      });
      await withPage(browser, `${url}&embed`, { viewport: { width: 720, height: 560 } }, async ({ page, problems, goto }) => {
        await goto();
        // An embed shows a poster until it is played (tests/e2e/poster.mjs).
        await page.getByRole("button", { name: /^Play: load the simulator/ }).click();
        await guide(page).locator(".guide-count", { hasText: "Step 1 of 3" }).waitFor();
        await guide(page).locator("[data-action=guide-next]").click();
        await guide(page).locator(".guide-count", { hasText: "Step 2 of 3" }).waitFor();
        await guide(page).locator(".guide-question legend", { hasText: "Will its peers notice?" }).waitFor();
        await page.screenshot({ path: join(shots, "guide-embed.png") });
        assert.deepEqual(problems, []);
      });
    },
  },
  {
    name: "the course map marks progress from local storage, offers to continue, and forgets it in two steps",
    async run({ browser, origin }) {
      const ids = await presetIds();
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems, goto }) => {
        await goto();
        const course = page.locator("[data-region=course]");
        await course.waitFor();
        assert.equal(await course.locator("[data-action=continue]").count(), 0, "nothing to continue yet");
        const save = (progress) =>
          page.evaluate((p) => localStorage.setItem("causeway.progress", JSON.stringify(p)), progress);
        // The first lesson done, the third begun: go on with the third.
        await save({ [ids[0]]: { done: 4, steps: 4 }, [ids[2]]: { done: 1, steps: 5 } });
        await page.reload({ waitUntil: "load" });
        await course.waitFor();
        assert.match(await course.locator("[data-testid=course-count]").textContent(), new RegExp(`^1 of ${ids.length} lessons complete`));
        assert.match(await course.locator(`button[data-preset="${ids[0]}"]`).getAttribute("class"), /is-complete/);
        assert.match(await course.locator(`button[data-preset="${ids[2]}"]`).textContent(), /step 1 of \d+/);
        const next = course.locator("[data-action=continue]");
        const third = await course.locator(`button[data-preset="${ids[2]}"] .course-lesson-name`).textContent();
        assert.equal(await next.textContent(), `Continue: ${third}`);
        // Nothing begun: the lesson after the last one finished.
        await save({ [ids[0]]: { done: 4, steps: 4 }, [ids[1]]: { done: 3, steps: 3 } });
        await page.reload({ waitUntil: "load" });
        assert.equal(await next.textContent(), `Continue: ${third}`);
        await next.click();
        await page.locator("#guide-title, .lesson-title", { hasText: third }).first().waitFor();

        await page.locator("[data-action=course]").click();
        await course.locator("[data-action=reset-progress]").click();
        await course.locator("[data-action=reset-progress-yes]").click();
        assert.match(await course.locator("[data-testid=course-count]").textContent(), /^0 of /);
        assert.equal(await next.count(), 0);
        assert.equal(await page.evaluate(() => localStorage.getItem("causeway.progress")), null);
        assert.deepEqual(problems, []);
      });
    },
  },
];
