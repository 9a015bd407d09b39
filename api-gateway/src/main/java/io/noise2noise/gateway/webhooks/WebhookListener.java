package io.noise2noise.gateway.webhooks;

import io.noise2noise.job.Job;
import io.noise2noise.job.JobTopics;
import io.noise2noise.job.WebhookEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.DltHandler;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.annotation.RetryableTopic;
import org.springframework.kafka.retrytopic.TopicSuffixingStrategy;
import org.springframework.retry.annotation.Backoff;
import org.springframework.stereotype.Component;

/**
 * Sends each job event a client asked for ({@code start}, {@code completed}) to its webhook. The
 * gateways share one consumer group, so each event is delivered by one replica. A failed delivery
 * goes to a retry topic and is tried again after a growing, jittered delay without holding up other
 * jobs' webhooks; being in Kafka, it survives gateway restarts.
 */
@Component
public class WebhookListener {

    private static final Logger log = LoggerFactory.getLogger(WebhookListener.class);

    private final WebhookSender sender;
    private final JobTopics topics;

    public WebhookListener(WebhookSender sender, JobTopics topics) {
        this.sender = sender;
        this.topics = topics;
    }

    public String topic() {
        return topics.results();
    }

    @RetryableTopic(attempts = "${n2n.gateway.webhooks.attempts}",
            backoff = @Backoff(delayExpression = "${n2n.gateway.webhooks.first-retry-delay-ms}", multiplier = 2.0,
                    random = true, maxDelay = 600_000),
            include = WebhookSender.WebhookDeliveryException.class,
            topicSuffixingStrategy = TopicSuffixingStrategy.SUFFIX_WITH_INDEX_VALUE,
            retryTopicSuffix = "-webhook-retry", dltTopicSuffix = "-webhook-dlt")
    @KafkaListener(topics = "#{__listener.topic()}", groupId = "n2n-gateway-webhooks")
    public void onJobEvent(Job job) {
        WebhookEvent event = WebhookEvent.of(job.status());
        if (job.spec().notifies(event)) {
            sender.deliver(job, event);
        }
    }

    @DltHandler
    public void gaveUp(Job job) {
        log.warn("webhook of job {} ({}) to {} not delivered; giving up", job.id(),
                WebhookEvent.of(job.status()).wireName(), job.spec().webhook());
    }
}
