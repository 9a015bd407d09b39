package io.noise2noise.gateway.bodies;

import io.noise2noise.image.ImageLimits;
import jakarta.servlet.MultipartConfigElement;
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

    /**
     * Multipart bodies are parsed by the server, so their limits are set here from the same
     * {@code n2n.images.max-bytes}: the file at most that, the whole body the multipart route's limit
     * (also without {@code Content-Length}: the server counts while it parses).
     */
    @Bean
    MultipartConfigElement multipartConfig(ImageLimits limits) {
        return new MultipartConfigElement("", limits.maxBytes().toBytes(), bodies.multipartLimit(), 0);
    }

    @Bean
    FilterRegistrationBean<BoundedBodyFilter> boundedBodyFilter() {
        FilterRegistrationBean<BoundedBodyFilter> registration =
                new FilterRegistrationBean<>(new BoundedBodyFilter(bodies));
        registration.addUrlPatterns("/*");
        return registration;
    }
}
