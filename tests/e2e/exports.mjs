// Exports, end to end: each item of the export menu produces a file (or clipboard text) that the tool
// it is meant for can read: JSON Lines that parse, a ShiViz log the shown expression matches, Mermaid
// text, a standalone SVG and a PNG.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { axeProblems } from "./a11y.mjs";
import { withPage } from "./shell.mjs";
import { DESKTOP, eventCount, jump, now, openPreset, pause, play, setSpeed, waitFor } from "./sandbox.mjs";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Opens the export menu unless it is open (a choice closes it). */
async function openMenu(page) {
  if (!(await page.locator("#export-menu").count())) await page.locator("[data-action=export]").click();
  await page.locator("#export-menu").waitFor();
}

/** Clicks an export item and returns the downloaded file's name and bytes. */
async function download(page, item) {
  await openMenu(page);
  const [file] = await Promise.all([page.waitForEvent("download"), page.locator(`[data-export=${item}]`).click()]);
  return { name: file.suggestedFilename(), bytes: await readFile(await file.path()) };
}

/** A picture's time range, as its header prints it. */
function range(svg) {
  return svg.match(/<text class="range"[^>]*>([^<]*)<\/text>/)[1];
}

/** A picture's height in pixels. */
function height(svg) {
  return Number(svg.match(/^<svg[^>]* height="([\d.]+)"/)[1]);
}

