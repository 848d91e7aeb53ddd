package dev.waituntil.agent.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The scopes of the JVM: the JVM's own, and one per application (class loader) that has used
 * wait-until. An application's scope is made on its first use and forgotten once its loader has been
 * collected and it has nothing left to drain.
 */
final class ScopeRegistry {

    private final Scope root = Scope.root();
    /**
     * Application scopes; few per JVM, so an array searched by identity beats a weak map here. Copied
     * on write, and searched by index: the lookup runs for every request and must not allocate.
     */
    private volatile Scope[] applications = new Scope[0];

    /** The JVM-wide scope: tasks of no application, and the parent of all. */
    Scope jvm() {
        return root;
    }

    /**
     * The scope of the application whose class loader is {@code loader}; the JVM scope for null or
     * for the system class loader and its ancestors (a plain {@code main} program has no application).
     */
    Scope scopeOf(ClassLoader loader) {
        if (loader == null || isSystemLoaderOrAncestor(loader)) {
            return root;
        }
        Scope known = find(loader);
        return known != null ? known : newApplication(loader);
    }

    /** The scope of {@code loader} if it has one already; null if the application never used wait-until. */
    Scope existingScopeOf(ClassLoader loader) {
        if (loader == null || isSystemLoaderOrAncestor(loader)) {
            return root;
        }
        return find(loader);
    }

    /** The application scopes known now, in the order they appeared (without the JVM scope). */
    List<Scope> applicationScopes() {
        // The array is replaced, never written, once published: wrapping it is a snapshot.
        return Collections.unmodifiableList(Arrays.asList(applications));
    }

    /** {@code scope} alone, or for the JVM scope: it and every application scope. */
    List<Scope> scopesIn(Scope scope) {
        if (!scope.isRoot()) {
            return Collections.singletonList(scope);
        }
        Scope[] apps = applications;
        List<Scope> all = new ArrayList<>(apps.length + 1);
        all.add(root);
        Collections.addAll(all, apps);
        return all;
    }

    /** Every pending task of every scope, oldest first. */
    List<TrackedTask> pendingTasks() {
        List<TrackedTask> all = new ArrayList<>(root.tasks);
        for (Scope s : applications) {
            all.addAll(s.tasks);
        }
        // By registration time, which stays put: ages read during the sort would move under it.
        all.sort((a, b) -> Long.compare(a.registeredNanos(), b.registeredNanos()));
        return all;
    }

    /** The pending tasks of {@code scope} (for the JVM scope: of every scope), as a copy. */
    List<TrackedTask> pendingIn(Scope scope) {
        if (!scope.isRoot()) {
            return new ArrayList<>(scope.tasks);
        }
        return pendingTasks();
    }

    /** Requests in flight in {@code scope} (for the JVM scope: in every scope). */
    int requestsInFlight(Scope scope) {
        int n = 0;
        for (Scope s : scopesIn(scope)) {
            n += Math.max(0, s.inFlight.get());
        }
        return n;
    }

    private Scope find(ClassLoader loader) {
        Scope[] all = applications;
        for (int i = 0; i < all.length; i++) {
            if (all[i].belongsTo(loader)) {
                return all[i];
            }
        }
        return null;
    }

    private synchronized Scope newApplication(ClassLoader loader) {
        Scope known = find(loader);
        if (known != null) {
            return known;
        }
        List<Scope> kept = new ArrayList<>(applications.length + 1);
        for (Scope s : applications) {
            // Forget applications whose loader is gone and that have nothing left to drain.
            if (!(s.isLoaderCollected() && s.tasks.isEmpty() && s.inFlight.get() == 0)) {
                kept.add(s);
            }
        }
        Scope created = Scope.application(root, loader);
        kept.add(created);
        applications = kept.toArray(new Scope[0]);
        return created;
    }

    private static boolean isSystemLoaderOrAncestor(ClassLoader loader) {
        for (ClassLoader l = ClassLoader.getSystemClassLoader(); l != null; l = l.getParent()) {
            if (l == loader) {
                return true;
            }
        }
        return false;
    }
}
