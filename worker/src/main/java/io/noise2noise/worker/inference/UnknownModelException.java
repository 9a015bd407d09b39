package io.noise2noise.worker.inference;

import java.util.Set;

public class UnknownModelException extends RuntimeException {

    public UnknownModelException(String name, Set<String> available) {
        super("unknown model '" + name + "'; available: " + available);
    }
}
