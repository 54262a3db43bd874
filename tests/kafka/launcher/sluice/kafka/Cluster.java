package sluice.kafka;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;

/**
 * The nodes of one test cluster: their ports, configs, storage and processes, and an Admin
 * client on the PLAINTEXT listeners. Not thread-safe: {@link Commands} runs one command at a
 * time.
 */
final class Cluster {
  /** Client listeners every node has, in the order of the JSON's "bootstrap" object. */
  static final List<String> CLIENT_LISTENERS =
      List.of("PLAINTEXT", "SSL", "MTLS", "SASL_PLAINTEXT", "SASL_SSL", "PROXIED");
  /** Listeners only node 1 has: TLS failures that need a broker-side certificate. */
  static final List<String> NODE1_LISTENERS = List.of("SSL_EXPIRED", "SSL_BADHOST");

  static final String SASL_MECHANISMS = "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER";

  final TestKafkaCluster.ClusterOptions options;
  final Certs certs;
  final String username = "alice";
  final String password = randomSecret();
  final String clusterId = randomClusterId();
  final List<KafkaNode> nodes = new ArrayList<>();
  private Admin admin;

  Cluster(TestKafkaCluster.ClusterOptions options) {
    this.options = options;
    this.certs = new Certs(options.dir.resolve("certs"), randomSecret());
  }

