package io.noise2noise.gateway.webhooks;

import io.noise2noise.gateway.GatewayProperties;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs deliveries off the listener thread, at most {@code max-concurrent} at once and at most
 * {@code max-per-receiver} to one receiver; the rest wait their turn in order, and one that waited
 * longer than the delivery timeout fails without being tried (its retry comes later), so a slow
 * receiver holds only its own slots and each delivery ends within twice the timeout.
 *
 * <p>The future of each delivery is what acknowledges its record (or sends it to a retry topic).
 * Once the gateway begins to stop, outcomes are no longer reported: the records of deliveries not
 * finished by then stay unacknowledged, so Kafka hands them out again (an event already delivered
 * is recognised by its delivery record and not sent twice).
 */
@Component
public class WebhookDispatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

    /** Stops before the listener containers (phase {@code Integer.MAX_VALUE - 100}) so they see no outcome after. */
    private static final int PHASE = Integer.MAX_VALUE - 50;

    private record Pending(Runnable delivery, CompletableFuture<Void> outcome, long queuedAtNanos) {}

    /** Deliveries to one receiver: how many are under way, and those waiting for a slot. */
    private static final class Receiver {
        int underWay;
        final Queue<Pending> waiting = new ArrayDeque<>();
    }

    private final ExecutorService pool;
    private final int perReceiver;
    private final Duration maxWait;
    private final Map<String, Receiver> receivers = new HashMap<>();
    private final AtomicInteger underWay = new AtomicInteger();
    /** Set once the gateway begins to stop; a lifecycle flag of its own, since the containers start first. */
    private volatile boolean stopping;

    private volatile boolean running;
    private volatile long lastFailureNanos = System.nanoTime() - TimeUnit.HOURS.toNanos(1);

    public WebhookDispatcher(GatewayProperties properties) {
        GatewayProperties.Webhooks webhooks = properties.webhooks();
        AtomicInteger threads = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(webhooks.maxConcurrent(), task -> {
            Thread thread = new Thread(task, "n2n-webhook-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.perReceiver = webhooks.maxPerReceiver();
        this.maxWait = webhooks.timeout();
    }

    /** Runs {@code delivery} when {@code receiver} has a free slot; the future ends with it. */
    public CompletableFuture<Void> dispatch(String receiver, Runnable delivery) {
        Pending pending = new Pending(delivery, new CompletableFuture<>(), System.nanoTime());
        if (stopping) {
            return pending.outcome(); // never ends: the record is handed out again
        }
        synchronized (receivers) {
            Receiver state = receivers.computeIfAbsent(receiver, key -> new Receiver());
            if (state.underWay < perReceiver) {
                state.underWay++;
                start(receiver, pending);
            } else {
                state.waiting.add(pending);
            }
        }
        return pending.outcome();
    }

    /** Deliveries started and not finished yet. */
    public int underWay() {
        return underWay.get();
    }

    private void start(String receiver, Pending pending) {
        underWay.incrementAndGet();
        try {
            pool.execute(() -> run(receiver, pending));
        } catch (RejectedExecutionException e) {
            underWay.decrementAndGet(); // stopping: the record is handed out again
        }
    }

    private void run(String receiver, Pending pending) {
        try {
            long waitedNanos = System.nanoTime() - pending.queuedAtNanos();
            if (waitedNanos > maxWait.toNanos()) {
                throw new WebhookSender.WebhookDeliveryException(
                        "receiver " + receiver + " busy: no free slot within " + maxWait.toMillis() + " ms");
            }
            pending.delivery().run();
            report(pending, null);
        } catch (RuntimeException e) {
            report(pending, e);
        } finally {
            underWay.decrementAndGet();
            next(receiver);
        }
    }

    private void next(String receiver) {
        synchronized (receivers) {
            Receiver state = receivers.get(receiver);
            Pending waiting = state.waiting.poll();
            if (waiting != null) {
                start(receiver, waiting);
            } else if (--state.underWay == 0) {
                receivers.remove(receiver);
            }
        }
    }

    private void report(Pending pending, RuntimeException failure) {
        if (stopping) {
            log.debug("gateway stopping: webhook delivery outcome left for redelivery", failure);
            return;
        }
        if (failure == null) {
            pending.outcome().complete(null);
        } else {
            lastFailureNanos = System.nanoTime();
            pending.outcome().completeExceptionally(failure);
        }
    }

    @Override
    public void start() {
        running = true;
    }

    /**
     * From now on no outcome is reported. spring-kafka acknowledges a failed record at once and sends
     * it to its retry topic on the consumer thread's next loop, so a failure reported just before
     * is given that loop before the containers stop and commit.
     */
    @Override
    public void stop() {
        stopping = true;
        running = false;
        long settleNanos = 2 * WebhookListenerConfiguration.POLL_TIMEOUT.toNanos();
        long leftNanos = lastFailureNanos + settleNanos - System.nanoTime();
        if (leftNanos > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(leftNanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        pool.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
