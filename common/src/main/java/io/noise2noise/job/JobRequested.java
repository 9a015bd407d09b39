package io.noise2noise.job;

import java.time.Instant;

/** The message on the jobs topic: which job to run, where its input is, with which model. */
public record JobRequested(String jobId, String inputKey, String model, double strength, Instant requestedAt) {}
