package org.emodir.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.UncheckedIOException;
import java.util.Map;

/** Prints a command's result either as one JSON object (for scripts) or as aligned text. */
final class Output {
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);

    private Output() {}

    static void print(Map<String, ?> result, boolean json) {
        if (json) {
            try {
                System.out.println(JSON.writeValueAsString(result));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
            return;
        }
        int width = result.keySet().stream().mapToInt(String::length).max().orElse(0);
        result.forEach((k, v) -> System.out.printf("%-" + width + "s  %s%n", k, v));
    }
}
