package io.noise2noise.gateway.webhooks;

import io.noise2noise.job.Job;
import io.noise2noise.job.JobTopics;
import io.noise2noise.job.WebhookEvent;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.kafka.annotation.DltHandler;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.annotation.RetryableTopic;
import org.springframework.kafka.config.KafkaListenerConfigUtils;
import org.springframework.kafka.listener.KafkaConsumerBackoffManager;
import org.springframework.kafka.retrytopic.TopicSuffixingStrategy;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.handler.annotation.Header;
import org.springframework.retry.annotation.Backoff;
import org.springframework.stereotype.Component;

/**
 * Sends each job event a client asked for ({@code start}, {@code completed}) to its webhook. The
 * gateways share one consumer group, so each event is delivered by one replica. Deliveries run
 * concurrently ({@link WebhookDispatcher}), each bounded by the webhook timeout, and a record is
 * acknowledged only when its delivery ends, so one not finished when a gateway stops is handed out
 * again. A failed delivery goes to a retry topic and is tried again after a growing, jittered delay
 * without holding up other jobs' webhooks; being in Kafka, it survives gateway restarts.
 *
 * <p>A receiver's {@code Retry-After} is kept in the event's delivery record; a retry that comes due
 * before it backs off again through spring-kafka's {@link KafkaConsumerBackoffManager}, the same way
 * the retry topics wait for their own delay: the partition is paused until then, no thread sleeps.
 */
@Component
public class WebhookListener {

    static final String LISTENER_ID = "n2n-gateway-webhooks";

    private static final Logger log = LoggerFactory.getLogger(WebhookListener.class);

    private final WebhookSender sender;
    private final WebhookDispatcher dispatcher;
    private final JobTopics topics;
    private final ObjectProvider<KafkaConsumerBackoffManager> backoffManager;

    /**
     * @param backoffManager registered by spring-kafka while it sets up the retry topics, after this
     *                       bean exists, hence looked up when first needed
     */
    public WebhookListener(
            WebhookSender sender,
            WebhookDispatcher dispatcher,
            JobTopics topics,
            @Qualifier(KafkaListenerConfigUtils.KAFKA_CONSUMER_BACK_OFF_MANAGER_BEAN_NAME)
                    ObjectProvider<KafkaConsumerBackoffManager> backoffManager) {
        this.sender = sender;
        this.dispatcher = dispatcher;
        this.topics = topics;
        this.backoffManager = backoffManager;
    }

    public String topic() {
        return topics.results();
    }

    /**
     * Hands the delivery to the {@link WebhookDispatcher} and returns at once; the record is
     * acknowledged when the returned future ends, or, when it fails, sent on to the next retry topic.
     * What is known before the delivery (already delivered, or the receiver's {@code Retry-After} not
     * over yet) is settled here, on the consumer thread, where a retry topic's partition can be paused.
     */
    // as many partitions as the results topic: a failed record goes to its own partition number there, and a
    // producer that does not know yet that a smaller retry topic lacks it blocks for a minute, then loses it
    @RetryableTopic(
            attempts = "#{@" + WebhookListenerConfiguration.RETRY_SETTINGS + ".attempts()}",
            numPartitions = "#{@" + WebhookListenerConfiguration.RETRY_SETTINGS + ".partitions()}",
            backoff =
                    @Backoff(
                            delayExpression =
                                    "#{@" + WebhookListenerConfiguration.RETRY_SETTINGS + ".firstRetryDelayMs()}",
                            multiplier = 2.0,
                            random = true,
                            maxDelay = 600_000),
            exclude = WebhookSender.WebhookRefusedException.class,
            listenerContainerFactory = WebhookListenerConfiguration.RETRY_CONTAINER_FACTORY,
            topicSuffixingStrategy = TopicSuffixingStrategy.SUFFIX_WITH_INDEX_VALUE,
            retryTopicSuffix = "-webhook-retry",
            dltTopicSuffix = "-webhook-dlt")
    @KafkaListener(
            id = LISTENER_ID,
            topics = "#{__listener.topic()}",
            groupId = "n2n-gateway-webhooks",
            containerFactory = WebhookListenerConfiguration.CONTAINER_FACTORY)
    public CompletableFuture<Void> onJobEvent(
            Job job,
            @Header(KafkaHeaders.RECEIVED_TOPIC) String topic,
            @Header(KafkaHeaders.RECEIVED_PARTITION) int partition,
            Consumer<?, ?> consumer) {
        WebhookEvent event = WebhookEvent.of(job.status());
        if (!job.spec().notifies(event)) {
            return CompletableFuture.completedFuture(null);
        }
        try {
            if (!sender.due(job, event)) {
                return CompletableFuture.completedFuture(null);
            }
        } catch (WebhookSender.NotDueException e) {
            if (topic.equals(topic())) {
                // the event published again while its retry waits: that retry delivers it
                log.debug("webhook of job {} ({}) already waits for a retry", job.id(), event.wireName());
                return CompletableFuture.completedFuture(null);
            }
            KafkaConsumerBackoffManager manager = backoffManager.getObject();
            // throws KafkaBackoffException: the container pauses this partition and hands the record out again
            manager.backOffIfNecessary(manager.createContext(
                    e.notBefore().toEpochMilli(),
                    retryListenerId(topic),
                    new TopicPartition(topic, partition),
                    consumer));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e); // e.g. storage unavailable: retried like a failed delivery
        }
        CompletableFuture<Void> delivery =
                dispatcher.dispatch(WebhookTargets.receiver(job.spec().webhook()), () -> sender.deliver(job, event));
        if (topic.equals(topic())) {
            return delivery;
        }
        // retries are delivered on their topic's consumer thread and acknowledged in order: an asynchronous
        // failure racing a retry topic's back-off pause was seen to leave a record neither retried nor given up
        try {
            delivery.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException failure ? failure : e;
        }
        return CompletableFuture.completedFuture(null);
    }

    /** spring-kafka names a retry topic's container as the topic: the main one's id plus the topic's suffix. */
    private String retryListenerId(String retryTopic) {
        return LISTENER_ID + retryTopic.substring(topic().length());
    }

    @DltHandler
    public void gaveUp(Job job) {
        log.warn(
                "webhook of job {} ({}) to {} not delivered; giving up",
                job.id(),
                WebhookEvent.of(job.status()).wireName(),
                job.spec().webhook());
    }
}
