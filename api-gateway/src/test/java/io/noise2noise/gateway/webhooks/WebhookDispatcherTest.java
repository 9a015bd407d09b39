package io.noise2noise.gateway.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The dispatcher on real threads: slots per receiver and in all, waiting bounded, silence once stopping. */
class WebhookDispatcherTest {

    private static final Duration TIMEOUT = Duration.ofMillis(800);

    private final WebhookDispatcher dispatcher =
            new WebhookDispatcher(WebhookSecurityTest.properties(TIMEOUT, 4, 2, 2048));
    private final CountDownLatch release = new CountDownLatch(1);

    WebhookDispatcherTest() {
        dispatcher.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        dispatcher.stop();
    }

    @Test
    void aStalledReceiverHoldsOnlyItsOwnSlots() throws Exception {
        AtomicInteger stalledAtOnce = new AtomicInteger();
        AtomicInteger mostStalledAtOnce = new AtomicInteger();
        CountDownLatch stalledStarted = new CountDownLatch(2);
        List<CompletableFuture<Void>> stalled = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            stalled.add(dispatcher.dispatch("http://slow:80", () -> {
                mostStalledAtOnce.accumulateAndGet(stalledAtOnce.incrementAndGet(), Math::max);
                stalledStarted.countDown();
                await(release);
                stalledAtOnce.decrementAndGet();
            }));
        }

        long start = System.nanoTime();
        List<CompletableFuture<Void>> others = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            others.add(dispatcher.dispatch("http://fast-" + (i % 2) + ":80", () -> {}));
        }
        CompletableFuture.allOf(others.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        long othersMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.printf(
                "webhook dispatcher: 4 deliveries to other receivers done in %d ms while 2 slots are held "
                        + "by a stalled one%n",
                othersMs);

        assertThat(othersMs).isLessThan(TIMEOUT.toMillis());
        // the slots' threads may start after the fast deliveries finished on a busy machine
        assertThat(stalledStarted.await(5, TimeUnit.SECONDS))
                .as("two deliveries to the stalled receiver start")
                .isTrue();
        assertThat(mostStalledAtOnce.get()).as("per-receiver limit").isEqualTo(2);
        assertThat(stalled.get(2))
                .as("the third to the stalled receiver waits for a slot")
                .isNotDone();
        // the third waits longer than the timeout: it fails without being tried, to be retried later
        Thread.sleep(TIMEOUT.toMillis() + 200);
        release.countDown();
        assertThatThrownBy(() -> stalled.get(2).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(WebhookSender.WebhookDeliveryException.class)
                .hasMessageContaining("busy");
        assertThat(stalled.get(0).get(5, TimeUnit.SECONDS)).isNull();
        assertThat(stalled.get(1).get(5, TimeUnit.SECONDS)).isNull();
        // a slot is given back just after its delivery's future completes, on the delivering thread
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (dispatcher.underWay() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(dispatcher.underWay()).isZero();
    }

    @Test
    void aFailedDeliveryEndsItsFutureExceptionally() {
        CompletableFuture<Void> failed = dispatcher.dispatch("http://a:80", () -> {
            throw new WebhookSender.WebhookDeliveryException("HTTP 503");
        });

        assertThatThrownBy(() -> failed.get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(WebhookSender.WebhookDeliveryException.class);
    }

    @Test
    void onceStoppingNoOutcomeIsReportedSoTheRecordIsHandedOutAgain() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Void> underWay = dispatcher.dispatch("http://a:80", () -> {
            started.countDown();
            await(release);
        });
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();

        dispatcher.stop();
        CompletableFuture<Void> afterStop = dispatcher.dispatch("http://b:80", () -> {});
        Thread.sleep(300);

        assertThat(underWay).isNotDone();
        assertThat(afterStop).isNotDone();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
