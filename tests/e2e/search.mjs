// Find a counterexample in the page: the search runs the sweep's seeds in a Web Worker, shows its
// progress, offers each violating seed, and opens one as an ordinary run with the violation
// selected; Cancel stops a long search and the page goes on working.

import assert from "node:assert/strict";
import { join } from "node:path";

import { axeProblems } from "./a11y.mjs";
import { withPage } from "./shell.mjs";
import { DESKTOP, now, openPreset, waitFor } from "./sandbox.mjs";

async function status(page) {
  return (await page.locator("[data-testid=search-status]").textContent()) ?? "";
}

export const tests = [
  {
    name: "search: a break-it's counterexample is found in a worker and opens as a run with its violation selected",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "2pc-break-unlogged");
        await page.locator("[data-action=guide-leave]").click();
        const search = page.locator("[data-region=search]");
        await search.getByLabel("Seeds").fill("40");
        await search.locator("[data-action=search-start]").click();
        await waitFor("the search to finish", async () => / · done$/.test(await status(page)));
        const text = await status(page);
        assert.match(text, /^40 of 40 seeds · [\d,]+ seeds\/s · \d+ violating · done$/);
        const first = search.locator(".search-found li").first();
        assert.equal(await first.getAttribute("data-seed"), "3", "the sweep's first failing seed, as natively");
        assert.match(await first.textContent(), /Seed 3: Agreement at/);
        await page.screenshot({ path: join(shots, "search-found.png") });
        assert.deepEqual(await axeProblems(page, "search results"), []);
        // Shrink it in a worker: the same figures as `sim sweep 2pc-break-unlogged --seeds 3 --shrink`.
        await first.locator("[data-action=search-shrink]").click();
        const shrink = search.locator("[data-testid=search-shrink]");
        await waitFor("the shrink", async () => /shrunk in/.test((await shrink.textContent()) ?? ""));
        assert.match(await shrink.textContent(), /Seed 3 against Agreement: shrunk in \d+ runs: 127 → 30 events, 56 → 2 faults, 4 → 2 nodes/);
        await page.screenshot({ path: join(shots, "search-shrunk.png") });
        await shrink.locator("[data-action=shrink-open]").click();
        await page.locator("[data-region=inspector] .inspect-name", { hasText: "Agreement violated" }).waitFor();
        await page.locator(".lesson-title", { hasText: "(shrunk: Agreement)" }).waitFor();
        await search.locator("[data-action=search-open]").first().click();
        await page.locator("[data-region=inspector] .inspect-name", { hasText: "Agreement violated" }).waitFor();
        await waitFor("the run at the violation", async () => (await now(page)) === 128_299);
        const violated = page.locator("[data-region=checkers] .checker.is-violated.is-selected .checker-name");
        await violated.first().waitFor();
        assert.match(await violated.first().textContent(), /^Agreement/);
        assert.deepEqual(problems, []);
        await page.screenshot({ path: join(shots, "search-opened.png") });
      });
    },
  },
  {
    name: "search: a broadcast break-it's seed shrinks in the page to the figures sim sweep --shrink prints",
    async run({ browser, origin }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "broadcast-break-fifo");
        await page.locator("[data-action=guide-leave]").click();
        const search = page.locator("[data-region=search]");
        await search.getByLabel("Seeds").fill("5");
        await search.locator("[data-action=search-start]").click();
        await waitFor("the search to finish", async () => / · done$/.test(await status(page)));
        const first = search.locator(".search-found li").first();
        assert.equal(await first.getAttribute("data-seed"), "0");
        await first.locator("[data-action=search-shrink]").click();
        const shrink = search.locator("[data-testid=search-shrink]");
        await waitFor("the shrink", async () => /shrunk in/.test((await shrink.textContent()) ?? ""));
        // The same as `sim sweep broadcast-break-fifo --seeds 0 --shrink`.
        assert.match(await shrink.textContent(), /Seed 0 against FIFO order: shrunk in 20 runs: 67 → 36 events, 10 → 0 faults, 3 → 2 nodes/);
        await shrink.locator("[data-action=shrink-open]").click();
        await page.locator("[data-region=inspector] .inspect-name", { hasText: "FIFO order violated" }).waitFor();
        assert.deepEqual(problems, []);
      });
    },
  },
  {
    name: "search: Cancel stops a long search at once and the page keeps working",
    async run({ browser, origin }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "raft-basic");
        await page.locator("[data-action=guide-leave]").click();
        const search = page.locator("[data-region=search]");
        await search.getByLabel("Seeds").fill("100000");
        await search.locator("[data-action=search-start]").click();
        await waitFor("seeds to be running", async () => /seeds\/s/.test(await status(page)));
        await search.locator("[data-action=search-cancel]").click();
        await waitFor("the search to be cancelled", async () => / · cancelled$/.test(await status(page)));
        const stopped = await status(page);
        assert.match(stopped, /^[\d,]+ of 100,000 seeds/);
        // The page answers: a step forward adds events.
        await page.getByRole("button", { name: "Step forward" }).click();
        await search.locator("[data-action=search-start]").waitFor();
        assert.equal(await status(page), stopped, "a cancelled worker reports nothing more");
        assert.deepEqual(problems, []);
      });
    },
  },
  {
    name: "search: workers share the page's one compile of their wasm, and a host serving it with the wrong type still works",
    async run({ browser, origin }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems, context }) => {
        const fetched = [];
        context.on("request", (request) => {
          if (/causeway-worker_bg\.wasm/.test(request.url())) fetched.push(request.url());
        });
        await openPreset(page, origin, "2pc-break-unlogged");
        await page.locator("[data-action=guide-leave]").click();
        const search = page.locator("[data-region=search]");
        const seeds = search.getByLabel("Seeds", { exact: true });
        for (const count of ["40", "41"]) {
          await seeds.fill(count);
          await search.locator("[data-action=search-start]").click();
          await waitFor(`the search of ${count} seeds`, async () => new RegExp(`^${count} of ${count} seeds .* · done$`).test(await status(page)));
        }
        assert.equal(fetched.length, 1, `the page compiles the worker's wasm once for every worker: ${fetched.join(", ")}`);
        assert.match(fetched[0], /causeway-worker_bg\.wasm\?build=.*causeway-[0-9a-f]+_bg\.wasm$/, `tagged with the page's build: ${fetched[0]}`);
        assert.deepEqual(problems, []);
      });
      // A host that serves wasm as a download: the page cannot compile it as it streams in, so each
      // worker is given the address and loads it as bytes, and the search still runs.
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems, context }) => {
        await context.route(/causeway-worker_bg\.wasm/, async (route) => {
          const response = await route.fetch();
          await route.fulfill({ response, headers: { ...response.headers(), "content-type": "application/octet-stream" } });
        });
        await openPreset(page, origin, "2pc-break-unlogged");
        await page.locator("[data-action=guide-leave]").click();
        const search = page.locator("[data-region=search]");
        await search.getByLabel("Seeds", { exact: true }).fill("40");
        await search.locator("[data-action=search-start]").click();
        await waitFor("the search to finish", async () => / · done$/.test(await status(page)));
        assert.equal(await search.locator(".search-found li").first().getAttribute("data-seed"), "3");
        assert.deepEqual(problems, []);
      });
    },
  },
  {
    name: "search: a bad number of seeds is refused with a message",
    async run({ browser, origin }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "2pc-commit");
        await page.locator("[data-action=guide-leave]").click();
        const search = page.locator("[data-region=search]");
        await search.getByLabel("Seeds").fill("0");
        await search.locator("[data-action=search-start]").click();
        await waitFor("the refusal", async () => /whole number from 1 to 1,000,000/.test(await status(page)));
        assert.deepEqual(problems, []);
      });
    },
  },
];
