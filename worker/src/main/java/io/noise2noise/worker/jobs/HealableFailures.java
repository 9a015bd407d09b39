package io.noise2noise.worker.jobs;

import io.noise2noise.storage.StorageUnavailableException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.util.Collections;
import java.util.ConcurrentModificationException;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.BrokerNotAvailableException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * The failures that retrying a job can heal, because they come from outside the job: storage or the
 * broker away, a time-out, a worker being stopped. Everything else (an encoder refusing the image's
 * size, a model throwing on this input, a bug) fails the same way on every attempt, so retrying it
 * would only hold the partition, and every job queued behind it, for the whole back-off.
 */
final class HealableFailures {

    private static final List<Class<? extends Throwable>> HEALABLE = List.of(
            // S3 unreachable or answering with errors (MinioObjectStore wraps every S3 failure in it)
            StorageUnavailableException.class,
            // Kafka's transient errors: time-outs, leader elections, network; and a broker away
            RetriableException.class,
            BrokerNotAvailableException.class,
            // any other client's time-out or refused connection
            TimeoutException.class,
            InterruptedIOException.class,
            ConnectException.class,
            // the worker is being stopped: the job is not at fault, its message is redelivered
            InterruptedException.class,
            // a job record's changes kept losing their races (JobStore.advance): contention passes
            ConcurrentModificationException.class);

    private HealableFailures() {}

    /** True if {@code failure} or any of its causes is one that can heal. */
    static boolean canHeal(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            for (Class<? extends Throwable> healable : HEALABLE) {
                if (healable.isInstance(t)) {
                    return true;
                }
            }
        }
        return false;
    }
}
