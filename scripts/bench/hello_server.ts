/**
 * @module
 * The machine-limit server: a `Deno.serve` that does the least a registry
 * could. Run as `hello_server.ts <port> <file>`. Uploads are read and
 * dropped, `POST` answers 202 with a Location as an upload start does,
 * `PUT` and `PATCH` answer 201 and 202, a `GET` of any path with `/blobs/`
 * in it streams the file, and anything else answers "hello". Measured the
 * same way as the registries, it shows how much of a result is Deno's HTTP
 * stack and how much is ours.
 */

const [port, file] = Deno.args;

Deno.serve(
  { hostname: "127.0.0.1", port: Number(port), onListen: () => {} },
  async (request) => {
    if (request.body) {
      for await (const _ of request.body) {
        // Discard: only the cost of receiving is being measured.
      }
    }
    const path = new URL(request.url).pathname;
    if (request.method === "POST" || request.method === "PATCH") {
      return new Response(null, {
        status: 202,
        headers: { location: "/upload/1" },
      });
    }
    if (request.method === "PUT") return new Response(null, { status: 201 });
    if (request.method === "GET" && path.includes("/blobs/") && file) {
      const opened = await Deno.open(file);
      const { size } = await opened.stat();
      return new Response(opened.readable, {
        headers: { "content-length": String(size) },
      });
    }
    return new Response("hello");
  },
);
