package io.noise2noise.gateway.models;

import static io.noise2noise.gateway.MvcAnswers.answer;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.noise2noise.gateway.GatewaySlice;
import io.noise2noise.gateway.jobs.GatewayServices;
import io.noise2noise.job.CatalogueKeys;
import io.noise2noise.testing.TestImages;
import java.util.Base64;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.MockMvc;

/** The catalogue's routes and the refusal of unknown models on every submission route, with API keys on. */
@WebMvcTest(properties = "spring.config.name=gateway")
@ContextConfiguration(classes = GatewaySlice.class)
@TestPropertySource(locations = "classpath:api-keys-slice.properties")
class ModelControllerTest {

    private static final byte[] PNG = TestImages.encode(TestImages.scene(40, 30, 3), "png");
    private static final String TEAM_A = "Bearer key-a";

    @Autowired
    private MockMvc mvc;

    @Autowired
    private GatewayServices gateway;

    @BeforeEach
    void twoModels() {
        gateway.objects.list(CatalogueKeys.PREFIX).forEach(gateway.objects::delete);
        gateway.broker.clear();
        gateway.publishModel("impulse", false);
        gateway.publishModel("gaussian", true);
    }

    @Test
    void theCatalogueListsEachModelByNameWithItsCard() throws Exception {
        answer(mvc, get("/v1/models").header(HttpHeaders.AUTHORIZATION, TEAM_A))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.models.length()").value(2))
                .andExpect(jsonPath("$.models[0].name").value("gaussian"))
                .andExpect(jsonPath("$.models[0].default").value(true))
                .andExpect(jsonPath("$.models[0].available").value(true))
                .andExpect(jsonPath("$.models[0].workers").value(1))
                .andExpect(jsonPath("$.models[0].lastSeen").isString())
                .andExpect(jsonPath("$.models[0].card.architecture").value("unet"))
                .andExpect(jsonPath("$.models[0].card.training_pixels").value(1_000_000))
                .andExpect(jsonPath("$.models[0].card.validation.psnr_model").value(28.0))
                .andExpect(jsonPath("$.models[1].name").value("impulse"))
                .andExpect(jsonPath("$.models[1].default").value(false));

        answer(mvc, get("/v1/models/impulse").header(HttpHeaders.AUTHORIZATION, TEAM_A))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.name").value("impulse"))
                .andExpect(jsonPath("$.card.noise").value("gaussian,0,50"));
    }

    @Test
    void anUnknownModelIsA404ProblemNamingTheKnownOnes() throws Exception {
        answer(mvc, get("/v1/models/poisson").header(HttpHeaders.AUTHORIZATION, TEAM_A))
                .andExpect(status().isNotFound())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.detail").value(containsString("known models: gaussian, impulse")));
    }

    @Test
    void theCatalogueNeedsAnApiKeyLikeTheOtherRoutes() throws Exception {
        answer(mvc, get("/v1/models")).andExpect(status().isUnauthorized());
        answer(mvc, get("/v1/models/gaussian").header(HttpHeaders.AUTHORIZATION, "Bearer not-a-key"))
                .andExpect(status().isUnauthorized());
    }

    @Test
    void everySubmissionRouteRefusesAnUnknownModelWith422NamingTheKnownOnes() throws Exception {
        String base64 = Base64.getEncoder().encodeToString(PNG);
        String naming = "unknown model 'poisson'; known models: gaussian, impulse";

        answer(
                        mvc,
                        post("/v1/jobs")
                                .header(HttpHeaders.AUTHORIZATION, TEAM_A)
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("{\"image\":\"" + base64 + "\",\"model\":\"poisson\"}"))
                .andExpect(status().isUnprocessableEntity())
                .andExpect(jsonPath("$.detail").value(containsString(naming)));
        answer(
                        mvc,
                        multipart("/v1/jobs")
                                .file(new MockMultipartFile("file", "in.png", "image/png", PNG))
                                .param("model", "poisson")
                                .header(HttpHeaders.AUTHORIZATION, TEAM_A))
                .andExpect(status().isUnprocessableEntity())
                .andExpect(jsonPath("$.detail").value(containsString(naming)));
        answer(
                        mvc,
                        post("/v1/jobs")
                                .header(HttpHeaders.AUTHORIZATION, TEAM_A)
                                .contentType(MediaType.IMAGE_PNG)
                                .content(PNG)
                                .queryParam("model", "poisson"))
                .andExpect(status().isUnprocessableEntity());
        answer(
                        mvc,
                        post("/")
                                .header(HttpHeaders.AUTHORIZATION, TEAM_A)
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("{\"base64Image\":\"" + base64 + "\",\"model\":\"poisson\"}"))
                .andExpect(status().isOk())
                .andExpect(header().string("X-N2N-Status", "422"))
                .andExpect(jsonPath("$.code").value(-1))
                .andExpect(jsonPath("$.msg").value(containsString(naming)));
        Assertions.assertThat(gateway.broker.history()).isEmpty();

        answer(
                        mvc,
                        post("/v1/jobs")
                                .header(HttpHeaders.AUTHORIZATION, TEAM_A)
                                .contentType(MediaType.IMAGE_PNG)
                                .content(PNG)
                                .queryParam("model", "impulse"))
                .andExpect(status().isAccepted())
                .andExpect(jsonPath("$.model").value("impulse"));
    }
}
