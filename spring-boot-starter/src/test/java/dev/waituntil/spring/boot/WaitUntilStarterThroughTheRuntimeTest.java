package dev.waituntil.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waituntil.TaskMonitor;
import dev.waituntil.WaitUntil;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The starter against the runtime in force, in whichever mode the build runs it: standalone in the default test run,
 * through the agent's bridge in the with-agent run (which runs this class only, since settings given to the agent
 * are the JVM's and stay).
 */
class WaitUntilStarterThroughTheRuntimeTest {

    private static final boolean AGENT = Boolean.getBoolean("waituntil.starter.expectAgent");

    @Test
    @SuppressWarnings("unchecked")
    void settingsMetersAndEndpointThroughTheRuntime() {
        assertThat(WaitUntil.isAgentActive()).isEqualTo(AGENT);
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        MetricsAutoConfiguration.class,
                        SimpleMetricsExportAutoConfiguration.class,
                        WaitUntilAutoConfiguration.class))
                .withPropertyValues("waituntil.drain.timeout=17s", "waituntil.task.warn-after=2m")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    String inForce =
                            context.getBean(WaitUntilSettingsInForce.class).inForce();
                    System.out.println("wait-until-spring-boot-starter test: in force: " + inForce);
                    assertThat(inForce).contains("drain.timeout=17s");
                    if (AGENT) {
                        assertThat(inForce).contains("task.warnAfter=2m").doesNotContain("standalone");
                    } else {
                        assertThat(inForce).contains("standalone mode");
                    }

                    String application = TaskMonitor.statistics().application();
                    System.out.println("wait-until-spring-boot-starter test: application '" + application + "'");
                    CompletableFuture<Object> first = WaitUntil.register("first", new CompletableFuture<>());
                    CompletableFuture<Object> second = WaitUntil.register("second", new CompletableFuture<>());
                    try {
                        Map<String, Object> body =
                                context.getBean(WaitUntilEndpoint.class).pendingTasks();
                        assertThat(body).containsEntry("agent", AGENT);
                        assertThat((List<Map<String, Object>>) body.get("tasks"))
                                .filteredOn(t -> List.of("first", "second").contains(t.get("label")))
                                .extracting(t -> t.get("application"))
                                .containsExactly(application, application);
                        MeterRegistry registry = context.getBean(MeterRegistry.class);
                        assertThat(registry.find("waituntil.tasks.pending")
                                        .tag("application", application)
                                        .gauge()
                                        .value())
                                .isGreaterThanOrEqualTo(2);
                    } finally {
                        first.complete(null);
                        second.complete(null);
                    }
                });
    }
}
