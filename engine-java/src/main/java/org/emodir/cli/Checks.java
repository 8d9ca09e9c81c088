package org.emodir.cli;

/**
 * Option checks shared by the commands. A violation is a run failure (exit code 1, like other bad input) whose
 * message names the option, the bound and the value given.
 */
final class Checks {
    private Checks() {}

    static void atLeast(String option, long value, long min) {
        if (value < min) throw new IllegalArgumentException(option + " must be >= " + min + ", got " + value);
    }

    static void positive(String option, double value) {
        if (!(value > 0)) throw new IllegalArgumentException(option + " must be > 0, got " + value);
    }

    /** The constant of {@code type} named {@code value}, case-insensitively; otherwise an error listing the choices. */
    static <E extends Enum<E>> E choice(String option, String value, Class<E> type) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value)) return e;
        }
        throw new IllegalArgumentException(option + " must be one of "
                + java.util.Arrays.stream(type.getEnumConstants())
                        .map(e -> e.name().toLowerCase(java.util.Locale.ROOT))
                        .toList()
                + ", got " + value);
    }
}
