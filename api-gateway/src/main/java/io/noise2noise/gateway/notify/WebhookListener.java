package io.noise2noise.gateway.notify;

import io.noise2noise.job.Job;
import io.noise2noise.job.JobTopics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.DltHandler;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.annotation.RetryableTopic;
import org.springframework.kafka.retrytopic.TopicSuffixingStrategy;
import org.springframework.retry.annotation.Backoff;
import org.springframework.stereotype.Component;

/**
 * Sends each finished job with a webhook to it. The gateways share one consumer group, so each
 * event is delivered by one replica. A failed delivery goes to a retry topic and is tried again
 * after a growing delay without holding up other jobs' webhooks; it survives gateway restarts.
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

    @RetryableTopic(attempts = "${n2n.gateway.webhook-attempts}",
            backoff = @Backoff(delayExpression = "${n2n.gateway.webhook-first-retry-delay-ms}", multiplier = 2.0),
            include = WebhookSender.WebhookDeliveryException.class,
            topicSuffixingStrategy = TopicSuffixingStrategy.SUFFIX_WITH_INDEX_VALUE,
            retryTopicSuffix = "-webhook-retry", dltTopicSuffix = "-webhook-dlt")
    @KafkaListener(topics = "#{__listener.topic()}", groupId = "n2n-gateway-webhooks")
    public void onFinished(Job job) {
        if (job.webhook() != null && job.status().isTerminal()) {
            sender.deliver(job);
        }
    }

    @DltHandler
    public void gaveUp(Job job) {
        log.warn("webhook of job {} to {} not delivered; giving up", job.id(), job.webhook());
    }
}
