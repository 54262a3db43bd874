// A throwaway PKI for TLS tests, made with the `openssl` command at test time (nothing is
// committed): a CA, a server certificate for localhost and 127.0.0.1, a client certificate
// (its key also encrypted), an expired server certificate, and a second CA with a server and
// a client certificate of its own. Made once per process, in a temp dir removed at exit.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

/** PEM texts of the test PKI. */
export interface TestCerts {
  /** The directory holding the files (`<name>.pem`, `<name>.key`). */
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** `clientKey`, encrypted (PKCS#8, AES-256-CBC) with `clientKeyPassword`. */
  clientKeyEncrypted: string;
  clientKeyPassword: string;
  /** A server certificate for localhost/127.0.0.1 that expired in 2020. */
  expiredCert: string;
  expiredKey: string;
  /** Another CA, and a server and a client certificate it signed. */
  otherCa: string;
  otherServerCert: string;
  otherServerKey: string;
  otherClientCert: string;
  otherClientKey: string;
}

let made: TestCerts | undefined;

/** The test PKI (made on first call). */
export function testCerts(): TestCerts {
  if (made !== undefined) return made;
  const dir = mkdtempSync(join(tmpdir(), "sluice-certs-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const file = (name: string) => readFileSync(join(dir, name), "utf8");
  const ca = (name: string) => {
    run(
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.pem`,
      "-days",
      "3",
      "-subj",
      `/CN=${name}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    );
  };
  const leaf = (name: string, issuer: string, ext: string) => {
    run(
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      "-subj",
      `/CN=${name}`,
    );
    writeFileSync(join(dir, `${name}.ext`), ext);
    run(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      `${issuer}.pem`,
      "-CAkey",
      `${issuer}.key`,
      "-CAcreateserial",
      "-out",
      `${name}.pem`,
      "-days",
      "3",
      "-extfile",
      `${name}.ext`,
    );
  };
  const serverExt = "subjectAltName=DNS:localhost,IP:127.0.0.1\n" +
    "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n";
  const clientExt = "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n";
  ca("ca");
  leaf("server", "ca", serverExt);
  leaf("client", "ca", clientExt);
  ca("other-ca");
  leaf("other-server", "other-ca", serverExt);
  leaf("other-client", "other-ca", clientExt);
  const clientKeyPassword = "client-key-password-" + Math.random().toString(36).slice(2);
  run(
    "pkcs8",
    "-topk8",
    "-in",
    "client.key",
    "-out",
    "client-encrypted.key",
    "-passout",
    `pass:${clientKeyPassword}`,
    "-v2",
    "aes-256-cbc",
  );
  // An expired certificate needs explicit dates: `openssl ca` takes them (x509 -req cannot).
  writeFileSync(join(dir, "index.txt"), "");
  writeFileSync(join(dir, "serial"), "1000\n");
  writeFileSync(
    join(dir, "ca.cnf"),
    "[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nserial=serial\nnew_certs_dir=.\n" +
      "default_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n" +
      `[server_ext]\n${serverExt}`,
  );
  run(
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    "expired.key",
    "-out",
    "expired.csr",
    "-subj",
    "/CN=expired",
  );
  run(
    "ca",
    "-batch",
    "-config",
    "ca.cnf",
    "-cert",
    "ca.pem",
    "-keyfile",
    "ca.key",
    "-in",
    "expired.csr",
    "-out",
    "expired.pem",
    "-startdate",
    "20200101000000Z",
    "-enddate",
    "20200102000000Z",
    "-extensions",
    "server_ext",
    "-notext",
  );
  made = {
    dir,
    ca: file("ca.pem"),
    serverCert: file("server.pem"),
    serverKey: file("server.key"),
    clientCert: file("client.pem"),
    clientKey: file("client.key"),
    clientKeyEncrypted: file("client-encrypted.key"),
    clientKeyPassword,
    expiredCert: file("expired.pem"),
    expiredKey: file("expired.key"),
    otherCa: file("other-ca.pem"),
    otherServerCert: file("other-server.pem"),
    otherServerKey: file("other-server.key"),
    otherClientCert: file("other-client.pem"),
    otherClientKey: file("other-client.key"),
  };
  return made;
}
