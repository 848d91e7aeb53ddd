package dev.waituntil.agent.log;

/**
 * Makes user-supplied text (labels, URIs, setting values) safe for one log line: control
 * characters are escaped, so a label cannot forge or break a line, and long text is cut.
 */
public final class LogText {

    public static final int MAX_LENGTH = 200;

    private LogText() {}

    /** {@code text} in single quotes, escaped and cut at {@link #MAX_LENGTH} characters. */
    public static String quote(String text) {
        StringBuilder b = new StringBuilder(Math.min(text.length(), MAX_LENGTH) + 8).append('\'');
        appendEscaped(b, text);
        return b.append('\'').toString();
    }

    /** {@code text} escaped and cut, without quotes. */
    public static String escape(String text) {
        StringBuilder b = new StringBuilder(Math.min(text.length(), MAX_LENGTH) + 6);
        appendEscaped(b, text);
        return b.toString();
    }

    private static void appendEscaped(StringBuilder b, String text) {
        int n = Math.min(text.length(), MAX_LENGTH);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (text.length() > MAX_LENGTH) {
            b.append("...(").append(text.length()).append(" chars)");
        }
    }
}
