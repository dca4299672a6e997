// The sandbox, end to end: the stories from the issue, played in the release build. Each test opens a
// preset, drives it through the UI as a user would, checks what the diagram, topology and inspector
// show, and saves a screenshot in target/e2e/.

import assert from "node:assert/strict";
import { join } from "node:path";

import { withPage } from "./shell.mjs";

export const DESKTOP = { width: 1280, height: 800 };

/** Opens a preset by clicking it on the course map (the landing page), and waits for its lanes. */
export async function openPreset(page, origin, id) {
  await page.goto(`${origin}/`, { waitUntil: "load" });
  await page.locator(`[data-region=course] button[data-preset="${id}"]`).click();
  await page.locator("svg.diagram .lane-header").first().waitFor();
}

export async function setSpeed(page, label) {
  await page.getByLabel("Playback speed").selectOption({ label });
}

export async function play(page) {
  const button = page.locator("[data-action=play]");
  if ((await button.textContent()).includes("Play")) await button.click();
}

export async function pause(page) {
  const button = page.locator("[data-action=play]");
  if ((await button.textContent()).includes("Pause")) await button.click();
}

/** The simulated time the controls show, in microseconds. */
export async function now(page) {
  const text = (await page.locator("[data-testid=now]").textContent()).split("/")[0].trim();
  const match = text.match(/^([\d.]+)(µs|ms|s)$/);
  assert.ok(match, `cannot read the time "${text}"`);
  return Number(match[1]) * { µs: 1, ms: 1_000, s: 1_000_000 }[match[2]];
}

export async function eventCount(page) {
  const text = await page.locator(".readout-item", { hasText: "Events" }).locator("dd").textContent();
  return Number(text.replace(/,/g, ""));
}

/** The node whose lane header says it leads, or null. */
export async function leader(page) {
  const header = page.locator("svg.diagram .lane-header.tone-lead:not(.status-crashed)");
  if ((await header.count()) !== 1) return null;
  return header.getAttribute("data-node");
}

