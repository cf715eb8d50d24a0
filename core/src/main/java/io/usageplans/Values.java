package io.usageplans;

/** Formatting shared by validation messages, so numbers read as the user wrote them. */
final class Values {
    private Values() {
    }

    static String number(double value) {
        if (value == Math.rint(value) && !Double.isInfinite(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }
}
