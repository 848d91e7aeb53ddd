package dev.waituntil.it.support;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;

/**
 * One load client's own HTTP/1.1 connection, kept alive across its requests, as a browser, a proxy or a client's
 * connection pool keeps it: the next request goes on the same socket until the server closes it, and only then does
 * the client open another. Written on a plain socket rather than with {@code java.net.http.HttpClient}, which also
 * keeps connections alive but shares them among threads and silently resends a request whose pooled connection turned
 * out to be closed: here every connection, every reuse and every close is seen and counted ({@link Stats}).
 *
 * <p>What the server can do to a kept-alive connection at a stop, and how it is counted:
 * <ul>
 * <li>answer and say {@code Connection: close}, or answer and close: the client opens a new connection for its next
 *     request (refused once the server no longer accepts);</li>
 * <li>close it between two requests, or after reading a request without answering it: the request fails with
 *     {@link ClosedBeforeAnswer} (its kind in {@link LoadClients}), and the client does not resend it;</li>
 * <li>go on answering on it: counted as requests sent on a reused connection after the stop.</li>
 * </ul>
 * Only {@code GET}, {@code Content-Length} and chunked bodies: what the test applications answer.
 */
public final class KeepAliveConnection implements AutoCloseable {

    /** The keep-alive tests' drain timeout: long enough that a drain kept busy by new requests shows. */
    public static final String DRAIN_TIMEOUT = "20s";

    private static final long DRAIN_TIMEOUT_MILLIS = 20_000;
    /** Requests of the keep-alive load answered 2xx before SIGTERM: the tests wait for them (bounded: 30 s). */
    public static final int LOAD_BEFORE = 50;

    /**
     * What every keep-alive test asserts of its load and its stop, whatever the container: the load was real, the
     * clients kept their connections alive (also after SIGTERM), and the stop ended within the drain timeout (plus
     * 15 s, which any machine meets).
     */
    public static void assertKeptAliveAcrossABoundedStop(
            LoadClients load, Stats connections, long stopMillis, String why) {
        assertTrue(
                load.answered2xx().size() >= LOAD_BEFORE,
                "the load was real: " + load.answered2xx().size() + " answered 2xx\n" + why);
        assertTrue(connections.onReusedConnection() > 0, "the clients kept their connections alive\n" + why);
        assertTrue(
                connections.onReusedConnectionAfterStop() > 0,
                "requests came on kept-alive connections after " + "SIGTERM\n" + why);
        assertTrue(
                stopMillis < DRAIN_TIMEOUT_MILLIS + 15_000,
                "the stop ended within the drain timeout (plus 15 s): " + stopMillis + " ms\n" + why);
    }

    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int READ_TIMEOUT_MS = 30_000;

    /** The server closed the connection after the request was written and before any byte of an answer. */
    public static final class ClosedBeforeAnswer extends IOException {
        ClosedBeforeAnswer(String message) {
            super(message);
        }
    }

    /** Counts shared by the connections of one load. */
    public static final class Stats {
        private final AtomicInteger opened = new AtomicInteger();
        private final AtomicInteger requests = new AtomicInteger();
        private final AtomicInteger onReusedConnection = new AtomicInteger();
        private final AtomicInteger onReusedConnectionAfterStop = new AtomicInteger();
        private final AtomicInteger answeredAfterStopOnReused = new AtomicInteger();
        private final AtomicInteger closedWithAnswer = new AtomicInteger();
        private final AtomicInteger closedBeforeAnswer = new AtomicInteger();
        private final AtomicInteger mostOnOneConnection = new AtomicInteger();
        /** How long a request waited before its connection was closed unanswered: a client's time lost on it. */
        private final AtomicLong longestUnansweredMillis = new AtomicLong();

        public int opened() {
            return opened.get();
        }

        /** Requests written on a connection that had carried one before. */
        public int onReusedConnection() {
            return onReusedConnection.get();
        }

        /** Of those, the ones written after the stop began: what a stop must deal with on kept-alive connections. */
        public int onReusedConnectionAfterStop() {
            return onReusedConnectionAfterStop.get();
        }

        @Override
        public String toString() {
            return "connections opened " + opened + ", requests written " + requests
                    + ", of them on a reused connection "
                    + onReusedConnection + " (" + onReusedConnectionAfterStop + " after the stop, "
                    + answeredAfterStopOnReused
                    + " of those answered); closed by the server with an answer (Connection: close or EOF) "
                    + closedWithAnswer + ", before answering " + closedBeforeAnswer + " (the longest after "
                    + longestUnansweredMillis + " ms); most requests on one connection " + mostOnOneConnection;
        }
    }

    private final String host;
    private final int port;
    private final Stats stats;
    private final BooleanSupplier stopping;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private int requestsOnThisConnection;

