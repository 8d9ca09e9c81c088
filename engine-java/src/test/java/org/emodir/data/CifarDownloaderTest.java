package org.emodir.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Download, resume, checksum and extraction against a loopback HTTP server. */
class CifarDownloaderTest {
    @TempDir
    Path dir;

    HttpServer server;
    byte[] archive;
    byte[] batch;
    final List<String> ranges = new ArrayList<>();

    @BeforeEach
    void serve() throws Exception {
        batch = new byte[3 * 3073];
        new SplittableRandom(5).nextBytes(batch);
        for (int r = 0; r < 3; r++) {
            batch[r * 3073] = (byte) (r + 4);
        }
        archive = tarGz(List.of(
                new Entry("cifar-10-batches-bin/", null),
                new Entry("cifar-10-batches-bin/test_batch.bin", batch),
                new Entry("cifar-10-batches-bin/readme.html", "hello".getBytes(StandardCharsets.UTF_8))));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/kriz/", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRequestURI().getPath().endsWith("/cifar-10-binary.tar.gz")) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            String range = ex.getRequestHeaders().getFirst("Range");
            synchronized (ranges) {
                ranges.add(String.valueOf(range));
            }
            OutputStream out = ex.getResponseBody();
            if (range != null) {
                int from = Integer.parseInt(range.substring("bytes=".length(), range.length() - 1));
                ex.getResponseHeaders()
                        .add("Content-Range", "bytes " + from + "-" + (archive.length - 1) + "/" + archive.length);
                ex.sendResponseHeaders(206, archive.length - from);
                out.write(archive, from, archive.length - from);
            } else {
                ex.sendResponseHeaders(200, archive.length);
                out.write(archive);
            }
            out.close();
        }
    }

    /**
     * A one-shot raw-socket server that promises the whole archive but sends only {@code n} bytes and
     * hangs up (HttpServer keeps the connection open instead, which would only end in a read timeout).
     */
    private URI truncatingServer(int n) throws IOException {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try (socket;
                    Socket s = socket.accept()) {
                s.getInputStream().read(new byte[4096]); // the request line and headers
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + archive.length + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(archive, 0, n);
                out.flush();
            } catch (IOException ignored) {
                // the client sees whatever arrived
            }
        });
        t.setDaemon(true);
        t.start();
        return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/kriz/");
    }

    private CifarDownloader downloader() {
        return new CifarDownloader(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/kriz"));
    }

    private CifarDownloader.Archive spec(String md5) {
        return new CifarDownloader.Archive("cifar-10-binary.tar.gz", md5, "cifar-10-batches-bin");
    }

    private String md5() throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(archive));
    }

    @Test
    void downloadsVerifiesAndExtracts() throws Exception {
        Path folder = downloader().ensure(spec(md5()), dir);
        assertEquals(dir.resolve("cifar-10-batches-bin"), folder);
        assertTrue(java.util.Arrays.equals(batch, Files.readAllBytes(folder.resolve("test_batch.bin"))));
        assertEquals("hello", Files.readString(folder.resolve("readme.html")));
        assertFalse(Files.exists(dir.resolve("cifar-10-binary.tar.gz.part")));
        ImageDataset ds = Datasets.cifar10Binary(dir, "test");
        assertEquals(3, ds.size());
        assertEquals(6, ds.label(2));
        try (var s = Files.list(dir)) {
            assertEquals(2, s.count(), "archive + folder only, no temp leftovers");
        }
        downloader().ensure(spec(md5()), dir);
        assertEquals(1, ranges.size(), "second ensure() found the folder and fetched nothing");
    }

    @Test
    void checksumMismatchDeletesDownload() {
        IOException e = assertThrows(
                IOException.class, () -> downloader().download(spec("00000000000000000000000000000000"), dir));
        assertTrue(
                e.getMessage().contains("checksum mismatch") && e.getMessage().contains("cifar-10-binary.tar.gz"),
                e.getMessage());
        assertFalse(Files.exists(dir.resolve("cifar-10-binary.tar.gz")));
        assertFalse(Files.exists(dir.resolve("cifar-10-binary.tar.gz.part")));
    }

    @Test
    void truncatedTransferKeepsPartAndResumes() throws Exception {
        URI cut = truncatingServer(archive.length / 3);
        IOException e = assertThrows(IOException.class, () -> new CifarDownloader(cut).download(spec(md5()), dir));
        assertTrue(e.getMessage().contains("resume"), e.getMessage());
        Path part = dir.resolve("cifar-10-binary.tar.gz.part");
        assertTrue(Files.exists(part));
        assertFalse(Files.exists(dir.resolve("cifar-10-binary.tar.gz")));
        long kept = Files.size(part);
        assertTrue(kept > 0 && kept < archive.length, "kept " + kept);
        Path file = downloader().download(spec(md5()), dir);
        assertEquals(List.of("bytes=" + kept + "-"), ranges, "resumed with a range request");
        assertTrue(java.util.Arrays.equals(archive, Files.readAllBytes(file)));
        assertFalse(Files.exists(part));
    }

    @Test
    void corruptTarHeaderIsReported() throws Exception {
        byte[] tar = tar(List.of(new Entry("x/a.bin", new byte[10])));
        tar[20] ^= 1; // inside the name field: checksum no longer matches
        Path bad = dir.resolve("bad.tar.gz");
        Files.write(bad, gzip(tar));
        IOException e = assertThrows(IOException.class, () -> TarGzExtractor.extract(bad, dir.resolve("out")));
        assertTrue(e.getMessage().contains("bad.tar.gz") && e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void pathTraversalIsRefused() throws Exception {
        Path evil = dir.resolve("evil.tar.gz");
        Files.write(evil, gzip(tar(List.of(new Entry("../escape.txt", new byte[1])))));
        assertThrows(IOException.class, () -> TarGzExtractor.extract(evil, dir.resolve("out")));
        assertFalse(Files.exists(dir.resolve("escape.txt")));
    }

    record Entry(String name, byte[] data) {}

    static byte[] tarGz(List<Entry> entries) throws IOException {
        return gzip(tar(entries));
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(data);
        }
        return bytes.toByteArray();
    }

    /** A ustar writer, independent of the reader under test. */
    static byte[] tar(List<Entry> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Entry e : entries) {
            byte[] h = new byte[512];
            byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
            System.arraycopy(name, 0, h, 0, name.length);
            int size = e.data() == null ? 0 : e.data().length;
            put(h, 100, String.format("%07o", 0644));
            put(h, 108, String.format("%07o", 0));
            put(h, 116, String.format("%07o", 0));
            put(h, 124, String.format("%011o", size));
            put(h, 136, String.format("%011o", 0));
            h[156] = (byte) (e.data() == null ? '5' : '0');
            put(h, 257, "ustar");
            put(h, 263, "00");
            for (int i = 148; i < 156; i++) {
                h[i] = ' ';
            }
            int sum = 0;
            for (byte b : h) {
                sum += b & 0xFF;
            }
            put(h, 148, String.format("%06o", sum));
            h[154] = 0;
            out.writeBytes(h);
            if (e.data() != null) {
                out.writeBytes(e.data());
                out.writeBytes(new byte[(512 - size % 512) % 512]);
            }
        }
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    private static void put(byte[] h, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, b.length);
    }
}
