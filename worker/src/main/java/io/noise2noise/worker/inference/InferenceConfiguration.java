package io.noise2noise.worker.inference;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
public class InferenceConfiguration {

    @Bean(destroyMethod = "close")
    ModelRegistry modelRegistry(InferenceProperties properties, ObjectMapper mapper) {
        return new ModelRegistry(properties, mapper);
    }

    @Bean
    Denoiser denoiser(InferenceProperties properties) {
        return new Denoiser(properties.tileSize(), properties.tileOverlap(), properties.tileBatch());
    }
}