export async function waitFor(what, predicate, timeoutMs = 20_000) {
  const started = Date.now();
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** Jumps the run to `to` (as typed, e.g. `1.5s`) and waits until it shows `us` as its time. */
export async function jump(page, to, us) {
  await page.getByLabel("Jump to a time, such as 1.5s or 250ms").fill(to);
  await page.keyboard.press("Enter");
  await waitFor(`the run at ${to}`, async () => (await now(page)) === us);
}

/** Opens the heartbeat lesson, steps until a message is in flight, and selects the last one. */
async function inspectMessageInFlight(page, origin) {
  await openPreset(page, origin, "heartbeat-basic");
  const flying = page.locator("svg.diagram .arrow-inflight");
  await waitFor("a message in flight", async () => {
    if ((await flying.count()) > 0) return true;
    await page.keyboard.press("ArrowRight");
    return false;
  });
  const send = await flying.last().getAttribute("data-id");
  await flying.last().locator(".head").click();
  return { send, inspector: page.locator("[data-region=inspector]") };
}

export const tests = [
  {
    name: "Raft: play, crash the leader, see the crash on its lane and a new leader in the inspector",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "raft-basic");
        await page.locator("[data-region=guide] #guide-title", { hasText: "Raft" }).waitFor();
        await setSpeed(page, "1×");
        await play(page);
        const first = await waitFor("a leader", () => leader(page));
        await pause(page);

        await page.locator(`svg.diagram .lane-header[data-node=${first}]`).click();
        const inspector = page.locator("[data-region=inspector]");
        assert.equal(await inspector.locator("[data-testid=role]").textContent(), "leader");
        await inspector.getByRole("button", { name: "Crash" }).click();
        await page.locator(`svg.diagram .lane-header.status-crashed[data-node=${first}]`).waitFor();
        await inspector.locator(".pill-crashed").waitFor();

        await play(page);
        const second = await waitFor("a new leader", async () => {
          const now = await leader(page);
          return now && now !== first ? now : null;
        });
        // The crash is drawn on the old leader's lane.
        await page.locator(`svg.diagram .span-crashed[data-node=${first}]`).first().waitFor();
        await pause(page);
        await page.locator(`svg.diagram .lane-header[data-node=${second}]`).click();
        assert.equal(await inspector.locator("[data-testid=role]").textContent(), "leader");
        await inspector.locator("th", { hasText: "matchIndex" }).first().waitFor();
        assert.deepEqual(problems, []);
        await page.screenshot({ path: join(shots, "raft-new-leader.png") });
      });
    },
  },
  {
    name: "partition two nodes from the rest, then heal in one click",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "heartbeat-basic");
        await setSpeed(page, "1/4×");
        await play(page);
        await waitFor("a few pings", async () => (await now(page)) > 150_000);
        const chips = page.locator(".partition-bar .chip");
        await chips.nth(0).click();
        await chips.nth(1).click();
        await page.locator(".partition-bar").getByRole("button", { name: "Partition" }).click();
        await page.locator("svg.topology .link-partitioned").first().waitFor();
        await page.locator("svg.diagram .band-partition").first().waitFor();
        // n1 and n2 cut from n3, n4 and n5.
        await waitFor("six partitioned links", async () => (await page.locator("svg.topology .link-partitioned").count()) === 6);
        await waitFor("messages dropped by the partition", async () => (await page.locator("svg.diagram .drop-mark").count()) > 0);
        await pause(page);
        await page.screenshot({ path: join(shots, "partition.png") });
        await page.locator(".partition-bar").getByRole("button", { name: "Heal" }).click();
        await page.locator("[data-testid=note]", { hasText: "heal" }).waitFor();
        await waitFor("no partitioned link", async () => (await page.locator("svg.topology .link-partitioned").count()) === 0);
        assert.deepEqual(problems, []);
      });
    },
  },
  {
    name: "click a message in flight, drop it, and see the drop mark",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        const { send, inspector } = await inspectMessageInFlight(page, origin);
        await inspector.getByRole("button", { name: "Drop" }).click();
        await page.locator(`svg.diagram .drop-mark[data-send="${send}"]`).waitFor();
        await page.locator("svg.diagram .drop-mark").first().waitFor();
        await inspector.locator("[data-testid=outcome]", { hasText: "dropped by hand" }).waitFor();
        await page.locator("svg.diagram .drop-mark").first().hover();
        await page.locator(".hover-card", { hasText: "dropped by hand" }).waitFor();
        assert.deepEqual(problems, []);
        await page.screenshot({ path: join(shots, "drop.png") });
      });
    },
  },
  {
    name: "duplicate a message in flight, deliver one copy, and the other stays in flight",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        const { send, inspector } = await inspectMessageInFlight(page, origin);
        await inspector.getByRole("button", { name: "Duplicate" }).click();
        await inspector.locator("[data-testid=copies]", { hasText: "2 copies in flight" }).waitFor();
        await page.screenshot({ path: join(shots, "duplicate.png") });
        await inspector.getByRole("button", { name: "Deliver one copy" }).click();
        await waitFor("one copy left", async () => (await inspector.locator("[data-testid=copies]").count()) === 0);
        await inspector.getByRole("button", { name: "Deliver now" }).waitFor();
        assert.equal(await page.locator(`svg.diagram .arrow-inflight[data-id="${send}"]`).count(), 1, "the other copy is still on its way");
        assert.deepEqual(problems, []);
      });
    },
  },
  {
    name: "step forward and back, scrub, jump to a time, with the keyboard too",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "heartbeat-crash");
        let stepped = await eventCount(page);
        for (let i = 0; i < 5; i += 1) {
          const before = stepped;
          await page.getByRole("button", { name: "Step forward" }).click();
          stepped = await waitFor("a step forward to add events", async () => {
            const after = await eventCount(page);
            return after > before ? after : null;
          });
        }
        await page.getByRole("button", { name: "Step back" }).click();
        // Stepping back removes the last step's events.
        await waitFor("a step back to remove events", async () => (await eventCount(page)) < stepped);

        await page.locator(".jump input").fill("1.5s");
        await page.locator(".jump input").press("Enter");
        await waitFor("the jump to 1.5 s", async () => (await now(page)) === 1_500_000);
        await page.locator("svg.diagram .span-crashed").first().waitFor();
        const at = await eventCount(page);

        await page.locator(".scrubber").fill("500000");
        await waitFor("the scrub back to 500 ms", async () => (await now(page)) === 500_000);
        await waitFor("scrubbing back to rewind the trace", async () => (await eventCount(page)) < at);

        await page.locator("svg.diagram").click({ position: { x: 5, y: 200 } });
        await page.keyboard.press("ArrowRight");
        assert.ok((await now(page)) >= 500_000);
        await page.keyboard.press("?");
        await page.locator("[role=dialog]", { hasText: "Keyboard shortcuts" }).waitFor();
        await page.keyboard.press("Escape");
        await page.locator("[role=dialog]").waitFor({ state: "detached" });
        await page.locator("svg.diagram .lane-header[data-node=n3]").focus();
        await page.keyboard.press("Enter");
        await page.locator("[data-region=inspector] .inspect-node[data-node=n3]").waitFor();
        await page.keyboard.press("+");
        await page.keyboard.press("+");
        await page.keyboard.press("t");
        await page.locator("svg.diagram .stamp").first().waitFor();
        assert.deepEqual(problems, []);
        await page.screenshot({ path: join(shots, "scrub.png") });
      });
    },
  },
  {
    name: "a run too large for the tab stops at the event limit and says so",
    async run({ browser, origin, shots }) {
      // Five nodes pinging each other fifty times a second: the limit comes a quarter of the way
      // into an hour's horizon.
      const scenario = {
        name: "Too large for a tab",
        protocol: { name: "heartbeat", interval_us: 20000, timeout_us: 70000 },
        nodes: 5,
        seed: 1,
        horizon_us: 3600000000,
        network: { default: { delay: { uniform: { min_us: 1000, max_us: 5000 } } } },
      };
      const url = `${origin}/?scenario=${encodeURIComponent(JSON.stringify(scenario))}`;
      await withPage(browser, url, { viewport: DESKTOP }, async ({ page, problems, goto }) => {
        await goto();
        await page.locator("[data-testid=now]").waitFor();
        await page.locator(".jump input").fill("1h");
        await page.locator(".jump input").press("Enter");
        const note = page.locator("[data-testid=note]", { hasText: "4,000,000 events" });
        await note.waitFor({ timeout: 120_000 });
        assert.match(await note.textContent(), /The run stopped at [\d.]+s: its trace holds 4,000,000 events/);
        const events = await eventCount(page);
        assert.ok(events >= 4_000_000 && events < 4_001_000, `${events} events`);
        const stopped = await now(page);
        assert.ok(stopped > 800_000_000 && stopped < 1_000_000_000, `stopped at ${stopped} µs`);
        assert.ok(await page.getByRole("button", { name: "Step forward" }).isDisabled());
        // The run stays usable: going back rewinds it.
        await page.locator(".jump input").fill("1s");
        await page.locator(".jump input").press("Enter");
        await waitFor("the jump back to 1 s", async () => (await now(page)) === 1_000_000);
        assert.ok((await eventCount(page)) < 10_000, "the trace is rewound");
        assert.deepEqual(problems, []);
        await page.screenshot({ path: join(shots, "event-limit.png") });
      });
      // An embed opened at an instant past the limit stops there and says so too (loading at once,
      // as it is in view, rather than on Play).
      const embed = `${origin}/?embed&load=visible&t=1h&scenario=${encodeURIComponent(JSON.stringify(scenario))}`;
      await withPage(browser, embed, { viewport: { width: 800, height: 500 } }, async ({ page, problems, goto }) => {
        await goto();
        const note = page.locator("[data-testid=note]", { hasText: "4,000,000 events" });
        await note.waitFor({ timeout: 120_000 });
        assert.deepEqual(problems, []);
        await page.screenshot({ path: join(shots, "event-limit-embed.png") });
      });
    },
  },
  {
    name: "with 25 and 101 nodes the lane headers and their names never overlap, and every node has a chip",
    async run({ browser, origin, shots }) {
      for (const nodes of [25, 101]) {
        const scenario = { name: `Raft, ${nodes} nodes`, protocol: { name: "raft" }, nodes, seed: 1, horizon_us: 5000000 };
        const url = `${origin}/?scenario=${encodeURIComponent(JSON.stringify(scenario))}`;
        await withPage(browser, url, { viewport: DESKTOP }, async ({ page, problems, goto }) => {
          await goto();
          await page.locator("svg.diagram .lane-header").first().waitFor();
          await page.locator(".jump input").fill("1s");
          await page.locator(".jump input").press("Enter");
          await waitFor("the jump to 1 s", async () => (await now(page)) === 1_000_000);
          const boxes = await page.evaluate(() => {
            const box = (el) => {
              const r = el.getBoundingClientRect();
              return { left: r.left, right: r.right, width: r.width };
            };
            return {
              rects: [...document.querySelectorAll("svg.diagram .lane-header rect")].map(box),
              names: [...document.querySelectorAll("svg.diagram .lane-header .lane-name")].map(box),
              roles: document.querySelectorAll("svg.diagram .lane-header .lane-role").length,
            };
          });
          assert.equal(boxes.rects.length, nodes);
          for (const [what, list] of [["header", boxes.rects], ["name", boxes.names]]) {
            for (let i = 1; i < list.length; i++) {
              assert.ok(list[i - 1].right <= list[i].left + 0.5, `${nodes} nodes: ${what} ${i} overlaps the one before`);
            }
          }
          // 25 lanes have room for every name; 101 lanes label every second or third one.
          if (nodes === 25) assert.equal(boxes.names.length, 25);
          else assert.ok(boxes.names.length >= 34 && boxes.names.length <= 51, `${boxes.names.length} of 101 names shown`);
          assert.equal(boxes.roles, 0, "no room for roles: the header's colour shows them");
          const n17 = page.locator("svg.diagram .lane-header[data-node=n17]");
          assert.match(await n17.locator("title").textContent(), /^n17 (follower|leader|candidate)$/);
          assert.equal(await page.locator("[data-region=topology] .chip").count(), nodes);
          await page.locator("[data-region=topology] .chip", { hasText: /^n17$/ }).click();
          await page.locator(".partition-bar button:not([disabled])", { hasText: /^Partition$/ }).waitFor();
          assert.deepEqual(problems, []);
          await page.screenshot({ path: join(shots, `many-nodes-${nodes}.png`) });
        });
      }
    },
  },
  {
    name: "a violated checker turns red and jumps to its event with the events involved",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP, colorScheme: "dark" }, async ({ page, problems }) => {
        await openPreset(page, origin, "heartbeat-partition");
        await page.locator(".jump input").fill("1.4s");
        await page.locator(".jump input").press("Enter");
        const violated = page.locator("[data-region=checkers] .checker.is-violated");
        await violated.waitFor();
        await violated.getByRole("button").click();
        await page.locator("svg.diagram .violation-line").first().waitFor();
        await page.locator("svg.diagram .mark.is-involved").first().waitFor();
        await page.locator("[data-region=inspector] .inspect-name", { hasText: "violated" }).waitFor();
        assert.deepEqual(problems, []);
        await page.screenshot({ path: join(shots, "violation-dark.png") });
      });
    },
  },
  {
    name: "a break-it run puts its violations first, counts them in the controls and shows each with X",
    async run({ browser, origin, shots }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "raft-break-figure8");
        await page.locator(".jump input").fill("900ms");
        await page.locator(".jump input").press("Enter");
        const count = page.locator("[data-action=next-violation]");
        await count.filter({ hasText: "2 violations" }).waitFor();
        const checkers = page.locator("[data-region=checkers] .checker");
        const names = await checkers.locator(".checker-name").allTextContents();
        assert.ok(names[0].startsWith("Leader Completeness") && names[1].startsWith("State Machine Safety"),
          `the violated checkers come first, in the order they happened: ${names.join(" | ")}`);
        await waitFor("the checkers to show both violations first", async () =>
          (await checkers.nth(0).getAttribute("class")).includes("is-violated") &&
          (await checkers.nth(1).getAttribute("class")).includes("is-violated"));

        // X shows the first violation, then the next; the button does the same.
        await page.evaluate(() => document.activeElement?.blur());
        await page.keyboard.press("x");
        const selected = page.locator("[data-region=checkers] .checker.is-violated.is-selected .checker-name");
        await selected.filter({ hasText: "Leader Completeness" }).waitFor();
        await page.keyboard.press("x");
        await selected.filter({ hasText: "State Machine Safety" }).waitFor();
        await page.locator("[data-region=inspector] .inspect-name", { hasText: "violated" }).waitFor();
        await count.click();
        await selected.filter({ hasText: "Leader Completeness" }).waitFor();

        // The app fills the window: the page itself never scrolls, not even to the hidden file input.
        await page.getByLabel("Import a scenario JSON file").focus();
        const page_ = await page.evaluate(() => ({
          height: document.documentElement.scrollHeight,
          window: window.innerHeight,
          scrolled: window.scrollY,
        }));
        assert.ok(page_.height <= page_.window, `the page is ${page_.height} px tall in a ${page_.window} px window`);
        assert.equal(page_.scrolled, 0);
        assert.deepEqual(problems, []);
        await page.screenshot({ path: join(shots, "violations-first.png") });
      });
    },
  },
  {
    name: "on a 390 px phone the sandbox reads top to bottom without horizontal overflow",
    async run({ browser, origin, shots }) {
      const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
      await withPage(browser, `${origin}/?preset=raft-basic`, phone, async ({ page, problems, goto }) => {
        await goto();
        await page.locator("svg.diagram .lane-header").first().waitFor();
        await page.locator("[data-action=play]").click();
        await waitFor("the run to play past 100 events", async () => (await eventCount(page)) > 100);
        await page.locator("[data-action=play]").click();
        const widths = await page.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          client: document.documentElement.clientWidth,
        }));
        assert.ok(widths.scroll <= widths.client, `page is ${widths.scroll} px wide in a ${widths.client} px viewport`);
        await page.screenshot({ path: join(shots, "sandbox-phone.png"), fullPage: true });
        // Tapping a node brings the inspector, far below, into view.
        await page.locator("svg.diagram .lane-header[data-node=n2]").tap();
        const inspector = page.locator("[data-region=inspector]");
        await waitFor("the inspector in view", async () => {
          const box = await inspector.boundingBox();
          return box.y >= -1 && box.y < 844;
        });
        await inspector.locator("[data-testid=role]").waitFor();
        assert.deepEqual(problems, []);
      });
    },
  },
  {
    name: "interventions are listed with their times, and Undo takes one back and brings back what a new branch cut off",
    async run({ browser, origin }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "heartbeat-basic");
        const changes = page.locator("[data-region=interventions]");
        const listed = () => changes.locator("li").allTextContents();
        await page.getByLabel("Jump to a time, such as 1.5s or 250ms").fill("500ms");
        await page.keyboard.press("Enter");
        await waitFor("500 ms", async () => (await now(page)) >= 500_000);
        await page.locator("svg.diagram .lane-header[data-node=n2]").click();
        await page.locator("[data-region=inspector]").getByRole("button", { name: "Crash" }).click();
        await waitFor("the crash listed", async () => (await listed()).length === 1);
        assert.match((await listed())[0], /^500ms\s*crash n2$/);

        // Back before the crash and act again: a new branch cuts the crash off.
        await page.getByLabel("Jump to a time, such as 1.5s or 250ms").fill("300ms");
        await page.keyboard.press("Enter");
        await waitFor("300 ms", async () => (await now(page)) === 300_000);
        await page.locator("svg.diagram .lane-header[data-node=n3]").click();
        await page.locator("[data-region=inspector]").getByRole("button", { name: "Crash" }).click();
        await page.locator("[data-testid=note]", { hasText: "1 later intervention was cut off" }).waitFor();
        await waitFor("only the new crash", async () => JSON.stringify(await listed()) === JSON.stringify(["300mscrash n3"]));

        // U: the crash of n3 is taken back and the crash of n2 returns.
        await page.locator("body").click({ position: { x: 5, y: 5 } });
        await page.keyboard.press("u");
        await waitFor("the crash of n2 back", async () => JSON.stringify(await listed()) === JSON.stringify(["500mscrash n2"]));
        assert.equal(await now(page), 300_000, "Undo keeps the moment");
        await page.locator("svg.diagram .lane-header.status-up[data-node=n3]").waitFor();

        // Choosing another lesson asks first, and "Keep this run" keeps it with its change.
        const scenarios = page.locator("[data-region=scenarios]");
        await scenarios.locator("button[data-preset=heartbeat-crash]").click();
        const confirm = page.locator("[data-testid=confirm-open]");
        await confirm.waitFor();
        assert.match(await confirm.textContent(), /your 1 change to it/);
        assert.equal(await page.evaluate(() => document.activeElement.dataset.action), "keep-run");
        await page.keyboard.press("Enter");
        await confirm.waitFor({ state: "detached" });
        assert.deepEqual(await listed(), ["500mscrash n2"]);
        assert.match(await page.locator("#guide-title, .lesson-title").first().textContent(), /Heartbeats/);
        await scenarios.locator("button[data-preset=heartbeat-crash]").click();
        await confirm.locator("[data-action=replace-run]").click();
        await waitFor("the other lesson", async () =>
          /A crash, detected/.test(await page.locator("#guide-title, .lesson-title").first().textContent()),
        );
        assert.deepEqual(await listed(), []);

        // Undo all of them: nothing to ask about, so another lesson opens at once.
        await scenarios.locator("button[data-preset=heartbeat-basic]").click();
        await waitFor("heartbeats again", async () =>
          /Heartbeats/.test(await page.locator("#guide-title, .lesson-title").first().textContent()),
        );
        await page.getByLabel("Jump to a time, such as 1.5s or 250ms").fill("500ms");
        await page.keyboard.press("Enter");
        await waitFor("500 ms again", async () => (await now(page)) >= 500_000);
        await page.locator("svg.diagram .lane-header[data-node=n2]").click();
        await page.locator("[data-region=inspector]").getByRole("button", { name: "Crash" }).click();
        await waitFor("the crash listed", async () => (await listed()).length === 1);
        await changes.locator("[data-action=undo]").click();
        await waitFor("no changes", async () => (await listed()).length === 0);
        assert.equal(await changes.locator("[data-action=undo]").isDisabled(), true);
        await scenarios.locator("button[data-preset=heartbeat-crash]").click();
        await waitFor("the other lesson, unasked", async () =>
          /A crash, detected/.test(await page.locator("#guide-title, .lesson-title").first().textContent()),
        );
        assert.equal(await confirm.count(), 0);
        assert.deepEqual(problems, []);
      });
    },
  },
  {
    name: "a lesson's settings can be changed and run again: a mistake is named and the text kept, a fix runs clean",
    async run({ browser, origin }) {
      await withPage(browser, `${origin}/`, { viewport: DESKTOP }, async ({ page, problems }) => {
        await openPreset(page, origin, "paxos-break-forget-promise");
        await page.locator("[data-action=guide-leave]").click();
        const settings = page.locator("[data-region=settings]");
        await settings.locator("summary").click();
        const protocol = settings.getByLabel("Protocol settings as JSON");
        const original = await protocol.inputValue();
        assert.match(original, /"break_it":"forget_promise"/);

        const typo = original.replace('"forget_promise"', '"forget_promises"');
        await protocol.fill(typo);
        await settings.locator("[data-action=rerun]").click();
        await settings.locator("[data-testid=settings-error]", { hasText: "forget_promises" }).waitFor();
        assert.equal(await protocol.inputValue(), typo, "the student's text is kept");

        await protocol.fill(original.replace(',"break_it":"forget_promise"', ""));
        await settings.locator("[data-action=rerun]").click();
        await page.locator(".lesson-title", { hasText: "(edited)" }).waitFor();
        await page.getByLabel("Jump to a time, such as 1.5s or 250ms").fill("400ms");
        await page.keyboard.press("Enter");
        await waitFor("the end of the run", async () => (await now(page)) === 400_000);
        assert.equal(await page.locator("[data-region=checkers] .is-violated").count(), 0);
        assert.deepEqual(problems, []);
      });
    },
  },
];
