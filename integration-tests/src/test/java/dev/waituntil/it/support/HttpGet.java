package dev.waituntil.it.support;

import java.io.IOException;

/** Sends {@code GET <pathAndQuery>} to the server under test and returns the HTTP status; the harness decides the base. */
@FunctionalInterface
public interface HttpGet {
    int status(String pathAndQuery) throws IOException, InterruptedException;
}
