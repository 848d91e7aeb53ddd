package dev.waituntil.spring.boot;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code waituntil.*} settings of the Spring environment, as the runtime reads them (see the settings tables of
 * the project's documentation). Every value is text, read and checked by the runtime: a bad value is logged there,
 * naming the setting, the value and the accepted forms, and never stops the application. A setting left unset keeps
 * the value the runtime has (agent argument, system property, environment variable or default).
 *
 * <p>{@code waituntil.capture} is a scalar and the parent of {@code waituntil.capture.exclude}, which a properties
 * class cannot hold both of (a nested object named {@code capture} fails the context's start when
 * {@code waituntil.capture} alone is set): {@link WaitUntilAutoConfiguration} binds both apart, with the same relaxed
 * names, and additional-spring-configuration-metadata.json describes them.
 */
@ConfigurationProperties("waituntil")
public class WaitUntilProperties {

    private final Drain drain = new Drain();
    private final Task task = new Task();
    private final Executor executor = new Executor();

    /** Log every registration, completion and drain step. The default is false. */
    private String debug;

    public Drain getDrain() {
        return drain;
    }

    public Task getTask() {
        return task;
    }

    public Executor getExecutor() {
        return executor;
    }

    public String getDebug() {
        return debug;
    }

    public void setDebug(String debug) {
        this.debug = debug;
    }

    /** {@code waituntil.drain.*}. */
    public static class Drain {

        /**
         * How long a shutdown or an undeploy waits for pending tasks, in all: 500ms, 30s, 5m, 2h, ISO-8601 (PT30S),
         * or 0 (do not wait). The default is 30s.
         */
        private String timeout;

        /** Cancel the tasks still pending when the drain times out. The default is true. */
        private String cancel;

        public String getTimeout() {
            return timeout;
        }

        public void setTimeout(String timeout) {
            this.timeout = timeout;
        }

        public String getCancel() {
            return cancel;
        }

        public void setCancel(String cancel) {
            this.cancel = cancel;
        }
    }

    /** {@code waituntil.task.*}. */
    public static class Task {

        /** Cancel any single task that runs longer than this; 0 means never (the default). Needs the agent. */
        private String timeout;

        /** Log a warning naming a task that has run this long. The default is 15m. Needs the agent. */
        private String warnAfter;

        /**
         * Log an error naming a task that has run this long, and again every 10 minutes after. The default is 1h.
         * Needs the agent.
         */
        private String errorAfter;

        public String getTimeout() {
            return timeout;
        }

        public void setTimeout(String timeout) {
            this.timeout = timeout;
        }

        public String getWarnAfter() {
            return warnAfter;
        }

        public void setWarnAfter(String warnAfter) {
            this.warnAfter = warnAfter;
        }

        public String getErrorAfter() {
            return errorAfter;
        }

        public void setErrorAfter(String errorAfter) {
            this.errorAfter = errorAfter;
        }
    }

    /** {@code waituntil.executor.*}. */
    public static class Executor {

        /** Threads that run the work of run and supply. The default is the number of processors, at least 2. */
        private String threads;

        /**
         * Tasks that may wait for a thread before RejectedTaskException. The default is 10000. With the agent, only
         * an agent argument, system property or environment variable sets it (it is used at the JVM's start).
         */
        private String queue;

        public String getThreads() {
            return threads;
        }

        public void setThreads(String threads) {
            this.threads = threads;
        }

        public String getQueue() {
            return queue;
        }

        public void setQueue(String queue) {
            this.queue = queue;
        }
    }
}
