package dev.waituntil.benchmarks.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A closed-loop HTTP load generator: {@code connections} threads, each with one keep-alive connection over a
 * plain blocking {@link Socket}, each sending the next {@code GET} as soon as it has read the previous response
 * (no pipelining, no think time). The request is prepared once as bytes and the response is parsed in place
 * ({@link HttpResponses#read}), so the client allocates nothing per request and spends as little CPU as a Java
 * client can: on a machine where client and server share the processors, whatever the client does not use is
 * left to the server.
 *
 * <p>Requests are counted from the start; {@link #run} reads the counters at the beginning and the end of the
 * measured window, and latencies are recorded only inside it.
 */
public final class LoadClient {

    /**
     * What one measured window gave; {@code serverCpuNanos} and {@code clientCpuNanos}: the CPU time the server's
     * process and this one used in the window (-1 where unknown).
     */
    public record Result(
            long requests,
            double seconds,
            long errors,
            long reconnects,
            Latency latency,
            long serverCpuNanos,
            long clientCpuNanos) {
        public double throughput() {
            return requests / seconds;
        }

        /** Server CPU time per request, in microseconds: NaN where unknown. */
        public double serverCpuMicrosPerRequest() {
            return serverCpuNanos < 0 || requests == 0 ? Double.NaN : serverCpuNanos / 1000.0 / requests;
        }

        /** Client CPU time per request, in microseconds: NaN where unknown. */
        public double clientCpuMicrosPerRequest() {
            return clientCpuNanos < 0 || requests == 0 ? Double.NaN : clientCpuNanos / 1000.0 / requests;
        }
    }

    private final String host;
    private final int port;
    private final String path;
    private final int connections;

    public LoadClient(String host, int port, String path, int connections) {
        this.host = host;
        this.port = port;
        this.path = path;
        this.connections = connections;
    }

    /**
     * Warms up for {@code warmupMillis} (requests sent and discarded), then measures for {@code measureMillis};
     * {@code serverPid}: the server's process, whose CPU time is read at both ends of the window.
     */
    public Result run(long warmupMillis, long measureMillis, long serverPid) throws InterruptedException {
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Worker w = new Worker(i);
            workers.add(w);
        }
        for (Worker w : workers) {
            w.thread.start();
        }
        try {
            Thread.sleep(warmupMillis);
            for (Worker w : workers) {
                w.measuring = true;
            }
            long requests0 = 0;
            long errors0 = 0;
            long reconnects0 = 0;
            for (Worker w : workers) {
                requests0 += w.requests;
                errors0 += w.errors;
                reconnects0 += w.reconnects;
            }
            long serverCpu0 = Quiet.processCpuNanos(serverPid);
            long clientCpu0 = Quiet.processCpuNanos(ProcessHandle.current().pid());
            long t0 = System.nanoTime();
            Thread.sleep(measureMillis);
            long serverCpu1 = Quiet.processCpuNanos(serverPid);
            long clientCpu1 = Quiet.processCpuNanos(ProcessHandle.current().pid());
            long requests1 = 0;
            long errors1 = 0;
            long reconnects1 = 0;
            for (Worker w : workers) {
                requests1 += w.requests;
                errors1 += w.errors;
                reconnects1 += w.reconnects;
            }
            long t1 = System.nanoTime();
            for (Worker w : workers) {
                w.measuring = false;
            }
            Latency latency = new Latency();
            for (Worker w : workers) {
                latency.add(w.latency);
            }
            return new Result(
                    requests1 - requests0,
                    (t1 - t0) / 1e9,
                    errors1 - errors0,
                    reconnects1 - reconnects0,
                    latency,
                    serverCpu0 < 0 || serverCpu1 < 0 ? -1 : serverCpu1 - serverCpu0,
                    clientCpu0 < 0 || clientCpu1 < 0 ? -1 : clientCpu1 - clientCpu0);
        } finally {
            for (Worker w : workers) {
                w.stop();
            }
            for (Worker w : workers) {
                w.thread.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
    }

    private final class Worker implements Runnable {
        final Thread thread;
        final Latency latency = new Latency();
        volatile boolean running = true;
        volatile boolean measuring;
        volatile long requests;
        volatile long errors;
        volatile long reconnects;
        private volatile Socket socket;
        private String lastError;

        Worker(int index) {
            this.thread = new Thread(this, "load-" + index);
            this.thread.setDaemon(true);
        }

        @Override
        public void run() {
            byte[] request = HttpResponses.get(host, port, path);
            byte[] buffer = new byte[8192];
            while (running) {
                try (Socket s = new Socket()) {
                    socket = s;
                    s.setTcpNoDelay(true);
                    s.connect(new InetSocketAddress(host, port), 5000);
                    s.setSoTimeout(30000);
                    OutputStream out = s.getOutputStream();
                    InputStream in = s.getInputStream();
                    while (running) {
                        long start = System.nanoTime();
                        out.write(request);
                        int answer = HttpResponses.read(in, buffer);
                        long end = System.nanoTime();
                        if ((answer & 0xFFFF) == 200) {
                            requests++;
                            if (measuring) {
                                latency.record(end - start);
                            }
                        } else {
                            errors++;
                            lastError = "status " + (answer & 0xFFFF);
                        }
                        if ((answer & HttpResponses.CONNECTION_CLOSE) != 0) {
                            break;
                        }
                    }
                } catch (IOException e) {
                    if (running) {
                        errors++;
                        lastError = e.toString();
                        sleepQuietly();
                    }
                }
                if (running) {
                    reconnects++;
                }
            }
        }

        void stop() {
            running = false;
            Socket s = socket;
            if (s != null) {
                try {
                    s.close();
                } catch (IOException e) {
                    // stopping anyway
                }
            }
        }

        private void sleepQuietly() {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    /**
     * Latencies in a fixed histogram: 1 µs buckets up to 10 ms, 100 µs buckets up to 1 s, then one overflow
     * bucket. Written by one worker, merged after the window.
     */
    public static final class Latency {
        private static final int FINE = 10_000; // 0..9 999 µs
        private static final int COARSE = 9_900; // 10 ms..999.9 ms in 100 µs steps
        private final long[] counts = new long[FINE + COARSE + 1];
        private long total;

        void record(long nanos) {
            long micros = nanos / 1000;
            int index;
            if (micros < FINE) {
                index = (int) micros;
            } else if (micros < 1_000_000) {
                index = FINE + (int) ((micros - FINE) / 100);
            } else {
                index = FINE + COARSE;
            }
            counts[index]++;
            total++;
        }

        void add(Latency other) {
            for (int i = 0; i < counts.length; i++) {
                counts[i] += other.counts[i];
            }
            total += other.total;
        }

        /** The latency in microseconds below which {@code fraction} of the requests lie (upper bound of its bucket). */
        public double percentileMicros(double fraction) {
            if (total == 0) {
                return Double.NaN;
            }
            long rank = (long) Math.ceil(fraction * total);
            long seen = 0;
            for (int i = 0; i < counts.length; i++) {
                seen += counts[i];
                if (seen >= rank) {
                    return i < FINE
                            ? i + 1
                            : i < FINE + COARSE ? FINE + (i - FINE + 1) * 100.0 : Double.POSITIVE_INFINITY;
                }
            }
            return Double.POSITIVE_INFINITY;
        }
    }
}
