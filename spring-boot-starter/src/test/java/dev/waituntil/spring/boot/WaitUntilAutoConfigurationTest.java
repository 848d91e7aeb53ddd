package dev.waituntil.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waituntil.StandaloneRuntime;
import dev.waituntil.WaitUntil;
import dev.waituntil.micrometer.WaitUntilMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The auto-configuration in standalone mode (no agent), each test against a fresh runtime: settings given to the
 * runtime apply to the whole runtime, so a shared one would carry them from test to test.
 */
class WaitUntilAutoConfigurationTest {

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(WaitUntilAutoConfiguration.class));

    private StandaloneRuntime runtime;
    private JulLog log;

    @BeforeEach
    void freshRuntime() {
        runtime = StandaloneRuntime.install();
        log = new JulLog();
    }

    @AfterEach
    void previousRuntime() {
        log.close();
        runtime.close();
    }

    @Test
    void aSettingReachesTheRuntimeAndTheLineInForceIsLoggedOnce() {
        runner.withPropertyValues("waituntil.drain.timeout=7s").run(context -> {
            WaitUntilSettingsInForce settings = context.getBean(WaitUntilSettingsInForce.class);
            assertThat(settings.given()).containsExactly(Map.entry("waituntil.drain.timeout", "7s"));
            assertThat(settings.inForce()).contains("drain.timeout=7s");
            assertThat(log.lines())
                    .filteredOn(line -> line.contains("settings in force"))
                    .containsExactly("INFO wait-until: settings in force: " + settings.inForce());
        });
    }

    @Test
    void withNothingSetTheRuntimesDefaultsStay() {
        runner.run(context -> {
            WaitUntilSettingsInForce settings = context.getBean(WaitUntilSettingsInForce.class);
            assertThat(settings.given()).isEmpty();
            assertThat(settings.inForce()).contains("drain.timeout=30s");
        });
    }

    @Test
    void relaxedNamesBindToTheCanonicalOnes() {
        runner.withPropertyValues(
                        "waituntil.task.warn-after=2m",
                        "waituntil.task.errorAfter=3h",
                        "waituntil.executor.threads=3",
                        "waituntil.drain.cancel=false",
                        "waituntil.debug=true",
                        "waituntil.capture=none",
                        "waituntil.capture.exclude=com.example.")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(WaitUntilSettingsInForce.class).given())
                            .containsExactly(
                                    Map.entry("waituntil.drain.cancel", "false"),
                                    Map.entry("waituntil.task.warnAfter", "2m"),
                                    Map.entry("waituntil.task.errorAfter", "3h"),
                                    Map.entry("waituntil.executor.threads", "3"),
                                    Map.entry("waituntil.debug", "true"),
                                    Map.entry("waituntil.capture", "none"),
                                    Map.entry("waituntil.capture.exclude", "com.example."));
                    assertThat(context.getBean(WaitUntilSettingsInForce.class).inForce())
                            .contains("drain.cancel=false", "executor.threads=3");
                });
    }

    @Test
    void captureAloneIsAScalarNotTheParentOfExclude() {
        runner.withPropertyValues("waituntil.capture=executors,threads").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(WaitUntilSettingsInForce.class).given())
                    .containsExactly(Map.entry("waituntil.capture", "executors,threads"));
        });
    }

    @Test
    void environmentVariablesBindToo() {
        runner.withInitializer(context -> context.getEnvironment()
                        .getPropertySources()
                        .replace(
                                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                                new SystemEnvironmentPropertySource(
                                        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                                        Map.of(
                                                "WAITUNTIL_DRAIN_TIMEOUT", "9s",
                                                "WAITUNTIL_TASK_WARNAFTER", "4m",
                                                "WAITUNTIL_CAPTURE_EXCLUDE", "org.acme."))))
                .run(context -> {
                    WaitUntilSettingsInForce settings = context.getBean(WaitUntilSettingsInForce.class);
                    assertThat(settings.given())
                            .containsEntry("waituntil.drain.timeout", "9s")
                            .containsEntry("waituntil.task.warnAfter", "4m")
                            .containsEntry("waituntil.capture.exclude", "org.acme.");
                    assertThat(settings.inForce()).contains("drain.timeout=9s");
                });
    }

    @Test
    void aBadValueIsLoggedAndTheContextStarts() {
        runner.withPropertyValues("waituntil.drain.timeout=banana", "waituntil.executor.threads=lots")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(WaitUntilSettingsInForce.class).inForce())
                            .contains("drain.timeout=30s");
                    assertThat(log.lines())
                            .anyMatch(line -> line.startsWith("WARNING") && line.contains("drain.timeout=banana"))
                            .anyMatch(line -> line.startsWith("WARNING") && line.contains("executor.threads=lots"));
                });
    }

    @Test
    void theMetersAreBoundToTheRegistry() {
        runner.withConfiguration(AutoConfigurations.of(
                        MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
                .run(context -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(registry).isInstanceOf(SimpleMeterRegistry.class);
                    WaitUntil.register("metered", new CompletableFuture<>()).complete(null);
                    assertThat(registry.find("waituntil.tasks.pending")
                                    .tag("application", "JVM")
                                    .gauge())
                            .isNotNull();
                    assertThat(registry.find("waituntil.tasks")
                                    .tag("application", "JVM")
                                    .tag("outcome", "completed")
                                    .functionCounter()
                                    .count())
                            .isEqualTo(1);
                    assertThat(registry.find("waituntil.task.duration")
                                    .tag("application", "JVM")
                                    .timer()
                                    .count())
                            .isEqualTo(1);
                    assertThat(registry.find("waituntil.drain.duration").timer())
                            .isNotNull();
                });
    }

    @Test
    void theMetersAreClosedWithTheContext() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        runner.run(context -> {
            WaitUntil.register("gives the application its meters", CompletableFuture.completedFuture(null));
            context.getBean(WaitUntilMetrics.class).bindTo(registry);
            assertThat(registry.getMeters()).isNotEmpty();
        });
        assertThat(registry.getMeters()).isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void theEndpointListsThePendingTasks() {
        runner.run(context -> {
            CompletableFuture<Object> first = WaitUntil.register("first", new CompletableFuture<>());
            CompletableFuture<Object> second = WaitUntil.register("second", new CompletableFuture<>());
            Map<String, Object> body = context.getBean(WaitUntilEndpoint.class).pendingTasks();
            assertThat(body).containsEntry("pending", 2).containsEntry("agent", false);
            assertThat((String) body.get("oldestAge")).startsWith("PT");
            List<Map<String, Object>> tasks = (List<Map<String, Object>>) body.get("tasks");
            assertThat(tasks).extracting(t -> t.get("label")).containsExactly("first", "second");
            assertThat(tasks).extracting(t -> t.get("application")).containsOnly("JVM");
            assertThat(tasks).allSatisfy(t -> assertThat(t).containsKeys("ageMillis", "request"));
            first.complete(null);
            second.complete(null);
            assertThat(context.getBean(WaitUntilEndpoint.class).pendingTasks()).containsEntry("pending", 0);
        });
    }

    @Test
    void withoutMicrometerThereAreNoMeters() {
        runner.withClassLoader(new FilteredClassLoader("io.micrometer.core")).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(WaitUntilMetrics.class);
            assertThat(context).hasSingleBean(WaitUntilEndpoint.class);
            assertThat(context).hasSingleBean(WaitUntilSettingsInForce.class);
        });
    }

    @Test
    void withoutTheActuatorThereIsNoEndpoint() {
        runner.withClassLoader(new FilteredClassLoader(Endpoint.class)).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(WaitUntilEndpoint.class);
            assertThat(context).hasSingleBean(WaitUntilMetrics.class);
        });
    }

    @Test
    void theControlWithEverythingPresentHasEveryBean() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(WaitUntilMetrics.class);
            assertThat(context).hasSingleBean(WaitUntilEndpoint.class);
            assertThat(context).hasSingleBean(WaitUntilSettingsInForce.class);
        });
    }

    @Test
    void lazyInitializationStillGivesTheSettingsAtStart() {
        runner.withPropertyValues("waituntil.drain.timeout=11s")
                .withInitializer(context -> context.addBeanFactoryPostProcessor(
                        new org.springframework.boot.LazyInitializationBeanFactoryPostProcessor()))
                .run(context -> assertThat(log.lines())
                        .anyMatch(line -> line.contains("settings in force: drain.timeout=11s")));
    }

    @Test
    void theLazyControlWithoutTheExcludeFilterGivesNothing() {
        // Shows the test above can fail: the same bean, lazy and not excluded, is never made unless asked for.
        new ApplicationContextRunner()
                .withPropertyValues("waituntil.drain.timeout=13s")
                .withInitializer(context -> context.addBeanFactoryPostProcessor(
                        new org.springframework.boot.LazyInitializationBeanFactoryPostProcessor()))
                .withBean(WaitUntilProperties.class)
                .withBean(
                        WaitUntilSettingsInForce.class,
                        () -> new WaitUntilSettingsInForce(new WaitUntilProperties(), null, null))
                .run(context -> assertThat(log.lines()).noneMatch(line -> line.contains("settings in force")));
    }
}
