package io.noise2noise.gateway.jobs;

/** How many jobs are published and not yet taken by a worker, as last seen. */
public interface WorkerBacklog {

    long waiting();
}
