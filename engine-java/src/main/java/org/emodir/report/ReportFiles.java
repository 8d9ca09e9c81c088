package org.emodir.report;

import java.io.IOException;
import java.nio.file.Path;
import org.emodir.run.AtomicFiles;
import org.emodir.run.RunDirectory;

/** Writes a run's report files atomically; report.json goes last since it marks the run finished. */
public final class ReportFiles {
    private ReportFiles() {}

    public static void save(Path dir, RunReport report) throws IOException {
        String json = ReportJson.toJson(report);
        AtomicFiles.writeString(dir.resolve(RunDirectory.REPORT_HTML), HtmlReportWriter.render(report));
        AtomicFiles.writeString(dir.resolve(RunDirectory.REPORT_JSON), json);
    }
}
