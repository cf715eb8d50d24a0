package io.usageplans.infinispan;

import org.junit.jupiter.api.Test;

import io.usageplans.testing.ArchitectureRules;

/** This adapter reaches core through its public packages only (see {@link ArchitectureRules}). */
class AdapterArchitectureTest {

    @Test
    void adapterNamesNoTypeOfCoreInternal() {
        ArchitectureRules.checkAdapter("io.usageplans.infinispan");
    }
}
