#!/bin/sh
# like the official minio/minio entry point: `server /data ...` means `minio server /data ...`
if [ "${1:-}" != "minio" ] && [ -n "${1:-}" ]; then set -- minio "$@"; fi
exec "$@"
