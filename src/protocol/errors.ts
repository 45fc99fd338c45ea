/**
 * The one error type of the registry. It carries an error code of the OCI
 * Distribution Specification, the HTTP status that goes with it, and an
 * optional detail; the request handler turns it into the spec's JSON error
 * body, so every failure a client sees has the same shape.
 *
 * @module
 */

/** Error codes defined by the OCI Distribution Specification, plus
 * `TAG_INVALID`, a legacy Docker code the specification says clients may
 * meet, and `UNKNOWN` for server faults (the specification's list binds
 * 4xx responses only). */
export type ErrorCode =
  | "BLOB_UNKNOWN"
  | "BLOB_UPLOAD_INVALID"
  | "BLOB_UPLOAD_UNKNOWN"
  | "DIGEST_INVALID"
  | "MANIFEST_BLOB_UNKNOWN"
  | "MANIFEST_INVALID"
  | "MANIFEST_UNKNOWN"
  | "NAME_INVALID"
  | "NAME_UNKNOWN"
  | "SIZE_INVALID"
  | "TAG_INVALID"
  | "UNAUTHORIZED"
  | "DENIED"
  | "UNSUPPORTED"
  | "TOOMANYREQUESTS"
  | "UNKNOWN";

const defaultStatus: Record<ErrorCode, number> = {
  BLOB_UNKNOWN: 404,
  BLOB_UPLOAD_INVALID: 400,
  BLOB_UPLOAD_UNKNOWN: 404,
  DIGEST_INVALID: 400,
  MANIFEST_BLOB_UNKNOWN: 400,
  MANIFEST_INVALID: 400,
  MANIFEST_UNKNOWN: 404,
  NAME_INVALID: 400,
  NAME_UNKNOWN: 404,
  SIZE_INVALID: 400,
  TAG_INVALID: 400,
  UNAUTHORIZED: 401,
  DENIED: 403,
  UNSUPPORTED: 405,
  TOOMANYREQUESTS: 429,
  UNKNOWN: 500,
};

/** Options for {@linkcode RegistryError}. */
export interface RegistryErrorOptions {
  /** HTTP status; defaults to the usual status of the code. */
  status?: number;
  /** Machine-readable detail placed in the error body. */
  detail?: unknown;
  /** Extra response headers, such as `WWW-Authenticate` or `Range`. */
  headers?: HeadersInit;
}

/**
 * A failure that the registry reports to the client in the OCI error format.
 *
 * @example Refuse a bad tag
 * ```ts
 * import { RegistryError } from "./errors.ts";
 *
 * const error = new RegistryError("TAG_INVALID", "tag '-x' is malformed");
 * console.log(error.status); // 400
 * ```
 */
export class RegistryError extends Error {
  /** The OCI error code. */
  readonly code: ErrorCode;
  /** The HTTP status of the response. */
  readonly status: number;
  /** Detail placed in the error body. */
  readonly detail: unknown;
  /** Extra response headers. */
  readonly headers: Headers;

  /** Makes an error with `code`, a message for people, and options. */
  constructor(
    code: ErrorCode,
    message: string,
    options: RegistryErrorOptions = {},
  ) {
    super(message);
    this.name = "RegistryError";
    this.code = code;
    this.status = options.status ?? defaultStatus[code];
    this.detail = options.detail;
    this.headers = new Headers(options.headers);
  }

  /** Builds the response with the spec's `{"errors": [...]}` body. */
  toResponse(method = "GET"): Response {
    const headers = new Headers(this.headers);
    headers.set("Content-Type", "application/json");
    const body = new TextEncoder().encode(JSON.stringify({
      errors: [{
        code: this.code,
        message: this.message,
        ...(this.detail === undefined ? {} : { detail: this.detail }),
      }],
    }));
    headers.set("Content-Length", String(body.byteLength));

    // A HEAD response carries no body, but clients still read the status.
    if (method === "HEAD") {
      return new Response(null, { status: this.status, headers });
    }
    return new Response(body, { status: this.status, headers });
  }
}

/** Shortens untrusted input before it is echoed in an error message. */
export function clip(value: string): string {
  return value.length > 80 ? `${value.slice(0, 80)}...` : value;
}
