package io.usageplans.admin;

import java.io.InputStream;
import java.util.List;
import java.util.Set;

import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.config.PlanFileReloader;
import io.usageplans.manage.AdminException;
import io.usageplans.manage.AdminException.Kind;
import io.usageplans.manage.UsagePlansAdmin;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST reload}, at the admin API's root (so no plan name is taken): reads the plan file now and applies what
 * changed in it, all or nothing (see {@link PlanFileReloader}). 200 with what changed; a bad file is a 400 naming its
 * file, line, entry and value, and the old plans and keys stay.
 */
@Path("reload")
@Produces(MediaType.APPLICATION_JSON)
public class ReloadResource extends AdminResource {

    /** The most names of each kind the answer lists; its counts are exact. */
    static final int NAMES_LISTED = 100;

    @POST
    public Response reload(InputStream in) {
        UsagePlans engine = engine();
        UsagePlansAdmin admin = admin();
        JsonRequest.parse(body(in), true, Set.of()); // nothing to send; an empty body or {}
        PlanFileReloader reloader = PlanFileReloader.of(engine).orElseThrow(() -> new AdminException(Kind.CONFLICT, null,
                null, "this application's plans were not read from a plan file (a catalog built in code or given by a "
                + "bean), so there is nothing to reload"));
        int plansBefore = engine.catalog().plans().size();
        int keysBefore = engine.keyDirectory().keys().size();
        PlanFileReloader.Result result;
        try {
            result = reloader.reload();
        } catch (UsagePlansConfigException e) {
            Json.Obj problem = Json.object().put("type", "about:blank").put("title", "Bad Request").put("status", 400)
                    .put("detail", Problem.shorten(e.getMessage(), 1000)).put("file", e.source())
                    .put("line", e.line()).put("entry", e.entry());
            return Response.status(400).type(Problem.MEDIA_TYPE).entity(problem.toString()).build();
        } catch (IllegalStateException e) { // the file is fine; the plans could not be changed now (a cluster away)
            return Problem.response(503, Problem.shorten(e.getMessage(), 1000)).build();
        }
        if (result.changedAnything()) {
            admin.recordChange("reloaded the plan file " + result.source(), plansBefore + " plans, " + keysBefore + " keys",
                    result.toString());
        }
        return json(Json.object().put("source", result.source()).put("changed", result.changedAnything())
                .put("plans", Json.object().put("added", names(result.plansAdded())).put("changed", names(result.plansChanged()))
                        .put("removed", names(result.plansRemoved())))
                .put("keys", Json.object().put("added", names(result.keysAdded())).put("changed", names(result.keysChanged()))
                        .put("removed", names(result.keysRemoved())))
                .put("counts", Json.object().put("plansAdded", result.plansAdded().size())
                        .put("plansChanged", result.plansChanged().size()).put("plansRemoved", result.plansRemoved().size())
                        .put("keysAdded", result.keysAdded().size()).put("keysChanged", result.keysChanged().size())
                        .put("keysRemoved", result.keysRemoved().size()))
                .put("needRestart", result.needRestart()));
    }

    private static List<String> names(List<String> all) {
        return all.size() <= NAMES_LISTED ? all : all.subList(0, NAMES_LISTED);
    }
}
