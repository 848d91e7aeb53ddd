package dev.waituntil.agent.instrumentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.agent.hook.HookPoint;
import java.lang.reflect.Method;
import java.util.List;
import java.util.stream.Collectors;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import org.junit.jupiter.api.Test;

/** The hook points match the real servlet API types, in both packages, and nothing else. */
class HookPointMatchersTest {

    private static HookPoint point(String name) {
        return Instrumenter.hookPoints().stream()
                .filter(p -> p.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no hook point " + name));
    }

    private static boolean typeMatches(HookPoint point, Class<?> type) {
        return point.types().matches(TypeDescription.ForLoadedType.of(type));
    }

    private static boolean methodMatches(HookPoint point, Method method) {
        return point.methods().matches(new MethodDescription.ForLoadedMethod(method));
    }

    @Test
    void everyHookPointExistsForJavaxAndJakarta() {
        List<String> names =
                Instrumenter.hookPoints().stream().map(HookPoint::name).collect(Collectors.toList());
        for (String pkg : new String[] {"javax.servlet", "jakarta.servlet"}) {
            assertTrue(names.contains(pkg + ".Servlet.service"), names.toString());
            assertTrue(names.contains(pkg + ".Filter.doFilter"), names.toString());
            assertTrue(names.contains(pkg + ".AsyncContext.start"), names.toString());
            assertTrue(names.contains(pkg + ".ServletRequest.startAsync"), names.toString());
            assertTrue(names.contains(pkg + ".Servlet.destroy"), names.toString());
            assertTrue(names.contains(pkg + ".ServletContextListener.contextDestroyed"), names.toString());
        }
        assertTrue(names.contains("org.apache.catalina.core.StandardServer.stopInternal"), names.toString());
        assertTrue(names.contains("org.apache.catalina.core.ContainerBase.stopInternal"), names.toString());
        assertTrue(names.contains("org.apache.catalina.core.StandardContext.stopInternal"), names.toString());
        assertTrue(
                names.contains("org.apache.catalina.core.ContainerBase$ContainerBackgroundProcessor.processChildren"),
                names.toString());
        assertTrue(names.contains("org.eclipse.jetty.server.Server.doStop"), names.toString());
        assertTrue(names.contains("org.eclipse.jetty.server.Server.doStart"), names.toString());
        assertTrue(names.contains("org.apache.catalina.core.StandardServer.startInternal"), names.toString());
        assertTrue(names.contains("org.eclipse.jetty.server.handler.ContextHandler.doStop"), names.toString());
        assertTrue(
                names.contains("org.springframework.context.support.AbstractApplicationContext.doClose"),
                names.toString());
        assertTrue(names.contains("java.util.concurrent.ThreadPoolExecutor.execute(Runnable)"), names.toString());
        assertTrue(names.contains("java.util.concurrent.ForkJoinPool.execute(Runnable)"), names.toString());
        assertTrue(
                names.contains("java.util.concurrent.CompletableFuture$ThreadPerTaskExecutor.execute(Runnable)"),
                names.toString());
        assertTrue(names.contains("java.util.concurrent.ThreadPoolExecutor.shutdownNow()"), names.toString());
        assertTrue(
                names.contains("java.util.concurrent.CompletableFuture.asyncRunStage(Executor, Runnable)"),
                names.toString());
        assertTrue(
                names.contains("java.util.concurrent.CompletableFuture.asyncSupplyStage(Executor, Supplier)"),
                names.toString());
        assertTrue(names.contains("java.util.concurrent.ThreadPerTaskExecutor.execute(Runnable)"), names.toString());
        assertTrue(names.contains("java.util.concurrent.ThreadPerTaskExecutor.submit(Callable)"), names.toString());
        assertTrue(
                names.contains("org.springframework.core.task.SimpleAsyncTaskExecutor.doExecute(Runnable)"),
                names.toString());
        assertTrue(
                names.contains("org.springframework.core.task.VirtualThreadTaskExecutor.execute(Runnable)"),
                names.toString());
        assertEquals(39, names.size(), names.toString());
    }

    @Test
    void servletServiceMatchesThePublicServiceOfHttpServletOnly() throws Exception {
        HookPoint javax = point("javax.servlet.Servlet.service");
        assertTrue(typeMatches(javax, javax.servlet.http.HttpServlet.class));
        assertFalse(typeMatches(javax, javax.servlet.Servlet.class), "interfaces are not instrumented");
        assertFalse(
                typeMatches(javax, jakarta.servlet.http.HttpServlet.class),
                "the other package is the other hook point");
        assertTrue(methodMatches(
                javax,
                javax.servlet.http.HttpServlet.class.getMethod(
                        "service", javax.servlet.ServletRequest.class, javax.servlet.ServletResponse.class)));
        assertFalse(
                methodMatches(
                        javax,
                        javax.servlet.http.HttpServlet.class.getDeclaredMethod(
                                "service",
                                javax.servlet.http.HttpServletRequest.class,
                                javax.servlet.http.HttpServletResponse.class)),
                "the protected HTTP overload is inside the outer call anyway");
        assertFalse(
                methodMatches(
                        javax,
                        javax.servlet.GenericServlet.class.getMethod(
                                "service", javax.servlet.ServletRequest.class, javax.servlet.ServletResponse.class)),
                "abstract");

        HookPoint jakarta = point("jakarta.servlet.Servlet.service");
        assertTrue(typeMatches(jakarta, jakarta.servlet.http.HttpServlet.class));
        assertTrue(methodMatches(
                jakarta,
                jakarta.servlet.http.HttpServlet.class.getMethod(
                        "service", jakarta.servlet.ServletRequest.class, jakarta.servlet.ServletResponse.class)));
    }

    @Test
    void filterMatchesDoFilterOfFilterImplementations() throws Exception {
        HookPoint jakarta = point("jakarta.servlet.Filter.doFilter");
        assertTrue(typeMatches(jakarta, jakarta.servlet.http.HttpFilter.class));
        assertTrue(methodMatches(
                jakarta,
                jakarta.servlet.http.HttpFilter.class.getMethod(
                        "doFilter",
                        jakarta.servlet.ServletRequest.class,
                        jakarta.servlet.ServletResponse.class,
                        jakarta.servlet.FilterChain.class)));
        assertFalse(typeMatches(jakarta, jakarta.servlet.http.HttpServlet.class));
    }

    @Test
    void asyncHookPointsMatchTheWrappersOfTheApi() throws Exception {
        HookPoint startAsync = point("javax.servlet.ServletRequest.startAsync");
        assertTrue(typeMatches(startAsync, javax.servlet.ServletRequestWrapper.class));
        assertTrue(methodMatches(startAsync, javax.servlet.ServletRequestWrapper.class.getMethod("startAsync")));
        assertTrue(methodMatches(
                startAsync,
                javax.servlet.ServletRequestWrapper.class.getMethod(
                        "startAsync", javax.servlet.ServletRequest.class, javax.servlet.ServletResponse.class)));
        assertFalse(methodMatches(startAsync, javax.servlet.ServletRequestWrapper.class.getMethod("isAsyncStarted")));
    }

    @Test
    void applicationDestroyHooksMatchTheApiTypes() throws Exception {
        HookPoint destroy = point("jakarta.servlet.Servlet.destroy");
        assertTrue(methodMatches(destroy, jakarta.servlet.GenericServlet.class.getMethod("destroy")));
        HookPoint destroyed = point("javax.servlet.ServletContextListener.contextDestroyed");
        assertFalse(
                typeMatches(destroyed, javax.servlet.ServletContextListener.class), "interfaces are not instrumented");
        assertTrue(
                methodMatches(
                        destroyed,
                        javax.servlet.ServletContextListener.class.getMethod(
                                "contextDestroyed", javax.servlet.ServletContextEvent.class)),
                "the listener's method, in classes that implement it");
    }

    @Test
    void containerHookPointsAreMatchedByClassNameAlone() {
        HookPoint engine = point("org.apache.catalina.core.ContainerBase.stopInternal");
        assertEquals("org.apache.catalina.core.ContainerBase", engine.requiredClass());
        assertFalse(typeMatches(engine, Object.class));
    }

    /** In the application's loader, by name: their own declaration, which a subclass that hands on overrides. */
    @Test
    void springExecutorHookPointsMatchTheMethodThatStartsTheThread() throws Exception {
        HookPoint simple = point("org.springframework.core.task.SimpleAsyncTaskExecutor.doExecute(Runnable)");
        assertFalse(simple.jdkClass());
        assertTrue(typeMatches(simple, org.springframework.core.task.SimpleAsyncTaskExecutor.class));
        assertFalse(typeMatches(simple, org.springframework.core.task.SyncTaskExecutor.class));
        Class<?> executor = org.springframework.core.task.SimpleAsyncTaskExecutor.class;
        assertTrue(methodMatches(simple, executor.getDeclaredMethod("doExecute", Runnable.class)));
        assertFalse(methodMatches(simple, executor.getMethod("execute", Runnable.class)));
        HookPoint virtual = point("org.springframework.core.task.VirtualThreadTaskExecutor.execute(Runnable)");
        assertFalse(virtual.jdkClass());
        assertTrue(typeMatches(virtual, org.springframework.core.task.VirtualThreadTaskExecutor.class));
        assertTrue(methodMatches(
                virtual,
                org.springframework.core.task.VirtualThreadTaskExecutor.class.getMethod("execute", Runnable.class)));
    }

    @Test
    void theIgnoreListDecidesOnNamesAlone() {
        assertTrue(Instrumenter.ignored().matches(TypeDescription.ForLoadedType.of(String.class)));
        assertTrue(Instrumenter.ignored().matches(TypeDescription.ForLoadedType.of(Instrumenter.class)));
        assertTrue(Instrumenter.ignored().matches(TypeDescription.ForLoadedType.of(net.bytebuddy.ByteBuddy.class)));
        assertFalse(
                Instrumenter.ignored().matches(TypeDescription.ForLoadedType.of(javax.servlet.http.HttpServlet.class)));
        assertFalse(Instrumenter.ignored()
                .matches(TypeDescription.ForLoadedType.of(jakarta.servlet.http.HttpServlet.class)));
    }

    @Test
    void thePreFilterAsksTheClassLoaderBeforeAnyHierarchy() {
        Instrumenter.PreFiltered filter = new Instrumenter.PreFiltered("jakarta.servlet.Servlet", type -> {
            throw new AssertionError("hierarchy matched although the loader cannot see the API");
        });
        ClassLoader blind = new ClassLoader(null) {};
        assertFalse(filter.matches(TypeDescription.ForLoadedType.of(Object.class), blind, null, null, null));
        assertFalse(filter.matches(TypeDescription.ForLoadedType.of(Object.class), null, null, null, null));
        Instrumenter.PreFiltered seeing = new Instrumenter.PreFiltered("jakarta.servlet.Servlet", type -> true);
        assertTrue(seeing.matches(
                TypeDescription.ForLoadedType.of(Object.class), getClass().getClassLoader(), null, null, null));
    }
}
