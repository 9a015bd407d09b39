package io.noise2noise.gateway.bodies;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.AsyncHandlerInterceptor;

/**
 * Before a route reads its body: a declared {@code Content-Length} over the route's limit is refused
 * (413), and the body's bytes are reserved from the in-flight budget (503 when they do not fit),
 * until the request is handled or goes asynchronous (its body read by then). Refusals are thrown,
 * so each route's own error advice answers them in its shape (problem details, the legacy envelope).
 */
class BodyLimitInterceptor implements AsyncHandlerInterceptor {

    private static final String RESERVED = BodyLimitInterceptor.class.getName() + ".reserved";

    private final RequestBodies bodies;

    BodyLimitInterceptor(RequestBodies bodies) {
        this.bodies = bodies;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (!(handler instanceof HandlerMethod)
                || !RequestBodies.hasBody(request)
                || request.getAttribute(RESERVED) != null) {
            return true;
        }
        bodies.checkDeclaredLength(request);
        long length = request.getContentLengthLong();
        long reserved = length >= 0 ? length : bodies.limit(request);
        bodies.reserve(reserved);
        request.setAttribute(RESERVED, reserved);
        return true;
    }

    @Override
    public void afterConcurrentHandlingStarted(
            HttpServletRequest request, HttpServletResponse response, Object handler) {
        release(request);
    }

    @Override
    public void afterCompletion(
            HttpServletRequest request, HttpServletResponse response, Object handler, Exception ex) {
        release(request);
    }

    private void release(HttpServletRequest request) {
        if (request.getAttribute(RESERVED) instanceof Long reserved && reserved > 0) {
            bodies.release(reserved);
            // the attribute stays, with nothing left to release: an async re-dispatch reserves nothing again
            request.setAttribute(RESERVED, 0L);
        }
    }
}
