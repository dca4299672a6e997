// End-to-end tests against the release build in dist/ (run `trunk build --release --offline` first).
//
// Plain Node, no test framework: it serves dist/, drives the system Chromium through playwright-core,
// runs each test in a fresh browser context, writes screenshots to target/e2e/, and ends with a line
// like `5 passed, 0 failed`. The exit status is non-zero if any test failed.

import { mkdir } from "node:fs/promises";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { CHROMIUM, launchChromium } from "./browser.mjs";

import { serve } from "./server.mjs";
import { tests as shellTests } from "./shell.mjs";
import { tests as sandboxTests } from "./sandbox.mjs";
import { tests as shareTests } from "./share.mjs";
import { tests as exportTests } from "./exports.mjs";
import { tests as embedTests } from "./embed.mjs";
import { tests as posterTests } from "./poster.mjs";
import { tests as engineTests } from "./engines.mjs";
import { tests as notesTests } from "./notes.mjs";
import { tests as savedTests } from "./saved.mjs";
import { tests as plotTests } from "./plots.mjs";
import { tests as guideTests } from "./guide.mjs";
import { tests as coordinationTests } from "./coordination.mjs";
import { tests as quorumTests } from "./quorums.mjs";
import { tests as historyFileTests } from "./history-files.mjs";
import { tests as crdtTests } from "./crdt.mjs";
import { tests as modelTests } from "./models.mjs";
import { tests as byzantineTests } from "./byzantine.mjs";
import { tests as searchTests } from "./search.mjs";
import { tests as exploreTests } from "./explore.mjs";
import { tests as a11yTests } from "./a11y.mjs";

const tests = [
  ...shellTests,
  ...sandboxTests,
  ...shareTests,
  ...exportTests,
  ...embedTests,
  ...posterTests,
  ...engineTests,
  ...notesTests,
  ...savedTests,
  ...plotTests,
  ...guideTests,
  ...coordinationTests,
  ...quorumTests,
  ...historyFileTests,
  ...crdtTests,
  ...modelTests,
  ...byzantineTests,
  ...searchTests,
  ...exploreTests,
  ...a11yTests,
];

// A deadline for a whole test, far above what it takes on an idle machine, so a busy one still passes.
const TEST_TIMEOUT_MS = 240_000;

const root = resolve(import.meta.dirname, "../..");
const dist = resolve(root, "dist");
const shots = resolve(root, "target/e2e");

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, fail) => {
    timer = setTimeout(() => fail(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function main() {
  if (!existsSync(resolve(dist, "index.html"))) {
    console.error("dist/index.html is missing: run `trunk build --release --offline` first");
    process.exit(1);
  }
  await mkdir(shots, { recursive: true });
  const server = await serve(dist);
  const browser = await launchChromium();
  console.log(`e2e: serving ${dist} at ${server.origin}, ${browser.version()} at ${CHROMIUM}`);

  let passed = 0;
  let failed = 0;
  try {
    for (const test of tests) {
      const started = Date.now();
      try {
        await withTimeout(test.run({ browser, origin: server.origin, shots }), TEST_TIMEOUT_MS, test.name);
        passed += 1;
        console.log(`ok   ${test.name} (${Date.now() - started} ms)`);
      } catch (error) {
        failed += 1;
        console.log(`FAIL ${test.name} (${Date.now() - started} ms)`);
        console.log(String(error?.stack ?? error).replace(/^/gm, "     "));
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  console.log(`screenshots in ${shots}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

await main();
