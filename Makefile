# noise2noise — README's two commands:
#   make run    build everything and run the whole system on loopback (Kafka, S3, gateway, worker)
#   make test   build everything and run every test suite (Java and models/)
MVN ?= mvn -B -ntp

.PHONY: build run test test-java test-models clean

build:
	$(MVN) -q package -DskipTests

run: build
	scripts/run-local.sh

test: test-models test-java

test-java:
	$(MVN) verify

test-models:
	$(MAKE) -C models venv
	$(MAKE) -C models test

clean:
	$(MVN) -q clean
	rm -rf .run
