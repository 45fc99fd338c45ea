import assert from "node:assert/strict";
import { sha256Digest, startServer } from "./_process.ts";

function installed(command: string): boolean {
  try {
    new Deno.Command(command, {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    })
      .outputSync();
    return true;
  } catch {
    return false;
  }
}

// On a developer machine a missing tool skips the test with a notice; in
// CI it must be there, so the test runs and fails without it.
const inCi = Deno.env.get("CI") === "true";
const hasOpenssl = installed("openssl");
const hasSkopeo = installed("skopeo");
for (
  const [tool, present] of [["openssl", hasOpenssl], [
    "skopeo",
    hasSkopeo,
  ]] as const
) {
  if (!present && !inCi) {
    console.warn(
      `notice: ${tool} not found; TLS tests that need it are skipped`,
    );
  }
}

async function run(command: string, args: string[]): Promise<string> {
  const output = await new Deno.Command(command, { args, stdin: "null" })
    .output();
  const decoder = new TextDecoder();
  if (!output.success) {
    throw new Error(
      `${command} ${args.join(" ")}: ${decoder.decode(output.stderr)}`,
    );
  }
  return decoder.decode(output.stdout);
}

/** A self-signed certificate for 127.0.0.1, in a fresh directory. */
async function makeCertificate(): Promise<
  { dir: string; cert: string; key: string }
> {
  const dir = await Deno.makeTempDir();
  const cert = `${dir}/cert.pem`;
  const key = `${dir}/key.pem`;
  await run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-subj",
    "/CN=127.0.0.1",
    "-addext",
    "subjectAltName=IP:127.0.0.1",
    // rustls refuses a certificate marked as a CA when it is the server's
    // own, which openssl does by default for -x509.
    "-addext",
    "basicConstraints=critical,CA:FALSE",
    "-days",
    "1",
    "-keyout",
    key,
    "-out",
    cert,
  ]);
  return { dir, cert, key };
}

async function withTlsServer(
  use: (url: string, cert: string, dir: string) => Promise<void>,
): Promise<void> {
  const { dir, cert, key } = await makeCertificate();
  const storage = `${dir}/data`;
  const server = await startServer([
    "--port=0",
    `--storage=${storage}`,
    `--tls-cert=${cert}`,
    `--tls-key=${key}`,
  ]);
  try {
    await use(server.url, cert, dir);
  } finally {
    const status = await server.stop();
    await Deno.remove(dir, { recursive: true });
    assert.equal(status.code, 0);
  }
}

Deno.test({
  name:
    "main.ts with --tls-cert and --tls-key serves HTTPS that a client trusting the certificate can push to and pull from",
  ignore: !hasOpenssl && !inCi,
  fn: () =>
    withTlsServer(async (url, certPath) => {
      assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const client = Deno.createHttpClient({
        caCerts: [await Deno.readTextFile(certPath)],
      });
      try {
        const blob = new TextEncoder().encode("over tls");
        const digest = await sha256Digest(blob);
        const start = await fetch(`${url}/v2/tls/app/blobs/uploads/`, {
          method: "POST",
          client,
        });
        await start.body?.cancel();
        assert.equal(start.status, 202);
        const put = new URL(start.headers.get("Location")!, url);
        put.searchParams.set("digest", digest);
        const done = await fetch(put, { method: "PUT", body: blob, client });
        await done.body?.cancel();
        assert.equal(done.status, 201);

        const got = await fetch(`${url}/v2/tls/app/blobs/${digest}`, {
          client,
        });
        assert.equal(await got.text(), "over tls");
      } finally {
        client.close();
      }
      // Without the certificate the client must refuse the server.
      await assert.rejects(() => fetch(`${url}/v2/`));
    }),
});

/** Writes a one-layer OCI image layout tagged `v1`; returns the manifest. */
async function writeLayout(dir: string): Promise<Uint8Array> {
  const encoder = new TextEncoder();
  await Deno.mkdir(`${dir}/blobs/sha256`, { recursive: true });
  const put = async (bytes: Uint8Array) => {
    const digest = await sha256Digest(bytes);
    await Deno.writeFile(`${dir}/blobs/sha256/${digest.slice(7)}`, bytes);
    return { digest, size: bytes.length };
  };
  // Compressed, as skopeo would otherwise compress it and change the
  // manifest on the way.
  const tar = crypto.getRandomValues(new Uint8Array(2048));
  const gzip = new Blob([tar]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  const layer = await put(await new Response(gzip).bytes());
  const config = await put(encoder.encode(JSON.stringify({
    architecture: "amd64",
    os: "linux",
    rootfs: { type: "layers", diff_ids: [await sha256Digest(tar)] },
  })));
  const manifestBytes = encoder.encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {
      mediaType: "application/vnd.oci.image.config.v1+json",
      ...config,
    },
    layers: [{
      mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
      ...layer,
    }],
  }));
  const manifest = await put(manifestBytes);
  await Deno.writeTextFile(
    `${dir}/oci-layout`,
    JSON.stringify({ imageLayoutVersion: "1.0.0" }),
  );
  await Deno.writeTextFile(
    `${dir}/index.json`,
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        ...manifest,
        annotations: { "org.opencontainers.image.ref.name": "v1" },
      }],
    }),
  );
  return manifestBytes;
}

Deno.test({
  name:
    "skopeo copies an image to and from main.ts over HTTPS with --dest-cert-dir",
  ignore: (!hasOpenssl || !hasSkopeo) && !inCi,
  fn: () =>
    withTlsServer(async (url, certPath, dir) => {
      const certs = `${dir}/certs`;
      await Deno.mkdir(certs);
      await Deno.copyFile(certPath, `${certs}/ca.crt`);
      const layout = `${dir}/layout`;
      const manifest = await writeLayout(layout);
      const reference = `docker://${new URL(url).host}/tls/skopeo:v1`;

      await run("skopeo", [
        "copy",
        "--insecure-policy",
        "--dest-cert-dir",
        certs,
        `oci:${layout}:v1`,
        reference,
      ]);
      const raw = await run("skopeo", [
        "inspect",
        "--raw",
        "--cert-dir",
        certs,
        reference,
      ]);
      assert.equal(raw, new TextDecoder().decode(manifest));

      await run("skopeo", [
        "copy",
        "--insecure-policy",
        "--src-cert-dir",
        certs,
        reference,
        `oci:${dir}/pulled:v1`,
      ]);
      const index = JSON.parse(
        await Deno.readTextFile(`${dir}/pulled/index.json`),
      );
      assert.equal(index.manifests[0].digest, await sha256Digest(manifest));

      // Without the certificate, skopeo must refuse the server.
      await assert.rejects(() =>
        run("skopeo", ["inspect", "--raw", reference])
      );
    }),
});
