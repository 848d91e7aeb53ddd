package dev.waituntil.servlet;

import java.util.Set;
import javax.servlet.ServletContainerInitializer;
import javax.servlet.ServletContext;
import javax.servlet.ServletContextEvent;
import javax.servlet.ServletContextListener;

/**
 * Without the agent, drains a {@code javax.servlet} web application's wait-until tasks at its own
 * teardown. Found by the container in {@code META-INF/services/javax.servlet.ServletContainerInitializer}
 * of the API jar, it registers itself as a {@link ServletContextListener}. Tomcat and Jetty put the
 * listeners that an initializer adds after those of {@code web.xml} and annotations, and call
 * {@code contextDestroyed} in reverse order, so its {@code contextDestroyed} comes before the
 * application's own: the tasks finish before the application's listeners close what they use, and while
 * the container still lets the application's classes load. Both have destroyed the servlets and filters
 * by then. With the agent attached it does nothing: the agent drains the application before its
 * teardown begins.
 *
 * <p>{@code web.xml} can name it as a {@code <listener>} where the container runs no initializer from
 * {@code WEB-INF/lib} (an {@code <absolute-ordering>} without {@code <others/>}); declared last, its
 * {@code contextDestroyed} comes first. Registered twice, it drains once.
 *
 * <p>Only a container with the {@code javax.servlet} API loads this class; the other namespace's
 * initializer is a class of its own.
 */
public final class JavaxStandaloneDrain implements ServletContainerInitializer, ServletContextListener {

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext context) {
        context.addListener(new JavaxStandaloneDrain());
    }

    @Override
    public void contextInitialized(ServletContextEvent event) {
        // nothing to do until the application stops
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        ApplicationTeardown.stopping(event.getServletContext().getContextPath());
    }
}
