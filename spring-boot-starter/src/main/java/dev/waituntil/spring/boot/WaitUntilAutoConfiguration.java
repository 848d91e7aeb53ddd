package dev.waituntil.spring.boot;

import dev.waituntil.micrometer.WaitUntilMetrics;
import org.springframework.boot.LazyInitializationExcludeFilter;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * wait-until in a Spring Boot 3 or 4 application: the {@code waituntil.*} settings of the Spring environment given to
 * the runtime, the meters of {@link WaitUntilMetrics} where Micrometer is, the endpoint {@code waituntil} where the
 * actuator is. It names only classes that Spring Boot 3 and 4 both have under the same names (Boot 4 moved many
 * auto-configurations, none of which this references), and each part checks for its classes by name.
 */
@AutoConfiguration
@EnableConfigurationProperties(WaitUntilProperties.class)
public class WaitUntilAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public WaitUntilSettingsInForce waitUntilSettingsInForce(WaitUntilProperties properties, Environment environment) {
        // Bound apart, with the same relaxed names: see WaitUntilProperties.
        Binder binder = Binder.get(environment);
        return new WaitUntilSettingsInForce(
                properties,
                binder.bind("waituntil.capture", String.class).orElse(null),
                binder.bind("waituntil.capture.exclude", String.class).orElse(null));
    }

    /** The settings reach the runtime at the context's start even where every bean is lazy. */
    @Bean
    public static LazyInitializationExcludeFilter waitUntilSettingsNotLazy() {
        return LazyInitializationExcludeFilter.forBeanTypes(WaitUntilSettingsInForce.class);
    }

    /** Spring Boot binds every {@code MeterBinder} bean to every registry it makes. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
    static class Meters {

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        public WaitUntilMetrics waitUntilMetrics() {
            return new WaitUntilMetrics();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
    static class ActuatorEndpoint {

        @Bean
        @ConditionalOnMissingBean
        public WaitUntilEndpoint waitUntilEndpoint() {
            return new WaitUntilEndpoint();
        }
    }
}
