package org.emodir.spark;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The driver's one Spark context (Spark allows one per JVM), started on first use for a master URL and kept for the
 * run's later sub-networks. Settings given by spark-submit or {@code spark.*} system properties win over the defaults
 * set here.
 */
public final class SparkContexts {
    /**
     * What Spark and emodir need opened on Java 17 in every executor JVM (spark-submit's launcher passes Spark's part;
     * local-cluster executors are started by Spark's own worker, which does not).
     */
    static final String EXECUTOR_JAVA_OPTIONS = String.join(
            " ",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
            "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
            "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
            "-Djdk.reflect.useDirectMethodHandle=false",
            "-Dio.netty.tryReflectionSetAccessible=true",
            "-Xss4m");

    private static JavaSparkContext current;

    private SparkContexts() {}

    /**
     * The context at {@code master}, started when none runs or the running one has another master.
     *
     * @throws IllegalArgumentException when Spark cannot start there (the message names the master and why)
     */
    public static synchronized JavaSparkContext at(String master) {
        if (current != null && !current.sc().isStopped() && current.master().equals(master)) return current;
        if (current != null) current.stop();
        current = null;
        SparkConf conf = new SparkConf().setAppName("emodir").setMaster(master);
        conf.setIfMissing("spark.ui.enabled", "false");
        if (master.startsWith("local-cluster")) localCluster(conf);
        try {
            current = new JavaSparkContext(conf);
        } catch (Exception e) { // SparkException is checked in Java's eyes but thrown undeclared
            throw new IllegalArgumentException(
                    "--spark: cannot start Spark at master '" + master + "': " + e.getMessage(), e);
        }
        current.setLogLevel(System.getProperty("emodir.spark.log", "WARN"));
        return current;
    }

    /** Stops the context (tests, and a run that switches masters). */
    public static synchronized void stop() {
        if (current != null) current.stop();
        current = null;
    }

    /**
     * local-cluster starts executor JVMs through Spark's worker, which builds their class path from
     * {@code $SPARK_HOME/jars}: they get this JVM's class path (absolute) and Java options instead.
     */
    private static void localCluster(SparkConf conf) {
        String home = System.getenv("SPARK_HOME");
        if (home == null || !Files.isDirectory(Path.of(home, "jars"))) {
            throw new IllegalArgumentException("--spark local-cluster[...] needs SPARK_HOME set to a directory with a"
                    + " jars/ folder (a Spark distribution, or an empty one when Spark is on this class path) and"
                    + " SPARK_SCALA_VERSION=2.13; SPARK_HOME is " + home);
        }
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(s -> !s.isEmpty())
                .map(s -> Path.of(s).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
        conf.setIfMissing("spark.executor.extraClassPath", classPath);
        conf.setIfMissing("spark.executor.extraJavaOptions", EXECUTOR_JAVA_OPTIONS);
        conf.setIfMissing("spark.executor.memory", "1024m");
    }
}
