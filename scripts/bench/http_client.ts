/**
 * @module
 * A minimal HTTP/1.1 client over one kept-alive TCP connection. The
 * benchmark uses it instead of `fetch` for uploads because it writes file
 * slices straight to the socket without a streams layer in between, and
 * because one connection per simulated client mirrors how registry clients
 * behave. It understands Content-Length and chunked responses, which is all
 * a registry sends.
 */

/** A parsed response; the body is read in full. */
export interface HttpResponse {
  /** The status code. */
  status: number;
  /** Response headers. */
  headers: Headers;
  /** The whole response body. */
  body: Uint8Array;
}

/** A byte range of an open file, sent as a request body. */
export interface FileSlice {
  /** The open file to read from. */
  file: Deno.FsFile;
  /** Where the slice starts in the file. */
  offset: number;
  /** How many bytes to send. */
  length: number;
  /** Scratch buffer reused between reads, so large uploads do not allocate. */
  buffer: Uint8Array;
}

const CRLF2 = [13, 10, 13, 10];
const encoder = new TextEncoder();

/** One HTTP/1.1 connection that reconnects when the server closed it. */
export class HttpConnection {
  #host: string;
  #port: number;
  #conn: Deno.TcpConn | null = null;
  #pending: Uint8Array = new Uint8Array(0);

  /** Prepares a connection to `host:port`; it opens on the first request. */
  constructor(host: string, port: number) {
    this.#host = host;
    this.#port = port;
  }

  /** Sends one request and reads its whole response. */
  async request(
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: Uint8Array | FileSlice,
  ): Promise<HttpResponse> {
    const reused = this.#conn !== null;
    try {
      return await this.#exchange(method, path, headers, body);
    } catch (error) {
      this.close();
      // A kept-alive connection may have been closed by the server while
      // idle; only then is resending the same request safe and expected.
      if (!reused || !isDropped(error)) throw error;
      return await this.#exchange(method, path, headers, body);
    }
  }

  /** Closes the socket, if open. */
  close(): void {
    try {
      this.#conn?.close();
    } catch {
      // Already closed by a failed read or write.
    }
    this.#conn = null;
    this.#pending = new Uint8Array(0);
  }

  async #exchange(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: Uint8Array | FileSlice,
  ): Promise<HttpResponse> {
    if (this.#conn === null) {
      this.#conn = await Deno.connect({
        hostname: this.#host,
        port: this.#port,
      });
      this.#conn.setNoDelay(true);
    }
    const length = body === undefined
      ? 0
      : body instanceof Uint8Array
      ? body.length
      : body.length;
    let head =
      `${method} ${path} HTTP/1.1\r\nHost: ${this.#host}:${this.#port}\r\n`;
    for (const [name, value] of Object.entries(headers)) {
      head += `${name}: ${value}\r\n`;
    }
    if (body !== undefined || method !== "GET" && method !== "HEAD") {
      head += `Content-Length: ${length}\r\n`;
    }
    const headBytes = encoder.encode(head + "\r\n");
    if (body instanceof Uint8Array && body.length <= 65536) {
      const whole = new Uint8Array(headBytes.length + body.length);
      whole.set(headBytes);
      whole.set(body, headBytes.length);
      await this.#write(whole);
    } else {
      await this.#write(headBytes);
      if (body instanceof Uint8Array) await this.#write(body);
      else if (body !== undefined) await this.#writeSlice(body);
    }
    return await this.#readResponse(method);
  }

  async #write(bytes: Uint8Array): Promise<void> {
    let written = 0;
    while (written < bytes.length) {
      written += await this.#conn!.write(bytes.subarray(written));
    }
  }

  async #writeSlice(slice: FileSlice): Promise<void> {
    await slice.file.seek(slice.offset, Deno.SeekMode.Start);
    let left = slice.length;
    while (left > 0) {
      const want = Math.min(left, slice.buffer.length);
      const read = await slice.file.read(slice.buffer.subarray(0, want));
      if (read === null) throw new Error("file ended inside the slice");
      await this.#write(slice.buffer.subarray(0, read));
      left -= read;
    }
  }

  async #readResponse(method: string): Promise<HttpResponse> {
    for (;;) {
      const headEnd = await this.#fillUntil(CRLF2);
      const headText = new TextDecoder("latin1").decode(
        this.#take(headEnd + 4),
      );
      const lines = headText.split("\r\n");
      const status = Number(lines[0].split(" ")[1]);
      const headers = new Headers();
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(":");
        if (colon > 0) {
          headers.append(line.slice(0, colon).trim(), line.slice(colon + 1));
        }
      }
      if (status >= 100 && status < 200) continue;
      const body = await this.#readBody(method, status, headers);
      if (headers.get("connection")?.toLowerCase() === "close") this.close();
      return { status, headers, body };
    }
  }

  async #readBody(
    method: string,
    status: number,
    headers: Headers,
  ): Promise<Uint8Array> {
    if (method === "HEAD" || status === 204 || status === 304) {
      return new Uint8Array(0);
    }
    if (headers.get("transfer-encoding")?.toLowerCase().includes("chunked")) {
      const parts: Uint8Array[] = [];
      for (;;) {
        const lineEnd = await this.#fillUntil([13, 10]);
        const size = parseInt(
          new TextDecoder().decode(this.#take(lineEnd + 2)),
          16,
        );
        if (size === 0) {
          await this.#fillUntil([13, 10]);
          this.#take(2);
          return concat(parts);
        }
        await this.#fillTo(size + 2);
        parts.push(this.#take(size + 2).subarray(0, size));
      }
    }
    const length = headers.get("content-length");
    if (length !== null) {
      await this.#fillTo(Number(length));
      return this.#take(Number(length));
    }
    const parts = [this.#take(this.#pending.length)];
    while (await this.#readMore()) parts.push(this.#take(this.#pending.length));
    this.close();
    return concat(parts);
  }

  /** Reads until `pattern` is buffered and returns its index. */
  async #fillUntil(pattern: number[]): Promise<number> {
    let from = 0;
    for (;;) {
      const at = indexOf(this.#pending, pattern, from);
      if (at >= 0) return at;
      from = Math.max(0, this.#pending.length - pattern.length);
      if (!await this.#readMore()) throw new ClosedEarly();
    }
  }

  async #fillTo(length: number): Promise<void> {
    while (this.#pending.length < length) {
      if (!await this.#readMore()) throw new ClosedEarly();
    }
  }

  async #readMore(): Promise<boolean> {
    const chunk = new Uint8Array(65536);
    const read = await this.#conn!.read(chunk);
    if (read === null) return false;
    this.#pending = concat([this.#pending, chunk.subarray(0, read)]);
    return true;
  }

  #take(length: number): Uint8Array {
    const taken = this.#pending.slice(0, length);
    this.#pending = this.#pending.subarray(length);
    return taken;
  }
}

/** The server closed the connection before a whole response arrived. */
class ClosedEarly extends Error {
  constructor() {
    super("connection closed before the response was complete");
  }
}

function isDropped(error: unknown): boolean {
  return error instanceof ClosedEarly ||
    error instanceof Deno.errors.BrokenPipe ||
    error instanceof Deno.errors.ConnectionReset;
}

function indexOf(haystack: Uint8Array, needle: number[], from: number) {
  outer: for (let i = from; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const whole = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    whole.set(part, offset);
    offset += part.length;
  }
  return whole;
}
