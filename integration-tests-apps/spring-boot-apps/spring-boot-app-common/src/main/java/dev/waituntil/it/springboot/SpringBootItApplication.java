package dev.waituntil.it.springboot;

import dev.waituntil.WaitUntil;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * The application that {@code SpringBootDrainIT} runs, packaged twice (embedded Tomcat, embedded Jetty) by
 * the modules next to this one. Everything it does is in {@link WorkController} and {@link Receipts}.
 * Graceful shutdown is chosen on the command line: {@code --server.shutdown=graceful|immediate}.
 */
@SpringBootApplication
public class SpringBootItApplication {

    public static void main(String[] args) {
        SpringApplication.run(SpringBootItApplication.class, args);
    }

    /** One line once the application is ready, for the test's log: whether the agent is attached. */
    @Bean
    ApplicationRunner reportAgent(Receipts receipts) {
        return args -> System.out.println("it-app | ready; wait-until agent active: " + WaitUntil.isAgentActive()
                + "; receipts file: " + receipts.file());
    }
}
