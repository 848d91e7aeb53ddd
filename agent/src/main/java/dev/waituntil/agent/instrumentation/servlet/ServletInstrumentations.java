package dev.waituntil.agent.instrumentation.servlet;

import dev.waituntil.agent.hook.HookPoint;
import java.util.ArrayList;
import java.util.List;

/**
 * The servlet API, in {@code javax.servlet} and {@code jakarta.servlet} alike: the request scope, and the teardown
 * of an application in any container.
 */
public final class ServletInstrumentations {

    private static final String[] SERVLET_PACKAGES = {"javax.servlet", "jakarta.servlet"};

    private ServletInstrumentations() {}

    public static List<HookPoint> hookPoints() {
        List<HookPoint> points = new ArrayList<HookPoint>();
        for (String servletPackage : SERVLET_PACKAGES) {
            points.add(new ServletServiceInstrumentation(servletPackage));
            points.add(new ServletFilterInstrumentation(servletPackage));
            points.add(new ServletAsyncContextStartInstrumentation(servletPackage));
            points.add(new ServletStartAsyncInstrumentation(servletPackage));
            points.add(new ServletDestroyInstrumentation(servletPackage));
            points.add(new ServletContextDestroyedInstrumentation(servletPackage));
        }
        return points;
    }
}
