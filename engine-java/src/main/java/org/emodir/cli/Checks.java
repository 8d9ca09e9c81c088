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
}
