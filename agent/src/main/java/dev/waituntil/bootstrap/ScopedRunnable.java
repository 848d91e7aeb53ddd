package dev.waituntil.bootstrap;

/** A runnable given to {@code AsyncContext.start}: it runs with the request it was started from. */
final class ScopedRunnable implements Runnable {

    private final Runnable task;
    private final Object request;
    private final ClassLoader application;
    private final Object description;

    ScopedRunnable(Runnable task, Object request, ClassLoader application, Object description) {
        this.task = task;
        this.request = request;
        this.application = application;
        this.description = description;
    }

    @Override
    public void run() {
        ServletHooks.runInRequest(task, request, application, description);
    }

    @Override
    public String toString() {
        return task.toString();
    }
}
