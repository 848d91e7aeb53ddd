package dev.waituntil;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Settings that an application gives once it has started, for frameworks that hold the application's configuration:
 * the Spring Boot starter passes the {@code waituntil.*} values of the Spring environment here. Applications that
 * start with system properties, environment variables or agent arguments need nothing of this class.
 *
 * <p>With the agent, the settings are the JVM's (every application in it shares one runtime) and an agent argument
 * still wins; settings the agent used once at the JVM's start ({@code waituntil.capture},
 * {@code waituntil.capture.exclude}, {@code waituntil.executor.queue}, {@code waituntil.debug}) cannot change any
 * more, and a different value for one of them is logged with the way to give it. Without the agent (standalone mode),
 * {@code waituntil.drain.timeout}, {@code waituntil.drain.cancel}, {@code waituntil.executor.threads} and
 * {@code waituntil.executor.queue} (before the first {@code run}/{@code supply}) take effect; the others need the
 * agent. A value that cannot be read is logged, one line naming the setting, the value and the accepted forms, and
 * the value in force is kept: a typo never stops the application.
 */
public final class WaitUntilSettings {

    private WaitUntilSettings() {}

    /**
     * Lays {@code settings} over the ones in force.
     *
     * @param settings values by the property names of the settings table ({@code waituntil.drain.timeout},
     *     {@code waituntil.task.warnAfter}) as text ({@code 10s}, {@code true}); a null value is no value
     * @return the settings in force afterwards, one line for the application's log
     * @throws NullPointerException if {@code settings} is null
     */
    public static String apply(Map<String, String> settings) {
        Objects.requireNonNull(settings, "settings must not be null");
        Map<String, String> given = new LinkedHashMap<String, String>();
        for (Map.Entry<String, String> entry : settings.entrySet()) {
            if (entry.getKey() != null && entry.getValue() != null) {
                given.put(entry.getKey().trim(), entry.getValue().trim());
            }
        }
        return WaitUntil.backend().applySettings(Collections.unmodifiableMap(given));
    }
}
