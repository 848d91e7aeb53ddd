package dev.waituntil.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ScopeRegistryTest {

    private final ScopeRegistry scopes = new ScopeRegistry();
    private final TaskCompletion completion = new TaskCompletion(new TaskCounters(), new DrainSignal(), false);

    private static ClassLoader application(String name) {
        return new URLClassLoader(new URL[0], ScopeRegistryTest.class.getClassLoader()) {
            @Override
            public String toString() {
                return name;
            }
        };
    }

    private TrackedTask pendingIn(Scope scope, long id) {
        TrackedTask task = new TrackedTask(completion, id, "task " + id, new CompletableFuture<Void>(), scope, null);
        scope.tasks.add(task);
        return task;
    }

    @Test
    void noLoaderAndTheSystemLoaderAndItsAncestorsAreTheJvm() {
        Scope jvm = scopes.jvm();
        assertTrue(jvm.isRoot());
        assertSame(jvm, scopes.scopeOf(null));
        assertSame(jvm, scopes.scopeOf(ClassLoader.getSystemClassLoader()));
        assertSame(jvm, scopes.scopeOf(ClassLoader.getSystemClassLoader().getParent()));
        assertSame(jvm, scopes.existingScopeOf(ClassLoader.getSystemClassLoader()));
        assertEquals(Collections.emptyList(), scopes.applicationScopes());
    }

    @Test
    void anApplicationHasOneScopeMadeOnItsFirstUse() {
        ClassLoader shop = application("/shop");
        assertNull(scopes.existingScopeOf(shop), "not made by asking whether it exists");
        Scope scope = scopes.scopeOf(shop);
        assertSame(scope, scopes.scopeOf(shop));
        assertSame(scope, scopes.existingScopeOf(shop));
        assertFalse(scope.isRoot());
        assertNotSame(scope, scopes.scopeOf(application("/shop")), "keyed by the loader, not its name");
    }

    @Test
    void applicationScopesAreListedInTheOrderTheyAppearedAndTheListIsASnapshot() {
        Scope a = scopes.scopeOf(application("a"));
        Scope b = scopes.scopeOf(application("b"));
        List<Scope> listed = scopes.applicationScopes();
        assertEquals(Arrays.asList(a, b), listed);
        scopes.scopeOf(application("c"));
        assertEquals(2, listed.size());
        assertThrows(UnsupportedOperationException.class, () -> listed.add(a));
    }

    @Test
    void theJvmScopeStandsForEveryScopeAndAnApplicationForItselfAlone() {
        Scope a = scopes.scopeOf(application("a"));
        Scope b = scopes.scopeOf(application("b"));
        assertEquals(Arrays.asList(scopes.jvm(), a, b), scopes.scopesIn(scopes.jvm()));
        assertEquals(Collections.singletonList(b), scopes.scopesIn(b));

        a.inFlight.set(2);
        b.inFlight.set(-1); // an end counted before its start: never less than none
        scopes.jvm().inFlight.set(1);
        assertEquals(3, scopes.requestsInFlight(scopes.jvm()));
        assertEquals(2, scopes.requestsInFlight(a));
        assertEquals(0, scopes.requestsInFlight(b));
    }

    @Test
    void pendingTasksAreListedOldestFirstAcrossScopes() {
        Scope a = scopes.scopeOf(application("a"));
        TrackedTask first = pendingIn(a, 1);
        TrackedTask second = pendingIn(scopes.jvm(), 2);
        TrackedTask third = pendingIn(a, 3);
        assertEquals(Arrays.asList(first, second, third), scopes.pendingTasks());
        assertEquals(Arrays.asList(first, second, third), scopes.pendingIn(scopes.jvm()));
        List<TrackedTask> ofA = scopes.pendingIn(a);
        assertEquals(2, ofA.size());
        assertTrue(ofA.containsAll(Arrays.asList(first, third)));
    }
}
