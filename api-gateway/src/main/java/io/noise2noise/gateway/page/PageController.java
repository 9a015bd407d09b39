package io.noise2noise.gateway.page;

import io.swagger.v3.oas.annotations.Hidden;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The page to try the service in a browser: {@code GET /} asking for HTML. An explicit route, not
 * Spring Boot's welcome page, since the legacy {@code POST /} mapping answers every other method on
 * {@code /} with 405 before the welcome page is looked at. The page's scripts and styles are static
 * resources under {@link #ASSETS}; it calls only the public {@code /v1} API, and is no part of the
 * API document.
 */
@Hidden
@RestController
public class PageController {

    /** Where the page's own files are served from (static/page/ on the class path); open with API keys on. */
    public static final String ASSETS = "/page/";

    private static final Resource PAGE = new ClassPathResource("static/page/index.html");

    @GetMapping(path = "/", produces = MediaType.TEXT_HTML_VALUE)
    public ResponseEntity<Resource> page() {
        // revalidated on every load, so a new gateway's page is never mixed with an old one's scripts
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noCache())
                .contentType(MediaType.TEXT_HTML)
                .body(PAGE);
    }
}
