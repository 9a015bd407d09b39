#!/usr/bin/env bash
# Runs S3Proxy (an S3-compatible server) on a local folder in the foreground, from the jars
# resolved by local-stack/s3-server, through its S3Server (S3Proxy's Main with atomic conditional writes). Usage: s3-server.sh PORT DATA_DIR ACCESS_KEY SECRET_KEY
set -euo pipefail
port=${1:?port}; data_dir=${2:?data dir}; access_key=${3:?access key}; secret_key=${4:?secret key}
here=$(cd "$(dirname "$0")/.." && pwd)
classpath_file="$here/local-stack/s3-server/target/classpath.txt"
[ -f "$classpath_file" ] || { echo "missing $classpath_file: run 'mvn -f local-stack/pom.xml package' first" >&2; exit 1; }
mkdir -p "$data_dir/blobs"
config="$data_dir/s3proxy.properties"
cat > "$config" <<CONF
s3proxy.endpoint=http://127.0.0.1:$port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$access_key
s3proxy.credential=$secret_key
jclouds.provider=filesystem
jclouds.filesystem.basedir=$data_dir/blobs
CONF
cat > "$data_dir/logback.xml" <<CONF
<configuration>
  <appender name="out" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>[s3 %d{HH:mm:ss}] %level %msg \(%logger{20}\)%n</pattern></encoder>
  </appender>
  <root level="WARN"><appender-ref ref="out"/></root>
</configuration>
CONF
exec java -Xmx512m -Dlogback.configurationFile="$data_dir/logback.xml" \
  -cp "$here/local-stack/s3-server/target/classes:$(cat "$classpath_file")" io.noise2noise.localstack.S3Server --properties "$config"
