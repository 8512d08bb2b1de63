package io.ferry.e2e;

import tools.jackson.databind.JsonNode;

/** A step of a job as the API shows it. */
final class TwoSitesSteps {
    private TwoSitesSteps() {}

    static JsonNode step(JsonNode job, String name) {
        for (JsonNode s : job.get("steps")) if (s.get("name").asString().equals(name)) return s;
        throw new AssertionError("job " + job + " has no step " + name);
    }

    static String state(JsonNode job, String name) {
        return step(job, name).get("state").asString();
    }

    static String message(JsonNode job, String name) {
        return step(job, name).get("message").asString("");
    }
}
