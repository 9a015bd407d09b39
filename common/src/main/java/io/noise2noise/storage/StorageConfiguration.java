package io.noise2noise.storage;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(StorageProperties.class)
public class StorageConfiguration {

    @Bean
    ObjectStore objectStore(StorageProperties properties) {
        return MinioObjectStore.connect(properties);
    }

    @Bean
    StorageHealthIndicator storageHealthIndicator(ObjectStore objectStore) {
        return new StorageHealthIndicator(objectStore);
    }
}
