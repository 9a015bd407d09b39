package io.noise2noise.gateway.page;

import static io.noise2noise.gateway.MvcAnswers.answer;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.noise2noise.gateway.GatewaySlice;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.MockMvc;

/**
 * {@code GET /} from a browser is the page, its files are static resources, and with API keys on
 * they load without a key while the API (the legacy {@code POST /} included) still asks for one.
 * What the page does is tried in a real browser by scripts/page_check.py ({@code make test-page}).
 */
@WebMvcTest(properties = "spring.config.name=gateway")
@ContextConfiguration(classes = GatewaySlice.class)
class PageControllerTest {

    @Autowired
    private MockMvc mvc;

    @Test
    void aBrowserAskingForSlashGetsThePageAndItsFiles() throws Exception {
        mvc.perform(get("/").accept(MediaType.TEXT_HTML, MediaType.ALL))
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith(MediaType.TEXT_HTML))
                .andExpect(header().string(HttpHeaders.CACHE_CONTROL, "no-cache"))
                .andExpect(content().string(containsString("<script src=\"/page/page.js\"")));
        mvc.perform(get("/page/page.js"))
                .andExpect(status().isOk())
                .andExpect(content().string(containsString("/v1/jobs")));
        mvc.perform(get("/page/page.css")).andExpect(status().isOk());
    }

    @Test
    void slashStillAnswersTheLegacyContractToPostAndNoPageToOtherMediaTypes() throws Exception {
        answer(mvc, post("/").contentType(MediaType.APPLICATION_JSON).content("{\"base64Image\": \"not base64!\"}"))
                .andExpect(status().isOk())
                .andExpect(header().string("X-N2N-Status", "400"))
                .andExpect(jsonPath("$.code").value(-1));
        mvc.perform(get("/").accept(MediaType.APPLICATION_JSON)).andExpect(status().isNotAcceptable());
    }

    @Nested
    @TestPropertySource(locations = "classpath:api-keys-slice.properties")
    class WithApiKeys {

        @Autowired
        private MockMvc keyed;

        @Test
        void thePageLoadsWithoutAKey() throws Exception {
            keyed.perform(get("/").accept(MediaType.TEXT_HTML)).andExpect(status().isOk());
            keyed.perform(get("/page/page.js")).andExpect(status().isOk());
        }

        @Test
        void theApiStillNeedsOne() throws Exception {
            answer(keyed, post("/").contentType(MediaType.APPLICATION_JSON).content("{\"base64Image\": \"\"}"))
                    .andExpect(header().string("X-N2N-Status", "401"))
                    .andExpect(jsonPath("$.code").value(-1));
            keyed.perform(get("/v1/jobs/abc")).andExpect(status().isUnauthorized());
            keyed.perform(post("/page/page.js")).andExpect(status().isUnauthorized());
            // the filter sees the raw URI: a dot segment after /page/ is not one of the page's files
            keyed.perform(get("/page/../v1/jobs/abc")).andExpect(status().isUnauthorized());
        }
    }
}
