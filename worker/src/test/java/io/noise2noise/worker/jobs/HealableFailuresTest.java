package io.noise2noise.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.noise2noise.storage.StorageUnavailableException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.concurrent.ExecutionException;
import javax.imageio.IIOException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.KafkaProducerException;
import org.springframework.kafka.listener.ListenerExecutionFailedException;

class HealableFailuresTest {

    @Test
    void outagesOfStorageAndBrokerAndTimeOutsCanHealAlsoWhenWrapped() {
        assertThat(HealableFailures.canHeal(new StorageUnavailableException("S3 get failed", new ConnectException())))
                .isTrue();
        // how a broker time-out reaches the listener: publisher's wrapper around spring-kafka's around Kafka's
        assertThat(HealableFailures.canHeal(new ListenerExecutionFailedException(
                        "listener threw",
                        new IllegalStateException(
                                "could not publish",
                                new KafkaProducerException(null, "send failed", new TimeoutException("metadata"))))))
                .isTrue();
        assertThat(HealableFailures.canHeal(new NotLeaderOrFollowerException())).isTrue();
        assertThat(HealableFailures.canHeal(new IllegalStateException(new SocketTimeoutException())))
                .isTrue();
        assertThat(HealableFailures.canHeal(new IllegalStateException(new InterruptedException())))
                .isTrue();
    }

    @Test
    void failuresThatRepeatOnEveryAttemptDoNot() {
        // the JPEG writer refusing a 65 536-pixel width, as ImageCodec.encode throws it
        assertThat(HealableFailures.canHeal(new IllegalStateException(
                        "could not encode jpeg",
                        new IIOException("Maximum supported image dimension is 65500 pixels"))))
                .isFalse();
        assertThat(HealableFailures.canHeal(new ListenerExecutionFailedException(
                        "listener threw",
                        new IllegalStateException(
                                "could not publish", new ExecutionException(new RecordTooLargeException())))))
                .isFalse();
        assertThat(HealableFailures.canHeal(new IllegalArgumentException("bad")))
                .isFalse();
        assertThat(HealableFailures.canHeal(new IOException("not a time-out"))).isFalse();
    }

    @Test
    void aCauseCycleEnds() {
        IllegalStateException first = new IllegalStateException("first");
        IllegalStateException second = new IllegalStateException("second", first);
        first.initCause(second);
        assertThat(HealableFailures.canHeal(first)).isFalse();
    }
}
