package dev.waituntil.demo.boot;

import dev.waituntil.WaitUntil;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The demo's shop as a Spring Boot application with {@code wait-until-spring-boot-starter}: {@code POST
 * /shop/order?id=N} answers 202 at once and sends the receipt about {@value #WORK_MILLIS} ms later through {@code
 * WaitUntil.run}. The starter adds the meters ({@code /actuator/prometheus}) and the {@code waituntil} endpoint; the
 * settings come from {@code application.properties}. Prints the same lines as the plain demo server, which the
 * launcher reads.
 */
@SpringBootApplication
public class ShopApplication {

    static final String STARTED = "demo server started on port ";
    static final String RECEIPT = "receipt ";
    static final long WORK_MILLIS = 3_000;

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    public static void main(String[] args) {
        SpringApplication.run(ShopApplication.class, args);
    }

    @EventListener
    void started(ApplicationReadyEvent event) {
        Environment environment = event.getApplicationContext().getEnvironment();
        say(STARTED + environment.getProperty("local.server.port")
                + ": POST /shop/order?id=N, GET /actuator/waituntil, GET /actuator/prometheus (agent attached: "
                + WaitUntil.isAgentActive() + ")");
    }

    static void say(String message) {
        System.out.println(LocalTime.now().format(TIME) + " " + message);
    }

    /** {@code POST /shop/order?id=N}: 202 now, the receipt later. */
    @RestController
    static class OrderController {

        @PostMapping("/shop/order")
        ResponseEntity<String> order(@RequestParam("id") String id) {
            if (!id.matches("\\d{1,18}")) {
                return ResponseEntity.badRequest().body("expected POST /shop/order?id=N\n");
            }
            WaitUntil.run("send receipt " + id, () -> sendReceipt(id));
            say("order " + id + " answered 202; sending the receipt takes " + WORK_MILLIS + " ms");
            return ResponseEntity.status(HttpStatus.ACCEPTED).body("order " + id + " accepted; the receipt follows\n");
        }

        /** The slow part: a mail server, say. */
        private static void sendReceipt(String id) {
            try {
                Thread.sleep(WORK_MILLIS);
            } catch (InterruptedException e) {
                say(RECEIPT + id + " NOT sent: interrupted");
                Thread.currentThread().interrupt();
                return;
            }
            say(RECEIPT + id + " sent");
        }
    }
}
