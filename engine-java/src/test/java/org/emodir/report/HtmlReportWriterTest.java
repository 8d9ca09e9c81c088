package org.emodir.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class HtmlReportWriterTest {
    private static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void oneWellFormedSvgPerSubnetPlusTheTradeoffCurve() throws Exception {
        RunReport r = SampleReports.full();
        String html = HtmlReportWriter.render(r);
        assertEquals(r.fronts.size() + 1, count(html, "<svg "), "one plot per front and one trade-off plot");
        assertEquals(count(html, "<svg "), count(html, "</svg>"));
        Matcher m = Pattern.compile("<svg .*?</svg>", Pattern.DOTALL).matcher(html);
        int parsed = 0;
        while (m.find()) {
            Document doc = DocumentBuilderFactory.newInstance()
                    .newDocumentBuilder()
                    .parse(new ByteArrayInputStream(m.group().getBytes(StandardCharsets.UTF_8)));
            assertEquals("svg", doc.getDocumentElement().getNodeName());
            parsed++;
        }
        assertEquals(r.fronts.size() + 1, parsed);
        assertTrue(html.startsWith("<!DOCTYPE html>") && html.trim().endsWith("</html>"));
        assertEquals(count(html, "<table>"), count(html, "</table>"));
        assertTrue(count(html, "chosen #") >= r.fronts.size(), "chosen solution highlighted in every front");
        assertTrue(html.contains("target 40%"), "chosen target marked on the trade-off curve");
    }

    @Test
    void escapesAllText() {
        String html = HtmlReportWriter.render(SampleReports.full());
        assertFalse(html.contains(SampleReports.HOSTILE_NAME), "raw sub-network name leaked into HTML");
        assertTrue(html.contains("layer&lt;2&gt;&amp;&quot;x&quot;"));
        assertFalse(html.contains("finetune <fast>"));
        assertTrue(html.contains("finetune &lt;fast&gt;"));
        assertFalse(html.contains("<script"), "page must be static");
        assertFalse(
                html.contains("http://")
                        && html.replace("http://www.w3.org/2000/svg", "").contains("http://"),
                "no network references besides the SVG namespace");
    }

    @Test
    void emptyReportRendersPlaceholders() {
        String html = HtmlReportWriter.render(new RunReport());
        assertTrue(html.contains("No fronts"));
        assertTrue(html.contains("No ranking"));
        assertTrue(html.contains("No trade-off curve"));
        assertEquals(0, count(html, "<svg "));
    }
}
