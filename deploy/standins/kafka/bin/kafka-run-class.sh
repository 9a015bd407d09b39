#!/usr/bin/env bash
# kafka-run-class.sh CLASS ARGS...: java with the Kafka jars (stand-in for the official script)
log4j=${KAFKA_LOG4J_OPTS:--Dlog4j.configuration=file:/opt/kafka/config/tools-log4j.properties}
[ -f /opt/kafka/config/tools-log4j.properties ] || printf '%s\n' 'log4j.rootLogger=ERROR, stderr' \
  'log4j.appender.stderr=org.apache.log4j.ConsoleAppender' 'log4j.appender.stderr.Target=System.err' \
  'log4j.appender.stderr.layout=org.apache.log4j.PatternLayout' \
  'log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n' \
  > /opt/kafka/config/tools-log4j.properties 2>/dev/null || true
# shellcheck disable=SC2086
exec java ${KAFKA_HEAP_OPTS:--Xmx128m} ${KAFKA_OPTS:-} $log4j -cp '/opt/kafka/libs/*' "$@"
