package io.noise2noise.gateway.access;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.noise2noise.gateway.GatewayProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
public class AccessConfiguration {

    @Bean
    FilterRegistrationBean<ApiKeyFilter> apiKeyFilter(GatewayProperties properties, ObjectMapper mapper) {
        FilterRegistrationBean<ApiKeyFilter> registration =
                new FilterRegistrationBean<>(new ApiKeyFilter(properties.apiKeys(), mapper));
        registration.addUrlPatterns("/*");
        return registration;
    }
}
