/** TLS material: the given certificate, or a self-signed one for loopback generated at start. */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "selfsigned";

/** A certificate and key in PEM form, with the path of the certificate file (for clients to trust). */
export interface TlsMaterial {
  cert: string;
  key: string;
  certPath: string;
}

/** Reads `--cert`/`--key`, or generates a self-signed certificate for localhost, 127.0.0.1 and ::1. */
export async function tlsMaterial(options: { cert?: string; key?: string }): Promise<TlsMaterial> {
  if (options.cert && options.key) {
    return { cert: await readFile(options.cert, "utf8"), key: await readFile(options.key, "utf8"), certPath: options.cert };
  }
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
        ],
      },
    ],
  });
  const dir = await mkdtemp(join(tmpdir(), "speechwire-tls-"));
  const certPath = join(dir, "cert.pem");
  await writeFile(certPath, pems.cert);
  await writeFile(join(dir, "key.pem"), pems.private, { mode: 0o600 });
  return { cert: pems.cert, key: pems.private, certPath };
}
