package org.emodir.eval;

import java.lang.management.ManagementFactory;

/**
 * How many bytes one evaluation call may allocate (host scratch, device memory or direct buffers). The
 * system property {@value #PROPERTY} (bytes) overrides the default of {@link #DEFAULT_FRACTION} of the memory
 * free when the budget is taken: a population that would not fit is split into calls that do
 * ({@link #individualsPerCall}), and anything that cannot fit even alone is refused up front with the bytes
 * it needs, instead of an OutOfMemoryError half-way through a run.
 */
public record MemoryBudget(long bytes, String source) {
    public static final String PROPERTY = "emodir.memory.budget";
    public static final double DEFAULT_FRACTION = 0.25;

    public MemoryBudget {
        if (bytes <= 0)
            throw new IllegalArgumentException("memory budget must be positive, got " + bytes + " (" + source + ")");
    }

    public static MemoryBudget ofBytes(long bytes) {
        return new MemoryBudget(bytes, "explicit budget");
    }

    /** Host budget: the property, else a quarter of the available physical memory, capped by the JVM's direct limit. */
    public static MemoryBudget host() {
        MemoryBudget configured = configured();
        if (configured != null) return configured;
        long free = availableBytes();
        // Direct buffers are limited by -XX:MaxDirectMemorySize, which defaults to the heap limit.
        long fraction =
                Math.min((long) (free * DEFAULT_FRACTION), Runtime.getRuntime().maxMemory());
        return new MemoryBudget(
                Math.max(1, fraction), DEFAULT_FRACTION + " of " + free + " available bytes of host memory");
    }

    /**
     * Linux's MemAvailable (free memory plus the page cache the kernel can drop): MemFree alone drops to a few hundred
     * MB while other processes' files are cached, which made budgets collapse on a busy host. Elsewhere the JVM's free
     * physical memory.
     */
    static long availableBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux, or an unexpected format: fall through
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return os.getFreeMemorySize();
    }

    /** Budget of a device with {@code freeBytes} free: the property, else {@link #DEFAULT_FRACTION} of it. */
    public static MemoryBudget ofFree(long freeBytes, String device) {
        MemoryBudget configured = configured();
        if (configured != null) return configured;
        return new MemoryBudget(
                Math.max(1, (long) (freeBytes * DEFAULT_FRACTION)),
                DEFAULT_FRACTION + " of " + freeBytes + " free bytes of " + device);
    }

    private static MemoryBudget configured() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) return null;
        try {
            return new MemoryBudget(Long.parseLong(value.trim()), "-D" + PROPERTY);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + " must be a number of bytes, got '" + value + "'", e);
        }
    }

    /**
     * Largest number of individuals per call (at most {@code population}) whose bytes, {@code first + (k-1) *
     * perExtra}, fit the budget.
     *
     * @throws MemoryBudgetException when a single individual needs more than the budget
     */
    public int individualsPerCall(String what, long first, long perExtra, int population) {
        if (first > bytes) {
            throw new MemoryBudgetException(
                    what + " needs " + first + " bytes for a single individual but the memory budget is " + bytes
                            + " bytes (" + source + "); raise -D" + PROPERTY + " or use a smaller batch");
        }
        if (perExtra <= 0) return population;
        return (int) Math.min(population, 1 + (bytes - first) / perExtra);
    }

    /** Refuses an allocation of {@code needed} bytes above the budget, naming {@code what}. */
    public void requireAllocation(String what, long needed) {
        if (needed > bytes) {
            throw new MemoryBudgetException(what + " needs " + needed + " bytes but the memory budget is " + bytes
                    + " bytes (" + source + "); raise -D" + PROPERTY);
        }
    }
}