export const tests = [
  {
    name: "exports: trace JSON Lines, ShiViz log, Mermaid, diagram SVG and PNG",
    async run({ browser, origin, shots }) {
      const options = { viewport: DESKTOP, permissions: ["clipboard-read", "clipboard-write"] };
      await withPage(browser, `${origin}/`, options, async ({ page, problems }) => {
        await openPreset(page, origin, "raft-basic");
        await setSpeed(page, "1×");
        await play(page);
        await waitFor("some of the run", async () => (await now(page)) > 300_000);
        await pause(page);
        const events = await eventCount(page);

        await page.locator("[data-action=export]").click();
        await page.locator("#export-menu").waitFor();
        await page.screenshot({ path: join(shots, "export-menu.png") });
        assert.deepEqual(await axeProblems(page, "the export menu"), []);

        const trace = await download(page, "trace");
        assert.equal(trace.name, "causeway-raft-basic.jsonl");
        const lines = trace.bytes.toString("utf8").trim().split("\n");
        assert.equal(lines.length, events, "one line per event");
        const parsed = lines.map((line) => JSON.parse(line));
        assert.ok(parsed.every((e, i) => e.id === i && typeof e.time === "number" && typeof e.kind === "string"));

        await openMenu(page);
        const regex = await page.locator("[data-testid=shiviz-regex]").inputValue();
        const shiviz = await download(page, "shiviz");
        assert.equal(shiviz.name, "causeway-raft-basic.shiviz.log");
        const log = shiviz.bytes.toString("utf8").trim().split("\n");
        assert.ok(log.length >= 2 && log.length % 2 === 0, "two lines per event");
        const whole = new RegExp(`^${regex}$`);
        for (let i = 0; i < log.length; i += 2) {
          const match = whole.exec(`${log[i]}\n${log[i + 1]}`);
          assert.ok(match, `ShiViz's expression reads event ${i / 2}: ${log[i]} / ${log[i + 1]}`);
          assert.match(match.groups.host, /^n\d+$/);
          assert.equal(typeof JSON.parse(match.groups.clock)[match.groups.host], "number");
        }
        await openMenu(page);
        await page.locator("[data-export=regex]").click();
        await page.locator("[data-testid=note]", { hasText: "regular expression copied" }).waitFor();
        assert.equal(await page.locator("#export-menu").count(), 0, "a choice closes the menu");
        assert.equal(await page.evaluate(() => navigator.clipboard.readText()), regex);

        await openMenu(page);
        await page.locator("[data-export=mermaid]").click();
        await page.locator("[data-testid=note]", { hasText: "Mermaid diagram copied" }).waitFor();
        const mermaid = await page.evaluate(() => navigator.clipboard.readText());
        assert.match(mermaid, /^sequenceDiagram\n/);
        assert.match(mermaid, /n\d->>n\d: /);

        const svg = await download(page, "svg");
        assert.equal(svg.name, "causeway-raft-basic.svg");
        const svgText = svg.bytes.toString("utf8");
        assert.ok(svgText.startsWith("<svg"), svgText.slice(0, 80));
        assert.match(svgText, /xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
        assert.doesNotMatch(svgText, /var\(--/, "no stylesheet needed");
        assert.equal(svgText.match(/<style>/g).length, 1, "one style block");
        assert.doesNotMatch(svgText, / style="/, "no inline styles");
        assert.match(svgText, /class="c\d+"/);
        assert.match(svgText, /<text class="title"[^>]*>Raft: log replication<\/text>/);
        assert.match(svgText, /<text class="range"[^>]*>(0|[\d.]+(µs|ms|s)) to [\d.]+(µs|ms|s)<\/text>/);
        assert.match(svgText, />delivered<\/text>/, "the legend");
        assert.ok(svgText.length < 120_000, `${svgText.length} characters`);
        // Light whatever the page's theme, unless asked for dark.
        const background = (text) => text.match(/<rect width="100%" height="100%" fill="([^"]+)"/)[1];
        assert.equal(background(svgText), "rgb(255, 255, 255)");
        await page.emulateMedia({ colorScheme: "dark" });
        const inDark = (await download(page, "svg")).bytes.toString("utf8");
        assert.equal(background(inDark), "rgb(255, 255, 255)", "a light picture from a dark page");
        await openMenu(page);
        await page.locator("[data-testid=export-dark]").check();
        const [darkFile] = await Promise.all([page.waitForEvent("download"), page.locator("[data-export=svg]").click()]);
        const darkText = (await readFile(await darkFile.path())).toString("utf8");
        assert.equal(background(darkText), "rgb(20, 26, 33)", "the dark option");
        await page.emulateMedia({ colorScheme: "light" });
        assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector(".panel-diagram")).backgroundColor), "rgb(255, 255, 255)", "the page keeps its colours");

        // The whole run instead of the window: from time 0, to now, taller than the window.
        await openMenu(page);
        await page.locator("[data-testid=export-dark]").uncheck();
        await page.keyboard.press("Escape");
        await jump(page, "1.5s", 1_500_000);
        const windowText = (await download(page, "svg")).bytes.toString("utf8");
        assert.doesNotMatch(range(windowText), /^0/, "the window starts after time 0");
        await openMenu(page);
        await page.locator("[data-testid=export-whole]").check();
        const wholeFile = await download(page, "svg");
        assert.equal(wholeFile.name, "causeway-raft-basic-whole.svg");
        const wholeText = wholeFile.bytes.toString("utf8");
        assert.match(range(wholeText), /^0 to 1\.[5-9]\d*s$/, `from the start to now: ${range(wholeText)}`);
        assert.ok(height(wholeText) > height(windowText), `${height(wholeText)} > ${height(windowText)}`);
        assert.equal(background(wholeText), "rgb(255, 255, 255)");
        assert.equal(await page.locator("svg.diagram").count(), 1, "the picture drawn apart is gone");
        await openMenu(page);
        await page.locator("[data-testid=export-window]").check();

        const png = await download(page, "png");
        assert.equal(png.name, "causeway-raft-basic.png");
        assert.deepEqual(png.bytes.subarray(0, 8), PNG_SIGNATURE);
        await page.locator("[data-testid=note]", { hasText: ".png" }).waitFor();

        // Esc closes the menu and returns the focus to its button; so does a click elsewhere.
        await openMenu(page);
        await page.locator("[data-export=svg]").focus();
        await page.keyboard.press("Escape");
        await page.locator("#export-menu").waitFor({ state: "detached" });
        assert.equal(await page.evaluate(() => document.activeElement.dataset.action), "export");
        await openMenu(page);
        await page.locator("[data-region=diagram] .panel-head").click();
        await page.locator("#export-menu").waitFor({ state: "detached" });
        assert.deepEqual(problems, []);

        // The SVG renders on its own, with no stylesheet.
        const alone = await page.context().newPage();
        await alone.setContent(svgText);
        await alone.screenshot({ path: join(shots, "export-diagram-svg.png") });
        await alone.setContent(wholeText);
        await alone.screenshot({ path: join(shots, "export-whole-svg.png"), fullPage: true });
        await alone.close();
      });
    },
  },
];
