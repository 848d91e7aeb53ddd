package dev.waituntil;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A web application's class loader as Tomcat's behaves: it defines the API's classes itself (as from
 * {@code WEB-INF/lib}) and, once stopped, refuses every class, the JDK's included, and every resource
 * ("Illegal access: this web application instance has been stopped already"). It notes what was asked of
 * it after the stop, so that a test can name what the code under test still needed.
 */
final class StoppableApplicationLoader extends ClassLoader {

    private final Path apiClasses;
    private final List<String> askedAfterStop = new CopyOnWriteArrayList<String>();
    private volatile boolean stopped;

    StoppableApplicationLoader() {
        super(StoppableApplicationLoader.class.getClassLoader());
        try {
            apiClasses = Paths.get(WaitUntil.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    void stop() {
        stopped = true;
    }

    /** The classes and resources asked for after {@link #stop()}, in order. */
    List<String> askedAfterStop() {
        return new ArrayList<String>(askedAfterStop);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (stopped) {
            askedAfterStop.add(name);
            throw new ClassNotFoundException("Illegal access: this web application instance has been stopped already. "
                    + "Could not load [" + name + "].");
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded != null) {
                return loaded;
            }
            Path file = apiClasses.resolve(name.replace('.', '/') + ".class");
            if (name.startsWith("dev.waituntil.") && Files.isRegularFile(file)) {
                try {
                    byte[] bytes = Files.readAllBytes(file);
                    return defineClass(name, bytes, 0, bytes.length);
                } catch (IOException e) {
                    throw new ClassNotFoundException(name, e);
                }
            }
            return super.loadClass(name, resolve);
        }
    }

    @Override
    public URL getResource(String name) {
        if (stopped) {
            askedAfterStop.add("resource " + name);
            return null;
        }
        return super.getResource(name);
    }
}
