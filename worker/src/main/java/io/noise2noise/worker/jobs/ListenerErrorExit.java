package io.noise2noise.worker.jobs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.kafka.event.ConsumerStoppedEvent;

/**
 * Ends the process when an Error (OutOfMemoryError, StackOverflowError, ...) stops a listener
 * container. spring-kafka stops the container for good then, which would leave a worker that takes
 * no more jobs while its health still says UP; a process that exits is restarted (Kubernetes,
 * compose), and the job in hand, its offset never committed, is redelivered to another worker.
 * Halt rather than exit: shutdown hooks would wait for the container to finish a job that never will.
 * {@code -XX:+ExitOnOutOfMemoryError} (set wherever a worker JVM is launched) covers the
 * OutOfMemoryErrors the JVM throws in any thread; this covers every Error that reaches the listener,
 * also one a library throws itself and a JVM started without that flag.
 */
public class ListenerErrorExit {

    /** The status -XX:+ExitOnOutOfMemoryError exits with. */
    static final int EXIT_STATUS = 3;

    private static final Logger log = LoggerFactory.getLogger(ListenerErrorExit.class);

    @EventListener
    public void onConsumerStopped(ConsumerStoppedEvent event) {
        if (event.getReason() == ConsumerStoppedEvent.Reason.ERROR) {
            log.error("a listener container stopped after an Error (logged above); halting so the worker is restarted");
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(EXIT_STATUS);
        }
    }
}
