package dev.waituntil.agent.bridge;

import java.io.File;
import java.net.URISyntaxException;
import java.security.CodeSource;
import java.util.jar.Attributes;
import java.util.jar.JarFile;

/** The wait-until agent jar this agent runs from: the bootstrap classes are injected from it, and attached with it. */
public final class AgentJar {

    /** The agent's entry point, which the manifest of the agent jar names. */
    static final String PREMAIN_CLASS = "dev.waituntil.agent.WaitUntilAgent";

    private AgentJar() {}

    /**
     * The jar this class was loaded from, checked to be a wait-until agent jar: the bootstrap classes
     * are taken from it, so running from anything else (an exploded build, a repackaged jar) cannot work.
     */
    public static File locate() {
        CodeSource source = AgentJar.class.getProtectionDomain().getCodeSource();
        File file;
        try {
            file = source == null ? null : new File(source.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            file = null;
        }
        String fix = "; start the JVM with -javaagent:/path/to/wait-until-agent.jar, the jar built by mvn package"
                + " (agent/target/wait-until-agent.jar), unmodified";
        if (file == null || !file.isFile()) {
            throw new IllegalStateException("wait-until: the agent classes were not loaded from a jar file ("
                    + (source == null ? "unknown location" : source.getLocation()) + ")" + fix);
        }
        try (JarFile jar = new JarFile(file)) {
            Attributes main =
                    jar.getManifest() == null ? null : jar.getManifest().getMainAttributes();
            if (main == null || !PREMAIN_CLASS.equals(main.getValue("Premain-Class"))) {
                throw new IllegalStateException("wait-until: " + file + " is not the wait-until agent jar "
                        + "(its manifest has no Premain-Class " + PREMAIN_CLASS + ")" + fix);
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("wait-until: cannot read the agent jar " + file + ": " + e + fix, e);
        }
        return file;
    }
}
