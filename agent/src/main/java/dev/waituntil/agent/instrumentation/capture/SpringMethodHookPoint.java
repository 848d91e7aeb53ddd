package dev.waituntil.agent.instrumentation.capture;

/**
 * A hook point on one method of one named Spring class, matched as a {@link JdkMethodHookPoint} is (that class's own
 * declaration, by name and parameter types), but in the application's class loader, which loads Spring.
 */
abstract class SpringMethodHookPoint extends JdkMethodHookPoint {

    SpringMethodHookPoint(String className, String method, Class<?> advice, Class<?>... parameters) {
        super(className, method, advice, parameters);
    }

    @Override
    public boolean jdkClass() {
        return false;
    }
}
