package sluice.kafka;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a real Apache Kafka cluster for sluice's tests and takes control commands.
 *
 * <p>N combined broker+controller KRaft nodes ({@code kafka.Kafka}, one JVM each) on loopback
 * with random ports; storage formatted by {@code kafka.tools.StorageTool} with SCRAM users; a
 * test CA and certificates made per run with openssl. Listeners on every node: PLAINTEXT, SSL,
 * MTLS (SSL with client certificates required), SASL_PLAINTEXT and SASL_SSL (PLAIN,
 * SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER with Kafka's unsecured JWS validator) and PROXIED
 * (plaintext, advertised at ports where a test's fault proxy listens); node 1 also has
 * SSL_EXPIRED and SSL_BADHOST (an expired server certificate, one for another host name).
 *
 * <p>Usage: {@code java -cp CP sluice.kafka.TestKafkaCluster --dir DIR --broker-classpath FILE
 * [--nodes 3] [--heap 512m] [--log4j FILE] [--feature name=level]... [--version V]}
 *
 * <p>Prints one line {@code READY <json>} on stdout (the same JSON is written to
 * DIR/cluster.json), then reads commands, one per line, from stdin and from any connection to
 * the control port named in the JSON; each command answers with zero or more lines and then
 * {@code OK} or {@code ERR <reason>} (see tests/kafka/README.md). When stdin closes the cluster
 * is destroyed and the launcher exits, so a test process that dies takes its cluster with it.
 */
public final class TestKafkaCluster {
  private TestKafkaCluster() {}

  public static void main(String[] args) throws Exception {
    ClusterOptions options;
    try {
      options = ClusterOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("test-kafka-cluster: " + e.getMessage());
      System.exit(2);
      return;
    }
    Cluster cluster = new Cluster(options);
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::destroy, "destroy-cluster"));
    Commands commands = new Commands(cluster);
    ControlServer control;
    try {
      long started = System.nanoTime();
      cluster.start();
      control = new ControlServer(commands);
      String json = cluster.describeJson(control.port(), (System.nanoTime() - started) / 1_000_000);
      Files.writeString(options.dir.resolve("cluster.json"), json + "\n", StandardCharsets.UTF_8);
      System.out.println("READY " + json);
      System.out.flush();
    } catch (Exception e) {
      System.err.println("test-kafka-cluster: cannot start the cluster: " + e);
      e.printStackTrace(System.err);
      cluster.destroy();
      System.exit(1);
      return;
    }
    control.start();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = System.out;
    for (String line; (line = in.readLine()) != null; ) {
      if (line.isBlank()) continue;
      boolean quit = commands.run(line, out::println);
      out.flush();
      if (quit) break;
    }
    cluster.destroy();
    System.exit(0);
  }

  /** Command line options. */
  static final class ClusterOptions {
    Path dir;
    Path brokerClasspath;
    Path log4j;
    int nodes = 3;
    String heap = "512m";
    String version = "unknown";
    final List<String> features = new ArrayList<>();

    static ClusterOptions parse(String[] args) {
      ClusterOptions o = new ClusterOptions();
      for (int i = 0; i < args.length; i++) {
        String name = args[i];
        if (i + 1 >= args.length) throw new IllegalArgumentException(name + " needs a value");
        String value = args[++i];
        switch (name) {
          case "--dir" -> o.dir = Path.of(value).toAbsolutePath();
          case "--broker-classpath" -> o.brokerClasspath = Path.of(value).toAbsolutePath();
          case "--log4j" -> o.log4j = Path.of(value).toAbsolutePath();
          case "--nodes" -> o.nodes = Integer.parseInt(value);
          case "--heap" -> o.heap = value;
          case "--version" -> o.version = value;
          case "--feature" -> o.features.add(value);
          default -> throw new IllegalArgumentException("unknown option " + name);
        }
      }
      if (o.dir == null) throw new IllegalArgumentException("--dir is required");
      if (o.brokerClasspath == null) {
        throw new IllegalArgumentException("--broker-classpath is required");
      }
      if (o.nodes < 1 || o.nodes > 9) throw new IllegalArgumentException("--nodes must be 1..9");
      return o;
    }
  }
}
