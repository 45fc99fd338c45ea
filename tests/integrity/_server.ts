/**
 * A registry process for the crash test: serves the handler on a file
 * storage in the directory given as the first argument, on a free
 * loopback port, and prints the port on a line of its own once
 * listening. The test kills it with SIGKILL, so it does nothing on exit.
 *
 * @module
 */

import { createRegistry } from "../../src/registry.ts";
import { FileStorage } from "../../src/storage/filesystem.ts";

const dir = Deno.args[0];
if (!dir) throw new Error("usage: _server.ts <storage directory>");

Deno.serve(
  {
    hostname: "127.0.0.1",
    port: 0,
    onListen: ({ port }) => console.log(port),
  },
  createRegistry({ storage: new FileStorage(dir) }),
);
