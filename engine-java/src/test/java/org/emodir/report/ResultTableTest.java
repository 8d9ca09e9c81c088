package org.emodir.report;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ResultTableTest {
    @Test
    void showsResultsAndDashesForPhasesNotRun() {
        RunReport r = SampleReports.full();
        String table = ResultTable.format(r);
        assertTrue(table.contains("top-1 dense              ") || table.contains("top-1 dense "), table);
        assertTrue(table.contains("83.20%"), table);
        assertTrue(table.contains("125,000 -> "), table);
        assertTrue(
                table.lines()
                        .anyMatch(l -> l.startsWith("top-1 dense fine-tuned")
                                && l.trim().endsWith("-")),
                table);
        assertTrue(table.contains("EXACT"), table);
        int width = table.lines().findFirst().orElseThrow().indexOf("resnet56");
        assertTrue(
                table.lines().allMatch(l -> l.length() > width && l.charAt(width - 1) == ' '),
                "aligned values:\n" + table);
    }
}
