package io.usageplans.servers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** A copy of an example WAR whose plan file has a negative rate: it must not deploy, and must say why. */
final class BrokenWar {

    static final String PLAN_FILE = "WEB-INF/classes/usage-plans.yaml";

    /** The broken plan file: line 6 holds the bad value. */
    static final String PLAN = """
            # A broken plan file: premium's rateLimit is negative. The server tests check that it stops the deployment
            # with a message naming this file, the line, the entry and the value, and that the server goes on running.
            api: MyProjectAPI
            plans:
              - name: premium
                throttle: { rateLimit: -5, burstLimit: 40 }
                apiStages:
                  - stage: broken
            apiKeys:
              - name: premium-customer
                value: demo-premium-key-0123456789
                plans: [premium]
            """;

    /** What the deployment must log: the file, the line, the entry (the value, {@code -5}, follows). */
    static final String MESSAGE = "usage-plans: classpath:usage-plans.yaml, line 6: plans[premium].throttle.rateLimit: ";
    static final String VALUE = "was -5";

    private BrokenWar() {
    }

    /** {@code target/wars/broken-NAME.war}: the WAR with {@link #PLAN} as its plan file. */
    static Path of(Path war) throws IOException {
        Path broken = Harness.WORK.resolve("wars").resolve("broken-" + war.getFileName());
        Files.createDirectories(broken.getParent());
        boolean replaced = false;
        try (ZipFile in = new ZipFile(war.toFile()); OutputStream file = Files.newOutputStream(broken);
                ZipOutputStream out = new ZipOutputStream(file)) {
            Enumeration<? extends ZipEntry> entries = in.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                ZipEntry copy = new ZipEntry(entry.getName());
                copy.setTime(entry.getTime());
                out.putNextEntry(copy);
                if (entry.getName().equals(PLAN_FILE)) {
                    out.write(PLAN.getBytes(StandardCharsets.UTF_8));
                    replaced = true;
                } else if (!entry.isDirectory()) {
                    try (InputStream content = in.getInputStream(entry)) {
                        content.transferTo(out);
                    }
                }
                out.closeEntry();
            }
        }
        if (!replaced) {
            throw new IllegalStateException(war + " has no " + PLAN_FILE + " to replace");
        }
        return broken;
    }
}
