// Engine benchmark in the browser: serves dist/, opens the bench page (`?bench`) in headless
// Chromium and prints the figures the wasm build of the engine measured, the same lines as
// `sim bench` prints natively. Not a test: it asserts nothing about speed.
//
//   trunk build --release --offline && node tests/e2e/bench.mjs [EVENTS_PER_WORKLOAD [RAFT_SECONDS]]

import { resolve } from "node:path";
import { launchChromium } from "./browser.mjs";

import { serve } from "./server.mjs";


const events = Number.parseInt(process.argv[2] ?? "2000000", 10);
const raftSeconds = Number.parseInt(process.argv[3] ?? "100", 10);
const root = resolve(import.meta.dirname, "../..");
const server = await serve(resolve(root, "dist"));
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
  await page.goto(`${server.origin}/?bench&events=${events}&raft_seconds=${raftSeconds}`);
  await page.waitForSelector('#bench-output[data-done="true"]', { timeout: 600_000 });
  console.log(`${browser.version()}, headless`);
  console.log(await page.textContent("#bench-output"));
} finally {
  await browser.close();
  await server.close();
}
