package dev.waituntil.benchmarks.server;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 over a plain socket, just enough for the benchmarks: a {@code GET} written as prepared bytes, and a
 * response read to its end (status line, headers, a body of {@code Content-Length} bytes) without allocating.
 * Chunked responses are refused: the hello servlet always sets a length.
 */
public final class HttpResponses {

    /** What {@link #read} found besides the status. */
    public static final int CONNECTION_CLOSE = 1 << 16;

    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION_CLOSE_HEADER = "connection: close".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding:".getBytes(StandardCharsets.US_ASCII);

    private HttpResponses() {}

    /** {@code GET <path> HTTP/1.1} with a {@code Host} header and keep-alive (HTTP/1.1's default). */
    public static byte[] get(String host, int port, String path) {
        return ("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nUser-Agent: wait-until-bench\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Reads one response from {@code in} into {@code buffer} (at least 8 KiB; its content is lost). Returns the
     * status, or'ed with {@link #CONNECTION_CLOSE} when the server said it closes the connection.
     *
     * @throws EOFException when the connection ends before a whole response
     */
    public static int read(InputStream in, byte[] buffer) throws IOException {
        int length = 0;
        int headerEnd = -1;
        while (headerEnd < 0) {
            if (length == buffer.length) {
                throw new IOException("response headers longer than " + buffer.length + " bytes");
            }
            int n = in.read(buffer, length, buffer.length - length);
            if (n < 0) {
                throw new EOFException("connection closed after " + length + " bytes of a response");
            }
            int from = Math.max(0, length - 3);
            length += n;
            for (int i = from; i + 3 < length; i++) {
                if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n') {
                    headerEnd = i + 4;
                    break;
                }
            }
        }
        if (headerEnd < 12 || buffer[0] != 'H' || buffer[8] != ' ') {
            throw new IOException("not an HTTP response: "
                    + new String(buffer, 0, Math.min(length, 80), StandardCharsets.ISO_8859_1));
        }
        int status = (buffer[9] - '0') * 100 + (buffer[10] - '0') * 10 + (buffer[11] - '0');
        long contentLength = -1;
        boolean close = false;
        // header lines: from the end of the status line to the empty line
        int line = indexOfLineEnd(buffer, 0, headerEnd) + 2;
        while (line < headerEnd - 2) {
            int end = indexOfLineEnd(buffer, line, headerEnd);
            if (startsWithIgnoreCase(buffer, line, end, CONTENT_LENGTH)) {
                contentLength = parseLong(buffer, line + CONTENT_LENGTH.length, end);
            } else if (startsWithIgnoreCase(buffer, line, end, CONNECTION_CLOSE_HEADER)) {
                close = true;
            } else if (startsWithIgnoreCase(buffer, line, end, TRANSFER_ENCODING)) {
                throw new IOException("chunked responses are not supported: the hello servlet sets Content-Length");
            }
            line = end + 2;
        }
        if (contentLength < 0) {
            throw new IOException("response without Content-Length (status " + status + ")");
        }
        long remaining = contentLength - (length - headerEnd);
        if (remaining < 0) {
            throw new IOException("more bytes than the response's Content-Length: the client does not pipeline");
        }
        while (remaining > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
            if (n < 0) {
                throw new EOFException("connection closed with " + remaining + " bytes of the body missing");
            }
            remaining -= n;
        }
        return status | (close ? CONNECTION_CLOSE : 0);
    }

    /**
     * One {@code GET} on a new connection, read to the end of the response; returns the status.
     * For the start-up benchmark's first request.
     */
    public static int getOnce(String host, int port, String path, int timeoutMillis) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(timeoutMillis);
            socket.connect(new InetSocketAddress(host, port), timeoutMillis);
            socket.getOutputStream().write(get(host, port, path));
            return read(socket.getInputStream(), new byte[8192]) & 0xFFFF;
        }
    }

    private static int indexOfLineEnd(byte[] b, int from, int limit) {
        for (int i = from; i + 1 < limit; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return limit;
    }

    private static boolean startsWithIgnoreCase(byte[] b, int from, int end, byte[] lowerPrefix) {
        if (end - from < lowerPrefix.length) {
            return false;
        }
        for (int i = 0; i < lowerPrefix.length; i++) {
            int c = b[from + i];
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != lowerPrefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static long parseLong(byte[] b, int from, int end) throws IOException {
        long value = 0;
        boolean digits = false;
        for (int i = from; i < end; i++) {
            byte c = b[i];
            if (c == ' ' || c == '\t') {
                if (digits) {
                    break;
                }
                continue;
            }
            if (c < '0' || c > '9') {
                throw new IOException("bad Content-Length");
            }
            value = value * 10 + (c - '0');
            digits = true;
        }
        if (!digits) {
            throw new IOException("empty Content-Length");
        }
        return value;
    }
}
