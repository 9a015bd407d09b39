#!/usr/bin/env bash
# Runs one Apache Kafka broker in KRaft mode (combined broker + controller) in the foreground,
# from the jars resolved by local-stack/kafka-broker. Usage: kafka-broker.sh PORT CONTROLLER_PORT DATA_DIR
set -euo pipefail
port=${1:?port}; controller_port=${2:?controller port}; data_dir=${3:?data dir}
here=$(cd "$(dirname "$0")/.." && pwd)
classpath_file="$here/local-stack/kafka-broker/target/classpath.txt"
[ -f "$classpath_file" ] || { echo "missing $classpath_file: run 'mvn -f local-stack/pom.xml package' first" >&2; exit 1; }
mkdir -p "$data_dir/logs"
config="$data_dir/server.properties"
cat > "$config" <<CONF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$data_dir/logs
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
CONF
cat > "$data_dir/log4j.properties" <<CONF
log4j.rootLogger=WARN, stdout
log4j.logger.kafka.server.KafkaRaftServer=INFO
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[kafka %d{HH:mm:ss}] %p %m (%c)%n
CONF
java_opts=(-Xmx512m -Dlog4j.configuration="file:$data_dir/log4j.properties" -cp "$(cat "$classpath_file")")
if [ ! -f "$data_dir/logs/meta.properties" ]; then
  java "${java_opts[@]}" kafka.tools.StorageTool format --ignore-formatted \
    --cluster-id "$(java "${java_opts[@]}" kafka.tools.StorageTool random-uuid)" --config "$config" >/dev/null
fi
exec java "${java_opts[@]}" kafka.Kafka "$config"
