package io.noise2noise.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.noise2noise.storage.ObjectStore;
import org.apache.kafka.clients.admin.Admin;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;

/** Declares the contract's topics (created on start-up by whichever service starts first), the job store and event publisher. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(JobTopics.class)
public class JobContractConfiguration {

    @Bean
    KafkaAdmin.NewTopics jobTopicsDeclaration(JobTopics topics) {
        return new KafkaAdmin.NewTopics(
                TopicBuilder.name(topics.jobs())
                        .partitions(topics.jobPartitions())
                        .build(),
                TopicBuilder.name(topics.deadLetters())
                        .partitions(topics.jobPartitions())
                        .build(),
                TopicBuilder.name(topics.results())
                        .partitions(topics.resultPartitions())
                        .build());
    }

    @Bean
    JobEventPublisher jobEventPublisher(KafkaTemplate<String, Object> kafka, JobTopics topics) {
        return new JobEventPublisher(kafka, topics);
    }

    /** One admin client per service, for the health check and (in the gateway) the backlog; closed on shutdown. */
    @Bean(destroyMethod = "close")
    Admin kafkaAdminClient(KafkaAdmin kafkaAdmin) {
        return Admin.create(kafkaAdmin.getConfigurationProperties());
    }

    @Bean
    KafkaHealthIndicator kafkaHealthIndicator(Admin kafkaAdminClient, JobTopics topics) {
        return new KafkaHealthIndicator(kafkaAdminClient, topics);
    }

    @Bean
    JobStore jobStore(ObjectStore objectStore, ObjectMapper objectMapper) {
        return new JobStore(objectStore, objectMapper);
    }
}
