package dev.waituntil.spring.boot;

import dev.waituntil.WaitUntilSettings;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Gives the {@code waituntil.*} settings of the Spring environment to the runtime when it is created (by
 * {@link WaitUntilAutoConfiguration}, early in the context's refresh, even with lazy initialization) and logs the
 * settings in force once. With the agent the settings are the JVM's: an agent argument still wins, and in a container
 * that runs several applications the last one to start sets them.
 */
public final class WaitUntilSettingsInForce {

    private static final Log LOG = LogFactory.getLog(WaitUntilSettingsInForce.class);

    private final Map<String, String> given;
    private final String inForce;

    /**
     * Applies the settings that are set.
     *
     * @param properties the bound {@code waituntil.*} properties
     * @param capture the value of {@code waituntil.capture}, or null
     * @param captureExclude the value of {@code waituntil.capture.exclude}, or null
     */
    public WaitUntilSettingsInForce(WaitUntilProperties properties, String capture, String captureExclude) {
        Map<String, String> settings = new LinkedHashMap<>();
        put(settings, "waituntil.drain.timeout", properties.getDrain().getTimeout());
        put(settings, "waituntil.drain.cancel", properties.getDrain().getCancel());
        put(settings, "waituntil.task.timeout", properties.getTask().getTimeout());
        put(settings, "waituntil.task.warnAfter", properties.getTask().getWarnAfter());
        put(settings, "waituntil.task.errorAfter", properties.getTask().getErrorAfter());
        put(settings, "waituntil.executor.threads", properties.getExecutor().getThreads());
        put(settings, "waituntil.executor.queue", properties.getExecutor().getQueue());
        put(settings, "waituntil.debug", properties.getDebug());
        put(settings, "waituntil.capture", capture);
        put(settings, "waituntil.capture.exclude", captureExclude);
        this.given = Collections.unmodifiableMap(settings);
        this.inForce = WaitUntilSettings.apply(settings);
        LOG.info("wait-until: settings in force: " + inForce);
    }

    private static void put(Map<String, String> settings, String name, String value) {
        if (value != null) {
            settings.put(name, value);
        }
    }

    /**
     * The settings given to the runtime: those the Spring environment sets, by their canonical names.
     *
     * @return {@code waituntil.drain.timeout} to {@code 10s}, say; empty when none is set
     */
    public Map<String, String> given() {
        return given;
    }

    /**
     * The settings in force, as the runtime described them after taking the application's.
     *
     * @return the line logged at start
     */
    public String inForce() {
        return inForce;
    }
}
