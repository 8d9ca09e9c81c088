package org.emodir.model.conv;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The convolution router's state: {@code plainTrusted} whether plain mkldnn is a candidate on this host; {@code checked} shapes verified in this process, of which {@code wrong} were computed
 * wrongly by plain mkldnn; {@code fromStore} verdicts loaded from this host kind's file; {@code shapesByRoute} every
 * known shape counted by its route.
 */
public record RoutingSummary(
        String mode,
        boolean plainTrusted,
        int checked,
        int wrong,
        int fromStore,
        Map<ConvRoute, Integer> shapesByRoute,
        String verdictFile) {

    /** Shapes that do not use the plain path. */
    public int routed() {
        int n = 0;
        for (Map.Entry<ConvRoute, Integer> e : shapesByRoute.entrySet())
            if (e.getKey() != ConvRoute.PLAIN) n += e.getValue();
        return n;
    }

    /** JSON-ready map (the {@code conv_routing} object of doctor and report.json's details). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", mode);
        m.put("plain_mkldnn_trusted", plainTrusted);
        m.put("checked", checked);
        m.put("wrong", wrong);
        m.put("from_cache", fromStore);
        m.put("routed", routed());
        Map<String, Integer> routes = new LinkedHashMap<>();
        for (ConvRoute r : ConvRoute.values()) routes.put(r.id(), shapesByRoute.getOrDefault(r, 0));
        m.put("shapes_by_route", routes);
        m.put("verdict_file", verdictFile);
        return m;
    }
}
