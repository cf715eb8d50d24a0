package io.usageplans.servlet;

import io.usageplans.annotation.UsagePlan;

/** Stands for a JAX-RS resource or CDI bean in a WAR that has only the servlet jar: nothing there reads its annotation. */
@UsagePlan("pro")
public class AnnotatedService {

    public String orders() {
        return "[]";
    }
}