  void start() throws Exception {
    Files.createDirectories(options.dir);
    certs.make();
    List<Integer> ports = freePorts(options.nodes * 8 + NODE1_LISTENERS.size());
    int next = 0;
    for (int id = 1; id <= options.nodes; id++) {
      Map<String, Integer> listenerPorts = new LinkedHashMap<>();
      listenerPorts.put("CONTROLLER", ports.get(next++));
      for (String name : CLIENT_LISTENERS) listenerPorts.put(name, ports.get(next++));
      if (id == 1) for (String name : NODE1_LISTENERS) listenerPorts.put(name, ports.get(next++));
      int proxyPort = ports.get(next++);
      nodes.add(new KafkaNode(id, options.dir.resolve("node-" + id), listenerPorts, proxyPort));
    }
    String voters =
        nodes.stream()
            .map(n -> n.id + "@127.0.0.1:" + n.listenerPorts.get("CONTROLLER"))
            .collect(Collectors.joining(","));
    for (KafkaNode node : nodes) {
      Files.createDirectories(node.dir);
      writeProperties(node.dir.resolve("node.properties"), nodeConfig(node, voters));
    }
    // Formatting starts a JVM per node; run them side by side.
    List<Process> formats = new ArrayList<>();
    for (KafkaNode node : nodes) formats.add(format(node));
    for (int i = 0; i < formats.size(); i++) {
      Process p = formats.get(i);
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException(
            "StorageTool format failed for node "
                + nodes.get(i).id
                + ": "
                + Files.readString(nodes.get(i).dir.resolve("format.log")));
      }
    }
    for (KafkaNode node : nodes) node.start(javaCommand(node));
    admin = Admin.create(adminConfig());
    waitForNodes(options.nodes, 120_000);
  }

  Admin admin() {
    return admin;
  }

  String bootstrap(String listener) {
    return nodes.stream()
        .filter(n -> n.listenerPorts.containsKey(listener))
        .map(n -> "127.0.0.1:" + advertisedPort(n, listener))
        .collect(Collectors.joining(","));
  }

  static int advertisedPort(KafkaNode node, String listener) {
    return listener.equals("PROXIED") ? node.proxyPort : node.listenerPorts.get(listener);
  }

  KafkaNode node(int id) {
    for (KafkaNode node : nodes) if (node.id == id) return node;
    throw new IllegalArgumentException("no node " + id + " (nodes are 1.." + nodes.size() + ")");
  }

  /** Waits until the controller reports this many unfenced brokers. */
  void waitForNodes(int count, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    String last = "";
    while (System.currentTimeMillis() < deadline) {
      for (KafkaNode node : nodes) node.checkAlive();
      try {
        var nodesSeen = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
        if (nodesSeen.size() >= count) return;
        last = nodesSeen.stream().map(Node::idString).collect(Collectors.joining(","));
      } catch (Exception e) {
        last = e.toString();
      }
      Thread.sleep(100);
    }
    throw new IOException("cluster not ready after " + timeoutMs + " ms: " + last);
  }

  /** Kills every node at once (SIGKILL); the cluster is gone for good. Idempotent. */
  synchronized void destroy() {
    if (admin != null) {
      admin.close(java.time.Duration.ZERO);
      admin = null;
    }
    for (KafkaNode node : nodes) node.destroy();
  }

  private Map<String, Object> adminConfig() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap("PLAINTEXT"));
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    config.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "50");
    config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "200");
    return config;
  }

  private Map<String, String> nodeConfig(KafkaNode node, String voters) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("process.roles", "broker,controller");
    c.put("node.id", String.valueOf(node.id));
    c.put("controller.quorum.voters", voters);
    c.put("controller.listener.names", "CONTROLLER");
    c.put("inter.broker.listener.name", "PLAINTEXT");
    List<String> listeners = new ArrayList<>();
    List<String> advertised = new ArrayList<>();
    List<String> protocolMap = new ArrayList<>();
    for (Map.Entry<String, Integer> e : node.listenerPorts.entrySet()) {
      String name = e.getKey();
      listeners.add(name + "://127.0.0.1:" + e.getValue());
      if (!name.equals("CONTROLLER")) {
        advertised.add(name + "://127.0.0.1:" + advertisedPort(node, name));
      }
      protocolMap.add(name + ":" + securityProtocol(name));
    }
    c.put("listeners", String.join(",", listeners));
    c.put("advertised.listeners", String.join(",", advertised));
    c.put("listener.security.protocol.map", String.join(",", protocolMap));
    c.put("log.dirs", node.dir.resolve("data").toString());
    // A small cluster on two cores: fewer threads and internal partitions, 3 replicas.
    c.put("num.network.threads", "2");
    c.put("num.io.threads", "4");
    c.put("background.threads", "4");
    c.put("num.partitions", "4");
    // No time-based retention: tests write records with explicit timestamps months in the past
    // (2026-01-01, 1700000000000, ...), and with Kafka's default 7 days the broker's retention
    // check deleted them — the active segment included — minutes after they were written: kcat
    // read 112, then 93 of 200 records of a topic that Java's consumer had read whole a moment
    // before (CI's red, taken at first for a kcat fault).
    c.put("log.retention.ms", "-1");
    int rf = Math.min(3, options.nodes);
    c.put("default.replication.factor", String.valueOf(rf));
    c.put("auto.create.topics.enable", "true");
    c.put("offsets.topic.replication.factor", String.valueOf(rf));
    c.put("offsets.topic.num.partitions", "4");
    c.put("transaction.state.log.replication.factor", String.valueOf(rf));
    c.put("transaction.state.log.min.isr", String.valueOf(Math.min(2, rf)));
    c.put("transaction.state.log.num.partitions", "4");
    // A transaction past its transaction.timeout.ms is aborted within a second (Kafka's default
    // check runs every 10 s), so the tests of that path take seconds.
    c.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
    c.put("share.coordinator.state.topic.replication.factor", String.valueOf(rf));
    c.put("share.coordinator.state.topic.min.isr", String.valueOf(Math.min(2, rf)));
    c.put("group.initial.rebalance.delay.ms", "0");
    // Faults resolve within a test's patience: a paused or killed node is fenced after 6 s and
    // a stalled follower leaves the ISR after 10 s (Kafka's defaults: 9 s and 30 s).
    c.put("broker.session.timeout.ms", "6000");
    c.put("broker.heartbeat.interval.ms", "1000");
    c.put("replica.lag.time.max.ms", "10000");
    c.put("controlled.shutdown.enable", "true");
    c.put("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
    c.put("log.index.size.max.bytes", String.valueOf(1024 * 1024));
    // TLS: PEM keystore and truststore; MTLS requires a client certificate.
    c.put("ssl.keystore.type", "PEM");
    c.put("ssl.keystore.location", certs.file("server-keystore.pem").toString());
    c.put("ssl.truststore.type", "PEM");
    c.put("ssl.truststore.location", certs.file("ca.pem").toString());
    c.put("listener.name.mtls.ssl.client.auth", "required");
    c.put(
        "listener.name.ssl_expired.ssl.keystore.location",
        certs.file("expired-keystore.pem").toString());
    c.put(
        "listener.name.ssl_badhost.ssl.keystore.location",
        certs.file("badhost-keystore.pem").toString());
    // SASL: every mechanism on both SASL listeners. PLAIN's users live in its JAAS line,
    // SCRAM's in the metadata log (StorageTool --add-scram), OAUTHBEARER takes unsecured JWS
    // tokens ({"alg":"none"}, a "sub" claim): test only.
    for (String listener : List.of("sasl_plaintext", "sasl_ssl")) {
      String prefix = "listener.name." + listener + ".";
      c.put(prefix + "sasl.enabled.mechanisms", SASL_MECHANISMS);
      c.put(
          prefix + "plain.sasl.jaas.config",
          "org.apache.kafka.common.security.plain.PlainLoginModule required user_"
              + username
              + "=\""
              + password
              + "\";");
      c.put(
          prefix + "scram-sha-256.sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required;");
      c.put(
          prefix + "scram-sha-512.sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required;");
      c.put(
          prefix + "oauthbearer.sasl.jaas.config",
          "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required"
              + " unsecuredLoginStringClaim_sub=\"broker\";");
    }
    return c;
  }

  static String securityProtocol(String listener) {
    return switch (listener) {
      case "SSL", "MTLS", "SSL_EXPIRED", "SSL_BADHOST" -> "SSL";
      case "SASL_PLAINTEXT" -> "SASL_PLAINTEXT";
      case "SASL_SSL" -> "SASL_SSL";
      default -> "PLAINTEXT";
    };
  }

  private Process format(KafkaNode node) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.add("-Xmx256m");
    command.add("-Dlog4j2.configurationFile=" + options.log4j);
    command.add("-cp");
    command.add(brokerClasspath());
    command.add("kafka.tools.StorageTool");
    command.add("format");
    command.add("-t");
    command.add(clusterId);
    command.add("-c");
    command.add(node.dir.resolve("node.properties").toString());
    for (String mechanism : List.of("SCRAM-SHA-256", "SCRAM-SHA-512")) {
      command.add("--add-scram");
      command.add(mechanism + "=[name=" + username + ",password=" + password + "]");
    }
    for (String feature : options.features) {
      command.add("--feature");
      command.add(feature);
    }
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(node.dir.resolve("format.log").toFile())
        .start();
  }

  List<String> javaCommand(KafkaNode node) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.add("-Xms" + options.heap);
    command.add("-Xmx" + options.heap);
    command.add("-XX:+UseG1GC");
    command.add("-XX:MaxGCPauseMillis=20");
    command.add("-XX:+ExitOnOutOfMemoryError");
    command.add("-Djava.awt.headless=true");
    command.add("-Dlog4j2.configurationFile=" + options.log4j);
    command.add("-cp");
    command.add(brokerClasspath());
    command.add("kafka.Kafka");
    command.add(node.dir.resolve("node.properties").toString());
    return command;
  }

  private String brokerClasspath() throws IOException {
    return Files.readString(options.brokerClasspath, StandardCharsets.UTF_8).trim();
  }

  static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static void writeProperties(Path file, Map<String, String> config) throws IOException {
    Properties properties = new Properties();
    properties.putAll(config);
    try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      properties.store(out, "sluice test node");
    }
  }

  /**
   * Ports free right now on loopback, held open together so they differ, and all BELOW the
   * kernel's ephemeral range ({@code net.ipv4.ip_local_port_range}). Why below: the PROXIED
   * ports are only bound while a test's fault proxy runs, and a node that is stopped and
   * restarted binds its listeners again; a port from the ephemeral range can meanwhile become
   * the local end of any outgoing connection (a client's, a broker's, kcat's) and the later
   * bind fails with EADDRINUSE — which is how a CI run once lost four transaction tests.
   * Ports below the range are never handed out implicitly, so only another listener can take
   * them — such as another test cluster's node, which would see an unbound PROXIED port as
   * free: so each port is also leased (a file named after it, holding the launcher's pid, in
   * {@link #PORT_LEASES}) for the launcher's lifetime, and ports leased by a live launcher are
   * skipped. The start is random so that launchers side by side rarely contend.
   */
  static List<Integer> freePorts(int count) throws IOException {
    int ephemeralLow = ephemeralRangeStart();
    int low = 10_000;
    int high = Math.max(low + count * 4, ephemeralLow) - 1; // inclusive, below the range
    int span = high - low + 1;
    int start = low + new SecureRandom().nextInt(span);
    List<ServerSocket> sockets = new ArrayList<>();
    Files.createDirectories(PORT_LEASES);
    // One launcher at a time checks and takes leases (a dead owner's lease is taken over by
    // exactly one of two launchers that both find it).
    try (FileChannel lockFile = FileChannel.open(PORT_LEASES.resolve(".lock"),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lockFile.lock()) {
      for (int probe = 0; probe < span && sockets.size() < count; probe++) {
        int port = low + (start - low + probe) % span;
        if (!lease(port)) continue;
        ServerSocket socket = new ServerSocket();
        try {
          socket.setReuseAddress(false);
          socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
          sockets.add(socket);
        } catch (IOException taken) {
          socket.close();
          release(port);
        }
      }
      if (sockets.size() < count) {
        throw new IOException("only " + sockets.size() + " of " + count
            + " loopback ports free below the ephemeral range (" + low + "-" + high + ")");
      }
      List<Integer> ports = new ArrayList<>();
      for (ServerSocket s : sockets) ports.add(s.getLocalPort());
      return ports;
    } finally {
      for (ServerSocket s : sockets) s.close();
    }
  }

  /** Where launchers lease their ports (see {@link #freePorts}): shared by every launcher. */
  static final Path PORT_LEASES =
      Path.of(System.getProperty("java.io.tmpdir"), "sluice-kafka-port-leases");

  private static final List<Path> OUR_LEASES = new ArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      synchronized (OUR_LEASES) {
        for (Path lease : OUR_LEASES) {
          try {
            Files.deleteIfExists(lease);
          } catch (IOException ignored) {
            // A lease left behind names a dead pid: the next launcher takes it over.
          }
        }
      }
    }));
  }

  /**
   * Leases {@code port} for this launcher: true when the lease file was created, or taken over
   * from a launcher that is no longer alive (killed with SIGKILL, so its shutdown hook never ran).
   * Called with the lease directory's lock held.
   */
  private static boolean lease(int port) throws IOException {
    Path file = PORT_LEASES.resolve(String.valueOf(port));
    String me = String.valueOf(ProcessHandle.current().pid());
    for (int attempt = 0; attempt < 2; attempt++) {
      try {
        Files.writeString(file, me, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        synchronized (OUR_LEASES) {
          OUR_LEASES.add(file);
        }
        return true;
      } catch (FileAlreadyExistsException leased) {
        long owner;
        try {
          owner = Long.parseLong(Files.readString(file).trim());
        } catch (IOException | NumberFormatException unreadable) {
          return false; // not ours to judge: leave the port alone
        }
        if (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) return false;
        Files.deleteIfExists(file); // a dead launcher's lease (we hold the lock)
      }
    }
    return false;
  }

  private static void release(int port) throws IOException {
    Path file = PORT_LEASES.resolve(String.valueOf(port));
    synchronized (OUR_LEASES) {
      OUR_LEASES.remove(file);
    }
    Files.deleteIfExists(file);
  }

  /** The first port of the kernel's ephemeral range (Linux's default 32768 when unreadable). */
  private static int ephemeralRangeStart() {
    try {
      // Read as a stream: Files.readString trusts procfs's reported size and returns "3".
      try (var reader = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
        return Integer.parseInt(reader.readLine().trim().split("\\s+")[0]);
      }
    } catch (IOException | RuntimeException unreadable) {
      return 32_768;
    }
  }

  /** A random password: letters and digits only, so it needs no quoting in any config. */
  private static String randomSecret() {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    SecureRandom random = new SecureRandom();
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 24; i++) out.append(alphabet.charAt(random.nextInt(alphabet.length())));
    return out.toString();
  }

  /** A random cluster id; never starting with "-", which StorageTool would read as an option. */
  private static String randomClusterId() {
    byte[] bytes = new byte[16];
    SecureRandom random = new SecureRandom();
    String id;
    do {
      random.nextBytes(bytes);
      id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    } while (id.startsWith("-"));
    return id;
  }

  String describeJson(int controlPort, long startMs) {
    Json j = new Json();
    j.open();
    j.field("version", options.version);
    j.field("clusterId", clusterId);
    j.field("dir", options.dir.toString());
    j.field("controlPort", controlPort);
    j.field("startMs", startMs);
    j.key("bootstrap").open();
    for (String l : CLIENT_LISTENERS) j.field(l, bootstrap(l));
    for (String l : NODE1_LISTENERS) j.field(l, bootstrap(l));
    j.close();
    j.key("nodes").openArray();
    for (KafkaNode node : nodes) {
      j.open();
      j.field("id", node.id);
      j.field("pid", node.pid());
      j.field("dir", node.dir.toString());
      j.key("ports").open();
      for (var e : node.listenerPorts.entrySet()) j.field(e.getKey(), e.getValue());
      j.close();
      j.close();
    }
    j.closeArray();
    j.key("proxy").openArray();
    for (KafkaNode node : nodes) {
      j.open();
      j.field("nodeId", node.id);
      j.field("listen", node.proxyPort);
      j.field("target", node.listenerPorts.get("PROXIED"));
      j.close();
    }
    j.closeArray();
    j.key("files").open();
    j.field("ca", certs.file("ca.pem").toString());
    j.field("clientCert", certs.file("client.pem").toString());
    j.field("clientKey", certs.file("client.key").toString());
    j.field("clientKeyEncrypted", certs.file("client-encrypted.key").toString());
    j.field("otherCa", certs.file("other-ca.pem").toString());
    j.field("otherClientCert", certs.file("other-client.pem").toString());
    j.field("otherClientKey", certs.file("other-client.key").toString());
    j.close();
    j.field("clientKeyPassword", certs.clientKeyPassword);
    j.key("sasl").open();
    j.field("username", username);
    j.field("password", password);
    j.field("mechanisms", SASL_MECHANISMS);
    j.close();
    j.close();
    return j.toString();
  }
}
