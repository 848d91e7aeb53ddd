package dev.waituntil.agent.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.waituntil.agent.WaitUntilAgent;
import org.junit.jupiter.api.Test;

class AgentJarTest {

    /** The agent jar is recognised by its manifest's Premain-Class, which must name the agent's entry point. */
    @Test
    void thePremainClassLookedForIsTheAgentsEntryPoint() {
        assertEquals(WaitUntilAgent.class.getName(), AgentJar.PREMAIN_CLASS);
    }
}
