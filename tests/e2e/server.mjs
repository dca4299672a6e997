// A small static file server for dist/, with no dependencies. It serves the same files at `/` and
// under `/causeway/`, so the tests can check that the build works from a sub-path. There is no
// fallback to index.html: a wrong URL is a 404 the tests see as a failed request.

import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";

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

/** Starts serving `root` on 127.0.0.1 at a free port; resolves to { origin, close }. */
export async function serve(root) {
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
      const body = await readFile(file);
      response.writeHead(200, {
        "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
        "cache-control": "no-store",
      });
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
