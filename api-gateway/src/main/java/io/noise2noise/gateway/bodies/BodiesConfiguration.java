package io.noise2noise.gateway.bodies;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Request bodies bounded before they are read: see {@link RequestBodies}. */
@Configuration(proxyBeanMethods = false)
public class BodiesConfiguration implements WebMvcConfigurer {

    private final RequestBodies bodies;

    public BodiesConfiguration(RequestBodies bodies) {
        this.bodies = bodies;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new BodyLimitInterceptor(bodies));
    }

    @Bean
    FilterRegistrationBean<BoundedBodyFilter> boundedBodyFilter() {
        FilterRegistrationBean<BoundedBodyFilter> registration = new FilterRegistrationBean<>(new BoundedBodyFilter(bodies));
        registration.addUrlPatterns("/*");
        return registration;
    }
}
