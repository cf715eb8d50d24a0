package io.usageplans.microprofile;

import io.usageplans.testing.ArchitectureRules;
import org.junit.jupiter.api.Test;

/** This adapter reaches core through its public packages only (see {@link ArchitectureRules}). */
class AdapterArchitectureTest {

    @Test
    void adapterNamesNoTypeOfCoreInternal() {
        ArchitectureRules.checkAdapter("io.usageplans.microprofile");
    }
}
