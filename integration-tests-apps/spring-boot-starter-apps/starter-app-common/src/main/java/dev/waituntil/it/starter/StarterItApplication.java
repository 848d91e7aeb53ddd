package dev.waituntil.it.starter;

import dev.waituntil.WaitUntil;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * The application that {@code SpringBootStarter*IT} run, packaged on Spring Boot 3.5 and on 4.0 by the modules next to
 * this one, with wait-until-spring-boot-starter, the actuator and the Prometheus registry. Its settings are in
 * {@code application.properties} (of this jar); its work is in {@link TaskController}.
 */
@SpringBootApplication
public class StarterItApplication {

    public static void main(String[] args) {
        SpringApplication.run(StarterItApplication.class, args);
    }

    /** One line once the application is ready, for the test: it waits for it, and it says whether the agent is on. */
    @Bean
    ApplicationRunner reportReady() {
        return args -> System.out.println("it-app | ready; wait-until agent active: " + WaitUntil.isAgentActive());
    }
}
