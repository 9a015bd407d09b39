package io.noise2noise.gateway.bodies;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A body without {@code Content-Length} (chunked) cannot be refused before it is read: it is read
 * through a stream that fails with {@link BodyTooLargeException} once it passes its route's limit,
 * so no reader holds more. (A declared length is the server's to enforce, and checked against the
 * limit before reading by {@link BodyLimitInterceptor}; multipart bodies are parsed by the server,
 * bounded by {@code spring.servlet.multipart.max-request-size}.)
 */
class BoundedBodyFilter extends OncePerRequestFilter {

    private final RequestBodies bodies;

    BoundedBodyFilter(RequestBodies bodies) {
        this.bodies = bodies;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return request.getContentLengthLong() >= 0 || !RequestBodies.hasBody(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long limit = bodies.limit(request);
        chain.doFilter(
                new HttpServletRequestWrapper(request) {
                    private ServletInputStream bounded;

                    @Override
                    public ServletInputStream getInputStream() throws IOException {
                        if (bounded == null) {
                            bounded = new BoundedInputStream(
                                    request.getInputStream(), limit, bodies.tooLargeMessage(-1, limit));
                        }
                        return bounded;
                    }
                },
                response);
    }

    private static final class BoundedInputStream extends ServletInputStream {

        private final ServletInputStream in;
        private final long limit;
        private final String message;
        private long read;

        BoundedInputStream(ServletInputStream in, long limit, String message) {
            this.in = in;
            this.limit = limit;
            this.message = message;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            // one byte past the limit is enough to know
            int n = in.read(buffer, offset, (int) Math.min(length, limit - read + 1));
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws BodyTooLargeException {
            read += n;
            if (read > limit) {
                throw new BodyTooLargeException(message);
            }
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }
}
