package io.noise2noise.it;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Arrays;
import java.util.List;

/**
 * The in-JVM gateway's memory while a test drives it, from the JVM's MXBeans: heap used before and
 * after (each after a GC), the heap pools' peak in between, and the bytes allocated by every thread
 * but the test's own (the gateway's request, storage and Kafka threads; the test's clients run on its
 * thread and read into reused buffers), which is the figure a body held whole would show in.
 */
public final class GatewayMemory {

    private final long usedBefore;
    private final long allocatedBefore;

    private GatewayMemory() {
        usedBefore = usedAfterGc();
        heapPools().forEach(MemoryPoolMXBean::resetPeakUsage);
        allocatedBefore = allocatedByOtherThreads();
    }

    public static GatewayMemory start() {
        return new GatewayMemory();
    }

    public record Figures(long usedBefore, long usedAfter, long peak, long allocated) {

        /** One line for the report: {@code what}, then the figures in MB. */
        public String line(String what) {
            return String.format(
                    "%s: gateway heap used %.1f MB before, %.1f MB after, %.1f MB peak;"
                            + " %.1f MB allocated by its threads",
                    what, mb(usedBefore), mb(usedAfter), mb(peak), mb(allocated));
        }

        private static double mb(long bytes) {
            return bytes / 1048576.0;
        }
    }

    public Figures stop() {
        long allocated = allocatedByOtherThreads() - allocatedBefore;
        long peak = heapPools().stream()
                .mapToLong(pool -> pool.getPeakUsage().getUsed())
                .sum();
        return new Figures(usedBefore, usedAfterGc(), peak, allocated);
    }

    private static List<MemoryPoolMXBean> heapPools() {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP)
                .toList();
    }

    private static long usedAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long allocatedByOtherThreads() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().getId();
        long[] ids = Arrays.stream(threads.getAllThreadIds())
                .filter(id -> id != self)
                .toArray();
        return Arrays.stream(threads.getThreadAllocatedBytes(ids))
                .filter(bytes -> bytes > 0)
                .sum();
    }
}
