// A small static file server for dist/, with no dependencies. It serves the same files at `/` and
// under `/causeway/`, so the tests can check that the build works from a sub-path. There is no
// fallback to index.html: a wrong URL is a 404 the tests see as a failed request.

import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { gzipSync } from "node:zlib";

export const SUB_PATH = "/causeway/";

const CONTENT_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
};

/** Maps a URL path to a file under `root`, or null if it points outside it. */
function resolve(root, urlPath) {
  let path = decodeURIComponent(urlPath);
  if (path.startsWith(SUB_PATH)) {
    path = path.slice(SUB_PATH.length - 1);
  }
  if (path.endsWith("/")) {
    path += "index.html";
  }
  const file = normalize(join(root, path));
  return file === root || file.startsWith(root + sep) ? file : null;
}

/** The types a static host compresses (everything but images already compressed). */
const COMPRESSIBLE = new Set([".html", ".js", ".mjs", ".css", ".wasm", ".svg", ".json", ".txt"]);

/**
 * Starts serving `root` on 127.0.0.1 at a free port; resolves to { origin, close }. With
 * `{ gzip: true }` it compresses what a static host would, for clients that accept it, and lets
 * them cache hashed files as a host's default headers would (`max-age=600`), so load-time
 * measurements see what a reader gets.
 */
export async function serve(root, { gzip = false } = {}) {
  const compressed = new Map();
  const absoluteRoot = normalize(root);
  const server = createServer(async (request, response) => {
    const url = new URL(request.url, "http://localhost");
    if (url.pathname === SUB_PATH.slice(0, -1)) {
      response.writeHead(301, { location: SUB_PATH + url.search });
      response.end();
      return;
    }
    const file = resolve(absoluteRoot, url.pathname);
    try {
      if (!file || !(await stat(file)).isFile()) {
        throw new Error("not a file");
      }
      let body = await readFile(file);
      const headers = {
        "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
        "cache-control": gzip ? "max-age=600" : "no-store",
      };
      const accepts = /\bgzip\b/.test(request.headers["accept-encoding"] ?? "");
      if (gzip && accepts && COMPRESSIBLE.has(extname(file))) {
        if (!compressed.has(file)) {
          compressed.set(file, gzipSync(body, { level: 9 }));
        }
        body = compressed.get(file);
        headers["content-encoding"] = "gzip";
        headers["vary"] = "accept-encoding";
      }
      response.writeHead(200, headers);
      response.end(request.method === "HEAD" ? undefined : body);
    } catch {
      response.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      response.end("not found\n");
    }
  });
  await new Promise((done, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", done);
  });
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((done) => server.close(done)),
  };
}
