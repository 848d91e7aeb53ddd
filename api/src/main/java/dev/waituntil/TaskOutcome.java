package dev.waituntil;

/** How a task ended, as {@link TaskEnded} reports it and as meters tag it ({@link #tag()}). */
public enum TaskOutcome {
    /** It ended normally. */
    COMPLETED,
    /** It ended by an exception, which {@link TaskEnded#failure()} holds. */
    FAILED,
    /** It was cancelled: by the application, by a drain at its deadline, or by {@code waituntil.task.timeout}. */
    CANCELLED,
    /**
     * It was refused and never ran: its scope had been drained, or the executor's queue was full. The caller got a
     * {@link RejectedTaskException}.
     */
    REJECTED;

    private final String tag = name().toLowerCase(java.util.Locale.ROOT);

    /**
     * The outcome in lower case, as meters and the runtime's records name it.
     *
     * @return {@code completed}, {@code failed}, {@code cancelled} or {@code rejected}
     */
    public String tag() {
        return tag;
    }

    /** The outcome a tag names; null for a tag of a newer runtime that this API does not know. */
    static TaskOutcome ofTag(String tag) {
        for (TaskOutcome o : values()) {
            if (o.tag.equals(tag)) {
                return o;
            }
        }
        return null;
    }
}
