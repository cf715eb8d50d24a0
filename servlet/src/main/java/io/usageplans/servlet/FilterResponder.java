package io.usageplans.servlet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.usageplans.Decision;
import io.usageplans.routing.MeteringContext;
import io.usageplans.UsagePlans;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The filter's side of one request, for the layers inside it (JAX-RS feature, interceptor): their refusals are
 * written by {@link RejectionResponse} like the filter's own, and their decisions are completed with the filter's,
 * once, with the request's final status (also for asynchronous requests).
 */
final class FilterResponder implements MeteringContext.Responder {

    private final UsagePlans engine;
    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final Decision own;
    private List<Decision> inner; // guarded by this
    private int finalStatus; // guarded by this; 0 until the request completed

    FilterResponder(UsagePlans engine, HttpServletRequest request, HttpServletResponse response, Decision own) {
        this.engine = engine;
        this.request = request;
        this.response = response;
        this.own = own;
    }

    @Override
    public boolean refuse(Decision refusal) {
        if (response.isCommitted()) {
            return false;
        }
        try {
            RejectionResponse.reject(refusal, request, response);
        } catch (IOException e) {
            // the client went away while the refusal was written: nothing more can reach it
            return response.isCommitted();
        }
        return true;
    }

    @Override
    public void completeWithResponse(Decision decision) {
        int status;
        synchronized (this) {
            if (finalStatus == 0) {
                if (inner == null) {
                    inner = new ArrayList<>(2);
                }
                inner.add(decision);
                return;
            }
            status = finalStatus;
        }
        engine.complete(decision, status); // a layer that decided after the response was done
    }

    /** The request is done with {@code status}: completes the filter's decision and those of the layers inside. */
    void complete(int status) {
        List<Decision> decisions;
        synchronized (this) {
            finalStatus = status;
            decisions = inner;
            inner = null;
        }
        engine.complete(own, status);
        if (decisions != null) {
            for (Decision decision : decisions) {
                engine.complete(decision, status);
            }
        }
    }
}
