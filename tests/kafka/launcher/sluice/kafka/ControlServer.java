package sluice.kafka;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The control port: any number of loopback connections, each sending commands one per line and
 * reading each answer (lines, then OK or ERR) before the next. Commands of all connections and
 * of stdin run one at a time (see {@link Commands}).
 */
final class ControlServer {
  private final ServerSocket socket;
  private final Commands commands;

  ControlServer(Commands commands) throws IOException {
    this.commands = commands;
    this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
  }

  int port() {
    return socket.getLocalPort();
  }

  void start() {
    Thread acceptor = new Thread(this::acceptLoop, "control-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void acceptLoop() {
    for (;;) {
      Socket client;
      try {
        client = socket.accept();
      } catch (IOException e) {
        return;
      }
      Thread session = new Thread(() -> serve(client), "control-session");
      session.setDaemon(true);
      session.start();
    }
  }

  private void serve(Socket client) {
    try (client;
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter out =
            new PrintWriter(
                new OutputStreamWriter(client.getOutputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        if (line.isBlank()) continue;
        boolean quit = commands.run(line, out::println);
        out.flush();
        if (quit) {
          // `quit` on the control port ends the whole launcher, as on stdin.
          Runtime.getRuntime().exit(0);
        }
      }
    } catch (IOException e) {
      // The test process went away mid-command; the next connection starts afresh.
    }
  }
}
