package dev.waituntil;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * Where {@link WaitUntil} sends its work: the agent's runtime when the agent is attached
 * ({@link AgentBackend}), otherwise an in-process tracker ({@link StandaloneBackend}).
 *
 * <p>Both speak in JDK types only. A refusal is a {@link RejectedExecutionException}, which
 * {@code WaitUntil} turns into its own {@link RejectedTaskException}: every web application has
 * its own copy of that class, and the one runtime of the agent cannot know which to throw.
 */
interface Backend {

    /** Tracks {@code task}, a {@code CompletionStage} or a {@code Future}. */
    void register(String label, Object task) throws RejectedExecutionException;

    CompletableFuture<Void> run(String label, Runnable task) throws RejectedExecutionException;

    <T> CompletableFuture<T> supply(String label, Callable<T> task) throws RejectedExecutionException;

    int pending();

    /** The pending tasks of the caller's application, or of every application. */
    List<PendingTask> pendingTasks(boolean everyApplication);

    /** The counts of the caller's application, or of every application. */
    List<TaskStatistics> statistics(boolean everyApplication);

    TaskSubscription addListener(TaskListener listener, boolean everyApplication);

    /** Lays settings given by the application over the ones in force; see {@link WaitUntilSettings#apply}. */
    String applySettings(Map<String, String> settings);

    boolean isAgent();
}