    /**
     * @param server   {@code http://host:port}; the rest of the URI is ignored
     * @param stopping whether the stop has begun, for the counts of what happened after it
     */
    public KeepAliveConnection(URI server, Stats stats, BooleanSupplier stopping) {
        this.host = server.getHost();
        this.port = server.getPort();
        this.stats = stats;
        this.stopping = stopping;
    }

    /**
     * For {@link LoadClients.Settings#start}: each client gets a connection of its own and sends {@code GET
     * path(label, ms)} on it; the connection is closed when the client ends.
     */
    public static IntFunction<LoadClients.Request> perClient(
            URI server, Stats stats, BooleanSupplier stopping, BiFunction<String, Long, String> path) {
        return client -> new PerClient(new KeepAliveConnection(server, stats, stopping), path);
    }

    private record PerClient(KeepAliveConnection connection, BiFunction<String, Long, String> path)
            implements LoadClients.Request, AutoCloseable {
        @Override
        public LoadClients.Answer send(String label, long ms) throws IOException {
            return connection.get(path.apply(label, ms));
        }

        @Override
        public void close() {
            connection.close();
        }
    }

    /** {@code GET pathAndQuery} on this client's connection, opened now if there is none. */
    public LoadClients.Answer get(String pathAndQuery) throws IOException {
        if (socket == null) {
            open();
        }
        boolean reused = requestsOnThisConnection > 0;
        boolean afterStop = stopping.getAsBoolean();
        requestsOnThisConnection++;
        stats.requests.incrementAndGet();
        stats.mostOnOneConnection.accumulateAndGet(requestsOnThisConnection, Math::max);
        if (reused) {
            stats.onReusedConnection.incrementAndGet();
            if (afterStop) {
                stats.onReusedConnectionAfterStop.incrementAndGet();
            }
        }
        long written = System.nanoTime();
        try {
            out.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            LoadClients.Answer answer = readAnswer();
            if (reused && afterStop) {
                stats.answeredAfterStopOnReused.incrementAndGet();
            }
            return answer;
        } catch (IOException e) {
            if (e instanceof ClosedBeforeAnswer) {
                stats.longestUnansweredMillis.accumulateAndGet(
                        java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - written), Math::max);
            }
            close();
            throw e;
        }
    }

    private void open() throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
            s.setSoTimeout(READ_TIMEOUT_MS);
            s.setTcpNoDelay(true);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        socket = s;
        in = new BufferedInputStream(s.getInputStream());
        out = s.getOutputStream();
        requestsOnThisConnection = 0;
        stats.opened.incrementAndGet();
    }

    private LoadClients.Answer readAnswer() throws IOException {
        String statusLine;
        try {
            statusLine = line(true);
        } catch (java.net.SocketException e) {
            // A reset instead of an answer: the server closed with the request unread.
            stats.closedBeforeAnswer.incrementAndGet();
            throw new ClosedBeforeAnswer("connection reset before an answer (request " + requestsOnThisConnection
                    + " on this connection): " + e.getMessage());
        }
        if (statusLine == null) {
            stats.closedBeforeAnswer.incrementAndGet();
            throw new ClosedBeforeAnswer(
                    "connection closed before an answer (request " + requestsOnThisConnection + " on this connection)");
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x status line: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        long length = -1;
        boolean chunked = false;
        boolean close = parts[0].equals("HTTP/1.0");
        for (String header = line(false); !header.isEmpty(); header = line(false)) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
            if (name.equals("content-length")) {
                length = Long.parseLong(value);
            } else if (name.equals("transfer-encoding")) {
                chunked = value.contains("chunked");
            } else if (name.equals("connection")) {
                close = value.contains("close");
            }
        }
        String body;
        if (chunked) {
            body = chunkedBody();
        } else if (length >= 0) {
            body = new String(in.readNBytes((int) length), StandardCharsets.UTF_8);
        } else {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8); // delimited by the close
            close = true;
        }
        if (close) {
            stats.closedWithAnswer.incrementAndGet();
            close();
        }
        return new LoadClients.Answer(status, body);
    }

    private String chunkedBody() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = line(false);
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                while (!line(false).isEmpty()) {
                    // trailers
                }
                return body.toString(StandardCharsets.UTF_8);
            }
            body.write(in.readNBytes(size));
            line(false);
        }
    }

    /** One line without its CRLF; null at the end of the stream if {@code eofAllowed} and nothing was read. */
    private String line(boolean eofAllowed) throws IOException {
        StringBuilder b = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                if (eofAllowed && b.length() == 0) {
                    return null;
                }
                throw new java.io.EOFException("connection closed in the middle of an answer");
            }
            if (c == '\n') {
                int end = b.length();
                return end > 0 && b.charAt(end - 1) == '\r' ? b.substring(0, end - 1) : b.toString();
            }
            b.append((char) c);
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing a connection the server may have closed already
            }
            socket = null;
        }
    }
}
