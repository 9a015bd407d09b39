package io.noise2noise.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.noise2noise.gateway.access.AccessConfiguration;
import io.noise2noise.gateway.bodies.BodiesConfiguration;
import io.noise2noise.gateway.bodies.RequestBodies;
import io.noise2noise.gateway.jobs.GatewayServices;
import io.noise2noise.gateway.jobs.ImageUrls;
import io.noise2noise.gateway.jobs.JobApiErrors;
import io.noise2noise.gateway.jobs.JobCancellations;
import io.noise2noise.gateway.jobs.JobCompletions;
import io.noise2noise.gateway.jobs.JobController;
import io.noise2noise.gateway.jobs.JobDeletions;
import io.noise2noise.gateway.jobs.JobListing;
import io.noise2noise.gateway.jobs.JobSubmissions;
import io.noise2noise.gateway.jobs.JobWatches;
import io.noise2noise.gateway.jobs.UploadSlots;
import io.noise2noise.gateway.legacy.LegacyController;
import io.noise2noise.gateway.legacy.LegacyErrors;
import io.noise2noise.gateway.models.ModelCatalogue;
import io.noise2noise.gateway.models.ModelController;
import io.noise2noise.gateway.page.PageController;
import io.noise2noise.gateway.webhooks.WebhookDeliveries;
import io.noise2noise.gateway.webhooks.WebhookSecretsController;
import io.noise2noise.image.ImageLimits;
import io.noise2noise.job.JobStore;
import io.noise2noise.storage.ObjectStore;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The web layer of the gateway for {@code @WebMvcTest} slices: its controllers, their error advice,
 * the API key filter and body limits as the application has them, over the real job services of
 * {@link GatewayServices} (in-memory bucket, recording producer). Named with
 * {@code @ContextConfiguration} instead of {@link GatewayApplication}, whose imports connect to S3 and Kafka.
 * Settings come from gateway.yml ({@code spring.config.name=gateway}, as the application reads it).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({GatewayProperties.class, ImageLimits.class})
@Import({
    JobController.class,
    JobApiErrors.class,
    LegacyController.class,
    LegacyErrors.class,
    PageController.class,
    ModelController.class,
    WebhookSecretsController.class,
    AccessConfiguration.class,
    BodiesConfiguration.class,
    RequestBodies.class,
    JsonBodyLimits.class,
    WebhookDeliveries.class
})
public class GatewaySlice {

    @Bean(destroyMethod = "close")
    GatewayServices gatewayServices(GatewayProperties properties, ImageLimits imageLimits, ObjectMapper mapper) {
        return new GatewayServices(properties, imageLimits, mapper, true);
    }

    @Bean
    ObjectStore objectStore(GatewayServices services) {
        return services.objects;
    }

    @Bean
    JobStore jobStore(GatewayServices services) {
        return services.jobs;
    }

    @Bean
    JobSubmissions jobSubmissions(GatewayServices services) {
        return services.submissions;
    }

    @Bean
    JobCancellations jobCancellations(GatewayServices services) {
        return services.cancellations;
    }

    @Bean
    JobCompletions jobCompletions(GatewayServices services) {
        return services.completions;
    }

    @Bean
    JobListing jobListing(GatewayServices services) {
        return services.listing;
    }

    @Bean
    JobDeletions jobDeletions(GatewayServices services) {
        return services.deletions;
    }

    @Bean
    UploadSlots uploadSlots(GatewayServices services) {
        return services.uploadSlots;
    }

    @Bean
    ModelCatalogue modelCatalogue(GatewayServices services) {
        return services.catalogue;
    }

    @Bean
    JobWatches jobWatches(GatewayServices services, GatewayProperties properties) {
        return new JobWatches(services.jobs, services.completions, properties);
    }

    @Bean
    ImageUrls imageUrls(
            GatewayServices services, RequestBodies bodies, ImageLimits limits, GatewayProperties properties) {
        return new ImageUrls(services.webhookTargets, bodies, limits, properties);
    }
}
