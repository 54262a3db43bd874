package sluice.kafka;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.ElectionNotNeededException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The launcher's commands (tests/kafka/README.md lists them). One runs at a time: they come from
 * stdin and from every control connection, and each waits for its effect to be visible (a
 * started node is unfenced, a created topic has leaders, a moved leader leads).
 */
final class Commands {
  private final Cluster cluster;

  Commands(Cluster cluster) {
    this.cluster = cluster;
  }

  /** Runs one command, writing its lines then OK or ERR; returns true for `quit`. */
  synchronized boolean run(String line, Consumer<String> out) {
    String[] words = line.trim().split("\\s+");
    try {
      boolean quit = dispatch(words, out);
      out.accept("OK");
      return quit;
    } catch (Throwable e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      String message = cause.getClass().getSimpleName() + ": " + cause.getMessage();
      out.accept("ERR " + message.replace('\n', ' ').replace('\r', ' '));
      return false;
    }
  }

  private boolean dispatch(String[] w, Consumer<String> out) throws Exception {
    switch (w[0]) {
      case "ping" -> {}
      case "quit" -> {
        return true;
      }
      case "nodes" -> {
        for (KafkaNode node : cluster.nodes) {
          out.accept("NODE " + node.id + " " + node.state() + " " + node.pid());
        }
      }
      case "stop" -> cluster.node(intArg(w, 1)).stop();
      case "kill" -> cluster.node(intArg(w, 1)).kill();
      case "pause" -> cluster.node(intArg(w, 1)).pause();
      case "resume" -> cluster.node(intArg(w, 1)).resume();
      case "start" -> {
        KafkaNode node = cluster.node(intArg(w, 1));
        node.start(cluster.javaCommand(node));
        waitUnfenced(node.id, 120_000);
      }
      case "wait_nodes" -> cluster.waitForNodes(intArg(w, 1), longArg(w, 2, 60_000));
      case "create_topic" -> createTopic(w);
      case "delete_topic" -> deleteTopic(arg(w, 1));
      case "produce_keys" -> out.accept("COUNT " + produceKeys(arg(w, 1), Path.of(arg(w, 2)), Path.of(arg(w, 3))));
      case "describe_topic" -> {
        for (TopicPartitionInfo p : describe(arg(w, 1)).partitions()) out.accept(partitionLine(p));
      }
      case "wait_isr" -> waitFullIsr(arg(w, 1), longArg(w, 2, 60_000));
      case "move_leader" -> moveLeader(arg(w, 1), intArg(w, 2), intArg(w, 3));
      case "consume" -> out.accept("COUNT " + consume(w));
      case "end_offsets" -> {
        String isolation = w.length > 2 ? w[2] : "read_uncommitted";
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(isolation)) {
          List<TopicPartition> partitions = partitions(consumer, arg(w, 1));
          for (var e : consumer.endOffsets(partitions).entrySet()) {
            out.accept("P " + e.getKey().partition() + " " + e.getValue());
          }
        }
      }
      case "group_offsets" -> {
        Map<TopicPartition, OffsetAndMetadata> offsets =
            admin().listConsumerGroupOffsets(arg(w, 1)).partitionsToOffsetAndMetadata().get();
        for (var e : offsets.entrySet()) {
          out.accept(
              "O " + e.getKey().topic() + " " + e.getKey().partition() + " "
                  + e.getValue().offset());
        }
      }
      case "features" -> {
        var finalized = admin().describeFeatures().featureMetadata().get().finalizedFeatures();
        for (var e : finalized.entrySet()) {
          out.accept("F " + e.getKey() + " " + e.getValue().maxVersionLevel());
        }
      }
      default -> throw new IllegalArgumentException("unknown command " + w[0]);
    }
    return false;
  }

  private Admin admin() {
    return cluster.admin();
  }

  /** create_topic NAME PARTITIONS REPLICATION [config=value ...] */
  private void createTopic(String[] w) throws Exception {
    String name = arg(w, 1);
    NewTopic topic = new NewTopic(name, intArg(w, 2), (short) intArg(w, 3));
    Map<String, String> configs = new HashMap<>();
    for (int i = 4; i < w.length; i++) {
      int eq = w[i].indexOf('=');
      if (eq <= 0) throw new IllegalArgumentException("config must be name=value: " + w[i]);
      configs.put(w[i].substring(0, eq), w[i].substring(eq + 1));
    }
    topic.configs(configs);
    admin().createTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
    // Every running broker must know it, with a leader per partition: a client may ask any of
    // them, and an acks=0 record sent to a broker that does not know the topic yet is lost.
    long deadline = System.currentTimeMillis() + 60_000;
    for (KafkaNode node : cluster.nodes) {
      if (!node.running() || node.paused()) continue;
      while (!metadataReady(node.listenerPorts.get("PLAINTEXT"), name)) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("node " + node.id + " has no leaders for " + name + " after 60 s");
        }
        Thread.sleep(20);
      }
    }
  }

  /**
   * Asks one broker for a topic's metadata (Metadata v4, no auto-creation) and returns true
   * when it knows the topic and every partition has a leader. A raw request: the Admin client
   * cannot be pointed at one broker.
   */
  static boolean metadataReady(int port, String topic) {
    int[] leaders = metadataLeaders(port, topic);
    if (leaders == null) return false;
    for (int leader : leaders) if (leader < 0) return false;
    return true;
  }

  /**
   * The leader of each partition of a topic as one broker's Metadata (v4) answers it, -1 for a
   * partition with an error or no leader; null when the broker does not know the topic or
   * cannot be asked.
   */
  static int[] metadataLeaders(int port, String topic) {
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000);
      socket.setSoTimeout(5000);
      byte[] name = topic.getBytes(StandardCharsets.UTF_8);
      java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
      java.io.DataOutputStream out = new java.io.DataOutputStream(body);
      out.writeShort(3); // Metadata
      out.writeShort(4);
      out.writeInt(7);
      out.writeShort(-1); // no client id
      out.writeInt(1); // one topic
      out.writeShort(name.length);
      out.write(name);
      out.writeBoolean(false); // allow_auto_topic_creation
      java.io.DataOutputStream wire = new java.io.DataOutputStream(socket.getOutputStream());
      wire.writeInt(body.size());
      body.writeTo(wire);
      wire.flush();
      java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
      byte[] frame = new byte[in.readInt()];
      in.readFully(frame);
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(frame);
      b.getInt(); // correlation id
      b.getInt(); // throttle
      for (int brokers = b.getInt(); brokers > 0; brokers--) {
        b.getInt();
        skipString(b);
        b.getInt();
        skipString(b); // rack (nullable: -1 length)
      }
      skipString(b); // cluster id
      b.getInt(); // controller
      int topics = b.getInt();
      if (topics != 1) return null;
      short error = b.getShort();
      skipString(b);
      b.get(); // is_internal
      int partitions = b.getInt();
      if (error != 0 || partitions <= 0) return null;
      int[] leaders = new int[partitions];
      for (int p = 0; p < partitions; p++) {
        short partitionError = b.getShort();
        int index = b.getInt();
        int leader = b.getInt();
        for (int list = 0; list < 2; list++) { // replicas, isr
          int count = b.getInt();
          b.position(b.position() + 4 * count);
        }
        if (index < 0 || index >= partitions) return null;
        leaders[index] = partitionError != 0 ? -1 : leader;
      }
      return leaders;
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  private static void skipString(java.nio.ByteBuffer b) {
    short length = b.getShort();
    if (length > 0) b.position(b.position() + length);
  }

  /** delete_topic NAME: deletes it and waits until no broker's metadata lists it. */
  private void deleteTopic(String name) throws Exception {
    admin().deleteTopics(List.of(name)).all().get(60, TimeUnit.SECONDS);
    long deadline = System.currentTimeMillis() + 60_000;
    while (admin().listTopics().names().get(30, TimeUnit.SECONDS).contains(name)) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("topic " + name + " still listed 60 s after deletion");
      }
      Thread.sleep(50);
    }
  }

  /**
   * produce_keys TOPIC KEYS_FILE OUT_FILE: Java's own KafkaProducer (default partitioner,
   * idempotent, acks=all) sends one record per line of KEYS_FILE (the key in base64, value
   * empty) and writes where each landed, "partition offset" per line, in input order.
   */
  private long produceKeys(String topic, Path keysFile, Path outFile) throws Exception {
    Properties p = new Properties();
    p.put(org.apache.kafka.clients.producer.ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap("PLAINTEXT"));
    p.put(org.apache.kafka.clients.producer.ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
        org.apache.kafka.common.serialization.ByteArraySerializer.class.getName());
    p.put(org.apache.kafka.clients.producer.ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
        org.apache.kafka.common.serialization.ByteArraySerializer.class.getName());
    p.put(org.apache.kafka.clients.producer.ProducerConfig.LINGER_MS_CONFIG, "5");
    List<String> lines = Files.readAllLines(keysFile, StandardCharsets.UTF_8);
    List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sent = new ArrayList<>();
    Base64.Decoder b64 = Base64.getDecoder();
    try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(p)) {
      for (String line : lines) {
        if (line.isEmpty()) continue;
        sent.add(producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, b64.decode(line), new byte[0])));
      }
      producer.flush();
    }
    try (BufferedWriter out = Files.newBufferedWriter(outFile, StandardCharsets.UTF_8)) {
      for (var f : sent) {
        var m = f.get();
        out.write(m.partition() + " " + m.offset() + "\n");
      }
    }
    return sent.size();
  }

  private TopicDescription describe(String topic) throws Exception {
    return admin().describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
  }

  private static String partitionLine(TopicPartitionInfo p) {
    int leader = p.leader() == null || p.leader().isEmpty() ? -1 : p.leader().id();
    return "P " + p.partition() + " " + leader + " " + ids(p.replicas()) + " " + ids(p.isr());
  }

  private static String ids(List<Node> nodes) {
    if (nodes.isEmpty()) return "-";
    return nodes.stream().map(Node::idString).collect(Collectors.joining(","));
  }

  /**
   * Waits until a (re)started node serves requests: its PLAINTEXT listener answers an
   * ApiVersions request. A KRaft broker opens its client listeners only once it has caught up
   * with the metadata log and the controller has unfenced it, so this also means the cluster
   * counts it again (describeCluster alone would still list a killed node until its session
   * times out).
   */
  private void waitUnfenced(int id, long timeoutMs) throws Exception {
    KafkaNode node = cluster.node(id);
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      node.checkAlive();
      if (answersApiVersions(node.listenerPorts.get("PLAINTEXT"))) {
        cluster.waitForNodes(cluster.nodes.size() - stoppedCount(), 60_000);
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("node " + id + " not serving after " + timeoutMs + " ms");
  }

  private int stoppedCount() {
    int n = 0;
    for (KafkaNode node : cluster.nodes) if (!node.running()) n++;
    return n;
  }

  /** Sends ApiVersions v0 (no client id) and reads the answer's header; false on any failure. */
  static boolean answersApiVersions(int port) {
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000);
      socket.setSoTimeout(2000);
      java.io.DataOutputStream out = new java.io.DataOutputStream(socket.getOutputStream());
      out.writeInt(10); // size: api key, version, correlation id, null client id
      out.writeShort(18); // ApiVersions
      out.writeShort(0);
      out.writeInt(4242);
      out.writeShort(-1);
      out.flush();
      java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
      int size = in.readInt();
      return size >= 4 && in.readInt() == 4242;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private void waitFullIsr(String topic, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    String last = "";
    while (System.currentTimeMillis() < deadline) {
      try {
        TopicDescription d = describe(topic);
        if (d.partitions().stream().allMatch(p -> p.isr().size() == p.replicas().size())) return;
        last = d.partitions().stream().map(Commands::partitionLine).collect(Collectors.joining("; "));
      } catch (Exception e) {
        last = e.toString();
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("ISR of " + topic + " not full after " + timeoutMs + " ms: " + last);
  }

  /**
   * move_leader TOPIC PARTITION BROKER: reorders (or reassigns) the replicas so BROKER is the
   * preferred leader, waits for the reassignment, then runs a preferred leader election.
   */
  private void moveLeader(String topic, int partition, int broker) throws Exception {
    TopicPartition tp = new TopicPartition(topic, partition);
    TopicPartitionInfo info =
        describe(topic).partitions().stream()
            .filter(p -> p.partition() == partition)
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no partition " + partition));
    if (info.leader() != null && info.leader().id() == broker) return;
    List<Integer> replicas = new ArrayList<>();
    replicas.add(broker);
    for (Node n : info.replicas()) if (n.id() != broker) replicas.add(n.id());
    while (replicas.size() > info.replicas().size()) replicas.remove(replicas.size() - 1);
    admin()
        .alterPartitionReassignments(
            Map.of(tp, Optional.of(new NewPartitionReassignment(replicas))))
        .all()
        .get(30, TimeUnit.SECONDS);
    long deadline = System.currentTimeMillis() + 60_000;
    while (!admin().listPartitionReassignments(Set.of(tp)).reassignments().get().isEmpty()) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("reassignment of " + tp + " still running after 60 s");
      }
      Thread.sleep(50);
    }
    for (;;) {
      try {
        admin().electLeaders(ElectionType.PREFERRED, Set.of(tp)).partitions().get().get(tp)
            .ifPresent(
                e -> {
                  if (!(e instanceof ElectionNotNeededException)) throw new RuntimeException(e);
                });
      } catch (RuntimeException e) {
        // The preferred replica may not be in the ISR yet: retry until the deadline.
      }
      TopicPartitionInfo now =
          describe(topic).partitions().stream().filter(p -> p.partition() == partition).findFirst().get();
      if (now.leader() != null && now.leader().id() == broker) {
        // The controller has moved it; every running broker must also answer Metadata with the
        // new leader, since a client may ask any of them (brokers apply the metadata log at
        // their own pace).
        for (KafkaNode node : cluster.nodes) {
          if (!node.running() || node.paused()) continue;
          for (;;) {
            int[] leaders = metadataLeaders(node.listenerPorts.get("PLAINTEXT"), topic);
            if (leaders != null && partition < leaders.length && leaders[partition] == broker) break;
            if (System.currentTimeMillis() > deadline) {
              throw new IllegalStateException(
                  "node " + node.id + " still does not name " + broker + " leader of " + tp + " after 60 s");
            }
            Thread.sleep(20);
          }
        }
        return;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException(
            "leader of " + tp + " is " + (now.leader() == null ? "none" : now.leader().id())
                + ", not " + broker + ", after 60 s");
      }
      Thread.sleep(100);
    }
  }

  private KafkaConsumer<byte[], byte[]> consumer(String isolation) {
    if (!isolation.equals("read_committed") && !isolation.equals("read_uncommitted")) {
      throw new IllegalArgumentException("isolation must be read_committed or read_uncommitted");
    }
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap("PLAINTEXT"));
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.CHECK_CRCS_CONFIG, "true");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return new KafkaConsumer<>(p);
  }

  private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, String topic) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
    if (infos == null || infos.isEmpty()) throw new IllegalArgumentException("no topic " + topic);
    return infos.stream().map(i -> new TopicPartition(topic, i.partition())).collect(Collectors.toList());
  }

  /**
   * consume TOPIC FILE [ISOLATION] [EXPECTED] [TIMEOUT_MS]: Java's own KafkaConsumer reads every
   * partition from the start to its end offset (the last stable offset under read_committed),
   * re-reading the end offsets until EXPECTED records were read or the timeout passes, and
   * writes one JSON object per record to FILE (key, value and header values in base64).
   */
  private long consume(String[] w) throws Exception {
    String topic = arg(w, 1);
    Path file = Path.of(arg(w, 2));
    String isolation = w.length > 3 ? w[3] : "read_uncommitted";
    long expected = w.length > 4 ? Long.parseLong(w[4]) : 0;
    long timeoutMs = w.length > 5 ? Long.parseLong(w[5]) : 30_000;
    long deadline = System.currentTimeMillis() + timeoutMs;
    long count = 0;
    Base64.Encoder b64 = Base64.getEncoder();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(isolation);
        BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      List<TopicPartition> partitions = partitions(consumer, topic);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = new LinkedHashMap<>(consumer.endOffsets(partitions));
      for (;;) {
        boolean atEnd = true;
        for (TopicPartition tp : partitions) {
          if (consumer.position(tp) < end.get(tp)) atEnd = false;
        }
        if (atEnd) {
          if (count >= expected || System.currentTimeMillis() > deadline) break;
          Thread.sleep(100);
          end = new LinkedHashMap<>(consumer.endOffsets(partitions));
          continue;
        }
        if (System.currentTimeMillis() > deadline) break;
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          Json j = new Json().open();
          j.field("partition", r.partition());
          j.field("offset", r.offset());
          j.field("timestamp", r.timestamp());
          j.field("timestampType", r.timestampType().name);
          j.field("key", r.key() == null ? null : b64.encodeToString(r.key()));
          j.field("value", r.value() == null ? null : b64.encodeToString(r.value()));
          j.key("headers").openArray();
          for (Header h : r.headers()) {
            j.openArray().value(h.key()).value(h.value() == null ? null : b64.encodeToString(h.value())).closeArray();
          }
          j.closeArray();
          j.close();
          out.write(j.toString());
          out.write('\n');
          count++;
        }
      }
    }
    return count;
  }

  private static String arg(String[] w, int i) {
    if (i >= w.length) throw new IllegalArgumentException(w[0] + ": missing argument " + i);
    return w[i];
  }

  private static int intArg(String[] w, int i) {
    return Integer.parseInt(arg(w, i));
  }

  private static long longArg(String[] w, int i, long fallback) {
    return i < w.length ? Long.parseLong(w[i]) : fallback;
  }
}
