#!/usr/bin/env bash
# Starts a KRaft broker configured like the official apache/kafka image: every KAFKA_X_Y
# environment variable becomes property x.y ('__' -> '_', '___' -> '-'), the storage is
# formatted once with CLUSTER_ID, then kafka.Kafka runs in the foreground.
set -euo pipefail
config=/opt/kafka/config/server.properties
declare -A props=([log.dirs]=/var/lib/kafka/data)
for var in $(compgen -e); do
  case $var in
    KAFKA_HEAP_OPTS|KAFKA_OPTS|KAFKA_LOG4J_OPTS|KAFKA_JVM_PERFORMANCE_OPTS|KAFKA_GC_LOG_OPTS|KAFKA_JMX_OPTS|KAFKA_DEBUG) ;;
    KAFKA_*)
      key=${var#KAFKA_}; key=${key,,}
      key=${key//___/-}; key=${key//__/@}; key=${key//_/.}; key=${key//@/_}
      props[$key]=${!var} ;;
  esac
done
: > "$config"
for key in "${!props[@]}"; do printf '%s=%s\n' "$key" "${props[$key]}" >> "$config"; done
cat > /opt/kafka/config/log4j.properties <<'CONF'
log4j.rootLogger=WARN, stdout
log4j.logger.kafka.server.KafkaRaftServer=INFO
# "Transitioning from RECOVERY to RUNNING": what Testcontainers' KafkaContainer waits for
log4j.logger.kafka.server.BrokerLifecycleManager=INFO
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
CONF
export KAFKA_LOG4J_OPTS="-Dlog4j.configuration=file:/opt/kafka/config/log4j.properties"
/opt/kafka/bin/kafka-storage.sh format --ignore-formatted \
  --cluster-id "${CLUSTER_ID:-5L6g3nShT-eMCtK--X86sw}" --config "$config" > /dev/null
exec /opt/kafka/bin/kafka-server-start.sh "$config"
