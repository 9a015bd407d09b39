package io.noise2noise.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * HTTP/1.1 on a plain socket, for what a client library will not do: declare a body it never sends,
 * send an endless chunked body, read a large response into one reused buffer.
 */
public final class RawHttp implements AutoCloseable {

    private static final int READ_TIMEOUT_MS = 30_000;

    private final Socket socket;
    private final String host;

    private RawHttp(String baseUrl) {
        URI uri = URI.create(baseUrl);
        try {
            socket = new Socket(uri.getHost(), uri.getPort());
            socket.setSoTimeout(READ_TIMEOUT_MS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        host = uri.getHost() + ":" + uri.getPort();
    }

    public static RawHttp connect(String baseUrl) {
        return new RawHttp(baseUrl);
    }

    /** A response's status line, lower-cased headers (one string) and body (up to 1 MB kept). */
    public record Response(int status, String headers, String body, long bodyBytes) {

        public boolean hasHeader(String name, String valueStart) {
            return headers.contains("\n" + name.toLowerCase(Locale.ROOT) + ": " + valueStart.toLowerCase(Locale.ROOT));
        }
    }

    /** Sends the request line and headers ({@code "Name: value"} each), then {@code body}; the connection stays open. */
    public RawHttp send(String method, String path, byte[] body, String... headers) {
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
        for (String header : headers) {
            head.append(header).append("\r\n");
        }
        head.append("\r\n");
        try {
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /**
     * Sends {@code start}, then {@code filler} as 64 KB chunks, up to {@code maxBytes} or until the
     * server stops reading (closes, resets); returns the bytes of body the socket took.
     */
    public long sendChunked(byte[] start, byte filler, long maxBytes) {
        byte[] chunk = new byte[64 << 10];
        Arrays.fill(chunk, filler);
        long sent = 0;
        try {
            OutputStream out = socket.getOutputStream();
            if (start.length > 0) {
                // a chunk of no bytes would end the body
                writeChunk(out, start, start.length);
                sent += start.length;
            }
            while (sent < maxBytes) {
                writeChunk(out, chunk, chunk.length);
                sent += chunk.length;
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            // the server stopped reading: what it refused with is in the response
        }
        return sent;
    }

    private static void writeChunk(OutputStream out, byte[] data, int length) throws IOException {
        out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(data, 0, length);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    /** Reads one response; a body of {@code Content-Length} is read through a reused buffer, its first 1 MB kept. */
    public Response read() {
        try {
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            int status = Integer.parseInt(head.substring(9, 12));
            String headers = head.toLowerCase(Locale.ROOT);
            long length = contentLength(headers);
            ByteArrayOutputStream kept = new ByteArrayOutputStream();
            long read = 0;
            byte[] buffer = new byte[64 << 10];
            if (length >= 0) {
                while (read < length) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - read));
                    if (n < 0) {
                        break;
                    }
                    if (kept.size() < (1 << 20)) {
                        kept.write(buffer, 0, Math.min(n, (1 << 20) - kept.size()));
                    }
                    read += n;
                }
            } else if (headers.contains("\ntransfer-encoding: chunked")) {
                read = readChunked(in, kept);
            }
            return new Response(status, headers, kept.toString(StandardCharsets.UTF_8), read);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The body of a small chunked response (problem details, the legacy envelope). */
    private static long readChunked(InputStream in, ByteArrayOutputStream kept) throws IOException {
        long total = 0;
        while (true) {
            int size = Integer.parseInt(readLine(in).strip(), 16);
            if (size == 0) {
                readLine(in);
                return total;
            }
            kept.write(in.readNBytes(size));
            readLine(in);
            total += size;
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        String line;
        while (!(line = readLine(in)).isEmpty()) {
            head.append(line).append('\n');
        }
        return head.toString();
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        if (c < 0 && line.isEmpty()) {
            throw new IOException("the connection closed before a response");
        }
        return line.toString();
    }

    private static long contentLength(String headers) {
        int at = headers.indexOf("\ncontent-length: ");
        if (at < 0) {
            return -1;
        }
        int end = headers.indexOf('\n', at + 1);
        return Long.parseLong(
                headers.substring(at + "\ncontent-length: ".length(), end).strip());
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing: nothing left to do with it
        }
    }
}
