// The app shell, end to end: what a visitor sees, in both themes, on a phone, under a sub-path, after a
// panic, and when the app cannot load.

import assert from "node:assert/strict";
import { join } from "node:path";
import { readFile } from "node:fs/promises";

import { SUB_PATH } from "./server.mjs";

const REGIONS = ["scenarios", "controls", "diagram", "inspector"];

/** Opens a lesson from the course map and waits for the sandbox's regions. */
async function openFromCourse(page, id) {
  await page.locator(`[data-region=course] button[data-preset="${id}"]`).click();
  for (const region of REGIONS) {
    await page.locator(`[data-region=${region}]`).waitFor({ state: "visible" });
  }
}
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** Opens `url` in a fresh context and records every console error, page error and failed request. */
export async function open(browser, url, contextOptions = {}) {
  const context = await browser.newContext({ viewport: DESKTOP, ...contextOptions });
  const page = await context.newPage();
  const problems = [];
  const requests = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("request", (request) => requests.push(new URL(request.url())));
  page.on("requestfailed", (request) => {
    const error = request.failure()?.errorText;
    // The page itself cancelled it: a navigation away from a page still loading its favicon, say
    // (which a busy machine makes likely). A missing or broken file fails otherwise (or answers 4xx).
    if (error === "net::ERR_ABORTED") return;
    problems.push(`request failed: ${request.url()} (${error})`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return { context, page, problems, requests, goto: () => page.goto(url, { waitUntil: "load" }) };
}

/** Waits until the app has mounted: the course map (the landing page) is visible and the loading
 * screen is gone. */
async function waitForShell(page) {
  await page.locator("header[data-region=header] h1", { hasText: "Causeway" }).waitFor();
  await page.locator("[data-region=course]").waitFor({ state: "visible" });
  await page.locator("#boot").waitFor({ state: "detached" });
  // Fonts and the favicon settle after the first frame; give late errors a chance to show up.
  await page.waitForLoadState("networkidle");
}

export async function withPage(browser, url, contextOptions, body) {
  const session = await open(browser, url, contextOptions);
  try {
    await body(session);
  } finally {
    await session.context.close();
  }
}

/** The preset ids in course order, read from `src/scenario/presets.rs`. */
export async function presetIds() {
  return (await readFile(new URL("../../src/scenario/presets.rs", import.meta.url), "utf8"))
    .split("presets! {")[1]
    .match(/^ {8}"[^"]+"/gm)
    .map((line) => line.trim().slice(1, -1));
}

export const tests = [
  {
    name: "shell renders with no console errors or failed requests, in light and dark themes",
    async run({ browser, origin, shots }) {
      const backgrounds = {};
      for (const colorScheme of ["light", "dark"]) {
        await withPage(browser, `${origin}/`, { colorScheme }, async ({ page, problems, goto }) => {
          await goto();
          await waitForShell(page);
          assert.equal(await page.title(), "Causeway · distributed-systems sandbox");
          await page.locator("text=Pick a lesson to start").waitFor();
          assert.equal(await page.locator("[data-region=course] button[data-preset]").count(), (await presetIds()).length);
          backgrounds[colorScheme] = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
          const file = colorScheme === "light" ? "shell.png" : "shell-dark.png";
          await page.screenshot({ path: join(shots, file) });
          await openFromCourse(page, "heartbeat-basic");
          await assertRegionsSideBySide(page);
          assert.deepEqual(problems, []);
        });
      }
      assert.notEqual(backgrounds.light, backgrounds.dark, "dark theme should change the page colours");
    },
  },
  {
    name: `loads under the ${SUB_PATH} sub-path with every request under it`,
    async run({ browser, origin }) {
      await withPage(browser, `${origin}${SUB_PATH}`, {}, async ({ page, problems, requests, goto }) => {
        await goto();
        await waitForShell(page);
        assert.deepEqual(problems, []);
        const outside = requests
          .filter((url) => url.origin === origin && !url.pathname.startsWith(SUB_PATH))
          .map((url) => url.pathname);
        assert.deepEqual(outside, [], "requests escaped the sub-path");
        assert.ok(requests.some((url) => url.pathname.endsWith(".wasm")), "the wasm was requested");
      });
    },
  },
  {
    name: "a panic shows an error panel with the message and a working Reload button",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/?debug=panic`, {}, async ({ page, problems, goto }) => {
        await goto();
        const panel = page.locator("#panic-panel[role=alertdialog]");
        await panel.waitFor({ state: "visible" });
        await panel.locator("text=deliberate panic requested with ?debug=panic").waitFor();
        const reload = panel.getByRole("button", { name: "Reload" });
        assert.ok(await reload.evaluate((button) => button === document.activeElement), "Reload has focus");
        assert.equal(await page.locator("#boot").count(), 0, "the loading screen is gone");
        assert.ok(
          problems.some((problem) => problem.includes("Causeway crashed")),
          `the panic is logged to the console; saw: ${problems.join("; ")}`,
        );
        await page.screenshot({ path: join(shots, "panic.png") });

        await page.evaluate(() => {
          window.beforeReload = true;
        });
        await Promise.all([page.waitForEvent("load"), reload.click()]);
        await page.locator("#panic-panel").waitFor({ state: "visible" });
        assert.equal(await page.evaluate(() => window.beforeReload), undefined, "the page reloaded");
      });
    },
  },
  {
    name: "a 390 px phone viewport stacks the regions without horizontal overflow",
    async run({ browser, origin, shots }) {
      const phone = { viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
      await withPage(browser, `${origin}/`, phone, async ({ page, problems, goto }) => {
        await goto();
        await waitForShell(page);
        const width = () =>
          page.evaluate(() => ({
            scroll: document.documentElement.scrollWidth,
            client: document.documentElement.clientWidth,
          }));
        let widths = await width();
        assert.ok(widths.scroll <= widths.client, `the course is ${widths.scroll} px wide in a ${widths.client} px viewport`);
        await openFromCourse(page, "heartbeat-basic");
        assert.deepEqual(problems, []);
        widths = await width();
        assert.ok(widths.scroll <= widths.client, `page is ${widths.scroll} px wide in a ${widths.client} px viewport`);
        const boxes = [];
        // The lesson's step first, then the run, and the list of other lessons last.
        for (const region of ["guide", "diagram", "inspector", "scenarios"]) {
          boxes.push(await page.locator(`[data-region=${region}]`).boundingBox());
        }
        for (let i = 1; i < boxes.length; i += 1) {
          assert.ok(boxes[i].y >= boxes[i - 1].y + boxes[i - 1].height, "regions stack top to bottom");
        }
        for (const box of boxes) {
          assert.ok(box.x >= 0 && box.x + box.width <= PHONE.width, "regions fit the viewport");
        }
        await page.screenshot({ path: join(shots, "phone.png"), fullPage: true });
      });
    },
  },
  {
    name: "when the wasm cannot load, the loading screen turns into a failure message",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, {}, async ({ page, goto }) => {
        await page.route("**/*.wasm", (route) => route.abort("connectionrefused"));
        await goto();
        const card = page.locator("#boot[role=alert] .boot-card");
        await card.waitFor({ state: "visible" });
        await card.locator("text=Causeway could not start").waitFor();
        await card.getByRole("button", { name: "Reload" }).waitFor();
        await page.screenshot({ path: join(shots, "load-failure.png") });
      });
    },
  },
];

/** On a desktop the scenarios, diagram and inspector sit side by side, the diagram the widest. */
async function assertRegionsSideBySide(page) {
  const box = async (region) => page.locator(`[data-region=${region}]`).boundingBox();
  const [scenarios, diagram, inspector, controls] = await Promise.all(
    ["scenarios", "diagram", "inspector", "controls"].map(box),
  );
  assert.ok(scenarios.x + scenarios.width <= diagram.x, "scenarios are left of the diagram");
  assert.ok(diagram.x + diagram.width <= inspector.x, "the inspector is right of the diagram");
  assert.ok(diagram.width > scenarios.width && diagram.width > inspector.width, "the diagram is the widest");
  assert.ok(controls.y + controls.height <= diagram.y, "the controls sit above the diagram");
}
