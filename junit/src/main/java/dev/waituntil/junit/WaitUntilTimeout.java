package dev.waituntil.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.concurrent.TimeUnit;

/**
 * How long {@link WaitUntilExtension} waits after a test for the tasks it started, on a test method or a test class
 * (the method's wins). Without it: the configuration parameter {@code waituntil.junit.timeout}, else 10 seconds.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
public @interface WaitUntilTimeout {

    /**
     * The bound, in {@link #unit()}s.
     *
     * @return how many units to wait at most
     */
    long value();

    /**
     * The unit of {@link #value()}.
     *
     * @return the unit; seconds unless given
     */
    TimeUnit unit() default TimeUnit.SECONDS;
}
