// Saved scenarios, end to end: save a run with an intervention in local storage, find it after a
// reload next to a corrupt entry (reported, skipped, kept), open it, export and import JSON files,
// and delete it.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { withPage } from "./shell.mjs";
import { DESKTOP, openPreset } from "./sandbox.mjs";

export const tests = [
  {
    name: "saved scenarios: save, reload, skip a corrupt entry, open, export, import, delete",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "heartbeat-basic");
        for (let i = 0; i < 8; i += 1) await page.keyboard.press("ArrowRight");
        await page.locator("svg.diagram .lane-header[data-node=n2]").click();
        await page.locator("[data-region=inspector]").getByRole("button", { name: "Crash" }).click();
        await page.locator("svg.diagram .lane-header.status-crashed[data-node=n2]").waitFor();

        const saved = page.locator("[data-region=saved]");
        await saved.getByLabel("Name to save the open scenario under").fill("n2 crashed <b>early</b>");
        await saved.getByRole("button", { name: "Save" }).click();
        await saved.locator("[data-testid=saved-status]", { hasText: "Saved as" }).waitFor();
        const keys = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("causeway.saved.")));
        assert.deepEqual(keys, ["causeway.saved.n2 crashed <b>early</b>"]);

        await page.evaluate(() => localStorage.setItem("causeway.saved.broken", '{"version": 1, "nodes": '));
        await page.reload({ waitUntil: "load" });
        const entry = saved.locator('[data-saved="n2 crashed <b>early</b>"]');
        await entry.waitFor();
        assert.equal(await saved.locator("b").count(), 0, "the name is text");
        assert.match(await saved.locator("[data-testid=saved-problem]").textContent(), /“broken” cannot be opened/);
        assert.equal(await saved.locator("[data-saved=broken]").count(), 0, "the corrupt entry is skipped");
        await saved.scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(shots, "saved.png") });

        await entry.click();
        await page.getByLabel("Jump to a time, such as 1.5s or 250ms").fill("1s");
        await page.keyboard.press("Enter");
        await page.locator("svg.diagram .lane-header.status-crashed[data-node=n2]").waitFor();

        const [download] = await Promise.all([
          page.waitForEvent("download"),
          saved.locator("[data-action=export-scenario]").click(),
        ]);
        const exported = JSON.parse(await readFile(await download.path(), "utf8"));
        assert.equal(exported.name, "Heartbeats");
        assert.equal(exported.interventions.length, 1, "the crash is in the file");

        exported.name = "Imported from a file";
        await saved.getByLabel("Import a scenario JSON file").setInputFiles({
          name: "mine.json",
          mimeType: "application/json",
          buffer: Buffer.from(JSON.stringify(exported)),
        });
        // The open run has a crash in it: opening the file asks first.
        await page.locator("[data-testid=confirm-open]", { hasText: "Imported from a file" }).waitFor();
        await page.locator("[data-action=replace-run]").click();
        await page.locator("#guide-title, .lesson-title", { hasText: "Imported from a file" }).waitFor();
        await saved.getByLabel("Import a scenario JSON file").setInputFiles({
          name: "bad.json",
          mimeType: "application/json",
          buffer: Buffer.from('{"nodes": "many"}'),
        });
        await saved.locator("[data-testid=saved-status]", { hasText: "bad.json cannot be imported" }).waitFor();

        await saved.getByRole("button", { name: "Delete n2 crashed <b>early</b>" }).click();
        await entry.waitFor({ state: "detached" });
        assert.deepEqual(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("causeway.saved."))), ["causeway.saved.broken"]);
        assert.deepEqual(problems, []);
      });
    },
  },
];
