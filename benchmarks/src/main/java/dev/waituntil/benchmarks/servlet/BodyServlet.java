package dev.waituntil.benchmarks.servlet;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * A servlet whose {@code GET} runs a body the benchmark gives it, inside the request: a way into the agent's request
 * scope without a server. It does not override {@code service}: the agent instruments {@code HttpServlet.service}.
 */
public final class BodyServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient Runnable body;

    public BodyServlet(Runnable body) {
        this.body = body;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        body.run();
        resp.setStatus(HttpServletResponse.SC_OK);
    }
}
