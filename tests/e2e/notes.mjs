// Embeds in real course notes: builds the book in tests/e2e/notes/ with mdBook (installed by
// `scripts/install-tools.sh --browser`), its chapter holding three Causeway embeds, serves it from
// another port, and checks that each embed shows its poster, plays when its Play is pressed, and that
// only the embeds played have loaded the engine.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

import { engineLoads } from "./poster.mjs";
import { withPage } from "./shell.mjs";
import { serve } from "./server.mjs";
import { now, waitFor } from "./sandbox.mjs";

const root = resolve(import.meta.dirname, "../..");

/** Builds the notes with `origin` as Causeway's address; returns the folder of the built book. */
function buildNotes(origin) {
  const work = join(root, "target/e2e-notes");
  rmSync(work, { recursive: true, force: true });
  cpSync(join(root, "tests/e2e/notes"), work, { recursive: true });
  const chapter = join(work, "src/failure-detectors.md");
  writeFileSync(chapter, readFileSync(chapter, "utf8").replaceAll("{{CAUSEWAY}}", `${origin}/`));
  const built = spawnSync("mdbook", ["build", work, "--dest-dir", join(work, "book")], { encoding: "utf8" });
  if (built.error || built.status !== 0) {
    throw new Error(
      `mdbook build failed (install it with scripts/install-tools.sh --browser): ${built.error?.message ?? built.stderr}`,
    );
  }
  return join(work, "book");
}

export const tests = [
  {
    name: "notes: three embeds in an mdBook chapter show posters; each plays when clicked, and only those load the engine",
    async run({ browser, origin, shots }) {
      const book = await serve(buildNotes(origin));
      try {
        await withPage(browser, `${book.origin}/failure-detectors.html`, { viewport: { width: 1100, height: 900 } }, async ({ page, problems, requests, goto }) => {
          await goto();
          await page.locator("main h1", { hasText: "Failure detectors" }).waitFor();
          const frames = [0, 1, 2].map((i) => page.frameLocator("main iframe").nth(i));
          const play = (i) => frames[i].getByRole("button", { name: /^Play: load the simulator/ });
          const titles = ["Heartbeats", "A crash, detected", "A lossy, long-tailed network"];
          for (const i of [0, 1]) {
            await frames[i].locator(".poster-card .poster-title", { hasText: titles[i] }).waitFor();
            await play(i).waitFor();
          }
          // The chapter's snippet gives each embed the height it asks for: its poster's.
          const height = (i) => page.locator("main iframe").nth(i).evaluate((f) => f.getBoundingClientRect().height);
          const asked = async (i) => frames[i].locator("body").evaluate(() => {
            const boot = document.getElementById("boot");
            const parts = [...(document.querySelector(".app-embed .stage") ?? boot).children];
            return parts.map((p) => p.getBoundingClientRect());
          });
          await waitFor("the first poster's height", async () => Math.abs((await height(0)) - 480) > 20);
          const poster = await asked(0);
          assert.ok(Math.abs(poster.at(-1).bottom + 12 - (await height(0))) <= 2, "the iframe ends where the poster does");
          await page.screenshot({ path: join(shots, "notes-posters.png") });
          assert.equal(engineLoads(requests), 0, "no engine before a Play");

          await play(0).click();
          await frames[0].locator("svg.diagram .lane-header").first().waitFor();
          await waitFor("the first embed to play", async () => (await now(frames[0])) > 0);
          assert.equal(engineLoads(requests), 1, "one engine, for the embed played");
          // Playing, it asks for its step at full height and 360 px of diagram.
          await waitFor("the player's height", async () => {
            const diagram = await frames[0].locator("[data-region=diagram]").boundingBox();
            return Math.abs(diagram.height - 360) <= 2;
          });
          const guide = frames[0].locator(".guide-body");
          assert.ok(await guide.evaluate((b) => b.scrollHeight <= b.clientHeight + 1), "the step shows whole, unscrolled");
          assert.equal(await frames[1].locator("svg.diagram").count(), 0, "the second still shows its poster");

          await page.locator("main iframe").nth(2).scrollIntoViewIfNeeded();
          await frames[2].locator(".poster-card .poster-title", { hasText: titles[2] }).waitFor();
          assert.equal(engineLoads(requests), 1, "scrolling to an embed does not load it");
          await play(2).click();
          await frames[2].locator("svg.diagram .lane-header").first().waitFor();
          await waitFor("the third embed to play", async () => (await now(frames[2])) > 0);
          assert.equal(engineLoads(requests), 2, "two embeds played, two engines");
          assert.equal(await frames[1].locator("svg.diagram").count(), 0, "the one not played never loaded");
          await page.screenshot({ path: join(shots, "notes-played.png") });
          assert.deepEqual(problems, []);
        });
      } finally {
        await book.close();
      }
    },
  },
];
