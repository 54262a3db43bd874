package sluice.kafka;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One node's process. States: running, paused (SIGSTOP), stopped (exited after SIGTERM or
 * SIGKILL). A stopped node can be started again with the same config and data.
 */
final class KafkaNode {
  final int id;
  final Path dir;
  /** Listener name → the port Kafka binds. */
  final Map<String, Integer> listenerPorts;
  /** Where the PROXIED listener is advertised: a test's fault proxy listens there. */
  final int proxyPort;

  private Process process;
  private boolean paused;
  /** True between start and stop/kill: only then is an exited process a failure. */
  private boolean wanted;

  KafkaNode(int id, Path dir, Map<String, Integer> listenerPorts, int proxyPort) {
    this.id = id;
    this.dir = dir;
    this.listenerPorts = listenerPorts;
    this.proxyPort = proxyPort;
  }

  long pid() {
    return process == null ? -1 : process.pid();
  }

  boolean running() {
    return process != null && process.isAlive();
  }

  boolean paused() {
    return paused;
  }

  String state() {
    if (!running()) return "stopped";
    return paused ? "paused" : "running";
  }

  void start(List<String> command) throws IOException {
    if (running()) throw new IllegalStateException("node " + id + " is already running");
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("kafka.log").toFile()))
            .start();
    paused = false;
    wanted = true;
  }

  /** Throws if the process has exited on its own (a config error, say) while it should run. */
  void checkAlive() throws IOException {
    if (wanted && process != null && !process.isAlive()) {
      throw new IOException(
          "node " + id + " exited with status " + process.exitValue() + ": see " + dir.resolve("kafka.log"));
    }
  }

  /** SIGTERM: a controlled shutdown (leaders move away first); SIGKILL after 60 s. */
  void stop() throws IOException, InterruptedException {
    requireRunning();
    wanted = false;
    if (paused) resume();
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor();
    }
  }

  /** SIGKILL: the node vanishes mid-work, as in a crash. */
  void kill() throws InterruptedException {
    requireRunning();
    wanted = false;
    process.destroyForcibly();
    process.waitFor();
    paused = false;
  }

  void pause() throws IOException, InterruptedException {
    requireRunning();
    signal("STOP");
    paused = true;
  }

  void resume() throws IOException, InterruptedException {
    requireRunning();
    signal("CONT");
    paused = false;
  }

  void destroy() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void requireRunning() {
    if (!running()) throw new IllegalStateException("node " + id + " is not running");
  }

  private void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).start();
    if (kill.waitFor() != 0) throw new IOException("kill -" + name + " " + process.pid() + " failed");
  }
}
