package dev.waituntil.it.springboot;

import dev.waituntil.WaitUntil;
import java.util.Map;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.scheduling.annotation.EnableAsync;

/**
 * The application that {@code SpringBootDrainIT} runs, packaged twice (embedded Tomcat, embedded Jetty) by
 * the modules next to this one. Everything it does is in {@link WorkController} and {@link Receipts}.
 * Graceful shutdown is chosen on the command line: {@code --server.shutdown=graceful|immediate}.
 *
 * <p>{@code @Async} methods ({@link AsyncWork}) run on Spring Boot's {@code applicationTaskExecutor}, or on the
 * {@code SimpleAsyncTaskExecutor} named {@value #SIMPLE_EXECUTOR}. Spring Boot leaves out its own executor when
 * the application defines one, unless {@code spring.task.execution.mode=force} (Boot 3.5 and later), given here
 * as a default: so both exist, and {@code @Async} with no name keeps Boot's.
 */
@SpringBootApplication
@EnableAsync
public class SpringBootItApplication {

    static final String SIMPLE_EXECUTOR = "simple";

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(SpringBootItApplication.class);
        application.setDefaultProperties(Map.<String, Object>of("spring.task.execution.mode", "force"));
        application.run(args);
    }

    /** A thread per task; its decorator marks the thread, so that the work can tell that it applied. */
    @Bean(SIMPLE_EXECUTOR)
    SimpleAsyncTaskExecutor simpleExecutor() {
        SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor("simple-");
        executor.setTaskDecorator(task -> () -> {
            AsyncWork.DECORATED.set(Boolean.TRUE);
            try {
                task.run();
            } finally {
                AsyncWork.DECORATED.remove();
            }
        });
        return executor;
    }

    /** One line once the application is ready, for the test's log: whether the agent is attached. */
    @Bean
    ApplicationRunner reportAgent(Receipts receipts) {
        return args -> System.out.println("it-app | ready; wait-until agent active: " + WaitUntil.isAgentActive()
                + "; receipts file: " + receipts.file());
    }
}
