package io.noise2noise.client;

import java.util.ArrayList;
import java.util.List;

/**
 * One page of the caller's jobs, newest first.
 *
 * @param nextPageToken  where the next page starts; null on the last page. A page read with a status
 *                       filter may be short, even empty, and still carry a token
 */
public record JobPage(List<Job> jobs, String nextPageToken) {

    static final List<String> FIELDS = fields();

    public JobPage {
        jobs = List.copyOf(jobs);
    }

    static JobPage read(JsonFields page) {
        return new JobPage(page.objects("jobs", Job::read), page.text("nextPageToken"));
    }

    private static List<String> fields() {
        List<String> fields = new ArrayList<>(List.of("jobs", "nextPageToken"));
        Job.FIELDS.forEach(field -> fields.add("jobs[]." + field));
        return List.copyOf(fields);
    }
}
