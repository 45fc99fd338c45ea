/**
 * The registry as a command-line server. Run `deno run -A main.ts` to
 * serve on 127.0.0.1:5000 with data in `./registry-data`, open to anyone;
 * `deno run -A main.ts --help` lists every flag, with the environment
 * variable and config-file key that set it too.
 *
 * @module
 */

import { main } from "./src/server/cli.ts";

if (import.meta.main) Deno.exit(await main(Deno.args));
