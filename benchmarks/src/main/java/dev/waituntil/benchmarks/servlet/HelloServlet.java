package dev.waituntil.benchmarks.servlet;

import dev.waituntil.WaitUntil;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.concurrent.CompletableFuture;

/**
 * A trivial servlet. {@code GET} answers 200 and registers nothing. {@code POST} registers one task, a
 * {@link CompletableFuture} the caller completes after {@code service} has returned (see {@link #lastTask}),
 * and answers 202. It does not override {@code service}: the agent instruments {@code HttpServlet.service}.
 */
public final class HelloServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** The task the last POST registered; the benchmark completes it once the response is out. */
    public transient CompletableFuture<Void> lastTask;
    /** When set, the next POST registers this task rather than a new one, and clears the field. */
    public transient CompletableFuture<?> toRegister;
    /** When set, the next GET records whether it ran inside the agent's request scope. */
    public transient boolean probe;

    public transient boolean sawRequestScope;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        if (probe) {
            sawRequestScope = RequestScopeProbe.inRequestScope();
        }
        resp.setStatus(HttpServletResponse.SC_OK);
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) {
        if (toRegister != null) {
            WaitUntil.register(toRegister);
            toRegister = null;
        } else {
            CompletableFuture<Void> task = new CompletableFuture<>();
            WaitUntil.register(task);
            lastTask = task;
        }
        resp.setStatus(HttpServletResponse.SC_ACCEPTED);
    }
}
