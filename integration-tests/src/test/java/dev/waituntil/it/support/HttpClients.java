package dev.waituntil.it.support;

import java.net.http.HttpClient;
import java.time.Duration;

/** The HTTP client the tests talk to servers with: HTTP/1.1, as servlet containers are usually reached. */
public final class HttpClients {

    private HttpClients() {}

    public static HttpClient http11() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }
}
