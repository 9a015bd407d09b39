package io.noise2noise.storage;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/** Up when the bucket answers; part of readiness, so a replica that cannot reach S3 gets no traffic. */
public class StorageHealthIndicator implements HealthIndicator {

    private static final String PROBE_KEY = "health/probe";

    private final ObjectStore objects;

    public StorageHealthIndicator(ObjectStore objects) {
        this.objects = objects;
    }

    @Override
    public Health health() {
        try {
            objects.exists(PROBE_KEY);
            return Health.up().build();
        } catch (StorageUnavailableException e) {
            return Health.down().withDetail("error", e.getMessage()).build();
        }
    }
}
