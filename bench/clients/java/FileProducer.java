import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The benchmark's Java peer: Java's own KafkaProducer sending one record per line of a file, as
 * kcat -l and sluice's CLI do (a tab splits key and value in the keyed cells), batching like
 * them (linger.ms 5, batch.size 1,000,000). Exits 1 if any record failed.
 *
 * Usage: java -cp KAFKA_CLASSPATH:DIR FileProducer BOOTSTRAP TOPIC FILE ACKS KEYED CODEC BATCH_SIZE
 */
public final class FileProducer {
  private static void send(
      KafkaProducer<byte[], byte[]> producer,
      String topic,
      byte[] buffer,
      int start,
      int end,
      boolean keyed,
      AtomicLong failed,
      AtomicReference<Exception> firstError) {
    byte[] key = null;
    int valueStart = start;
    if (keyed) {
      for (int i = start; i < end; i++) {
        if (buffer[i] == '\t') {
          key = Arrays.copyOfRange(buffer, start, i);
          valueStart = i + 1;
          break;
        }
      }
    }
    byte[] value = Arrays.copyOfRange(buffer, valueStart, end);
    producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
      if (error != null) {
        failed.incrementAndGet();
        firstError.compareAndSet(null, error);
      }
    });
  }

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    String topic = args[1];
    String file = args[2];
    String acks = args[3];
    boolean keyed = args[4].equals("1");
    String codec = args[5];
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, acks.equals("all") ? "all" : acks);
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, args[6]);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    AtomicLong failed = new AtomicLong();
    AtomicReference<Exception> firstError = new AtomicReference<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p);
        InputStream in = new FileInputStream(file)) {
      // Read 1 MiB at a time and cut lines out of the buffer (no per-byte calls).
      byte[] buffer = new byte[1 << 20];
      int filled = 0;
      for (int read; (read = in.read(buffer, filled, buffer.length - filled)) >= 0 || filled > 0; ) {
        if (read > 0) filled += read;
        int start = 0;
        for (int i = 0; i < filled; i++) {
          if (buffer[i] != '\n') continue;
          // A failure ends the run (every later send() would block max.block.ms as well).
          if (failed.get() > 0) throw new IllegalStateException("a send failed", firstError.get());
          send(producer, topic, buffer, start, i, keyed, failed, firstError);
          start = i + 1;
        }
        if (read < 0) {
          if (start < filled) send(producer, topic, buffer, start, filled, keyed, failed, firstError);
          break;
        }
        System.arraycopy(buffer, start, buffer, 0, filled - start);
        filled -= start;
        if (filled == buffer.length) buffer = Arrays.copyOf(buffer, buffer.length * 2);
      }
      producer.flush();
    } catch (IOException e) {
      System.err.println("FileProducer: " + e);
      System.exit(1);
    }
    if (failed.get() > 0) {
      System.err.println("FileProducer: " + failed.get() + " records failed: " + firstError.get());
      System.exit(1);
    }
  }
}
