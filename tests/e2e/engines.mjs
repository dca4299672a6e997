// The page's engines (scripts/engines.sh, static/boot.js, src/ui/engines.rs), end to end: a lesson
// loads only the engine with its protocol and the course map the first; a lesson, a saved scenario
// or a file whose protocol another engine has reloads the page into that engine, asking first when
// the run has changes.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { withPage } from "./shell.mjs";
import { DESKTOP } from "./sandbox.mjs";

/** The page engines requested so far, by group (`raft`), `all` for Trunk's build. */
export const enginesLoaded = (requests) =>
  requests
    .map((url) => url.pathname.match(/\/(?:engines\/([a-z]+)-[0-9a-f]{16}|causeway-[0-9a-f]+)_bg\.wasm$/))
    .filter(Boolean)
    .map((match) => match[1] ?? "all");

/** A preset's scenario JSON, as the repository has it. */
async function preset(id) {
  return JSON.parse(await readFile(new URL(`../../src/scenario/presets/${id}.json`, import.meta.url), "utf8"));
}

/** Waits until the page shows lesson or scenario `name` in its guide or lesson panel. */
async function showing(page, name) {
  await page.locator("#guide-title, .lesson-title", { hasText: name }).first().waitFor();
  await page.locator("#boot").waitFor({ state: "detached" });
}

export const tests = [
  {
    name: "engines: a lesson loads only the engine with its protocol, the course map the first",
    async run({ browser, origin }) {
      await withPage(browser, `${origin}/?preset=raft-basic`, { viewport: DESKTOP }, async ({ page, problems, requests, goto }) => {
        await goto();
        await showing(page, "Raft: log replication");
        const table = await page.evaluate(() => window.causewayEngines);
        assert.ok(table, "a release build lists its engines");
        assert.ok(table.engines.raft.protocols.includes("raft"));
        assert.deepEqual(enginesLoaded(requests), ["raft"]);

        requests.length = 0;
        await page.goto(`${origin}/`, { waitUntil: "load" });
        await page.locator("[data-region=course]").waitFor();
        await page.locator("#boot").waitFor({ state: "detached" });
        assert.deepEqual(enginesLoaded(requests), [table.home]);

        requests.length = 0;
        await page.goto(`${origin}/?preset=2pc-commit`, { waitUntil: "load" });
        await showing(page, "Two-phase commit: everyone votes yes");
        assert.deepEqual(enginesLoaded(requests), ["commit"]);
        assert.deepEqual(problems, []);
      });
    },
  },
  {
    name: "engines: a lesson of another engine reloads into it, after asking when the run has changes",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems, requests, goto }) => {
        await goto();
        await page.locator('[data-region=course] button[data-preset="heartbeat-basic"]').click();
        await showing(page, "Heartbeats");
        assert.deepEqual(enginesLoaded(requests), ["foundations"], "the course map's engine has the heartbeat lesson");

        await page.locator('[data-region=course] button[data-preset="raft-basic"], [data-region=scenarios] button[data-preset="raft-basic"]').first().click();
        await showing(page, "Raft: log replication");
        assert.match(page.url(), /\?preset=raft-basic$/);
        assert.deepEqual(enginesLoaded(requests), ["foundations", "raft"]);

        // A run with a change: opening a lesson of another engine asks first, and keeping the run
        // keeps the page.
        for (let i = 0; i < 8; i += 1) await page.keyboard.press("ArrowRight");
        await page.locator("svg.diagram .lane-header[data-node=n2]").click();
        await page.locator("[data-region=inspector]").getByRole("button", { name: "Crash" }).click();
        await page.locator("svg.diagram .lane-header.status-crashed[data-node=n2]").waitFor();
        const lesson = page.locator('[data-region=scenarios] button[data-preset="2pc-commit"]');
        await lesson.click();
        const ask = page.locator("[data-testid=confirm-open]", { hasText: "Two-phase commit: everyone votes yes" });
        await ask.waitFor();
        await page.screenshot({ path: join(shots, "engines-ask.png") });
        await page.locator("[data-action=keep-run]").click();
        await ask.waitFor({ state: "detached" });
        assert.match(page.url(), /\?preset=raft-basic$/);
        assert.equal(await page.locator("svg.diagram .lane-header.status-crashed[data-node=n2]").count(), 1, "the run is kept");

        await lesson.click();
        await ask.waitFor();
        await page.locator("[data-action=replace-run]").click();
        await showing(page, "Two-phase commit: everyone votes yes");
        assert.match(page.url(), /\?preset=2pc-commit$/);
        assert.deepEqual(enginesLoaded(requests), ["foundations", "raft", "commit"]);
        assert.deepEqual(problems, []);
      });
    },
  },
  {
    name: "engines: a file or a saved scenario of another engine's protocol opens in that engine",
    async run({ browser, origin }) {
      await withPage(browser, `${origin}/?preset=heartbeat-basic`, { viewport: DESKTOP }, async ({ page, problems, requests, goto }) => {
        await goto();
        await showing(page, "Heartbeats");
        const scenario = await preset("2pc-commit");
        scenario.name = "Commit from a file";
        delete scenario.guide;
        const saved = page.locator("[data-region=saved]");
        await saved.getByLabel("Import a scenario JSON file").setInputFiles({
          name: "commit.json",
          mimeType: "application/json",
          buffer: Buffer.from(JSON.stringify(scenario)),
        });
        await showing(page, "Commit from a file");
        assert.match(page.url(), /\/#c1\.[A-Za-z0-9_-]+$/, "opened as a share link");
        assert.deepEqual(enginesLoaded(requests), ["foundations", "commit"]);

        // Saved in the commit engine, listed and opened from the foundations one.
        await saved.getByLabel("Name to save the open scenario under").fill("commit run");
        await saved.getByRole("button", { name: "Save" }).click();
        await saved.locator("[data-testid=saved-status]", { hasText: "Saved as" }).waitFor();
        await page.goto(`${origin}/?preset=heartbeat-basic`, { waitUntil: "load" });
        await showing(page, "Heartbeats");
        assert.equal(await saved.locator("[data-testid=saved-problem]").count(), 0, "listed without a problem");
        await saved.locator('[data-saved="commit run"]').click();
        await showing(page, "Commit from a file");
        assert.deepEqual(enginesLoaded(requests), ["foundations", "commit", "foundations", "commit"]);
        assert.deepEqual(problems, []);
      });
    },
  },
];
