package sluice.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The test PKI, made per run with openssl (RSA 2048, unencrypted PKCS#8 keys unless noted):
 *
 * <ul>
 *   <li>ca.pem / ca.key: the CA every node's certificate chains to; clients trust ca.pem.
 *   <li>server.pem: for localhost and 127.0.0.1; server-keystore.pem = key + chain (Kafka's PEM
 *       keystore).
 *   <li>client.pem / client.key: a client certificate for the MTLS listener;
 *       client-encrypted.key: the same key encrypted (PKCS#8, AES-256) with {@link
 *       #clientKeyPassword}.
 *   <li>other-ca.pem, other-client.pem / other-client.key: a second CA and a client certificate
 *       from it (unknown CA on either side).
 *   <li>expired-keystore.pem: a server certificate from ca.pem that expired in 2020.
 *   <li>badhost-keystore.pem: a server certificate from ca.pem for wrong-host.invalid only.
 * </ul>
 */
final class Certs {
  final Path dir;
  final String clientKeyPassword;

  Certs(Path dir, String clientKeyPassword) {
    this.dir = dir;
    this.clientKeyPassword = clientKeyPassword;
  }

  Path file(String name) {
    return dir.resolve(name);
  }

  void make() throws IOException, InterruptedException {
    Files.createDirectories(dir);
    selfSignedCa("ca", "sluice-test-ca");
    selfSignedCa("other-ca", "sluice-other-ca");
    leaf("server", "ca", "localhost", "DNS:localhost,IP:127.0.0.1", "serverAuth", null);
    leaf("client", "ca", "sluice-client", null, "clientAuth", null);
    leaf("other-client", "other-ca", "sluice-other-client", null, "clientAuth", null);
    leaf("badhost", "ca", "wrong-host.invalid", "DNS:wrong-host.invalid", "serverAuth", null);
    leaf(
        "expired",
        "ca",
        "localhost",
        "DNS:localhost,IP:127.0.0.1",
        "serverAuth",
        new String[] {"20200101000000Z", "20200102000000Z"});
    openssl(
        "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", "client.key", "-out",
        "client-encrypted.key", "-passout", "pass:" + clientKeyPassword);
    keystore("server");
    keystore("badhost");
    keystore("expired");
  }

  /** Kafka's PEM keystore: the private key, then the certificate and its CA. */
  private void keystore(String name) throws IOException {
    String text =
        Files.readString(file(name + ".key"))
            + Files.readString(file(name + ".pem"))
            + Files.readString(file("ca.pem"));
    Files.writeString(file(name + "-keystore.pem"), text);
  }

  private void selfSignedCa(String name, String cn) throws IOException, InterruptedException {
    openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "7",
        "-keyout", name + ".key", "-out", name + ".pem", "-subj", "/CN=" + cn,
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign");
  }

  /**
   * A certificate signed by {@code ca}; {@code dates} (start, end in openssl's ca format) makes
   * one outside today's validity, which only {@code openssl ca} can do on OpenSSL 3.0.
   */
  private void leaf(String name, String ca, String cn, String san, String usage, String[] dates)
      throws IOException, InterruptedException {
    openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
        "-subj", "/CN=" + cn);
    StringBuilder ext = new StringBuilder();
    ext.append("basicConstraints=CA:FALSE\n");
    ext.append("keyUsage=critical,digitalSignature,keyEncipherment\n");
    ext.append("extendedKeyUsage=").append(usage).append('\n');
    if (san != null) ext.append("subjectAltName=").append(san).append('\n');
    Files.writeString(file(name + ".ext"), ext.toString());
    if (dates == null) {
      openssl(
          "x509", "-req", "-sha256", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey",
          ca + ".key", "-set_serial", String.valueOf(System.nanoTime() & 0x7fffffffL),
          "-days", "7", "-out", name + ".pem", "-extfile", name + ".ext");
      return;
    }
    Path caDir = file(name + "-ca");
    Files.createDirectories(caDir.resolve("new"));
    Files.writeString(caDir.resolve("index.txt"), "");
    Files.writeString(caDir.resolve("serial"), "1000\n");
    Files.writeString(
        caDir.resolve("ca.cnf"),
        String.join(
            "\n",
            "[ca]",
            "default_ca = test",
            "[test]",
            "database = " + caDir.resolve("index.txt"),
            "new_certs_dir = " + caDir.resolve("new"),
            "serial = " + caDir.resolve("serial"),
            "default_md = sha256",
            "policy = any",
            "unique_subject = no",
            "[any]",
            "commonName = supplied",
            ""));
    openssl(
        "ca", "-batch", "-notext", "-config", caDir.resolve("ca.cnf").toString(), "-cert",
        ca + ".pem", "-keyfile", ca + ".key", "-startdate", dates[0], "-enddate", dates[1],
        "-extfile", name + ".ext", "-in", name + ".csr", "-out", name + ".pem");
  }

  private void openssl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    Path log = file("openssl.log");
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("openssl " + args[0] + " did not finish in 60 s");
    }
    if (process.exitValue() != 0) {
      throw new IOException(
          "openssl "
              + String.join(" ", args)
              + " failed ("
              + process.exitValue()
              + "): "
              + Files.readString(log, StandardCharsets.UTF_8));
    }
  }
}
