# noise2noise — README's two commands:
#   make run    build everything and run the whole system on loopback (Kafka, S3, gateway, worker)
#   make test   build everything and run every test suite (models/, Java, the Python client, k8s manifests, containers)
# the Maven wrapper pins Maven (3.9.16, fetched from Maven Central into ~/.m2/wrapper on first use)
MVN ?= ./mvnw -B -ntp

.PHONY: build run test test-java test-models test-clients docs-check format k8s-lint container-check test-containers fresh-root-check bench clean

build:
	$(MVN) -q package -DskipTests

run: build
	scripts/run-local.sh

# the container steps run last: they need root and podman (installed from apt when missing)
test: docs-check test-models test-java test-clients k8s-lint container-check test-containers

# every module's tests; the root project also checks formatting (spotless) and lint rules (checkstyle)
test-java:
	$(MVN) verify

# rewrites all Java to the project's formatting (palantir-java-format); `make test` fails on any drift
format:
	$(MVN) -N spotless:apply

# every relative link and anchor in README.md and docs/ points at something that exists
docs-check:
	python3 scripts/check-doc-links.py

test-models:
	$(MAKE) -C models venv
	$(MAKE) -C models test

# the Python client and the n2n command line (clients/python): lint, types, unit tests, and end-to-end
# tests against the whole system on loopback (Kafka, S3Proxy, gateway, worker) from the built jars
test-clients: build
	$(MAKE) -C clients/python venv
	$(MAKE) -C clients/python test

# validates deploy/k8s offline (kubeconform + the Kubernetes schemas from PyPI), and that it rejects broken manifests
k8s-lint:
	scripts/k8s-lint.sh --self-test

# builds the images with podman and runs docker-compose.yml end to end (root, ~4 min warm, ~20 min cold)
container-check:
	scripts/container-check.sh

# integration tests (PipelineTest, StorageRetentionTest, JobLifecycleTest, ScaleOutTest, MinioObjectStoreContractTest) against Kafka and MinIO containers through
# Testcontainers on podman's Docker API, from the same local images (root, ~2 min warm)
test-containers:
	scripts/testcontainers-check.sh

# proves the container steps install all they need on a fresh machine: their set-up phase in a bare
# debootstrap'd Debian root, then a podman network, a published port and container DNS there (root, ~5 min; not in `make test`)
fresh-root-check:
	scripts/fresh-root-check.sh

# engine throughput and memory per image size, Java vs Python vs OpenCV NLM (see benchmarks/README.md)
bench:
	benchmarks/run.sh

clean:
	$(MVN) -q clean
	rm -rf .run
