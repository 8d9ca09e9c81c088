package org.emodir.eval;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {
    @Test
    void theHostBudgetIsAQuarterOfAvailableMemoryWithinPhysicalMemory() {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long available = MemoryBudget.availableBytes();
        assertTrue(available > 0 && available <= os.getTotalMemorySize(), "available " + available);
        if (System.getProperty(MemoryBudget.PROPERTY) == null) {
            // The budget is a quarter of what was available (memory moves between the two reads: allow 2x).
            MemoryBudget.host().requireAllocation("a tenth of available memory", available / 10);
        }
    }
}
