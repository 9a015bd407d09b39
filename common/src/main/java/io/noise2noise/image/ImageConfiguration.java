package io.noise2noise.image;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ImageLimits.class)
public class ImageConfiguration {

    @Bean
    ImageCodec imageCodec(ImageLimits limits) {
        return new ImageCodec(limits);
    }
}
