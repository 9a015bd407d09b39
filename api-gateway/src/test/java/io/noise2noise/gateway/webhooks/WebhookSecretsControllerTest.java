package io.noise2noise.gateway.webhooks;

import static io.noise2noise.gateway.MvcAnswers.answer;
import static org.hamcrest.Matchers.contains;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.noise2noise.gateway.GatewaySlice;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.MockMvc;

/** Each API key reads only its own webhook secrets; with keys off none are served. */
@WebMvcTest(properties = "spring.config.name=gateway")
@ContextConfiguration(classes = GatewaySlice.class)
class WebhookSecretsControllerTest {

    @Autowired
    private MockMvc mvc;

    @Test
    void withApiKeysOffTheSecretsAreNotServed() throws Exception {
        answer(mvc, get("/v1/webhook-secrets"))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.status").value(404));
    }

    @Nested
    @TestPropertySource(locations = "classpath:api-keys-slice.properties")
    class WithApiKeys {

        @Autowired
        private MockMvc keyed;

        @Test
        void aKeyReadsItsOwnSecretsOnly() throws Exception {
            answer(keyed, get("/v1/webhook-secrets").header(HttpHeaders.AUTHORIZATION, "Bearer key-a"))
                    .andExpect(status().isOk())
                    .andExpect(jsonPath("$.secrets").value(contains("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")));
            answer(keyed, get("/v1/webhook-secrets").header(HttpHeaders.AUTHORIZATION, "Bearer key-b"))
                    .andExpect(status().isOk())
                    .andExpect(jsonPath("$.secrets").isEmpty());
        }

        @Test
        void withoutAKeyTheAnswerIs401() throws Exception {
            answer(keyed, get("/v1/webhook-secrets")).andExpect(status().isUnauthorized());
            answer(keyed, get("/v1/webhook-secrets").header(HttpHeaders.AUTHORIZATION, "Bearer key-c"))
                    .andExpect(status().isUnauthorized());
        }
    }
}
