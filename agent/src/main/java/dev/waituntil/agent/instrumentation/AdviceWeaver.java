package dev.waituntil.agent.instrumentation;

import static net.bytebuddy.matcher.ElementMatchers.isBridge;
import static net.bytebuddy.matcher.ElementMatchers.isDefaultFinalizer;
import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.isVirtual;
import static net.bytebuddy.matcher.ElementMatchers.not;

import net.bytebuddy.ClassFileVersion;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.scaffold.TypeInitializer;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.implementation.auxiliary.AuxiliaryType;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.pool.TypePool;
import net.bytebuddy.utility.OpenedClassReader;

/**
 * Writes advice into the methods of one class file, and copies every other method as it is.
 *
 * <p>Byte Buddy's {@code decorate(...).visit(...).make()} gives the same methods with advice, but rewrites the whole
 * class: every instruction of every method read and written again, through its type writer, for the one or two
 * methods a hook point changes. In a container's large classes (Tomcat's {@code StandardContext}, 100 KB, one method
 * with advice) that was most of the cost of instrumenting them, and at start-up, before the JIT has compiled any of
 * it, some 100 ms of the application's main thread. Here ASM's {@link ClassWriter} is made from the class's
 * {@link ClassReader}: it keeps the constant pool, and the methods whose visitor is the writer's own (those no advice
 * wraps) are copied byte for byte. The advice itself is Byte Buddy's {@code Advice}, applied by the same
 * {@link AsmVisitorWrapper.ForDeclaredMethods} as before, with the same reader and writer flags, and an implementation
 * context that adds nothing to the class (no class format changes, as retransformation requires).
 */
final class AdviceWeaver {

    /**
     * The methods advice may go into, as Byte Buddy's {@code decorate} offered them with the declared-methods graph:
     * the virtual methods but bridges and what Byte Buddy ignores by default (synthetic methods, a default
     * finalizer), and every constructor, static and private method.
     */
    private static final ElementMatcher<MethodDescription> ADVISABLE =
            not(isVirtual()).or(not(isBridge()).and(not(isSynthetic())).and(not(isDefaultFinalizer())));

    /** Never asked: the disabled implementation context adds no auxiliary type. */
    private static final AuxiliaryType.NamingStrategy NO_AUXILIARY_TYPES =
            new AuxiliaryType.NamingStrategy.Suffixing("waituntil");

    private AdviceWeaver() {}

    /**
     * The class file {@code classFile} of {@code type} with {@code advice} in the methods it matches.
     *
     * @param pool describes the types the advice needs to know of (the class itself, its loader's classes)
     */
    static byte[] weave(
            TypeDescription type, byte[] classFile, AsmVisitorWrapper.ForDeclaredMethods advice, TypePool pool) {
        int writerFlags = advice.mergeWriter(AsmVisitorWrapper.NO_FLAGS);
        int readerFlags = advice.mergeReader(AsmVisitorWrapper.NO_FLAGS);
        if ((writerFlags & ClassWriter.COMPUTE_FRAMES) != 0) {
            // ASM would then load classes to find common super types, from inside a class file transformer.
            throw new IllegalStateException("advice that asks ASM to compute frames is not supported");
        }
        ClassReader reader = OpenedClassReader.of(classFile);
        ClassWriter writer = new ClassWriter(reader, writerFlags);
        ClassFileVersion version = ClassFileVersion.ofClassFile(classFile);
        Implementation.Context context = Implementation.Context.Disabled.Factory.INSTANCE.make(
                type, NO_AUXILIARY_TYPES, TypeInitializer.None.INSTANCE, version, version);
        reader.accept(
                advice.wrap(
                        type,
                        writer,
                        context,
                        pool,
                        type.getDeclaredFields(),
                        type.getDeclaredMethods().filter(ADVISABLE),
                        writerFlags,
                        readerFlags),
                readerFlags);
        return writer.toByteArray();
    }
}
